"""One resolved, immutable scenario: the experiment spec, its system, the method instances, the
placements each run will use, and every warning the results must carry.

It is built once, by `resolve_experiment`, which is the one validation `hetsim check`, `hetsim
run`, sweeps and the Python API all go through: names against the catalogue, method parameters,
placements against the system, every step lowered onto the kind of device it is placed on, a
route for every transfer, memory capacity and the FPGA kernels' top-k units. Whatever passes
here runs; whatever fails here fails before anything is simulated or written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hetsim.baselines import apply_to_inputs, check_efficiencies, resolve_baseline
from hetsim.calibration.band import band_note, calibration_variants
from hetsim.calibration.device_inputs import DeviceInputs, device_inputs
from hetsim.capacity import memory_fit
from hetsim.config.errors import did_you_mean
from hetsim.config.load import Catalogue, default_experiment_path, read_yaml, set_dotted, validate
from hetsim.config.schema import CpuSpec, ExperimentSpec, FpgaSpec, GpuSpec, ModelSpec, SystemSpec
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import gpu_arch
from hetsim.placement import Placement, resolve
from hetsim.provenance import ProvenanceLog
from hetsim.serving.validate import check_serving
from hetsim.sim.lowering import plan_steps
from hetsim.sim.machine import Machine
from hetsim.stacks.check import check_stack, stack_notes
from hetsim.workloads.base import GPU_ARCH, Method, RequestSteps
from hetsim.workloads.registry import METHODS, build_method


@dataclass(frozen=True)
class PlannedRun:
    """One row of the results: a method under a placement (after capacity fallbacks)."""

    label: str
    method: Method
    placement: Placement
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    spec: ExperimentSpec
    file: str
    catalogue: Catalogue = field(repr=False)
    system: SystemSpec
    model: ModelSpec
    method: Method
    inputs: Mapping[str, DeviceInputs] = field(repr=False, default_factory=dict)  # device id -> model inputs
    runs: tuple[PlannedRun, ...] = ()
    notes: tuple[str, ...] = ()
    # the device inputs once per further calibration of the system's GPUs (hetsim.calibration.band),
    # resolved here with the rest so a run re-reads no profile; empty: one calibration, no band
    calibration_sets: tuple[Mapping[str, DeviceInputs], ...] = field(repr=False, default=())
    band_note: str = ""

    def device(self, dev_id: str) -> GpuSpec | FpgaSpec | CpuSpec:
        return self.catalogue.devices[self.system.devices[dev_id]]

    def machine(self, log: ProvenanceLog | None = None) -> Machine:
        """The device, link and route models of this scenario's system, logging into `log`."""
        return Machine(self, log)


def load_experiment(path: Path | None = None, catalogue: Catalogue | None = None,
                    overrides: dict[str, Any] | None = None) -> Scenario:
    """Load and fully check an experiment file (no argument: the built-in default)."""
    catalogue = catalogue or Catalogue.load()
    path = Path(path) if path else default_experiment_path(catalogue.root)
    data = read_yaml(path, "experiment")
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value, str(path))
    return resolve_experiment(data, str(path), catalogue)


def resolve_experiment(data: dict, file: str, catalogue: Catalogue) -> Scenario:
    """The scenario of an experiment mapping, checked end to end (see the module docstring)."""
    spec = validate(ExperimentSpec, data, file)
    spec, gpu_baseline = resolve_baseline(spec, file, catalogue.root)  # its stack and GPU execution
    check_stack(spec, file)
    system = spec.system if isinstance(spec.system, SystemSpec) else catalogue.get("systems", spec.system, file,
                                                                                      "system")
    catalogue.check_system(system, file)
    model = catalogue.get("models", spec.workload.model, file, "workload.model")
    arch = model_gpu_arch(system, catalogue)
    method = build_method(spec.workload, model, file, gpu_arch=arch)
    check_efficiencies(method, gpu_baseline, file)
    inputs = {}
    for dev_id in system.devices:
        try:
            inputs[dev_id] = device_inputs(catalogue.devices[system.devices[dev_id]], catalogue.links)
        except ConfigError as exc:
            where = exc.field or f"system.devices.{dev_id}"
            raise ConfigError(exc.message, file=exc.file or file, field=where) from None
    scn = Scenario(spec, file, catalogue, system, model, method, inputs)
    machine = scn.machine()  # for the checks: routes and capacities do not depend on the placement
    planned = []
    for i, item in enumerate(spec.placements):
        where = f"placements[{i}]"
        p, notes = resolve(scn, method, item, where)
        planned.append(_checked_run(scn, machine, method, p, where, notes))
    if spec.baseline is not None and spec.baseline != method.name:
        if spec.baseline not in METHODS:
            raise ConfigError(f"unknown method {spec.baseline!r}{did_you_mean(spec.baseline, sorted(METHODS))} "
                              f"(known: {', '.join(sorted(METHODS))})", file=file, field="baseline")
        base = build_method(spec.workload, model, file, method=spec.baseline, gpu_arch=arch)
        p, notes = resolve(scn, base, "gpu-only", "baseline")
        planned.append(_checked_run(scn, machine, base, p, "baseline", notes))
    variants = calibration_variants(scn)
    devices = {d: scn.device(d) for d in system.devices}
    resolved = Scenario(spec, file, catalogue, system, model, method, apply_to_inputs(inputs, devices, gpu_baseline),
                        tuple(planned), profile_notes(scn),
                        tuple(apply_to_inputs(v.inputs, devices, gpu_baseline) for v in variants),
                        band_note(scn) if variants else "")
    if spec.serving is not None:
        check_serving(resolved)
    return resolved


