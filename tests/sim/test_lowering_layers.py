"""Lowering one layer (`hetsim.sim.lowering`) on hand-built work: which tasks, keys, step labels,
dependencies and transfers a placement gets, what a task's ops record (times scaled to the task,
energy, flops and bytes), and what a transfer records (its device, its link bytes and energy, no
device energy). Every expected value follows from the work written here."""

from dataclasses import replace

import pytest

from hetsim.hardware.gpu import GpuModel, OpClassRates
from hetsim.ops import Elementwise, FpgaStream, HostCall
from hetsim.placement import Placement
from hetsim.sim.engine import IterationDag, IterationSimulator
from hetsim.sim.lowering import PREV_HOST, PREV_POST, OpRun, compute_tasks, lower_layer, plan_steps, transfer_tasks
from hetsim.sim.machine import Hop
from hetsim.workloads.base import LayerWork, StepWork

P2P = "gpu0-fpga0"  # the default system's direct link


def _e(n, name):
    return Elementwise(n, 1, name=name)


def _s(n, name):
    return FpgaStream(n, 2 * n, name=name)


def _device(tasks):
    """The device tasks (eager GPU streams also have host stages, `host:<key>`, tested apart)."""
    return [t for t in tasks if not t.key.startswith("host:")]


def _placement(**steps):
    return Placement("t", "gpu0", {s: steps.get(s, "gpu0") for s in ("prepare", "relevancy", "retrieval", "apply")})


def _work(apply_on_fpga=False):
    """The four steps on a GPU, Relevancy + Retrieval fused on an FPGA; inputs and output bytes
    all different so each transfer's size says where it came from."""
    apply_ops = {"gpu": (_e(4096, "apply"),), **({"fpga": (_s(64, "apply_f"),)} if apply_on_fpga else {})}
    return LayerWork((
        StepWork("prepare", {"gpu": (_e(1024, "prep"),)}, (("model", 100),), 10),
        StepWork("relevancy", {"gpu": (_e(2048, "rel"),)}, (("prepare", 10), ("model", 20)), 30),
        StepWork("retrieval", {"gpu": (_e(3072, "ret"),)}, (("relevancy", 30),), 40),
        StepWork("apply", apply_ops, (("retrieval", 40), ("model", 50)), 60),
    ), {(("relevancy", "retrieval"), "fpga"): (_s(128, "fused"),)})


def _by_key(tasks):
    return {t.key: t for t in tasks}


@pytest.fixture
def machine(small_experiment):
    return small_experiment(baseline=None).machine()


def test_a_fused_pair_on_the_fpga_is_one_task_fed_and_drained_by_transfers(machine):
    pre, post = (_e(8, "pre_op"),), (_e(16, "post_op"),)
    lowered = lower_layer(machine, _placement(relevancy="fpga0", retrieval="fpga0"), _work(), pre, post, "m")
    # the GPU's eager streams are issued by its host: a host stage before each GPU task
    assert [t.key for t in lowered if t.key.startswith("host:")] == ["host:pre", "host:prepare", "host:apply",
                                                                    "host:post"]
    assert _by_key(lowered)["host:apply"].deps == ("host:xfer:fpga0>apply:0", "host:pre")  # resolved by the engine
    tasks = _device(lowered)
    assert [t.key for t in tasks] == ["pre", "prepare", "xfer:gpu0>relevancy+retrieval:0", "relevancy+retrieval",
                                      "xfer:fpga0>apply:0", "apply", "post"]
    t = _by_key(tasks)
    assert t["pre"].deps == ("host:pre", PREV_POST) and t["prepare"].deps == ("host:prepare", "pre")
    # Relevancy's inputs from the GPU (Prepare's 10 bytes, the layer's 20) travel as one transfer;
    # Retrieval's input is Relevancy's own output, inside the fused kernel
    x = t["xfer:gpu0>relevancy+retrieval:0"]
    assert x.deps == ("prepare", "pre") and dict(x.link_bytes) == {f"{P2P}:gpu0>fpga0": 30.0}
    fused = t["relevancy+retrieval"]
    assert (fused.step, fused.device, fused.resources, fused.deps) == (
        "relevancy+retrieval", "fpga0", ("fpga0:cu",), ("xfer:gpu0>relevancy+retrieval:0",))
    assert [r.name for r in fused.ops] == ["fused"]
    # Apply reads Retrieval's 40 bytes back from the FPGA and the layer's 50 bytes where they are
    assert dict(t["xfer:fpga0>apply:0"].link_bytes) == {f"{P2P}:fpga0>gpu0": 40.0}
    assert t["apply"].deps == ("host:apply", "xfer:fpga0>apply:0", "pre") and t["apply"].step == "apply"
    # Apply on the model's GPU: no transfer
    assert t["post"].deps == ("host:post", "apply") and t["post"].step == "model"
    assert [r.name for r in t["post"].ops] == ["post_op"]


