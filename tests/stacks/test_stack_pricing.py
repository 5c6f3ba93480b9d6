"""Pricing the regimes the traced ops fall in, and where an assumed rate shows up."""

import math

import pytest

from hetsim.config.load import Catalogue
from hetsim.hardware import residency
from hetsim.hardware.gpu import GpuModel, rate_keys
from hetsim.ops import AxisReduction, HostCall, IdleStart, Matmul, Pointwise
from hetsim.provenance import ProvenanceLog
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, SdpaCall, TensorMeta


@pytest.fixture(scope="module")
def h200():
    from hetsim.calibration.device_inputs import device_inputs

    cat = Catalogue.load()
    inputs = device_inputs(cat.devices["H200"], cat.links)
    def make():
        log = ProvenanceLog()
        return GpuModel(cat.devices["H200"], inputs.profile, log), log
    return make


def meta(shape, dtype="bfloat16", stride=None):
    return TensorMeta.dense(shape, dtype, stride)


def test_broadcast_multiply_reads_the_small_input_once():
    x, scale = meta((8, 1, 4096), "float32"), meta((8, 1, 1), "float32")
    (op,) = aten.lower_op(AtenOp("aten.mul.Tensor", (x, scale), (meta((8, 1, 4096), "float32"),)))
    assert op.bytes == 4 * (8 * 4096 + 8 + 8 * 4096)


def test_a_one_element_tensor_over_a_longer_output_is_a_broadcast_input_a_0_dim_one_too():
    # transformers' mask: cache_position [1, 1, 1, L] <= position [1, 1, 1, 1] (stride 0 along L: the strided
    # kernel); a traced 0-dim tensor is on the GPU (a Python number arrives as a plain argument), and ATen lifts only
    # CPU scalars into the kernel's arguments: a div by a 0-d scale ran elementwise_kernel<128, 4> (realcode-check13)
    pos, one, scalar = meta((1, 1, 1, 4097), "int64"), meta((1, 1, 1, 1), "int64"), meta((), "int64")
    out = meta((1, 1, 1, 4097), "bool")
    (le,) = aten.lower_op(AtenOp("aten.le.Tensor", (pos, one), (out,)))
    (le0,) = aten.lower_op(AtenOp("aten.le.Tensor", (pos, scalar), (out,)))
    assert le.regime == le0.regime == "pointwise_broadcast" and le0.operands == 3
    (plain,) = aten.lower_op(AtenOp("aten.le.Scalar", (pos,), (out,), {"other": 7}))
    assert plain.regime != "pointwise_broadcast"  # a Python number: the kernel's argument
    (same,) = aten.lower_op(AtenOp("aten.add.Tensor", (one, one), (meta((1, 1, 1, 1), "int64"),)))
    assert same.regime != "pointwise_broadcast"  # one element in, one out: nothing is broadcast
    # a 0-d fp32 scale over bf16 states: the kernel casts its loads (the strided kernel with casts)
    x, s = meta((8, 1, 2048)), meta((), "float32")
    (mul,) = aten.lower_op(AtenOp("aten.mul.Tensor", (x, s), (meta((8, 1, 2048)),)))
    assert mul.regime == "pointwise_strided_cast"


def test_a_cat_with_one_non_empty_input_has_half_the_cat_kernels_grid():
    # ATen's batched cat kernel gives each input 2 x SMs blocks; DynamicCache's first update cats the empty cache
    # (same dtype: it still takes that kernel) with the new transposed K: one input, half the grid
    k = meta((1, 8, 2048, 128), stride=(2097152, 128, 1024, 1))
    out = meta((1, 8, 2048, 128))
    (first,) = aten.lower_op(AtenOp("aten.cat.default", (meta((0,)), k), (out,), {"dim": -2}))
    halves = [meta((1, 8, 2048, 64), stride=(2097152, 128, 1024, 1)) for _ in range(2)]
    (rotate,) = aten.lower_op(AtenOp("aten.cat.default", tuple(halves), (out,), {"dim": -1}))
    (clone,) = aten.lower_op(AtenOp("aten.clone.default", (k,), (out,)))
    # rotate_half's cat of two strided halves runs the same kernel unvectorised (cat_strided); a permute's clone runs
    # the strided copy
    assert (first.regime, rotate.regime, clone.regime) == ("cat_one_input", "cat_strided", "copy_strided")
    # an empty input of another dtype, or more dims than the cat kernel takes: ATen copy_'s instead
    (mixed,) = aten.lower_op(AtenOp("aten.cat.default", (meta((0,), "float32"), k), (out,), {"dim": -2}))
    five = meta((1, 8, 2, 1024, 64), stride=(1048576, 128, 64, 1024, 1))
    (wide,) = aten.lower_op(AtenOp("aten.cat.default", (meta((0,)), five), (meta((1, 8, 2, 1024, 64)),), {"dim": -2}))
    assert mixed.regime == wide.regime == "copy_strided"


