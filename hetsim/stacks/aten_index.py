"""Index ops: embedding, index_select / index / index_put, gather and scatter, index_add / index_copy / index_fill,
nonzero and masked_scatter."""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.hardware import launch
from hetsim.ops import INDEX_BYTES, Gather, Op, Pointwise
from hetsim.stacks.aten_copies import _dense_copy
from hetsim.stacks.aten_dispatch import lower_op
from hetsim.stacks.aten_reductions import cast_first, scan_kernel
from hetsim.stacks.aten_shapes import (
    FP32_BYTES,
    SECTOR_BYTES,
    _name,
    _sync,
    expanded,
    iteration_stride,
    nbytes,
    nbytes_of,
    reads_across,
)
from hetsim.tracing.trace import AtenOp, TensorMeta


def _nonzero_of(op: AtenOp, mask: TensorMeta, found: int) -> tuple[Op, ...]:
    """torch.nonzero over `mask` inside `op` (its `found` indices written): cub's select, then the count copied
    to the host, which waits for everything issued before (a sync)."""
    return (Pointwise(mask.numel, nbytes(mask) + INDEX_BYTES * found, op.name, "select", name=_name(op) + ":nonzero"),
            _sync(op))


def _row_split(dest: TensorMeta, dim: int) -> tuple[int, int]:
    """(rows, elements per row) of `dest` cut at `dim`: an index along `dim` addresses whole rows."""
    row = 1
    for s in dest.shape[dim + 1:]:
        row *= s
    return dest.numel // max(row, 1), row


def _embedding(op: AtenOp) -> tuple[Op, ...]:
    weight, idx = op.inputs[0], op.inputs[1]
    # nn.Embedding's kernel (embedding -> index_select inside ATen), its own regime `embedding` where fitted; more
    # lookups than the table's rows (a token-type or position table) read each row once (Gather's fan-out)
    return (Gather(idx.numel, weight.shape[1] * weight.itemsize, weight.shape[0], aten=op.name, name=_name(op)),)


def _embedding_bag(op: AtenOp) -> tuple[Op, ...]:
    # nn.EmbeddingBag's kernel (EmbeddingBag.cu, launch.EMBEDDING_BAG_WARPS): a warp takes a 32-feature chunk of one bag
    # and walks its indices, a load of the chunk's row segment a step, the bag's sum written once. Its time follows
    # those warp steps whatever their width or the table's size (profiled on an H200, index-sweep and realcode-more21:
    # ~45-50 ps a step over the GPU for fp32 and fp16 rows, from HBM or a table the L2 held) and the grid's rounds
    # over the chunks (~2 us each: offsets, index and row loaded one after another), not the bytes: priced as a row
    # gather, bags of 1-5 rows ran 2-4x slower than their bytes and bags of 20-256 rows ~1.3x faster (checks 19-27)
    weight, idx = op.inputs[0], op.inputs[1]
    rows, features = weight.shape
    steps = idx.numel * launch.embedding_bag_chunks(features)
    return (Gather(idx.numel, features * weight.itemsize, rows, aten=op.name, name=_name(op), elements=steps,
                   bags=op.outputs[0].shape[0]),)


