"""Predicted vs measured, end to end: every committed measurement point run through the simulator.

Each measured point becomes one experiment on a single-GPU system (configs/systems/h200.yaml for
the H200; any other GPU gets the same shape inline): dense attention, the measured batch and
context, `workload.stack` as asked, `simulation.gpu_execution` as measured (eager, or graph for the
CUDA-graph replays). Prefill points compare with `ttft_s` (batch 1, prompt = context), decode
points with `tpot_s` at one decode step. Energy: the simulator's energy of one decode step is
E(2 decode tokens) - E(1), of a prefill 2 E(1) - E(2); both include idle power over the time, as
NVML's board energy does.

Which measurements a stack is checked against: its own (hf-static against StaticCache runs,
hf-dynamic against DynamicCache runs); `fused`, which models neither, against both: that gap is
what issue 10 is about. Error = predicted / measured - 1. Nothing here feeds a fit.
"""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hetsim.calibration.e2e.grid import SAME_LEASE
from hetsim.calibration.paths import REPO_ROOT
from hetsim.errors import ConfigError

DATA_DIR = REPO_ROOT / "calibration" / "e2e"
MEASURED_STACKS = ("hf-dynamic", "hf-static")
TARGET_MEDIAN, TARGET_MAX = 0.15, 0.40  # issue 10: per (phase, mode), median |error| <= 15%, no point beyond 40%
TARGET_ENERGY_MEDIAN = 0.15


@dataclass
class Point:
    measured_stack: str
    phase: str
    mode: str
    batch: int
    context: int
    measured_s: float
    predicted_s: float
    measured_j: float | None = None
    predicted_j: float | None = None
    # why the energy point is not held against the target (measured in another regime than the time)
    energy_note: str | None = None
    band_s: tuple[float, float] | None = None  # the prediction's calibration band (hetsim.calibration.band)
    # the prediction with the host figures measured in the session's own lease (None: none there)
    session_s: float | None = None
    # the prediction at the host speed probed around the point's timed loops (None: not probed)
    probed_s: float | None = None

    @property
    def in_band(self) -> bool | None:
        """Whether the measurement lies inside the prediction's band (None: no band)."""
        return None if self.band_s is None else self.band_s[0] <= self.measured_s <= self.band_s[1]

    @property
    def error(self) -> float:
        return self.predicted_s / self.measured_s - 1.0

    @property
    def session_error(self) -> float | None:
        return None if self.session_s is None else self.session_s / self.measured_s - 1.0

    @property
    def probed_error(self) -> float | None:
        return None if self.probed_s is None else self.probed_s / self.measured_s - 1.0

    @property
    def energy_error(self) -> float | None:
        if self.measured_j is None or self.predicted_j is None:
            return None
        return self.predicted_j / self.measured_j - 1.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "error": self.error, "energy_error": self.energy_error, "in_band": self.in_band,
                "session_error": self.session_error, "probed_error": self.probed_error}


@dataclass
class GroupStats:
    n: int
    median_abs: float
    max_abs: float
    beyond_40: float  # fraction of points with |error| > 40 %
    median_signed: float
    meets_target: bool


def group_stats(errors: list[float], median_target: float = TARGET_MEDIAN, max_target: float = TARGET_MAX
                ) -> GroupStats:
    """Summary of one group's errors against the issue's targets (median and worst |error|)."""
    if not errors:
        raise ValueError("no errors to summarise")
    a = [abs(e) for e in errors]
    med, worst = statistics.median(a), max(a)
    return GroupStats(len(a), med, worst, sum(x > TARGET_MAX for x in a) / len(a), statistics.median(errors),
                      med <= median_target and worst <= max_target)