def test_x_idx_runs_the_vectorised_row_gather_only_for_one_index_over_rows_of_16_bytes(h200):
    gpu, _ = h200()
    idx = meta((4096,), "int64")

    def lowered(table, *indices):
        out_rows = indices[0].shape
        out = meta((*out_rows, *table.shape[len(indices):]), table.dtype)
        (op,) = aten.lower_op(AtenOp("aten.index.Tensor", (table, *indices), (out,)))
        return op

    rows = lowered(meta((65536, 64)), idx)  # rows of 128 B: IndexKernel.cu's vectorized_gather_kernel
    flat = lowered(meta((2_000_000,), "float32"), idx)  # a 1-D table: a thread an element
    narrow = lowered(meta((1_000_000, 2)), idx)  # rows of 4 B
    bt = lowered(meta((16, 1024, 4096)), meta((16,), "int64"), meta((16,), "int64"))  # x[b, t]: two index tensors
    assert not rows.elementwise and flat.elementwise and narrow.elementwise and bt.elementwise
    assert rate_keys(rows)[0] == "index_gather"
    assert rate_keys(bt)[:2] == ("index_elementwise", "index_gather")
    # the H200's element-by-element kernel costs more a launch than the row gather (~3.5 against ~2 us for a
    # handful of rows, the aten sweep): x[b, t] of 16 rows is priced above the same bytes as one row gather
    assert gpu.device_time_s(bt) > gpu.device_time_s(lowered(meta((16384, 4096)), meta((16,), "int64")))


def test_a_contiguous_tensor_cloned_into_channels_last_is_a_transposing_copy():
    x = meta((2, 320, 128, 128), "float16")
    nhwc = meta((2, 320, 128, 128), "float16", stride=(5242880, 1, 40960, 320))
    (op,) = aten.lower_op(AtenOp("aten.clone.default", (x,), (nhwc,), {"memory_format": "torch.channels_last"}))
    assert op.regime == "copy_transpose"  # the output's fastest dim (C) is not the input's (W)
    (same,) = aten.lower_op(AtenOp("aten.clone.default", (x,), (meta((2, 320, 128, 128), "float16"),)))
    assert same.regime == "copy_memcpy"  # one dense layout and dtype: cudaMemcpyAsync (Copy.cu's memcpy_eligible)
    # a layout that keeps the fastest dim (a padded row pitch) is the strided copy, not a transpose
    pitched = meta((2, 320, 128, 128), "float16", stride=(5505024, 17408, 136, 1))
    (pitch,) = aten.lower_op(AtenOp("aten.clone.default", (x,), (pitched,)))
    assert pitch.regime == "copy_strided"


def test_a_pad_is_a_fill_of_the_output_and_a_strided_copy_of_the_input():
    x = meta((1, 64, 64, 1280), "float32")
    out = meta((1, 70, 70, 1280), "float32")
    fill, copy = aten.lower_op(AtenOp("aten.constant_pad_nd.default", (x,), (out,), {"pad": [0, 0, 0, 6, 0, 6]}))
    assert fill.regime == "pointwise_fill" and fill.bytes == out.numel * 4  # written, never read
    assert copy.regime == "copy_strided" and copy.numel == x.numel and copy.bytes == 2 * x.numel * 4
    # a negative pad crops: only the kept elements are copied
    crop = meta((1, 60, 60, 1280), "float32")
    _, kept = aten.lower_op(AtenOp("aten.constant_pad_nd.default", (x,), (crop,), {"pad": [0, 0, 0, -4, 0, -4]}))
    assert kept.numel == crop.numel


