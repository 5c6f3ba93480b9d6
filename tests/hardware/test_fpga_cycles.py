"""The kernels' cycle model by hand: loop trip counts x II + depths, per stream, per job."""

import math

import pytest

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.hardware.fpga_kernels.cycles import (
    DesignShape,
    dealt,
    expected_inserts,
    expected_levels,
    hbm_cycles_per_beat,
    job_cycles,
    jobs_for,
    token_head_cycles,
)
from hetsim.hardware.fpga_kernels.designs import design_shape

SHAPE = DesignShape(kernel="k", streams=3, item_beats=2, beat_bytes=64, macs_per_beat=32, pe_ii=1, pe_depth=10,
                    query_beats=5, bram_slots=2, uram_slots=1, bram_latency=2, uram_latency=3, hbm_latency=100,
                    doorbell=120, k_max=8, topk_group=2, clock_mhz=300.0, rows_max=4, rec_beats=1)
IO_BEAT = 64 / 14.375e9 * 300e6  # cycles of one 64 B beat over the io pseudo-channel at 300 MHz


def test_dealt_counts_round_robin():
    assert [dealt(10, 3, s) for s in range(3)] == [4, 3, 3]
    assert [dealt(2, 3, s) for s in range(3)] == [1, 1, 0]


def test_a_job_on_chip_by_hand():
    # 7 items over 3 streams: 3/2/2; 9 on-chip slots hold them all. Stream 0: 3 items in slots
    # 0-2, past its 2 BRAM slots: URAM latency 3 + 6 beats; PE 6 trips. Queue 0 takes streams
    # 0-1: 5 candidates. Tail: depth 10 + (8 - 1) + (2 queues x k 4 + 8 - 1) + 4 + 2 x 4 + 16.
    c = job_cycles(SHAPE, 7, 4)
    assert c.stream == 9 and c.bound == "hbm"  # the fetch (latency + beats) outlasts the PE's 6 trips
    assert c.head == 5  # the row's query, broadcast from the on-chip row buffer
    assert c.job_head == pytest.approx(120 + 100 + (1 + 5) * IO_BEAT)  # doorbell, then record + query in one burst
    assert c.tail == 10 + 7 + (8 + 7) + 4 + 8 + 16
    assert c.total == pytest.approx(c.job_head + 5 + 9 + c.tail)
    assert c.trips == {"rounds": 5, "topk_cycles": 5 + 7 + 15 + 4, "levels": 0, "pe_trips": 6, "hbm_beats": 0}


def test_hbm_items_stream_at_the_pseudo_channel_rate():
    # 64 B beats from a 14.375 GB/s PC at 89% and 300 MHz: 1.5 cycles a beat.
    assert hbm_cycles_per_beat(SHAPE, hbm_efficiency=0.89) == pytest.approx(64 / (14.375e9 * 0.89) * 300e6)
    c = job_cycles(SHAPE, 30, 1, chip_n=0, hbm_efficiency=0.89)
    assert c.trips["hbm_beats"] == 20 and c.bound == "hbm"
    assert c.stream == pytest.approx(100 + 20 * 64 / (14.375e9 * 0.89) * 300e6)


def test_a_slow_pe_bounds_the_stream():
    c = job_cycles(SHAPE, 30, 1, chip_n=0, hbm_efficiency=0.89, beats_per_item=20)  # 10 passes over each item
    assert c.stream == 10 * 20 and c.bound == "pe"  # > 100 latency + 20 beats x 1.5


def test_queues_wider_than_the_items_bound_the_intake():
    wide = DesignShape(**{**SHAPE.__dict__, "topk_group": 3, "item_beats": 1, "bram_slots": 10})
    c = job_cycles(wide, 30, 1, chip_n=30)
    assert c.trips["rounds"] == 30 and c.stream == 30 and c.bound == "topk"


def test_select_tail_counts_its_passes():
    big = DesignShape(**{**SHAPE.__dict__, "k_max": 512})
    c = job_cycles(big, 3000, 300, chip_n=0, levels=2)
    assert c.trips == {"rounds": 1000, "topk_cycles": 2 * (1000 + 256) + 1000 + 300, "levels": 2, "pe_trips": 2000,
                       "hbm_beats": 2000}
    assert expected_levels(100, 300) == 0 and expected_levels(3000, 300) == 3


def test_expected_survivors_of_random_order():
    assert expected_inserts(10, 64) == 10
    assert expected_inserts(6400, 64) == pytest.approx(64 * (1 + math.log(100)))


@pytest.mark.parametrize("kernel", ["inner_product_topk", "page_minmax_topk", "bm25_topk"])
def test_default_builds_reach_80_percent_of_the_hbm_roofline_at_1m_items(kernel):
    shape = design_shape(load_kernel_params(kernel))
    c = job_cycles(shape, 1_000_000, 64, chip_n=0, hbm_efficiency=0.89)
    achieved = 1_000_000 * shape.item_bytes / c.seconds(300e6)
    assert achieved >= 0.8 * 32 * 14.375e9 * 0.89


def test_a_job_of_several_rows_pays_one_doorbell_and_one_burst_latency():
    one, three = job_cycles(SHAPE, 7, 4), job_cycles(SHAPE, 7, 4, rows=3)
    assert three.row == one.row  # each row runs as it would alone
    assert three.job_head - one.job_head == pytest.approx(2 * (1 + 5) * IO_BEAT)  # only the extra rows' beats
    assert three.total == pytest.approx(three.job_head + 3 * one.row)
    with pytest.raises(ValueError, match="1..4 rows"):
        job_cycles(SHAPE, 7, 4, rows=5)


def test_a_batch_larger_than_a_job_splits_into_jobs_of_rows_max():
    assert jobs_for(SHAPE, 4) == [4] and jobs_for(SHAPE, 9) == [4, 4, 1] and jobs_for(SHAPE, 1) == [1]


def test_token_heads_one_job_per_layer_against_one_per_request():
    overhead, query = token_head_cycles(SHAPE, 8, 32)  # 2 jobs a layer
    assert overhead == pytest.approx(32 * (2 * (120 + 100) + 8 * IO_BEAT))
    assert query == pytest.approx(32 * 8 * 5 * IO_BEAT)
    per_request, same_query = token_head_cycles(SHAPE, 8, 32, rows_per_job=1)
    assert per_request == pytest.approx(32 * 8 * (120 + 100 + IO_BEAT)) and same_query == pytest.approx(query)
