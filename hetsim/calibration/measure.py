"""Timing and power readings on a torch device, for the calibration suite.

Timing (`Timer`): an op (or a case) is issued `inner` times back to back with no sync in
between, as eager PyTorch runs a model, and that loop is repeated `reps` times; per call we
keep the median and spread of

  t_s     time on the stream per call, by CUDA events (ROCm: HIP events through the same
          torch.cuda API; CPU: perf_counter), i.e. max(host issue, device) in steady state;
  cpu_s   host time to issue one call (perf_counter around the issuing loop): the dispatch cost;
  graph_s device time per call with the host taken out: the calls captured in a CUDA graph and
          replayed (CUDA/ROCm only; NaN where capture fails).

Power (`PowerMeter`): board energy counters read around loops of >= 1 s (NVML through
`pynvml` from nvidia-ml-py on NVIDIA, `amdsmi` on AMD); where a counter is missing, the board
power reading at the end of the loop; where neither library imports, no power (noted).
"""

from __future__ import annotations

import gc
import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass
class Stats:
    median: float = math.nan
    p10: float = math.nan
    p90: float = math.nan
    min: float = math.nan

    @classmethod
    def of(cls, xs: list[float]) -> Stats:
        xs = sorted(x for x in xs if x == x)
        if not xs:
            return cls()
        q = statistics.quantiles(xs, n=10, method="inclusive") if len(xs) > 1 else [xs[0]] * 9
        return cls(statistics.median(xs), q[0], q[-1], xs[0])


@dataclass
class Sample:
    t: Stats
    cpu: Stats
    graph: Stats
    inner: int
    reps: int
    graph_calls: int = 0
    graph_error: str = ""


def time_calls(fn: Callable[[], object], calls: int, device: torch.device) -> tuple[float, float]:
    """(stream seconds, host issue seconds) of `calls` back-to-back `fn()` calls on `device`.

    The device is synchronised first. On CUDA the stream time comes from events around the loop;
    elsewhere both are the host's perf_counter time."""
    if device.type != "cuda":
        c0 = time.perf_counter()
        for _ in range(calls):
            fn()
        c1 = time.perf_counter()
        return c1 - c0, c1 - c0
    torch.cuda.synchronize(device)
    e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    c0 = time.perf_counter()
    e0.record()
    for _ in range(calls):
        fn()
    e1.record()
    c1 = time.perf_counter()
    e1.synchronize()
    return e0.elapsed_time(e1) * 1e-3, c1 - c0


REPLAY_HIDDEN_S = 50e-6  # a graph replay of at least this much device time hides its own launch
SMALL_CALLS = 16  # calls captured per graph for an op shorter than that


def graph_calls(n_sets: int, eager_s: float) -> int:
    """Calls captured in one CUDA graph for an op whose eager reading took `eager_s` a call: a multiple of the rotating
    input sets, SMALL_CALLS or more for an op that alone would leave the replay's launch exposed."""
    return n_sets * max(1, math.ceil((SMALL_CALLS if eager_s < REPLAY_HIDDEN_S else 1) / n_sets))