def test_a_cast_is_elementwise_at_each_side_width():
    (op,) = aten.lower_op(AtenOp("aten._to_copy.default", (meta((4, 4096)),), (meta((4, 4096), "float32"),),
                                 {"dtype": "float32"}))
    assert isinstance(op, Pointwise) and op.bytes == 4 * 4096 * (2 + 4)


def test_a_reduction_into_another_dtype_casts_its_input_first():
    # ReduceOps.cpp's make_reduction_from_out_ty: a bool mask counted into int64 is a full-size cast copy, then an int64
    # reduce (profiled: direct_copy_kernel 32 us, then reduce_kernel<long> 25 us over 48 x 201088); a 16-bit float
    # summed into fp32 is one kernel that casts as it loads
    def row_sums(rows, cols, dtype, out_dtype):
        return aten.lower_op(AtenOp("aten.sum.dim_IntList", (meta((rows, cols), dtype),), (meta((rows,), out_dtype),),
                                    {"dim": [-1]}, (1,)))

    cast, red = row_sums(48, 201088, "bool", "int64")
    assert isinstance(cast, Pointwise) and rate_keys(cast)[0] == "cast_int64" and cast.numel == 48 * 201088
    assert isinstance(red, AxisReduction) and red.dtype == "int64" and (red.rows, red.cols) == (48, 201088)
    (one,) = row_sums(48, 4096, "bfloat16", "float32")
    assert isinstance(one, AxisReduction) and one.dtype == "bf16"


def test_middle_dim_reduction_is_priced_near_bandwidth_not_as_a_narrow_row(h200):
    from hetsim.hardware.gpu import NARROW_LOAD_BYTES, hbm_bytes

    gpu, log = h200()
    x = meta((4096, 8, 4096))
    (middle,) = aten.lower_op(AtenOp("aten.sum.dim_IntList", (x,), (meta((4096, 4096)),), {"dim": [1]}, dims=(1,)))
    (last,) = aten.lower_op(AtenOp("aten.sum.dim_IntList", (meta((4096 * 4096, 8)),), (meta((4096 * 4096,)),),
                                   {"dim": [1]}, dims=(1,)))
    assert isinstance(middle, AxisReduction) and middle.inner == 4096 and last.inner == 1
    assert middle.bytes == last.bytes
    assert gpu.device_time_s(last) > 3 * gpu.device_time_s(middle)
    # fitted on the aten sweep's methods group (outer-dim sums, amax / amin apart: MaxOps run slower)
    assert log.used["H200.profile.reduction_outer"] == "calibrated"
    r = gpu.rates["reduction_outer"]
    # the key's form, times its measured neighbours' correction (product_table); its bytes with what its lanes' 8-byte
    # loads cost beside them (gpu.narrow_load_bytes)
    assert hbm_bytes(middle) == pytest.approx(middle.bytes + middle.input_bytes * NARROW_LOAD_BYTES / 8)
    assert gpu.device_time_s(middle) == pytest.approx((r.overhead_s + hbm_bytes(middle) / r.bw_bytes_per_s)
                                                      * gpu.neighbour_factor(middle))
    (peak,) = aten.lower_op(AtenOp("aten.amax.default", (x,), (meta((4096, 4096)),), {"dim": [1]}, dims=(1,)))
    assert rate_keys(peak)[:2] == ("reduction_outer_max", "reduction_outer")
    assert gpu.device_time_s(peak) > 1.2 * gpu.device_time_s(middle)


def test_unknown_aten_op_is_roofline_priced_and_named_in_provenance(h200):
    gpu, log = h200()
    (op,) = aten.lower_op(AtenOp("aten.special_bessel_j0.default", (meta((1024, 1024)),), (meta((1024, 1024)),)))
    assert gpu.device_time_s(op) > 0
    assert "H200.aten.aten.special_bessel_j0.default.aten_unknown" in log.by_grade()["assumed"]


