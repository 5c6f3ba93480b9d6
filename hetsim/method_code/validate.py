"""`hetsim validate methods`: the methods' code priced by hetsim against its timing on a GPU. No torch.

Reads the runner's Parquet (hetsim/method_code/run.py: one row per step, with the step's trace),
lowers each trace through the aten mapping (price.py) and prices it with the GPU model and its
calibration profile, two ways, as the runner measured:

    stream   ops_time_s: issued back to back in eager mode (host issue and device overlap)  vs t_stream_s
    graph    graph_time_s: replayed from a CUDA graph (device time alone)                   vs graph_s

Step `all` is the whole phase (its steps' ops in order). The composites are validation data only:
nothing is fitted on them. Error = predicted / measured - 1.

At the pass's host speed (`stream@host`, where the runner probed it): the host of a lent machine runs in
spells ~1.5x apart, within a lease and between leases (hetsim.calibration.host_state), and an eager stream of
small ops follows it. The runner probes the host before each step of each pass (before each composite until
2026-12-03; `host_probe_s`: a small kernel's issue time, host_calls.kernel_call_s); the profile's host
figures were fitted in leases whose same call (`mul_binding` of its trace fit's host_calls files) has a
median `reference` (host_state.host_reference). Each pass is priced with every host cost scaled by probe /
reference (the device's unchanged) against that pass's stream time; a step's error is the median over its
passes. It tells the model's error from the host's state; the plain `stream` view, at the profile's host
figures, stays the one the target is judged on.

Why a step misses (`explain`): which stage bounds it, predicted (the host's issue time vs the device's
stream time) and measured (the runner's host issue time `cpu_s` vs the graph replay), and its ops
ranked by predicted device time, each with the rate key that priced it and whether the profile fitted
that key or it fell back (a coarser key, or the assumed roofline).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from hetsim.calibration.host_state import host_reference
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import GpuModel, gpu_arch
from hetsim.method_code.price import step_ops, unmapped
from hetsim.ops import HostCall
from hetsim.tracing.trace import Trace

TARGET = 0.10  # issue 11: composites' median |error| <= 10% on H200
METHODS_FILE = "methods.parquet"
VIEWS = {"stream": "t_stream_s", "graph": "graph_s"}
AT_HOST = "stream@host"  # the stream view priced at each pass's probed host speed


@dataclass
class Row:
    composite: str
    step: str
    predicted: dict[str, float]
    measured: dict[str, float]
    unmapped: list[str]
    kernels: int
    why: dict = field(default_factory=dict)
    paired: dict[str, float] = field(default_factory=dict)  # a view's error as the median over passes

    def error(self, view: str) -> float | None:
        if view in self.paired:
            return self.paired[view]
        m = self.measured.get(view)
        return None if not m or m != m else self.predicted[view] / m - 1.0


@dataclass
class Report:
    device: str
    profile: str | None
    data: str
    provenance: dict
    rows: list[Row] = field(default_factory=list)

    reference_s: float | None = None  # the profile's leases' median kernel-call time (host_calls mul_binding)

    def views(self) -> list[str]:
        return [*VIEWS, *([AT_HOST] if any(AT_HOST in r.paired for r in self.rows) else [])]

    def stats(self, view: str, whole: bool) -> dict | None:
        return summary(self.rows, view, whole)

    def as_dict(self) -> dict:
        return {"device": self.device, "profile": self.profile, "data": self.data, "provenance": self.provenance,
                "target_median_abs": TARGET,
                "host_reference_s": self.reference_s,
                "stats": {f"{v}/{'phase' if w else 'step'}": self.stats(v, w) for v in self.views()
                          for w in (True, False)},
                "rows": [{"composite": r.composite, "step": r.step, "predicted_s": r.predicted,
                          "measured_s": r.measured, "error": {v: r.error(v) for v in self.views()},
                          "unmapped_aten": r.unmapped, "kernels": r.kernels, "why": r.why} for r in self.rows]}


def load(path: Path):
    import pandas as pd

    if not Path(path).is_file():
        raise ConfigError("method measurements not found (a methods.parquet written by python -m "
                          "hetsim.method_code.run)", file=str(path))
    df = pd.read_parquet(path)
    need = {"composite", "step", "trace", *VIEWS.values()}
    missing = sorted(need - set(df.columns))
    if missing:
        raise ConfigError(f"not a methods file: no column {', '.join(missing)}", file=str(path))
    return df


def session_files(device: str) -> list[Path]:
    """Every measuring session of a GPU: calibration/methods/DEVICE and calibration/methods/DEVICE-<session>
    (one lease each; each row carries the trace of the code that session ran, so sessions of older code
    are priced as what they ran)."""
    from hetsim.calibration.paths import REPO_ROOT

    root = REPO_ROOT / "calibration" / "methods"
    found = [root / device, *sorted(root.glob(f"{device}-*"))]
    return [f / METHODS_FILE for f in found if (f / METHODS_FILE).is_file()]


def summary(rows: list[Row], view: str, whole: bool) -> dict | None:
    """n, median and max |error| of `rows`' phases (`whole`) or steps in `view`, against the target; None: none."""
    errs = sorted(abs(e) for r in rows if (r.step == "all") == whole and (e := r.error(view)) is not None)
    if not errs:
        return None
    return {"n": len(errs), "median_abs": statistics.median(errs), "max_abs": errs[-1],
            "meets_target": statistics.median(errs) <= TARGET if view in VIEWS else None}


