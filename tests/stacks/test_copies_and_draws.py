"""Kernels the twenty-first check's profiles showed as ATen runs them (hetsim.stacks.aten): a roll pass per rolled dim,
the distribution kernels, grid_sample's taps, batched cats of narrow runs, dense copies as a memcpy, repeat and flip
through the strided copy, traced short-row reductions on a key of their own, and no L2 gain for kernels that only
store."""

from __future__ import annotations

from hetsim.hardware import residency
from hetsim.hardware.gpu import rate_keys
from hetsim.ops import HostCall, Pointwise, Reduction
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta


def meta(shape, dtype="bfloat16", stride=None) -> TensorMeta:
    return TensorMeta.dense(tuple(shape), dtype, stride)


def lower(name, inputs, outputs, args=None, dims=None):
    return aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}, dims))


def test_a_roll_runs_a_pass_per_rolled_dim_after_a_clone_of_a_strided_input():
    x = meta((2, 16, 56, 56, 128), "float16")
    ops = lower("aten.roll.default", (x,), (x,), {"shifts": [4, 3, 3], "dims": [1, 2, 3]})
    assert [o.regime for o in ops] == ["roll"] * 3 and all(o.bytes == 2 * 2 * x.numel for o in ops)
    (flat,) = lower("aten.roll.default", (x,), (x,), {"shifts": [5], "dims": []})  # no dims: the flattened tensor
    assert flat.regime == "roll"
    sliced = TensorMeta((64, 64), (128, 1), "float32", view=True, contiguous=False)
    clone, roll = lower("aten.roll.default", (sliced,), (meta((64, 64), "float32"),), {"shifts": [1], "dims": [0]})
    assert clone.regime != "roll" and roll.regime == "roll"


def test_random_draws_and_linspace_store_only():
    out = meta((1 << 20,), "float32")
    for name, inputs in (("aten.rand.default", ()), ("aten.randint.low", ()), ("aten.normal_.default", (out,)),
                         ("aten.uniform_.default", (out,))):
        (draw,) = lower(name, inputs, (out,))
        assert (draw.regime, draw.bytes, draw.element_work) == ("random", 4 * out.numel, out.numel), name
    (line,) = lower("aten.linspace.default", (), (out,), {"start": 0, "end": 1, "steps": out.numel})
    assert line.regime == "pointwise_arange" and line.bytes == 4 * out.numel
    assert rate_keys(draw)[:2] == ("random", "pointwise_fill")  # a profile without the key prices it as a fill


def test_grid_sample_reads_its_taps_not_its_input():
    x, grid = meta((7040, 1, 55, 128), "float32"), meta((7040, 9, 9, 2), "float32")
    out = meta((7040, 1, 9, 9), "float32")
    (op,) = lower("aten.grid_sampler_2d.default", (x, grid), (out,), {"interpolation_mode": 0})
    assert op.regime == "grid_sample" and op.operands == 4 and op.walk == 1  # bilinear: 4 taps, one channel
    assert op.bytes == out.numel * 4 * 4 + 4 * grid.numel + 4 * out.numel  # far below the input's 198 MB
    (nearest,) = lower("aten.grid_sampler_2d.default", (x, grid), (out,), {"interpolation_mode": 1})
    assert nearest.operands == 1 and nearest.bytes < op.bytes


def test_a_batched_cat_of_runs_under_a_vector_stores_element_by_element():
    cols = [meta((1_000_000,), "float32") for _ in range(9)]
    (stack,) = lower("aten.stack.default", cols, (meta((1_000_000, 9), "float32"),), {"dim": -1})
    # nine 4-byte runs a row: each element stored and each run begun
    assert stack.regime == "cat_unaligned" and stack.element_work == 2 * 9 * 1_000_000
    assert stack.bytes == 2 * 9 * 4 * 1_000_000
    # a cat on the outermost dim writes each input as one run; runs of whole vectors stay the vectorised copy
    (outer,) = lower("aten.cat.default", cols[:2], (meta((2_000_000,), "float32"),), {"dim": 0})
    wide = [meta((4096, 4), "float32"), meta((4096, 8), "float32")]
    (aligned,) = lower("aten.cat.default", wide, (meta((4096, 12), "float32"),), {"dim": -1})
    assert outer.regime != "cat_unaligned" and aligned.regime != "cat_unaligned"
    # only the narrow inputs' elements count: a 1-wide column beside 128-wide rows
    rows = [meta((2048, 128), "float32"), meta((2048, 1), "float32")]
    (mixed,) = lower("aten.cat.default", rows, (meta((2048, 129), "float32"),), {"dim": -1})
    assert mixed.regime == "cat_unaligned" and mixed.element_work == 2 * 2048