class Timer:
    """Times callables on one torch device (see the module docstring for what is measured)."""

    def __init__(self, device: torch.device, loop_s: float = 2e-3, point_s: float = 0.12, reps: int = 15,
                 min_reps: int = 5, max_inner: int = 200, graphs: bool = True):
        self.device = device
        self.cuda = device.type == "cuda"
        self.kind = "cuda-events" if self.cuda else "perf_counter"
        self.loop_s, self.point_s, self.reps, self.min_reps, self.max_inner = loop_s, point_s, reps, min_reps, max_inner
        self.graphs = graphs and self.cuda

    def sync(self) -> None:
        if self.cuda:
            torch.cuda.synchronize(self.device)

    def eager(self, fn: Callable[[], object]) -> tuple[Stats, Stats, int, int]:
        for _ in range(3):  # module load, cuBLAS handles, allocator blocks
            fn()
        probe, _ = time_calls(fn, 3, self.device)
        per_call = max(probe / 3, 1e-7)
        inner = max(1, min(self.max_inner, round(self.loop_s / per_call)))
        reps = max(self.min_reps, min(self.reps, int(self.point_s / (per_call * inner))))
        ts, cs = [], []
        for _ in range(reps):
            t, c = time_calls(fn, inner, self.device)
            ts.append(t / inner)
            cs.append(c / inner)
        return Stats.of(ts), Stats.of(cs), inner, reps

    def graph(self, fn: Callable[[], object], calls: int) -> Stats:
        """Device time per call: `calls` calls captured in one CUDA graph, replays timed by events."""
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):  # warm-up on a side stream, as capture wants
            for _ in range(2):
                fn()
        torch.cuda.current_stream(self.device).wait_stream(side)
        self.sync()
        g = torch.cuda.CUDAGraph()
        try:
            with torch.cuda.graph(g):
                for _ in range(calls):
                    fn()
            g.replay()
            self.sync()
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            e0.record()
            g.replay()
            e1.record()
            e1.synchronize()
            per_replay = max(e0.elapsed_time(e1) * 1e-3, 1e-7)
            m = max(1, min(50, round(self.loop_s / per_replay)))
            reps = max(self.min_reps, min(self.reps, int(self.point_s / (per_replay * m))))
            xs = []
            for _ in range(reps):
                e0.record()
                for _ in range(m):
                    g.replay()
                e1.record()
                e1.synchronize()
                xs.append(e0.elapsed_time(e1) * 1e-3 / (m * calls))
            return Stats.of(xs)
        finally:
            del g
            self.sync()

    def measure(self, fn: Callable[[], object], n_sets: int = 1, graph: bool = True) -> Sample:
        # no garbage-collector pauses inside the timed loops (as timeit does)
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._measure(fn, n_sets, graph)
        finally:
            if enabled:
                gc.enable()

    def _measure(self, fn: Callable[[], object], n_sets: int, graph: bool) -> Sample:
        t, c, inner, reps = self.eager(fn)
        out = Sample(t, c, Stats(), inner, reps)
        if graph and self.graphs:
            # enough calls per graph to cycle the rotating inputs and to hide the replay gap
            calls = graph_calls(n_sets, t.median)
            try:
                out.graph = self.graph(fn, calls)
                more = graph_calls(n_sets, 0.0)
                if out.graph.median * calls < REPLAY_HIDDEN_S and calls < more:
                    # the eager reading was slow (a host busy elsewhere: 50-210 us for a 1-3 us kernel), so one call
                    # was captured and the replay's launch, not the kernel, set its time (11-79 us where 16 calls
                    # gave 0.1-4.4: realcode-check33 and -check29 re-timed on an H100): capture enough to hide it
                    calls = more
                    out.graph = self.graph(fn, calls)
                out.graph_calls = calls
            except Exception as exc:  # some ops cannot be captured: keep the eager numbers
                out.graph_error = f"{type(exc).__name__}: {exc}"[:300]
                recover_from_capture(self.device)
        return out


def open_passes(rows) -> None:
    """Rows timed once (`t_stream_s`, `cpu_s`) start their lists of interleaved passes with that pass."""
    for r in rows:
        r["t_stream_rounds_s"], r["cpu_rounds_s"] = [r["t_stream_s"]], [r["cpu_s"]]


def add_pass(row: dict, sample: Sample) -> None:
    row["t_stream_rounds_s"].append(sample.t.median)
    row["cpu_rounds_s"].append(sample.cpu.median)


def fold_passes(rows) -> None:
    """Each row's stream and host time become the median over its passes; the passes stay in the row
    as JSON (`t_stream_rounds_s`, `cpu_rounds_s`), so the spread is visible."""
    for r in rows:
        r["t_stream_s"] = statistics.median(r["t_stream_rounds_s"])
        r["cpu_s"] = statistics.median(r["cpu_rounds_s"])
        r["t_stream_rounds_s"], r["cpu_rounds_s"] = json.dumps(r["t_stream_rounds_s"]), json.dumps(r["cpu_rounds_s"])


