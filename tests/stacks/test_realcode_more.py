"""Kernels priced as ATen launches them, found by the first blind check of everyday code and fitted on the aten sweep's
`realcode-more` group: LayerNorm's block-a-row walk, torch.gather's element loop, cumsum's two paths (with PyTorch
2.11's thread-count wrap), sort's three paths, waves of blocks in ATen's reduce, fp32 GEMMs on the FFMA units. The
second blind check (`realcode-check2`) is scored here too."""

import math

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, validate_ops
from hetsim.hardware.gpu import rate_keys, walk_bytes, wave_shape
from hetsim.hardware.launch import RESIDENT_BLOCKS, reduce_walk
from hetsim.ops import Matmul
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"
CHECK2 = RUNS / "H200-aten-realcode-check2-2026-12-02.parquet"


def meta(shape, dtype="float32"):
    return TensorMeta.dense(shape, dtype)


def one(name, inputs, outputs, args=None):
    (op,) = aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}))
    return op


def cumsum(rows, n, dtype="float32"):
    return one("aten.cumsum.default", [meta((rows, n), dtype)], [meta((rows, n), dtype)], {"dim": -1})


def sort(rows, n, dtype="float32"):
    return one("aten.sort.default", [meta((rows, n), dtype)], [meta((rows, n), dtype), meta((rows, n), "int64")],
               {"dim": -1, "descending": True})


def test_the_innermost_scan_lays_out_its_threads_as_aten_2_11_does():
    # get_log_num_threads_x_inner_scan in unsigned arithmetic: (9 + d) / 2 clamped to [4, 9], d the logs' difference
    assert aten.scan_threads_x(512, 512) == 16 and aten.scan_threads_x(64, 1024) == 64
    assert aten.scan_threads_x(32, 4096) == 256 and aten.scan_threads_x(2, 128256) == 512
    # the rows' log 10 above the row's: the sum wraps, 512 threads a row (100,000 rows of 16 took 560 us on an H200)
    assert aten.scan_threads_x(100000, 16) == 512 and aten.scan_threads_x(4096, 16) == 16


def test_cumsum_takes_cub_for_one_row_and_chunks_in_waves_for_many():
    assert cumsum(1, 51865).regime == "scan_device" and not cumsum(1, 51865).walk
    op = cumsum(512, 512)  # 16 threads a row, 32 rows a block: 16 blocks, one wave of 16 chunks
    assert op.regime == "scan" and op.walk == 16 * aten.SCAN_CHUNK_BYTES
    many = cumsum(100000, 16)  # a block a row: 100,000 blocks over 528 resident, one chunk each
    assert many.walk == math.ceil(100000 / RESIDENT_BLOCKS) * aten.SCAN_CHUNK_BYTES
    h200 = gpu_model("H200")
    # measured on shapes the fit never saw (realcode-check2, CUDA graph): 3.5 us for 1 x 51865, 42.4 us for 4 x 32064
    assert h200.device_time_s(cumsum(1, 51865)) == pytest.approx(3.5e-6, rel=0.2)
    assert h200.device_time_s(cumsum(4, 32064)) == pytest.approx(42.4e-6, rel=0.2)
    assert h200.device_time_s(many) > 10 * h200.device_time_s(cumsum(4096, 16))  # the wrap's cost


def test_sort_follows_the_three_paths_of_sortstable():
    single = sort(1, 128256)  # a device radix sort: a histogram pass and four 8-bit digit passes of fp32
    assert (single.regime, single.steps) == ("sort", 5) and wave_shape(single) == (5.0, 0.0)
    assert sort(1, 128256, "bfloat16").steps == 3  # two digits
    assert sort(2, 1_000_000).steps == 10  # segments of >= 1M keys: one sort each
    few = sort(16, 32000)  # one sort of all, a sort by segment over 4 bits, the gather
    assert (few.regime, few.steps) == ("sort", 5 + 2 + 1)
    seg = sort(512, 8192)  # cub's segmented sort: six 6-bit passes, 4 waves of 132 blocks
    assert seg.regime == "sort_segmented" and seg.walk == 6 * 4 * 8192 * 12
    assert rate_keys(seg)[:2] == ("sort_segmented", "sort")
    assert sort(4096, 64).regime == "sort_inplace"
    h200 = gpu_model("H200")
    # realcode-check2 (never fitted): 51.7 us for 1 x 51865 fp32, 57.7 us for 8 x 32064 bf16; the bytes-only key priced
    # one row of 128K fp32 at 14 us against 56 measured
    assert h200.device_time_s(sort(1, 51865)) == pytest.approx(51.7e-6, rel=0.15)
    assert h200.device_time_s(sort(8, 32064, "bfloat16")) == pytest.approx(57.7e-6, rel=0.15)


def test_torch_gather_is_its_element_loop_not_index_select():
    small = one("aten.gather.default", [meta((16, 51865)), meta((16, 1), "int64")], [meta((16, 1))], {"dim": 1})
    big = one("aten.gather.default", [meta((4, 8, 2048), "bfloat16"), meta((4, 8, 256), "int64")],
              [meta((4, 8, 256), "bfloat16")], {"dim": -1})
    assert small.regime == big.regime == "gather_elements"
    assert small.walk == 1 * (8 + 4) and big.walk == 4 * (8 + 2)  # <= 128 elements: one pass of the loop; else four
    h200 = gpu_model("H200")
    # realcode-check2: 1.7 and 4.7 us; index_select's key priced such gathers at ~1.5 us whatever their size
    # (the key's form; the fit cases nearest the larger one ran slower, and their misses price it ~1.2x higher:
    # product_table)
    assert h200.device_time_s(small) / h200.neighbour_factor(small) == pytest.approx(1.7e-6, rel=0.2)
    assert h200.device_time_s(big) / h200.neighbour_factor(big) == pytest.approx(4.7e-6, rel=0.2)
    assert h200.device_time_s(big) == pytest.approx(4.7e-6, rel=0.25)


