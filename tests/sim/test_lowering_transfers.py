"""A lowered transfer holds every link direction it crosses (and the copy engines at both ends)
for its whole duration, so transfers that share a hop serialise and opposite directions do not."""

import pytest

from hetsim.sim.engine import IterationDag, simulate
from hetsim.sim.lowering import TaskT, transfer_tasks
from hetsim.sim.machine import Machine

GB = 1e9
US = 1e-6


def _link(catalogue, name):
    spec = catalogue.links[name]
    return (float(spec.latency_us.value) * US, float(spec.downstream_gbps.value) * GB,
            float(spec.upstream_gbps.value) * GB)


def _lower(machine, src, dst, nbytes, label="x"):
    tasks = [TaskT("pre", "model", src, (), 0.0, ())]
    key = transfer_tasks(machine, tasks, ("pre",), src, dst, nbytes, label)
    return tasks[1:], key


def test_a_transfer_through_a_switch_holds_both_hops_and_both_copy_engines(small_experiment, catalogue):
    machine = Machine(small_experiment(system="2xh100_u55c_switch"))
    nbytes = 3e6
    (task,), key = _lower(machine, "gpu1", "fpga0", nbytes)
    assert key == task.key and task.step == "transfer"
    # system links (in file order): host-sw0, sw0-gpu0, sw0-gpu1, sw0-fpga0; gpu1 -> sw0 runs
    # upstream on sw0-gpu1, sw0 -> fpga0 downstream on sw0-fpga0
    assert set(task.resources) == {"sw0-gpu1:gpu1>sw0", "sw0-fpga0:sw0>fpga0", "gpu1:copy", "fpga0:dma"}
    assert dict(task.link_bytes) == {"sw0-gpu1:gpu1>sw0": nbytes, "sw0-fpga0:sw0>fpga0": nbytes}
    lat5, _, up5 = _link(catalogue, "pcie_gen5_x16")
    lat3, down3, _ = _link(catalogue, "pcie_gen3_x16")
    # cut-through: both latencies, the slower hop's bandwidth
    assert task.duration == pytest.approx(lat5 + lat3 + nbytes / min(up5, down3))


def test_a_host_staged_transfer_is_two_chained_segments_each_holding_its_hop(small_experiment, catalogue):
    machine = Machine(small_experiment(system="h100_u55c_staged"))
    nbytes = 2e6
    (up, down), key = _lower(machine, "gpu0", "fpga0", nbytes)
    assert key == down.key and down.deps == (up.key,) and up.deps == ("pre",)
    assert set(up.resources) == {"host-gpu0:gpu0>host", "gpu0:copy"}
    assert set(down.resources) == {"host-fpga0:host>fpga0", "fpga0:dma"}
    lat5, _, up5 = _link(catalogue, "pcie_gen5_x16")
    lat3, down3, _ = _link(catalogue, "pcie_gen3_x16")
    assert up.duration == pytest.approx(lat5 + nbytes / up5)
    assert down.duration == pytest.approx(lat3 + nbytes / down3)


def test_transfers_sharing_a_hop_serialise_and_opposite_directions_overlap(small_experiment):
    machine = Machine(small_experiment(system="2xh100_u55c_switch"))
    nbytes = 5e6
    root = TaskT("pre", "model", "gpu0", (), 0.0, ())

    def both(one, other):
        run = simulate(IterationDag(("l",), {"l": (root, *one, *other)}, (), 1), keep_records=True)
        rec = {r.task.key: r for r in run.records}
        return rec[one[0].key], rec[other[0].key], run.makespan

    # gpu0 -> fpga0 and gpu1 -> fpga0 both cross sw0 -> fpga0: one waits for the other
    a, _ = _lower(machine, "gpu0", "fpga0", nbytes, "a")
    b, _ = _lower(machine, "gpu1", "fpga0", nbytes, "b")
    ra, rb, makespan = both(a, b)
    first, second = sorted((ra, rb), key=lambda r: r.start)
    assert second.start == pytest.approx(first.end)
    assert makespan == pytest.approx(a[0].duration + b[0].duration)
    # gpu0 -> host and gpu1 -> host share sw0 -> host; host -> gpu1 runs the other way on it
    up0, _ = _lower(machine, "gpu0", "host", nbytes, "up0")
    up1, _ = _lower(machine, "gpu1", "host", nbytes, "up1")
    down1, _ = _lower(machine, "host", "gpu1", nbytes, "down1")
    r0, r1, makespan = both(up0, up1)
    assert max(r0.start, r1.start) == pytest.approx(min(r0.end, r1.end))
    r0, rd, makespan = both(up0, down1)
    assert r0.start == rd.start == 0.0
    assert makespan == pytest.approx(max(up0[0].duration, down1[0].duration))
