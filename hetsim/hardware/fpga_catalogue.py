"""Which kernel builds an FPGA of the catalogue carries: per design name, the kernel source it is
built from and the parameters it overrides in that kernel's `params.yaml`.

No FPGA timing rests on numbers typed in here: a variant is the same source built with
different parameters, and its design is derived from them like the kernels' own.
"""

from __future__ import annotations

from typing import Any

from hetsim.hardware.fpga_kernels.params import KERNELS

# The DSA lightning indexer is the inner-product kernel's source built for DeepSeek's indexer, as
# fpga_kernels/inner_product_topk/params.yaml says ("the DSA indexer is the same source built with
# heads: 16, lanes: 16"): 16 index heads in parallel as the authors' LUT kernel (paper.md s4; the
# 64 heads of DeepSeek-V3.2 take four passes), and a 2048-entry top-k (index_topk) whose
# min-replacement tree takes log2(2048) + 1 = 12 cycles per insertion. Our build choice, derived.
DSA_KERNEL = "lightning_indexer_topk"
DSA_BUILD = {"heads": 16, "lanes": 16, "k_max": 2048, "insert_ii": 12}

# design name -> (kernel source, parameter overrides)
BUILDS: dict[str, tuple[str, dict[str, Any]]] = {
    **{kernel: (kernel, {}) for kernel in KERNELS},
    DSA_KERNEL: ("inner_product_topk", DSA_BUILD),
}
