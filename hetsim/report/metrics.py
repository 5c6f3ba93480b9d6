"""The metrics of one run, as a typed, immutable record.

`RunMetrics` is also a read-only mapping (`m["tpot_s"]`, `dict(m)`, `json.dumps(dict(m))`) so
tables, the summary and the sweep store read it as they read any mapping; the speedups against
the GPU-only run are absent from that mapping when there is no such run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from hetsim.provenance import ProvenanceLog

MEMORY_STEPS = ("prepare", "relevancy", "retrieval", "relevancy+retrieval")
OPTIONAL = ("speedup_vs_gpu_only", "tpot_speedup_vs_gpu_only", "energy_ratio_vs_gpu_only",
            "ttft_s_band", "tpot_s_band", "energy_j_band", "energy_per_token_j_band", "calibration_band")


@dataclass(frozen=True)
class RunMetrics(Mapping):
    ttft_s: float  # time to first token: the prefill and every request step before the first decode
    tpot_s: float  # decode time per output token (mean over the run)
    tpot_p50_s: float
    tpot_max_s: float
    e2e_s: float
    output_tokens: int
    decode_tokens_per_s: float
    step_time_per_token_s: dict[str, float]  # busy time per paper step per output token, after the first token
    step_share: dict[str, float]
    memory_processing_share: float
    step_time_total_s: dict[str, float]
    step_share_total: dict[str, float]
    memory_processing_share_total: float
    device_busy_frac: dict[str, float]  # engine -> busy fraction of the run
    link_busy_frac: dict[str, float]  # link direction -> busy fraction
    link_bytes: dict[str, float]
    energy_j: float
    energy_by_device_j: dict[str, dict[str, Any]]
    link_energy_j: float
    energy_per_request_j: float
    energy_per_token_j: float
    placement_devices: dict[str, str]
    micro_batches: int
    provenance_weakest: str
    provenance: dict[str, list[str]]
    calibration_profiles: dict[str, str]
    sim: dict[str, int]
    speedup_vs_gpu_only: float | None = None
    tpot_speedup_vs_gpu_only: float | None = None
    energy_ratio_vs_gpu_only: float | None = None
    # [low, high] over the run simulated with each calibration of its GPUs (hetsim.calibration.band);
    # absent where the GPUs have one calibration each
    ttft_s_band: tuple[float, float] | None = None
    tpot_s_band: tuple[float, float] | None = None
    energy_j_band: tuple[float, float] | None = None
    energy_per_token_j_band: tuple[float, float] | None = None
    calibration_band: str | None = None  # what the band rests on, e.g. "2 calibrations of H200"

    def __getitem__(self, key: str) -> Any:
        if key not in self._keys():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())

    def _keys(self) -> tuple[str, ...]:
        return tuple(f.name for f in fields(self) if not (f.name in OPTIONAL and getattr(self, f.name) is None))

    def as_dict(self) -> dict[str, Any]:
        return {k: self[k] for k in self}


def merged(*accs):
    """One accumulator holding the sums of `accs` (busy, step time, energy, link bytes)."""
    total = type(accs[0])()
    for a in accs:
        for attr in ("busy", "step_time", "energy", "link_bytes"):
            for k, v in getattr(a, attr).items():
                getattr(total, attr)[k] += v
        total.link_energy += a.link_energy
    return total


def shares(step_time: dict[str, float]) -> tuple[dict[str, float], float]:
    """Each step's share of the busy time, and the memory-processing steps' share together."""
    total = sum(step_time.values()) or 1.0
    out = {k: v / total for k, v in sorted(step_time.items())}
    return out, sum(v for k, v in out.items() if k in MEMORY_STEPS)


def used_devices(machine, placement, total) -> set[str]:
    """Devices a run uses: where its placement puts the LLM or a step, and any engine that worked."""
    busy = {r.partition(":")[0] for r, b in total.busy.items() if b > 0}
    return {placement.model, *placement.steps.values()} | (busy & set(machine.models))


def provenance_of(log: ProvenanceLog, machine, charged: set[str], total) -> ProvenanceLog:
    """The hardware figures a run rests on: a device or link it does not use is not one of them."""
    keep = {machine.models[d].name for d in charged}
    keep |= {machine.exp.device(d).host_link for d in charged}
    keep |= {link.spec.name for link in machine.links if any(r.startswith(f"{link.id}:") for r in total.busy)}
    drop = ({m.name for m in machine.models.values()} | {link.spec.name for link in machine.links}) - keep
    out = ProvenanceLog()
    out.used = {k: v for k, v in log.used.items() if not any(k.startswith(f"{name}.") for name in drop)}
    return out


def regrade_transferred(log: ProvenanceLog, machine) -> None:
    """A GPU model logs every key of its profile as calibrated; a transferred profile's keys
    (hetsim.calibration.transfer) rest on another GPU's calibration and say so."""
    for model in machine.models.values():
        prov = getattr(getattr(model, "profile", None), "provenance", None) or {}
        if "transferred_from" in prov:
            prefix = f"{model.name}.profile."
            for key in log.used:
                if key.startswith(prefix):
                    log.used[key] = "transferred"



