"""The FPGA kernels' parameter files, as hetsim reads them.

`fpga_kernels/gen_params.py` owns the format (the kernel build runs it without hetsim); this
module imports it by path so that the model, the runner and the build read one definition.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

KERNELS = ("inner_product_topk", "page_minmax_topk", "bm25_topk")


def kernels_dir() -> Path:
    """`fpga_kernels/` of this checkout (or $HETSIM_FPGA_KERNELS)."""
    env = os.environ.get("HETSIM_FPGA_KERNELS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "fpga_kernels"


@cache
def gen_params() -> ModuleType:
    path = kernels_dir() / "gen_params.py"
    spec = importlib.util.spec_from_file_location("hetsim_fpga_gen_params", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{path}: the kernels' parameter generator is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class KernelParams:
    """One kernel's parameter file: flat values, their (source, ref), and its HBM ports."""

    kernel: str
    path: Path
    platform: str
    values: dict[str, Any]
    sources: dict[str, tuple[str, str]]
    ports: dict[str, dict]
    overrides: tuple[tuple[str, Any], ...] = field(default=())

    def __getitem__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise KeyError(f"{self.path}: no parameter {name!r}") from None

    def int(self, name: str) -> int:
        return int(self[name])


def load_kernel_params(kernel: str, overrides: dict[str, Any] | None = None) -> KernelParams:
    if kernel not in KERNELS:
        raise ValueError(f"unknown FPGA kernel {kernel!r}; known: {', '.join(KERNELS)}")
    path = kernels_dir() / kernel / "params.yaml"
    cfg = gen_params().load(path, overrides or {})
    return KernelParams(
        kernel=cfg["kernel"], path=path, platform=cfg["platform"], values=cfg["params"],
        sources=cfg["sources"], ports=cfg["ports"], overrides=tuple(sorted((overrides or {}).items())),
    )


def quantize(value: float, frac_bits: int) -> int:
    """Fixed-point rounding shared with the kernel build (round half up)."""
    return gen_params().quantize(value, frac_bits)