def recover_from_capture(device: torch.device) -> None:
    """Leave a failed capture cleanly so later measurements run normally."""
    try:
        if torch.cuda.is_current_stream_capturing():
            torch.cuda.current_stream(device).synchronize()
    except Exception:
        pass
    try:
        torch.cuda.synchronize(device)
    except Exception:
        pass
    try:
        # a capture that failed inside a random op can leave the default generator marked as capturing, so that every
        # later draw outside a capture raises: hand it a fresh state of the same seed (checked on an H200:
        # experiments/rng_capture/run.py)
        default = torch.cuda.default_generators[device.index if device.index is not None else 0]
        fresh = torch.Generator(device=device).manual_seed(default.initial_seed())
        default.graphsafe_set_state(fresh.graphsafe_get_state())
    except Exception:
        pass


def loop_for(fn: Callable[[], object], seconds: float, per_call_s: float,
             sync: Callable[[], None]) -> tuple[int, float]:
    """Run `fn` back to back for about `seconds`; (calls, elapsed wall seconds incl. the final sync)."""
    chunk = max(1, min(2000, int(0.05 / max(per_call_s, 1e-7))))
    calls = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for _ in range(chunk):
            fn()
        calls += chunk
        sync()  # keeps the host within one chunk of the device, so wall time is device time
    return calls, time.perf_counter() - t0


