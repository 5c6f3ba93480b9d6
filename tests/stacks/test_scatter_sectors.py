"""A plain scatter's element work is the 32-byte sectors its warps' writes touch (aten_index.scatter_write_sectors),
and those merge in the L2 as far as it holds the sectors touched (residency.merged_share)."""

import pytest

from hetsim.hardware import residency
from hetsim.hardware.gpu import compute_work
from hetsim.stacks.aten_index import scatter_write_sectors
from hetsim.tracing.trace import AtenOp, TensorMeta

T = TensorMeta.dense


@pytest.mark.parametrize(("dest", "dtype", "index", "dim", "expected"), [
    # a permutation of a long row: each of a warp's 32 writes its own sector
    ((8, 128256), "float32", (8, 128256), 1, 1.0),
    # a one-hot over 3 channels of bools: a warp's 32 neighbours land in <= 3 sectors
    ((2, 3, 128, 128, 128), "bool", (2, 1, 128, 128, 128), 1, 3 / 32),
    # over 14 fp32 channels: 4 groups of 8 neighbours, each drawing its planes from 14
    ((2, 14, 96, 96, 96), "float32", (2, 1, 96, 96, 96), 1, 4 * 14 * (1 - (13 / 14) ** 8) / 32),
    # a 2:4 mask over rows of 4 bools: 16 rows a warp, 64 bytes, 2 sectors
    ((1 << 20, 4), "bool", (1 << 20, 2), 1, 2 / 32),
    # one index a row of 16 bf16 (32 bytes): a sector a row, a row a write
    ((2048, 16), "bfloat16", (2048, 1), 1, 1.0),
])
def test_sectors_a_write_follow_where_a_warps_writes_land(dest, dtype, index, dim, expected):
    assert scatter_write_sectors(T(dest, dtype), T(index, "int64"), dim) == pytest.approx(expected, rel=0.01)


def _scatter(dest_shape, dtype, index_shape, dim):
    from hetsim.stacks.aten_index import _scatter

    dest, index = T(dest_shape, dtype), T(index_shape, "int64")
    (op,) = _scatter(AtenOp("aten.scatter_.value", (dest, index), (dest,), {"dim": dim, "value": 1}))
    return op


def test_a_one_hot_is_priced_by_its_few_sectors_and_a_permutation_by_each_write():
    onehot = _scatter((2, 3, 128, 128, 128), "bool", (2, 1, 128, 128, 128), 1)
    perm = _scatter((8, 128256), "float32", (8, 128256), 1)
    assert onehot.lines == pytest.approx(onehot.numel * 3 / 32, rel=0.01)
    assert perm.lines == pytest.approx(perm.numel, rel=0.01)
    # the bytes: the index read and the sectors written, never more than the destination
    assert onehot.nbytes == 8 * onehot.numel + min(2 * 3 * 128**3, onehot.lines * 32)
    assert onehot.scattered_bytes == min(2 * 3 * 128**3, onehot.lines * 32)


def test_sector_writes_cost_the_hbms_pace_once_the_destination_outgrows_the_l2():
    l2 = 60 * 2**20
    small = residency.merged_share(_scatter((8, 128256), "float32", (8, 128256), 1), l2)
    wide = residency.merged_share(_scatter((256, 152064), "int64", (256, 152064), 1), l2)
    assert small.scattered_share == 1.0 and wide.scattered_share == 0.0
    assert compute_work(small) == pytest.approx(small.lines / residency.L2_GAIN)
    assert compute_work(wide) == pytest.approx(wide.lines)
    # a scatter_add keeps its atomic's pricing: no sectors counted
    from hetsim.stacks.aten_index import _scatter as lower

    dest = T((64, 64), "float32")
    (add,) = lower(AtenOp("aten.scatter_add_.default", (dest, T((64, 8), "int64"), T((64, 8), "float32")), (dest,),
                          {"dim": 1}))
    assert add.lines == 0 and add.scattered_bytes == 0


