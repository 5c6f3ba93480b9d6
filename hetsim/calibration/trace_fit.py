"""Fit the regimes of traced ops from op cases: new rate keys in a GPU profile, calibrated from ops.parquet.

    python -m hetsim.calibration.trace_fit --profile calibration/profiles/H200.yaml \\
        --cases calibration/e2e/H200/ops.parquet [--write]

The op cases (hetsim.calibration.trace_cases) are the aten ops a real transformers model ran, each
timed as a steady stream, as host issue time, as a CUDA-graph replay and alone onto an idle GPU.
They identify regimes the primitive suite never measured; each becomes a rate key of
`hetsim.hardware.gpu` (`rate_keys`), fitted here from the cases that key prices:

    pointwise       a traced elementwise aten op (host issue through the dispatcher; bandwidth)
    cast            _to_copy between dtypes (RMSNorm's and rotary's fp32 chains)
    copy_strided    a copy out of an expanded / non-contiguous view (repeat_kv's clone, rotate_half's cat)
    copy_cat        cat / clone of contiguous inputs (DynamicCache's growth)
    index_copy      index_copy_ of cache rows (StaticCache's update)
    attention_masked  SDPA with an explicit mask (StaticCache decode: every pair of the static length)
    host_view       an aten op that launches no kernel (`_unsafe_view`): its host issue time
    idle_start      the extra latency of one op issued onto an idle GPU (after a sync and a pause)

Harness overhead: the op cases called every op as `torch.ops.aten.X.overload(**kw)` from a Python
lambda, which costs more host time than a model's own calls (a tensor method / torch binding from
Python, or a call from C++ inside another op). `host_calls.json` beside the cases (measured on the same
GPU and software by `python -m hetsim.calibration.gpu_suite.host_calls`) times both ways for one view
and one small elementwise kernel; their differences are taken out of every case's host issue time
before fitting: the view pair's from `host_view` cases, the mul pair's from every kernel case. That the
mul pair's overhead carries to the other kernel ops is an assumption (the harness adds the same Python:
a lambda, an OpOverload call with keyword arguments; the op's own dispatch is what is left).
`idle_start` is fitted on t_idle - cpu - graph with both times as measured: the harness is inside
both, so it cancels there.

Measured host keys, read from the same file (provenance `measured`, naming the file):

    host_module     `module_call`: an nn.Module's __call__ over a plain function call
    host_sdpa_plan  `sdpa_plan_build`: a cuDNN SDPA call at a new K/V length over the same call cached

Per key: device_s = overhead_s + bytes / bw_bytes_per_s, fitted on graph_s by least squares in
relative error; dispatch_s = median host issue time of its host-bound cases (device < half the
issue time: a device-bound case blocks the host on the launch queue); eager_gap_s = median of
stream - graph over its device-bound cases. A key whose cases cannot identify a field takes it from
the key it refines (noted in `fit.notes`). Existing keys are never changed: the fit adds keys.
Only op cases and host microbenchmarks are used, never the end-to-end points. Deterministic: the same
cases and host_calls.json give the same numbers (a test checks the committed profile against a refit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hetsim.calibration.trace_cases import TraceCase, load_cases, lower_case
from hetsim.hardware.gpu import OpClassRates, rate_keys
from hetsim.ops import HostCall, Op

FIT_KEYS = ("pointwise", "cast", "copy_strided", "copy_cat", "index_copy", "attention_masked", "host_view")
HOST_CALLS = "host_calls.json"  # beside the cases: hetsim.calibration.gpu_suite.host_calls on the same GPU
# (key, field of host_calls.json): host costs the op cases cannot identify, taken as measured
MEASURED_KEYS = (("host_module", "module_call"), ("host_sdpa_plan", "sdpa_plan_build"))
# (kind, field timed as a model calls it, field timed as the op cases called it)
HARNESS_PAIRS = (("view", "view_method", "view_opoverload"), ("kernel", "mul_binding", "mul_opoverload"))
HOST_BOUND = 0.5  # a case is host-bound when its device time is below this share of its issue time
COMMAND = "python -m hetsim.calibration.trace_fit --profile {profile} --cases {cases} --write"


@dataclass(frozen=True)
class Point:
    case: int
    op: Op
    graph_s: float
    stream_s: float
    cpu_s: float
    idle_s: float | None


@dataclass(frozen=True)
class HostCalls:
    """The host microbenchmarks of one GPU (host_calls.json): raw figures, the file and its digest."""

    values: dict[str, Any]
    path: Path
    sha256: str

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(self.values.get("provenance") or {})

    def harness(self) -> dict[str, float]:
        """Harness overhead per op kind (`view`, `kernel`): the op cases' call minus a model's, s per call."""
        return {kind: float(self.values[slow]) - float(self.values[fast]) for kind, fast, slow in HARNESS_PAIRS}


def load_host_calls(path: Path) -> HostCalls:
    """host_calls.json, checked: measured, with every figure the fit reads (HetsimError naming what is wrong)."""
    from hetsim.errors import ConfigError

    path = Path(path)
    try:
        raw = path.read_bytes()
        values = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read host calls: {exc}", file=str(path)) from None
    if (values.get("provenance") or {}).get("source") != "measured":
        raise ConfigError("expected provenance.source: measured", file=str(path), field="provenance.source")
    need = [f for _, a, b in HARNESS_PAIRS for f in (a, b)] + [f for _, f in MEASURED_KEYS]
    for f in need:
        v = values.get(f)
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
            raise ConfigError(f"expected a time in seconds >= 0, got {v!r}", file=str(path), field=f)
    return HostCalls(values, path, hashlib.sha256(raw).hexdigest()[:16])


def harness_kind(key: str) -> str:
    """Which harness pair's overhead a key's op cases carry: a view's, or a kernel launch's."""
    return "view" if key == "host_view" else "kernel"


def points_by_key(cases: list[TraceCase], harness: dict[str, float] | None = None) -> dict[str, list[Point]]:
    """The cases each new key prices (a case lowered to one op: a fused kernel or host work). `harness`:
    overhead per kind (HostCalls.harness) taken out of each case's host issue time (floored at 0)."""
    harness = harness or {}
    out: dict[str, list[Point]] = {}
    for c in cases:
        ops = [op for op in lower_case(c) if not (isinstance(op, HostCall) and op.kind == "sync")]
        if len(ops) != 1 or "graph" not in c.measured:
            continue
        key = rate_keys(ops[0])[0]
        if key in FIT_KEYS:
            cpu = max(0.0, c.measured["host"] - harness.get(harness_kind(key), 0.0))
            out.setdefault(key, []).append(Point(c.case, ops[0], c.measured["graph"], c.measured["stream"],
                                                 cpu, c.measured.get("idle")))
    return out


