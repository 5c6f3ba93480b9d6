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
exercise into the profile; this module only prices and compares (pandas to read the Parquet).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hetsim.errors import ConfigError
from hetsim.hardware.gpu import GpuModel, rate_key
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
        out.append(TraceCase(int(r.case), str(r.kind), str(r.aten), op, sources[0].startswith("decode"), sources,
                             measured))
    return out


def lower_case(case: TraceCase, arch: int | None = 90) -> tuple[Op, ...]:
    """The hetsim ops of a case, as a stack's lowering makes them (views and module calls aside)."""
    from hetsim.stacks import aten

    if case.kind == "sdpa":
        return aten.lower_sdpa(case.op, arch, decode=case.decode)
    return aten.lower_op(case.op)


def price(model: GpuModel, ops: tuple[Op, ...]) -> dict[str, float]:
    """Predicted seconds of `ops` in each view (see the module docstring)."""
    if not ops:
        return {v: 0.0 for v in VIEWS}
    host = sum(model.dispatch_s(op) for op in ops) * (model.host_mix if len(ops) > 1 else 1.0)
    idle = model.op_time_s(IdleStart(ops[0])) + (model.ops_time_s(ops[1:]) if len(ops) > 1 else 0.0)
    return {"stream": model.ops_time_s(ops), "host": host, "graph": model.graph_time_s(ops), "idle": idle}


@dataclass
class CaseResult:
    case: int
    aten: str
    regime: str
    sources: tuple[str, ...]
    predicted: dict[str, float]
    measured: dict[str, float]

    def error(self, view: str) -> float | None:
        m = self.measured.get(view)
        return None if not m else self.predicted[view] / m - 1.0


@dataclass
class OpsReport:
    device: str
    profile: str | None
    cases_file: str
    results: list[CaseResult] = field(default_factory=list)

    def stats(self, view: str) -> dict[str, float] | None:
        errs = sorted(abs(e) for r in self.results if (e := r.error(view)) is not None)
        if not errs:
            return None
        p90 = errs[min(len(errs) - 1, int(round(0.9 * (len(errs) - 1))))]
        med = statistics.median(errs)
        return {"n": len(errs), "median_abs": med, "p90_abs": p90, "max_abs": errs[-1],
                "meets_target": med <= TARGET_MEDIAN and p90 <= TARGET_P90}

    def by_regime(self, view: str) -> dict[str, dict[str, float]]:
        groups: dict[str, list[float]] = {}
        for r in self.results:
            e = r.error(view)
            if e is not None:
                groups.setdefault(r.regime, []).append(e)
        return {k: {"n": len(v), "median_abs": statistics.median(abs(x) for x in v), "signed": statistics.median(v)}
                for k, v in sorted(groups.items())}

    def as_dict(self) -> dict[str, Any]:
        return {"device": self.device, "profile": self.profile, "cases": self.cases_file,
                "targets": {"median_abs": TARGET_MEDIAN, "p90_abs": TARGET_P90},
                "views": {v: self.stats(v) for v in VIEWS},
                "regimes": {v: self.by_regime(v) for v in VIEWS},
                "results": [{"case": r.case, "aten": r.aten, "regime": r.regime, "sources": list(r.sources),
                             "predicted_s": r.predicted, "measured_s": r.measured,
                             "error": {v: r.error(v) for v in VIEWS}} for r in self.results]}


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


def validate_ops(model: GpuModel, cases: list[TraceCase], cases_file: str = "<cases>") -> OpsReport:
    profile = getattr(model.profile, "path", None)
    report = OpsReport(model.name, str(profile) if profile else None, cases_file)
    for c in cases:
        ops = lower_case(c)
        report.results.append(CaseResult(c.case, c.aten, regime_of(model, ops), c.sources, price(model, ops),
                                          c.measured))
    return report


def print_report(report: OpsReport, json_out: bool = False, show_cases: bool = False) -> None:
    import sys

    if json_out:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, default=str) + "\n")
        return
    print(f"{report.device}: op cases from traces, predicted vs measured (profile {report.profile}; "
          f"cases {report.cases_file})")
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
    print()
    for v in VIEWS:
        s = report.stats(v)
        if s is None:
            continue
        print(f"  {v:6}: median |error| {s['median_abs']:.1%}, p90 {s['p90_abs']:.1%}, max {s['max_abs']:.1%} "
              f"over {s['n']} cases; target (median <= {TARGET_MEDIAN:.0%}, p90 <= {TARGET_P90:.0%}): "
              f"{'met' if s['meets_target'] else 'NOT met'}")