@dataclass
class Report:
    model: str
    stack: str
    device: str
    data: str
    provenance: dict[str, Any]
    points: list[Point] = field(default_factory=list)
    session_host: dict[str, float] | None = None  # host key -> seconds, measured in the session's lease
    host_reference_s: float | None = None  # the profile's leases' kernel call a probe is divided by

    def groups(self) -> dict[tuple[str, str, str], list[Point]]:
        out: dict[tuple[str, str, str], list[Point]] = {}
        for p in self.points:
            out.setdefault((p.measured_stack, p.phase, p.mode), []).append(p)
        return out

    def view_stats(self, view: str = "error") -> dict[tuple[str, str, str], GroupStats]:
        """Per group, the statistics of one of the points' errors (`error`, `session_error`, `probed_error`),
        over the groups whose every point has it."""
        out = {}
        for k, v in self.groups().items():
            errs = [getattr(p, view) for p in v]
            if all(e is not None for e in errs):
                out[k] = group_stats(errs)
        return out

    def time_stats(self) -> dict[tuple[str, str, str], GroupStats]:
        return self.view_stats("error")

    def session_stats(self) -> dict[tuple[str, str, str], GroupStats]:
        return self.view_stats("session_error")

    def probed_stats(self) -> dict[tuple[str, str, str], GroupStats]:
        return self.view_stats("probed_error")

    def energy_stats(self) -> dict[tuple[str, str, str], GroupStats]:
        out = {}
        for k, v in self.groups().items():
            errs = [p.energy_error for p in v if p.energy_error is not None and p.energy_note is None]
            if errs:
                out[k] = group_stats(errs, TARGET_ENERGY_MEDIAN, math.inf)
        return out

    def as_dict(self) -> dict[str, Any]:
        def key(k):
            return "/".join(k)
        return {"model": self.model, "stack": self.stack, "device": self.device, "data": self.data,
                "measured": {k: self.provenance.get(k) for k in ("date_utc", "nvml_name", "driver", "torch", "cuda",
                                                                 "transformers")},
                "targets": {"median_abs": TARGET_MEDIAN, "max_abs": TARGET_MAX,
                            "energy_median_abs": TARGET_ENERGY_MEDIAN},
                "groups": {key(k): asdict(s) for k, s in self.time_stats().items()},
                "session_host": self.session_host,
                "session_groups": {key(k): asdict(s) for k, s in self.session_stats().items()},
                "host_reference_s": self.host_reference_s,
                "probed_groups": {key(k): asdict(s) for k, s in self.probed_stats().items()},
                "energy_groups": {key(k): asdict(s) for k, s in self.energy_stats().items()},
                "points": [p.as_dict() for p in self.points]}


def load_measured(device: str, data: Path | None = None):
    """(time rows, energy rows by point, summary) of a committed measurement folder."""
    import pandas as pd

    from hetsim.calibration.e2e.write import E2E_FILE, SUMMARY_FILE

    folder = Path(data) if data is not None else DATA_DIR / device
    if not (folder / E2E_FILE).is_file() or not (folder / SUMMARY_FILE).is_file():
        raise ConfigError(f"no end-to-end measurements in {folder} ({E2E_FILE} + {SUMMARY_FILE}); measure them "
                          "with python -m hetsim.calibration.e2e measure --out DIR on the GPU", field="device")
    rows = pd.read_parquet(folder / E2E_FILE)
    summary = yaml.safe_load((folder / SUMMARY_FILE).read_text())
    # a point can carry a failed row beside its good one (e.g. its energy loop ran out of memory)
    times = rows[(rows["kind"] == "time") & rows["t_median_s"].notna()]
    if "decode_pass" in times.columns and times["decode_pass"].nunique() > 1:
        # a point measured in several interleaved passes: the median of the passes' medians
        key = ["kind", "phase", "stack", "mode", "batch", "context"]
        cols = ["t_median_s", *(["host_probe_s"] if "host_probe_s" in times.columns else [])]
        times = times.groupby(key, as_index=False, dropna=False)[cols].median()
    energy = {}  # point -> (joules per call, seconds per call in the energy loop)
    for r in rows[rows["kind"] == "energy"].itertuples():
        window, calls = getattr(r, "energy_window_s", math.nan), getattr(r, "energy_calls", math.nan)
        per_call_s = float(window) / float(calls) if math.isfinite(window) and math.isfinite(calls) and calls else None
        energy[(r.stack, r.phase, r.mode, int(r.batch), int(r.context))] = (float(r.energy_per_call_j), per_call_s)
    return times, energy, summary, folder




