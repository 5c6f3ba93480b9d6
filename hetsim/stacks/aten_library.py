"""Library kernels timed by the work their shapes say: cuSOLVER's factorisations and solves, and ATen's one-off
kernels whose cost follows neither their bytes nor an elementwise walk.

Each becomes one `Pointwise` of its own regime whose `numel` is the work the kernel does (flops, or the element
visits its threads make), `steps` the fixed-cost steps it runs one after another, and `nbytes` its operands. Its key
prices overhead + steps x a step's cost + the work or the bytes, whichever binds (trace_fit's STEP_ROOF form), fitted
on the rare-sweep group (hetsim.calibration.gpu_suite.rare_sweep: each op at 14 sizes drawn over the range real code
calls it at). A profile without the key prices the same counts by the datasheet roofline, `assumed`.

What the counts follow, per op (read off ATen's CUDA code and the rare-sweep's times on an H200):
- a factorisation walks its columns one panel step after another (cuSOLVER's getrf / potrf / geqrf launch small
  kernels a column or a panel, each waiting on the last: a 990 x 990 QR took 4.2 ms, ~4 us a column, where its
  flops take ~0.1 ms): steps = the columns (a batch of QRs is solved one matrix after another), work = its flops,
  which a blocked factorisation does in GEMM updates: priced at `matmul_fp32`'s rate (trace_fit.SOLVER_RATE_FROM),
  not fitted on the sweep, whose sizes are all latency-bound (a rate fitted there, ~0.3 TFLOP/s, priced a 4096 x 4096
  solve with 1,000 right-hand sides 30x slow);
- a triangular solve (trsm) and cholesky_solve's two of them: steps = the order, work = n^2 k a solve; cholesky_solve
  of one matrix and one column runs two trsv instead, a key of its own (solver_trsv);
- cdist's kernel gives each output pair a block that reduces over the features: a fixed cost an output (steps) beside
  the pairs' features (work); 1 % median over its sweep, where the roofline was 100x fast;
- histc: an atomic add an element (work = the elements);
- weight_norm over the last dim: a thread a column walks every row twice (norm, then scale): steps = the rows, ~6 ns
  a row; over the first dim a block a row (no steps);
- affine_grid: its composite's few kernels (an overhead) and a point of the grid each (work);
- col2im: a thread an output element summing the patches that cover it (work = the columns' elements).
"""

from __future__ import annotations

import math

from hetsim.ops import Op, Pointwise
from hetsim.stacks.aten_shapes import _name, nbytes
from hetsim.tracing.trace import AtenOp


def _kernel(op: AtenOp, key: str, work: float, steps: float = 0.0) -> tuple[Op, ...]:
    moved = sum(nbytes(t) for t in (*op.inputs, *op.outputs))
    return (Pointwise(max(int(work), 1), moved, op.name, key, steps=int(steps), name=_name(op)),)


def _batch(shape: tuple[int, ...]) -> int:
    return math.prod(shape[:-2])


def _qr(op: AtenOp) -> tuple[Op, ...]:
    *_, m, n = shape = op.inputs[0].shape
    k = min(m, n)
    # geqrf's Householder flops, and orgqr's as many again where Q is formed (mode 'r' returns R alone)
    passes = 1 if op.args.get("mode") == "r" else 2
    return _kernel(op, "solver_qr", passes * _batch(shape) * (2 * m * k * k - 2 * k**3 / 3), _batch(shape) * k)


def _cholesky(op: AtenOp) -> tuple[Op, ...]:
    *_, n = shape = op.inputs[0].shape
    return _kernel(op, "solver_cholesky", _batch(shape) * n**3 / 3, n)


def _solve_triangular(op: AtenOp) -> tuple[Op, ...]:
    a, b = op.inputs[:2]
    n = a.shape[-1]
    k = b.numel // max(n * _batch(b.shape), 1)  # right-hand sides (left=False: b is k x n)
    return _kernel(op, "solver_triangular", _batch(b.shape) * n * n * k, n)


def _cholesky_solve(op: AtenOp) -> tuple[Op, ...]:
    b, l_ = op.inputs[:2]
    n = l_.shape[-1]
    # one matrix and one right-hand side: cuSOLVER's potrs runs two trsv (trsv_ln_exec, trsv_lt_exec: a block step
    # a 32-row panel, ~0.06 us a row each on an H100 over 108-2,048 rows), not the trsm kernels it runs for two or
    # more columns (0.17 and 0.28 us a row at two: profiled, longk-sweep and realcode-check31)
    key = "solver_trsv" if _batch(b.shape) == 1 and b.shape[-1] == 1 else "solver_cholesky_solve"
    return _kernel(op, key, 2 * _batch(b.shape) * n * n * b.shape[-1], n)


def _slogdet(op: AtenOp) -> tuple[Op, ...]:
    *_, n = shape = op.inputs[0].shape
    return _kernel(op, "solver_lu", _batch(shape) * 2 * n**3 / 3, n)


def _cdist(op: AtenOp) -> tuple[Op, ...]:
    x1, x2 = op.inputs[:2]
    pairs = _batch(x1.shape) * x1.shape[-2] * x2.shape[-2]
    return _kernel(op, "cdist", pairs * x1.shape[-1], pairs)


def _histc(op: AtenOp) -> tuple[Op, ...]:
    return _kernel(op, "histc", op.inputs[0].numel)


def _weight_norm(op: AtenOp) -> tuple[Op, ...]:
    v = op.inputs[0]
    dim = op.args.get("dim", 0) % len(v.shape)
    rows = v.numel // v.shape[-1] if dim == len(v.shape) - 1 else 0  # the last dim's kernel walks every row
    return _kernel(op, "weight_norm", v.numel, rows)


def _affine_grid(op: AtenOp) -> tuple[Op, ...]:
    return _kernel(op, "affine_grid", op.outputs[0].numel // op.outputs[0].shape[-1])


def _col2im(op: AtenOp) -> tuple[Op, ...]:
    return _kernel(op, "col2im", op.inputs[0].numel)


# aten op -> (regime, lowering): hetsim.stacks.aten adds these rows to the table
LIBRARY = {
    "linalg_qr": ("solver_qr (a panel step a column + the Householder flops)", _qr),
    "linalg_cholesky_ex": ("solver_cholesky (a step a column + n^3 / 3)", _cholesky),
    "linalg_solve_triangular": ("solver_triangular (trsm: a step a row + n^2 k)", _solve_triangular),
    "cholesky_solve": ("solver_cholesky_solve (two trsm: a step a row + 2 n^2 k; one matrix, one column: "
                       "solver_trsv, two trsv)", _cholesky_solve),
    "_linalg_slogdet": ("solver_lu (getrf: a step a column + 2 n^3 / 3)", _slogdet),
    "_cdist_forward": ("cdist (a block an output pair, its features)", _cdist),
    "histc": ("histc (an atomic add an element)", _histc),
    "_weight_norm_interface": ("weight_norm (last dim: a thread a column walks the rows)", _weight_norm),
    "affine_grid_generator": ("affine_grid (a point of the grid each)", _affine_grid),
    "col2im": ("col2im (a thread an output summing its patches)", _col2im),
}
