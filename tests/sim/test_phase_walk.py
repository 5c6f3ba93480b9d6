"""Walking phases (`hetsim.sim.phases`) where the end-to-end tests do not look: the accumulator's
sums by hand, what a step's DAG is keyed on, the LM head after the last layer (GPU only), the
refusal of LLM layers on a device that cannot run them, the token index of rows that are not
decode steps, TTFT without an output token, the phases kept op by op for the trace, and every
iteration counted once as simulated or reused."""

import pytest

from hetsim.config.load import configs_root
from hetsim.errors import ConfigError
from hetsim.ops import Matmul
from hetsim.placement import Placement
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment
from hetsim.sim.engine import IterationDag
from hetsim.sim.lowering import TaskT
from hetsim.sim.phases import MAX_TRACED_PHASES, Accumulator, PhaseWalker, build_dag, dag_key
from hetsim.workloads.base import Decode, LayerWork, Prefill, RequestSteps, StepWork
from hetsim.workloads.models import lm_head_ops

STEPS = ("prepare", "relevancy", "retrieval", "apply")


def _t(key, step, device, resources, duration, energy=0.0, link_bytes=(), link_energy=0.0, deps=()):
    return TaskT(key, step, device, tuple(resources), duration, tuple(deps), (), energy, tuple(link_bytes),
                 link_energy)


XFER = _t("x", "transfer", "gpu0", ["l:gpu0>fpga0", "gpu0:copy"], 0.5, 0.0, [("l:gpu0>fpga0", 1000.0)], 2e-6)
PRE = _t("pre", "model", "gpu0", ["gpu0:stream"], 2.0, energy=3.0)
REL = _t("rel", "relevancy", "fpga0", ["fpga0:cu"], 1.5, energy=0.25)


def test_the_accumulator_sums_time_energy_and_bytes_times_the_count():
    acc = Accumulator()
    acc.add((PRE, XFER, REL), 3)
    assert dict(acc.busy) == {"gpu0:stream": 6.0, "l:gpu0>fpga0": 1.5, "gpu0:copy": 1.5, "fpga0:cu": 4.5}
    assert dict(acc.step_time) == {"model": 6.0, "transfer": 1.5, "relevancy": 4.5}
    assert dict(acc.energy) == {"gpu0": 9.0, "fpga0": 0.75}  # the transfer's own energy is 0 (its link's below)
    assert dict(acc.link_bytes) == {"l:gpu0>fpga0": 3000.0}
    assert acc.link_energy == pytest.approx(6e-6)
    acc.add((XFER,), 1)
    assert acc.link_energy == pytest.approx(8e-6) and acc.step_time["transfer"] == 2.0

    total = Accumulator()
    total.add((REL,), 2)
    total.add_sums(acc)
    total.add_sums(acc)
    assert total.step_time["relevancy"] == 3.0 + 2 * 4.5 and total.busy["gpu0:copy"] == 2 * 2.0
    assert total.link_energy == pytest.approx(16e-6) and total.link_bytes["l:gpu0>fpga0"] == 8000.0


def test_a_dag_is_counted_per_layer_and_micro_batch():
    # layers a, b, a and two micro-batches: template a runs 4 times, b twice, the tail twice
    dag = IterationDag(("a", "b", "a"), {"a": (PRE,), "b": (REL,)}, (XFER,), 2)
    acc = Accumulator()
    acc.add_dag(dag)
    assert acc.step_time == {"model": 8.0, "relevancy": 3.0, "transfer": 1.0}
    assert acc.link_energy == pytest.approx(4e-6)


def _work(name):
    op = Matmul(4, 8, 8, name=name)
    return LayerWork([StepWork("relevancy", {"gpu": [op]}, (("model", 64),), 16)], {})


def test_a_steps_dag_is_keyed_by_its_kind_role_sizes_and_op_names():
    assert dag_key(Decode(1, 100, "prepare")) != dag_key(Decode(1, 100, "model"))  # MemAgent's memory vs output
    assert dag_key(Prefill(1, 100)) != dag_key(Decode(1, 100))
    assert dag_key(Decode(1, 100)) == dag_key(Decode(1, 100, label="other"))
    # request-level work: equal work under other op names is another DAG (the names label the trace)
    assert dag_key(RequestSteps(_work("search"))) == dag_key(RequestSteps(_work("search"), label="x"))
    assert dag_key(RequestSteps(_work("search"))) != dag_key(RequestSteps(_work("rerank")))


