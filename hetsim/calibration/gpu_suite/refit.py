"""Fit a profile again from the readings beside it: no device, no torch. The provenance of the
measurement is kept and the refit is recorded in it."""

from __future__ import annotations

import datetime as dt
import shlex
from pathlib import Path

from hetsim.calibration.cases import load_cases
from hetsim.calibration.gpu_profile import PowerReading, load_profile, write_profile
from hetsim.calibration.gpu_suite.fitting import build_profile, fit_rows, host_mix_from_rows, power_from_rows
from hetsim.calibration.gpu_suite.report import format_fits, format_validation
from hetsim.calibration.gpu_suite.rows import read_raw
from hetsim.calibration.gpu_suite.settings import SUITE_VERSION
from hetsim.errors import ConfigError


def refit(profile_path: Path, log=print) -> Path:
    """Fit again from the raw measurements beside a profile (no device needed)."""
    profile_path = Path(profile_path)
    old = load_profile(profile_path)
    if old.raw_path is None:
        raise ConfigError("the profile names no raw measurements to fit again", file=str(profile_path), field="raw")
    rows = read_raw(old.raw_path).to_dict("records")
    prov = dict(old.provenance)
    separate = prov.get("timer") == "cuda-events"
    slots = float(prov.get("sm_count") or prov.get("threads") or 0)
    fits = fit_rows(rows, separate, slots)
    host_mix, mixes = host_mix_from_rows(rows)
    meter = old.power or PowerReading("none")
    if not (isinstance(prov.get("git_commit"), str) and len(prov["git_commit"]) == 40):
        prov["git_commit"] = None  # suite version 3 wrote git's error text where the tree had no .git
    prov["refit"] = {"date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                     "suite_version": SUITE_VERSION, "from": old.raw,
                     "command": "python -m hetsim.calibration.gpu_suite --refit " + shlex.quote(str(profile_path))}
    profile = build_profile(old.device, prov, fits, power_from_rows(rows), old.idle_w, meter, old.raw,
                            old.validation, host_mix, mixes)
    profile = refit_traced(profile, log)
    write_profile(profile_path, profile)
    log(format_fits(fits))
    if old.validation_path is not None and old.validation_path.is_file():
        log(format_validation(fits, load_cases(old.validation_path).cases, host_mix))
    return profile_path


def refit_traced(profile, log=print):
    """The trace fit's keys fitted again from the aten sweep and host calls its provenance names
    (hetsim.calibration.trace_fit), so a refit keeps them; a profile without a trace fit is returned as is."""
    tf = profile.provenance.get("trace_fit") or {}
    if not tf.get("cases"):
        return profile
    from hetsim.calibration.paths import REPO_ROOT
    from hetsim.calibration.trace_fit import add_to_profile, default_composites, fit_profile, load_host_calls, pool

    # one aten sweep file or several (trace_fit --cases repeated)
    cases = [REPO_ROOT / c for c in tf["cases"]] if isinstance(tf["cases"], list) else REPO_ROOT / tf["cases"]
    hosts = [REPO_ROOT / f["file"] for f in (tf.get("host_calls") or {}).get("files", [])]
    # the composites the fit left out, as it recorded them (a later composites session must not move the keys)
    composites = [REPO_ROOT / c for c in tf["composites"]] if "composites" in tf else default_composites(profile.device)
    pooled = bool(tf.get("pooled"))
    fitted = fit_profile(profile, cases, hosts, composites, pooled=pooled)
    log(f"trace fit again from {tf['cases']}: {', '.join(sorted(fitted))}")
    return add_to_profile(profile, fitted, tf["command"], pool([load_host_calls(h) for h in hosts]), cases, pooled,
                          composites)