def test_a_dense_copy_of_one_layout_and_dtype_is_a_memcpy():
    src, dst = meta((4096, 1024), "float32"), meta((4096, 1024), "float32")
    (copy,) = lower("aten.copy_.default", (dst, src), (dst,))
    assert copy.regime == "copy_memcpy" and copy.bytes == 2 * 4 * src.numel  # the destination is not read
    (clone,) = lower("aten.clone.default", (src,), (dst,))
    assert clone.regime == "copy_memcpy"
    # a cast, a strided source or an expanded one runs a copy kernel
    (cast,) = lower("aten.copy_.default", (meta((4096, 1024)), src), (meta((4096, 1024)),))
    column = TensorMeta((4096, 1), (1024, 1), "float32", view=True, contiguous=False)
    (strided,) = lower("aten.copy_.default", (meta((4096, 1), "float32"), column), (meta((4096, 1), "float32"),))
    assert cast.regime != "copy_memcpy" and strided.regime != "copy_memcpy"
    assert rate_keys(copy)[:2] == ("copy_memcpy", "copy_cat")


def test_repeat_and_flip_run_the_strided_copy():
    x = meta((1024, 1024), "float32")
    (rep,) = lower("aten.repeat.default", (x,), (meta((2048, 2048), "float32"),), {"repeats": [2, 2]})
    assert rep.regime == "copy_repeat" and rep.bytes == 4 * (x.numel + 4 * x.numel)  # the input read once
    assert rate_keys(rep)[:2] == ("copy_repeat", "copy_expand")
    (flip,) = lower("aten.flip.default", (x,), (x,), {"dims": [-1]})
    assert flip.regime == "copy_strided"


def test_an_in_place_view_launches_nothing():
    x = meta((4, 3, 64, 64), "float16")
    (op,) = lower("aten.squeeze_.dim", (x,), (x,), {"dim": 0})
    assert isinstance(op, HostCall)
    # a split's views (unsafe_split where autograd is off) launch nothing either
    halves = (meta((4, 3, 32, 64), "float16"),) * 2
    assert all(isinstance(o, HostCall) for o in lower("aten.unsafe_split.Tensor", (x,), halves, {"split_size": 32,
                                                                                              "dim": 2}))


def test_a_traced_short_row_reduction_has_its_own_key_a_hand_formula_does_not():
    (norm,) = lower("aten.linalg_vector_norm.default", (meta((1_000_000, 4), "float32"),),
                    (meta((1_000_000, 1), "float32"),), {"ord": 2, "dim": [-1], "keepdim": True}, (1,))
    assert rate_keys(norm)[:2] == ("reduction_short", "reduction_narrow")
    assert rate_keys(Reduction(rows=4096, cols=4))[0] == "reduction_narrow"  # a method's hand formula


def test_kernels_that_only_store_take_no_l2_gain():
    fill = Pointwise(1 << 20, 4 << 20, "aten.zeros.default", "pointwise_fill")
    add = Pointwise(1 << 20, 12 << 20, "aten.add.Tensor", "pointwise")
    (hot_fill,), (hot_add,) = residency.replayed((fill,), 60e6), residency.replayed((add,), 60e6)
    assert hot_fill.l2_share == 0.0 and hot_add.l2_share > 0.9


def test_a_cast_out_of_an_expanded_or_gapped_view_runs_the_strided_kernel():
    row = TensorMeta((32, 2048), (0, 1), "int32", view=True, contiguous=False)  # a position row over 32 heads
    (expanded,) = lower("aten._to_copy.default", (row,), (meta((32, 2048), "int64"),), {"dtype": "torch.int64"})
    assert expanded.regime == "pointwise_strided_cast" and expanded.bytes == 4 * 2048 + 8 * 32 * 2048
    # a dense input, permuted or not, keeps its layout in the output: the contiguous cast kernels
    (dense,) = lower("aten._to_copy.default", (meta((32, 2048), "int32"),), (meta((32, 2048), "int64"),),
                     {"dtype": "torch.int64"})
    permuted = TensorMeta((2048, 32), (1, 2048), "bfloat16", view=True, contiguous=False)
    (kept,) = lower("aten._to_copy.default", (permuted,), (TensorMeta((2048, 32), (1, 2048), "float32"),),
                    {"dtype": "torch.float32"})
    assert dense.regime == "cast_int64" and kept.regime == "cast_fp32"
