"""Ops real PyTorch code runs beyond the models' traces (x[idx], x[idx] = v, scatter_add_, sort, cumsum,
multinomial, max.dim / argmax, var, log_softmax, tril, pad): each lowered to the kernel regime PyTorch
dispatches, fitted on the aten sweep's `common` groups and checked on sizes never fitted (`common-check`)."""

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, lower_case, validate_ops
from hetsim.hardware import launch
from hetsim.hardware.gpu import SOFTMAX_WAVE_FIXED_BYTES, rate_keys, walk_bytes
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def meta(shape, dtype="bfloat16"):
    return TensorMeta.dense(shape, dtype)


def lower(name, inputs, outputs, args=None, dims=None):
    (op,) = aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}, dims))
    return op


def test_each_op_takes_the_regime_of_the_kernel_pytorch_runs():
    table, idx = meta((100000, 1024)), meta((4096,), "int64")
    assert rate_keys(lower("aten.index.Tensor", [table, idx], [meta((4096, 1024))]))[0] == "index_gather"
    put = lower("aten.index_put_.default", [table, idx, meta((4096, 1024))], [table])
    acc = lower("aten.index_put_.default", [table, idx, meta((4096, 1024))], [table], {"accumulate": True})
    assert (put.regime, acc.regime) == ("index_put", "index_put_accumulate")
    dest, i = meta((1000000,), "float32"), meta((200000,), "int64")
    assert lower("aten.scatter_add_.default", [dest, i, meta((200000,), "float32")], [dest]).regime == "scatter_add"
    # rows of <= 4096 keys sort in one block's shared memory, longer ones by cub's segmented radix sort
    short = lower("aten.sort.default", [meta((64, 4096))], [meta((64, 4096)), meta((64, 4096), "int64")])
    long = lower("aten.sort.default", [meta((8, 128256), "float32")],
                 [meta((8, 128256), "float32"), meta((8, 128256), "int64")])
    assert (short.regime, long.regime) == ("sort_inplace", "sort")
    # cumsum along the innermost dim steps along each row in chunks (512 threads a row here: 126 chunks of 1,024);
    # a single row runs cub's device scan
    rows = lower("aten.cumsum.default", [meta((8, 128256), "float32")], [meta((8, 128256), "float32")], {"dim": -1})
    one = lower("aten.cumsum.default", [meta((1, 4000000), "float32")], [meta((1, 4000000), "float32")], {"dim": -1})
    assert walk_bytes(rows) == 126 * aten.SCAN_CHUNK_BYTES and walk_bytes(one) == 0.0
    assert (rows.regime, one.regime) == ("scan", "scan_device")
    # reductions that carry an index, and Welford's var, are their own regimes
    mx = lower("aten.max.dim", [meta((64, 4096))], [meta((64,)), meta((64,), "int64")], {"dim": -1}, (1,))
    var = lower("aten.var.correction", [meta((64, 4096), "float32")], [meta((64,), "float32")], {"dim": [-1]}, (1,))
    assert (rate_keys(mx)[0], rate_keys(var)[0]) == ("reduction_index", "reduction_welford")
    lsm = lower("aten._log_softmax.default", [meta((8, 128256), "float32")], [meta((8, 128256), "float32")])
    # a block of 1024 threads per long row, each walking its 126 elements in fp32; a short row: a warp's 32; one wave
    # of blocks each, with its fixed cost
    fixed = SOFTMAX_WAVE_FIXED_BYTES
    assert rate_keys(lsm)[0] == "softmax_last" and walk_bytes(lsm) == 126 * 4 + fixed
    warp = lower("aten._softmax.default", [meta((256, 2048))], [meta((256, 2048))], {"dim": -1})
    assert rate_keys(warp)[0] == "softmax_warp" and walk_bytes(warp) == 64 * 4 + fixed
    # many short rows (ViT's attention, 16 x 12 x 197 rows of 197): 4 rows a 128-thread block, 9,456 blocks, 5 waves,
    # each lane walking the row rounded up to 256 (8 elements, PersistentSoftmax.cuh's WARP_ITERATIONS)
    vit = lower("aten._softmax.default", [meta((16, 12, 197, 197))], [meta((16, 12, 197, 197))], {"dim": -1})
    assert walk_bytes(vit) == 5 * (8 * 4 + fixed)
    # a trailing dim of 1 leaves the softmax dim innermost: the last-dim kernels still
    squeezed = lower("aten._softmax.default", [meta((4, 128, 1), "float32")], [meta((4, 128, 1), "float32")],
                     {"dim": 1})
    assert rate_keys(squeezed)[0] == "softmax_warp"
    # over an outer dim: the spatial kernel, its own key, each thread walking its columns' dim three times
    spatial = lower("aten._softmax.default", [meta((8, 32000), "float32")], [meta((8, 32000), "float32")], {"dim": 0})
    assert rate_keys(spatial)[:2] == ("softmax_spatial", "softmax")
    assert spatial.walk == 3 * launch.spatial_softmax_steps(1, 8, 32000) * 4


