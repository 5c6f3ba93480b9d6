"""`hetsim validate ops` pools several sweeps' cases when --cases repeats (the blind checks scored together)."""

from __future__ import annotations

import json

from hetsim.calibration.paths import REPO_ROOT

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def test_repeated_cases_files_are_scored_together(cli):
    a, b = (RUNS / f"H200-aten-realcode-{g}.parquet" for g in ("more21-2026-12-04", "more22-2026-12-04"))
    each = [json.loads(cli("validate", "ops", "--cases", p, "--json").stdout) for p in (a, b)]
    both = json.loads(cli("validate", "ops", "--cases", a, "--cases", b, "--json").stdout)
    assert len(both["results"]) == sum(len(e["results"]) for e in each) > 100
    assert [r["case"] for r in both["results"]] == [r["case"] for e in each for r in e["results"]]
    assert str(a) in both["cases"] and str(b) in both["cases"]
    missing = cli("validate", "ops", "--cases", a, "--cases", RUNS / "nowhere.parquet")
    assert missing.exit_code == 2 and "nowhere.parquet" in missing.output
