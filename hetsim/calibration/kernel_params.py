"""Reading the FPGA kernels' parameter files (`fpga_kernels/<kernel>/params.yaml`).

`fpga_kernels/gen_params.py` owns the format (the kernel build runs it without hetsim); this
module imports it by path so that the model, the runner and the build read one definition.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from types import ModuleType
from typing import Any

from hetsim.calibration.paths import kernels_dir
from hetsim.hardware.fpga_kernels.params import KERNELS, KernelParams


@cache
def gen_params() -> ModuleType:
    path = kernels_dir() / "gen_params.py"
    spec = importlib.util.spec_from_file_location("hetsim_fpga_gen_params", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{path}: the kernels' parameter generator is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_kernel_params(kernel: str, overrides: dict[str, Any] | None = None) -> KernelParams:
    if kernel not in KERNELS:
        raise ValueError(f"unknown FPGA kernel {kernel!r}; known: {', '.join(KERNELS)}")
    path = kernels_dir() / kernel / "params.yaml"
    cfg = gen_params().load(path, overrides or {})
    return KernelParams(
        kernel=cfg["kernel"], path=path, values=cfg["params"], ports=cfg["ports"],
        overrides=tuple(sorted((overrides or {}).items())),
    )


def quantize(value: float, frac_bits: int) -> int:
    """Fixed-point rounding shared with the kernel build (round half up)."""
    return gen_params().quantize(value, frac_bits)