def test_a_scan_into_a_wider_dtype_casts_its_input_first():
    # a cumsum of a mask into int64 (impl_func_cum_ops' self.to(result dtype)): a copy kernel, then the int64 scan
    mask = meta((8, 512), "bool")
    cast, scan = aten.lower_op(AtenOp("aten.cumsum.default", (mask,), (meta((8, 512), "int64"),), {"dim": -1}))
    assert cast.regime.startswith("cast") and scan.regime == "scan" and scan.nbytes == 2 * 8 * 512 * 8
    # a float scan in its own dtype casts nothing
    assert len(aten.lower_op(AtenOp("aten.cumsum.default", (meta((8, 512)),), (meta((8, 512)),), {"dim": -1}))) == 1


def test_boolean_masks_and_data_dependent_sizes_sync_or_fill_as_pytorch_does():
    x, mask = meta((64, 4096)), meta((64, 4096), "bool")
    # x[mask] = v: masked_fill_ over the whole tensor
    (fill,) = aten.lower_op(AtenOp("aten.index_put_.default", (x, mask, meta((), "bfloat16")), (x,), {}))
    assert fill.bytes == 2 * 64 * 4096 * 2 + 64 * 4096
    # x[mask]: the mask's nonzero, its count to the host, then the gather
    picked = aten.lower_op(AtenOp("aten.index.Tensor", (x, mask), (meta((1000,)),), {}))
    assert [type(o).__name__ for o in picked] == ["Pointwise", "HostCall", "Gather"] and picked[1].kind == "sync"
    # repeat_interleave by a repeats tensor learns its length on the host unless output_size says it
    reps = meta((64,), "int64")
    ops = aten.lower_op(AtenOp("aten.repeat_interleave.Tensor", (reps,), (meta((640,), "int64"),), {}))
    sized = aten.lower_op(AtenOp("aten.repeat_interleave.Tensor", (reps,), (meta((640,), "int64"),),
                                 {"output_size": 640}))
    assert ops[-1].kind == "sync" and not any(getattr(o, "kind", "") == "sync" for o in sized)


def test_a_long_row_softmax_and_an_argmax_over_a_vocabulary_are_bound_by_one_blocks_walk():
    h200 = gpu_model("H200")
    # measured on the H200 (common-more sweep): log_softmax over 1 and 4 rows of 128256 fp32 both ~29 us,
    # argmax over 1 and 8 such rows both ~27 us: flat in the rows, far from the bytes' time
    for rows, measured in ((1, 28.8e-6), (4, 29.2e-6)):
        op = lower("aten._log_softmax.default", [meta((rows, 128256), "float32")], [meta((rows, 128256), "float32")])
        assert h200.device_time_s(op) == pytest.approx(measured, rel=0.15)


