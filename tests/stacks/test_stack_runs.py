"""workload.stack end to end: through load_experiment / resolve_experiment and run_experiment,
and bad input on the command line."""

import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
import yaml

from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment

REPO = Path(__file__).resolve().parents[2]


def experiment(**workload):
    base = {"method": "dense", "model": "Llama-3.1-8B", "context_tokens": 1024, "batch": 2, "decode_tokens": 8}
    return {"name": "stack", "system": "h100_u55c", "workload": {**base, **workload}, "placements": ["gpu-only"],
            "baseline": None, "outputs": {"write": False}}


def run(tmp_path, data, overrides=None):
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    (result,) = run_experiment(load_experiment(path, overrides=overrides))
    return result


def test_fused_explicit_is_the_default_run():
    default = run_experiment(load_experiment(overrides={"workload.decode_tokens": 16}))
    explicit = run_experiment(load_experiment(overrides={"workload.decode_tokens": 16, "workload.stack": "fused"}))
    assert [asdict(r.metrics) for r in default] == [asdict(r.metrics) for r in explicit]
    assert default[0].warnings == explicit[0].warnings


def test_static_tpot_follows_the_static_length_not_the_filled_context(tmp_path):
    static = run(tmp_path, experiment(stack="hf-static", decode_tokens=64))
    steps = [r["iteration_s"] for r in static.iteration_rows if r["label"] == "decode"]
    assert len(steps) == 64 and max(steps) == pytest.approx(min(steps), rel=1e-12)
    # torch.cat copies the whole cache, one token longer each step (flat while the host, with its
    # cuDNN plan build per step, is the slower stage)
    dynamic = run(tmp_path, experiment(stack="hf-dynamic", decode_tokens=64, context_tokens=16384, batch=8))
    grow = [r["iteration_s"] for r in dynamic.iteration_rows if r["label"] == "decode"]
    assert np.all(np.diff(grow) >= 0)
    # at a batch whose attention outlasts the host's issue time, the longer static cache costs more
    short = run(tmp_path, experiment(stack="hf-static", decode_tokens=8, batch=24))
    longer = run(tmp_path, experiment(stack="hf-static", decode_tokens=8, context_tokens=16384, batch=24))
    assert longer.metrics.tpot_s > 1.2 * short.metrics.tpot_s


def test_hf_stack_is_slower_than_fused_and_graph_removes_host_time(tmp_path):
    fused = run(tmp_path, experiment())
    eager = run(tmp_path, experiment(stack="hf-static"))
    graph = run(tmp_path, {**experiment(stack="hf-static"), "simulation": {"gpu_execution": "graph"}})
    assert eager.metrics.tpot_s > graph.metrics.tpot_s
    assert eager.metrics.tpot_s > fused.metrics.tpot_s
    assert any("stack hf-static" in w for w in eager.warnings)
    # the H100's module-call figure is its own (measured in the H100 leases' host-call runs), nothing carried over
    assert "transferred" not in eager.metrics.provenance
    assert "H100-SXM.profile.host_module" in eager.metrics.provenance["measured"]
    assert not any(".host." in k for k in eager.metrics.provenance.get("assumed", []))
    assert not any(".host." in k for k in fused.metrics.provenance["assumed"])


def test_a_method_with_memory_steps_keeps_them_and_says_so(tmp_path):
    data = experiment(method="lserve", stack="hf-dynamic", context_tokens=4096,
                      params={"page_size": 16, "token_budget": 1024, "dense_layers": 2})
    result = run(tmp_path, data)
    assert result.metrics.tpot_s > 0
    assert any("follow method lserve's own steps" in w for w in result.warnings)


def hetsim(*args):
    return subprocess.run([sys.executable, "-m", "hetsim", *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "COLUMNS": "300"})


@pytest.mark.parametrize("command", ["check", "run"])
def test_unknown_stack_is_one_line_and_exit_2(tmp_path, command):
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(experiment(stack="hf-statik")))
    extra = ["--out", str(tmp_path / "out")] if command == "run" else []
    res = hetsim(command, str(path), *extra)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "workload.stack" in lines[0]
    assert "did you mean 'hf-static'" in lines[0]
    assert not (tmp_path / "out").exists()


def test_stack_without_a_shipped_trace_or_graph_dynamic_is_refused(tmp_path):
    from hetsim.errors import ConfigError

    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(experiment(stack="hf-static", model="DeepSeek-V3.2")))
    with pytest.raises(ConfigError, match="no shipped trace of model 'DeepSeek-V3.2'"):
        load_experiment(path)
    path.write_text(yaml.safe_dump({**experiment(stack="hf-dynamic"), "simulation": {"gpu_execution": "graph"}}))
    with pytest.raises(ConfigError, match="runs eager only"):
        load_experiment(path)


def test_hetsim_stacks_lists_every_stack():
    res = hetsim("stacks")
    assert res.returncode == 0
    for name in ("fused", "hf-dynamic", "hf-static", "Qwen3-8B"):
        assert name in res.stdout