def session_host(folder: Path) -> dict[str, float] | None:
    """The measured host keys as the session's own lease timed them (`measure` writes host_calls.json
    and sdpa_plans.json after its points): a view and a module call from the call pairs, the cuDNN plan
    build as the median per-step build of the decode-like loop (the pattern a DynamicCache decode meets;
    host_calls' single build can hit a plan the run already cached). None where the files are missing or
    came from another lease: host costs move between leases by more than the targets."""
    import json

    try:
        calls = json.loads((folder / "host_calls.json").read_text())
        plans = json.loads((folder / "sdpa_plans.json").read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(calls, dict) and isinstance(plans, dict)):
        return None
    if any(d.get("provenance", {}).get("session") != SAME_LEASE for d in (calls, plans)) or not plans.get("loop"):
        return None
    try:
        return {"host_view": float(calls["view_method"]), "host_module": float(calls["module_call"]),
                "host_sdpa_plan": statistics.median(float(r["build_per_step_s"]) for r in plans["loop"])}
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"expected the host figures e2e measure writes (view_method, module_call, a loop of "
                          f"build_per_step_s), got {type(exc).__name__}: {exc}", file=str(folder / "host_calls.json"),
                          field="host figures") from None


# An energy loop whose calls ran this much faster than the timed loop's did other work: a DynamicCache
# energy loop of earlier measuring runs put the cache back to its length before each chunk, so its K/V
# lengths repeated and cuDNN's SDPA plans were cached (no per-step build); the prediction is of the timed
# loop's regime (a plan built every step).
FASTER_REGIME = 0.6


def energy_regime_note(per_call_s: float | None, timed_s: float) -> str | None:
    """Why an energy point is not comparable with the prediction of its timed point (None: it is)."""
    if per_call_s is not None and per_call_s < FASTER_REGIME * timed_s:
        return (f"energy loop ran {per_call_s * 1e3:.1f} ms/call against the timed loop's {timed_s * 1e3:.1f}: "
                "another regime (K/V lengths replayed, cuDNN plans cached); not held against the target")
    return None


def _system(device: str, catalogue) -> str | dict:
    if device == "H200":
        return "h200"
    if device not in catalogue.devices:
        raise ConfigError(f"unknown device {device!r} (known: {', '.join(sorted(catalogue.devices))})", field="device")
    link = getattr(catalogue.devices[device], "host_link", None) or "pcie_gen5_x16"
    return {"name": f"{device.lower()}_e2e", "devices": {"gpu0": device},
            "links": [{"type": link, "between": ["host", "gpu0"]}]}


def experiment(system, model: str, stack: str, batch: int, context: int, decode_tokens: int, mode: str,
               cudnn_sdpa: str = "auto") -> dict:
    workload = {"method": "dense", "model": model, "context_tokens": context, "batch": batch,
                "decode_tokens": decode_tokens, "stack": stack}
    if cudnn_sdpa != "auto":  # the default: runs on a hetsim with or without workload.cudnn_sdpa
        workload["cudnn_sdpa"] = cudnn_sdpa
    return {"name": "e2e", "system": system, "workload": workload,
            "placements": ["gpu-only"], "baseline": None,
            # the measured points ran on the GPU: hetsim's memory accounting must not refuse them
            "simulation": {"gpu_execution": mode, "memory_check": "warn"},
            "outputs": {"write": False}}