def test_apply_on_another_device_sends_its_output_back_before_post(machine):
    placement = _placement(relevancy="fpga0", retrieval="fpga0", apply="fpga0")
    t = _by_key(lower_layer(machine, placement, _work(apply_on_fpga=True), (), (), "m"))
    back = t["xfer:apply>post:0"]
    assert back.deps == ("apply",) and dict(back.link_bytes) == {f"{P2P}:fpga0>gpu0": 60.0}  # Apply's output
    assert t["post"].deps == ("xfer:apply>post:0",)
    assert t["apply"].deps == ("relevancy+retrieval", "xfer:gpu0>apply:0")  # from the FPGA itself, and the GPU
    assert dict(t["xfer:gpu0>apply:0"].link_bytes) == {f"{P2P}:gpu0>fpga0": 50.0}


def test_a_layer_without_apply_ends_at_its_last_step_and_an_empty_one_at_pre(machine):
    work = LayerWork((StepWork("relevancy", {"gpu": (_e(64, "r"),)}, (("model", 20),), 8),
                      StepWork("retrieval", {"gpu": (_e(64, "s"),)}, (), 8)))
    t = _by_key(lower_layer(machine, _placement(), work, (), (_e(16, "post_op"),), "m"))
    assert t["retrieval"].deps == ("host:retrieval", "pre")  # a step with no inputs still waits for the layer's start
    assert t["post"].deps == ("host:post", "retrieval")
    empty = lower_layer(machine, _placement(), LayerWork(()), (), (), "m")
    assert [(x.key, x.deps) for x in empty] == [("pre", (PREV_POST,)), ("post", ("pre",))]


def test_an_input_of_no_bytes_needs_no_transfer_but_one_byte_does(machine):
    def lowered(nbytes):
        work = LayerWork((StepWork("prepare", {"gpu": (_e(64, "p"),)}, (), 4),
                          StepWork("relevancy", {"fpga": (_s(64, "r"),)}, (("prepare", nbytes),), 4)))
        return _by_key(_device(lower_layer(machine, _placement(relevancy="fpga0"), work, (), (), "m")))

    assert lowered(0)["relevancy"].deps == ("prepare",) and len(lowered(0)) == 4
    one = lowered(1)
    assert one["relevancy"].deps == ("xfer:gpu0>relevancy:0",)
    assert dict(one["xfer:gpu0>relevancy:0"].link_bytes) == {f"{P2P}:gpu0>fpga0": 1.0}


def test_the_layers_role_labels_pre_and_post(machine):
    tasks = lower_layer(machine, _placement(), LayerWork(()), (_e(8, "a"),), (_e(8, "b"),), "m")
    assert [t.step for t in tasks] == ["host", "model", "host", "model"]
    tasks = lower_layer(machine, _placement(), LayerWork(()), (_e(8, "a"),), (_e(8, "b"),), "m", role="prepare")
    assert [t.step for t in _device(tasks)] == ["prepare", "prepare"]


