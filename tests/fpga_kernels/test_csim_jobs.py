"""What the C-simulated kernels do beyond one query after one LOAD: LOAD of a later range and a
second LOAD, empty jobs, several jobs in one launch (one launch per token), the top-k's survivor
counters and the radix select for large k, and the loop trip counts the cycle model predicts."""

import numpy as np
import pytest

from hetsim.fpga_runner.kernels import MODE_LOAD, MODE_QUERY, ROW_WORDS, ST, csim_run, csim_write
from hetsim.fpga_runner.reference import NO_INDEX, systolic_counters
from hetsim.hardware.fpga_kernels.cycles import job_cycles
from hetsim.hardware.fpga_kernels.designs import design_shape

KERNELS = ("inner_product_topk", "page_minmax_topk", "bm25_topk")
TIERED = ("inner_product_topk", "page_minmax_topk")


@pytest.mark.parametrize("kernel", KERNELS)
def test_the_host_lays_rows_out_as_the_kernel_reads_them(small, kernel):
    # a row's record and query in the query buffer, as the header derives them (at 128-bit beats
    # the 6-word record spans two beats)
    adapter, lib = small(kernel)
    info = lib.info
    assert (info["ROW_WORDS"], info["REC_BEATS"], info["ROW_BEATS"], info["ROWS_MAX"]) == (
        ROW_WORDS, adapter.shape.rec_beats, adapter.row_beats, adapter.rows_max)
    assert adapter.shape.rec_beats == -(-ROW_WORDS * 32 // (8 * adapter.beat_bytes))


@pytest.mark.parametrize("kernel", TIERED)
def test_load_in_two_ranges_equals_one_load(small, rng, kernel):
    # LOAD [0, 20) then [20, 51) (first != 0, across the BRAM / URAM boundary): the query reads
    # every on-chip item as one LOAD would.
    adapter, lib = small(kernel)
    pb = adapter.random_problem(60, 16, rng)
    launch = adapter.launch([pb])
    csim_write(lib, launch)
    csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, 0, first=0, n=20))
    csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, 0, first=20, n=31))
    for port in range(adapter.n_ports):  # the HBM copy of the on-chip keys no longer matters
        image = launch.port_images[port].copy()
        image[: 17 * image.size // 20] = 0  # the first 17 of the 20 keys of each port are on chip
        lib.hbm_write(port, image)
    result = adapter.csim_query(lib, pb, launch)
    assert list(result.stats[:3]) == [30, 21, 9]
    assert result.topk.equals(adapter.reference(pb))


@pytest.mark.parametrize("kernel", TIERED)
def test_a_second_load_replaces_the_on_chip_keys(small, rng, kernel):
    adapter, lib = small(kernel)
    old, new = adapter.random_problem(40, 16, rng), adapter.random_problem(40, 16, rng, value_range=5)
    adapter.csim_load(lib, old)
    adapter.csim_load(lib, new)
    result = adapter.csim_query(lib, new)
    assert result.topk.equals(adapter.reference(new))
    assert not adapter.reference(old).equals(adapter.reference(new))


def test_a_later_range_alone_leaves_earlier_slots_as_they_were(small, rng):
    # Zero the on-chip slots with one LOAD, then LOAD only [30, 51): keys 0..29 read as zeros.
    adapter, lib = small("inner_product_topk")
    zeros = adapter.random_problem(60, 16, rng, value_range=0)
    adapter.csim_load(lib, zeros)
    pb = adapter.random_problem(60, 16, rng)
    launch = adapter.launch([pb])
    csim_write(lib, launch)
    csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, 0, first=30, n=21))
    result = adapter.csim_query(lib, pb, launch)
    pb.arrays["keys"] = pb.arrays["keys"].copy()
    pb.arrays["keys"][:30] = 0
    assert result.topk.equals(adapter.reference(pb))


@pytest.mark.parametrize("kernel", KERNELS)
def test_an_empty_job_returns_k_empty_slots(small, rng, kernel):
    adapter, lib = small(kernel)
    pb = adapter.random_problem(0, 5, rng)
    adapter.csim_load(lib, pb)
    result = adapter.csim_query(lib, pb)
    assert list(result.topk.idx) == [NO_INDEX] * 5 and not result.topk.score.any()
    assert list(result.stats[:3]) == [0, 0, 0] and result.stats[ST["survivors"]] == 0


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("n", "k"), [(7, 3), (61, 16), (200, 5)])
def test_survivor_counters_match_a_cycle_exact_replay(small, rng, kernel, n, k):
    adapter, lib = small(kernel)
    pb = adapter.random_problem(n, k, rng)
    adapter.csim_load(lib, pb)
    result = adapter.csim_query(lib, pb)
    kp = adapter.kp
    want = systolic_counters(adapter.scores(pb), adapter.n_ports, kp.int("topk_group"), kp.int("k_max"), k)
    got = {name: int(result.stats[ST[name]]) for name in want}
    assert got == want
    assert k <= want["survivors"] <= n


