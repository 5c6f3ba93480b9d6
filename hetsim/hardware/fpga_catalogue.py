"""Which kernel designs an FPGA of the catalogue carries.

Every design is read from a kernel's own parameter file (`fpga_kernels/*/params.yaml`), the
one its HLS build uses, so no FPGA timing rests on numbers typed in here; a variant is the same
source built with different parameters.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from hetsim.config.schema import FpgaSpec
from hetsim.hardware.fpga import KernelDesign

# The DSA lightning indexer is the inner-product kernel's source built for DeepSeek's indexer, as
# fpga_kernels/inner_product_topk/params.yaml says ("the DSA indexer is the same source built with
# heads: 16, lanes: 16"): 16 index heads in parallel as the authors' LUT kernel (paper.md s4; the
# 64 heads of DeepSeek-V3.2 take four passes), and a 2048-entry top-k (index_topk) whose
# min-replacement tree takes log2(2048) + 1 = 12 cycles per insertion. Our build choice, derived.
DSA_KERNEL = "lightning_indexer_topk"
DSA_BUILD = {"heads": 16, "lanes": 16, "k_max": 2048, "insert_ii": 12}


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
    designs = load_designs(spec)
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
