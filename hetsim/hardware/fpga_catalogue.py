"""Which kernel designs an FPGA of the catalogue carries.

The designs are read from the kernels' own parameter files (`fpga_kernels/*/params.yaml`)
when `hetsim.hardware.fpga_designs` can load them; the built-in entries below restate the
authors' published kernel constants (He et al. 2026, paper.md s4) for cards whose kernels are
not built here.
"""

from __future__ import annotations

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
}


def kernel_designs(spec: FpgaSpec) -> dict[str, KernelDesign]:
    try:
        from hetsim.hardware.fpga_designs import load_designs
    except ImportError:
        return dict(PAPER_DESIGNS)
    designs = dict(PAPER_DESIGNS)
    designs.update(load_designs(spec))
    return designs
