"""lookup-sweep: x[idx] through the element index kernel over code books, tables within the L2 and beyond it, narrow
rows, two index tensors and int32 indices, appended after spatial-softmax-sweep."""

from __future__ import annotations

import math

from hetsim.calibration.paths import REPO_ROOT


def test_the_lookup_sweep_is_a_block_after_the_spatial_softmax_sweep(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import lookup_sweep, spatial_softmax_sweep

    mine = assert_appended_block(lookup_sweep.LOOKUP_SWEEP, range(29351, 29387), lookup_sweep,
                                 spatial_softmax_sweep.SPATIAL_SOFTMAX_SWEEP, 29350,
                                 REPO_ROOT / "experiments" / "kernel_dispatch" / "lookup_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    assert all(c["aten"] == "aten.index.Tensor" for c in cases)
    tables = [c["spec"]["in"][0] for c in cases]
    table_bytes = [math.prod(t[0]) * {"float32": 4, "bfloat16": 2, "float16": 2}[t[2]] for t in tables]
    # each tier drawn: code books an SM's L1 holds, tables within the L2, tables beyond it
    assert sum(b <= 128 * 1024 for b in table_bytes) >= 12 and sum(b > 16 << 20 for b in table_bytes) >= 6
    # int32 indices (ATen copies them to int64 first) and x[b, t] by two index tensors
    assert sum(c["spec"]["in"][1][2] == "int32" for c in cases) == 6
    assert sum(len(c["spec"]["in"]) == 3 for c in cases) == 6
    # every index drawn within the rows it addresses
    assert all(c["int_bound"] == min(c["spec"]["in"][0][0][:len(c["spec"]["in"]) - 1]) for c in cases)


def test_a_lookup_by_int32_indices_copies_them_to_int64_first():
    from hetsim.stacks.aten import lower_op
    from hetsim.tracing.trace import AtenOp, TensorMeta

    table, out = TensorMeta.dense((16,), "bfloat16"), TensorMeta.dense((1 << 20,), "bfloat16")
    for dtype, kernels in (("int32", 2), ("int64", 1)):
        idx = TensorMeta.dense((1 << 20,), dtype)
        ops = lower_op(AtenOp("aten.index.Tensor", (table, idx), (out,), {}))
        assert len(ops) == kernels
    cast, gather = lower_op(AtenOp("aten.index.Tensor", (table, TensorMeta.dense((1 << 20,), "int32")), (out,), {}))
    assert cast.regime.startswith("cast") and cast.nbytes == (4 + 8) << 20
    assert gather.elementwise and gather.elements == 1 << 20


def test_a_code_book_lookup_takes_its_own_key_before_the_element_kernels():
    from hetsim.hardware.gpu import rate_keys
    from hetsim.ops import Gather

    def lookup(entries: int) -> Gather:
        return Gather(1 << 20, 4, entries, aten="aten.index.Tensor", elementwise=True, elements=1 << 20)

    assert rate_keys(lookup(256))[:2] == ("index_lookup", "index_elementwise")
    assert rate_keys(lookup(1 << 20))[0] == "index_elementwise"



def test_an_index_past_the_first_dim_runs_the_element_kernel_over_each_slice():
    from hetsim.hardware.gpu import rate_keys
    from hetsim.stacks.aten import lower_op
    from hetsim.stacks.aten_index import indexed_dim
    from hetsim.tracing.trace import AtenOp, TensorMeta

    def index(src_shape, idx_shape, out_shape, dtype="int8"):
        src, idx = TensorMeta.dense(src_shape, dtype), TensorMeta.dense(idx_shape, "int64")
        return lower_op(AtenOp("aten.index.Tensor", (src, idx), (TensorMeta.dense(out_shape, dtype),), {}))[-1]

    # AutoGPTQ's act-order: w[:, g_idx] over 29,568 x 8,192 int8 (profiled on the H100: index_elementwise_kernel,
    # 1,008 us, ~240 G elements/s; priced as a 8,192-row vectorised gather it was -82 %)
    perm = index((29568, 8192), (8192,), (29568, 8192))
    assert perm.elementwise and perm.local and perm.elements == 29568 * 8192
    assert rate_keys(perm)[0] == "index_lookup"
    # the index is read once, not once a slice
    assert perm.bytes == 2 * 29568 * 8192 + 8192 * 8
    # x[:, idx] of a vocabulary row of 61 KB is still within an SM's L1; rows of a batch in whole-sector runs
    assert index((50000, 30522), (32, 16), (50000, 32, 16), "float16").local
    assert index((2, 64, 128256), (42, 5), (2, 42, 5, 128256), "bfloat16").local
    # a slice too large for the L1 looked up element by element: the element kernel's own pace
    wide = index((64, 1 << 20), (4096,), (64, 4096), "float32")
    assert wide.elementwise and not wide.local and rate_keys(wide)[0] == "index_elementwise"
    # dims of 1 before the indexed one leave the vectorised row gather (TensorIterator drops them)
    assert not index((1, 64, 32000), (42, 5), (1, 42, 5, 32000), "bfloat16").elementwise
    assert indexed_dim(TensorMeta.dense((4, 5), "int8"), TensorMeta.dense((3,), "int64"),
                       TensorMeta.dense((3, 5), "int8")) == 0
