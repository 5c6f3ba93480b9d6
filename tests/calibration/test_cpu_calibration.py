"""`hetsim calibrate cpu` on a tiny size: a profile with provenance and the raw Parquet beside it,
read back into the CPU model."""

import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from hetsim.calibration.cpu_profile import load_cpu_profile
from hetsim.hardware.cpu import CpuModel


def test_calibrate_cpu_tiny_writes_profile_and_raw(tmp_path, catalogue):
    out = tmp_path / "cpu.yaml"
    res = subprocess.run([sys.executable, "-m", "hetsim", "calibrate", "cpu", "--out", str(out), "--tiny"],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    doc = yaml.safe_load(out.read_text())
    assert doc["kind"] == "cpu-profile" and doc["device"] == "host-cpu-2c"
    prov = doc["provenance"]
    assert prov["source"] == "measured" and prov["cores"] == os.cpu_count() and prov["numpy"]
    raw = pd.read_parquet(tmp_path / "cpu.parquet")
    assert {"stream", "gather", "scatter_add", "topk", "topk_call", "matmul"} <= set(raw["op_class"])
    grid = doc["fits"]["topk"]
    assert {(g["target_bytes"], g["scored_share"]) for g in grid} == {(b, s) for b in (4 << 10, 64 << 10)
                                                                      for s in (0.01, 1.0)}
    assert doc["fits"]["topk_call_us"]["value"] > 0
    assert (raw["seconds"] > 0).all() and "load_avg_1m" in raw
    model = CpuModel(catalogue.devices["host-cpu-2c"], load_cpu_profile(out))
    assert model.stream_bw > 0 and model.rate("scatter_add", 1 << 20) > 0
    assert len(model.topk_grid) == 4 and model.topk_rate(1 << 15, 0.05) > 0 and model.topk_call_s > 0


def test_calibrate_cpu_unknown_device_exits_2_with_one_line(tmp_path):
    res = subprocess.run([sys.executable, "-m", "hetsim", "calibrate", "cpu", "--out", str(tmp_path / "c.yaml"),
                          "--device-name", "host-cpu-2d", "--tiny"], capture_output=True, text=True)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "did you mean 'host-cpu-2c'" in res.stderr
    assert not (tmp_path / "c.yaml").exists()


def test_validate_cpu_bm25_tiny_prints_model_and_measured_columns():
    pytest.importorskip("bm25s")
    res = subprocess.run([sys.executable, "-m", "hetsim", "validate", "cpu-bm25", "--docs", "1000", "--queries", "4"],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert "measured ms" in res.stdout and "model ms" in res.stdout and "1,000" in res.stdout
    assert "median |error|" in res.stdout
    # judged on micro-ops measured here, the stored profile's prediction beside it, labelled a transfer
    assert "micro-ops here" in res.stdout and "host-cpu-2c.yaml" in res.stdout
    assert "(micro-ops measured here; target 15%)" in res.stdout and "transfer, not judged" in res.stdout


def test_validate_cpu_bm25_stored_judges_the_stored_profile_and_measures_no_micro_ops():
    pytest.importorskip("bm25s")
    res = subprocess.run([sys.executable, "-m", "hetsim", "validate", "cpu-bm25", "--docs", "1000", "--queries", "4",
                          "--stored"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert "micro-ops here" not in res.stdout and "transfer" not in res.stdout
    assert "(host-cpu-2c.yaml, measured 20" in res.stdout


def test_calibrate_cpu_never_replaces_a_file_it_did_not_write(tmp_path):
    from hetsim.calibration.cpu_suite import calibrate_cpu
    from hetsim.errors import ConfigError

    mine = tmp_path / "notes.yaml"
    mine.write_text("kind: my-notes\n")
    with pytest.raises(ConfigError, match="never replaces"):
        calibrate_cpu(mine, "host-cpu-2c", "tiny")
    assert mine.read_text() == "kind: my-notes\n"
    assert not mine.with_suffix(".parquet").exists()
