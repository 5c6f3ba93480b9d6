"""Bad expert-parallel input: exit code 2 and one line naming the file and the field, nothing
written; `hetsim check` refuses what `hetsim run` would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

EXPERIMENTS = Path(__file__).resolve().parents[2] / "configs" / "experiments"


def hetsim(*args):
    return subprocess.run([sys.executable, "-m", "hetsim", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


def experiment(tmp_path, base, serving_update, **top):
    data = yaml.safe_load((EXPERIMENTS / base).read_text())
    data["serving"].update(serving_update)
    data["serving"]["requests"]["count"] = 10
    data.update(top)
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("base,update,top,needles", [
    ("serving_tp.yaml", {"expert_parallel": {"gpus": 2}}, {},
     ["serving.expert_parallel.gpus", "Llama-3.1-8B has no MoE layers"]),
    ("serving_ep.yaml", {"tensor_parallel": 4}, {},
     ["serving.expert_parallel.gpus", "must equal serving.tensor_parallel (4)"]),
    ("serving_ep.yaml", {"expert_parallel": {"gpus": 8, "comett": True}}, {},
     ["serving.expert_parallel", "unknown field 'comett'", "did you mean 'comet'"]),
    ("serving_ep.yaml", {"expert_parallel": {"gpus": 8, "comm_sm_share": 1.0}}, {},
     ["serving.expert_parallel.comm_sm_share", "less than 1"]),
    ("serving_ep.yaml", {"expert_parallel": {"gpus": 3}, "tensor_parallel": 3}, {},
     ["serving.expert_parallel.gpus", "256 experts do not split evenly over 3 GPUs"]),
    ("serving_ep.yaml", {"expert_parallel": None}, {},
     ["serving.tensor_parallel", "expert_parallel"]),
    ("serving_ep.yaml", {}, {"system": "2xh200_nvlink"},
     ["serving.expert_parallel.gpus", "has 2 GPU(s)"]),
])
def test_bad_expert_parallel_input(tmp_path, base, update, top, needles):
    res = hetsim("check", str(experiment(tmp_path, base, update, **top)))
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    for n in (str(tmp_path / "exp.yaml"), *needles):
        assert n in lines[0], lines[0]


def test_run_refuses_it_too_and_writes_nothing(tmp_path):
    res = hetsim("run", str(experiment(tmp_path, "serving_ep.yaml", {"tensor_parallel": 4})), "--out",
                 str(tmp_path / "o"))
    assert res.returncode == 2 and "serving.expert_parallel.gpus" in res.stderr
    assert not (tmp_path / "o").exists()
