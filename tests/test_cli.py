"""The CLI end to end, and every kind of bad input: exit code 2, one line naming the file and
the field, no traceback, no results folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / "configs" / "experiments" / "default.yaml"


def hetsim(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hetsim", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "COLUMNS": "200"})


def test_default_run_writes_summary_ops_and_trace(tmp_path):
    res = hetsim("run", "--json", "--out", str(tmp_path / "r"), "--set", "workload.decode_tokens=8")
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    labels = [r["label"] for r in summary["runs"]]
    assert labels == ["lserve/gpu-only", "lserve/paper", "dense/gpu-only"]
    assert summary["simulated"] is True
    out = tmp_path / "r"
    assert json.loads((out / "summary.json").read_text())["runs"][0]["tpot_s"] > 0
    import pandas as pd

    ops = pd.read_parquet(out / "ops.parquet")
    assert {"prefill", "decode"} <= set(ops["phase"]) and (ops["duration_s"] >= 0).all()
    trace = json.loads((out / "traces" / "lserve_paper.json").read_text())
    phases = {e["ph"] for e in trace["traceEvents"]}
    assert {"X", "M", "s", "f"} <= phases  # slices, track names, transfer flows
    names = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M"}
    assert {"gpu0", "fpga0", "stream", "cu"} <= names


def test_table_output_names_the_metrics(tmp_path):
    res = hetsim("run", "--out", str(tmp_path / "r"), "--set", "workload.decode_tokens=4")
    assert res.returncode == 0, res.stderr
    for text in ("time per output token", "TTFT", "memory-processing share", "energy per request",
                 "weakest provenance", "SIMULATED"):
        assert text in res.stdout


def test_devices_and_check_and_schema(tmp_path):
    res = hetsim("devices")
    assert res.returncode == 0, res.stderr
    for kind, name in (("gpu", "H100-SXM"), ("fpga", "U55C"), ("cpu", "host-cpu-2c")):  # every device kind
        assert name in res.stdout and f" {kind} " in res.stdout, name
    assert hetsim("check", str(DEFAULT)).returncode == 0
    assert hetsim("check", str(REPO / "configs" / "devices" / "U55C.yaml")).returncode == 0
    assert hetsim("schema", "--out", str(tmp_path)).returncode == 0
    schema = json.loads((tmp_path / "experiment.schema.json").read_text())
    assert "workload" in schema["properties"]


def _bad(tmp_path, mutate):
    data = yaml.safe_load(DEFAULT.read_text())
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _assert_clean_failure(tmp_path, path, *needles):
    out = tmp_path / "results"
    res = hetsim("run", str(path), "--out", str(out))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "Traceback" not in res.stderr
    msg = res.stderr.strip()
    assert len(msg.splitlines()) == 1, msg
    assert str(path) in msg.replace("\n", "")
    for n in needles:
        assert n in msg.replace("\n", ""), msg
    assert not out.exists()
    assert not any(p.name.startswith(".results") for p in tmp_path.iterdir())


def test_malformed_yaml(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nworkload: [unclosed\n")
    _assert_clean_failure(tmp_path, path, "malformed YAML", "line")


BAD_CASES = {
    "unknown_device": (lambda d: d.update(system={"name": "s", "devices": {"gpu0": "H900"},
                                                  "links": [{"type": "pcie_gen5_x16", "between": ["host", "gpu0"]}]}),
                       ("system.devices.gpu0", "unknown device 'H900'", "H100-SXM")),
    "unknown_model": (lambda d: d["workload"].update(model="Llama-9"), ("workload.model", "Llama-3.1-8B")),
    "unknown_method": (lambda d: d["workload"].update(method="magic"), ("workload.method", "lserve")),
    "zero_batch": (lambda d: d["workload"].update(batch=0), ("workload.batch", "greater than 0")),
    "negative_context": (lambda d: d["workload"].update(context_tokens=-5), ("workload.context_tokens",)),
    "topk_too_large": (lambda d: d["workload"].update(context_tokens=512),
                       ("workload.params.token_budget", "exceeds")),
    "budget_not_multiple": (lambda d: d["workload"]["params"].update(token_budget=1000),
                            ("workload.params.token_budget", "multiple of page_size")),
    "placement_unknown_device": (lambda d: d.update(placements=[{"name": "x", "relevancy": "fpga9"}]),
                                 ("placements[0].relevancy", "fpga9", "gpu0, fpga0")),
    "step_cannot_run_there": (lambda d: d.update(placements=[{"name": "x", "apply": "fpga0"}]),
                              ("placements[0]", "cannot run on a fpga")),
    "unknown_placement": (lambda d: d.update(placements=["fastest"]), ("placements[0]", "gpu-only")),
    "context_does_not_fit": (lambda d: d["workload"].update(context_tokens=400_000),
                             ("workload", "needs", "GB")),
    "unknown_field": (lambda d: d["workload"].update(bacth=3), ("workload.bacth", "unknown field")),
    "topk_beyond_fpga_kernel": (lambda d: d["workload"]["params"].update(token_budget=2048),
                                ("workload.params.token_budget", "at most the top 64")),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_is_one_clear_error(tmp_path, case):
    mutate, needles = BAD_CASES[case]
    _assert_clean_failure(tmp_path, _bad(tmp_path, mutate), *needles)


def test_missing_file(tmp_path):
    res = hetsim("run", str(tmp_path / "nope.yaml"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{tmp_path / 'nope.yaml'}: file not found" in res.stderr.replace("\n", "")


def test_calibrate_fpga_without_a_card_is_a_clean_error(tmp_path):
    res = hetsim("calibrate", "fpga", "--out", str(tmp_path / "p.yaml"), "--xclbin", str(tmp_path / "none.xclbin"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    # exit 2 is also click's answer to a mistyped option: the message must be hetsim's own
    msg = res.stderr.replace("\n", "")
    assert "needs an xclbin" in msg and "none.xclbin" in msg and "is not a file" in msg, msg
    assert "No such option" not in msg and "Usage:" not in msg
    assert not (tmp_path / "p.yaml").exists()


def test_calibrate_fpga_csim_writes_a_profile_never_marked_measured(tmp_path):
    out = tmp_path / "u55c_csim.yaml"
    res = hetsim("calibrate", "fpga", "--backend", "csim", "--out", str(out), "--sizes", "256,1024,2048",
                 "--repeats", "2")
    assert res.returncode == 0, res.stderr
    profile = yaml.safe_load(out.read_text())
    assert profile["measured"] is False and profile["provenance"]["source"] == "csim"
    assert out.with_suffix(".parquet").exists()
