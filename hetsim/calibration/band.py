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

from dataclasses import replace
from pathlib import Path

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
    """The scenario once per further calibration (variant 1..n-1; the run itself is variant 0);
    empty when every GPU has at most one calibration."""
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
    return variants


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
    if many:
        return "; ".join(f"{n} calibrations of {name}" for name, n in sorted(many.items()))
    if any(cals.values()):
        return "one calibration"
    if any((exp.device(d).profile or "").startswith("transfer") for d in cals):
        return "transferred profile: no band"
    return "no calibration"


def bands(values: list[dict]) -> dict[str, tuple[float, float]]:
    """metric -> (low, high) over the metrics of each variant's run."""
    return {f"{m}_band": (min(v[m] for v in values), max(v[m] for v in values)) for m in BANDED}