def _scenario(small_experiment):
    scn = small_experiment(baseline=None)
    (gpu_only,) = [r for r in scn.runs if r.placement.name == "gpu-only"]
    return scn, scn.machine(), gpu_only.method


def test_the_lm_head_follows_the_last_layer_on_a_gpu(small_experiment):
    scn, machine, method = _scenario(small_experiment)
    p = Placement("g", "gpu0", dict.fromkeys(STEPS, "gpu0"), 2)
    batch = scn.spec.workload.batch
    dag = build_dag(machine, method, p, Decode(1, 8192))
    lead, issue, head = dag.tail  # eager: the host issues the head after the last layer's host stage
    assert (lead.key, lead.step, lead.deps, issue.deps) == ("lead:lm_head", "host", ("host:post",), ("lead:lm_head",))
    assert (head.key, head.step, head.device, head.deps) == ("lm_head", "model", "gpu0", ("lead:lm_head", "post"))
    ops = lm_head_ops(method.model, batch // 2)  # per micro-batch, one token per request
    assert [r.name for r in head.ops] == [op.name for op in ops]
    gpu = machine.models["gpu0"]
    assert max(lead.duration + issue.duration, head.duration) == pytest.approx(gpu.ops_time_s(ops))
    assert head.duration == pytest.approx(sum(gpu.stream_device_s(op) for op in ops))
    # a step run for the model's memory on the GPU is Prepare's, LM head included
    *_, memory_head = build_dag(machine, method, p, Decode(1, 8192, "prepare")).tail
    assert memory_head.step == "prepare"


def test_llm_layers_on_a_device_that_cannot_run_them_are_refused_at_the_placements(small_experiment):
    _, machine, method = _scenario(small_experiment)
    on_fpga = Placement("f", "fpga0", dict.fromkeys(STEPS, "fpga0"), 1)
    with pytest.raises(ConfigError) as info:
        build_dag(machine, method, on_fpga, Decode(1, 8192))
    exc = info.value
    assert exc.field == "placements" and exc.file.endswith("default.yaml")
    assert exc.message == f"method {method.name} cannot run the LLM layers on a fpga"


def test_rows_that_are_not_decode_steps_have_token_minus_one_and_ttft_without_output_is_the_end(small_experiment):
    scn, machine, method = _scenario(small_experiment)
    p = Placement("g", "gpu0", dict.fromkeys(STEPS, "gpu0"), 1)
    walk = PhaseWalker(machine, method, p, 0).run([Prefill(16, 8192), Decode(2, 8208, "prepare", "memory")])
    assert [(r["label"], r["token"]) for r in walk.iteration_rows] == [("prefill", -1), ("memory", 0), ("memory", 1)]
    assert walk.out_steps == []  # no output token: the first one would come at the end
    assert walk.ttft == walk.e2e == sum(r["iteration_s"] for r in walk.iteration_rows) > 0


def test_only_the_first_phases_that_are_not_output_are_kept_op_by_op(small_experiment):
    scn, machine, method = _scenario(small_experiment)
    p = Placement("g", "gpu0", dict.fromkeys(STEPS, "gpu0"), 1)
    memories = [Decode(2, 8192, "prepare", f"memory:{i}") for i in range(MAX_TRACED_PHASES + 2)]
    walk = PhaseWalker(machine, method, p, 1).run([Prefill(16, 8192), *memories, Decode(3, 8192)])
    kept = sorted({(phase, token) for phase, token, _, _ in walk.records})
    # each step kept of a phase that is not output counts one of MAX_TRACED_PHASES: the prefill,
    # memory:0's two steps, memory:1's first; of the output, the first token (trace_decode_steps 1)
    assert MAX_TRACED_PHASES == 4
    assert kept == [("decode", 0), ("memory:0", 0), ("memory:0", 1), ("memory:1", 0), ("prefill", -1)]


def test_every_iteration_is_counted_once_simulated_or_reused(small_experiment, catalogue):
    # MemAgent repeats its chunk prefills and memory decodes: iterations reused before a replayed phase
    memagent = load_experiment(configs_root() / "experiments" / "memagent.yaml", catalogue, {
        "workload.decode_tokens": 8, "workload.params.memory_tokens": 16, "outputs.write": False})
    default = small_experiment(**{"workload.decode_tokens": 40, "outputs.trace_decode_steps": 2})
    for run in [*run_experiment(memagent), *run_experiment(default)]:
        sim = run.metrics["sim"]
        assert sim["iterations_simulated"] + sim["iterations_reused"] == len(run.iteration_rows), run.label
        assert sim["iterations_reused"] > 0, run.label
