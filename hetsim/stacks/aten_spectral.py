"""FFTs (`_fft_r2c`, `_fft_c2r`, `_fft_c2c`): ATen's SpectralOps on cuFFT, as its CUDA code runs them.

What SpectralOps.cpp does around the plan, each a kernel hetsim already prices:
- a complex-to-real transform clones its input first (cuFFT may overwrite it: gh-34551);
- `_exec_fft` puts the batch dims first, in stride order, then the transformed dims, and collapses the batch dims into
  one: where their strides do not nest (a transform over a middle dim, or over the map dims of a channels-last tensor
  with a batch), that reshape is a contiguous copy of the permuted view;
- a normalisation other than none (`ortho`, an inverse's 1 / n) is an in-place multiply of the output;
- up to three dims go to one cuFFT plan (`use_optimized_cufft_path`); more, or dims starting (0, 1), run one plan
  for the last dim and more plans for the rest;
- a bf16 input runs cuFFT's bf16 transform where every transformed size is a power of two, its output then cast to
  complex64, else it is cast to fp32 first.

The plan's own kernels (`cufft_passes`, read off their kernel profiles on an H200: realcode-more33): one kernel a dim
up to 4,096 points (a real transform's fused r2c / c2r kernel up to 4,096, or 16,384 at a power of two); longer dims in
passes of up to 4,096 points at a power of two, fewer at other sizes (a pre- or post-process kernel beside a real
transform's); an odd real length a wrapper and a post-process kernel around its complex transform; a length with a
prime factor over 127 by Bluestein's method, three transforms in one kernel. Each pass reads and writes the transform's
data once: `fft` prices overhead + passes x a pass's fixed cost + bytes / rate, fitted on single transforms.
"""

from __future__ import annotations

import math

from hetsim.ops import Op, Pointwise
from hetsim.stacks.aten_copies import _dense_copy
from hetsim.stacks.aten_dispatch import lower_op
from hetsim.stacks.aten_shapes import _name, nbytes
from hetsim.tracing.trace import AtenOp, TensorMeta

CUFFT_MAX_DIMS = 3  # SpectralOps.cpp's cufft_max_ndim
SHARED_POINTS = 4096  # points one kernel transforms in shared memory (profiled: 4,096 one kernel, 32,768 two)
FUSED_REAL_POW2 = 16384  # a real transform's fused kernel at a power of two (profiled: 16,384 one kernel, 65,536 three)
RADIX_MAX = 127  # cuFFT's largest native radix: a larger prime factor takes Bluestein's method
BLUESTEIN_PASSES = 3  # its three transforms of the padded length, in one kernel (~2.7x a pass, profiled)
NORM_NONE = 0
COMPLEX = {"float32": "complex64", "float16": "complex32", "float64": "complex128"}


def largest_prime(n: int) -> int:
    largest, p = 1, 2
    while p * p <= n:
        while n % p == 0:
            largest, n = p, n // p
        p += 1
    return max(largest, n) if n > 1 else largest


def complex_passes(length: int) -> int:
    """cuFFT's kernels over one dim of `length` complex points."""
    if largest_prime(length) > RADIX_MAX:
        return BLUESTEIN_PASSES
    if length <= SHARED_POINTS:
        return 1
    return math.ceil(math.log2(length) / (12 if length & (length - 1) == 0 else 8))