def pooled(reports: list[Report]) -> dict[str, dict]:
    """Per view and level (steps, phases), every session's rows together (each row once per session)."""
    rows = [r for rep in reports for r in rep.rows]
    stats = {f"{v}/{'phase' if whole else 'step'}": summary(rows, v, whole)
             for v in dict.fromkeys(v for rep in reports for v in rep.views()) for whole in (True, False)}
    return {k: st for k, st in stats.items() if st}


def validate(model: GpuModel, path: Path) -> Report:
    df = load(path)
    prov = {k: str(df[k].iloc[0]) for k in ("device_name", "torch", "cuda", "date", "command") if k in df}
    profile = getattr(model.profile, "path", None)
    report = Report(model.name, str(profile) if profile else None, str(path), prov)
    report.reference_s = host_reference(model.profile) if "host_probe_rounds_s" in df else None
    ok = df[(df["error"].fillna("") == "") & (df["step"] != "")]
    for name, group in ok.groupby("composite", sort=False):
        phase_ops: list = []
        phase_unmapped: set[str] = set()
        for r in group.itertuples():
            if r.step == "all":
                ops, missing = tuple(phase_ops), sorted(phase_unmapped)
            else:
                tr = Trace.from_json(json.loads(r.trace))
                ops, missing = step_ops(tr, gpu_arch(model.spec)), unmapped(tr)
                phase_ops += ops
                phase_unmapped.update(missing)
            predicted = {"stream": model.ops_time_s(ops), "graph": model.graph_time_s(ops)}
            measured = {v: float(getattr(r, c)) for v, c in VIEWS.items()}
            kernels = sum(1 for o in ops if not isinstance(o, HostCall))
            cpu = float(getattr(r, "cpu_s", float("nan")))
            row = Row(str(name), str(r.step), predicted, measured, missing, kernels,
                      why(model, ops, cpu, measured["graph"]))
            if report.reference_s:
                row.paired.update(at_host(model, ops, r, report.reference_s))
            report.rows.append(row)
    return report


def at_host(model: GpuModel, ops, r, reference_s: float) -> dict[str, float]:
    """{AT_HOST: median over the row's passes of (stream priced with the host scaled by the pass's probe over
    `reference_s`) / (the pass's stream time) - 1}, or {} where the row has no probed passes."""
    raw_t, raw_p = getattr(r, "t_stream_rounds_s", None), getattr(r, "host_probe_rounds_s", None)
    if not isinstance(raw_t, str) or not isinstance(raw_p, str):
        return {}
    times, probes = json.loads(raw_t), json.loads(raw_p)
    segs = model.stream_segments(ops)
    errs = [sum(max(s.host_s * p / reference_s, sum(s.device_s)) for s in segs) / t - 1.0
            for t, p in zip(times, probes, strict=False) if t > 0 and p > 0]
    return {AT_HOST: statistics.median(errs)} if errs else {}