class Predictor:
    """Runs the simulator on one experiment per (batch, context, decode tokens, mode), memoised."""

    def __init__(self, model: str, stack: str, device: str, host: dict[str, float] | None = None,
                 cudnn_sdpa: str = "auto"):
        from hetsim.config.load import Catalogue
        from hetsim.config.schema import WorkloadSpec

        if "stack" not in WorkloadSpec.model_fields and stack != "fused":
            raise ConfigError(f"unknown stack {stack!r}: this hetsim has no workload.stack yet (known: fused)",
                              field="stack")
        self.catalogue = Catalogue.load()
        if model not in self.catalogue.models:
            raise ConfigError(f"unknown model {model!r} (known: {', '.join(sorted(self.catalogue.models))})",
                              field="model")
        self.model, self.stack, self.system, self.device = model, stack, _system(device, self.catalogue), device
        self.host = host  # host key -> dispatch seconds replacing the profile's (a session's own figures)
        self.host_scale: float | None = None  # every host cost scaled by this (`at_host`)
        self.cudnn_sdpa = cudnn_sdpa  # the session's software: workload.cudnn_sdpa (`session_sdpa`)
        self._memo: dict[tuple, Any] = {}
        self._scaled: dict[float, Predictor] = {}  # `at_host`'s copies, one per scale

    def metrics(self, batch: int, context: int, decode_tokens: int, mode: str):
        import warnings

        from hetsim.runner import run_experiment
        from hetsim.scenario import resolve_experiment

        key = (batch, context, decode_tokens, mode)
        if key not in self._memo:
            data = experiment(self.system, self.model, self.stack, batch, context, decode_tokens, mode,
                              self.cudnn_sdpa)
            if "stack" not in data["workload"] or self.stack == "fused":
                data["workload"].pop("stack")  # the default: runs on a hetsim with or without workload.stack
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # memory warnings on points the GPU did hold
                (run,) = run_experiment(self._with_host(resolve_experiment(data, "<hetsim validate e2e>",
                                                                           self.catalogue)))
            self._memo[key] = run.metrics
        return self._memo[key]

    def at_host(self, scale: float) -> Predictor:
        """This predictor with every host cost of the profile scaled by `scale` (hetsim.calibration.host_state
        .scaled: a probed host over the profile's leases), sharing the catalogue; memoised per scale."""
        import copy

        key = round(scale, 3)
        if key not in self._scaled:
            other = copy.copy(self)
            other.host_scale, other._memo, other._scaled = key, {}, {}
            self._scaled[key] = other
        return self._scaled[key]

    def _with_host(self, exp):
        """The scenario with every GPU profile's measured host keys set to `self.host`, or its host costs
        scaled by `self.host_scale`."""
        from dataclasses import replace

        from hetsim.calibration.host_state import scaled

        if not self.host and self.host_scale is None:
            return exp
        inputs = dict(exp.inputs)
        for dev_id, inp in exp.inputs.items():
            prof = getattr(inp, "profile", None)
            if prof is None:
                continue
            if self.host_scale is not None:
                inputs[dev_id] = replace(inp, profile=scaled(prof, self.host_scale))
            elif all(k in getattr(prof, "rates", {}) for k in self.host):
                rates = {**prof.rates, **{k: replace(prof.rates[k], dispatch_s=v) for k, v in self.host.items()}}
                inputs[dev_id] = replace(inp, profile=replace(prof, rates=rates))
        # one prediction, no band: the variants would be of the profile's host figures, not these
        return replace(exp, inputs=inputs, calibration_sets=())

    @functools.cached_property
    def profile(self):
        """The device's calibration profile (None: none), as the simulator's GPU model takes it."""
        from hetsim.calibration.predict import gpu_model

        return gpu_model(self.device, catalogue=self.catalogue).profile

    def prices_host(self) -> bool:
        """Whether the device's profile has every host key `self.host` replaces (H100's has no host_view)."""
        return bool(self.host) and self.profile is not None and all(k in self.profile.rates for k in self.host)

    def host_reference(self) -> float | None:
        """The kernel call (host_calls `mul_binding`) of the leases the profile's host figures come from: what a
        point's host probe is divided by (hetsim.calibration.host_state.host_reference)."""
        from hetsim.calibration.host_state import host_reference

        return host_reference(self.profile) if self.profile is not None else None

    def prefill(self, prompt: int, batch: int = 1) -> tuple[float, float, tuple[float, float] | None]:
        """TTFT of one forward over `batch` prompts of `prompt` tokens (with its energy and band)."""
        one, two = self.metrics(batch, prompt, 1, "eager"), self.metrics(batch, prompt, 2, "eager")
        return one.ttft_s, 2 * one.energy_j - two.energy_j, one.ttft_s_band

    def decode(self, batch: int, context: int, mode: str) -> tuple[float, float, tuple[float, float] | None]:
        one, two = self.metrics(batch, context, 1, mode), self.metrics(batch, context, 2, mode)
        return one.tpot_s, two.energy_j - one.energy_j, one.tpot_s_band