def real_passes(n: int) -> int:
    """cuFFT's kernels over the real (last) dim of `n` points of an r2c or c2r transform."""
    if n % 2:
        return complex_passes(n) + 2  # a wrapper and a post-process kernel around the complex transform
    if n <= SHARED_POINTS or (n & (n - 1) == 0 and n <= FUSED_REAL_POW2):
        return 1
    return complex_passes(n // 2) + 1  # the half-length complex transform, then its pre- / post-process


def cufft_passes(sizes: list[int], real: bool) -> int:
    """Kernels of one plan over the transformed dims' `sizes` (the signal's, last dim last)."""
    *rest, last = sizes
    return sum(complex_passes(n) for n in rest) + (real_passes(last) if real else complex_passes(last))


def _dims(op: AtenOp, ndim: int) -> list[int]:
    return [d % ndim for d in op.args.get("dim", [ndim - 1])]


def _permuted(t: TensorMeta, dims: list[int]) -> TensorMeta:
    """`t` with its batch dims first in stride order (largest first) and the transformed dims after (_exec_fft)."""
    batch = sorted((d for d in range(len(t.shape)) if d not in dims), key=lambda d: -t.stride[d])
    order = [*batch, *dims]
    return TensorMeta(tuple(t.shape[d] for d in order), tuple(t.stride[d] for d in order), t.dtype, view=True,
                      contiguous=False)


def batch_collapses(t: TensorMeta, dims: list[int]) -> bool:
    """Whether `_exec_fft`'s reshape of the batch dims into one is a view (else a contiguous copy)."""
    p = _permuted(t, dims)
    batch = [(n, s) for n, s in zip(p.shape[:len(p.shape) - len(dims)], p.stride, strict=False) if n > 1]
    return all(outer == inner * n for (_, outer), (n, inner) in zip(batch, batch[1:], strict=False))


def _exec(op: AtenOp, x: TensorMeta, out: TensorMeta, dims: list[int], real: bool, sizes: list[int]) -> list[Op]:
    """One `_exec_fft`: the batch dims' copy where they do not collapse, then the plan's kernels."""
    ops: list[Op] = []
    if not batch_collapses(x, dims):
        ops += _dense_copy(_permuted(x, dims), op)
    passes = cufft_passes(sizes, real)
    ops.append(Pointwise(out.numel, passes * (nbytes(x) + nbytes(out)), op.name, "fft", steps=passes,
                         name=_name(op)))
    return ops


def _normalise(op: AtenOp, out: TensorMeta) -> list[Op]:
    if op.args.get("normalization", NORM_NONE) == NORM_NONE:
        return []
    return list(lower_op(AtenOp("aten.mul_.Scalar", (out,), (out,), {"other": 1.0}, module=op.module)))


def _cast(op: AtenOp, t: TensorMeta, dtype: str) -> tuple[list[Op], TensorMeta]:
    cast = TensorMeta.dense(t.shape, dtype)
    return list(lower_op(AtenOp("aten._to_copy.default", (t,), (cast,), {"dtype": dtype}, module=op.module))), cast


def _signal(shape, dims: list[int], last: int | None = None) -> list[int]:
    sizes = [shape[d] for d in dims]
    if last is not None:
        sizes[-1] = last
    return sizes


def one_plan(dims: list[int]) -> bool:
    """Whether the transform takes one plan (use_optimized_cufft_path)."""
    return not (len(dims) > CUFFT_MAX_DIMS or (len(dims) >= 2 and dims[0] == 0 and dims[1] == 1))


def _r2c(op: AtenOp) -> tuple[Op, ...]:
    x, out = op.inputs[0], op.outputs[0]
    dims = _dims(op, len(x.shape))
    ops: list[Op] = []
    native_bf16 = x.dtype == "bfloat16" and all(x.shape[d] & (x.shape[d] - 1) == 0 for d in dims) and one_plan(dims)
    if x.dtype == "bfloat16" and not native_bf16:
        cast, x = _cast(op, x, "float32")
        ops += cast
    if one_plan(dims):
        proxy = TensorMeta.dense(out.shape, "complex32") if native_bf16 else out
        ops += _exec(op, x, proxy, dims, True, _signal(x.shape, dims))
        if native_bf16:  # cuFFT's bf16 output (a ComplexHalf proxy) cast to complex64, two floats an element
            ops += _cast(op, TensorMeta.dense((*out.shape, 2), "bfloat16"), "float32")[0]
    else:  # the last dim's r2c plan, then the rest's c2c plans on the onesided result
        ops += _exec(op, x, out, dims[-1:], True, _signal(x.shape, dims[-1:]))
        ops += _c2c_plans(op, out, dims[:-1])
    return (*ops, *_normalise(op, out))


def _c2c_plans(op: AtenOp, x: TensorMeta, dims: list[int]) -> list[Op]:
    ops: list[Op] = []
    rest = sorted(dims, key=lambda d: -x.stride[d])
    while rest:
        chunk, rest = rest[-CUFFT_MAX_DIMS:], rest[:-CUFFT_MAX_DIMS]
        dense = TensorMeta.dense(x.shape, x.dtype)
        ops += _exec(op, x, dense, chunk, False, _signal(x.shape, chunk))
        x = dense
    return ops


def _c2c(op: AtenOp) -> tuple[Op, ...]:
    x, out = op.inputs[0], op.outputs[0]
    return (*_c2c_plans(op, x, _dims(op, len(x.shape))), *_normalise(op, out))


def _c2r(op: AtenOp) -> tuple[Op, ...]:
    x, out = op.inputs[0], op.outputs[0]
    dims = _dims(op, len(x.shape))
    last = op.args.get("last_dim_size", out.shape[dims[-1]])
    ops: list[Op] = []
    if one_plan(dims):
        ops += _dense_copy(x, op)  # cuFFT may overwrite a c2r's input: cloned first
        ops += _exec(op, TensorMeta.dense(x.shape, x.dtype), out, dims, True, _signal(x.shape, dims, last))
    else:
        ops += _c2c_plans(op, x, dims[:-1]) if len(dims) > 1 else _dense_copy(x, op)
        ops += _exec(op, TensorMeta.dense(x.shape, x.dtype), out, dims[-1:], True, [last])
    return (*ops, *_normalise(op, out))
