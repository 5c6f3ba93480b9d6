"""The host's state spread: how much slower or faster the same host work runs from one spell to the next.

On the lent machines the host issue time of the same op, shapes and call moves by 20-60 % between
spells of a fraction of a second (a second end-to-end session ran hf-dynamic decode at 67-82 ms per step
at some points and 99-113 ms at others). No model of the code predicts the spell a run falls in, so it
belongs in the band, not in the point prediction. It is read from op cases streamed in interleaved
passes (`python -m hetsim.calibration.e2e measure` writes `cpu_rounds_s`): every pass's host time over
its case's median over passes, pooled; `low` / `high` are the 10th / 90th percentiles of that ratio.
The band (hetsim.calibration.band) then runs an eager hf-stack experiment twice more with every
profile rate key's host issue time (dispatch_s, the measured host keys included) scaled by `low` and
by `high`; assumed host figures outside the profile (`host_sync`, a serving manager's work) are not.

    python -m hetsim.calibration.host_state --profile calibration/profiles/H200.yaml \\
        --cases calibration/e2e/H200-2026-12-01b/ops.parquet [--write]

`--write` records it as `provenance.host_state` in the profile (that block only; nothing else in the
file changes). Only the spread of each case around its own median is used, never the cases' values:
those stay op-level validation (`hetsim validate ops`).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
from pathlib import Path
from typing import Any

from hetsim.calibration.paths import repo_relative
from hetsim.errors import ConfigError, HetsimError

QUANTILES = (0.1, 0.9)
COLUMN = "cpu_rounds_s"  # host issue time per pass (e2e measure's op cases)
COMMAND = "python -m hetsim.calibration.host_state --profile {profile} --cases {cases} --write"


def spread_of(paths: list[Path]) -> dict[str, Any]:
    """{low, high, passes, cases, files}: the pooled pass / case-median ratios of host issue time."""
    from hetsim.calibration.trace_cases import load_cases, nearest_rank

    ratios, cases, files = [], 0, []
    for path in paths:
        for case in load_cases(path):
            passes = case.passes.get("host", [])
            if len(passes) > 1 and (m := statistics.median(passes)) > 0:
                ratios += [x / m for x in passes]
                cases += 1
        files.append({"file": repo_relative(path), "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]})
    if not ratios:
        raise ConfigError(f"no case with two or more passes ({COLUMN}): measure the op cases in interleaved passes "
                          "(e2e measure, grid op_rounds >= 2)", file=str(paths[0]))
    ratios.sort()
    low, high = (nearest_rank(ratios, q) for q in QUANTILES)
    return {"low": round(low, 4), "high": round(high, 4), "passes": len(ratios), "cases": cases,
            "quantiles": list(QUANTILES), "files": files, "source": "measured",
            "note": "host issue time of the same op case from pass to pass (interleaved), over the case's median; "
                    "the band scales every dispatch_s by low and high"}


def of_profile(profile) -> tuple[float, float] | None:
    """(low, high) recorded in a profile (None: none)."""
    hs = (getattr(profile, "provenance", None) or {}).get("host_state")
    return (float(hs["low"]), float(hs["high"])) if hs else None


# a lease's host speed: a torch binding's issue time (`mul_binding` of host_calls.json; a runner's host probe,
# host_calls.kernel_call_s, times the same call); trace_fit scales every lease's host times to the median of it
HOST_SPEED_FIELD = "mul_binding"


def host_reference(profile) -> float | None:
    """The median `mul_binding` of the host_calls files the profile's trace fit names (the leases its host
    figures come from), or None where it names none or they lack the figure: what a runner's probe of the host
    (host_calls.kernel_call_s, the same call) is divided by to say how fast the host ran against the leases the
    profile's host figures come from."""
    import json

    from hetsim.calibration.paths import REPO_ROOT

    files = ((getattr(profile, "provenance", None) or {}).get("trace_fit", {}).get("host_calls", {})
             .get("files", []))
    values = []
    for f in files:
        path = REPO_ROOT / f["file"]
        if path.is_file() and isinstance(v := json.loads(path.read_text()).get(HOST_SPEED_FIELD), int | float):
            values.append(float(v))
    return statistics.median(values) if values else None


def scaled(profile, factor: float):
    """The profile with every rate key's host issue time scaled by `factor` (the host in another state)."""
    from dataclasses import replace

    return replace(profile, rates={k: replace(r, dispatch_s=r.dispatch_s * factor) for k, r in profile.rates.items()})


def write(path: Path, state: dict[str, Any]) -> None:
    """Put `state` as `provenance.host_state` in the profile file (replacing a previous one), keeping
    every other line. The new text is written beside the file and read back first: it must load as the
    old profile plus that block, or the file is left as it was (ConfigError)."""
    import os

    import yaml

    from hetsim.calibration.gpu_profile import _plain, load_profile, profile_to_dict

    path = Path(path)
    before = load_profile(path)
    lines = path.read_text().splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.rstrip() == "provenance:"), None)
    if start is None:  # e.g. `provenance: {}` (a profile written whole): its block has no lines to add to
        raise ConfigError("expected a `provenance:` block of entries to add host_state to", file=str(path),
                          field="provenance")
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "#", "\n", "")), len(lines))
    i = next((j for j in range(start + 1, end) if lines[j].startswith("  host_state:")), None)
    if i is not None:  # a previous spread: replace it
        j = i + 1
        while j < end and lines[j].startswith("    "):
            j += 1
        del lines[i:j]
        end -= j - i
    body = yaml.safe_dump({"host_state": _plain(state)}, sort_keys=False, width=120)
    lines[end:end] = ["  " + ln for ln in body.splitlines(keepends=True)]
    tmp = path.with_name(f".{path.name}.host_state.tmp")
    try:
        tmp.write_text("".join(lines))
        want = profile_to_dict(before)
        want["provenance"] = {**want["provenance"], "host_state": _plain(state)}
        if profile_to_dict(load_profile(tmp)) != want:
            raise ConfigError("the profile with host_state would not read back as the old one plus that block; "
                              "left unchanged", file=str(path), field="provenance.host_state")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    from hetsim.calibration.gpu_profile import load_profile

    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.host_state", description=__doc__.splitlines()[0])
    ap.add_argument("--profile", type=Path, required=True, help="GPU profile to record the spread in")
    ap.add_argument("--cases", type=Path, action="append", required=True,
                    help="op cases streamed in interleaved passes (e2e measure's ops.parquet), repeatable")
    ap.add_argument("--write", action="store_true", help="write it into the profile (else print it)")
    args = ap.parse_args(argv)
    try:
        load_profile(args.profile)
        state = spread_of(args.cases)
    except HetsimError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    state["command"] = COMMAND.format(profile=args.profile, cases=" --cases ".join(map(str, args.cases)))
    print(f"host state: x{state['low']:.3f} .. x{state['high']:.3f} (p10 / p90 of {state['passes']} passes over "
          f"{state['cases']} cases)")
    if args.write:
        try:
            write(args.profile, state)
        except HetsimError as exc:
            print(f"error: {exc.render()}", file=sys.stderr)
            return 2
        print(f"wrote provenance.host_state into {args.profile}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
