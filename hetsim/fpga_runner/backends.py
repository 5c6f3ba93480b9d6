"""Where a kernel runs for calibration: a real card through pyxrt, or g++ C-simulation.

Both take a kernel adapter's problem, put its buffers where the kernel reads them, run the
kernel's LOAD mode once and its QUERY mode on demand, and return the outputs with the
elapsed time of one invocation (launch included: construct + start + wait for pyxrt).
`run_launch` starts the kernel once for several rows grouped into jobs (one launch per token, a
job per layer covering the batch's rows).
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np

from hetsim.errors import HardwareUnavailable
from hetsim.fpga_runner.csim import load_library
from hetsim.fpga_runner.kernels import (
    JOB_WORDS,
    MODE_LOAD,
    MODE_QUERY,
    STATS_WORDS,
    KernelAdapter,
    Launch,
    Problem,
    Result,
    csim_run,
    csim_write,
)
from hetsim.fpga_runner.reference import TopKReference


class FpgaUnavailable(HardwareUnavailable):
    """pyxrt, the card or the bitstream is missing (the CLI exits with code 2)."""


class CsimBackend:
    """The kernel built by g++ as a shared library. Its timings are host CPU wall clock: they
    exercise the runner and never describe the FPGA (`source: csim`)."""

    source = "csim"

    def __init__(self, adapter: KernelAdapter):
        self.adapter = adapter
        self.lib = load_library(adapter.kp)

    def prepare(self, pb: Problem) -> None:
        self.launch = self.adapter.csim_load(self.lib, pb)

    def run(self, pb: Problem) -> tuple[Result, int]:
        t0 = time.perf_counter_ns()
        result = self.adapter.csim_query(self.lib, pb, self.launch)
        return result, time.perf_counter_ns() - t0

    def run_launch(self, problems: list[Problem], rows_per_job: int | None = None) -> tuple[list[Result], int]:
        """All rows in one kernel start, `rows_per_job` a job (default: one job per rows_max
        rows); regions side by side, on-chip slots while they last."""
        launch = self.adapter.launch(problems, rows_per_job=rows_per_job)
        csim_write(self.lib, launch)
        for r in range(len(problems)):
            if launch.chip[r][1]:
                csim_run(self.lib, MODE_LOAD, self.adapter.load_jobs(launch, r))
        t0 = time.perf_counter_ns()
        results = csim_run(self.lib, MODE_QUERY, launch.jobs, launch.ks, self.adapter.k_max)
        return results, time.perf_counter_ns() - t0

    def power_w(self) -> float | None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"device": f"g++ C-simulation on {platform.machine()} ({platform.processor() or 'cpu'})",
                "library": str(self.lib.path), "xrt_version": None}


def import_pyxrt() -> Any:
    try:
        import pyxrt  # noqa: PLC0415 - only the pyxrt backend needs XRT
    except ImportError as exc:
        raise FpgaUnavailable(
            f"pyxrt is not importable ({exc}). It ships with XRT, not PyPI: install XRT and run "
            "`source /opt/xilinx/xrt/setup.sh` (or set PYTHONPATH=/opt/xilinx/xrt/python); "
            "without a card, use --backend csim"
        ) from None
    return pyxrt


class XrtBackend:
    """A U55C (or any XRT card) running the kernel's xclbin through pyxrt."""

    source = "measured"

    def __init__(self, adapter: KernelAdapter, xclbin: Path | None, device_bdf: str | None):
        self.adapter = adapter
        if xclbin is None or not Path(xclbin).is_file():
            raise FpgaUnavailable(f"the pyxrt backend needs an xclbin; {xclbin!r} is not a file "
                                  f"(build one with `make hw` in fpga_kernels/{adapter.name})")
        self.pyxrt = pyxrt = import_pyxrt()
        self.xclbin_path = Path(xclbin)
        try:
            self.device = pyxrt.device(device_bdf if device_bdf else 0)
        except Exception as exc:  # XRT raises RuntimeError subclasses without a common type
            raise FpgaUnavailable(f"no FPGA card at {device_bdf or 'index 0'}: {exc}") from None
        xb = pyxrt.xclbin(str(xclbin))
        names = [k.get_name() for k in xb.get_kernels()]
        if adapter.name not in names:
            raise FpgaUnavailable(f"{xclbin} holds kernels {names}, not {adapter.name}")
        if hasattr(pyxrt, "hw_context"):  # XRT >= 2022.2: register, then a hardware context
            self.device.register_xclbin(xb)
            self.ctx = pyxrt.hw_context(self.device, xb.get_uuid())
            self.kernel = pyxrt.kernel(self.ctx, adapter.name)
        else:
            uuid = self.device.load_xclbin(xb)
            self.kernel = pyxrt.kernel(self.device, uuid, adapter.name)
        self.bos: dict[str, Any] = {}

    def _bo(self, name: str, nbytes: int) -> Any:
        """One buffer per argument, on the memory bank the xclbin's connectivity gave it."""
        if name not in self.bos or self.bos[name].size() < nbytes:
            arg = self.adapter.arg_names().index(name)
            self.bos[name] = self.pyxrt.bo(self.device, max(nbytes, 4096), self.pyxrt.bo.flags.normal,
                                           self.kernel.group_id(arg))
        return self.bos[name]

    def _write(self, name: str, data: np.ndarray) -> None:
        bo = self._bo(name, data.nbytes)
        bo.write(np.ascontiguousarray(data).view(np.uint8), 0)
        bo.sync(self.pyxrt.xclBOSyncDirection.XCL_BO_SYNC_BO_TO_DEVICE, data.nbytes, 0)

    def _read(self, name: str, dtype: Any, count: int) -> np.ndarray:
        nbytes = np.dtype(dtype).itemsize * count
        bo = self.bos[name]
        bo.sync(self.pyxrt.xclBOSyncDirection.XCL_BO_SYNC_BO_FROM_DEVICE, nbytes, 0)
        return np.asarray(bo.read(nbytes, 0)).view(dtype).copy()

    def _args(self, scalars: list[int]) -> list[Any]:
        return [self.bos[name] for name in self.adapter.arg_names()] + scalars

    def _start_wait(self, scalars: list[int]) -> int:
        t0 = time.perf_counter_ns()
        run = self.kernel(*self._args(scalars))
        state = run.wait()
        elapsed = time.perf_counter_ns() - t0
        if state != self.pyxrt.ert_cmd_state.ERT_CMD_STATE_COMPLETED:
            raise FpgaUnavailable(f"{self.adapter.name} run ended in state {state}")
        return elapsed

    def _put_launch(self, launch: Launch) -> None:
        ports = self.adapter.kp.item_ports
        for name, image in zip(ports, launch.port_images, strict=True):
            self._write(name, image)
        self._write("query", launch.query)
        rows = max(1, len(launch.problems))
        self._bo("jobs", 4 * JOB_WORDS * max(1, launch.n_jobs))
        self._bo("out_idx", 4 * self.adapter.k_max * rows)
        self._bo("out_score", 8 * self.adapter.k_max * rows)
        self._bo("stats", 4 * STATS_WORDS * rows)
        for r in range(len(launch.problems)):  # LOAD each row's on-chip items (a descriptor of its own)
            if launch.chip[r][1]:
                self._write("jobs", self.adapter.load_jobs(launch, r))
                self._start_wait([MODE_LOAD, 1])

    def _results(self, launch: Launch) -> list[Result]:
        rows, k_max = len(launch.problems), self.adapter.k_max
        idx = self._read("out_idx", np.uint32, k_max * rows)
        score = self._read("out_score", np.int64, k_max * rows)
        stats = self._read("stats", np.uint32, STATS_WORDS * rows)
        return [Result(TopKReference(idx[r * k_max: r * k_max + pb.k], score[r * k_max: r * k_max + pb.k]),
                       stats[r * STATS_WORDS:(r + 1) * STATS_WORDS]) for r, pb in enumerate(launch.problems)]

    def prepare(self, pb: Problem) -> None:
        self.launch = self.adapter.launch([pb])
        self._put_launch(self.launch)

    def run(self, pb: Problem) -> tuple[Result, int]:
        self.launch.record(0)[1] = pb.k
        self._write("query", self.launch.query)
        self._write("jobs", np.array([1, 1, 0, 0, 0, 0, 0, 0], np.uint32))
        elapsed = self._start_wait([MODE_QUERY, 1])
        return self._results(self.launch)[0], elapsed

    def run_launch(self, problems: list[Problem], rows_per_job: int | None = None) -> tuple[list[Result], int]:
        """All rows in one kernel start, `rows_per_job` a job (default: rows_max). The
        descriptors are written before the start here; in decoding, the GPU posts each layer's
        rows and descriptor while the kernel waits (jobs.h)."""
        launch = self.adapter.launch(problems, rows_per_job=rows_per_job)
        self._put_launch(launch)
        self._write("jobs", launch.jobs)
        elapsed = self._start_wait([MODE_QUERY, launch.n_jobs])
        return self._results(launch), elapsed

    def power_w(self) -> float | None:
        """Board power from XRT's electrical report (JSON; field names vary across XRT versions)."""
        try:
            info = json.loads(self.device.get_info(self.pyxrt.xrt_info_device.electrical))
        except (ValueError, AttributeError, RuntimeError):
            return None
        value = info.get("power_consumption_watts", info.get("power_consumption"))
        try:
            return float(value)
        except (TypeError, ValueError):
            return None

    def describe(self) -> dict[str, Any]:
        info = self.pyxrt.xrt_info_device

        def get(field: str) -> str | None:
            try:
                return str(self.device.get_info(getattr(info, field)))
            except (AttributeError, RuntimeError):
                return None

        host = get("host")
        try:
            version = json.loads(host).get("version") if host else None
        except ValueError:
            version = None
        return {"device": f"{get('name')} ({get('bdf')})", "platform": get("platform"),
                "xclbin": str(self.xclbin_path), "xrt_version": version}
