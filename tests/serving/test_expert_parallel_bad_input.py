"""Bad expert-parallel input: exit code 2 and one line naming the file and the field, nothing
written; `hetsim check` refuses what `hetsim run` would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hetsim.errors import ConfigError
from hetsim.scenario import load_experiment

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
def test_bad_expert_parallel_input(tmp_path, catalogue, base, update, top, needles):
    path = experiment(tmp_path, base, update, **top)
    with pytest.raises(ConfigError) as err:
        load_experiment(path, catalogue)
    line = str(err.value)
    assert "\n" not in line and err.value.file == str(path)
    for n in needles:
        assert n in line, line


@pytest.mark.parametrize("command", ["check", "run"])
def test_the_cli_exits_2_with_one_line_and_writes_nothing(tmp_path, command):
    path = experiment(tmp_path, "serving_ep.yaml", {"tensor_parallel": 4})
    res = hetsim(command, str(path), *(["--out", str(tmp_path / "o")] if command == "run" else []))
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr
    assert str(path) in lines[0] and "serving.expert_parallel.gpus" in lines[0]
    assert not (tmp_path / "o").exists()