def model_gpu_arch(system: SystemSpec, catalogue: Catalogue) -> int | None:
    """The compute capability of the system's first GPU, the LLM's device unless a placement names another
    (an hf stack's SDPA backend depends on it)."""
    for name in system.devices.values():
        spec = catalogue.devices[name]
        if spec.kind == "gpu":
            return gpu_arch(spec)
    return GPU_ARCH


def profile_notes(scn: Scenario) -> tuple[str, ...]:
    """Say which device figures a calibration profile replaces: editing them would change nothing."""
    notes = []
    for dev_id, inp in scn.inputs.items():
        if inp.profile is None:
            continue
        spec = scn.device(dev_id)
        unused = ("rates" if spec.kind == "cpu" else
                  "hbm_bw_gbps, hbm_efficiency, matrix_tflops, vector_tflops and launch_overhead_us")
        name = inp.profile.path.name if inp.profile.path else "(in memory)"
        notes.append(f"{dev_id} ({spec.name}) is timed by its calibration profile {name}: the device file's "
                     f"{unused} are not used where the profile has a fit (set `profile: none` in the device file "
                     "to use them)")
    return tuple(notes)


def _checked_run(scn: Scenario, machine: Machine, method: Method, p: Placement, where: str,
                 notes: list[str]) -> PlannedRun:
    check_lowering(scn, method, p, where)
    check_routes(scn, machine, p, where)
    fitted, warnings = memory_fit(scn, machine, method, p)
    return PlannedRun(f"{method.name}/{p.name}", method, fitted, tuple(notes + warnings + stack_notes(method)))


def check_lowering(scn: Scenario, method: Method, placement: Placement, where: str) -> None:
    """Every phase's steps can run on the kind of device they are placed on."""
    kind_of = lambda dev: scn.device(dev).kind  # noqa: E731
    mb = scn.spec.workload.batch // placement.micro_batches
    kinds = sorted({method.layer_kind(i) for i in range(scn.model.layers)})
    seen = set()
    for phase in method.plan(np.random.default_rng(scn.spec.seed)):
        sig = (type(phase).__name__, getattr(phase, "role", ""))
        if sig in seen:
            continue
        seen.add(sig)
        try:
            if isinstance(phase, RequestSteps):
                plan_steps(phase.work, placement, kind_of, method.name)
                continue
            method.model_ops(kind_of(placement.device_of(phase.role)), mb * phase.step_tokens)
            for kind in kinds:
                plan_steps(method.phase_layer(phase, kind, mb), placement, kind_of, method.name)
        except ValueError as exc:
            raise ConfigError(str(exc), file=scn.file, field=where) from None


def check_routes(scn: Scenario, machine: Machine, p: Placement, where: str) -> None:
    """Data moves between the LLM's device and every step's device, both ways: each needs a path."""
    for dev in sorted({*p.steps.values()} - {p.model}):
        for src, dst in ((p.model, dev), (dev, p.model)):
            try:
                machine.route(src, dst)
            except ValueError:
                raise ConfigError(f"no path from {src} to {dst} over the links of system {scn.system.name!r}; "
                                  "add a link (devices do not forward traffic; the host and switches do)",
                                  file=scn.file, field=f"{where}") from None
