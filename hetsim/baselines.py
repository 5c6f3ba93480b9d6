"""Applying a named GPU baseline (`hetsim.config.baselines`) to an experiment.

Three effects, all decided when the scenario is resolved:
  the spec      `workload.stack` and `simulation.gpu_execution` become the baseline's (a file that
                sets either to something else is refused: one experiment, one GPU software);
  the GPU model each GPU's rates for the baseline's rate keys (and the keys that refine them) are
                replaced by its efficiencies times the datasheet roofline, graded as the baseline
                grades them (`assumed` / `derived`), named `GPU.baseline.NAME.KEY` in the run's
                provenance; the other keys keep the calibration profile or the datasheet model;
  the reference the built-in `gpu-only` placement runs relevancy and retrieval on the system's
                host CPU when the baseline says `memory_steps_on: cpu` (`hetsim.placement`).
An efficiency must describe the method's own kernels: a key the LLM layers also use under the
baseline's stack is refused rather than silently slowing the layers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from hetsim.calibration.gpu_profile import GpuProfile
from hetsim.config.baselines import BaselineSpec, KernelEfficiency, select_baseline
from hetsim.config.errors import did_you_mean
from hetsim.config.schema import ExperimentSpec, GpuSpec
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import ASSUMED_FRACTIONS, REGIME_FALLBACK, OpClassRates, rate_keys
from hetsim.units import GB, TERA
from hetsim.workloads.base import Decode, Prefill

# rate keys that refine a key (hetsim.hardware.gpu.rate_keys): an efficiency for the key covers them
REFINEMENTS: dict[str, tuple[str, ...]] = {
    "topk": ("topk_singleblock", "topk_multiblock"),
    "reduction": ("reduction_narrow",),
    "gather": ("gather_narrow",),
    "bmm": ("bmm_unaligned",),
    "matmul": ("matmul_unaligned", "bmm", "bmm_unaligned"),
    "attention": ("attention_decode", "attention_prefill", "attention_masked"),
}
MATRIX_KEYS = {"matmul", "matmul_unaligned", "bmm", "bmm_unaligned"}
KNOWN_KEYS = sorted({*ASSUMED_FRACTIONS, *REGIME_FALLBACK, *REFINEMENTS,
                     *(k for ks in REFINEMENTS.values() for k in ks)})


def resolve_baseline(spec: ExperimentSpec, file: str, root) -> tuple[ExperimentSpec, BaselineSpec | None]:
    """The spec with the selected baseline's stack and GPU execution, and the baseline (None: none selected)."""
    if spec.gpu_baseline is None:
        return spec, None
    b = select_baseline(root, spec.gpu_baseline, spec.workload.method, file)
    for key in b.efficiencies:
        if key not in KNOWN_KEYS:
            raise ConfigError(f"baseline {b.name}: unknown GPU rate key {key!r}{did_you_mean(key, KNOWN_KEYS)}",
                              file=file, field=f"gpu_baseline ({b.name}.efficiencies)")
    w, sim = spec.workload, spec.simulation
    for section, name, value in ((w, "stack", b.stack), (sim, "gpu_execution", b.gpu_execution)):
        if name in section.model_fields_set and getattr(section, name) != value:
            where = "workload" if section is w else "simulation"
            raise ConfigError(f"gpu_baseline {b.name} runs {name} {value!r}, the file sets {getattr(section, name)!r}; "
                              "remove one of the two", file=file, field=f"{where}.{name}")
    spec = spec.model_copy(update={"workload": w.model_copy(update={"stack": b.stack}),
                                   "simulation": sim.model_copy(update={"gpu_execution": b.gpu_execution})})
    return spec, b