def test_an_argmax_over_a_vocabulary_is_bound_by_one_blocks_walk():
    h200 = gpu_model("H200")
    # measured on the H200 (common-more sweep): argmax over 1 and 8 rows of 128256 fp32 both ~27 us: flat in the
    # rows, far from the bytes' time (one block a row: 251 elements a lane, below the 256 that would split it)
    for rows, measured in ((1, 26.6e-6), (8, 27.0e-6)):
        op = lower("aten.argmax.default", [meta((rows, 128256), "float32")], [meta((rows,), "int64")], {"dim": -1},
                   (1,))
        assert h200.device_time_s(op) == pytest.approx(measured, rel=0.2)
    # 2 ** 18 wide rows leave a lane 256 elements: the row is split over 32 blocks and a global reduction, 8.6 us for
    # one row of bf16 (realcode-more6), a third of the narrower unsplit row's time
    split = lower("aten.argmax.default", [meta((1, 262144))], [meta((1,), "int64")], {"dim": -1}, (1,))
    assert h200.device_time_s(split) == pytest.approx(8.6e-6, rel=0.2)


def test_an_index_reductions_walk_follows_its_lane_elements_not_their_width():
    # Reduce.cuh with the arg ops' vt0 = input_vec_size = 4: bf16 and fp32 rows of 128256 lay out alike
    assert launch.index_reduce_walk(4, 128256) == launch.index_reduce_walk(1, 128256) == 251
    bf16 = lower("aten.argmax.default", [meta((4, 128256))], [meta((4,), "int64")], {"dim": -1}, (1,))
    fp32 = lower("aten.argmax.default", [meta((4, 128256), "float32")], [meta((4,), "int64")], {"dim": -1}, (1,))
    assert walk_bytes(bf16) == walk_bytes(fp32)
    # split rows walk 16 elements a lane plus the global reduction's stage; more blocks than SMs share their SMs
    assert launch.reduce_layout(16, 262144, 4).ctas == 32
    assert launch.index_reduce_walk(16, 262144) > launch.index_reduce_walk(1, 262144)


def test_the_check_sizes_never_fitted_are_predicted_out_of_sample():
    cases = load_cases(RUNS / "H200-aten-common-check-2026-12-02.parquet")
    assert len(cases) == 24 and all(lower_case(c) for c in cases)
    # none of them is a case the profile's keys were fitted on (the fit names its files)
    from hetsim.calibration.gpu_profile import load_profile

    fit_files = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml").provenance["trace_fit"]["cases"]
    assert not any("common-check" in f for f in fit_files)
    graph = validate_ops(gpu_model("H200"), cases).stats("graph")
    assert graph["median_abs"] <= 0.15  # 12.5 % out of sample when the common groups' keys were first fitted


def test_x_idx_on_a_table_of_rows_costs_per_index_and_a_1d_table_does_not():
    h200 = gpu_model("H200")
    rows = lower("aten.index.Tensor", [meta((1048576, 128)), meta((65536,), "int64")], [meta((65536, 128))])
    flat = lower("aten.index.Tensor", [meta((2097152,), "float32"), meta((65536,), "int64")],
                 [meta((65536,), "float32")])
    assert walk_bytes(rows) == 65536 * 8 and walk_bytes(flat) == 0.0
    # measured (index-widths sweep): 41.8 us for 65,536 rows of 256 B, 3.7 us for 65,536 fp32 of a 1-D table
    assert h200.device_time_s(rows) == pytest.approx(41.8e-6, rel=0.2)
    assert h200.device_time_s(flat) < 0.25 * h200.device_time_s(rows)


def test_a_mean_over_unfolded_windows_reduces_an_outer_dim():
    # NSA's compression: x.unfold(tokens, 32, 16).mean(-1), overlapping windows whose reduced dim steps a token (128
    # features apart): TensorIterator orders the dims by stride, so the features are the inner, contiguous dim
    from hetsim.stacks.aten_reductions import memory_inner
    from hetsim.tracing.trace import TensorMeta

    windows = TensorMeta((16, 2, 2047, 128, 32), (8388608, 4194304, 2048, 1, 128), "bfloat16", view=True,
                         contiguous=False)
    assert memory_inner(windows, (4,)) == 128
    # a broadcast input keeps the logical order (TensorIterator follows the output's strides)
    expanded = TensorMeta((8, 16384, 8, 128), (2097152, 128, 0, 1), "bfloat16", view=True, contiguous=False)
    assert memory_inner(expanded, (3,)) is None
