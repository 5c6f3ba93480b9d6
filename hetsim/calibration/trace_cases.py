"""Op cases taken from real traces, priced by hetsim: `hetsim validate ops --cases calibration/e2e/H200/ops.parquet`.

The end-to-end run (`python -m hetsim.calibration.e2e measure`, hetsim/calibration/e2e/opcases.py)
timed every distinct aten op of five traced 1-layer steps of a real transformers model four ways:

    t_stream_s  the op repeated back to back (eager): max(host issue, device) per repetition
    cpu_s       the host's issue time per repetition
    graph_s     the op replayed from a CUDA graph: device time alone
    t_idle_s    the op issued alone onto an idle GPU (sync, 3 ms sleep, CUDA events around the call)

Each case is lowered exactly as a stack lowers a trace (hetsim/stacks/aten.py: `lower_op`, or
`lower_sdpa` for an SDPA call, decode when it came from a decode trace) and priced by
`hetsim.hardware.gpu.GpuModel` with the device's profile:

    stream    ops_time_s(ops)             vs t_stream_s
    host      sum of dispatch_s           vs cpu_s
    graph     graph_time_s(ops)           vs graph_s
    idle      IdleStart(first op) + rest  vs t_idle_s

Error = predicted / measured - 1. `hetsim.calibration.trace_fit` fits the regimes these cases
exercise into the profile from the aten sweep (other models and shapes, disjoint from these cases);
this module only prices and compares (pandas to read the Parquet).

Like with like: every aten case was called as `torch.ops.aten.X.overload(**kw)` from a lambda, which
costs the host more than a model's own call; the profile's dispatch_s are a model's call (the trace
fit took the harness out) or, for the primitive suite's keys, the suite's own call (an OpRunner).
The host, stream and idle predictions of a case therefore add the op cases' harness overhead of
its kind (view, kernel; SDPA none: called as a model calls it) and take out the suite's where a
suite key priced it; the figures are measured (host_calls pairs) and read from the profile's
`provenance.trace_fit.host_calls`, which names the files; the report prints them.

A view launches no kernel: its CUDA-graph reading is an empty graph's replay spread over the calls
captured, and its idle reading two CUDA events around host-only work, neither a kernel's time (hetsim
prices a view at 0 device time and no start). Views are compared in stream and host only; their
graph and idle readings are reported on their own line, never in the statistics.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hetsim.errors import ConfigError
from hetsim.hardware.gpu import GpuModel, rate_key
from hetsim.hardware.residency import L2
from hetsim.ops import IdleStart, Op
from hetsim.tracing.trace import AtenOp, SdpaCall

TARGET_MEDIAN, TARGET_P90 = 0.10, 0.25  # issue 10: op level median |error| <= 10%, p90 <= 25%
VIEWS = ("stream", "host", "graph", "idle")
MEASURED = {"stream": "t_stream_s", "host": "cpu_s", "graph": "graph_s", "idle": "t_idle_s"}


@dataclass(frozen=True)
class TraceCase:
    """One timed op case: the aten op (or SDPA call) as traced, and what was measured."""

    case: int
    kind: str  # "aten" or "sdpa"
    aten: str
    op: AtenOp | SdpaCall
    decode: bool  # it came from a decode trace (an SDPA call's backend regime depends on it)
    sources: tuple[str, ...]
    measured: dict[str, float]  # view -> seconds
    # view -> each interleaved pass's median (the measured value is their median; empty: one pass)
    passes: dict[str, list[float]] = field(default_factory=dict)
    # cuDNN's SDPA was on when it ran (PyTorch's own choice; False: `--cudnn-sdpa off`, flash or memory-efficient)
    sdpa_cudnn: bool = True
    inner: int = 0  # calls per timed loop (1: one call after a sync, an op slower than the loop; 0: not recorded)


PASSES = {"stream": "t_stream_rounds_s", "host": "cpu_rounds_s"}  # columns of e2e measure's stream passes


def nearest_rank(sorted_xs: list[float], q: float) -> float:
    """The q-quantile of sorted values by nearest rank (the op-level targets' p90)."""
    return sorted_xs[min(len(sorted_xs) - 1, int(round(q * (len(sorted_xs) - 1))))]


def load_cases(path: Path) -> list[TraceCase]:
    """The timed cases of an ops.parquet (cases that failed or were skipped are left out)."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise ConfigError("op cases not found (an ops.parquet written by python -m hetsim.calibration.e2e measure)",
                          file=str(path))
    rows = pd.read_parquet(path)
    need = {"case", "kind", "aten", "spec", "sources", *MEASURED.values()}
    missing = sorted(need - set(rows.columns))
    if missing:
        raise ConfigError(f"not an op-cases file: no column {', '.join(missing)}", file=str(path))
    out = []
    for r in rows.itertuples():
        if (isinstance(r.error, str) and r.error) or not r.t_stream_s == r.t_stream_s:
            continue
        spec = json.loads(r.spec)
        op = SdpaCall.from_json(spec) if r.kind == "sdpa" else AtenOp.from_json(spec)
        sources = tuple(s[0] for s in json.loads(r.sources))
        measured = {v: float(getattr(r, c)) for v, c in MEASURED.items() if getattr(r, c) == getattr(r, c)}
        # a source names its trace: "decode/hf-static/B8/C4096", or "MODEL/decode/..." in the aten sweep
        decode = "decode" in sources[0].split("/")[:2]
        passes = {v: json.loads(getattr(r, c)) for v, c in PASSES.items() if isinstance(getattr(r, c, None), str)}
        cudnn = bool(getattr(r, "sdpa_cudnn", True))  # files from before the column: PyTorch's own choice
        inner = getattr(r, "inner", 0)
        inner = int(inner) if inner == inner else 0  # NaN where a case was not looped
        out.append(TraceCase(int(r.case), str(r.kind), str(r.aten), op, decode, sources, measured, passes, cudnn,
                             inner))
    return out


def pool_cases(paths) -> tuple[list[TraceCase], int]:
    """The timed cases of several files, pooled in order, and how many a later file timed again: its reading replaces
    the earlier one (a group re-timed after a harness fix: the timer once captured a single call per CUDA graph for
    an op whose eager reading was slow, so the replay's launch, not the kernel, set its graph reading)."""
    pooled: dict[int, TraceCase] = {}
    replaced = 0
    for path in paths:
        for case in load_cases(path):
            replaced += case.case in pooled
            pooled[case.case] = case
    return list(pooled.values()), replaced


def lower_case(case: TraceCase, arch: int | None = 90, l2_bytes: float | L2 = 0.0) -> tuple[Op, ...]:
    """The hetsim ops of a case, as a stack's lowering makes them (views and module calls aside). `l2_bytes`: the L2
    of the GPU the case ran on (its GpuModel.l2, or its bytes with the H200's ramp); the case was timed call after call
    on the same buffers, so each op reads the share of its bytes that L2 holds from it
    (hetsim.hardware.residency.replayed); 0: every byte from HBM."""
    from hetsim.hardware import residency
    from hetsim.stacks import aten

    if case.kind == "sdpa":
        ops = aten.lower_sdpa(case.op, arch, decode=case.decode, cudnn=case.sdpa_cudnn)
    else:
        ops = aten.lower_op(case.op)
    return residency.replayed(ops, l2_bytes) if l2_bytes else tuple(ops)


def price(model: GpuModel, ops: tuple[Op, ...], harness_s: float = 0.0) -> dict[str, float]:
    """Predicted seconds of `ops` in each view (see the module docstring). `harness_s`: host time the
    measurement's call adds over the profile's dispatch_s (Harness.delta_s), on the host stage of the
    first segment (the one Python call that issues the case)."""
    if not ops:
        return {v: 0.0 for v in VIEWS}
    host = sum(model.dispatch_s(op) for op in ops) * (model.host_mix if len(ops) > 1 else 1.0)
    idle = model.op_time_s(IdleStart(ops[0])) + (model.ops_time_s(ops[1:]) if len(ops) > 1 else 0.0)
    stream = model.ops_time_s(ops)
    if harness_s:
        from hetsim.hardware.gpu import is_sync

        if not any(is_sync(op) for op in ops[:-1]):  # one segment: max(host, device), host moved
            device = sum(model.stream_device_s(op) for op in ops)
            stream = max(host + harness_s, device)
        else:  # a case that syncs inside: its first segment is host-bound (a host copy, then the sync)
            stream += harness_s
        host += harness_s
        idle += harness_s
    return {"stream": stream, "host": host, "graph": model.graph_time_s(ops), "idle": idle}


@dataclass(frozen=True)
class Harness:
    """Measured host overhead of the calls behind the figures: the op cases' call over a model's, per kind
    (`view`, `kernel`; `none` for SDPA), and the calibration suite's runner over a model's (`suite`)."""

    overhead_s: dict[str, float]
    trace_keys: frozenset[str]  # keys whose dispatch_s is a model's call (the trace fit took the harness out)
    source: str

    def delta_s(self, model: GpuModel, case: TraceCase, ops: tuple[Op, ...]) -> float:
        """What the case's call adds over the profile's dispatch_s of its ops."""
        from hetsim.ops import HostCall

        kind = case_kind(case, ops)
        add = self.overhead_s.get(kind, 0.0) if kind != "none" else 0.0
        for op in ops:
            if isinstance(op, HostCall):
                continue
            key = rate_key(op, model.rates)
            if key not in self.trace_keys:  # a primitive suite key (or its class's, when assumed)
                add -= self.overhead_s.get("suite", 0.0)
        return add


def case_kind(case: TraceCase, ops: tuple[Op, ...]) -> str:
    """How the case was called: `none` (SDPA, as a model calls it), `view` (no kernel) or `kernel`."""
    from hetsim.ops import HostCall

    if case.kind == "sdpa":
        return "none"
    return "view" if ops and all(isinstance(op, HostCall) for op in ops) else "kernel"


def harness_of(model: GpuModel) -> Harness | None:
    """The harness figures the profile's trace fit recorded (None: a profile without them)."""
    prov = (getattr(model.profile, "provenance", None) or {}).get("trace_fit") or {}
    hc = prov.get("host_calls") or {}
    overhead = hc.get("harness_overhead_s")
    if not overhead:
        return None
    files = ", ".join(f.get("file", "?") for f in hc.get("files", [])) or hc.get("file", "?")
    return Harness({k: float(v) for k, v in overhead.items()}, frozenset(prov.get("keys", [])),
                   f"measured host_calls pairs ({files}), median per kind; profile provenance.trace_fit.host_calls")


NO_KERNEL_VIEWS = ("graph", "idle")  # readings of a case that launches no kernel that are not a kernel's time


@dataclass
class CaseResult:
    case: int
    aten: str
    regime: str
    sources: tuple[str, ...]
    predicted: dict[str, float]
    measured: dict[str, float]
    no_kernel: bool = False  # a view: its graph and idle readings are reported apart, never compared
    harness_s: float = 0.0  # host time its call adds over the profile's dispatch_s (added to host, stream, idle)
    passes: dict[str, list[float]] = field(default_factory=dict)  # see TraceCase.passes

    def error(self, view: str) -> float | None:
        if self.no_kernel and view in NO_KERNEL_VIEWS:
            return None
        m = self.measured.get(view)
        return None if not m else self.predicted[view] / m - 1.0


@dataclass
class OpsReport:
    device: str
    profile: str | None
    cases_file: str
    results: list[CaseResult] = field(default_factory=list)
    harness: Harness | None = None
    l2: L2 | None = None  # the L2 each case's ops read their working set from (lower_case)
    retimed: int = 0  # cases a later file timed again, its reading kept (pool_cases)

    def no_kernel(self) -> dict[str, Any]:
        """The views' graph and idle readings, apart (see the module docstring)."""
        rs = [r for r in self.results if r.no_kernel]
        out: dict[str, Any] = {"n": len(rs), "reason": (
            "a view launches no kernel: its graph reading is an empty CUDA graph's replay spread over the calls "
            "captured, its idle reading two CUDA events around host-only work; hetsim prices a view at 0 device "
            "time, so neither is compared")}
        for v in NO_KERNEL_VIEWS:
            xs = [r.measured[v] for r in rs if r.measured.get(v)]
            out[f"measured_{v}_median_s"] = statistics.median(xs) if xs else None
        return out

    def stats(self, view: str) -> dict[str, float] | None:
        errs = sorted(abs(e) for r in self.results if (e := r.error(view)) is not None)
        if not errs:
            return None
        p90 = nearest_rank(errs, 0.9)
        med = statistics.median(errs)
        return {"n": len(errs), "median_abs": med, "p90_abs": p90, "max_abs": errs[-1],
                "meets_target": med <= TARGET_MEDIAN and p90 <= TARGET_P90}

    def repeatability(self, view: str) -> dict[str, float] | None:
        """How far one pass over a case lies from the median of its passes (|pass / median - 1|, every
        pass of every case): the measurement's own spread, a floor under a single-pass error."""
        devs = sorted(abs(x / m - 1.0) for r in self.results if len(xs := r.passes.get(view, [])) > 1
                      and (m := statistics.median(xs)) > 0 for x in xs)
        if not devs:
            return None
        return {"passes": len(devs), "median_abs": statistics.median(devs), "p90_abs": nearest_rank(devs, 0.9)}

    def by_regime(self, view: str) -> dict[str, dict[str, float]]:
        groups: dict[str, list[float]] = {}
        for r in self.results:
            e = r.error(view)
            if e is not None:
                groups.setdefault(r.regime, []).append(e)
        return {k: {"n": len(v), "median_abs": statistics.median(abs(x) for x in v), "signed": statistics.median(v)}
                for k, v in sorted(groups.items())}

    def residency(self) -> dict[str, float]:
        """How the cases' bytes were priced: the L2 they sit in and hetsim.hardware.residency's constants."""
        from hetsim.hardware import residency

        l2 = self.l2 or residency.L2(0.0)
        return {"l2_bytes": l2.nbytes, "hot_share": l2.hot_share, "cold_share": l2.cold_share,
                "gain": residency.L2_GAIN, "gain_matrix": residency.L2_GAIN_MATRIX}

    def as_dict(self) -> dict[str, Any]:
        h = self.harness
        return {"device": self.device, "profile": self.profile, "cases": self.cases_file, "retimed": self.retimed,
                "targets": {"median_abs": TARGET_MEDIAN, "p90_abs": TARGET_P90},
                "harness": None if h is None else {"overhead_s": h.overhead_s, "source": h.source},
                "l2_residency": self.residency(),
                "no_kernel": self.no_kernel(),
                "views": {v: self.stats(v) for v in VIEWS},
                "repeatability": {v: self.repeatability(v) for v in PASSES},
                "regimes": {v: self.by_regime(v) for v in VIEWS},
                "results": [{"case": r.case, "aten": r.aten, "regime": r.regime, "sources": list(r.sources),
                             "predicted_s": r.predicted, "measured_s": r.measured, "no_kernel": r.no_kernel,
                             "harness_s": r.harness_s, "error": {v: r.error(v) for v in VIEWS}}
                            for r in self.results]}


def regime_of(model: GpuModel, ops: tuple[Op, ...]) -> str:
    """The rate key the case's (first kernel) op is priced by; `assumed:<regime>` without a fitted rate."""
    from hetsim.hardware.gpu import rate_keys
    from hetsim.ops import HostCall

    kernels = [op for op in ops if not isinstance(op, HostCall)] or list(ops)
    if not kernels:
        return "-"
    op = kernels[0]
    key = rate_key(op, model.rates)
    return key if key is not None else f"assumed:{rate_keys(op)[0]}"


def validate_ops(model: GpuModel, cases: list[TraceCase], cases_file: str = "<cases>",
                 harness: Harness | None = None) -> OpsReport:
    """Every case priced and compared; `harness` (default: the profile's, harness_of) added as measured."""
    profile = getattr(model.profile, "path", None)
    harness = harness if harness is not None else harness_of(model)
    report = OpsReport(model.name, str(profile) if profile else None, cases_file, harness=harness, l2=model.l2)
    for c in cases:
        ops = lower_case(c, l2_bytes=report.l2)
        delta = harness.delta_s(model, c, ops) if harness else 0.0
        report.results.append(CaseResult(c.case, c.aten, regime_of(model, ops), c.sources, price(model, ops, delta),
                                          c.measured, no_kernel=case_kind(c, ops) == "view", harness_s=delta,
                                          passes=c.passes))
    return report


def print_report(report: OpsReport, json_out: bool = False, show_cases: bool = False) -> None:
    import sys

    if json_out:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, default=str) + "\n")
        return
    print(f"{report.device}: op cases from traces, predicted vs measured (profile {report.profile}; "
          f"cases {report.cases_file})")
    h = report.harness
    if h is None:
        print("  harness: none recorded in the profile: predictions are a model's calls, measurements the op "
              "cases' (torch.ops.aten.X.overload from a lambda): host times are not like with like")
    else:
        print("  harness (added to each case's host, stream and idle prediction, so both sides are the op cases' "
              "call): " + ", ".join(f"{k} {v * 1e6:+.2f} us" for k, v in sorted(h.overhead_s.items()))
              + " (suite: taken out per op a primitive suite key prices; SDPA cases: none)")
        print(f"    source: {h.source}")
    if report.retimed:
        print(f"  {report.retimed} case(s) timed again in a later file: the later reading kept (pool_cases)")
    r = report.residency()
    print(f"  L2 residency (each case was timed on its own buffers, call after call): an op's bytes from the "
          f"{r['l2_bytes'] / 2**20:.0f} MB L2 up to {r['hot_share']} of it, none from {r['cold_share']}, at "
          f"{r['gain']}x its key's rate ({r['gain_matrix']}x on the tensor cores; hetsim.hardware.residency)")
    if show_cases:
        print(f"\n  {'case':>4} {'aten':34} {'regime':24} " + " ".join(f"{v + ' us':>17}" for v in VIEWS))
        for r in report.results:
            cells = []
            for v in VIEWS:
                m, e = r.measured.get(v), r.error(v)
                cells.append(f"{r.predicted[v] * 1e6:7.1f}/{m * 1e6:7.1f}" if m else f"{'-':>15}")
                cells[-1] += "" if e is None else ""
            print(f"  {r.case:>4} {r.aten[:34]:34} {r.regime[:24]:24} " + " ".join(f"{c:>17}" for c in cells))
    print("\n  per regime (median |error|, signed median; n):")
    regimes = {v: report.by_regime(v) for v in VIEWS}
    for k in sorted(regimes["stream"]):
        parts = []
        for v in VIEWS:
            s = regimes[v].get(k)
            parts.append(f"{v} {s['median_abs']:6.1%} ({s['signed']:+6.1%})" if s else f"{v} -")
        print(f"    {k:28} n={regimes['stream'][k]['n']:3d}  " + "  ".join(parts))
    nk = report.no_kernel()
    if nk["n"]:
        g, i = nk["measured_graph_median_s"], nk["measured_idle_median_s"]
        print(f"\n  no kernel (views), n={nk['n']}: graph and idle not compared (measured medians: graph "
              f"{(g or 0) * 1e6:.2f} us, idle {(i or 0) * 1e6:.1f} us): {nk['reason']}")
    print()
    for v in VIEWS:
        s = report.stats(v)
        if s is None:
            continue
        print(f"  {v:6}: median |error| {s['median_abs']:.1%}, p90 {s['p90_abs']:.1%}, max {s['max_abs']:.1%} "
              f"over {s['n']} cases; target (median <= {TARGET_MEDIAN:.0%}, p90 <= {TARGET_P90:.0%}): "
              f"{'met' if s['meets_target'] else 'NOT met'}")
    for v in PASSES:
        rep = report.repeatability(v)
        if rep:
            print(f"  {v:6} measurement's own spread: one interleaved pass lies |{rep['median_abs']:.1%}| (median), "
                  f"|{rep['p90_abs']:.1%}| (p90) from its case's median over passes ({rep['passes']} passes)")