def regrade_baseline(log: ProvenanceLog, machine) -> None:
    """Rate keys a GPU baseline set (hetsim.baselines) are its efficiencies, not the profile's fits:
    logged under `GPU.baseline.NAME.KEY` with the baseline's grade."""
    for model in machine.models.values():
        notes = getattr(getattr(model, "profile", None), "notes", None) or {}
        for key, note in notes.items():
            if isinstance(note, dict) and "baseline" in note and log.used.pop(f"{model.name}.profile.{key}", None):
                log.used[f"{model.name}.baseline.{note['baseline']}.{key}"] = note["grade"]


def calibration_profiles(machine) -> dict[str, str]:
    """device id -> the profile it was simulated with (a transfer names its source; a GPU timed by
    its datasheet model and a baseline's efficiencies only has none)."""
    out = dict(machine.profiles)
    for dev_id, model in machine.models.items():
        prov = getattr(getattr(model, "profile", None), "provenance", None) or {}
        if "transferred_from" in prov:
            out[dev_id] = f"transferred from {prov['transferred_from']}"
        elif "baseline" in prov and getattr(model.profile, "path", None) is None:
            out.pop(dev_id, None)
    return out


def compute_metrics(exp, machine, placement, log, ttft, steps, e2e, before, after, sim) -> RunMetrics:
    """A run's metrics from its accumulated busy time and energy, before (prefill, request steps)
    and after the first output token; `steps`: each output token's step time."""
    steps = np.asarray(steps, dtype=float)
    w = exp.spec.workload
    total = merged(before, after)
    n_out = max(len(steps), 1)
    per_token = {k: v / n_out for k, v in sorted(after.step_time.items())}
    share, mp_share = shares(after.step_time)
    share_total, mp_share_total = shares(total.step_time)
    used = used_devices(machine, placement, total)
    # a device no step uses is priced as absent (`simulation.idle_power: used`), see the README
    charged = set(machine.models) if exp.spec.simulation.idle_power == "all" else used
    idle_w = {d: m.idle_w if d in charged else 0.0 for d, m in machine.models.items()}
    energy_dev = {d: {"idle_j": idle_w[d] * e2e, "active_j": total.energy.get(d, 0.0),
                      "total_j": idle_w[d] * e2e + total.energy.get(d, 0.0), "used": d in used}
                  for d in machine.models}
    energy_total = sum(d["total_j"] for d in energy_dev.values()) + total.link_energy
    decode_s = e2e - ttft
    decode_energy = sum(idle_w.values()) * decode_s + sum(after.energy.values()) + after.link_energy
    log = provenance_of(log, machine, charged, total)
    regrade_transferred(log, machine)
    regrade_baseline(log, machine)
    requests = w.batch * placement.pipelined_batches  # every pipelined batch's requests
    return RunMetrics(
        ttft_s=ttft,
        tpot_s=decode_s / n_out,
        tpot_p50_s=float(np.median(steps)) if len(steps) else 0.0,
        tpot_max_s=float(steps.max()) if len(steps) else 0.0,
        e2e_s=e2e,
        output_tokens=len(steps),
        decode_tokens_per_s=requests * len(steps) / decode_s if decode_s > 0 else 0.0,
        step_time_per_token_s=per_token,
        step_share=share,
        memory_processing_share=mp_share,
        step_time_total_s=dict(sorted(total.step_time.items())),
        step_share_total=share_total,
        memory_processing_share_total=mp_share_total,
        device_busy_frac={r: b / e2e for r, b in sorted(total.busy.items()) if r.partition(":")[0] in machine.models},
        link_busy_frac={r: b / e2e for r, b in sorted(total.busy.items())
                        if r.partition(":")[0] not in machine.models},
        link_bytes=dict(sorted(total.link_bytes.items())),
        energy_j=energy_total,
        energy_by_device_j=energy_dev,
        link_energy_j=total.link_energy,
        energy_per_request_j=energy_total / requests,
        energy_per_token_j=decode_energy / (requests * n_out),
        placement_devices={"model": placement.model, **placement.steps},
        micro_batches=placement.micro_batches,
        provenance_weakest=log.weakest(),
        provenance=log.by_grade(),
        calibration_profiles=calibration_profiles(machine),
        sim={"iterations_simulated": sim.simulated, "iterations_reused": sim.reused, "events": sim.events},
    )