def test_a_gather_whose_index_is_read_across_its_layout_pays_a_sector_an_element():
    # PQ's ADC: a [16, 64, 256] distance table gathered by codes.T expanded over the queries, neighbouring outputs'
    # codes 64 apart (realcode-check33, 11.9 ms on an H100, priced -83 % by the index's stored bytes)
    from hetsim.tracing.trace import TensorMeta

    table = meta((16, 64, 256))
    codes = TensorMeta((16, 64, 500000), (0, 1, 64), "int64", view=True, contiguous=False)
    out = meta((16, 64, 500000))
    across = one("aten.gather.default", [table, codes], [out], {"dim": 2})
    dense = one("aten.gather.default", [table, meta((16, 64, 500000), "int64")], [out], {"dim": 2})
    n = 16 * 64 * 500000
    assert across.nbytes - dense.nbytes == n * 32 - n * 8


def test_layer_norm_walks_its_rows_at_fp32_and_rms_norm_at_its_width():
    x, w = meta((1500, 1280), "float16"), meta((1280,), "float16")
    ln = one("aten.native_layer_norm.default", [x, w, w], [x, meta((1500, 1)), meta((1500, 1))],
             {"normalized_shape": [1280], "eps": 1e-5})
    rms = one("aten._fused_rms_norm.default", [x, w], [x, meta((1500, 1))], {"normalized_shape": [1280], "eps": 1e-5})
    assert (ln.rows, ln.row_bytes) == (1500, 1280 * 4) and (rms.rows, rms.row_bytes) == (1500, 1280 * 2)
    assert rate_keys(ln)[0] == "layer_norm" and walk_bytes(ln) > 0


def test_reduce_counts_waves_of_blocks_and_a_global_reductions_second_stage():
    # 65,536 rows of 64 bf16: 16 rows a block, 4,096 blocks: 8 waves of 528, each 2 elements a lane plus the fixed cost
    from hetsim.hardware.launch import GLOBAL_REDUCE_WAVES, REDUCE_WAVE_FIXED_BYTES

    assert reduce_walk(65536, 64, 2) == 8 * (2 * 2 + REDUCE_WAVE_FIXED_BYTES)
    assert reduce_walk(4096, 64, 2) == 1 * (2 * 2 + REDUCE_WAVE_FIXED_BYTES)
    # one row of 1M fp32: 123 blocks share it (ctas_per_output), then the last block reduces their partials
    assert reduce_walk(1, 1_000_000, 4) == (1 + GLOBAL_REDUCE_WAVES) * (16 * 4 + REDUCE_WAVE_FIXED_BYTES)
    assert RESIDENT_BLOCKS == 528


def test_fp32_gemms_take_their_own_key():
    assert rate_keys(Matmul(384, 4096, 1024, dtype="fp32"))[:2] == ("matmul_fp32", "matmul")
    assert rate_keys(Matmul(384, 4096, 1024))[0] == "matmul"
    assert rate_keys(Matmul(64, 2048, 1, dtype="fp32"))[0] == "matmul_outer"  # k = 1 keeps its own


def test_the_second_realcode_check_is_blind_and_scored(assert_blind):
    assert_blind("realcode-check2", 70, "realcode-more")
    graph = validate_ops(gpu_model("H200"), load_cases(CHECK2)).stats("graph")
    # 19.2 % with the profile before realcode-more; 11.7 % blind after it (11.0 % with the global reduction's stage,
    # added after this check was seen): not the <= 10 % target
    assert graph["median_abs"] <= 0.13


def test_a_reduction_over_a_broadcast_input_reads_its_repeats_from_the_caches():
    # a K cache expanded 8x over the query heads, normed per head (realcode-check33: 72 us on an H100 where the same
    # shape unexpanded ran 253; priced +227 % when every repeat was a byte from HBM)
    from hetsim.hardware import gpu as hw
    from hetsim.tracing.trace import TensorMeta

    shape = (1, 8, 16384, 8, 128)
    expanded = TensorMeta(shape, (16777216, 2097152, 128, 0, 1), "bfloat16", view=True, contiguous=False)
    out = meta((1, 8, 16384, 8, 1), "bfloat16")
    args = {"ord": 2, "dim": [-1], "keepdim": True}
    (rep,), (own,) = (aten.lower_op(AtenOp("aten.linalg_vector_norm.default", (x,), (out,), args, dims=(4,)))
                      for x in (expanded, meta(shape, "bfloat16")))
    assert rep.rows == own.rows == 8 * 16384 * 8 and rep.cols == 128
    logical = 8 * 16384 * 8 * 128 * 2
    assert rep.cached_bytes == logical * 7 // 8 and own.cached_bytes == 0
    assert own.bytes - rep.bytes == rep.cached_bytes
    # stored once from HBM, the other 7 of 8 from the L2 at its gain: 0.55 of the bytes, of the lane's walk alike
    assert hw.walk_bytes(rep) / hw.walk_bytes(own) == pytest.approx(hw.hbm_bytes(rep) / hw.hbm_bytes(own), rel=0.02)
    assert hw.walk_bytes(rep) < 0.6 * hw.walk_bytes(own)
    h100 = gpu_model("H100-SXM")
    assert h100.device_time_s(rep) < 0.7 * h100.device_time_s(own)
