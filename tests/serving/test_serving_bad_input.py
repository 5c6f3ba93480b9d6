"""Bad serving input: exit code 2 and one line naming the file and the field or row; `hetsim
check` refuses exactly what `hetsim run` would."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

CHUNKED = Path(__file__).resolve().parents[2] / "configs" / "experiments" / "serving_chunked.yaml"


def hetsim(*args):
    return subprocess.run([sys.executable, "-m", "hetsim", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


def experiment(tmp_path, serving_update):
    data = yaml.safe_load(CHUNKED.read_text())
    data["serving"].update(serving_update)
    data["serving"]["requests"]["count"] = 20
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def one_error_line(res, *needles):
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for n in needles:
        assert n in lines[0], lines[0]
    assert "Traceback" not in res.stderr


def write_csv(tmp_path, text):
    (tmp_path / "t.csv").write_text(text)
    return {"requests": {"trace": "t.csv"}}


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("update,needles", [
    ({"requests": {"arrivals": {"process": "poisson", "rate_per_s": -2}}}, ["serving.requests.arrivals.rate_per_s",
                                                                          "greater than 0"]),
    ({"kv": {"block_tokens": 0}}, ["serving.kv.block_tokens"]),
    ({"slo": {"ttft_s": 0.0001, "tpot_s": 0.1}}, ["serving.slo.ttft_s", "no arrival rate"]),
    ({"slo": {"ttft_s": 5, "tpot_s": 0.0001}}, ["serving.slo.tpot_s", "no arrival rate"]),
    ({"schedular": {}}, ["unknown field 'schedular'", "did you mean 'scheduler'"]),
    ({"requests": {"prompt_tokens": {"dist": "lognormal"}}}, ["serving.requests.prompt_tokens", "median"]),
])
def test_bad_serving_fields(tmp_path, command, update, needles):
    res = hetsim(command, str(experiment(tmp_path, update)), *(["--out", str(tmp_path / "o")] if command == "run"
                                                                else []))
    one_error_line(res, str(tmp_path / "exp.yaml"), *needles)
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("text,needles", [
    ("arrival_s,prompt_tokens\n0,10\n", ["t.csv", "missing column(s) output_tokens"]),
    ("arrival_s,prompt_tokens,output_tokens\n0,10,5\n2,10,5\n1,10,5\n", ["t.csv", "row 4", "before the previous"]),
    ("arrival_s,prompt_tokens,output_tokens\n0,10,5\n1,ten,5\n", ["t.csv", "row 3", "prompt_tokens 'ten'"]),
    ("arrival_s,prompt_tokens,output_tokens\n0,0,5\n", ["t.csv", "row 2", "prompt_tokens must be > 0"]),
])
def test_bad_trace_names_file_and_row(tmp_path, text, needles):
    res = hetsim("check", str(experiment(tmp_path, write_csv(tmp_path, text))))
    one_error_line(res, *needles)


def test_capacity_search_with_an_unmeetable_slo(tmp_path):
    """Each request alone meets the SLO, but not at the lowest rate searched: exit 2."""
    path = experiment(tmp_path, {"slo": {"ttft_s": 0.05, "tpot_s": 0.0075, "attainment": 1.0},
                                 "capacity_search": {"low_per_s": 50, "high_per_s": 100, "iterations": 2}})
    res = hetsim("run", str(path), "--out", str(tmp_path / "o"))
    one_error_line(res, "serving.slo", "no arrival rate meets the SLO")


def test_a_method_undefined_at_short_contexts_is_refused_at_check(tmp_path):
    data = yaml.safe_load(CHUNKED.read_text())
    data["workload"].update({"method": "lserve", "params": {"page_size": 16, "token_budget": 1024, "dense_layers": 2}})
    data["serving"]["requests"]["count"] = 20
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    one_error_line(hetsim("check", str(path)), "workload.method", "method lserve cannot price", "top-k")