def test_views_and_module_calls_cost_host_time_only(h200):
    gpu, log = h200()
    view, module = HostCall("view", "aten.view.default"), HostCall("module", "Linear")
    assert gpu.device_time_s(view) == gpu.device_time_s(module) == 0.0
    assert gpu.dispatch_s(view) > 0 and gpu.dispatch_s(module) > 0
    assert gpu.graph_time_s([view, module]) == 0.0  # a CUDA graph replays no host work
    grades = log.by_grade()
    assert "H200.profile.host_module" in grades["measured"]  # host_calls.json, through trace_fit
    assert "H200.profile.host_view" in grades["measured"]  # a tensor view as a model calls it (host_calls.json)
    assert not any(k.startswith("H200.host.") for k in grades.get("assumed", []))


def test_an_op_onto_an_idle_gpu_pays_its_issue_before_it_runs(h200):
    gpu, _ = h200()
    mm = Matmul(8, 4096, 4096)
    cold = IdleStart(mm)
    idle = gpu.rates["idle_start"].overhead_s  # the wake-up latency fitted on ops onto an idle GPU
    assert gpu.op_time_s(cold) == pytest.approx(gpu.dispatch_s(mm) + idle + gpu.stream_device_s(mm))
    assert gpu.op_time_s(mm) == pytest.approx(max(gpu.dispatch_s(mm), gpu.stream_device_s(mm)))
    assert gpu.device_time_s(cold) == gpu.device_time_s(mm)


def _call(q, k, mask=None, gqa=False, dtype="bfloat16"):
    return SdpaCall(meta(q, dtype), meta(k, dtype), meta(k, dtype), None if mask is None else meta(mask, dtype),
                    mask is None, gqa, 0.0, None, 0, 1)


def test_sdpa_backend_follows_pytorch_rules():
    masked = _call((1, 32, 1, 128), (1, 32, 4096, 128), mask=(1, 1, 1, 4096))
    assert aten.sdpa_backend(masked, 90) == "cudnn"  # sm90: cuDNN first, masks and all
    assert aten.sdpa_backend(masked, 80) == "efficient"  # flash takes no arbitrary mask
    assert aten.sdpa_backend(_call((1, 32, 1, 128), (1, 8, 4096, 128), gqa=True), 80) == "flash"
    # fp32 and heads wider than 256: the memory-efficient kernels (profiled: realcode-check12), not math
    assert aten.sdpa_backend(_call((1, 32, 1, 128), (1, 32, 64, 128), dtype="float32"), 90) == "efficient"
    assert aten.sdpa_backend(_call((1, 1, 6240, 384), (1, 1, 6240, 384), dtype="float32"), 90) == "efficient"
    assert aten.sdpa_backend(_call((1, 1, 4096, 512), (1, 1, 4096, 512), mask=(1, 1, 4096, 4096)), 90) == "efficient"
    # grouped K/V heads in fp32: neither flash nor the memory-efficient kernel takes them
    assert aten.sdpa_backend(_call((1, 32, 1, 128), (1, 8, 64, 128), gqa=True, dtype="float32"), 90) == "math"
    # nor a masked 16-bit GQA call where cuDNN is not first (sm80): flash takes no mask, memory-efficient no GQA
    gqa_masked = _call((1, 32, 16, 128), (1, 8, 64, 128), mask=(1, 1, 16, 64), gqa=True)
    assert aten.sdpa_backend(gqa_masked, 80) == "math" and aten.sdpa_backend(gqa_masked, 90) == "cudnn"
    assert aten.sdpa_backend(_call((1, 4, 64, 44), (1, 4, 64, 44), dtype="float32"), 90) == "efficient"  # 4-aligned


def test_keys_wider_than_the_values_run_cudnn_first_and_never_flash():
    # MLA's 192-wide queries and keys over 128-wide values (DeepSeek-V2 / V3 in plain torch): profiled, cuDNN's flash
    # fprop on an H200 (realcode-check9 and check16, prefill and decode); flash asks one width of all three
    # (sdp_utils' check_head_dim_size_flash), so where cuDNN is not first the memory-efficient kernel takes them
    q, k = meta((1, 128, 2048, 192), "bfloat16"), meta((1, 128, 2048, 192), "bfloat16")
    mla = SdpaCall(q, k, meta((1, 128, 2048, 128), "bfloat16"), None, True, False, 0.0, None, 0, 1)
    assert aten.sdpa_backend(mla, 90) == "cudnn"
    assert aten.sdpa_backend(mla, 90, cudnn=False) == "efficient" and aten.sdpa_backend(mla, 80) == "efficient"