def test_survivors_of_a_descending_sequence_stop_once_the_queue_is_full(small):
    # Scores falling with the index: once a queue's last cell holds a candidate, nothing beats it.
    adapter, lib = small("inner_product_topk")
    keys = np.repeat(np.arange(300, 0, -1, dtype=np.int16)[:, None], 20, axis=1)
    pb = adapter.problem(keys, np.ones((3, 20), np.int16), np.ones(3, np.int16), 4, relu=False)
    adapter.csim_load(lib, pb)
    result = adapter.csim_query(lib, pb)
    assert result.topk.equals(adapter.reference(pb))
    want = systolic_counters(adapter.scores(pb), 3, 2, 16, 4)
    assert int(result.stats[ST["survivors"]]) == want["survivors"] < 300 // 2


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("rows_per_job", "jobs"), [(1, [0, 1, 2]), (2, [0, 0, 1]), (None, [0, 0, 0])])
def test_one_launch_serves_several_rows_in_jobs(small, rng, kernel, rows_per_job, jobs):
    # Three rows (requests) of different sizes and k in one start: regions side by side, on-chip
    # slots handed out in order (the second and third partly or wholly from HBM); a job per row,
    # jobs of two rows, or one job (a layer) covering all three.
    adapter, lib = small(kernel)
    problems = [adapter.random_problem(n, k, rng) for n, k in [(40, 16), (23, 3), (31, 7)]]
    launch = adapter.launch(problems, rows_per_job=rows_per_job)
    assert launch.n_jobs == len(set(jobs))
    csim_write(lib, launch)
    for r in range(3):
        if launch.chip[r][1]:
            csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, r))
    results = csim_run(lib, MODE_QUERY, launch.jobs, launch.ks, adapter.k_max)
    for r, (pb, result) in enumerate(zip(problems, results, strict=True)):
        assert result.topk.equals(adapter.reference(pb)), r
        assert (result.stats[ST["job"]], result.stats[ST["row"]]) == (jobs[r], r)
        assert sum(result.stats[:3]) == pb.n
    assert lib.stream_leftovers() == 0


def test_a_job_covers_at_most_rows_max_rows(small, rng):
    adapter, lib = small("bm25_topk")
    with pytest.raises(ValueError, match="a job covers 1..32 rows"):
        adapter.launch([adapter.random_problem(3, 1, rng)] * 2, rows_per_job=33)
    launch = adapter.launch([adapter.random_problem(3, 1, rng)])
    csim_write(lib, launch)
    jobs = launch.jobs.copy()
    jobs[1] = 33  # more rows than the row buffer holds
    with pytest.raises(Exception, match="has 33 rows; ROWS_MAX is 32"):
        csim_run(lib, MODE_QUERY, jobs, [1], adapter.k_max)


@pytest.mark.parametrize("kernel", TIERED)
def test_a_later_rows_load_with_first_past_zero(small, rng, kernel):
    # Row 1's on-chip items start at slot chip_first > 0; its LOAD in two ranges (the second with
    # first = 7) fills them as one LOAD would, and both rows of the job read their own items.
    adapter, lib = small(kernel)
    rows = [adapter.random_problem(14, 5, rng), adapter.random_problem(25, 6, rng, value_range=4)]
    launch = adapter.launch(rows)
    assert launch.chip[1] == (15, 25)  # row 0's 14 items take 5 slots of each of the 3 streams
    csim_write(lib, launch)
    csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, 0))
    csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, 1, first=0, n=7))
    csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, 1, first=7))
    for port in range(adapter.n_ports):  # only the on-chip copy is left to read
        lib.hbm_write(port, np.zeros_like(launch.port_images[port]))
    results = csim_run(lib, MODE_QUERY, launch.jobs, launch.ks, adapter.k_max)
    for pb, result in zip(rows, results, strict=True):
        assert result.topk.equals(adapter.reference(pb))
        assert result.stats[ST["hbm"]] == 0


