"""`hetsim calibrate cpu` on a tiny size: a profile with provenance and the raw Parquet beside it,
read back into the CPU model."""

import os
import subprocess
import sys

import pandas as pd
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
    assert {"stream", "gather", "scatter_add", "topk", "matmul"} <= set(raw["op_class"])
    assert (raw["seconds"] > 0).all() and "load_avg_1m" in raw
    model = CpuModel(catalogue.devices["host-cpu-2c"], load_cpu_profile(out))
    assert model.stream_bw > 0 and model.rate("scatter_add", 1 << 20) > 0


def test_calibrate_cpu_unknown_device_exits_2_with_one_line(tmp_path):
    res = subprocess.run([sys.executable, "-m", "hetsim", "calibrate", "cpu", "--out", str(tmp_path / "c.yaml"),
                          "--device-name", "host-cpu-2d", "--tiny"], capture_output=True, text=True)
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "did you mean 'host-cpu-2c'" in res.stderr
    assert not (tmp_path / "c.yaml").exists()