def test_a_step_that_cannot_run_where_placed_says_where_it_can_and_what_fusing_would_allow():
    work = LayerWork((StepWork("relevancy", {"gpu": (), "asic": ()}), StepWork("retrieval", {"gpu": ()}),
                      StepWork("apply", {"gpu": ()})),
                     {(("relevancy", "retrieval"), "fpga"): (), (("prepare", "relevancy"), "fpga"): ()})
    kinds = {"gpu0": "gpu", "fpga0": "fpga"}
    p = _placement(relevancy="fpga0")  # Retrieval stays on the GPU: nothing fuses
    with pytest.raises(ValueError) as info:
        plan_steps(work, p, kinds.get, "lserve")
    assert str(info.value) == ("step relevancy of method lserve cannot run on a fpga (fpga0); it runs on: asic, gpu "
                               "unless fused: relevancy+retrieval together on one fpga; prepare+relevancy together "
                               "on one fpga")
    with pytest.raises(ValueError, match=r"^step apply of method \? cannot run on a fpga \(fpga0\); it runs on: gpu$"):
        plan_steps(work, _placement(apply="fpga0"), kinds.get)  # no fused kernel has Apply: no hint


class _Profile:
    """A calibration profile with one host-bound elementwise rate: 1 ms to issue, 1 GB/s on the GPU."""

    rates = {"elementwise": OpClassRates(0.0, 1e9, 1e30, active_w=50.0, dispatch_s=1e-3)}
    host_mix = 1.5
    idle_w = None


def test_a_host_bound_stream_is_a_host_stage_then_a_device_stage(machine, catalogue):
    machine.models["gpu0"] = GpuModel(catalogue.devices["H100-SXM"], _Profile())
    ops = (_e(62_500, "a"), _e(62_500, "b"))  # 2 B x (1 input + 1 output) x 62,500 = 250 kB: 0.25 ms on the GPU
    lead, host, task = compute_tasks(machine, "k", "apply", "gpu0", ops, ("pre",))
    # the host issues both: 1.5 (mix) x 2 x 1 ms = 3 ms, after the host stage of what it depends on;
    # the GPU may start once the first is issued (1.5 ms)
    assert (lead.key, lead.duration, lead.deps, lead.resources) == ("lead:k", pytest.approx(1.5e-3), ("host:pre",),
                                                                    ("gpu0:host",))
    assert (host.key, host.duration, host.deps) == ("host:k", pytest.approx(1.5e-3), ("lead:k",))
    assert host.energy_j == lead.energy_j == 0.0 and host.step == lead.step == "host"
    # the GPU runs each op in 0.25 ms once issued, after its own dependencies; 50 W busy while it runs
    assert task.duration == pytest.approx(0.5e-3)
    assert task.ops == pytest.approx((OpRun("a", "elementwise", 0.25e-3, 62_500.0, 250_000.0, 0.25e-3 * 50),
                                      OpRun("b", "elementwise", 0.25e-3, 62_500.0, 250_000.0, 0.25e-3 * 50)))
    assert task.energy_j == pytest.approx(2 * 0.25e-3 * 50)
    assert (task.resources, task.deps, task.step, task.device) == (("gpu0:stream",), ("lead:k", "pre"), "apply",
                                                                   "gpu0")
    *_, unnamed = compute_tasks(machine, "k", "apply", "gpu0", (Elementwise(10, 1),), ())
    assert unnamed.ops[0].name == "elementwise"  # an op without a name is listed by its class
    first, *_ = compute_tasks(machine, "pre", "model", "gpu0", ops, (PREV_POST,))
    assert first.deps == (PREV_HOST,)  # the next layer's host stage follows this one's


