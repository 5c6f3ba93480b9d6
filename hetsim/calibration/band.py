"""The uncertainty band of a run: the same experiment simulated with each calibration of its GPUs.

A GPU calibrated more than once (its profile in `calibration/profiles/` plus repeat runs of the
same device in `calibration/profiles/runs/`) has as many sets of fitted rates as calibrations;
they differ mostly in the host terms (`hetsim calibrate spread`). The band of a metric is its
lowest and highest value over those simulations: variant k gives every GPU of the system its
k-th calibration (its last one where it has fewer), variant 0 being the run itself. A band is
only as wide as the calibrations disagree: two runs are a floor on the uncertainty, not a
confidence interval. A system whose GPUs each have one calibration has no band, and says so.

Nothing is re-run where there is nothing to vary, so a run on a once-calibrated GPU costs the same.
"""

from __future__ import annotations

import statistics
from dataclasses import replace
from pathlib import Path

from hetsim.calibration import host_state
from hetsim.calibration.device_inputs import gpu_calibrations
from hetsim.calibration.gpu_profile import load_profile

BANDED = ("ttft_s", "tpot_s", "energy_j", "energy_per_token_j")  # metrics that get a [low, high]


def calibrations_of(exp) -> dict[str, list[Path]]:
    """GPU device id -> every calibration its default profile stands for (empty: none)."""
    out = {}
    for dev_id in exp.system.devices:
        spec = exp.device(dev_id)
        if spec.kind == "gpu":
            out[dev_id] = gpu_calibrations(spec)
    return out


def calibration_variants(exp) -> list:
    """The scenario once per further calibration (variant 1..n-1; the run itself is variant 0), then
    with its measured host keys at their sessions' 10th and 90th percentile figures (`host_sessions`), then with
    every host cost in the host's slow and fast state (`hetsim.calibration.host_state`, an eager hf stack only);
    empty when nothing was measured more than once."""
    cals = calibrations_of(exp)
    n = max((len(v) for v in cals.values()), default=0)
    variants = []
    for k in range(1, n):
        inputs = dict(exp.inputs)
        for dev_id, paths in cals.items():
            if len(paths) > 1:
                further = load_profile(paths[min(k, len(paths) - 1)])
                inputs[dev_id] = replace(inputs[dev_id], profile=completed(further, inputs[dev_id].profile))
        variants.append(replace(exp, inputs=inputs))
    sessions = {dev_id: host_sessions(exp.inputs[dev_id].profile) for dev_id in cals} if host_priced(exp) else {}
    for j in range(max((len(v) for v in sessions.values()), default=0)):
        inputs = dict(exp.inputs)
        for dev_id, profiles in sessions.items():
            if profiles:
                inputs[dev_id] = replace(inputs[dev_id], profile=profiles[min(j, len(profiles) - 1)])
        variants.append(replace(exp, inputs=inputs))
    states = host_states(exp, cals)
    for side in (0, 1) if any(states.values()) else ():
        inputs = dict(exp.inputs)
        for dev_id, state in states.items():
            if state:
                inputs[dev_id] = replace(inputs[dev_id], profile=host_state.scaled(exp.inputs[dev_id].profile,
                                                                                     state[side]))
        variants.append(replace(exp, inputs=inputs))
    return variants


def host_states(exp, cals) -> dict[str, tuple[float, float] | None]:
    """GPU device id -> the (low, high) host-state factors its profile records (the host faster, slower),
    where the run prices host work the state moves (an eager hf stack); empty otherwise."""
    if not host_priced(exp):
        return {}
    return {dev_id: host_state.of_profile(exp.inputs[dev_id].profile) for dev_id in cals}


def host_priced(exp) -> bool:
    """Whether the run prices the measured host keys (views, module calls, cuDNN plan builds): only an
    hf stack issued eagerly has them; a CUDA-graph replay or the fused lowering would re-run for nothing."""
    return exp.spec.workload.stack != "fused" and exp.spec.simulation.gpu_execution == "eager"


def session_values(profile) -> dict[str, list[float]]:
    """Each measured host key's figure per session it was timed in (the host_calls files a `measured` key's note
    lists; the profile takes their median), for the keys timed in more than one: host costs move between sessions on
    one machine type (a cuDNN plan build 51.6 and 56.4 ms)."""
    if profile is None:
        return {}
    values = {k: [f["value_s"] for f in (profile.notes.get(k, {}).get("measured") or {}).get("files", [])]
              for k in profile.rates}
    return {k: v for k, v in values.items() if len(v) > 1}


def host_session_count(profile) -> int:
    """How many sessions timed the profile's measured host keys (0: none timed in two)."""
    return max((len(v) for v in session_values(profile).values()), default=0)


SESSION_DECILES = (0, -1)  # the sessions' spread a band spans: their 10th and 90th percentiles, as host_state's


def host_sessions(profile) -> list:
    """The profile with every measured host key at its sessions' 10th percentile figure, then at their 90th: host work
    only adds time, so the two bracket the run at the sessions' middle figures (the band's low and high) in two runs
    however many sessions timed them (103 host_calls files of the H200: one run each made an eager hf run's band 100x
    its own cost; their extremes, a 332 % band on cuDNN plan builds). Empty when no key has two sessions."""
    values = session_values(profile)
    if not values:
        return []
    # linear between the sorted figures ("inclusive": the 10th percentile of two sessions lies between them)
    deciles = {k: statistics.quantiles(v, n=10, method="inclusive") for k, v in values.items()}
    return [replace(profile, rates={**profile.rates, **{k: replace(profile.rates[k], dispatch_s=d[at])
                                                        for k, d in deciles.items()}}) for at in SESSION_DECILES]


def completed(further, primary):
    """A further calibration with the rate keys it never measured taken from the run's own profile:
    a key measured once (e.g. the trace fit's regimes, added to one profile) has no spread to show,
    and falling back to a coarser key there would put a regime difference into the band."""
    if primary is None:
        return further
    return replace(further, rates={**primary.rates, **further.rates})


def band_note(exp) -> str:
    """What the band rests on, for the run table: e.g. `2 calibrations of H200` or `one calibration`."""
    cals = calibrations_of(exp)
    many = {exp.device(d).name: len(v) for d, v in cals.items() if len(v) > 1}
    sessions = {exp.device(d).name: host_session_count(exp.inputs[d].profile) for d in cals} if host_priced(exp) else {}
    parts = [f"{n} calibrations of {name}" for name, n in sorted(many.items())]
    parts += [f"host keys of {name} from {n} sessions" for name, n in sorted(sessions.items()) if n]
    parts += [f"host state of {exp.device(d).name} x{st[0]:.2f}-x{st[1]:.2f}"
              for d, st in sorted(host_states(exp, cals).items()) if st]
    if parts:
        return "; ".join(parts)
    if any(cals.values()):
        return "one calibration"
    if any((exp.device(d).profile or "").startswith("transfer") for d in cals):
        return "transferred profile: no band"
    return "no calibration"


def bands(values: list[dict]) -> dict[str, tuple[float, float]]:
    """metric -> (low, high) over the metrics of each variant's run."""
    return {f"{m}_band": (min(v[m] for v in values), max(v[m] for v in values)) for m in BANDED}