def fit_affine(points: list[Point]) -> tuple[float, float]:
    """(overhead_s, bw_bytes_per_s) minimising the relative error of overhead + bytes / bw against graph_s.
    No bandwidth signal (all cases tiny): bw = inf (the caller takes it from the refined key)."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    b = np.array([p.op.bytes for p in points])
    a = np.stack([1.0 / g, b / g], axis=1)
    sol, *_ = np.linalg.lstsq(a, np.ones_like(g), rcond=None)
    over, inv_bw = float(sol[0]), float(sol[1])
    if inv_bw <= 0:
        return float(statistics.median(g)), math.inf
    if over < 0:  # a negative intercept: refit the slope alone
        inv_bw = float(np.sum(b / g) / np.sum((b / g) ** 2))
        over = 0.0
    return over, 1.0 / inv_bw


def _abs_errs(pred: list[float], meas: list[float]) -> list[float]:
    return sorted(abs(p / m - 1.0) for p, m in zip(pred, meas, strict=True) if m > 0)


def _quality(errs: list[float]) -> dict[str, float]:
    if not errs:
        return {}
    return {"median_abs_err": round(statistics.median(errs), 4),
            "p90_abs_err": round(errs[min(len(errs) - 1, int(round(0.9 * (len(errs) - 1))))], 4),
            "max_abs_err": round(errs[-1], 4)}


def fit_key(key: str, points: list[Point], base: OpClassRates | None, source: str) -> tuple[OpClassRates, dict]:
    """The rates of one key and the notes that say how they were fitted."""
    notes: list[str] = []
    host_bound = [p for p in points if p.graph_s < HOST_BOUND * p.cpu_s]
    dev_bound = [p for p in points if p not in host_bound]
    if key == "host_view":
        dispatch = statistics.median(p.cpu_s for p in points)
        rates = OpClassRates(0.0, math.inf, math.inf, source="calibrated", dispatch_s=dispatch)
        fit = {"points": len(points), "host_points": len(points),
               **{f"host_{k}": v for k, v in _quality(_abs_errs([dispatch] * len(points),
                                                                [p.cpu_s for p in points])).items()}}
    else:
        over, bw = fit_affine(points)
        if math.isinf(bw):
            bw = base.bw_bytes_per_s if base else math.inf
            notes.append("no case moves enough bytes to fit a bandwidth: bw_bytes_per_s from the key it refines")
        if host_bound:
            dispatch = statistics.median(p.cpu_s for p in host_bound)
        else:
            dispatch = base.dispatch_s if base else 0.0
            notes.append("no host-bound case: dispatch_s from the key it refines")
        gaps = [max(0.0, p.stream_s - p.graph_s) for p in dev_bound]
        gap = statistics.median(gaps) if gaps else (base.eager_gap_s if base else 0.0)
        if not gaps:
            notes.append("no device-bound case: eager_gap_s from the key it refines")
        rates = OpClassRates(over, bw, math.inf, source="calibrated", dispatch_s=dispatch, eager_gap_s=gap)
        dev = [rates.device_time_s(p.op.flops, p.op.bytes) for p in points]
        stream = [rates.time_s(p.op.flops, p.op.bytes) for p in points]
        fit = {"points": len(points), "device_points": len(points), "host_points": len(host_bound),
               "device_bound_points": len(dev_bound),
               **{f"device_{k}": v for k, v in _quality(_abs_errs(dev, [p.graph_s for p in points])).items()},
               **_quality(_abs_errs(stream, [p.stream_s for p in points]))}
        if host_bound:
            fit.update({f"host_{k}": v for k, v in _quality(
                _abs_errs([dispatch] * len(host_bound), [p.cpu_s for p in host_bound])).items()})
    fit["cases"] = [p.case for p in points]
    fit["source"] = source
    fit["notes"] = notes
    return rates, {"fit": fit}


def fit_idle(cases: list[TraceCase], source: str) -> tuple[OpClassRates, dict]:
    """`idle_start`: the latency an op issued onto an idle GPU adds over its issue and device times
    (t_idle - cpu - graph, median over every case; the spread says how steady it is)."""
    lat = sorted(c.measured["idle"] - c.measured["host"] - c.measured["graph"] for c in cases
                 if {"idle", "host", "graph"} <= set(c.measured))
    q = statistics.quantiles(lat, n=10)
    med = max(0.0, statistics.median(lat))
    fit = {"points": len(lat), "p10_s": round(q[0], 9), "p90_s": round(q[-1], 9), "source": source,
           "notes": ["t_idle_s - cpu_s - graph_s per case: CUDA events around one op after a sync and a 3 ms "
                     "host pause (hetsim/calibration/e2e/opcases.py); GpuModel adds it to an IdleStart op"]}
    return OpClassRates(med, math.inf, math.inf, source="calibrated"), {"fit": fit}


def fallback_rates(profile, key: str) -> OpClassRates | None:
    """The rates of the key `key` refines in `profile` (hetsim.hardware.gpu's fallback order)."""
    from hetsim.hardware.gpu import REGIME_FALLBACK

    chain = {"pointwise": ("elementwise",), "attention_masked": ("attention_decode",)}.get(
        key, REGIME_FALLBACK.get(key, ()))
    return next((profile.rates[k] for k in chain if k in profile.rates), None)


def measured_keys(host: HostCalls) -> dict[str, tuple[OpClassRates, dict]]:
    """The host keys taken as measured from host_calls.json: dispatch_s = the figure, nothing fitted."""
    prov = host.provenance
    out = {}
    for key, field in MEASURED_KEYS:
        value = float(host.values[field])
        note = {"measured": {"file": host.path.name, "sha256": host.sha256, "field": field, "value_s": value,
                             "command": prov.get("command", ""), "date": prov.get("date", ""),
                             "device": prov.get("device", host.values.get("device", "")),
                             "software": prov.get("torch_cuda_transformers", host.values.get("torch", ""))},
                "fit": {"points": 1, "source": f"measured: {host.path.name} (sha256 {host.sha256}), field {field}",
                        "notes": [f"taken as measured ({prov.get('units', 'seconds per call')}); no fit"]}}
        out[key] = (OpClassRates(0.0, math.inf, math.inf, source="measured", dispatch_s=value), note)
    return out


def default_host_calls(cases_path: Path) -> Path:
    return Path(cases_path).parent / HOST_CALLS


def fit_profile(profile, cases_path: Path, host_calls: Path | None = None) -> dict[str, tuple[OpClassRates, dict]]:
    """Every key the cases identify, plus the measured host keys: {key: (rates, notes)}. `host_calls`:
    the host microbenchmarks (default: host_calls.json beside the cases; none there: no harness
    correction and no measured keys, said in each key's notes)."""
    cases = load_cases(cases_path)
    digest = hashlib.sha256(Path(cases_path).read_bytes()).hexdigest()[:16]
    source = f"op cases from traces: {Path(cases_path).name} (sha256 {digest}), hetsim.calibration.trace_fit"
    path = Path(host_calls) if host_calls is not None else default_host_calls(cases_path)
    host = load_host_calls(path) if (host_calls is not None or path.exists()) else None
    harness = host.harness() if host else {}
    out = {}
    for key, points in sorted(points_by_key(cases, harness).items()):
        rates, notes = fit_key(key, points, fallback_rates(profile, key), source)
        kind = harness_kind(key)
        if host:
            notes["fit"]["harness_overhead_s"] = harness[kind]
            notes["fit"]["notes"].append(
                f"host issue time of each case less the op cases' harness overhead ({harness[kind] * 1e6:.2f} us, "
                f"the {kind} pair of {host.path.name}" + (", assumed to carry from mul to this op)" if kind == "kernel"
                                                         else ")"))
        else:
            notes["fit"]["notes"].append("no host_calls.json: host issue times include the op cases' harness")
        out[key] = (rates, notes)
    out["idle_start"] = fit_idle(cases, source)
    if host:
        out.update(measured_keys(host))
    return out


def host_calls_provenance(host: HostCalls) -> dict[str, Any]:
    """What provenance.trace_fit records of the host microbenchmarks."""
    harness = host.harness()
    return {"file": host.path.name, "sha256": host.sha256, **{k: host.provenance.get(k, "") for k in (
        "command", "date", "device", "torch_cuda_transformers")},
        "harness_overhead_s": harness, "measured_keys": {k: f for k, f in MEASURED_KEYS},
        "assumption": "the mul pair's harness overhead carries to every kernel op case"}


def add_to_profile(profile, fitted: dict[str, tuple[OpClassRates, dict]], command: str,
                   host: HostCalls | None = None):
    """A copy of `profile` with the fitted keys added (or replaced, if a previous trace fit wrote them);
    a key the primitive suite fitted is never touched."""
    import dataclasses

    rates, notes = dict(profile.rates), dict(profile.notes)
    ours = set(profile.provenance.get("trace_fit", {}).get("keys", []))
    for key, (r, n) in fitted.items():
        if key in rates and key not in ours:
            raise ValueError(f"{key!r} is already fitted by the primitive suite; the trace fit only adds keys")
        rates[key], notes[key] = r, n
    prov = dict(profile.provenance)
    prov["trace_fit"] = {"keys": sorted(fitted), "command": command,
                         "data": "op cases of calibration/e2e (never the end-to-end points)"}
    if host is not None:
        prov["trace_fit"]["host_calls"] = host_calls_provenance(host)
    return dataclasses.replace(profile, rates=rates, notes=notes, provenance=prov)


def main(argv: list[str] | None = None) -> int:
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.errors import HetsimError

    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.trace_fit", description=__doc__.splitlines()[0])
    ap.add_argument("--profile", type=Path, required=True, help="GPU profile to add the keys to")
    ap.add_argument("--cases", type=Path, required=True, help="ops.parquet of an end-to-end run on that GPU")
    ap.add_argument("--host-calls", type=Path, default=None,
                    help=f"host microbenchmarks of that GPU (default: {HOST_CALLS} beside the cases, if there)")
    ap.add_argument("--write", action="store_true", help="write the profile (else print the fitted keys)")
    args = ap.parse_args(argv)
    try:
        profile = load_profile(args.profile)
        host_path = args.host_calls or default_host_calls(args.cases)
        host = load_host_calls(host_path) if (args.host_calls or host_path.exists()) else None
        fitted = fit_profile(profile, args.cases, host.path if host else None)
    except HetsimError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    for key, (r, n) in fitted.items():
        f = n["fit"]
        print(f"{key:17} overhead {r.overhead_s * 1e6:8.2f} us  bw {r.bw_bytes_per_s / 1e12:6.2f} TB/s  "
              f"dispatch {r.dispatch_s * 1e6:6.2f} us  gap {r.eager_gap_s * 1e6:5.2f} us  n={f['points']}  "
              + " ".join(f"{k}={v}" for k, v in f.items() if k.endswith("_err")))
    if host:
        print("harness overhead taken out of op-case host times: "
              + ", ".join(f"{k} {v * 1e6:.2f} us" for k, v in host.harness().items()) + f" ({host.path})")
    if args.write:
        command = COMMAND.format(profile=args.profile, cases=args.cases)
        if args.host_calls:
            command += f" --host-calls {args.host_calls}"
        write_added(args.profile, add_to_profile(profile, fitted, command, host), fitted)
        print(f"wrote {args.profile}")
    return 0


def write_added(path: Path, profile, fitted: dict) -> None:
    """Write `profile` (the file's profile plus `fitted`) so that the file changes by additions only:
    the fitted keys go at the end of `op_classes`, `provenance.trace_fit` at the end of `provenance`
    (a previous trace fit's entries are replaced). The result is read back and checked against `profile`."""
    import yaml

    from hetsim.calibration.gpu_profile import _plain, _rates_entry, load_profile, profile_to_dict, write_profile

    lines = Path(path).read_text().splitlines(keepends=True)

    def tops() -> list[int]:
        return [i for i, line in enumerate(lines) if line[:1] not in (" ", "#", "\n", "") and ":" in line]

    def block(name: str) -> tuple[int, int]:
        top = tops()
        start = next(i for i in top if lines[i].startswith(f"{name}:"))
        return start, next((i for i in top if i > start), len(lines))

    def drop(name: str, keys: set[str]) -> None:
        # remove a previous fit's entries (the block's two-space keys) so that a refit replaces them
        start, end = block(name)
        i = start + 1
        while i < end:
            key = lines[i][2:].split(":", 1)[0] if lines[i].startswith("  ") and lines[i][2:3] != " " else None
            if key in keys:
                j = i + 1
                while j < end and lines[j].startswith("    "):
                    j += 1
                del lines[i:j]
                end -= j - i
            else:
                i += 1

    def append(name: str, d: dict) -> None:
        body = yaml.safe_dump(_plain(d), sort_keys=False, width=120)
        _, end = block(name)
        lines[end:end] = ["  " + ln if ln.strip() else ln for ln in body.splitlines(keepends=True)]

    if not any(lines[i].startswith("op_classes:") for i in tops()):
        write_profile(path, profile)  # not a file the suite wrote: write it whole
        return
    drop("op_classes", set(fitted))
    append("op_classes", {k: _rates_entry(r, n) for k, (r, n) in fitted.items()})
    drop("provenance", {"trace_fit"})
    append("provenance", {"trace_fit": profile.provenance["trace_fit"]})
    Path(path).write_text("".join(lines))
    back = load_profile(Path(path))
    if profile_to_dict(back) != profile_to_dict(profile):
        raise RuntimeError(f"{path}: the written profile does not read back as the fitted one")


if __name__ == "__main__":
    raise SystemExit(main())