def why(model: GpuModel, ops, cpu_s: float, graph_s: float, top: int = 3) -> dict:
    """Which stage bounds the step (predicted and measured) and the ops that dominate its device time,
    each with the rate key that priced it and whether the profile fitted that key."""
    from hetsim.hardware.gpu import rate_key, rate_keys

    segs = model.stream_segments(ops)
    host, device = sum(s.host_s for s in segs), sum(sum(s.device_s) for s in segs)
    by: dict[tuple[str, str], dict] = {}
    for o in ops:
        if isinstance(o, HostCall):
            continue
        want, got = rate_keys(o)[0], rate_key(o, model.rates)
        e = by.setdefault((o.name, got or f"{want} (assumed)"), {
            "op": o.name, "key": got or "assumed", "regime": want,
            "fitted": got == want, "n": 0, "graph_s": 0.0, "host_s": 0.0})
        e["n"] += 1
        e["graph_s"] += model.device_time_s(o)
        e["host_s"] += model.dispatch_s(o)
    ranked = sorted(by.values(), key=lambda e: -e["graph_s"])[:top]
    measured = None if cpu_s != cpu_s or graph_s != graph_s else ("host" if cpu_s >= graph_s else "device")
    return {"predicted_bound": "host" if host >= device else "device", "predicted_host_s": host,
            "predicted_stream_device_s": device, "measured_bound": measured, "measured_host_s": cpu_s,
            "top_ops": ranked}


def print_sessions(reports: list[Report], json_out: bool = False, explain: bool = False) -> None:
    """Each session's report, then (several sessions) their rows pooled per view."""
    import sys

    if json_out:
        sys.stdout.write(json.dumps({"sessions": [r.as_dict() for r in reports], "target_median_abs": TARGET,
                                     "pooled": pooled(reports)}, indent=2, default=str) + "\n")
        return
    for i, rep in enumerate(reports):
        if i:
            print()
        print_report(rep, explain=explain)
    if len(reports) < 2:
        return
    print(f"\nall {len(reports)} sessions together (each composite once per session that measured it)")
    for key, s in pooled(reports).items():
        view, level = key.split("/")
        verdict = (f"target median <= {TARGET:.0%}: {'met' if s['meets_target'] else 'NOT met'}"
                   if view in VIEWS else "a diagnostic, not judged")
        print(f"  {view:11} {level + 's':6}: median |error| {s['median_abs']:.1%}, max {s['max_abs']:.1%} over "
              f"{s['n']}; {verdict}")


def print_report(report: Report, json_out: bool = False, explain: bool = False) -> None:
    import sys

    if json_out:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2, default=str) + "\n")
        return
    p = report.provenance
    print(f"{report.device}: the methods' code, predicted vs measured (profile {report.profile}; data {report.data},"
          f" measured {p.get('date', '?')} on {p.get('device_name', '?')}, torch {p.get('torch', '?')})")
    print(f"\n  {'composite':58} {'step':10} {'kern':>4} {'stream us pred/meas':>22} {'err':>7} "
          f"{'graph us pred/meas':>22} {'err':>7}  unmapped aten ops (roofline, assumed)")
    for r in report.rows:
        cells = []
        for v in VIEWS:
            m, e = r.measured.get(v), r.error(v)
            cells.append(f"{r.predicted[v] * 1e6:10.1f}/{m * 1e6:10.1f}" if m == m and m else f"{'-':>21}")
            cells.append(f"{e:+7.1%}" if e is not None else f"{'-':>7}")
        print(f"  {r.composite[:58]:58} {r.step:10} {r.kernels:4d} {cells[0]:>22} {cells[1]} {cells[2]:>22} "
              f"{cells[3]}  {', '.join(r.unmapped)}")
        if explain and r.why and r.step != "all":
            w = r.why
            print(f"      bound: predicted {w['predicted_bound']} (host {w['predicted_host_s'] * 1e6:.1f} us, device "
                  f"{w['predicted_stream_device_s'] * 1e6:.1f} us), measured {w['measured_bound']} (host "
                  f"{w['measured_host_s'] * 1e6:.1f} us, graph {r.measured['graph'] * 1e6:.1f} us)")
            for e in w["top_ops"]:
                how = "fitted" if e["fitted"] else f"NOT fitted: {e['regime']} -> {e['key']}"
                print(f"      {e['n']}x {e['op'][:40]:40} {e['graph_s'] * 1e6:8.1f} us device "
                      f"{e['host_s'] * 1e6:7.1f} us host  {e['key']} ({how})")
    print()
    if report.reference_s:
        print(f"  {AT_HOST}: each pass priced at its probed host speed over the profile's leases' median "
              f"kernel call ({report.reference_s * 1e6:.2f} us); the error is the median over a step's passes")
    for v in report.views():
        for whole in (True, False):
            s = report.stats(v, whole)
            if s:
                verdict = (f"target median <= {TARGET:.0%}: {'met' if s['meets_target'] else 'NOT met'}"
                           if v in VIEWS else "a diagnostic, not judged")
                print(f"  {v:11} {'phases' if whole else 'steps ':6}: median |error| {s['median_abs']:.1%}, max "
                      f"{s['max_abs']:.1%} over {s['n']}; {verdict}")
