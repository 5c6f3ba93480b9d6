"""Products on cuBLAS: mm / addmm / _scaled_mm, mv, bmm and baddbmm (with the copies cuBLAS needs first), and
cdist's matrix form."""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.ops import Matmul, Op
from hetsim.stacks.aten_copies import _dense_copy, _materialise
from hetsim.stacks.aten_dispatch import lower_op
from hetsim.stacks.aten_shapes import _name, expanded, hdtype
from hetsim.tracing.trace import AtenOp, TensorMeta


def _mm(op: AtenOp) -> tuple[Op, ...]:
    # F.linear's weight arrives transposed (t(): strides (1, k)), the layout cuBLAS runs as "TN", which
    # is how the profiles' matmul class was measured; a skinny m (decode) is memory bound in the same fit.
    # torch._scaled_mm (cuBLASLt's fp8 GEMM: A row-major, B column-major, per-tensor or row-wise scales) is an fp8
    # Matmul (its own key `matmul_fp8` where fitted, else the bf16 GEMM's efficiency at the spec's fp8 peak); its
    # bytes count the bf16 / fp32 output at one byte and leave out a bias and row-wise scales (a few % of a small GEMM)
    # The op keeps its aten name: PyTorch's product is cuBLAS's, whose heuristic may split the contraction
    # (gpu.rate_keys: matmul_splitk), where a hand formula's product (a serving engine's own GEMM) does not.
    a, b = (op.inputs[1], op.inputs[2]) if op.base.startswith("addmm") else (op.inputs[0], op.inputs[1])
    m, k = a.shape
    layout = "".join("n" if t.stride[-1] == 1 else "t" for t in (a, b))
    return (Matmul(m, b.shape[1], k, dtype=hdtype(a), aten=op.name, layout=layout, name=_name(op)),)


def _mv(op: AtenOp) -> tuple[Op, ...]:
    # a matrix times a vector (mv, addmv: cuBLAS gemv): the matrix read once, memory-bound
    a = op.inputs[1] if op.base.startswith("addmv") else op.inputs[0]
    m, k = a.shape
    return (Matmul(m, 1, k, dtype=hdtype(a), aten=op.name, name=_name(op)),)


def _dot(op: AtenOp) -> tuple[Op, ...]:
    # torch.dot / vdot: cuBLAS's dot, a gemv of one row (the aten_unknown roofline priced its 3 us calls at 14 us)
    a = op.inputs[0]
    return (Matmul(1, 1, a.numel, dtype=hdtype(a), aten=op.name, name=_name(op)),)


def _bmm(op: AtenOp) -> tuple[Op, ...]:
    a, b = op.inputs[0], op.inputs[1]
    batch, m, k = a.shape
    copied = cublas_copied(a, b, op.outputs[0] if op.outputs else None)
    copies = tuple(replace(c, aten=op.name) for t in copied for c in _dense_copy(t, op))
    shared = b.stride[0] == 0 and b not in copied  # one B broadcast over the batch is read once
    gemm = Matmul(m, b.shape[2], k, batch=batch, dtype=hdtype(a), shared_b=shared, aten=op.name, name=_name(op))
    return (*copies, gemm)


def cublas_copied(a: TensorMeta, b: TensorMeta, out: TensorMeta | None) -> tuple[TensorMeta, ...]:
    """The operands of a batched product that ATen copies contiguous before cuBLAS's batched GEMM (Blas.cpp,
    prepare_batch_matrix_for_cublas): cuBLAS takes a matrix row- or column-major with a leading dimension at least
    its rows, so an operand whose batch steps fastest (AlphaFold's triangle multiplication as an einsum over a
    channels-last pair tensor: [c, i, k] with strides (1, n c, c)) is cloned first, as is a non-contiguous one of
    neither layout (profiled on an H200: two direct copies of 131 us each before a 33 us GEMM, realcode-check20)."""
    if out is None or len(out.shape) != 3:
        return ()
    rows, cols = out.shape[1], out.shape[2]
    # the result's own layout decides which operand cuBLAS sees first (transpose_result: a row-major result)
    transposed = not (out.stride[1] == 1 and (cols == 1 or out.stride[2] >= max(1, rows)))
    m, n = (cols, rows) if transposed else (rows, cols)
    first, second = (b, a) if transposed else (a, b)
    k = first.shape[1] if transposed else first.shape[2]
    return tuple(t for t, (lo, hi) in ((first, (m, k)), (second, (k, n))) if not _cublas_ready(t, transposed, lo, hi))