def _index_fill(op: AtenOp) -> tuple[Op, ...]:
    # index_fill_(dim, index, value): the selected slices written through the strided kernel (index_fill_kernel), the
    # index read; nothing else of the tensor moves (out of place: the tensor cloned first)
    x, index = op.inputs[0], op.inputs[1]
    dim = int(op.args.get("dim", 0)) % max(len(x.shape), 1)
    touched = index.numel * (x.numel // max(x.shape[dim], 1)) if x.shape else 1
    fill = Pointwise(touched, touched * x.itemsize + nbytes(index), op.name, "pointwise_broadcast", operands=2,
                     name=_name(op))
    return (fill,) if op.base.endswith("_") else (*_dense_copy(x, op), fill)


def _index_copy(op: AtenOp) -> tuple[Op, ...]:
    # index_copy_(dim): each index writes one slice of the destination (rows of the trailing dims):
    # the source and the indices read, the rows written; its own regime (`index_copy`), priced as a
    # row gather (index_select) where a profile has not fitted it
    dest, index, src = op.inputs[0], op.inputs[1], op.inputs[-1]
    dim = int(op.args.get("dim", 0)) % max(len(dest.shape), 1)
    if dest.shape and math.prod(dest.shape[:dim]) == 1 and src.numel > index.numel:
        return (_row_scatter(op, dest, index, src, dim),)
    nbytes = 2 * nbytes_of(src) + nbytes_of(index)
    return (Pointwise(src.numel, nbytes, op.name, "index_copy", name=_name(op)),)


def _row_scatter(op: AtenOp, dest: TensorMeta, index: TensorMeta, src: TensorMeta, dim: int) -> Gather:
    """index_copy_ over the outermost dim (a batch's rows condensed, MoE tokens unpermuted, a cache's slots written):
    index_elementwise_kernel over the source's elements, as x[:, idx], with a two-dim iterator (rows by their elements)
    whose rows are whole runs of the destination: it streams at the element kernel's local pace whatever the dtype
    (profiled on the H100: 313-353 G elements/s over fp32, bf16 and int32 rows, realcode-check20 to -34; priced at the
    index_copy key's bytes, fitted on StaticCache's writes along a middle dim, a three-dim iterator at 100-160 G
    elements/s, they ran +114..+322 %)."""
    row = math.prod(src.shape[dim + 1:])
    return Gather(index.numel, row * src.itemsize, dest.shape[dim], aten=op.name, elementwise=True,
                  elements=src.numel, local=True, name=_name(op))


def _index_select(op: AtenOp) -> tuple[Op, ...]:
    src = op.inputs[0]
    dim = op.args.get("dim", 0) % len(src.shape)
    if math.prod(src.shape[:dim]) > 1:
        return (_index_select_past_first(op, src, dim),)
    source_rows, row = _row_split(src, dim)
    rows = op.outputs[0].numel // max(row, 1)
    # named: <= 16 indices run ATen's small-index kernel (hetsim.hardware.gpu: `gather_few`); more run gather's
    # kernels (ScatterGatherKernel.cu, profiled on an H200: index-sweep): vectorized_gather_kernel<16> over rows a
    # multiple of 16 bytes, a fixed cost a row; _scatter_gather_elementwise_kernel, a thread an element, otherwise
    # (its elements counted: ~0.3 T a second whatever the rows' width or the table's size)
    # The small-index kernel's threads also walk each index's whole row, an offset an element: rows of millions of
    # elements (a beam's KV cache reordered) are bound by their elements, counted so (gather_few's element rate)
    few = rows <= launch.FEW_ROWS
    elements = 0 if (row * src.itemsize) % VECTOR_BYTES == 0 and not few else rows * row
    return (Gather(rows, row * src.itemsize, source_rows, aten=op.name, elements=elements, name=_name(op)),)


def _index_select_past_first(op: AtenOp, src: TensorMeta, dim: int) -> Op:
    """index_select over a dim with outer dims before it (a vocabulary's columns, a sequence's positions in [b, h, s,
    d]): ATen's small-index kernel for <= FEW_ROWS indices, each index's slice (strided across the outer dims) walked
    one after another, its elements counted (gather_few); more indices run torch.gather's element kernel with the index
    broadcast over the other dims (profiled on the H100, realcode-check35 and earlier checks: _scatter_gather_
    elementwise_kernel over [2048, 4096] fp32 by 4,096 last-dim indices in 28 us and over [1, 8, 16384, 128] bf16 by
    2,457 positions; priced as rows of one element a row gather's, they ran +45..+361 %)."""
    index, out = op.inputs[1], op.outputs[0]
    if index.numel <= launch.FEW_ROWS:
        slice_elements = out.numel // max(index.numel, 1)
        return Gather(index.numel, slice_elements * src.itemsize, src.shape[dim], aten=op.name, elements=out.numel,
                      name=_name(op))
    stride = [0] * len(out.shape)
    stride[dim] = index.stride[0] if index.shape else 1
    spread = TensorMeta(tuple(out.shape), tuple(stride), index.dtype, view=True, contiguous=False)
    (gather,) = _gather(AtenOp("aten.gather.default", (src, spread), (out,), {"dim": dim}, module=op.module))
    return replace(gather, aten=op.name, name=_name(op))


def _index_add(op: AtenOp) -> tuple[Op, ...]:
    # index_add_(dim, index, source): each index adds one slice of `source` into a row of the destination, wherever
    # it is: Indexing.cu's index kernels, a thread per source element (a grid capped at 8 blocks an SM, each thread
    # looping), each an atomic add. A row gather's bytes and its elements, its own regime `index_add` where fitted
    # (an element rate: bf16 rows add ~0.13 T elements/s on an H200 as fp32 ones do), as hetsim's BM25 prices its
    # scatter-add (hetsim.workloads.rag)
    dest, src = op.inputs[0], op.inputs[-1]
    if (len(dest.shape) == 1 and dest.numel <= CONTENDED_INDEX_ADD_TARGETS
            and src.numel >= CONTENDED_INDEX_ADD_UPDATES * dest.numel):
        # one element an index, many into each of few addresses (a k-means step's counts, ECE's bins):
        # indexFuncLargeIndex's atomics serialise on the addresses as scatter_add_'s do, and a slice of one element is
        # what scatter_add_ adds: its contended form (realcode-check28 / -check31: 100,000 and 500,000 adds into
        # 1,024 bins, 50,000 into 15, ran 4-6x what the row form's element rate gives)
        index = op.inputs[1]
        return _scatter(AtenOp(op.name.replace("index_add", "scatter_add"), (dest, index, src), op.outputs,
                               {"dim": 0}, inplace=op.base.endswith("_"), module=op.module))
    dim = op.args.get("dim", 0) % max(len(dest.shape), 1)
    dest_rows, row = _row_split(dest, dim)
    rows = src.numel // max(row, 1)
    # more source rows than destination rows (BM25's postings into their documents): each destination row is read
    # and written back once from HBM, its repeats in the L2 (Gather's fan-out, the roles of the two sides swapped)
    return (Gather(rows, row * src.itemsize, dest_rows, aten=op.name, elements=src.numel, name=_name(op)),)


def _select(op: AtenOp) -> tuple[Op, ...]:
    # nonzero_static: cub's select over the mask (count, scan, write `size` index rows), a few launches
    mask, out = op.inputs[0], op.outputs[0]
    return (Pointwise(mask.numel, nbytes(mask) + nbytes(out), op.name, "select", name=_name(op)),)


def _nonzero(op: AtenOp) -> tuple[Op, ...]:
    # torch.nonzero (ATen's Nonzero.cu): the same select, but the output's size is the data's count, so the
    # count is copied to the host and the stream synchronised before the output exists: the host waits for
    # everything issued before (a trace records it at an assumed count: hetsim.tracing.recorder.stands_for)
    return (*_select(op), _sync(op))


def _gather(op: AtenOp) -> tuple[Op, ...]:
    # torch.gather(input, dim, index): ScatterGatherKernel.cu's element kernel (not index_select's), 128 threads a
    # block, each running up to 4 elements (thread_work_size) in a loop whose iterations do not overlap (the store may
    # alias the source): an index load, then the source element it names, one after another. So a gather of a few
    # thousand elements takes ~4.7 us on an H200 whatever its size, one of <= 128 elements ~1.5 us: `gather_elements`,
    # its walk the loop's dependent loads (waves of blocks over the GPU, each the same loop)
    src, index, out = op.inputs[0], op.inputs[-1], op.outputs[0]
    n = out.numel
    iters = min(GATHER_THREAD_WORK, math.ceil(n / GATHER_THREADS))
    blocks = math.ceil(n / (GATHER_THREADS * GATHER_THREAD_WORK))
    walk = launch.dependent_pair_walk(blocks, GATHER_THREADS, iters, INDEX_BYTES, src.itemsize)
    # the source from HBM at most once: a gather of more elements than a small or broadcast source holds (a
    # histogram's 256-entry table, a point cloud's 2 MB of features expanded over 24,576 neighbours, NeRF's bins
    # expanded over its samples) re-reads it from the caches (realcode-check27 / -check28 / -check29: 2-3x over
    # their price where every gathered element was a byte from HBM)
    source = min(n * src.itemsize, nbytes(src))
    # an index read across its layout (PQ's codes.T expanded over the queries: neighbouring outputs' indices 64 codes
    # apart) costs a sector an element (realcode-check33's ADC over 500,000 and 2,000,000 codes: 11.9 and 6.2 ms,
    # priced -83 and -67 % by its stored bytes)
    step = iteration_stride(index, out)
    index_bytes = n * SECTOR_BYTES if reads_across(index, step) else nbytes(index)
    # picks from a source beyond the L2 read a 32-byte sector each, shared only where picks of one row land in one
    touched = picked_sectors(src, out, op.args.get("dim", 0) % max(len(src.shape), 1))
    return (Pointwise(n, index_bytes + n * out.itemsize + source, op.name, "gather_elements", walk=walk,
                      sector_span=nbytes(src) if touched > source else 0, sector_extra=max(0, touched - source),
                      name=_name(op)),)


def picked_sectors(src: TensorMeta, out: TensorMeta, dim: int) -> int:
    """Bytes of the 32-byte sectors a gather's picks along `dim` touch in its source. Along a contiguous dim each of the
    output's rows picks out.shape[dim] elements from a source row of S sectors, of which S x (1 - (1 - 1/S)^k) are
    expected touched by k uniform picks. Along another dim: 0 (not counted; neighbouring outputs whose indices differ
    read rows a sector apart, which the key's fitted rate holds on average: a sector each at its rate priced the
    checks' such gathers +77..+113 %). Profiled, realcode-check35: Deja Vu's 2,048 and 4,096
    column picks from each row of a 4,096 x 16,384 fp16 weight ran 86 and 131 us, ~1.4-1.8 TB/s of the sectors they
    touch, where their own 17 and 34 MB priced -69 / -54 %."""
    if not out.shape or src.shape[dim] <= 1 or src.stride[dim] != 1:
        return 0
    row, picks = src.shape[dim] * src.itemsize, out.shape[dim]
    sectors = math.ceil(row / SECTOR_BYTES)
    rows = out.numel // max(picks, 1)
    return round(rows * sectors * (1.0 - (1.0 - 1.0 / sectors) ** picks) * SECTOR_BYTES)


GATHER_THREADS, GATHER_THREAD_WORK = 128, 4  # ScatterGatherKernel.cu: num_threads(), thread_work_size()


def _index(op: AtenOp) -> tuple[Op, ...]:
    # x[idx] (aten.index.Tensor): ATen's index kernel, one thread per output element reading its source through
    # the index (TensorAdvancedIndexing's gpu_index_kernel), so rows of the trailing dims fetched wherever they
    # are: a row gather of as many rows as the indices hold
    src, out = op.inputs[0], op.outputs[0]
    if any(t.dtype == "bool" for t in op.inputs[1:]):
        # x[mask]: a nonzero over the mask (its count copied to the host: a sync), then the gather
        mask = next(t for t in op.inputs[1:] if t.dtype == "bool")
        rows = max(out.shape[0] if out.shape else 1, 1)
        row = out.numel // rows
        return (*_nonzero_of(op, mask, rows),
                Gather(rows, row * src.itemsize, src.numel // max(row, 1), aten=op.name, name=_name(op)))
    indices = [t for t in op.inputs[1:] if t.dtype in ("int64", "int32")]
    # dims of size 1 before the indexed one leave a row gather (TensorIterator drops them: x[:, idx] of a
    # [1, 64, 32000] source ran the vectorised kernel, 5.6 us for 13 MB)
    if len(indices) == 1 and (dim := indexed_dim(src, indices[0], out)) and math.prod(src.shape[:dim]) > 1:
        return (*_long_indices(op, indices), _index_past_first(op, src, indices[0], dim))
    idx = max((t.numel for t in indices), default=1)
    row = out.numel // max(idx, 1)
    source_rows = src.numel // max(row, 1)
    # IndexKernel.cu gathers whole rows with vector loads only for one index tensor over rows of a multiple of 16
    # bytes (vectorized_gather_kernel); a 1-D table, narrower rows or several index tensors (x[b, t]) run
    # index_elementwise_kernel, a thread an element: ~3.5 us for a handful of rows where the row gather takes ~2
    # (the aten sweep; profiled: calibration/e2e/diagnostics/case-kernels-2026-12-02)
    elementwise = len(indices) > 1 or (row * src.itemsize) % VECTOR_BYTES != 0
    # the element kernel's work is its output's elements, each an offset through the indices and a load
    gather = Gather(idx, row * src.itemsize, source_rows, aten=op.name, elementwise=elementwise,
                    elements=out.numel if elementwise else 0, name=_name(op))
    return (*_long_indices(op, indices), gather)


VECTOR_BYTES = 16  # the vectorised gather's load width


def indexed_dim(src: TensorMeta, index: TensorMeta, out: TensorMeta) -> int | None:
    """The dim of `src` one index tensor indexes (x[:, idx] is 1), read off the output's shape: the source's shape with
    that dim replaced by the index's, the first such dim (a trace records no index's position: x[:, idx] of a square
    source by an index as long as its side reads as x[idx]); None where no dim gives the output."""
    for dim in range(len(src.shape)):
        if (*src.shape[:dim], *index.shape, *src.shape[dim + 1:]) == tuple(out.shape):
            return dim
    return None


def _index_past_first(op: AtenOp, src: TensorMeta, index: TensorMeta, dim: int) -> Gather:
    """x[:, idx]: ATen restrides the source over the output and runs index_elementwise_kernel, a thread an output
    element, never the vectorised row gather (profiled, realcode-check33: AutoGPTQ's act-order permutation of int8
    weight columns, a batch's rows picked by position). Each slice before the indexed dim reads runs of the trailing
    dims' elements from its own slice of the source: local (a code book's pace) where the runs are whole sectors or
    the slice fits an SM's L1. The index is read once, each slice's lookups finding it in the caches."""
    outer = math.prod(src.shape[:dim])
    inner = math.prod(src.shape[dim + 1:])
    run = inner * src.itemsize
    local = run >= SECTOR_BYTES or src.shape[dim] * run <= launch.SM_L1_BYTES
    return Gather(outer * index.numel, run, outer * src.shape[dim], aten=op.name, elementwise=True,
                  elements=op.outputs[0].numel, local=local, index_numel=index.numel, name=_name(op))


def _long_indices(op: AtenOp, indices) -> tuple[Op, ...]:
    """The copies ATen makes of int32 index tensors before indexing (TensorAdvancedIndexing's make_info: an int index
    `.to(kLong)`): a direct_copy kernel each, writing the int64 indices the kernel reads (profiled: an NF4 code-book
    lookup by int32 codes ran the copy, 922 us, then the index kernel, 1,155 us, realcode-check17)."""
    return tuple(o for t in indices if t.dtype == "int32" for o in cast_first(t, "int64", op)[0])


def _index_put(op: AtenOp) -> tuple[Op, ...]:
    # x[idx] = v (index_put_): the index kernel writing `values` through the indices (a row scatter, regime
    # `index_put`, priced as index_copy_'s where not fitted); accumulate=True sorts the indices first
    # (index_put_with_sort_kernel: a radix sort, then a warp per run of equal indices): `index_put_accumulate`
    dest, values = op.inputs[0], op.inputs[-1]
    # the functional form clones the destination first (index_put: self.clone().index_put_), a copy kernel of its own
    # (profiled, realcode-check34: a Memcpy DtoD at the copy's pace, then the index kernel over the values; priced
    # within the index kernel's bytes, the clone ran at its key's rate, +88..+154 %)
    copy = () if op.base.endswith("_") else _dense_copy(dest, op)
    if any(t.dtype == "bool" for t in op.inputs[1:-1]):
        mask = next(t for t in op.inputs[1:-1] if t.dtype == "bool")
        if values.numel == 1:
            # x[mask] = v with a scalar v: masked_fill_ over the whole tensor (canDispatchToMaskedFill; taken as
            # such, the trace does not say whether the value lives on the host as that path needs)
            return (*copy, Pointwise(dest.numel, 2 * nbytes_of(dest) + nbytes_of(mask), op.name, name=_name(op)))
        # x[mask] = t: the mask's nonzero (its count to the host: a sync), then the rows written
        return (*copy, *_nonzero_of(op, mask, values.numel),
                Pointwise(values.numel, 2 * nbytes_of(values), op.name, "index_put", name=_name(op)))
    idx = [t for t in op.inputs[1:-1] if t.dtype in ("int64", "int32")]
    longs = _long_indices(op, idx)
    moved = values.numel if values.numel > 1 else sum(t.numel for t in idx[:1]) * max(
        dest.numel // max(dest.shape[0] if dest.shape else 1, 1), 1)
    nbytes = 2 * moved * dest.itemsize + sum(nbytes_of(t) for t in idx)
    regime = "index_put_accumulate" if op.args.get("accumulate") else "index_put"
    return (*copy, *longs, Pointwise(moved, nbytes, op.name, regime, name=_name(op)))


def _scatter(op: AtenOp) -> tuple[Op, ...]:
    # scatter(_add)(dest, dim, index, src): one thread per index element, each writing (adding: an atomic) one
    # element of the destination wherever the index says; out of place, the destination is first cloned, a kernel of
    # its own (ScatterGatherKernel.cu's callers: self.clone() then the in-place kernel; profiled, realcode-more15 /
    # the checks: out-of-place scatters of ~1K indices ran ~4.3 us, in-place ones ~3)
    dest, index = op.inputs[0], op.inputs[1]  # the tensors in schema order: self, index[, src]
    moved = index.numel
    add = op.base.startswith("scatter_add") or op.args.get("reduce") in ("sum", "add", "prod", "multiply", "mean",
                                                                          "amax", "amin")
    regime = "scatter_add" if add else "scatter"
    # _scatter_gather_elementwise_kernel<128, 8>: a thread takes up to 8 of a block's elements one after another, an
    # index's offset computed and its element written each (profiled, realcode-more20: ~1.5 us over a few hundred
    # elements, ~3.3-4.9 from ~1,000, where every thread runs its 8): those steps are a plain scatter's walk; an atomic
    # one's is its updates' contention on the addresses they share (contended_walk)
    steps = min(SCATTER_UNROLL, math.ceil(moved / SCATTER_THREADS))
    # a plain scatter's element work is the sectors its warps' writes touch (scatter_write_sectors): the key's rate
    # was fitted on scatters of whole permutations (one sector a write); a one-hot along the channels or a mask over
    # narrow rows writes a few sectors a warp, and runs at the bytes' pace instead
    moved_bytes = 2 * moved * dest.itemsize
    sectors = scattered = 0
    if not add:
        sectors = round(moved * scatter_write_sectors(dest, index, int(op.args.get("dim", 0))))
        # the source read (a value scatter reads none) and the sectors written, never more than the destination holds:
        # the bytes an L2 must hold for the writes to merge there (beyond it each sector goes back to HBM on its own:
        # residency.merged_share, gpu.compute_work)
        src = moved * dest.itemsize if len(op.inputs) > 2 else 0
        scattered = min(nbytes_of(dest), sectors * SECTOR_BYTES)
        moved_bytes = src + scattered
    walk = contended_walk(moved, dest.numel) if add else steps * FP32_BYTES
    work = Pointwise(moved, nbytes_of(index) + moved_bytes, op.name, regime, walk=walk, lines=sectors,
                     scattered_bytes=scattered, name=_name(op))
    if op.base.endswith("_"):
        return (work,)
    return (*_dense_copy(dest, op), work)


def _scatter_reduce(op: AtenOp) -> tuple[Op, ...]:
    # scatter_reduce.two (TensorAdvancedIndexing.cpp, scatter_reduce_two) on CUDA runs more than its atomics:
    # - include_self=False: the indexed places first set to the reduction's identity (scatter_impl's fill: a value
    #   scatter over the index, one write an index element);
    # - then the reduce kernel (_scatter's atomic form);
    # - mean: ones_like(src), a count the destination's size (zeros_like, ones_like where include_self), the count's
    #   scatter_add_ of the ones, count.masked_fill_(count == 0, 1), out.div_(count): four kernels over the whole
    #   destination however few places the index names (index-sweep: a mean of 11.6 K rows into 542 K ran 209 us on an
    #   H100, ~12x its atomics' price)
    dest, index = op.inputs[0], op.inputs[1]
    src = op.inputs[2] if len(op.inputs) > 2 else dest
    dim = int(op.args.get("dim", 0))
    reduce = str(op.args.get("reduce", "sum"))
    ops: tuple[Op, ...] = () if op.base.endswith("_") else _dense_copy(dest, op)

    def sub(name: str, inputs, outputs, args=None) -> tuple[Op, ...]:
        return lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}, inplace=name.split(".")[1][-1] == "_",
                               module=op.module))

    if not op.args.get("include_self", True):
        ops += sub("aten.scatter_.value", (dest, index), (dest,), {"dim": dim, "value": 0})
    ops += _scatter(AtenOp("aten.scatter_reduce_.two", op.inputs, op.outputs, op.args, inplace=True, module=op.module))
    if reduce == "mean":
        ones = TensorMeta.dense(src.shape, src.dtype)
        count = TensorMeta.dense(dest.shape, dest.dtype)
        empty = TensorMeta.dense(dest.shape, "bool")
        ops += (*sub("aten.ones_like.default", (src,), (ones,)),
                *sub("aten.zeros_like.default", (dest,), (count,)),
                *sub("aten.scatter_add_.default", (count, index, ones), (count,), {"dim": dim}),
                *sub("aten.eq.Scalar", (count,), (empty,), {"other": 0}),
                *sub("aten.masked_fill_.Scalar", (count, empty), (count,), {"value": 1}),
                *sub("aten.div_.Tensor", (dest, count), (dest,)))
    return ops


SCATTER_THREADS, SCATTER_UNROLL = 128, 8  # ScatterGatherKernel.cu's block and elements a thread
# atomics meeting on few addresses: a scatter_add_ into B bins ran n / (R + B x r) (index-sweep's bins, fp32, 25 to
# 2,247 bins: R ~3.6 G updates/s however few the bins, each address adding r ~6.5 M/s, ~150 ns an update it
# serialises), so the destination's elements over CONTENTION_TARGETS (R / r, read off those fit cases) scale the floor
CONTENTION_TARGETS = 512


# a 1-D index_add_ into at most this many elements is priced as scatter_add_'s contended atomics: where its walk
# (contended_walk) outruns the row form's element and byte terms (the H200's keys: ~17 ps an fp32 update against a
# walk of 233 ps / (1 + targets / 512), even at ~6,600 targets; the power of two below keeps to where it clearly
# binds); beyond, the row form's fit holds (realcode-check19's 32,768 adds into 16,384: -11 %)
CONTENDED_INDEX_ADD_TARGETS = 4096
# ... and only with at least this many adds an address on average: one or two an address collide little
# (realcode-check29's 1,632 into 1,632, +6 % by the row form)
CONTENDED_INDEX_ADD_UPDATES = 8


def contended_walk(updates: int, targets: int) -> float:
    """An atomic scatter's updates as a walk (4 bytes each, at the key's walk rate: the contended floor), spread over
    `targets` addresses (the destination's elements, the harness's indices uniform over them): binds only where few
    addresses take many updates (a histogram's bins, expert counts), where the bytes bind otherwise."""
    return updates * FP32_BYTES / (1.0 + targets / CONTENTION_TARGETS)


WARP = 32


def _distinct(draws: float, values: float) -> float:
    """Expected distinct values among `draws` uniform draws from `values` (the harness's indices are uniform)."""
    return values * (1.0 - (1.0 - 1.0 / values) ** draws) if values > 1 else 1.0


def scatter_write_sectors(dest: TensorMeta, index: TensorMeta, dim: int) -> float:
    """The 32-byte sectors of the destination a scatter's writes touch, per index element: a warp takes 32
    consecutive index elements, each written at its own index along `dim` and its own place in the other dims.
    Along an outer dim (inner elements >= 1 a slice) the warp's elements sit a sector group apart in the inner dims,
    each group drawing its planes from the dim's size: a one-hot over 3 channels of bools writes ~3 sectors a warp,
    over 14 fp32 channels ~25. Along the last dim a warp spans 32 / k rows of k indices each, each row's writes
    drawing from its sectors, never more sectors than the rows' bytes hold: a 2:4 mask over 4-byte rows 2 a warp, a
    permutation of a long row 32. An index broadcast over the inner dims writes whole sectors."""
    rank = max(len(index.shape), 1)
    dim %= rank
    size = dest.shape[dim] if dest.shape else 1
    inner = math.prod(index.shape[dim + 1:]) if index.shape else 1
    per_sector = max(SECTOR_BYTES // max(dest.itemsize, 1), 1)  # consecutive inner elements one sector holds
    if inner > 1:
        group = min(per_sector, inner)
        # an index expanded along the inner dims (a GNN's edge index broadcast over the features, stride 0) gives a
        # group one place: its elements share a sector, as a row copy's do
        shared = bool(index.stride) and all(st == 0 for st in index.stride[dim + 1:])
        sectors = WARP / group * (1 if shared else _distinct(group, size))
    else:
        k = max(index.shape[dim] if index.shape else 1, 1)
        rows = max(WARP / k, 1.0)
        row_sectors = max(math.ceil(size * dest.itemsize / SECTOR_BYTES), 1)
        spanned = max(math.ceil(rows * size * dest.itemsize / SECTOR_BYTES), 1)
        sectors = min(rows * _distinct(min(k, WARP), row_sectors), spanned)
    return min(sectors, WARP) / WARP


def _masked_scatter(op: AtenOp) -> tuple[Op, ...]:
    # self.masked_scatter(mask, source) (masked_scatter_out in IndexKernel.cu, profiled: realcode-more9): the output
    # cloned from self, the mask expanded to it and made contiguous, cub's exclusive scan over the mask (each marked
    # element's place in source), then one kernel that reads mask, place, self and source and writes the output
    x, mask, source = op.inputs[0], op.inputs[1], op.inputs[2]
    out = op.outputs[0] if op.outputs else x
    flat = TensorMeta.dense(out.shape, "bool")
    places = TensorMeta.dense((out.numel,), "int64")
    ops: tuple[Op, ...] = ()
    if op.base == "masked_scatter":
        ops += lower_op(AtenOp("aten.clone.default", (x,), (TensorMeta.dense(out.shape, out.dtype),), {},
                               module=op.module))
    if mask.shape != out.shape or not mask.contiguous:
        ops += lower_op(AtenOp("aten.clone.default", (expanded(mask, out.shape),), (flat,), {}, module=op.module))
    # cub's mask_exclusive_sum reads the bools as they lie (no cast to int64 first, as a cumsum of them runs)
    ops += scan_kernel(AtenOp("aten.cumsum.default", (TensorMeta.dense((out.numel,), "bool"),), (places,), {"dim": 0},
                              module=op.module))
    read = nbytes(flat) + nbytes(places) + nbytes(out) + min(nbytes(source), nbytes(out))
    return (*ops, Pointwise(out.numel, read + nbytes(out), op.name, name=_name(op)))