def session_folders(device: str) -> list[Path]:
    """Every measuring session of a GPU: calibration/e2e/DEVICE and calibration/e2e/DEVICE-<session>
    (one lease each: host-bound points move between leases, so each session is compared on its own)."""
    from hetsim.calibration.e2e.write import E2E_FILE

    found = [DATA_DIR / device, *sorted(DATA_DIR.glob(f"{device}-*"))]
    return [f for f in found if (f / E2E_FILE).is_file()] or [DATA_DIR / device]


def compare_sessions(model: str, stack: str, device: str = "H200", data: Path | None = None) -> list[Report]:
    """One report per session folder (`data`: that folder only), predicted once: the predictions do
    not depend on the session."""
    folders = [data] if data else session_folders(device)
    loaded = [load_measured(device, folder) for folder in folders]
    for measured in loaded:  # every folder checked before anything is simulated
        _check_model(model, *measured[2:])
    preds: dict[str, Predictor] = {}  # one per software the sessions ran (`session_sdpa`)
    reports = []
    for folder, measured in zip(folders, loaded, strict=True):
        software = session_sdpa(measured[2].get("provenance", {}))
        pred = preds.setdefault(software, Predictor(model, stack, device, cudnn_sdpa=software))
        reports.append(compare(model, stack, device, folder, pred, allow_empty=data is None, measured=measured))
    reports = [r for r in reports if r.points]  # a session may have measured other stacks only
    if not reports:
        raise ConfigError(f"no measured points for stack {stack!r} in {', '.join(map(str, folders))}", field="stack")
    return reports


def session_sdpa(prov: dict) -> str:
    """The session's `workload.cudnn_sdpa`: `off` where it ran with cuDNN's SDPA switched off
    (`e2e measure --cudnn-sdpa off`: its provenance's sdpa_backends.cudnn is false) or on a PyTorch build that
    does not put cuDNN first (its torch and cuDNN versions, `hetsim.stacks.aten.cudnn_preferred`), else `auto`."""
    from hetsim.stacks.aten import cudnn_preferred

    if prov.get("sdpa_backends", {}).get("cudnn") is False:
        return "off"
    if prov.get("torch") and prov.get("cudnn") is not None and not cudnn_preferred(str(prov["torch"]), prov["cudnn"]):
        return "off"  # a GPU session's software (a CPU test run records no cuDNN: nothing to tell)
    return "auto"


def _check_model(model: str, summary: dict, folder: Path) -> None:
    measured = summary.get("provenance", {}).get("model")
    if measured != model:
        raise ConfigError(f"the measurements in {folder} are of {measured!r}, not {model!r}", field="model")