def _cublas_ready(t: TensorMeta, transposed: bool, m: int, n: int) -> bool:
    """prepare_batch_matrix_for_cublas's test: unit stride on one matrix dim and a leading dimension of at least the
    rows on the other, or a contiguous tensor not broadcast over the batch."""
    fast, lead = (2, 1) if transposed else (1, 2)
    s = t.stride
    if s[fast] == 1 and s[lead] >= max(1, m) or s[lead] == 1 and s[fast] >= max(1, n):
        return True
    return s[0] != 0 and tuple(s) == TensorMeta.dense(t.shape, t.dtype).stride


def _baddbmm(op: AtenOp) -> tuple[Op, ...]:
    # baddbmm(input, b1, b2, beta, alpha) on a GPU (Blas.cpp, baddbmm_out_cuda_impl): with beta != 0 the input,
    # expanded to the output's shape, is first copied into the output (a device-to-device memcpy where it has that
    # shape, ATen's broadcasting copy kernel where it is a bias row such as ALiBi's [heads, 1, keys]), then one
    # cuBLAS batched GEMM with beta reads that output back and writes it (its `badd` kernels; profiled in the checks:
    # a [128, 1, 512] bias into [128, 512, 512] took a 72 us copy and a 56 us GEMM where the same bmm without beta
    # ran 28 us). With beta = 0 the input is ignored: the GEMM alone
    *operands, gemm = _bmm(AtenOp(op.name, op.inputs[1:3], op.outputs, op.args))  # operands copied for cuBLAS first
    if op.args.get("beta", 1) == 0 or not op.outputs:
        return (*operands, gemm)
    src, out = op.inputs[0], op.outputs[0]
    source = src if tuple(src.shape) == tuple(out.shape) else expanded(src, out.shape)
    copy = _materialise(AtenOp("aten.copy_.default", (source,), (out,), {}))
    return (*copy, *operands, replace(gemm, beta=True))


def _euclidean_dist(op: AtenOp) -> tuple[Op, ...]:
    """torch.cdist's matrix form (Distance.cpp _euclidean_dist, taken for p = 2 past 25 rows a side): each side's
    squared norms (pow, then sum over the last dim) and a column of ones (ones_like), the sides widened by them (cat:
    x1 times -2, its norms, ones; x2, ones, its norms), one product of the widened sides (width + 2: an odd width for an
    even one), then clamp_min_(0) and sqrt_ over the result in place (profiled on an H200, realcode-check20: exactly
    these kernels, the fp32 GEMM on FFMA)."""
    x1, x2, out = op.inputs[0], op.inputs[1], op.outputs[0]

    def dense(shape, dtype=x1.dtype):
        return TensorMeta.dense(tuple(shape), dtype)

    def call(name, inputs, outputs, args=None, dims=None):
        return lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}, dims, module=op.module))

    ops: tuple[Op, ...] = ()
    widened = []
    for x, scaled in ((x1, True), (x2, False)):
        norm = dense((*x.shape[:-1], 1))
        ops += call("aten.pow.Tensor_Scalar", (x,), (dense(x.shape),), {"exponent": 2})
        ops += call("aten.sum.dim_IntList", (dense(x.shape),), (norm,), {"dim": [-1], "keepdim": True},
                    dims=(len(x.shape) - 1,))
        ops += call("aten.ones_like.default", (norm,), (norm,))
        parts = [dense(x.shape), norm, norm]
        if scaled:
            ops += call("aten.mul.Tensor", (x,), (dense(x.shape),), {"other": -2})
        wide = dense((*x.shape[:-1], x.shape[-1] + 2))
        ops += call("aten.cat.default", parts, (wide,), {"dim": -1})
        widened.append(wide)
    a, b = widened
    b_t = TensorMeta((*b.shape[:-2], b.shape[-1], b.shape[-2]), (*b.stride[:-2], b.stride[-1], b.stride[-2]),
                     b.dtype, view=True, contiguous=False)
    if len(a.shape) == 2:
        ops += call("aten.mm.default", (a, b_t), (out,))
    else:
        batch = math.prod(a.shape[:-2])
        a3 = dense((batch, *a.shape[-2:]))
        b3 = TensorMeta((batch, *b_t.shape[-2:]), (b.shape[-2] * b.shape[-1], *b_t.stride[-2:]), b.dtype, view=True,
                        contiguous=False)
        ops += call("aten.bmm.default", (a3, b3), (dense((batch, *out.shape[-2:]), out.dtype),))
    ops += call("aten.clamp_min_.default", (out,), (), {"min": 0})
    ops += call("aten.sqrt_.default", (out,), ())
    return tuple(replace(o, aten=op.name) for o in ops)
