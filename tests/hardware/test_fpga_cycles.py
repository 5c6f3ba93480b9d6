"""The design-level cycle model against counts worked out by hand for small configurations.

Each expected number is written as the sum the kernel's structure implies, term by term.
"""

import math

import pytest

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.hardware.fpga_kernels.cycles import dealt, expected_survivors, kernel_cycles

# 2 PEs, 8-dim keys over 4 lanes (2 chunks per key), tiers 4 BRAM + 2 URAM, 1 head.
IPT = {"pes": 2, "compare_width": 2, "head_dim": 8, "lanes": 4, "heads": 1, "bram_keys": 4, "uram_keys": 2,
       "k_max": 4, "insert_ii": 1, "pe_depth_cycles": 10, "bram_latency_cycles": 2,
       "uram_latency_cycles": 3, "hbm_latency_cycles": 50}
# An HBM pseudo-channel that delivers one 64-byte beat every 4 cycles at 300 MHz.
SLOW_PC = 64 * 300e6 / 4


def test_dealt_matches_round_robin():
    assert [dealt(10, 3, s) for s in range(3)] == [4, 3, 3]
    assert [dealt(2, 3, s) for s in range(3)] == [1, 1, 0]


def test_inner_product_all_on_chip():
    kp = load_kernel_params("inner_product_topk", IPT)
    c = kernel_cycles(kp, 6, 2, pc_bw_bytes_per_s=SLOW_PC, survivors=3)
    # PE 0 and PE 1 each get 3 keys (2 BRAM + 1 URAM), 2 chunks each: 6 cycles.
    assert c.steady == 6
    # top-k: ceil(6 / 2) = 3 rounds + 3 survivors x insert_ii 1.
    assert c.topk == 6
    # fill: query 1 head x 8 + 1 weight = 9, URAM latency 3, PE depth 10, sort 4, write k = 2.
    assert c.fill == 9 + 3 + 10 + 4 + 2
    assert c.total == 28 + 6
    assert c.tier_items == {"bram": 4, "uram": 2, "hbm": 0}


def test_inner_product_spilling_to_hbm_is_bound_by_the_pseudo_channel():
    kp = load_kernel_params("inner_product_topk", IPT)
    c = kernel_cycles(kp, 10, 2, pc_bw_bytes_per_s=SLOW_PC, survivors=0)
    # PE 0: keys 0,2,4,6,8 -> 3 on chip x 2 cycles + 2 from HBM x max(2 chunks, 1 beat x 4) = 14.
    assert c.steady == 3 * 2 + 2 * 4
    assert c.bound == "hbm"
    assert c.fill == 9 + 50 + 10 + 4 + 2  # HBM latency now
    assert c.total == 14 + 75


def test_inner_product_topk_insertions_can_dominate():
    kp = load_kernel_params("inner_product_topk", {**IPT, "insert_ii": 7})
    c = kernel_cycles(kp, 6, 4, pc_bw_bytes_per_s=SLOW_PC, survivors=6)
    assert c.topk == 3 + 6 * 7
    assert c.bound == "topk"


def test_page_minmax_counts_min_and_max_beats():
    # 3 PEs, 20 channels over 8 lanes = 3 chunks; a page's 40 int16 bounds fill 2 beats.
    kp = load_kernel_params("page_minmax_topk", {"pes": 3, "compare_width": 3, "head_dim": 20, "lanes": 8,
                                                 "heads": 2, "bram_pages": 3, "uram_pages": 3, "k_max": 8,
                                                 "insert_ii": 1, "pe_depth_cycles": 12})
    c = kernel_cycles(kp, 10, 1, pc_bw_bytes_per_s=SLOW_PC, survivors=2)
    # PE 0: pages 0,3,6,9: 2 on chip (0,3) x 3 + 2 in HBM x max(3, 2 beats x 4) = 6 + 16.
    assert c.steady == 22
    assert c.topk == 4 + 2
    # fill: query 2 heads x 24 padded dims = 48, HBM 100, PE 12, sort 8, write 1.
    assert c.fill == 48 + 100 + 12 + 8 + 1


def test_bm25_streams_records_at_the_slower_of_port_and_pseudo_channel():
    kp = load_kernel_params("bm25_topk", {"cores": 2, "compare_width": 2, "doc_slots": 24, "k_max": 8,
                                          "insert_ii": 1, "query_terms_max": 4, "pe_depth_cycles": 20})
    c = kernel_cycles(kp, 5, 3, pc_bw_bytes_per_s=SLOW_PC, survivors=3)
    # Core 0: docs 0,2,4; 24 slots x 32 bit = 2 beats each, 4 cycles per beat: 3 x 2 x 4.
    assert c.steady == 24
    assert c.fill == 4 + 100 + 2 + 20 + 8 + 3
    assert c.bound == "hbm"
    fast = kernel_cycles(kp, 5, 3, pc_bw_bytes_per_s=64 * 300e6, survivors=3)
    assert fast.steady == 3 * 2 * 1 and fast.bound == "pe"


def test_expected_survivors_of_random_order():
    assert expected_survivors(10, 64) == 10
    assert expected_survivors(6400, 64) == pytest.approx(64 * (1 + math.log(100)))


def test_seconds_use_clock_and_efficiency():
    kp = load_kernel_params("inner_product_topk", IPT)
    c = kernel_cycles(kp, 6, 2, pc_bw_bytes_per_s=SLOW_PC, survivors=3)
    assert c.seconds(300e6, 0.5) == pytest.approx(34 / 150e6)