class PowerMeter:
    """Board power/energy of one GPU. `method` says what is read; `note` why not, where not."""

    def __init__(self, device: torch.device):
        self.method = "none"
        self.note = ""
        self.info: dict = {}
        self._h = None
        self._nvml = None
        self._amd = None
        if device.type != "cuda":
            self.note = "no GPU: power not measured"
            return
        if getattr(torch.version, "hip", None):
            self._init_amd(device)
        else:
            self._init_nvml(device)

    # -- NVIDIA ------------------------------------------------------------------------
    def _init_nvml(self, device: torch.device) -> None:
        try:
            import pynvml
        except ImportError:
            self.note = "pynvml (nvidia-ml-py) not importable: power not measured"
            return
        try:
            pynvml.nvmlInit()
            h = None
            bus = _pci_bus_id(device)
            if bus:
                try:
                    h = pynvml.nvmlDeviceGetHandleByPciBusId(bus)
                except pynvml.NVMLError:
                    h = None
            if h is None:  # CUDA_VISIBLE_DEVICES may renumber; bus id failed, take the index
                h = pynvml.nvmlDeviceGetHandleByIndex(device.index or 0)
            self._nvml, self._h = pynvml, h
            self.info["driver"] = _s(pynvml.nvmlSystemGetDriverVersion())
            self.info["nvml_name"] = _s(pynvml.nvmlDeviceGetName(h))
            for key, call in (("power_limit_w", lambda: pynvml.nvmlDeviceGetPowerManagementLimit(h) / 1e3),
                              ("max_sm_clock_mhz", lambda: pynvml.nvmlDeviceGetMaxClockInfo(h, pynvml.NVML_CLOCK_SM)),
                              ("max_mem_clock_mhz", lambda: pynvml.nvmlDeviceGetMaxClockInfo(h, pynvml.NVML_CLOCK_MEM)),
                              ("vbios", lambda: _s(pynvml.nvmlDeviceGetVbiosVersion(h))),
                              ("pci_bus_id", lambda: bus)):
                try:
                    self.info[key] = call()
                except Exception:
                    pass
            try:
                pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
                self.method = "nvml-energy"
            except pynvml.NVMLError:
                self.method = "nvml-power"
                self.note = "energy counter not supported: power from nvmlDeviceGetPowerUsage (1 s average)"
        except Exception as exc:
            self.note = f"NVML unavailable ({type(exc).__name__}: {exc}): power not measured"
            self.method = "none"

    # -- AMD ---------------------------------------------------------------------------
    def _init_amd(self, device: torch.device) -> None:
        try:
            import amdsmi
        except ImportError:
            self.note = "amdsmi not importable (ROCm's amd_smi Python package): power not measured"
            return
        try:
            amdsmi.amdsmi_init()
            handles = amdsmi.amdsmi_get_processor_handles()
            h = handles[device.index or 0]
            self._amd, self._h = amdsmi, h
            try:
                self.info["driver"] = str(amdsmi.amdsmi_get_gpu_driver_info(h))
            except Exception:
                pass
            try:
                amdsmi.amdsmi_get_energy_count(h)
                self.method = "amdsmi-energy"
            except Exception:
                self.method = "amdsmi-power"
                self.note = "energy counter not supported: power from amdsmi_get_power_info"
        except Exception as exc:
            self.note = f"amdsmi unavailable ({type(exc).__name__}: {exc}): power not measured"
            self.method = "none"

    # -- readings ----------------------------------------------------------------------
    @property
    def available(self) -> bool:
        return self.method != "none"

    def energy_j(self) -> float | None:
        try:
            if self.method == "nvml-energy":
                return self._nvml.nvmlDeviceGetTotalEnergyConsumption(self._h) * 1e-3
            if self.method == "amdsmi-energy":
                e = self._amd.amdsmi_get_energy_count(self._h)
                acc = e.get("energy_accumulator", e.get("power"))
                return float(acc) * float(e.get("counter_resolution", 1.0)) * 1e-6
        except Exception:
            return None
        return None

    def power_w(self) -> float | None:
        try:
            if self.method.startswith("nvml"):
                return self._nvml.nvmlDeviceGetPowerUsage(self._h) * 1e-3
            if self.method.startswith("amdsmi"):
                p = self._amd.amdsmi_get_power_info(self._h)
                for key in ("average_socket_power", "current_socket_power", "socket_power"):
                    v = p.get(key)
                    if isinstance(v, int | float) and v > 0:
                        return float(v)
        except Exception:
            return None
        return None

    def state(self) -> dict:
        """Clocks and temperature now (NVIDIA only; empty elsewhere)."""
        if not self.method.startswith("nvml"):
            return {}
        n, h, out = self._nvml, self._h, {}
        for key, call in (("sm_clock_mhz", lambda: n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_SM)),
                          ("mem_clock_mhz", lambda: n.nvmlDeviceGetClockInfo(h, n.NVML_CLOCK_MEM)),
                          ("temp_c", lambda: n.nvmlDeviceGetTemperature(h, n.NVML_TEMPERATURE_GPU))):
            try:
                out[key] = float(call())
            except Exception:
                pass
        return out

    def average_w(self, run: Callable[[], float]) -> dict:
        """Average board power while `run()` works (it returns its elapsed seconds)."""
        e0 = self.energy_j()
        t0 = time.perf_counter()
        run()
        dt = time.perf_counter() - t0
        e1 = self.energy_j()
        out = {"window_s": dt, "power_now_w": self.power_w()}
        if e0 is not None and e1 is not None and e1 > e0:
            out["energy_j"] = e1 - e0
            out["avg_w"] = (e1 - e0) / dt
        elif out["power_now_w"] is not None:
            out["avg_w"] = out["power_now_w"]
        return out


def _s(x) -> str:
    return x.decode() if isinstance(x, bytes) else str(x)


def _pci_bus_id(device: torch.device) -> str | None:
    try:
        p = torch.cuda.get_device_properties(device)
        dom, bus, dev = getattr(p, "pci_domain_id", 0), p.pci_bus_id, p.pci_device_id
        return f"{dom:08X}:{bus:02X}:{dev:02X}.0"
    except Exception:
        return None
