"""Measured neighbours of a traced product: a correction to its rate key's price where cuBLAS's kernel choice moves.

An fp32 product runs on cuBLAS / cuBLASLt's FFMA kernels, and which one (sgemm_largek, CUTLASS SIMT tiles of 64 x 64 or
128 x 64, xmma 32 x 32, gemmSN, split-K with a reduce) the heuristic picks changes with the shape, the operands'
layouts and the bias epilogue. No form of flops, bytes and a contraction walk follows those steps (the three-term key
`matmul_fp32` errs 26 % median on a sample of 1,999 products it was not fitted on), so the fit keeps, for each product
it was fitted on, how far the key's price missed (log of measured over priced), and a product is priced by the key
times the inverse-distance mean of its nearest measured neighbours' misses (`NEIGHBOURS`, in log2 rows, columns and
contraction, within its own class: bias or not, A and B row-major or transposed). Far from every neighbour the
correction fades to none (`REACH`): the key alone prices what the sweep never came near.

The same table serves every key whose kernel choice moves with the shape in ways its form does not follow (the
trace-fitted keys of trace_fit.NEIGHBOUR_KEYS): batched products (their batch a fourth feature), reductions (ATen's
reduce kernel picks its block shape, vectorisation and split by the rows, the reduced length and the kept inner
length), the elementwise, copy, cast, gather, scatter and softmax kernels by their traced op, and a convolution as
a whole call within its path and dtype (its implicit GEMM's m, n, k: trace_fit.conv_tables). Each class
(`product_class`) has its own features (`features`).

The neighbours live in the key's entry of the profile (`neighbours`), written by hetsim.calibration.trace_fit.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

from hetsim.ops import AxisReduction, Convolution, Gather, Matmul, Pointwise, Softmax

NEIGHBOURS = 5
SOFTEN = 0.25  # log2 units added to each distance: an exact match does not take the whole weight of one point
DIGITS = 4  # a row as the profile keeps it: 1e-4 of a log2 unit, 0.01 % of a miss
REACH = 1.5  # log2 units: a correction fades as exp(-(nearest / REACH)^2), ~0.4 at 2x in every dim, ~0.03 at 4x


def product_class(op) -> str | None:
    """The class a traced 2-D product is corrected within ("addmm nt", "mm nn", ...), a convolution's by its path and
    dtype ("conv 2d nchw fp32": its implicit GEMM's (m, n, k) then stand for the whole call, layout kernels and all),
    a batched product's by its op and dtype, a reduction's and a traced elementwise, copy, gather or softmax kernel's
    by its op; None for any other op."""
    if isinstance(op, Convolution):
        return f"conv {op.family} {op.dtype}" if op.family and op.batch == 1 else None
    if isinstance(op, AxisReduction):
        # a traced reduction by its op and dtype ("reduce sum fp32"): ATen's reduce kernel picks its block shape,
        # vectorisation and split across blocks by the rows, the reduced length and the kept inner length
        return f"reduce {op.kind} {op.dtype}{' split' if op.split else ''}" if op.aten else None
    if isinstance(op, Pointwise | Gather | Softmax) and op.aten:
        # an elementwise, copy, gather or softmax kernel by its traced op ("pointwise mul", "gather index_select")
        name = f"{type(op).__name__.lower()} {_base(op.aten)}"
        if not isinstance(op, Pointwise):
            return name
        tensors = f"/{op.tensor_inputs}" if op.tensor_inputs else ""
        # the strided kernel over two or more dims after coalescing (a transposed operand, a broadcast across rows)
        # apart from its one-dim walks (a stride-8 slice): their offsets and sectors differ, so their misses do
        # (a 1024 x 1024 transposed sub took the correction of 1-D stride-8 subs: 27 us priced, 10 measured)
        walked = f" {op.dims}d" if op.dims > 1 else ""
        return f"{name}{tensors}{walked}"
    if isinstance(op, Matmul) and op.batch > 1 and op.aten:
        return f"{_base(op.aten)} {op.dtype}"  # a batched product: its batch a fourth feature
    if not isinstance(op, Matmul) or op.batch != 1 or not op.layout:
        return None
    return f"{_base(op.aten)} {op.layout}"


def _base(aten: str) -> str:
    """`aten.addmm.default` -> `addmm` (a name without the namespace as it is)."""
    parts = aten.split(".")
    return parts[1] if len(parts) > 1 else aten


def features(op) -> tuple[float, ...]:
    """log2 of (rows, columns, contraction) of a product (the batch first where batched), (outputs' rows, reduced
    length, kept inner length) of a reduction, (elements, bytes) of an elementwise kernel, (rows, row bytes, source
    rows) of a gather, (rows, columns) of a softmax."""
    if isinstance(op, AxisReduction):
        return math.log2(max(op.rows, 1)), math.log2(max(op.cols, 1)), math.log2(max(op.inner, 1))
    if isinstance(op, Pointwise):
        return math.log2(max(op.numel, 1)), math.log2(max(op.nbytes, 1))
    if isinstance(op, Gather):
        return math.log2(max(op.rows, 1)), math.log2(max(op.row_bytes, 1)), math.log2(max(op.source_rows, 1))
    if isinstance(op, Softmax):
        return math.log2(max(op.rows, 1)), math.log2(max(op.cols, 1))
    if op.batch > 1:
        return math.log2(op.batch), math.log2(op.m), math.log2(op.n), math.log2(op.k)
    return math.log2(op.m), math.log2(op.n), math.log2(op.k)


@dataclass(frozen=True)
class ProductTable:
    """Per class, the fitted ops' features (`features`: log2 m, n, k of a product) and last the log of measured over
    priced."""

    classes: dict[str, tuple[tuple[float, ...], ...]]
    neighbours: int = NEIGHBOURS

    @classmethod
    def from_entry(cls, entry: dict) -> ProductTable:
        return cls({k: tuple(tuple(float(x) for x in row) for row in rows) for k, rows in entry["classes"].items()},
                   int(entry.get("k", NEIGHBOURS)))

    def to_entry(self) -> dict:
        return {"k": self.neighbours,
                "classes": {k: [list(row) for row in rows] for k, rows in self.classes.items()}}

    def factor(self, op) -> float:
        """What the key's price of `op` is multiplied by: 1 for an op outside every class."""
        return self.factor_at(product_class(op) or "", features(op))

    def factor_at(self, name: str, x: tuple[float, ...]) -> float:
        """The correction of class `name` at features `x` (1 for a class the table lacks)."""
        rows = self.classes.get(name)
        if not rows:
            return 1.0
        near = heapq.nsmallest(self.neighbours, ((math.dist(x, row[:-1]), row[-1]) for row in rows))
        weights = [1.0 / (d + SOFTEN) ** 2 for d, _ in near]
        miss = sum(w * r for w, (_, r) in zip(weights, near, strict=True)) / sum(weights)
        return math.exp(miss * math.exp(-(near[0][0] / REACH) ** 2))


def build(points) -> ProductTable:
    """A table of `points`: (op, measured seconds, priced seconds) of the products a key was fitted on."""
    classes: dict[str, list[tuple[float, ...]]] = {}
    for op, measured, priced in points:
        name = product_class(op)
        if name is not None and measured > 0 and priced > 0:
            row = (*features(op), math.log(measured / priced))
            classes.setdefault(name, []).append(tuple(round(x, DIGITS) for x in row))
    return ProductTable({k: tuple(sorted(v)) for k, v in sorted(classes.items())})