def test_math_sdpa_is_a_chain_of_ops_and_a_fused_one_a_kernel():
    fused = aten.lower_sdpa(_call((2, 32, 1, 128), (2, 8, 1000, 128), gqa=True), 90, decode=True)
    assert len(fused) == 1 and fused[0].decode and fused[0].kv_heads == 8
    math_ops = aten.lower_sdpa(_call((2, 32, 1, 128), (2, 8, 1000, 128), gqa=True, dtype="float32"), 90, True)
    assert [o.name for o in math_ops] == ["sdpa_math_scale", "sdpa_math_repeat_kv", "sdpa_math_scale_k",
                                          "sdpa_math_qk", "sdpa_math_mask", "sdpa_math_softmax", "sdpa_math_pv"]
    # a 16-bit call is computed in fp32 (PyTorch >= 2.5's math path: q, k, v cast up, the output and the attention
    # weights cast back down; profiled, realcode-check15's MLA decode: fp32 copies and cuBLAS's fp32 gemv kernels)
    gqa_masked = _call((1, 32, 16, 128), (1, 8, 64, 128), mask=(1, 1, 16, 64), gqa=True)
    ops = aten.lower_sdpa(gqa_masked, 80, False)
    names = [o.name for o in ops]
    assert names[:3] == ["sdpa_math_upcast_q", "sdpa_math_upcast_k", "sdpa_math_upcast_v"]
    assert names[-2:] == ["sdpa_math_downcast_out", "sdpa_math_downcast_weights"]
    assert {o.dtype for o in ops if o.name in ("sdpa_math_qk", "sdpa_math_pv")} == {"fp32"}
    assert ops[-1].numel == 32 * 16 * 64 and ops[0].regime == "cast_fp32"


