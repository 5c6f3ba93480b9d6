"""Ops along a dim: reductions (sum, mean, max, any, norms), logsumexp, cumsum / cumprod scans, sort and top-k,
searchsorted / bucketize, multinomial."""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.hardware.launch import ACCUMULATE_BYTES, waves
from hetsim.hardware.sorting import sort_kernels
from hetsim.ops import AxisReduction, Op, Pointwise, TopK
from hetsim.stacks.aten_copies import _dense_copy
from hetsim.stacks.aten_dispatch import lower_op
from hetsim.stacks.aten_pointwise import _pointwise
from hetsim.stacks.aten_shapes import SECTOR_BYTES, _name, broadcast, hdtype, nbytes, strided
from hetsim.tracing.trace import AtenOp, TensorMeta

# reductions built by ReduceOps.cpp's make_reduction_from_out_ty: an input of another dtype than the result is cast
# to it first, a full-size copy, save a 16-bit float summed into fp32 (its kernel casts on the fly)
CAST_FIRST_REDUCTIONS = frozenset({"sum", "prod", "nansum", "mean"})


def cast_first(x: TensorMeta, dtype: str, op: AtenOp) -> tuple[tuple[Op, ...], TensorMeta]:
    """The copy kernel ATen's `self.to(dtype)` runs before a reduction's or a scan's kernel, and the copy it writes."""
    cast = TensorMeta.dense(x.shape, dtype)
    return lower_op(AtenOp("aten._to_copy.default", (x,), (cast,), {"dtype": dtype}, module=op.module)), cast


def _reduction(op: AtenOp) -> tuple[Op, ...]:
    x = op.inputs[0]
    out_dtype = op.outputs[0].dtype if op.outputs else x.dtype
    if op.base in CAST_FIRST_REDUCTIONS and out_dtype != x.dtype and not (
            x.dtype in ("bfloat16", "float16") and out_dtype == "float32"):
        # a mask counted (bool -> int64), int32 summed into int64: profiled (realcode-check17), a direct_copy kernel
        # writing the int64 copy, then the int64 reduce
        copy, cast = cast_first(x, out_dtype, op)
        return (*copy, *_reduction(replace(op, inputs=(cast, *op.inputs[1:]))))
    rank = len(x.shape)
    dims = op.dims if op.dims is not None else tuple(range(rank))
    cols = 1
    for d in dims:
        cols *= x.shape[d]
    inner = 1
    for s in x.shape[max(dims) + 1:] if dims else ():
        inner *= s
    if (laid := memory_inner(x, dims)) is not None:
        inner = laid
    rows = x.numel // max(cols * inner, 1)
    # any / all: ATen's logical-or / -and reduce ops, compares like a max's
    # aminmax: one reduce kernel carrying a (min, max) pair (ReduceAMinMaxKernel.cu), a max's compares and a min's
    kind = {"amax": "max", "max": "max", "argmax": "max", "amin": "min", "min": "min", "argmin": "min",
            "any": "max", "all": "min", "aminmax": "max"}.get(op.base, "sum")
    kept_between = [d for d in range(min(dims), max(dims) + 1) if d not in dims and x.shape[d] > 1] if dims else []
    # a broadcast input (x.expand(...).norm(dim=-1)): its stored bytes from HBM, its repeats from the caches
    cached = x.numel * x.itemsize - nbytes(x) if broadcast(x) else 0
    return (AxisReduction(rows, cols, hdtype(x), kind, inner=inner, aten=op.name,
                          split=bool(kept_between) and laid is None, cached_bytes=cached, name=_name(op)),)