def _sweep_ops(assert_appended_block, committed_cases, module, group: str, ids: range, previous: str, ids_file: str):
    """The group's committed cases (a block right after `previous`, named by its id list) as traced aten ops."""
    from hetsim.calibration.paths import REPO_ROOT

    mine = assert_appended_block(group, ids, module, previous, ids.start - 1,
                                 REPO_ROOT / "experiments" / "kernel_dispatch" / ids_file)
    return [(committed_cases[n]["regime"], AtenOp.from_json(committed_cases[n]["spec"])) for n in mine]


def test_the_scatter_pad_sweep_is_a_block_after_the_library_sweep_spanning_the_unfitted_layouts(
        assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import library_sweep, scatter_sweep
    from hetsim.stacks.aten_index import _scatter

    ops = _sweep_ops(assert_appended_block, committed_cases, scatter_sweep, scatter_sweep.SCATTER_PAD_SWEEP,
                     range(23960, 24040), library_sweep.LIBRARY_SWEEP, "scatter_pad_sweep_ids.txt")
    assert {regime for regime, _ in ops} == {"scatter", "pad_edge"}
    scatters = [_scatter(op)[-1] for regime, op in ops if regime == "scatter"]
    # what the fit lacked: scatters that stream their index (a few sectors a warp) and destinations wider than an L2
    assert sum(op.lines < 0.2 * op.numel for op in scatters) >= 5
    assert sum(op.scattered_bytes > 100 * 2**20 for op in scatters) >= 5
    assert sum(op.scattered_bytes < 20 * 2**20 for op in scatters) >= 5


def test_the_select_sweep_is_a_block_after_the_scatter_pad_sweep_of_scores_the_l2_cannot_hold(
        assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import scatter_sweep, select_sweep
    from hetsim.stacks.aten_shapes import nbytes

    ops = _sweep_ops(assert_appended_block, committed_cases, select_sweep, select_sweep.SELECT_SWEEP,
                     range(24040, 24100), scatter_sweep.SCATTER_PAD_SWEEP, "select_sweep_ids.txt")
    assert {regime for regime, _ in ops} == {"topk_select_multiblock", "topk_select_multiblock_fp32"}
    scores = [nbytes(op.inputs[0]) for _, op in ops]
    # beyond every fit case (<= ~35 MB) and an H200's L2, up to a corpus's scores
    assert min(scores) >= 8 * 2**20 and sum(s > 200 * 2**20 for s in scores) >= 10


def test_the_index_sweep_is_a_block_after_the_select_sweep_drawing_indices_over_the_rows_they_address(
        assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import index_sweep, select_sweep
    from hetsim.calibration.gpu_suite.aten_cases import int_bound

    ops = _sweep_ops(assert_appended_block, committed_cases, index_sweep, index_sweep.INDEX_SWEEP,
                     range(24100, 24180), select_sweep.SELECT_SWEEP, "index_sweep_ids.txt")
    regimes = {regime for regime, _ in ops}
    assert {"scatter_add", "gather", "pointwise_transpose", "scan_outer"} <= regimes
    # a GNN's scatter_reduce_ and a recommender's bag draw their indices over the nodes and the table's rows (the
    # harness's bound), not below the smallest float dim as groups timed before 2026-12-05 did
    for base in ("scatter_reduce_", "_embedding_bag_forward_only"):
        found = [op for _, op in ops if op.name.split(".")[1] == base]
        assert found and all(int_bound(op) == op.inputs[0].shape[0] > min(op.inputs[0].shape) for op in found)


def test_an_atomic_scatter_into_few_bins_runs_at_the_contended_floor_and_spread_ones_at_their_bytes():
    from hetsim.calibration.predict import gpu_model
    from hetsim.hardware.gpu import walk_bytes
    from hetsim.stacks.aten_index import CONTENTION_TARGETS
    from hetsim.stacks.aten_index import _scatter as lower

    def scatter_add(bins, updates, columns=1):
        dest = T((bins, columns) if columns > 1 else (bins,), "float32")
        index = T((updates, columns) if columns > 1 else (updates,), "int64")
        src = T(index.shape, "float32")
        (op,) = lower(AtenOp("aten.scatter_add_.default", (dest, index, src), (dest,), {"dim": 0}))
        return op

    few, spread = scatter_add(35, 6_061_395), scatter_add(169_343, 1_335_586, 128)
    assert walk_bytes(few) == pytest.approx(6_061_395 * 4 / (1 + 35 / CONTENTION_TARGETS))
    h200 = gpu_model("H200")
    # index-sweep (fitted): 6.06 M updates into 35 bins 1,596 us, ~3.8 G updates/s
    assert h200.device_time_s(few) == pytest.approx(1596e-6, rel=0.3)
    # a GNN's aggregation over 169,343 x 128 destinations: its bytes, no contention
    rate = h200.rates["scatter_add"]
    assert walk_bytes(spread) / rate.walk_bw_bytes_per_s < 0.1 * spread.bytes / rate.bw_bytes_per_s


def test_an_index_add_of_many_elements_into_few_bins_is_scatter_adds_contended_form():
    from hetsim.ops import Gather
    from hetsim.stacks.aten_index import CONTENDED_INDEX_ADD_TARGETS, _index_add

    def index_add(bins, updates, columns=1):
        dest = T((bins, columns) if columns > 1 else (bins,), "float32")
        src = T((updates, columns) if columns > 1 else (updates,), "float32")
        (op,) = _index_add(AtenOp("aten.index_add_.default", (dest, T((updates,), "int64"), src), (dest,),
                                  {"dim": 0}, inplace=True))
        return op

    # a k-means step's counts (500,000 into 1,024) and ECE's bins (50,000 into 15): the atomics' contended walk
    for bins, updates in ((1024, 500_000), (15, 50_000)):
        op = index_add(bins, updates)
        assert op.regime == "scatter_add" and op.walk > 0
    # a row scatter-add (a GNN's 16 features), one update an address, or more bins than contention binds on: the row
    # form, its key fitted on them
    for op in (index_add(2708, 10556, 16), index_add(1632, 1632), index_add(CONTENDED_INDEX_ADD_TARGETS * 4, 1 << 20)):
        assert isinstance(op, Gather) and op.aten.startswith("aten.index_add")


def test_the_contention_sweep_is_a_block_after_the_index_sweep_of_aligned_int8_products_and_few_bins(
        assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import contention_sweep, index_sweep

    ops = _sweep_ops(assert_appended_block, committed_cases, contention_sweep, contention_sweep.CONTENTION_SWEEP,
                     range(24180, 24210), index_sweep.INDEX_SWEEP, "contention_sweep_ids.txt")
    assert {regime for regime, _ in ops} == {"matmul_int8", "scatter_add"}
    products = [op for regime, op in ops if regime == "matmul_int8"]
    # every side a multiple of 256 (CUTLASS's align16 kernels), beyond rare-sweep's few aligned ones (<= 3 GOP)
    assert all(op.inputs[0].shape[1] % 256 == 0 and op.inputs[1].shape[0] % 256 == 0 for op in products)
    assert sum(2 * op.inputs[0].shape[0] * op.inputs[0].shape[1] * op.inputs[1].shape[0] > 1e11 for op in products) >= 3
    bins = [op.inputs[0].numel for regime, op in ops if regime == "scatter_add"]
    assert min(bins) < 64 and max(bins) > 4096


def test_index_select_runs_gathers_vectorised_rows_at_a_cost_a_row_and_counts_other_rows_elements():
    from hetsim.calibration.predict import gpu_model
    from hetsim.hardware.gpu import INDEX_BYTES, compute_work, rate_keys, walk_bytes
    from hetsim.stacks.aten import lower_op

    def select(table, rows, dtype):
        src, idx = T(table, dtype), T((rows,), "int64")
        (op,) = lower_op(AtenOp("aten.index_select.default", (src, idx), (T((rows, table[1]), dtype),), {"dim": 0}))
        return op

    # profiled on an H200 (index-sweep): rows of whole 16-byte vectors run vectorized_gather_kernel<16>, ~0.6 ns a
    # row (a GNN's 1.34 M edges over 169,343 x 128 fp32 nodes 813 us, realcode-check28); 20-byte rows run
    # _scatter_gather_elementwise_kernel, ~0.3 T elements a second (2.79 M rows of 10 bf16: 82 us), priced by the row
    # gather's keys
    h200_time = gpu_model("H200").device_time_s
    nodes, narrow = select((169_343, 128), 1_335_586, "float32"), select((210_387, 10), 2_791_163, "bfloat16")
    assert rate_keys(nodes)[0] == "index_select" and walk_bytes(nodes) == 1_335_586 * INDEX_BYTES
    assert rate_keys(narrow)[0] == "gather_narrow" and compute_work(narrow) == 2_791_163 * 10
    assert h200_time(nodes) == pytest.approx(813e-6, rel=0.25)


def test_an_index_broadcast_over_the_features_writes_whole_sectors():
    # a GNN's edge index expanded over 128 fp32 features (stride 0): a warp's 32 writes fill 4 sectors, not 32
    index = TensorMeta((28672, 128), (1, 0), "int64")
    assert scatter_write_sectors(T((13312, 128), "float32"), index, 0) == pytest.approx(4 / 32)
    dense_index = T((28672, 128), "int64")
    assert scatter_write_sectors(T((13312, 128), "float32"), dense_index, 0) == pytest.approx(1.0, rel=0.01)


def _reduce(reduce: str, include_self: bool):
    from hetsim.stacks.aten import lower_op

    dest, src = T((542032, 34), "float32"), T((11639, 34), "float32")
    index = TensorMeta((11639, 34), (1, 0), "int64")
    return lower_op(AtenOp("aten.scatter_reduce_.two", (dest, index, src), (dest,),
                           {"dim": 0, "reduce": reduce, "include_self": include_self}, inplace=True))


def test_scatter_reduce_runs_the_kernels_aten_launches():
    # include_self=True, amax: the atomic kernel alone
    (alone,) = _reduce("amax", True)
    assert alone.regime == "scatter_add"
    # include_self=False: the indexed places set to the identity first (a value scatter)
    first, atomics = _reduce("amax", False)
    assert (first.regime, atomics.regime) == ("scatter", "scatter_add")
    # a mean: ones over the source, a count the destination's size, its scatter_add, count == 0, the fill of 1,
    # and the division of the destination: four kernels over all 18.4 M places however few the 396 K updates
    mean = _reduce("mean", True)
    assert len(mean) == 7
    whole = [op for op in mean if op.numel == 542032 * 34]
    assert len(whole) == 4
    divide = mean[-1]
    assert divide.nbytes == 3 * 542032 * 34 * 4  # the destination read and written, the count read
    assert sum(op.nbytes for op in whole) > 10 * alone.nbytes


def test_a_copy_into_a_column_moves_a_sector_read_and_written_an_element():
    from hetsim.stacks.aten import lower_op
    from hetsim.stacks.aten_copies import sector_bytes, sparse_sectors

    # Gaussian splatting's columns: 3 M fp32 written 36 bytes apart, the sector of each read and written back whole
    column, source = TensorMeta((3_000_000,), (9,), "float32"), T((3_000_000,), "float32")
    (op,) = lower_op(AtenOp("aten.copy_.default", (column, source), (column,), inplace=True))
    assert op.regime == "copy_strided"
    assert op.nbytes == 3_000_000 * (4 + 2 * 32)
    # a source read 24 bytes apart touches the span between its elements, not a sector each
    assert sector_bytes(TensorMeta((1000,), (6,), "float32")) == 1000 * 24
    # every other int32 (8 bytes apart) shares its sectors: the tensor's bytes, as before
    assert not sparse_sectors(TensorMeta((1000,), (2,), "int32"))
    # the same copy into a dense vector moves the tensors' bytes
    dense = T((3_000_000,), "float32")
    (packed,) = lower_op(AtenOp("aten.copy_.default", (dense, source), (dense,), inplace=True))
    assert packed.nbytes <= 3 * 3_000_000 * 4


def test_a_stack_interleaving_its_inputs_fills_each_sector_in_part_beyond_the_l2():
    from hetsim.hardware.gpu import hbm_bytes
    from hetsim.stacks.aten import lower_op

    # rotary's pairs stacked on the last dim (a 5-D stack: a strided copy an input); the second half a stride-2 view
    half = T((1, 12, 8192, 64), "float32")
    odd = TensorMeta((1, 12, 8192, 64), (12582912, 1048576, 128, 2), "float32")
    out = T((1, 12, 8192, 64, 2), "float32")
    first, second = lower_op(AtenOp("aten.stack.default", (half, odd), (out,), args={"dim": -1}))
    n = 12 * 8192 * 64
    assert first.regime == second.regime == "copy_strided"
    # each writes its elements 8 bytes apart: the output's sectors (its 25 MB slice spans all 50 MB of them) read and
    # written back whole beyond the L2, less the elements' own writes; the odd half's sectors read whole too
    assert first.nbytes == 2 * 4 * n and first.sector_extra == 2 * 8 * n - 4 * n
    assert second.nbytes == 8 * n + 4 * n and second.sector_span == 8 * n + 8 * n
    # a forward with none of it in the L2 moves the sectors; an L2 holding them merges the writes
    cold = residency.merged_share(first, 0.0)
    warm = residency.merged_share(first, 1 << 40)
    assert hbm_bytes(cold) == first.nbytes + first.sector_extra
    assert hbm_bytes(warm) == pytest.approx(first.nbytes)
    # a stack on an outer dim writes each input as one run: no partial sectors
    outer = lower_op(AtenOp("aten.stack.default", (half, half), (T((2, 1, 12, 8192, 64), "float32"),),
                            args={"dim": 0}))
    assert all(not op.sector_span for op in outer)


def test_a_gathers_picks_from_a_wide_row_touch_the_sectors_they_land_in_beyond_the_l2():
    from hetsim.hardware.gpu import hbm_bytes
    from hetsim.stacks.aten import lower_op
    from hetsim.stacks.aten_index import picked_sectors

    # Deja Vu's sparse MLP: 2,048 of 16,384 columns picked from each row of a 4,096 x 16,384 fp16 weight (134 MB):
    # each row's 1,024 sectors, of which 1,024 x (1 - (1 - 1/1024)^2048) ~ 885 are touched, read whole
    weight, cols = T((4096, 16384), "float16"), T((2048,), "int64")
    (op,) = lower_op(AtenOp("aten.index_select.default", (weight, cols), (T((4096, 2048), "float16"),),
                            args={"dim": 1}))
    touched = picked_sectors(weight, T((4096, 2048), "float16"), 1)
    assert touched == pytest.approx(4096 * 1024 * (1 - (1 - 1 / 1024) ** 2048) * 32, rel=1e-6)
    assert op.regime == "gather_elements" and op.sector_span == 4096 * 16384 * 2
    assert op.sector_extra == touched - 4096 * 2048 * 2  # beyond the picks' own bytes, counted already
    # beyond the L2 the sectors are read (~3.4x the picks' bytes); a weight the L2 holds serves them
    assert hbm_bytes(residency.merged_share(op, 0.0)) == op.nbytes + op.sector_extra
    assert hbm_bytes(residency.merged_share(op, 1 << 40)) == pytest.approx(op.nbytes)
    # a source not contiguous along the picked dim is left to the key's rate (not counted)
    assert picked_sectors(TensorMeta((4096, 16384), (1, 4096), "float16"), T((4096, 2048), "float16"), 1) == 0
