"""Kernels the checks showed as ATen runs them: fills and aranges that only store, torch.pow of a number (a fill,
then the tensor-tensor pow), the copies ATen makes before cuBLAS for batch-innermost operands, cdist's matrix form,
and bucketize's binary search (hetsim.stacks.aten)."""

from __future__ import annotations

import math

from hetsim.ops import Matmul, Pointwise
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta


def meta(shape, dtype="bfloat16", stride=None) -> TensorMeta:
    return TensorMeta.dense(tuple(shape), dtype, stride)


def lower(name, inputs, outputs, args=None, dims=None):
    return aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}, dims))


def test_factories_and_dense_fills_store_only():
    out = meta((4096, 1024), "float32")
    for name, inputs in (("aten.zeros.default", ()), ("aten.full.default", ()), ("aten.ones_like.default", (out,)),
                         ("aten.new_zeros.default", (out,)), ("aten.scalar_tensor.default", ())):
        (fill,) = lower(name, inputs, (out,))
        assert (fill.regime, fill.bytes, fill.element_work) == ("pointwise_fill", 4 * out.numel, out.numel), name
    (arange,) = lower("aten.arange.default", (), (meta((151552,), "int64"),))
    assert arange.regime == "pointwise_arange" and arange.bytes == 8 * 151552
    # a dense fill_ in place stores its tensor once and reads nothing; zero_ likewise
    for name in ("aten.fill_.Scalar", "aten.zero_.default"):
        (fill,) = lower(name, (out,), ())
        assert fill.regime == "pointwise_fill" and fill.bytes == 4 * out.numel
    # not a fill of its own: a bool output (4-element stores of the one-byte kernels), a strided view's fill, a
    # fill_ with a tensor value (copy_'s broadcasting kernel)
    (narrow,) = lower("aten.zeros.default", (), (meta((4096,), "bool"),))
    assert narrow.regime == "pointwise_narrow"
    column = TensorMeta((64, 1), (32000, 1), "float32", view=True, contiguous=False)
    (strided,) = lower("aten.fill_.Scalar", (column,), ())
    assert strided.regime != "pointwise_fill"
    (valued,) = lower("aten.fill_.Tensor", (out, TensorMeta((), (), "float32")), ())
    assert valued.regime != "pointwise_fill"


def test_a_pad_fills_its_output_with_the_store_only_kernel():
    fill, copy = lower("aten.constant_pad_nd.default", (meta((1, 1024, 4096), "float16"),),
                       (meta((1, 1026, 4096), "float16"),), {"pad": [0, 0, 1, 1]})
    assert fill.regime == "pointwise_fill" and copy.regime == "copy_strided"


def test_pow_of_a_number_fills_a_0_dim_tensor_then_broadcasts_it():
    x = meta((48,), "float32")
    fill, power = lower("aten.pow.Scalar", (x,), (x,), {"self": 10000.0})
    assert fill.regime == "pointwise_fill" and fill.numel == 1 and fill.bytes == 8  # a double
    assert power.regime in ("pointwise_strided_cast", "pointwise_broadcast") and power.numel == 48
    assert {fill.aten, power.aten} == {"aten.pow.Scalar"}
    (ones,) = lower("aten.pow.Scalar", (x,), (x,), {"self": 1})
    assert ones.regime == "pointwise_fill" and ones.numel == 48


def test_batch_innermost_operands_are_copied_before_cublas():
    # einsum("bikc,bjkc->bijc") over a channels-last pair tensor: each operand [c, i, k] steps its batch fastest
    a = TensorMeta((128, 384, 384), (1, 49152, 128), "bfloat16", view=True, contiguous=False)
    b = TensorMeta((128, 384, 384), (1, 128, 49152), "bfloat16", view=True, contiguous=False)
    out = meta((128, 384, 384))
    *copies, gemm = lower("aten.bmm.default", (a, b), (out,))
    assert len(copies) == 2 and all(c.regime == "copy_transpose" and c.bytes == 2 * 2 * a.numel for c in copies)
    assert isinstance(gemm, Matmul) and (gemm.batch, gemm.m, gemm.n, gemm.k) == (128, 384, 384, 384)
    assert {c.aten for c in copies} == {"aten.bmm.default"}
    # row-major and transposed operands go to cuBLAS as they are
    k_t = TensorMeta((8, 64, 512), (32768, 1, 64), "bfloat16", view=True, contiguous=False)
    assert len(lower("aten.bmm.default", (meta((8, 512, 64)), k_t), (meta((8, 512, 512)),))) == 1
    # a broadcast B (stride 0 over the batch) in a cuBLAS layout is read once, not copied
    shared = TensorMeta((8, 64, 64), (0, 64, 1), "bfloat16", view=True, contiguous=False)
    (gemm,) = lower("aten.bmm.default", (meta((8, 512, 64)), shared), (meta((8, 512, 64)),))
    assert gemm.shared_b
    # a one-row operand of neither layout (a column stepping 512 apart) is cloned too, as ATen does
    col = TensorMeta((1, 1, 16), (8192, 8192, 512), "float32", view=True, contiguous=False)
    *copies, _ = lower("aten.bmm.default", (col, meta((1, 16, 4096), "float32", (16, 1, 16))),
                       (meta((1, 1, 4096), "float32"),))
    assert len(copies) == 1 and copies[0].numel == 16
    # baddbmm keeps its input's copy and adds the operands' copies
    ops = lower("aten.baddbmm.default", (out, a, b), (out,), {"beta": 1})
    assert len(ops) == 4 and ops[-1].beta


def test_cdist_runs_its_norms_widened_sides_one_product_clamp_and_sqrt():
    x1, x2 = meta((1, 6000, 256), "float32"), meta((1, 2048, 256), "float32")
    out = meta((1, 6000, 2048), "float32")
    ops = lower("aten._euclidean_dist.default", (x1, x2), (out,))
    products = [o for o in ops if isinstance(o, Matmul)]
    assert len(ops) == 12 and len(products) == 1
    (gemm,) = products
    assert (gemm.m, gemm.n, gemm.k, gemm.dtype) == (6000, 2048, 258, "fp32")  # the width and two more
    assert sum(o.regime == "pointwise_fill" for o in ops if isinstance(o, Pointwise)) == 2  # the ones columns
    assert {o.aten for o in ops} == {"aten._euclidean_dist.default"}
    # 2-D sides: one mm
    flat = lower("aten._euclidean_dist.default", (meta((524288, 128), "float32"), meta((1024, 128), "float32")),
                 (meta((524288, 1024), "float32"),))
    assert sum(isinstance(o, Matmul) for o in flat) == 1


def test_bucketize_searches_its_boundaries_a_step_a_level():
    x, edges = meta((8, 4096, 128), "float32"), meta((4095,), "float32")
    out = meta((8, 4096, 128), "int64")
    (search,) = lower("aten.bucketize.Tensor", (x, edges), (out,), {"right": True})
    assert search.regime == "searchsorted" and search.element_work == x.numel * 12
    assert search.bytes == 4 * x.numel + 4 * 4095 + 8 * x.numel
    # searchsorted: the sorted rows first, the values second; each row's own boundaries
    cdf, u = meta((4096, 64), "float32"), meta((4096, 128), "float32")
    (rows,) = lower("aten.searchsorted.Tensor", (cdf, u), (meta((4096, 128), "int64"),), {"right": True})
    assert rows.element_work == 4096 * 128 * math.ceil(math.log2(65))
