"""The HLS kernels, built by g++ and called through ctypes, against the numpy references.

Every case loads a random index (small value ranges: many tied scores), runs the kernel's
LOAD then QUERY modes (one job) and asserts the top-k equals the reference bit for bit, including the
order of ties (lower index first) and the padding when k exceeds the candidates.
"""

import numpy as np
import pytest

from hetsim.fpga_runner.csim import CsimError
from hetsim.fpga_runner.reference import NO_INDEX

KERNELS = ("inner_product_topk", "page_minmax_topk", "bm25_topk")


def run(small, kernel, n, k, rng, **kw):
    adapter, lib = small(kernel)
    pb = adapter.random_problem(n, k, rng, **kw)
    adapter.csim_load(lib, pb)
    result = adapter.csim_query(lib, pb)
    return pb, result, adapter.reference(pb), lib


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize(("n", "k"), [(1, 1), (2, 1), (40, 1), (16, 16), (23, 16), (5, 16), (40, 7)])
def test_topk_matches_numpy(small, rng, kernel, n, k):
    # n = 23, 40: not multiples of the 3 PEs/cores; 16 = k_max; 5 < k pads with NO_INDEX.
    pb, result, want, lib = run(small, kernel, n, k, rng)
    assert result.topk.equals(want), (result.topk, want)
    assert lib.stream_leftovers() == 0


@pytest.mark.parametrize("kernel", KERNELS)
def test_ties_go_to_the_lower_index(small, rng, kernel):
    # Value range 0 makes every score equal: the top-k is then indices 0..k-1 in order.
    kw = {"n_terms": 0} if kernel == "bm25_topk" else {"value_range": 0}
    _, result, want, _ = run(small, kernel, 30, 9, rng, **kw)
    assert list(result.topk.idx) == list(range(9))
    assert np.all(result.topk.score == 0)
    assert result.topk.equals(want)


def test_k_larger_than_candidates_pads_with_no_index(small, rng):
    _, result, want, _ = run(small, "inner_product_topk", 4, 10, rng)
    assert list(result.topk.idx[4:]) == [NO_INDEX] * 6
    assert np.all(result.topk.score[4:] == 0)
    assert result.topk.equals(want)


@pytest.mark.parametrize(("kernel", "n", "tiers"), [
    ("inner_product_topk", 9, [9, 0, 0]),
    ("inner_product_topk", 35, [30, 5, 0]),
    ("inner_product_topk", 60, [30, 21, 9]),
    ("page_minmax_topk", 60, [30, 21, 9]),
    ("bm25_topk", 50, [0, 0, 50]),
])
def test_items_spill_bram_then_uram_then_hbm(small, rng, kernel, n, tiers):
    # SMALL tiers: 10 slots a stream in BRAM, 7 in URAM (x 3 streams), the rest streamed from HBM.
    _, result, want, _ = run(small, kernel, n, 16, rng)
    assert list(result.stats[:3]) == tiers
    assert result.topk.equals(want)


def test_inner_product_full_int16_range_needs_the_wide_accumulator(small, rng):
    _, result, want, _ = run(small, "inner_product_topk", 30, 16, rng, value_range=32767, relu=False)
    assert np.abs(want.score).max() > 2**31  # beyond int32: the 40-bit accumulator is exercised
    assert result.topk.equals(want)


def test_inner_product_relu_changes_the_ranking(small):
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    _, with_relu, want_relu, _ = run(small, "inner_product_topk", 40, 16, rng_a, relu=True)
    _, without, want_plain, _ = run(small, "inner_product_topk", 40, 16, rng_b, relu=False)
    assert with_relu.topk.equals(want_relu) and without.topk.equals(want_plain)
    assert not want_relu.equals(want_plain)


def test_bm25_full_query_and_document_slots_not_a_multiple_of_lanes(small, rng):
    # doc_slots 24 over 16 lanes: the second beat of every record is half padding.
    _, result, want, _ = run(small, "bm25_topk", 60, 16, rng, n_terms=8)
    assert want.score[0] > 0
    assert result.topk.equals(want)


def test_on_chip_tiers_persist_between_queries(small, rng):
    # LOAD once, then two queries with different k: the second reads the same on-chip keys.
    adapter, lib = small("inner_product_topk")
    pb = adapter.random_problem(30, 16, rng)
    adapter.csim_load(lib, pb)
    first = adapter.csim_query(lib, pb)
    pb.k = 3
    second = adapter.csim_query(lib, pb)
    assert first.topk.equals(adapter.reference(pb.__class__(30, 16, pb.arrays, scalars=pb.scalars)))
    assert second.topk.equals(adapter.reference(pb))


def test_query_reads_on_chip_keys_not_hbm(small, rng):
    # After LOAD, overwriting HBM changes only the keys that live in HBM (index >= 51).
    adapter, lib = small("inner_product_topk")
    pb = adapter.random_problem(60, 16, rng)
    launch = adapter.csim_load(lib, pb)
    for port in range(adapter.n_ports):
        lib.hbm_write(port, np.zeros_like(launch.port_images[port]))
    result = adapter.csim_query(lib, pb)
    pb.arrays["keys"] = pb.arrays["keys"].copy()
    pb.arrays["keys"][51:] = 0
    assert result.topk.equals(adapter.reference(pb))


def test_k_out_of_range_is_an_error_from_the_c_api(small, rng):
    adapter, lib = small("page_minmax_topk")
    pb = adapter.random_problem(10, 4, rng)
    adapter.csim_load(lib, pb)
    pb.k = 17
    with pytest.raises(ValueError, match=r"k must be in 1\.\.16"):
        adapter.csim_query(lib, pb)


def test_query_beyond_the_hbm_image_is_an_error(small, rng):
    adapter, lib = small("bm25_topk")
    pb = adapter.random_problem(10, 4, rng)
    launch = adapter.csim_load(lib, pb)
    launch.record(0)[0] = 40  # the row's n: beyond what the host wrote
    with pytest.raises(CsimError, match="HBM port docs0 holds"):
        adapter.csim_query(lib, pb, launch)