def test_a_last_dim_reduction_is_bound_by_each_threads_walk_until_the_bytes_take_longer(h200):
    from hetsim.hardware.gpu import walk_bytes
    from hetsim.hardware.launch import GLOBAL_REDUCE_WAVES, REDUCE_WAVE_FIXED_BYTES, reduce_walk

    gpu, _ = h200()
    # ATen's reduce kernel gives a row of 4096 fp32 (16-byte vectors) 32 lanes from 16 rows on: each lane reads
    # 32 vectors one after another, the same 512 B at 16 rows as at 1,024 (measured flat, ~7.6 us)
    # (each one wave of blocks here: its lanes' walk plus the wave's fixed cost)
    fixed = REDUCE_WAVE_FIXED_BYTES
    assert [reduce_walk(rows, 4096, 4) - fixed for rows in (1, 4, 16, 64, 1024)] == [32.0, 128.0, 512.0, 512.0, 512.0]
    assert reduce_walk(8, 3584, 4) == 224.0 + fixed  # 64 lanes a row
    assert reduce_walk(256, 1024, 2) == 64.0 + fixed  # bf16 rows of 1,024: 32 lanes a row whatever the vector
    assert reduce_walk(48, 14336, 2) == 56.0 + fixed  # a lane over >= 256 values shares its row with the block's warps
    # values_per_thread counts elements, not vectors: 16 rows of 8192 fp32 give a lane 256, so they share
    # (measured 3.0 us on an H200, not the 13 us a 1 KB walk would take); 4 rows of 16384 likewise
    assert reduce_walk(16, 8192, 4) == 64.0 + fixed and reduce_walk(4, 16384, 4) == 128.0 + fixed
    assert reduce_walk(16, 7168, 4) == 896.0 + fixed  # 224 per lane: below both thresholds (measured 11.4 us)
    # one row: its warps, then ctas_per_output blocks share it, and the last block reduces their partials
    assert reduce_walk(1, 131072, 4) == (1 + GLOBAL_REDUCE_WAVES) * (64.0 + fixed)
    # a 16-bit sum or mean loads 8 elements at once over rows of 128 and more (sum_functor's input_vec_size): rows of
    # 128 take 16 lanes, a block 32 rows, half amax's blocks over the same rows; rows of 1,024 keep 32 lanes
    assert reduce_walk(262144, 128, 2, sum_like=True) == pytest.approx(reduce_walk(262144, 128, 2) / 2, rel=0.05)
    assert reduce_walk(262144, 64, 2, sum_like=True) == reduce_walk(262144, 64, 2)  # shorter rows: scalar loads
    assert reduce_walk(256, 1024, 2, sum_like=True) == reduce_walk(256, 1024, 2)
    quest = [AxisReduction(262144, 128, "bf16", "sum", aten=a) for a in ("aten.sum.dim_IntList", "aten.amax.default")]
    assert walk_bytes(quest[0]) < 0.55 * walk_bytes(quest[1])
    fp32 = [AxisReduction(262144, 128, "fp32", "sum", aten=a) for a in ("aten.sum.dim_IntList", "aten.amax.default")]
    assert walk_bytes(fp32[0]) == walk_bytes(fp32[1])  # fp32 sums load 4 a lane as the others do
    r = gpu.rates["reduction_last"]
    few, many = (AxisReduction(n, 4096, "fp32", "sum", aten="aten.mean.dim") for n in (32, 1024))
    assert rate_keys(few)[0] == rate_keys(many)[0] == "reduction_last"
    # both walk-bound: the same form (each then corrected by its own measured neighbours: product_table)
    form = [gpu.device_time_s(op) / gpu.neighbour_factor(op) for op in (few, many)]
    assert form[0] == pytest.approx(form[1])
    assert form[0] == pytest.approx(r.overhead_s + (512 + fixed) / r.walk_bw_bytes_per_s)
    # a norm over a whole 1024 x 4096 weight (TTT / Muon): the row is split across blocks, bandwidth-bound
    weight = AxisReduction(1, 1024 * 4096, "fp32", "sum", aten="aten.linalg_vector_norm.default")
    # (its blocks' partials then reduced by the last one: a few waves' fixed cost beside the bytes)
    assert walk_bytes(weight) <= (1 + GLOBAL_REDUCE_WAVES) * (512 + fixed)
    assert gpu.device_time_s(weight) == pytest.approx(gpu.neighbour_factor(weight) * (r.overhead_s + max(
        weight.bytes / r.bw_bytes_per_s, walk_bytes(weight) / r.walk_bw_bytes_per_s)))
    assert gpu.device_time_s(weight) < 20e-6  # 16.8 MB near bandwidth, not one block's walk (~340 us)


def test_an_outer_reductions_global_stage_is_a_chain_of_partials_after_the_blocks_pass(h200):
    from hetsim.hardware.gpu import hbm_bytes, walk_bytes, wave_shape
    from hetsim.hardware.launch import global_reduce_chain, reduce_layout

    # the mean over dim 0 of 196,608 x 128 fp32 (an MoE load-balancing loss): 32 lanes of 4 outputs, 4 warps along
    # the rows, then 2,112 blocks share them (the GPU's resident blocks); the last block's lanes read 2,112 / 4
    # partials one after another (197 us on an H100, where the 100 MB take 40)
    layout = reduce_layout(1, 196608, 4, 128)  # a [rows, cols, inner] view reduced over cols
    assert (layout.ctas, layout.height, layout.threads) == (2112, 4, 128)
    assert global_reduce_chain(1, 196608, 128) == 528
    assert global_reduce_chain(1, 131072, 64) == 128  # 16 lanes wide, 8 warps along the rows, 1,024 blocks
    assert global_reduce_chain(1, 64, 4096) == 0  # 64 rows: no block shares its outputs with another
    assert global_reduce_chain(1, 196608, 1) == 0  # over the last dim the block's lanes share the partials too
    gpu, _ = h200()
    long, short = (AxisReduction(1, n, "fp32", "mean", inner=128, aten="aten.mean.dim") for n in (196608, 4096))
    assert wave_shape(long) == (1.0, 528.0) and wave_shape(short)[1] < 528
    r = gpu.rates["reduction_outer"]
    assert r.wave_slots == 1.0 and 0.1e-6 < r.item_s < 1e-6  # an L2 round trip a partial, fitted
    # the chain adds to the blocks' pass: the long mean costs its bytes and 528 partials, not the bytes alone
    assert gpu.device_time_s(long) / gpu.neighbour_factor(long) == pytest.approx(
        r.overhead_s + max(hbm_bytes(long) / r.bw_bytes_per_s, walk_bytes(long) / r.walk_bw_bytes_per_s)
        + 528 * r.item_s)
    assert gpu.device_time_s(long) > long.bytes / r.bw_bytes_per_s + 100e-6
    # a (value, index) pair's or Welford's partial an output is a key of its own, falling back to the max's and sum's
    pair = AxisReduction(1, 196608, "fp32", "max", inner=128, aten="aten.max.dim")
    var = AxisReduction(1, 196608, "fp32", "sum", inner=128, aten="aten.var.correction")
    assert rate_keys(pair) == ("reduction_outer_pair", "reduction_outer_max", "reduction_outer")
    assert rate_keys(var) == ("reduction_outer_pair", "reduction_outer")


