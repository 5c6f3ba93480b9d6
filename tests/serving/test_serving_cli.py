"""`hetsim run` of a serving experiment writes the results folder with the serving files, and every
example serving experiment passes `hetsim check`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hetsim.check import check_file

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "configs" / "experiments").glob("serving_*.yaml"))


def test_there_is_an_example_per_feature():
    names = {p.stem for p in EXAMPLES}
    assert {"serving_static", "serving_continuous", "serving_chunked", "serving_prefix", "serving_trace",
            "serving_preemption", "serving_capacity", "serving_tp", "serving_rag"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_check(path, catalogue):
    assert check_file(path, {"serving.requests.count": 20} if "trace" not in path.stem and "validation" not in
                      path.stem else {}, catalogue) == "experiment"


def test_run_writes_requests_trace_and_plots(tmp_path):
    out = tmp_path / "r"
    config = REPO / "configs" / "experiments" / "serving_capacity.yaml"
    res = subprocess.run([sys.executable, "-m", "hetsim", "run", str(config), "--json", "--out", str(out),
                          "--set", "serving.requests.count=40",
                          "--set", "serving.rates_per_s=[2, 8]",
                          "--set", "serving.capacity_search={low_per_s: 0.5, high_per_s: 1000, iterations: 3}"],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert summary["mode"] == "serving"
    assert [r["rate_per_s"] for r in summary["runs"]] == [None, 2, 8]
    cap = summary["capacity"][0]
    assert 0.5 <= cap["capacity_per_s"] < 1000 and len(cap["probes"]) == 2 + 3 * 3  # bounds, 3 rounds of 3
    req = pd.read_parquet(out / "requests.parquet")
    assert len(req) == 3 * 40 and (req.ttft_s > 0).all()
    trace = json.loads((out / "traces" / "dense_gpu-only.json").read_text())
    names = {e["name"] for e in trace["traceEvents"] if e["ph"] == "X"}
    assert {"prefill", "decode"} <= names
    lanes = {e["tid"] for e in trace["traceEvents"] if e.get("cat") == "request"}
    assert 1 <= len(lanes) < 40  # requests share lanes when they do not overlap
    assert (out / "plots" / "latency_cdf.png").stat().st_size > 0
    assert (out / "plots" / "throughput_latency.png").stat().st_size > 0
    assert json.loads((out / "summary.json").read_text())["runs"][0]["requests"] == 40
