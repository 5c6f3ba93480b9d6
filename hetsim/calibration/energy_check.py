"""Energy, predicted vs NVML, on every measured point that no fit used (`hetsim validate energy`).

Two kinds of points exist in the repository:
  end to end   calibration/e2e/DEVICE: NVML board energy per prefill and per decode step of a real
               transformers model (hf-static and hf-dynamic, eager and CUDA graph); predicted by
               `hetsim.calibration.e2e.compare` (each hf stack against its own runs). Fitted on
               ops only, never on these points.
  power loops  each calibration run's board power over a >= 1.5 s loop of one op per rate key
               (its Parquet, phase `power`). A run fits its busy powers on its own loops, so a
               loop is held out only for the device's *other* calibrations: each loop is
               predicted from every other profile of the same GPU (idle + `GpuModel.active_w`).
               These loops are the same op shapes in every run: they check that the power model
               repeats, not that it generalises, and are reported apart from the end-to-end points.
The validation composites carry no energy (`measured_j`): their runs are shorter than NVML's
counter resolves, so `hetsim predict ops` / `hetsim validate` show predicted energy only.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hetsim.calibration.e2e.compare import MEASURED_STACKS, TARGET_ENERGY_MEDIAN, compare_sessions
from hetsim.errors import ConfigError


@dataclass
class EnergyPoint:
    kind: str  # e2e | power-loop
    name: str
    predicted_j: float
    measured_j: float
    detail: str = ""

    @property
    def error(self) -> float:
        return self.predicted_j / self.measured_j - 1.0

    def as_dict(self) -> dict:
        return {**asdict(self), "error": self.error}


@dataclass
class EnergyCheck:
    device: str
    points: list[EnergyPoint] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def stats(self, kind: str, name_prefix: str = "") -> dict | None:
        errs = [abs(p.error) for p in self.points if p.kind == kind and p.name.startswith(name_prefix)]
        if not errs:
            return None
        med = statistics.median(errs)
        return {"n": len(errs), "median_abs": med, "max_abs": max(errs), "meets_target": med <= TARGET_ENERGY_MEDIAN}

    def groups(self) -> dict[str, dict]:
        out = {}
        for kind, prefixes in (("e2e", ("", "prefill", "decode")), ("power-loop", ("",))):
            for prefix in prefixes:
                s = self.stats(kind, prefix)
                if s:
                    out[f"{kind}{' ' + prefix if prefix else ''}"] = s
        return out

    def as_dict(self) -> dict:
        return {"device": self.device, "target_median_abs": TARGET_ENERGY_MEDIAN, "groups": self.groups(),
                "notes": self.notes, "points": [p.as_dict() for p in self.points]}


def e2e_points(device: str, model: str) -> list[EnergyPoint]:
    """NVML energy of the end-to-end runs vs the simulator's, each hf stack against its own runs."""
    out = []
    for stack in MEASURED_STACKS:
        for rep in compare_sessions(model, stack, device):
            session = Path(rep.data).name
            for p in rep.points:
                if p.energy_error is None or p.energy_note:  # a point measured in another regime: not comparable
                    continue
                name = f"{p.phase} {stack} {p.mode} b{p.batch} ctx{p.context} ({session})"
                out.append(EnergyPoint("e2e", name, p.predicted_j, p.measured_j,
                                       "per prefill" if p.phase == "prefill" else "per decode step"))
    return out


def power_loop_points(device: str) -> tuple[list[EnergyPoint], list[str]]:
    """Each calibration's power loops predicted from the device's other calibrations."""
    import pandas as pd

    from hetsim.calibration.device_inputs import gpu_calibrations
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.predict import gpu_model
    from hetsim.config.load import Catalogue
    from hetsim.ops import op_from_dict

    catalogue = Catalogue.load()
    spec = catalogue.devices.get(device)
    if spec is None or spec.kind != "gpu":
        return [], [f"{device} is not a catalogue GPU: no power loops"]
    paths = gpu_calibrations(spec)
    if len(paths) < 2:
        return [], [f"{device}: {len(paths)} calibration(s); power loops need a second one to be held out"]
    out = []
    for held in paths:
        prof = load_profile(held)
        if prof.raw_path is None or not prof.raw_path.is_file():
            continue
        rows = pd.read_parquet(prof.raw_path)
        rows = rows[(rows["phase"] == "power") & rows["power_energy_j"].notna()]
        for fitted in paths:
            if fitted == held:
                continue
            model = gpu_model(device, fitted, catalogue)
            for r in rows.itertuples():
                op = op_from_dict(json.loads(r.op))
                predicted_w = model.idle_w + model.active_w(op)
                window = float(r.power_window_s)
                out.append(EnergyPoint("power-loop", f"{r.key}", predicted_w * window, float(r.power_energy_j),
                                       f"loop of {held.name}, predicted from {fitted.name}"))
    return out, []


def check_energy(device: str, model: str) -> EnergyCheck:
    from hetsim.config.errors import did_you_mean
    from hetsim.config.load import Catalogue

    gpus = sorted(n for n, d in Catalogue.load().devices.items() if d.kind == "gpu")
    if device not in gpus:
        raise ConfigError(f"unknown GPU {device!r}{did_you_mean(device, gpus)} (catalogue GPUs: {', '.join(gpus)})",
                          field="device")
    check = EnergyCheck(device)
    try:
        check.points += e2e_points(device, model)
    except ConfigError as exc:
        check.notes.append(f"end to end: {exc.message}")
    loops, notes = power_loop_points(device)
    check.points += loops
    check.notes += notes
    if not check.points:
        raise ConfigError(f"no measured energy for {device} (calibration/e2e/{device}, or two calibrations)",
                          field="device")
    return check


def print_energy(check: EnergyCheck, json_out: bool = False) -> None:
    if json_out:
        sys.stdout.write(json.dumps(check.as_dict(), indent=2) + "\n")
        return
    print(f"{check.device}: predicted vs NVML energy, points not used in any fit")
    for kind in ("e2e", "power-loop"):
        pts = [p for p in check.points if p.kind == kind]
        if not pts:
            continue
        print(f"\n{kind}")
        print(f"  {'point':<42} {'predicted J':>12} {'NVML J':>10} {'error':>8}  detail")
        for p in pts:
            print(f"  {p.name:<42} {p.predicted_j:>12.3f} {p.measured_j:>10.3f} {p.error:>+8.1%}  {p.detail}")
    print()
    for name, s in check.groups().items():
        print(f"{name}: median |error| {s['median_abs']:.1%}, max {s['max_abs']:.1%} over {s['n']} points "
              f"(target median <= {TARGET_ENERGY_MEDIAN:.0%}: {'met' if s['meets_target'] else 'NOT met'})")
    for note in check.notes:
        print(f"note: {note}")
