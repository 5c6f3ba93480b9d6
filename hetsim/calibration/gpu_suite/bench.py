"""The timing harness of a run: one torch device, its timer and power meter, and the readings
taken on it (`rows`). Every phase measures through `measure_op` / `record`, so every reading
carries the power state and no op failing can lose the run."""

from __future__ import annotations

import platform
import time
from typing import Any

import torch

from hetsim.calibration.gpu_suite.rows import make_row
from hetsim.calibration.measure import PowerMeter, Timer, recover_from_capture
from hetsim.calibration.torch_ops import build
from hetsim.errors import HardwareUnavailable
from hetsim.ops import Op


class Bench:
    """A torch device set up for measuring (`cfg`: a mode of `settings.MODES`)."""

    def __init__(self, torch_device: str, cfg: dict[str, Any], log=print, seed: int = 0):
        if torch_device == "cuda" and not torch.cuda.is_available():
            raise HardwareUnavailable("no CUDA or ROCm GPU visible to torch (torch.cuda.is_available() is False); "
                                      "run on a GPU machine, or pass --torch-device cpu to exercise the suite on CPU")
        self.cfg, self.log = cfg, log
        self.device = torch.device(torch_device if torch_device != "cuda" else "cuda:0")
        torch.manual_seed(seed)
        if torch_device == "cpu":
            torch.set_num_threads(1)  # CPU runs only test the suite: keep them steady on busy machines
        self.timer = Timer(self.device, loop_s=cfg["loop_s"], point_s=cfg["point_s"], reps=cfg["reps"])
        self.power = PowerMeter(self.device)
        self.t0 = time.perf_counter()
        if self.device.type == "cuda":
            props = torch.cuda.get_device_properties(self.device)
            self.gpu_name = torch.cuda.get_device_name(self.device)
            self.l2_bytes = int(getattr(props, "L2_cache_size", 0) or (50 << 20))
            self.hw = {"sm_count": props.multi_processor_count, "l2_bytes": self.l2_bytes,
                       "memory_bytes": int(props.total_memory)}
            self.wave_slots = float(props.multi_processor_count)
        else:
            self.gpu_name = f"CPU ({platform.processor() or platform.machine()})"
            self.l2_bytes = 0  # no input rotation on CPU: the suite runs there only to be tested
            self.hw = {"threads": torch.get_num_threads()}
            self.wave_slots = float(torch.get_num_threads())
        self.rows: list[dict[str, Any]] = []

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def free(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.empty_cache()

    def record(self, phase: str, op: Op | None, sample=None, case: str = "", **extra) -> dict[str, Any]:
        row = make_row(phase, op, sample, case, **extra)
        row.update(self.power.state())
        self.rows.append(row)
        return row

    def measure_op(self, phase: str, op: Op, case: str = "", runner=None, graph: bool = True,
                   **extra) -> dict[str, Any]:
        try:
            r = runner or build(op, self.device, self.l2_bytes)
            sample = self.timer.measure(r, r.n_sets, graph=graph)
            return self.record(phase, op, sample, case, n_sets=r.n_sets, set_bytes=r.set_bytes, error="", **extra)
        except Exception as exc:  # one op failing must not lose the run: record it and go on
            if self.device.type == "cuda":
                recover_from_capture(self.device)
            return self.record(phase, op, None, case, error=f"{type(exc).__name__}: {exc}"[:400], **extra)