def compare(model: str, stack: str, device: str = "H200", data: Path | None = None,
            pred: Predictor | None = None, allow_empty: bool = False, measured=None) -> Report:
    """`measured`: the folder's `load_measured` result, when the caller has read it already."""
    times, energy, summary, folder = measured or load_measured(device, data)
    _check_model(model, summary, folder)
    prov = summary.get("provenance", {})
    software = session_sdpa(prov)
    if pred is None or pred.cudnn_sdpa != software:
        pred = Predictor(model, stack, device, cudnn_sdpa=software)
    against = [stack] if stack in MEASURED_STACKS else list(MEASURED_STACKS)
    host = session_host(folder) if stack != "fused" else None  # fused prices no host key
    own = Predictor(model, stack, device, host, cudnn_sdpa=software) if host else None
    if own is not None and not own.prices_host():  # nothing of this session's would change the prediction
        host = own = None
    reference = pred.host_reference() if stack != "fused" and "host_probe_s" in times.columns else None
    report = Report(model, stack, device, str(folder), prov, session_host=host, host_reference_s=reference)
    for r in times.sort_values(["phase", "stack", "mode", "batch", "context"]).itertuples():
        if r.stack not in against:
            continue
        b, c = int(r.batch), int(r.context)
        p_s, p_j, band = pred.prefill(c, b) if r.phase == "prefill" else pred.decode(b, c, r.mode)
        m_j, per_call_s = energy.get((r.stack, r.phase, r.mode, b, c), (None, None))
        note = energy_regime_note(per_call_s, float(r.t_median_s)) if m_j is not None else None
        session_s = None
        if own is not None and r.mode == "eager":  # a graph replay prices no host key
            session_s = (own.prefill(c, b) if r.phase == "prefill" else own.decode(b, c, r.mode))[0]
        probed_s = None
        probe = getattr(r, "host_probe_s", None)
        if reference and r.mode == "eager" and probe is not None and probe == probe and probe > 0:
            at = pred.at_host(float(probe) / reference)
            probed_s = (at.prefill(c, b) if r.phase == "prefill" else at.decode(b, c, r.mode))[0]
        report.points.append(Point(r.stack, r.phase, r.mode, b, c, float(r.t_median_s), p_s, m_j,
                                   p_j if m_j is not None else None, note, tuple(band) if band else None,
                                   session_s, probed_s))
    if not report.points and not allow_empty:
        raise ConfigError(f"no measured points for stack {stack!r} in {folder}", field="stack")
    return report


def _ms(x: float | None) -> str:
    return "-" if x is None else f"{x * 1e3:,.2f}"


def pooled_stats(reports: list[Report], own_host: bool = False, probed: bool = False
                 ) -> dict[tuple[str, str, str], GroupStats]:
    """Per (measured stack, phase, mode), every session's points together; `own_host`: the predictions
    with each session's own host figures, over the sessions that timed them; `probed`: at each point's
    probed host speed, over the sessions that probed."""
    view = "probed_error" if probed else "session_error" if own_host else "error"
    errors: dict[tuple[str, str, str], list[float]] = {}
    for rep in reports:
        for k, pts in rep.groups().items():
            errs = [getattr(p, view) for p in pts]
            if all(e is not None for e in errs):
                errors.setdefault(k, []).extend(errs)
    return {k: group_stats(v) for k, v in errors.items()}


def _verdict(st: GroupStats) -> str:
    return (f"target (median <= {TARGET_MEDIAN:.0%}, none > {TARGET_MAX:.0%}): "
            f"{'met' if st.meets_target else 'NOT met'}")


def print_sessions(reports: list[Report], json_out: bool = False) -> None:
    """Each session's report, then (several sessions) the pooled errors per (phase, mode)."""
    import json
    import sys

    pooled, own = pooled_stats(reports), pooled_stats(reports, own_host=True)
    probed = pooled_stats(reports, probed=True)
    if json_out:
        sys.stdout.write(json.dumps({"sessions": [r.as_dict() for r in reports],
                                     "pooled": {"/".join(k): asdict(s) for k, s in pooled.items()},
                                     "pooled_own_host": {"/".join(k): asdict(s) for k, s in own.items()},
                                     "pooled_probed_host": {"/".join(k): asdict(s) for k, s in probed.items()}},
                                    indent=2) + "\n")
        return
    for i, rep in enumerate(reports):
        if i:
            print()
        print_report(rep)
    if len(reports) < 2:
        return
    print(f"\nall {len(reports)} sessions together (each point once per session it was measured in)")
    for k, st in pooled.items():
        mstack, phase, mode = k
        print(f"  {phase:7s} {mode:5s} measured {mstack}: {_errors(st)} over {st.n} points; {_verdict(st)}")
        if k in own:
            o = own[k]
            print(f"  {'':13s} with each session's own host figures ({o.n} points of the sessions that timed "
                  f"them): {_errors(o)}")
        if k in probed:
            q = probed[k]
            print(f"  {'':13s} at each point's probed host speed ({q.n} points of the sessions that probed): "
                  f"{_errors(q)}")