def test_no_refitted_key_is_faster_than_the_hbm_and_a_forward_reads_every_byte_from_it(h200):
    # fitted with each case's L2 share (hetsim.hardware.residency), no key needs the L2's speed to explain its cases
    # (before: seven keys above it, pointwise at 5.8 TB/s, matmul_outer at 7.4; the H200's copy measures 4.3)
    gpu, log = h200()
    peak = 4.8e12  # the H200's datasheet HBM bandwidth
    traced = gpu.profile.provenance["trace_fit"]["keys"]
    # a roofline key's bandwidth (a tile-step key's bytes term is added to its steps, not a roof: cuDNN's masked
    # prefill walks its key tiles at the steps' pace and its mask's bytes add a share of their own)
    fitted = {k: gpu.rates[k].bw_bytes_per_s for k in traced
              if math.isfinite(gpu.rates[k].bw_bytes_per_s) and not gpu.rates[k].wave_slots
              and k not in residency.L2_TRAFFIC}
    assert len(fitted) > 20 and max(fitted.values()) < peak
    # but the interpolating resizes, whose bytes are the lines their warps move from the L2: at an L2's rate
    assert all(peak < gpu.rates[k].bw_bytes_per_s < 4 * peak for k in residency.L2_TRAFFIC)
    r = gpu.rates["pointwise"]
    large = Pointwise(1 << 26, 6 << 26, "aten.relu.default", "pointwise")  # 384 MB
    small = Pointwise(1 << 20, 6 << 20, "aten.relu.default", "pointwise")  # 6 MB: a forward's op still reads HBM
    for op in (small, large):
        assert gpu.device_time_s(op) == pytest.approx(r.overhead_s + op.bytes / r.bw_bytes_per_s)
    mm = Matmul(8, 28672, 4096)
    m = gpu.rates["matmul"]
    assert gpu.device_time_s(mm) == pytest.approx(m.overhead_s + roof_time(m, mm))
    assert "H200.l2_residency" not in log.used


def roof_time(r, op):
    from hetsim.hardware.gpu import roof

    return roof(op.flops / r.flop_rate, op.bytes / r.bw_bytes_per_s, r.roof_p)


