"""One FPGA kernel's build parameters, as parsed from its `fpga_kernels/<kernel>/params.yaml`.

`fpga_kernels/gen_params.py` owns the file format (the HLS build runs it without hetsim);
`hetsim.calibration.kernel_params` reads the files into this value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KERNELS = ("inner_product_topk", "page_minmax_topk", "bm25_topk", "pq_lut_topk")
# kernel -> its params.yaml port group that streams the items (one m_axi port per PE)
ITEM_PORT_GROUP = {"inner_product_topk": "keys", "page_minmax_topk": "pages", "bm25_topk": "docs",
                   "pq_lut_topk": "codes"}


@dataclass(frozen=True)
class KernelParams:
    """One kernel's parameter file: flat values and its HBM ports (each value's source and ref
    stay in the file: `gen_params.load` returns them)."""

    kernel: str
    path: Path
    values: dict[str, Any]
    ports: dict[str, dict]
    overrides: tuple[tuple[str, Any], ...] = field(default=())

    def __getitem__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"{self.path}: no parameter {name!r}") from None

    def int(self, name: str) -> int:
        return int(self[name])

    @property
    def item_ports(self) -> list[str]:
        """The top function's item port arguments (keys0, keys1, ...), one per PE."""
        return self.ports[ITEM_PORT_GROUP[self.kernel]]["args"]