def _errors(st, max_label: str = "max") -> str:
    """`median |error| M (signed S), max X` of a point group's statistics."""
    return (f"median |error| {st.median_abs:.1%} (signed {st.median_signed:+.1%}), {max_label} "
            f"{st.max_abs:.1%}")


def print_report(report: Report, json_out: bool = False) -> None:
    import json
    import sys

    if json_out:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
        return
    prov = report.provenance
    print(f"{report.model} on {report.device}: hetsim stack {report.stack!r} vs measured "
          f"({prov.get('nvml_name')}, torch {prov.get('torch')}, transformers {prov.get('transformers')}, "
          f"{'cuDNN SDPA off: flash / memory-efficient, ' if session_sdpa(prov) == 'off' else ''}"
          f"{prov.get('date_utc')} UTC; {report.data})")
    tstats, estats, sstats = report.time_stats(), report.energy_stats(), report.session_stats()
    pstats = report.probed_stats()
    for k, pts in report.groups().items():
        mstack, phase, mode = k
        what = "TTFT" if phase == "prefill" else "TPOT"
        print(f"\n{phase} {mode}, measured {mstack} ({what}, ms)")
        print(f"  {'batch':>5} {'context':>7} {'predicted':>10} {'measured':>10} {'error':>8}   "
              f"{'pred J':>8} {'meas J':>8} {'error':>8}")
        for p in pts:
            ee = p.energy_error
            print(f"  {p.batch:>5} {p.context:>7} {_ms(p.predicted_s):>10} {_ms(p.measured_s):>10} {p.error:>+8.1%}   "
                  + (f"{p.predicted_j:>8.2f} {p.measured_j:>8.2f} {ee:>+8.1%}" if ee is not None else "")
                  + (" *" if p.energy_note else ""))
        for p in pts:
            if p.energy_note:
                print(f"  * b{p.batch} ctx{p.context}: {p.energy_note}")
        banded = [p for p in pts if p.in_band is not None]
        if banded:
            print(f"  inside the calibration band: {sum(p.in_band for p in banded)} of {len(banded)} points "
                  f"(band width median {statistics.median(p.band_s[1] / p.band_s[0] - 1 for p in banded):.1%})")
        if k in sstats:
            ss, h = sstats[k], report.session_host
            print(f"  with this session's own host figures (view {h['host_view'] * 1e6:.2f} us, module call "
                  f"{h['host_module'] * 1e6:.2f} us, cuDNN plan build {h['host_sdpa_plan'] * 1e3:.1f} ms): "
                  f"{_errors(ss)}")
        if k in pstats:
            print(f"  at each point's probed host speed (a kernel call's issue time over the profile's leases' "
                  f"{report.host_reference_s * 1e6:.2f} us): {_errors(pstats[k])}")
        s = tstats[k]
        print(f"  {_errors(s, max_label='max |error|')}, "
              f"beyond {TARGET_MAX:.0%}: {s.beyond_40:.0%} of {s.n}; {_verdict(s)}")
        if k in estats:
            e = estats[k]
            print(f"  energy: median |error| {e.median_abs:.1%} over {e.n} points "
                  f"(target <= {TARGET_ENERGY_MEDIAN:.0%}: {'met' if e.meets_target else 'NOT met'})")