def covered_keys(b: BaselineSpec, profile_keys) -> dict[str, KernelEfficiency]:
    """Every rate key the baseline's efficiencies set: each named key and the keys refining it."""
    out: dict[str, KernelEfficiency] = {}
    for key, eff in b.efficiencies.items():
        for k in (key, *REFINEMENTS.get(key, ()), *(p for p in profile_keys if p.startswith(key + "_"))):
            out.setdefault(k, eff)
    for key, eff in b.efficiencies.items():  # a key named itself wins over a refinement of another
        out[key] = eff
    return out


def check_efficiencies(method, b: BaselineSpec | None, file: str) -> None:
    """Refuse an efficiency whose rate key the LLM layers also use (it would slow them too)."""
    if b is None or not b.efficiencies:
        return
    w = method.workload
    used: set[str] = set()
    for phase in (Decode(1, w.context_tokens), Prefill(min(w.context_tokens, 512))):
        try:
            pre, post = method.layer_model_ops("gpu", phase, 1)
        except ValueError:
            continue
        for op in (*pre, *post, *method.lm_head_ops(phase, 1)):
            used.update(rate_keys(op))
    clash = sorted(set(covered_keys(b, ())) & used)
    if clash:
        raise ConfigError(f"baseline {b.name}: efficiencies for {', '.join(clash)} would also time the LLM layers "
                          f"under stack {w.stack} (they use those rate keys); name a key only the method's steps use",
                          file=file, field="gpu_baseline")


def _rates(spec: GpuSpec, key: str, eff: KernelEfficiency, base: OpClassRates | None) -> OpClassRates:
    bw = float(spec.hbm_bw_gbps) * GB * eff.bw
    if eff.flop is not None:
        peak = spec.matrix_tflops["bf16"] if key in MATRIX_KEYS else spec.vector_tflops
        flop = float(peak) * TERA * eff.flop
    elif base is not None:
        flop = base.flop_rate
    else:
        frac = ASSUMED_FRACTIONS.get(key, ASSUMED_FRACTIONS.get(key.split("_")[0], (1.0, 1.0)))[1]
        peak = spec.matrix_tflops["bf16"] if key in MATRIX_KEYS else spec.vector_tflops
        flop = float(peak) * TERA * frac
    overhead = base.overhead_s if base is not None else float(spec.launch_overhead_us) * 1e-6
    # the host still issues the kernel as before; the device side is the baseline's roofline
    return OpClassRates(overhead, bw, flop if flop > 0 else math.inf, source=eff.source,
                        dispatch_s=base.dispatch_s if base is not None else 0.0,
                        dtype="bf16" if key in MATRIX_KEYS else None)


def overlay_profile(spec: GpuSpec, profile: GpuProfile | None, b: BaselineSpec) -> GpuProfile:
    """`profile` (None: the datasheet model) with the baseline's rate keys replaced; each replaced
    key's note says which baseline set it and how it is graded (`hetsim.report.metrics` re-grades it)."""
    rates = dict(profile.rates) if profile is not None else {}
    notes = dict(profile.notes) if profile is not None else {}
    for key, eff in covered_keys(b, rates).items():
        base = rates.get(key)
        if base is None:  # the nearest key it falls back to, as the GPU model would
            base = next((rates[k] for k in REGIME_FALLBACK.get(key, ()) if k in rates), None)
        rates[key] = _rates(spec, key, eff, base)
        notes[key] = {"baseline": b.name, "grade": eff.source, "ref": eff.ref}
    if profile is not None:
        return replace(profile, rates=rates, notes=notes)
    return GpuProfile(device=spec.name, provenance={"baseline": b.name}, rates=rates, notes=notes)


def apply_to_inputs(inputs: Mapping, devices: Mapping, b: BaselineSpec | None) -> Mapping:
    """Device inputs by id with every GPU's profile overlaid by the baseline's efficiencies."""
    if b is None or not b.efficiencies:
        return inputs
    out = dict(inputs)
    for dev_id, spec in devices.items():
        if isinstance(spec, GpuSpec):
            out[dev_id] = replace(inputs[dev_id], profile=overlay_profile(spec, inputs[dev_id].profile, b))
    return MappingProxyType(out)