def test_eager_layers_take_the_slower_stages_total_not_each_tasks_slower_stage(machine, catalogue):
    """The bug this catches: pricing each task as max(host, device) and chaining the tasks makes a
    forward whose layers alternate host-bound and device-bound ops cost the sum of both kinds."""
    machine.models["gpu0"] = GpuModel(catalogue.devices["H100-SXM"], _Profile())
    small = (_e(1_000, "norm"),)  # 1 ms to issue (one op: no mix), ~4 us on the GPU
    big = (_e(2_000_000, "attn"),)  # 1 ms to issue, 8 ms on the GPU
    layers = 8
    tasks = (*compute_tasks(machine, "pre", "model", "gpu0", small, (PREV_POST,)),
             *compute_tasks(machine, "apply", "apply", "gpu0", big, ("pre",)),
             *compute_tasks(machine, "post", "model", "gpu0", small, ("apply",)))
    dag = IterationDag(("dense",) * layers, {"dense": tasks}, (), 1)
    makespan = IterationSimulator().run(dag).makespan
    gpu = machine.models["gpu0"]
    per_task_max = layers * (gpu.ops_time_s(small) * 2 + gpu.ops_time_s(big))  # 8 x (1 + 8 + 1) ms
    device_total = layers * sum(gpu.stream_device_s(op) for op in (*small, *big, *small))
    # device-bound overall: the GPU idles only until the first layer's attention is issued (2 ms,
    # its `pre` ran meanwhile), then runs back to back
    assert makespan == pytest.approx(2e-3 + device_total - gpu.stream_device_s(small[0]), rel=1e-6)
    assert makespan < 0.85 * per_task_max


def test_a_sync_makes_the_host_wait_for_the_device(machine, catalogue):
    machine.models["gpu0"] = GpuModel(catalogue.devices["H100-SXM"], _Profile())
    ops = (_e(2_000_000, "big"), HostCall("sync", "x", name="sync"), _e(1_000, "after"))
    tasks = compute_tasks(machine, "k", "model", "gpu0", ops, ())
    # one op after the sync: the GPU waits for its whole issue, no lead task
    assert [t.key for t in tasks] == ["lead:k#0", "host:k#0", "k#0", "host:k", "k"]
    lead0, host0, dev0, host1, dev1 = tasks
    # after the sync the host issues nothing until the GPU has run what came before
    assert host1.deps == ("k#0", "host:k#0") and dev1.deps == ("host:k", "k#0")
    makespan = IterationSimulator().run(IterationDag(("x",), {"x": tasks}, (), 1)).makespan
    # the big op (8 ms) outlasts issuing the sync; then the host issues `after` and the GPU runs it
    assert dev0.duration > host0.duration
    assert makespan == pytest.approx(lead0.duration + dev0.duration + host1.duration + dev1.duration)


def test_a_task_without_ops_takes_no_time_and_holds_no_engine(machine):
    (empty,) = compute_tasks(machine, "pre", "model", "gpu0", (), (PREV_POST,))
    assert (empty.duration, empty.resources, empty.ops, empty.energy_j) == (0.0, (), (), 0.0)


def test_a_transfer_records_its_bytes_on_the_link_and_its_link_energy_not_device_energy(machine, monkeypatch):
    (seg,) = machine.route("gpu0", "fpga0")
    link = replace(seg[0].link, energy_j_per_byte=1e-11)
    monkeypatch.setattr(machine, "route", lambda src, dst: [[Hop(link, src, dst)]])
    tasks = []
    key = transfer_tasks(machine, tasks, ("a", "b"), "gpu0", "fpga0", 1000, "lbl")
    (x,) = tasks
    seconds = link.latency_s + 1000 / link.down_bw
    assert key == x.key == "xfer:lbl:0"
    assert (x.step, x.device, x.deps, x.resources) == ("transfer", "gpu0", ("a", "b"),
                                                       ("fpga0:dma", f"{P2P}:gpu0>fpga0", "gpu0:copy"))
    assert x.duration == pytest.approx(seconds)
    assert x.ops == (OpRun("gpu0->fpga0", "transfer", x.duration, 0.0, 1000, 0.0),)
    assert x.energy_j == 0.0 and x.link_energy_j == pytest.approx(1000 * 1e-11)
    assert x.link_bytes == ((f"{P2P}:gpu0>fpga0", 1000.0),)
    # nothing to move: no task, the consumer waits on the last producer
    assert transfer_tasks(machine, tasks, ("a", "b"), "gpu0", "fpga0", 0, "none") == "b" and len(tasks) == 1