@pytest.mark.parametrize("kernel", KERNELS)
def test_empty_rows_inside_a_job(small, rng, kernel):
    # n = 0 before and after a row with items, all in one job: k empty slots, zero counters, and
    # the row between them unaffected.
    adapter, lib = small(kernel)
    rows = [adapter.random_problem(0, 4, rng), adapter.random_problem(20, 6, rng), adapter.random_problem(0, 2, rng)]
    launch = adapter.launch(rows)
    assert launch.n_jobs == 1
    csim_write(lib, launch)
    if launch.chip[1][1]:
        csim_run(lib, MODE_LOAD, adapter.load_jobs(launch, 1))
    empty0, full, empty2 = csim_run(lib, MODE_QUERY, launch.jobs, launch.ks, adapter.k_max)
    for result, k in ((empty0, 4), (empty2, 2)):
        assert list(result.topk.idx) == [NO_INDEX] * k and not result.topk.score.any()
        assert [int(result.stats[ST[c]]) for c in ("bram", "uram", "hbm", "survivors", "pe_trips")] == [0] * 5
    assert full.topk.equals(adapter.reference(rows[1])) and sum(full.stats[:3]) == 20
    assert [int(r.stats[ST["row"]]) for r in (empty0, full, empty2)] == [0, 1, 2]


@pytest.mark.parametrize("kernel", KERNELS)
def test_survivor_counters_start_afresh_for_every_row_of_a_job(small, rng, kernel):
    # the top-k's queues and counters are per row: each row's counters replay its own scores alone
    adapter, lib = small(kernel)
    rows = [adapter.random_problem(n, k, rng) for n, k in [(61, 16), (7, 3), (200, 5)]]
    launch = adapter.launch(rows, chip=False)
    csim_write(lib, launch)
    results = csim_run(lib, MODE_QUERY, launch.jobs, launch.ks, adapter.k_max)
    kp = adapter.kp
    for pb, result in zip(rows, results, strict=True):
        want = systolic_counters(adapter.scores(pb), adapter.n_ports, kp.int("topk_group"), kp.int("k_max"), pb.k)
        assert {name: int(result.stats[ST[name]]) for name in want} == want
        assert result.topk.equals(adapter.reference(pb))


def test_an_unposted_job_is_an_error_not_a_hang(small, rng):
    adapter, lib = small("bm25_topk")
    launch = adapter.launch([adapter.random_problem(10, 4, rng)])
    csim_write(lib, launch)
    jobs = launch.jobs.copy()
    jobs[0] = 0  # sequence word not written yet
    with pytest.raises(Exception, match="job 0 was not posted"):
        csim_run(lib, MODE_QUERY, jobs, [4], adapter.k_max)


@pytest.mark.parametrize(("n", "k"), [(1, 1), (40, 7), (150, 300), (500, 300), (599, 64), (333, 2)])
@pytest.mark.parametrize("value_range", [0, 2, 3000])
def test_radix_select_keeps_the_k_best_as_a_set(small_select, rng, n, k, value_range):
    adapter, lib = small_select
    pb = adapter.random_problem(n, k, rng, value_range=value_range)
    adapter.csim_load(lib, pb)
    result = adapter.csim_query(lib, pb)
    want = adapter.reference(pb)
    assert result.topk.equals(want)
    m = min(n, k)
    assert set(result.topk.idx[:m]) == set(np.argsort(-adapter.scores(pb), kind="stable")[:m])
    assert result.stats[ST["survivors"]] == m
    assert (result.stats[ST["levels"]] == 0) == (n <= k)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("n", "k"), [(1, 1), (35, 16), (61, 16), (200, 7)])
def test_trip_counts_follow_the_cycle_model(small, rng, kernel, n, k):
    adapter, lib = small(kernel)
    pb = adapter.random_problem(n, k, rng)
    adapter.csim_load(lib, pb)
    result = adapter.csim_query(lib, pb)
    model = job_cycles(design_shape(adapter.kp), n, k)
    counted = {name: int(result.stats[ST[name]]) for name in model.trips}
    assert counted == model.trips


def test_select_trip_counts_follow_the_cycle_model(small_select, rng):
    adapter, lib = small_select
    pb = adapter.random_problem(500, 100, rng, value_range=3000)
    adapter.csim_load(lib, pb)
    result = adapter.csim_query(lib, pb)
    levels = int(result.stats[ST["levels"]])
    model = job_cycles(design_shape(adapter.kp), 500, 100, levels=levels)
    assert {name: int(result.stats[ST[name]]) for name in model.trips} == model.trips
    assert 1 <= levels <= 12