def test_the_chain_keys_fit_recovers_a_partials_cost_beside_the_bytes():
    from hetsim.calibration.trace_fit import CHAIN_KEYS, Point, fit_walk_chain
    from hetsim.hardware.gpu import hbm_bytes, wave_shape

    # outer reductions of 64-4,096 outputs over 1 K - 1 M rows: a chain of 0-528 partials beside their bytes, timed
    # at 1.5 us + bytes / 3 TB/s + 0.3 us a partial; the fit must give the chain its cost, not the bandwidth (a
    # bytes-only fit of these prices the 528-partial mean at a quarter of its time)
    ops = [AxisReduction(1, rows, "fp32", "sum", inner=inner, aten="aten.sum.dim_IntList")
           for rows in (1024, 8192, 65536, 196608, 1 << 20) for inner in (64, 128, 512, 4096)]
    chains = [wave_shape(op)[1] for op in ops]
    assert max(chains) == 528 and min(chains) == 0
    # (the bytes as the key prices them: their lanes' 16-byte loads' share beside them, gpu.narrow_load_bytes)
    points = [Point(i, op, 1.5e-6 + hbm_bytes(op) / 3e12 + 0.3e-6 * c, 0.0, 1e-5, None)
              for i, (op, c) in enumerate(zip(ops, chains, strict=True))]
    over, bw, walk_bw, item = fit_walk_chain(points, max_bw=4.8e12)
    assert item == pytest.approx(0.3e-6, rel=0.05)
    assert bw == pytest.approx(3e12, rel=0.05) and over == pytest.approx(1.5e-6, rel=0.2)
    assert math.isinf(walk_bw)  # no lane's walk binds these: the walk is dropped
    assert {"reduction_outer", "reduction_outer_max", "reduction_outer_pair"} == CHAIN_KEYS


def test_fsdp2s_packing_copies_are_one_vectorised_copy_each():
    # the all-gather's output [world, total] copied out into each parameter's [world, shard] (split_with_sizes_copy),
    # and gradients' chunks interleaved into the reduce-scatter's input (_chunk_cat), each with its out= tensors
    # passed as arguments: one contiguous copy that reads the sources once and writes the outputs once
    gathered = meta((8, 1024 + 4096))
    outs = (meta((8, 1024)), meta((8, 4096)))
    (split,) = aten.lower_op(AtenOp("aten.split_with_sizes_copy.out", (gathered, *outs), (),
                                    {"split_sizes": [1024, 4096], "dim": 1}))
    assert split.regime == "copy_cat" and split.bytes == 2 * 2 * 8 * 5120 and split.numel == 8 * 5120
    grads, packed = (meta((4096, 4096)), meta((1024, 4096))), meta((8, (4096 + 1024) * 512))
    (chunked,) = aten.lower_op(AtenOp("aten._chunk_cat.out", (*grads, packed), (packed,),
                                      {"dim": 0, "num_chunks": 8}))
    assert chunked.regime == "copy_cat" and chunked.bytes == 2 * 2 * (4096 + 1024) * 4096


def test_a_copy_between_dtypes_runs_the_cast_kernel_as_to_does():
    # an fp32 master weight copied into its bf16 working copy (FSDP's mixed precision, ZeRO's copy back): x.to(bf16)'s
    # kernel, not a copy at the batched cat's rate
    master, working = meta((4096, 4096), "float32"), meta((4096, 4096))
    (copy,) = aten.lower_op(AtenOp("aten.copy_.default", (working, master), (working,)))
    (cast,) = aten.lower_op(AtenOp("aten._to_copy.default", (master,), (working,), {"dtype": "bfloat16"}))
    assert copy.regime == cast.regime == "cast" and copy.bytes == cast.bytes == 6 * 4096 * 4096
    # the same dtype stays a memcpy; a strided source stays the strided copy
    (same,) = aten.lower_op(AtenOp("aten.copy_.default", (working, meta((4096, 4096))), (working,)))
    assert same.regime == "copy_memcpy"
    column_major = meta((4096, 4096), "float32", stride=(1, 4096))
    (strided,) = aten.lower_op(AtenOp("aten.copy_.default", (working, column_major), (working,)))
    assert strided.regime not in ("cast", "copy_memcpy")


def test_a_foreach_copy_reads_its_sources_and_writes_its_destinations_once():
    # FSDP2's all-gather copy-in: _foreach_copy_(shards, params), the second list the sources; nothing is read twice
    # and the destinations are never read (the first list alone counted as elements)
    shards = (meta((2097152,)), meta((262144,)))
    ops = aten.lower_op(AtenOp("aten._foreach_copy_.default", (*shards, *(meta(t.shape) for t in shards)), ()))
    assert sum(o.numel for o in ops) == 2097152 + 262144
    assert sum(o.bytes for o in ops) == 2 * 2 * (2097152 + 262144)
