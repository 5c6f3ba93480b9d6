"""Every method runs under GPU-only and under the paper's placement, deterministically; its example
experiment is valid; RAG's retrieval triggers come from the seed."""

from pathlib import Path

import numpy as np
import pytest

from hetsim.check import check_file
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment
from hetsim.workloads.base import RequestSteps

EXPERIMENTS = Path(__file__).resolve().parents[2] / "configs" / "experiments"
# small but complete versions of the example experiments
SHRINK = {
    "dsa": {"workload.context_tokens": 8192},
    "seer_attention": {"workload.context_tokens": 8192, "baseline": None},
    "rag": {"workload.decode_tokens": 40, "workload.params.corpus_docs": 100_000},
    "rag_two_stage": {"workload.decode_tokens": 40, "workload.params.corpus_docs": 100_000},
    "memagent": {"workload.context_tokens": 6000, "workload.params.memory_tokens": 16},
    "memory_as_context": {"workload.context_tokens": 4096},
    "ttt": {"workload.context_tokens": 4096},
}
FPGA_USED = {"dsa", "seer_attention", "rag", "rag_two_stage", "memagent", "memory_as_context"}


def run(catalogue, name, **overrides):
    base = {"workload.decode_tokens": 2, "outputs.write": False, "outputs.trace_decode_steps": 0, **SHRINK[name]}
    return {r.placement: r for r in run_experiment(load_experiment(EXPERIMENTS / f"{name}.yaml", catalogue,
                                                                   {**base, **overrides}))}


@pytest.mark.parametrize("name", sorted(SHRINK))
def test_example_experiment_is_valid(name):
    assert check_file(EXPERIMENTS / f"{name}.yaml") == "experiment"


@pytest.mark.parametrize("name", sorted(SHRINK))
def test_runs_under_gpu_only_and_the_paper_placement(catalogue, name):
    runs = run(catalogue, name)
    assert {"gpu-only", "paper"} <= set(runs)
    gpu_only, paper = runs["gpu-only"].metrics, runs["paper"].metrics
    assert gpu_only["e2e_s"] > 0 and paper["e2e_s"] > 0
    assert not any(gpu_only["link_bytes"].values())
    moved = any(paper["link_bytes"].values())
    assert moved == (name in FPGA_USED), paper["link_bytes"]
    assert gpu_only["memory_processing_share_total"] > 0


@pytest.mark.parametrize("name", ["dsa", "rag", "memagent"])
def test_runs_are_deterministic(catalogue, name):
    a = [r.metrics for r in run(catalogue, name).values()]
    b = [r.metrics for r in run(catalogue, name).values()]
    assert a == b


def retrievals(method, seed: int) -> int:
    return sum(isinstance(p, RequestSteps) for p in method.plan(np.random.default_rng(seed)))


@pytest.mark.parametrize("trigger", ["flare", "dragin"])
def test_random_triggers_change_with_the_seed_and_repeat_with_it(method, trigger):
    m = method("rag", "Llama-2-7B", context=64, decode=256, trigger=trigger, trigger_prob=0.02)
    counts = [retrievals(m, seed) for seed in range(8)]
    assert len(set(counts)) > 1
    assert counts == [retrievals(m, seed) for seed in range(8)]


def test_fs_rag_retrieves_before_every_sentence(method):
    m = method("rag", "Llama-2-7B", context=64, decode=100, trigger="fs-rag", sentence_tokens=32)
    assert {retrievals(m, seed) for seed in range(4)} == {4}  # before tokens 0, 32, 64, 96
    assert retrievals(method("rag", "Llama-2-7B", context=64, decode=100, trigger="once"), 0) == 1


def test_rag_output_tokens_and_reprefills_follow_the_schedule(catalogue):
    fs = run(catalogue, "rag", **{"workload.params.trigger": "fs-rag", "workload.params.sentence_tokens": 16})
    m = fs["gpu-only"].metrics
    assert m["output_tokens"] == 40
    labels = [row["label"] for row in fs["gpu-only"].iteration_rows]
    assert labels.count("re-prefill") == 2 and labels.count("prefill") == 1


def test_a_different_seed_changes_a_flare_run(catalogue):
    a = run(catalogue, "rag", **{"workload.params.trigger_prob": 0.05, "seed": 1})["gpu-only"].metrics["e2e_s"]
    b = run(catalogue, "rag", **{"workload.params.trigger_prob": 0.05, "seed": 4})["gpu-only"].metrics["e2e_s"]
    assert a != b


def test_hmt_summary_runs_the_stack_s_own_prefill(catalogue):
    """HMT's Prepare is a backbone forward over the summary tokens: under an hf stack it is that stack's
    prefill (eager transformers ops, its SDPA call), under `fused` the fused layer; the Titans MLP
    memory is the method's own code whatever the stack."""
    def module(stack, memory="backbone"):
        exp = load_experiment(EXPERIMENTS / "memory_as_context.yaml", catalogue,
                              {"workload.params.memory_module": memory, "workload.stack": stack,
                               "workload.context_tokens": 4096, "outputs.write": False})
        return exp.method.module_ops(2), exp

    fused, _ = module("fused")
    eager, exp = module("hf-dynamic")
    stack = exp.method.stack_ops()
    pre, post = stack.pre_post("prefill", 2, exp.method.p.summary_tokens)
    layers = exp.method.model.layers
    assert len(eager) == layers * (len(pre) + len(stack.attention("prefill", 2, exp.method.p.summary_tokens, 0))
                                   + len(post)) + 1
    assert sum(op.bytes for op in eager) > sum(op.bytes for op in fused)  # fp32 norm chains, casts, repeats
    assert [op.name for op in module("hf-dynamic", "mlp")[0]] == [op.name for op in module("fused", "mlp")[0]]