def _trace(op: AtenOp) -> tuple[Op, ...]:
    # trace_cuda: self.diagonal().sum(), ATen's reduce kernel over the diagonal's elements a row's stride + 1 apart
    x = op.inputs[0]
    diagonal = TensorMeta((min(x.shape),), (sum(x.stride),), x.dtype, view=True, contiguous=False)
    total = lower_op(AtenOp("aten.sum.default", (diagonal,), op.outputs, {}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in total)


def memory_inner(x: TensorMeta, dims) -> int | None:
    """The kept elements a reduction's input holds inside its reduced dims in memory, where `x` is a permutation of
    a dense tensor other than row-major (a channels-last map, a transposed view) and its reduced dims lie together in
    memory; else None (the dims' logical order holds). TensorIterator orders the dims by stride before Reduce.cuh picks
    its layout: the mean over H and W of a channels-last map reduces an outer dim, its channels neighbouring threads'
    outputs (ResNet's and ConvNeXt's pooled heads over 64 x 1024-2048 x 7 x 7 fp16 ran 4.9-5.2 us, priced 17-34 as
    rows of 49: realcode-check18). A view of overlapping or spaced windows (x.unfold's: NSA's blocks of 32 tokens a
    16 apart) is ordered the same way: its reduced window dim steps a token, the features inside it."""
    if not dims or not strided(x) or broadcast(x):
        return None  # a broadcast input: TensorIterator orders it by the output's strides
    order = sorted((d for d, size in enumerate(x.shape) if size > 1), key=lambda d: -x.stride[d])
    at = [i for i, d in enumerate(order) if d in dims]
    if not at or at != list(range(at[0], at[-1] + 1)):
        return None
    inner = 1
    for d in order[at[-1] + 1:]:
        inner *= x.shape[d]
    return inner


def _logsumexp(op: AtenOp) -> tuple[Op, ...]:
    # ATen's logsumexp (ReduceOps.cpp logsumexp_out_impl) is a chain on a GPU, not one reduction: the max over the
    # dims, an infinite max zeroed (abs, ==, masked_fill_ on the maxes), x - max (a full-size temporary), exp_ in
    # place, the sum, then log_ and add_ on the result
    x = op.inputs[0]
    rank = len(x.shape)
    dims = op.dims if op.dims is not None else tuple(range(rank))
    kept = TensorMeta.dense(tuple(1 if d in dims else s for d, s in enumerate(x.shape)), x.dtype)
    full = TensorMeta.dense(x.shape, x.dtype)
    flag = TensorMeta.dense(kept.shape, "bool")

    def step(name: str, inputs: tuple[TensorMeta, ...], out: TensorMeta) -> AtenOp:
        return AtenOp(name, inputs, (out,), {}, op.dims, module=op.module)

    ops = _reduction(step("aten.amax.default", (x,), kept))
    for name, inputs, out in (("aten.abs.default", (kept,), kept), ("aten.eq.Scalar", (kept,), flag),
                              ("aten.masked_fill_.Scalar", (kept, flag), kept), ("aten.sub.Tensor", (x, kept), full),
                              ("aten.exp_.default", (full,), full)):
        ops += _pointwise(step(name, inputs, out))
    ops += _reduction(step("aten.sum.dim_IntList", (full,), kept))
    for name in ("aten.log_.default", "aten.add_.Tensor"):
        ops += _pointwise(step(name, (kept, kept) if name.startswith("aten.add") else (kept,), kept))
    return ops


def _topk(op: AtenOp) -> tuple[Op, ...]:
    # the select along `dim` (a strided slice where it is not the last), then, sorted (the default), the sort of its
    # results a GpuModel prices with it (hetsim.hardware.sorting.topk_sort)
    x = op.inputs[0]
    dim = int(op.args.get("dim", -1)) % max(len(x.shape), 1)
    n = x.shape[dim] if x.shape else 1
    k = int(op.args.get("k", 1))
    return (TopK(x.numel // max(n, 1), n, max(1, min(k, n)), hdtype(x), sorted=bool(op.args.get("sorted", True)),
                 name=_name(op)),)


def _kth_value(op: AtenOp) -> tuple[Op, ...]:
    # kthvalue / median along a dim (Sorting.cu gatherKthValue, gatherMedian): the radix select of torch.topk's
    # single-block kernel, one block a slice whatever its length (a percentile over one 51M-element slice ran 316 ms;
    # a 3 x 3 median blur over 6.3M slices of 9, 6.3 ms: realcode-check27)
    x = op.inputs[0]
    if "dim" not in op.args and op.base != "kthvalue":
        return _median_of_all(op)
    dim = int(op.args.get("dim", -1)) % max(len(x.shape), 1)
    n = x.shape[dim] if x.shape else 1
    return (TopK(x.numel // max(n, 1), max(n, 1), 1, hdtype(x), sorted=False, one_block=True, name=_name(op)),)


def _median_of_all(op: AtenOp) -> tuple[Op, ...]:
    # median / nanmedian without a dim (Sorting.cpp median_impl) sort the flattened tensor (a copy where it is not
    # contiguous), then pick the middle: median through where(sorted[-1].isnan(), sorted[-1], sorted[mid]), two
    # one-element kernels; nanmedian counts the NaNs first (isnan over every key, a sum), then indexes. Profiled on
    # an H100 (realcode-check31's SVGD bandwidth, 4096 x 4096 fp32): the values' copy, the indices' fill, the
    # device-wide radix sort's histogram and four onesweep passes, 919 us, where one block's select was priced 73 ms
    x = op.inputs[0]
    ops = () if x.contiguous else _dense_copy(x, op)
    keys, order = TensorMeta.dense((x.numel,), x.dtype), TensorMeta.dense((x.numel,), "int64")
    ops += lower_op(AtenOp("aten.sort.default", (keys,), (keys, order), {"dim": 0}, module=op.module))
    scalar, flag = TensorMeta.dense((), x.dtype), TensorMeta.dense((), "bool")
    if op.base == "nanmedian":
        flags, count = TensorMeta.dense((x.numel,), "bool"), TensorMeta.dense((), "int64")
        ops += lower_op(AtenOp("aten.isnan.default", (keys,), (flags,), {}, module=op.module))
        ops += lower_op(AtenOp("aten.sum.default", (flags,), (count,), {}, module=op.module))
        # k = ((size - 1) - count) / 2, a true division, cast to an index, then sorted[k]
        middle, index = TensorMeta.dense((), "float32"), TensorMeta.dense((), "int64")
        steps = (("aten.rsub.Scalar", (count,), count), ("aten.div.Scalar", (count,), middle),
                 ("aten._to_copy.default", (middle,), index), ("aten.index.Tensor", (keys, index), scalar))
        for name, inputs, out in steps:
            ops += lower_op(AtenOp(name, inputs, (out,), {}, module=op.module))
    else:
        ops += lower_op(AtenOp("aten.isnan.default", (scalar,), (flag,), {}, module=op.module))
        ops += lower_op(AtenOp("aten.where.self", (flag, scalar, scalar), (scalar,), {}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in ops)


def _sort(op: AtenOp) -> tuple[Op, ...]:
    # sort / argsort along a dim (Sort.cpp): the kernels hetsim.hardware.sorting says a row of its length takes
    x = op.inputs[0]
    dim = int(op.args.get("dim", -1)) % max(len(x.shape), 1)
    n = x.shape[dim] if x.shape else 1
    nbytes_moved = nbytes(x) + sum(nbytes(t) for t in op.outputs)
    return sort_kernels(x.numel, n, x.itemsize, nbytes_moved, op.name, _name(op), bool(op.args.get("stable")))


def _scan(op: AtenOp) -> tuple[Op, ...]:
    # cumsum / cumprod (ScanUtils.cuh scan_dim), read once and written once:
    # - a tensor that is one row (numel == the dim's size) runs cub's device scan: `scan_device`, its bytes;
    # - along the innermost dim, scan_innermost_dim: blocks of 512 threads, tx along a row and 512 / tx rows
    #   (get_log_num_threads_x_inner_scan), each block stepping along its rows in chunks of 2 tx elements, a chunk's
    #   step a load, log2(tx) + 1 __syncthreads and a store, ~1.3 us on an H200 whatever tx (2 rows of 128256 fp32:
    #   126 chunks, 163 us). The walk: waves of blocks over the GPU times chunks, a chunk counted as SCAN_CHUNK_BYTES;
    # - over an outer dim, scan_outer_dim: a thread a column (blocks of up to 512 threads over the inner elements, a
    #   block row per outer index), each stepping along its column one element after another, a load and a store a
    #   step: its walk, in waves of blocks over the GPU (realcode-more21 / -more22: ~0.15-0.5 us a step on an H200,
    #   4,096 steps ~0.7-1.0 ms), counted at the fp32 accumulator's width, or its bytes: `scan_outer`.
    x, out = op.inputs[0], op.outputs[0]
    if out.dtype != x.dtype and x.numel:
        # impl_func_cum_ops scans `self.to(result.scalar_type())`: an integer or mask promoted to int64 (a cumsum of
        # bools, a cumprod of int32) is cast first, a copy kernel of its own (profiled, realcode-check32: 1.3-2.2 us
        # before the scan's 1.7-3.6 on an H100)
        copy, cast = cast_first(x, out.dtype, op)
        return (*copy, *scan_kernel(replace(op, inputs=(cast, *op.inputs[1:]))))
    return scan_kernel(op)


def scan_kernel(op: AtenOp) -> tuple[Op, ...]:
    """The scan kernel alone, over the input as given (cub's mask sum reads a mask's bools as they lie)."""
    x, out = op.inputs[0], op.outputs[0]
    dim = int(op.args.get("dim", -1)) % max(len(x.shape), 1)
    n = x.shape[dim] if x.shape else 1
    moved = nbytes(x) + sum(nbytes(t) for t in op.outputs)  # cummax / cummin: the indices beside the values
    if x.numel == n:
        return (Pointwise(out.numel, moved, op.name, "scan_device", name=_name(op)),)
    # scan_dim picks the kernel by the dim's index alone, never squeezing: a cumsum over dim -2 of [..., T, 1] (xLSTM's
    # log-gates) runs scan_outer_dim, a thread a column walking all T steps (2 x 4 x 2048 x 1 fp32: 81 us on an H200,
    # 8 x 4096 x 1: 159 us, ~40 ns a step; realcode-check20 and -check28, priced ~5 us as a row scan before)
    if dim != len(x.shape) - 1:
        columns = math.prod(x.shape[dim + 1:])
        blocks = (x.numel // max(n * columns, 1)) * math.ceil(columns / SCAN_THREADS)
        # a step's load misses the L1 only where it leaves the sector the last one read: every step for a column
        # stride of a sector or more, one in 32 / (columns x width) below (a column of fp32: one step in 8)
        misses = min(1.0, columns * x.itemsize / SECTOR_BYTES)
        walk = waves(blocks, min(SCAN_THREADS, columns)) * n * ACCUMULATE_BYTES * misses
        return (Pointwise(out.numel, moved, op.name, "scan_outer", walk=walk, name=_name(op)),)
    rows = x.numel // max(n, 1)
    tx = scan_threads_x(rows, n)
    blocks = math.ceil(rows / (SCAN_THREADS // tx))
    walk = waves(blocks, SCAN_THREADS) * math.ceil(n / (2 * tx)) * SCAN_CHUNK_BYTES
    return (Pointwise(out.numel, moved, op.name, "scan", walk=walk, name=_name(op)),)


def scan_threads_x(rows: int, row_size: int) -> int:
    """Threads along a row in ATen's innermost-dim scan (ScanUtils.cuh get_log_num_threads_x_inner_scan, as the
    PyTorch 2.11 wheels run it): log2 of the row's and of the rows' counts, rounded up, their difference d, then
    (9 + d) / 2 clamped to [4, 9]. Its arithmetic is unsigned: where the rows' log exceeds the row's by more than 9
    the sum wraps and clamps to 9, one 512-thread block per row (100,000 rows of 16 fp32: 560 us on an H200)."""
    log_x = max(int(row_size) - 1, 0).bit_length()
    log_y = max(int(rows) - 1, 0).bit_length()
    diff = log_x - log_y
    lx = 9 if 9 + diff < 0 else (9 + diff) // 2
    return 1 << min(max(4, lx), 9)


SCAN_THREADS = 512  # scan_innermost_dim's block
SCAN_CHUNK_BYTES = 1024  # a chunk's step as walk bytes: its cost does not follow its width (fitted as a rate)


def _multinomial(op: AtenOp) -> tuple[Op, ...]:
    # torch.multinomial over rows of probabilities (a sampling step): ATen normalises and samples each row
    # (one block a row for one sample); the probabilities read, the samples written: regime `multinomial`
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(x.numel, nbytes(x) + nbytes(out), op.name, "multinomial", name=_name(op)),)


def _searchsorted(op: AtenOp) -> tuple[Op, ...]:
    """torch.bucketize / searchsorted (Bucketization.cu searchsorted_cuda_kernel): a thread an element, a binary search
    over its row's boundaries, each step a load that waits on the one before: its element work is those steps
    (`searchsorted`: an element-step rate beside the bytes)."""
    sorted_seq, values = ((op.inputs[1], op.inputs[0]) if op.base.startswith("bucketize")
                          else (op.inputs[0], op.inputs[1]))
    out = op.outputs[0]
    steps = max(math.ceil(math.log2(sorted_seq.shape[-1] + 1)), 1) if sorted_seq.shape else 1
    return (Pointwise(out.numel, nbytes(values) + nbytes(sorted_seq) + nbytes(out), op.name, "searchsorted",
                      operands=steps, name=_name(op)),)
