"""Which kernel builds an FPGA of the catalogue carries: per design name, the kernel source it is
built from and the parameters it overrides in that kernel's `params.yaml`.

No FPGA timing rests on numbers typed in here: a variant is the same source built with
different parameters, and its design is derived from them like the kernels' own.
"""

from __future__ import annotations

from typing import Any

from hetsim.hardware.fpga_kernels.params import KERNELS

# The DSA lightning indexer is the inner-product kernel's source built for DeepSeek's indexer: 16
# index heads in parallel as the authors' kernel (paper.md s4; the 64 heads of DeepSeek-V3.2 take
# four passes over each key) and a 2048-entry top-k (index_topk), which builds the radix select
# (topk_select.h). A PE sized to one 512-bit beat per cycle does 16 x 32 int16 MACs a cycle (544
# DSPs with the head weighting), so 13 PEs (7072 DSPs) stay under 80% of the U55C's 9024 DSPs:
# the indexer is DSP-bound, not HBM-bound, with int16 keys. Our build choice, derived.
DSA_KERNEL = "lightning_indexer_topk"
DSA_BUILD = {"heads": 16, "pes": 13, "k_max": 2048}
# The paper's lookup-table variant of the same indexer (dsa indexer: lut): product-quantised keys
# (16 one-byte codes, codebooks of 64), table lookups instead of int16 MACs, so no DSP bound
# (pq_lut_topk; its params.yaml is this build).
DSA_LUT_KERNEL = "lightning_indexer_lut"

# design name -> (kernel source, parameter overrides)
BUILDS: dict[str, tuple[str, dict[str, Any]]] = {
    **{kernel: (kernel, {}) for kernel in KERNELS},
    DSA_KERNEL: ("inner_product_topk", DSA_BUILD),
    DSA_LUT_KERNEL: ("pq_lut_topk", {}),
}
