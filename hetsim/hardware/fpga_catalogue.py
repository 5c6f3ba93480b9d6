"""Which kernel designs an FPGA of the catalogue carries.

The designs are read from the kernels' own parameter files (`fpga_kernels/*/params.yaml`)
when `hetsim.hardware.fpga_designs` can load them; the built-in entries below restate the
authors' published kernel constants (He et al. 2026, paper.md s4) for cards whose kernels are
not built here.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from hetsim.config.schema import FpgaSpec
from hetsim.hardware.fpga import KernelDesign

KEY_BYTES = 128 * 2  # one key or page bound: 128 channels of int16

# LServe long-context indexer: 5 PEs, 16-key pages, top-k 64, first 16384 keys in BRAM, then
# URAM up to 49152, 8 HBM channels. Lanes (256 = one page's min and max over 128 channels per
# cycle) and pipeline depth are our reading of the design, not published numbers.
PAPER_DESIGNS = {
    "page_minmax_topk": KernelDesign(
        name="page_minmax_topk", pes=5, lanes=256, ii=1, pipeline_depth=64, topk_width=16,
        topk_k_max=64, hbm_channels=8, bram_key_bytes=16384 * KEY_BYTES,
        uram_key_bytes=(49152 - 16384) * KEY_BYTES, clock_mhz=None, source="derived",
    ),
    # SeerAttention-R token-budget indexer: 8 PEs of 128 int16 MACs, top-k 64 blocks, 16384 keys
    # in BRAM over 8 channels (paper.md s4); URAM beyond it is our reading, as for LServe.
    "inner_product_topk": KernelDesign(
        name="inner_product_topk", pes=8, lanes=128, ii=1, pipeline_depth=64, topk_width=8,
        topk_k_max=64, hbm_channels=8, bram_key_bytes=16384 * KEY_BYTES,
        uram_key_bytes=(49152 - 16384) * KEY_BYTES, clock_mhz=None, source="derived",
    ),
    # BM25: 4 cores of 16 (term, tf) lanes, top-k 64, documents streamed from HBM (paper.md s4).
    "bm25_topk": KernelDesign(
        name="bm25_topk", pes=4, lanes=16, ii=1, pipeline_depth=64, topk_width=4, topk_k_max=64,
        hbm_channels=4, clock_mhz=None, source="derived",
    ),
}

# The DSA lightning indexer is the inner-product kernel's source built for DeepSeek's indexer, as
# fpga_kernels/inner_product_topk/params.yaml says ("the DSA indexer is the same source built with
# heads: 16, lanes: 16"): 16 index heads in parallel as the authors' LUT kernel (paper.md s4; the
# 64 heads of DeepSeek-V3.2 take four passes), and a 2048-entry top-k (index_topk) whose
# min-replacement tree takes log2(2048) + 1 = 12 cycles per insertion. Our build choice, derived.
DSA_KERNEL = "lightning_indexer_topk"
DSA_BUILD = {"heads": 16, "lanes": 16, "k_max": 2048, "insert_ii": 12}
PAPER_DESIGNS[DSA_KERNEL] = KernelDesign(
    name=DSA_KERNEL, pes=8, lanes=16 * 16, ii=1, pipeline_depth=64, topk_width=8, topk_k_max=2048,
    topk_insert_ii=12, hbm_channels=8, bram_key_bytes=16384 * KEY_BYTES,
    uram_key_bytes=(49152 - 16384) * KEY_BYTES, clock_mhz=None, source="derived",
)


def kernel_designs(spec: FpgaSpec) -> dict[str, KernelDesign]:
    """The designs an FPGA carries. Reading and resource-checking the parameter files costs far
    more than a small simulation, so the result is cached until a parameter or profile file
    changes."""
    return dict(_kernel_designs(spec.model_dump_json(), _inputs_stamp()))


def _inputs_stamp() -> tuple:
    from hetsim.calibration.profile import profiles_dir
    from hetsim.fpga_runner.kernel_params import kernels_dir

    files = sorted(kernels_dir().glob("*/params.yaml")) + sorted(Path(profiles_dir()).glob("*.yaml"))
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


@lru_cache(maxsize=32)
def _kernel_designs(spec_json: str, stamp: tuple) -> dict[str, KernelDesign]:
    from hetsim.hardware.fpga_designs import load_designs

    spec = FpgaSpec.model_validate_json(spec_json)
    designs = dict(PAPER_DESIGNS)
    designs.update(load_designs(spec))
    designs.update(_built_variants(spec))
    return designs


def _built_variants(spec: FpgaSpec) -> dict[str, KernelDesign]:
    """Designs built from another kernel's parameter file with overrides (resource-checked on
    `spec` like the kernels themselves)."""
    from dataclasses import replace

    from hetsim.fpga_runner.kernel_params import load_kernel_params
    from hetsim.hardware.fpga_designs import check_fits, design_from_params

    kp = load_kernel_params("inner_product_topk", DSA_BUILD)
    check_fits(kp, spec)
    return {DSA_KERNEL: replace(design_from_params(kp), name=DSA_KERNEL)}
