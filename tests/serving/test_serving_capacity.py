"""The capacity search on the sweep executors: k-section rounds of probes, the same answer on the
in-process executor, a local process pool and a real local Ray cluster, each probe stored as a
sweep point that a rerun reuses."""

from pathlib import Path

import pytest

from hetsim.dse.executors import LocalExecutor, RayExecutor
from hetsim.dse.store import load_results
from hetsim.serving.capacity import capacity_search, interior, run_probe

CAPACITY = Path(__file__).resolve().parents[2] / "configs" / "experiments" / "serving_capacity.yaml"
SEARCH = {"low_per_s": 0.5, "high_per_s": 1000.0, "iterations": 2, "probes_per_round": 3}



@pytest.fixture
def exp_with(catalogue):
    from hetsim.scenario import load_experiment

    def make(**search):
        return load_experiment(CAPACITY, catalogue, {"outputs.write": False, "serving.requests.count": 60,
                                                     "serving.rates_per_s": [],
                                                     "serving.capacity_search": {**SEARCH, **search}})
    return make


def test_interior_rates_split_the_bracket_evenly_in_log_space():
    assert interior(1.0, 16.0, 3) == [2.0, 4.0, 8.0]
    assert interior(1.0, 100.0, 1) == [10.0]
    assert interior(1.0, 1.000001, 3) == []  # narrower than the digits a rate keeps


def test_rounds_probe_k_rates_and_bracket_the_first_failure(exp_with):
    exp = exp_with()
    (cap,) = capacity_search(exp)
    slo = exp.spec.serving.slo.attainment
    assert len(cap.probes) == 2 + 2 * 3  # the bounds, then two rounds of three
    rates = [r for r, _ in cap.probes]
    assert len(set(rates)) == len(rates)
    passing = dict(cap.probes)
    assert passing[cap.capacity_per_s] >= slo
    above = [r for r in rates if r > cap.capacity_per_s]
    assert above and passing[min(above)] < slo  # the next probed rate up fails
    # one probe per round is the binary search: as many rounds, a wider final bracket
    (binary,) = capacity_search(exp_with(probes_per_round=1))
    assert len(binary.probes) == 2 + 2
    b_above = [r for r, _ in binary.probes if r > binary.capacity_per_s]
    assert min(above) / cap.capacity_per_s < min(b_above) / binary.capacity_per_s


def test_local_pool_matches_in_process_and_probes_are_stored(exp_with, tmp_path, catalogue):
    serial = capacity_search(exp_with())
    store = tmp_path / "probes"
    exp = exp_with(workers=2, store=str(store))
    pooled = capacity_search(exp)
    assert pooled == serial
    rows = load_results(store)
    assert len(rows) == len(serial[0].probes) and (rows.status == "ok").all()
    by_rate = dict(zip(rows["config.capacity.rate_per_s"], rows["slo_attainment"], strict=True))
    assert by_rate == dict(serial[0].probes)
    # a rerun reads every probe back from the store: nothing runs on the executor
    ran = []

    class Counting(LocalExecutor):
        def run(self, points):
            points = list(points)
            ran.extend(points)
            return super().run(points)

    again = capacity_search(exp, Counting(catalogue, 1, task=run_probe))
    assert again == serial and ran == []


def test_ray_cluster_gives_the_local_answer(exp_with, catalogue):
    ray = pytest.importorskip("ray")
    exp = exp_with(iterations=1)
    local = capacity_search(exp)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        on_ray = capacity_search(exp, RayExecutor(catalogue, "auto", task=run_probe))
    finally:
        ray.shutdown()
    assert on_ray == local and len(local[0].probes) == 2 + 3


def test_a_ray_address_nobody_answers_is_refused_before_serving(tmp_path):
    import subprocess
    import sys

    res = subprocess.run([sys.executable, "-m", "hetsim", "run", str(CAPACITY), "--out", str(tmp_path / "o"),
                          "--set", "serving.capacity_search.ray=127.0.0.1:9"], capture_output=True, text=True)
    assert res.returncode == 2 and not (tmp_path / "o").exists()
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "serving.capacity_search.ray" in lines[0] and "no Ray head answers" in lines[0]
