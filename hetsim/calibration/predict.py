"""Predicting cases on a GPU model and checking the predictions against measurements.

A case's ops run back to back on one stream (eager PyTorch): the case takes
`GpuModel.ops_time_s(ops)`, the slower of the host's issue time and the device's busy time,
not the sum of the ops' standalone times. With `graph=True` the host is taken out (a CUDA-graph
replay): the case takes the sum of the ops' device times, and is compared with
`measured_graph_s`.

Errors are (predicted - measured) / measured.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hetsim.calibration.cases import Case, CasesFile
from hetsim.calibration.device_inputs import gpu_profile
from hetsim.calibration.gpu_profile import load_profile
from hetsim.config.errors import did_you_mean
from hetsim.config.load import Catalogue
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import GpuModel, rate_key


@dataclass
class OpPrediction:
    name: str
    op: str
    rate_key: str
    source: str
    dispatch_s: float
    device_s: float
    predicted_s: float
    measured_s: float | None = None

    @property
    def error(self) -> float | None:
        return None if not self.measured_s else self.predicted_s / self.measured_s - 1.0


@dataclass
class CasePrediction:
    name: str
    description: str
    predicted_s: float
    ops: list[OpPrediction] = field(default_factory=list)
    measured_s: float | None = None

    @property
    def error(self) -> float | None:
        return None if not self.measured_s else self.predicted_s / self.measured_s - 1.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d["error"] = self.error
        for od, o in zip(d["ops"], self.ops, strict=True):
            od["error"] = o.error
        return d


def gpu_model(device: str | None = None, profile_path: Path | None = None, catalogue=None) -> GpuModel:
    """The GPU model of a catalogue device with its profile: the one given, else the one found
    for the device in the profiles folder, else none (datasheet-derived rates, marked assumed)."""
    catalogue = catalogue or Catalogue.load()
    profile = load_profile(profile_path) if profile_path is not None else None
    name = device or (profile.device if profile else None)
    if name is None:
        raise ConfigError("name a device (--device) or a profile (--profile)")
    if profile is not None and device is not None and profile.device != device:
        raise ConfigError(f"profile is for {profile.device!r}, not {device!r}", file=str(profile_path), field="device")
    spec = catalogue.devices.get(name)
    if spec is None:
        gpus = sorted(n for n, d in catalogue.devices.items() if d.kind == "gpu")
        where = str(profile_path) if profile_path else None
        raise ConfigError(f"unknown GPU {name!r}{did_you_mean(name, gpus)} (catalogue GPUs: {', '.join(gpus)})",
                          file=where,
                          field="device" if where else None)
    if spec.kind != "gpu":
        raise ConfigError(f"{name!r} is a {spec.kind}, not a GPU; `hetsim predict ops` times GPU ops")
    if profile is None:
        profile = gpu_profile(spec)
    return GpuModel(spec, profile, host_link=catalogue.links.get(spec.host_link))


def predict_case(model: GpuModel, case: Case, graph: bool = False) -> CasePrediction:
    ops = case.plain_ops
    out = []
    for c in case.ops:
        op = c.op
        key = rate_key(op, model.rates)
        dev = model.device_time_s(op)
        out.append(OpPrediction(
            op.name or op.op_class, type(op).__name__.lower(), key or op.op_class,
            "calibrated" if key else "assumed", model.dispatch_s(op), dev,
            dev if graph else model.op_time_s(op), c.measured_graph_s if graph else c.measured_s,
        ))
    total = sum(o.device_s for o in out) if graph else model.ops_time_s(ops)
    return CasePrediction(case.name, case.description, total, out,
                          case.measured_graph_s if graph else case.measured_s)


def predict_cases(model: GpuModel, cases: CasesFile, graph: bool = False) -> list[CasePrediction]:
    return [predict_case(model, c, graph) for c in cases.cases]


@dataclass
class Validation:
    device: str
    profile: str | None
    cases_file: str
    mode: str
    cases: list[CasePrediction]
    median_abs_error: float
    max_abs_error: float
    op_median_abs_error: float | None
    op_max_abs_error: float | None
    ops_compared: int

    def as_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k != "cases"}
        d["cases"] = [c.as_dict() for c in self.cases]
        return d


def validate(model: GpuModel, cases: CasesFile, graph: bool = False) -> Validation:
    """Predicted vs measured for every case; every case must carry its measurement."""
    key = "measured_graph_s" if graph else "measured_s"
    file = str(cases.path) if cases.path else "<cases>"
    for i, c in enumerate(cases.cases):
        if getattr(c, key) is None:
            raise ConfigError(f"case {c.name!r} has no {key}: validation needs the measured time of each case",
                              file=file, field=f"cases[{i}].{key}")
    preds = predict_cases(model, cases, graph)
    errs = [abs(p.error) for p in preds]
    op_errs = [abs(o.error) for p in preds for o in p.ops if o.error is not None]
    profile = getattr(model.profile, "path", None)
    return Validation(
        model.name, str(profile) if profile else None, file, "graph" if graph else "eager", preds,
        statistics.median(errs), max(errs),
        statistics.median(op_errs) if op_errs else None, max(op_errs) if op_errs else None, len(op_errs),
    )
