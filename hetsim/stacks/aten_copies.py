"""Copies as ATen runs them: clone / contiguous / copy_ (memcpy, contiguous, strided, transposing, expanding), cat and
stack (the batched cat kernel, or a copy an input), repeat, flip, repeat_interleave."""

from __future__ import annotations

import math

from hetsim.ops import Op, Pointwise
from hetsim.stacks.aten_casts import _to_copy
from hetsim.stacks.aten_shapes import (
    SECTOR_BYTES,
    _name,
    _sync,
    broadcast,
    iteration_stride,
    nbytes,
    reads_across,
    same_dense_layout,
    span_bytes,
    strided,
)
from hetsim.tracing.trace import AtenOp, TensorMeta


def _materialise(op: AtenOp) -> tuple[Op, ...]:
    # cat, clone of an expanded view (repeat_kv), contiguous: stored input read once, output written.
    # A copy out of a strided / broadcast view runs PyTorch's generic strided copy kernel, far below
    # the bandwidth of a contiguous one (`copy_strided`); contiguous inputs: `copy_cat`
    if op.base in ("cat", "stack") and op.outputs and not batched_cat(op) and sum(1 for t in op.inputs if t.numel) > 1:
        return _cat_by_copies(op)
    if op.base == "copy_" and cast_copy(op):
        # a copy_ between dense tensors of one layout and two dtypes (an fp32 master weight or gradient into its bf16
        # copy: FSDP's mixed precision, a ZeRO step's copy back) runs the cast kernel x.to(dtype) runs (Copy.cu's
        # direct_copy_kernel_cuda; copy_cat's rate priced them +33..+38 %, realcode-check38)
        src, out = op.inputs[-1], op.outputs[0]
        return _to_copy(AtenOp("aten._to_copy.default", (src,), (out,), {"dtype": out.dtype}, module=op.module))
    if op.base in ("copy_", "clone") and memcpy_copy(op):
        # a copy between dense tensors of one layout and dtype (Copy.cu copy_device_to_device: cudaMemcpyAsync, a
        # memcpy node in a graph; profiled: all 13 such copy_ cases of the checks, 0.8 us for 16 KB where the copy
        # kernels' floor said 1.4): `copy_memcpy`
        src, out = op.inputs[-1], op.outputs[0]
        return (Pointwise(out.numel, nbytes(src) + nbytes(out), op.name, "copy_memcpy", name=_name(op)),)
    if op.base == "repeat" and op.outputs and op.outputs[0].numel > op.inputs[0].numel:
        # Tensor.repeat (TensorShape.cpp): the input viewed expanded over the repeats and copied into the output by
        # the strided kernel (profiled: elementwise_kernel<128, 2> direct_copy; [1024, 1024] fp32 repeated (2, 2) ran
        # 12.9 us where copy_cat's rate said 4.4; the checks' repeats -26..-85 %): `copy_repeat`, its own key for
        # its host side too (the views repeat makes before its copy)
        return _one_pass(op, "copy_repeat")
    if op.base == "flip" and op.outputs:
        # torch.flip (flip_kernel_impl on index_elementwise_kernel): an offset per element through the flipped strides,
        # never vectorised (8 x 150 x 512 x 512 fp16 flipped on its last dim ran 743 us, ~1.7 TB/s, where copy_cat's
        # rate said 330): the strided copy
        return _one_pass(op, "copy_strided")
    if op.base == "copy_" and op.outputs and sparse_sectors(op.outputs[0]):
        # a copy into a view whose elements lie a sector or most of one apart (a column of a row-major table: 3 M
        # fp32 written 36 bytes apart): each write fills part of a sector, which the memory reads and writes back
        # whole (profiled, realcode-check28's Gaussian-splatting columns: 3 M elements in 73 us on an H100 and 52 on
        # an H200, ~64 bytes an element at either HBM's rate, where the tensors' 36 MB priced 18): the source's
        # sectors read, the output's read and written, by the strided copy kernel. The output's sectors are held
        # once (`reread`): where they and the source's fit the L2, a replay merges its writes there (1 M such writes
        # of 36 MB on the H200's 60 MB L2: 10.4 us, ~6.5 TB/s of sectors)
        out, src = op.outputs[0], op.inputs[-1]
        written = sector_bytes(out)
        return (Pointwise(out.numel, sector_bytes(src, iteration_stride(src, out)) + 2 * written, op.name,
                          "copy_strided", reread=written, name=_name(op)),)
    read = sum(nbytes(t) for t in op.inputs)
    write = sum(nbytes(t) for t in op.outputs)
    numel = max((t.numel for t in op.outputs), default=0)
    regime = "copy_strided" if any(strided(t) for t in op.inputs if t.numel) else "copy_cat"
    if regime == "copy_cat" and narrow_run_cat(op):
        # a batched cat of contiguous inputs some of which land in the output in runs narrower than its 16-byte
        # vectors (a stack of coordinates on the last dim, a cat of 3-wide rows): those are stored an element at a
        # time, each run begun at its own offset (profiled: a stack of nine 1 M fp32 vectors on the last dim ran 126
        # us, ~0.6 TB/s, priced 20 at copy_cat's rate; realcode-check21): `cat_unaligned`, the bytes or the narrow
        # inputs' work (an element stored and a run begun each: nine 1-wide runs a row ran ~140 G units a second,
        # 4-wide rows ~180 G), whichever binds. Wider runs that are no whole number of vectors (a 45-wide fp32 row,
        # 1501 bf16) also ran slower than copy_cat's rate, 1.3-2.3 TB/s: not modelled
        work = sum(t.numel + t.numel * t.itemsize // run for t, run in narrow_runs(op))
        return (Pointwise(work, read + write, op.name, "cat_unaligned", name=_name(op)),)
    if regime == "copy_cat" and dominated_cat(op):
        # a cat of contiguous inputs one of which holds the bytes (DynamicCache's append of one token): ATen's batched
        # cat gives each input 2 x SMs blocks, so that input has half the GPU's threads, enough for the HBM's rate but
        # not the L2's (replayed appends of 8-13 MB ran ~3 TB/s like 134 MB ones, where the L2 gain said 6: the checks
        # -25..-40 %); priced at copy_cat's rate without the L2 gain (hetsim.hardware.residency)
        regime = "cat_dominated"
    if regime == "copy_cat" and op.base in ("clone", "contiguous") and any(strided(t) for t in op.outputs if t.numel):
        # a contiguous input written into another layout (x.to(memory_format=torch.channels_last)): the strided copy
        # kernel, and a transposing one where the output's fastest dim is not the input's (profiled: 2 x 320 x 128 x
        # 128 fp16 into channels_last in 70 us, 0.6 TB/s, where the contiguous copy's price said 10)
        out = op.outputs[0]
        regime = "copy_transpose" if fastest_dim(out) != fastest_dim(op.inputs[0]) else "copy_strided"
    if regime == "copy_strided" and any(transposes(t) for t in op.inputs if t.numel):
        # the output's last dim is not the input's: neighbouring threads read elements a stride apart (a sector
        # each), where a copy that keeps the last dim (transpose(1, 2) of heads) reads its rows coalesced
        regime = "copy_transpose"
    if regime == "copy_strided" and one_input_cat(op):
        # ATen's batched cat kernel gives each input 2 x SMs blocks (Shape.cu's getCatGrid: "cating two tensors
        # fill[s] the entire grid"); with one non-empty input (DynamicCache's first update cats the empty cache
        # with the new transposed K) half the GPU copies it: ~0.7 TB/s against ~1.0 for two halves of the same
        # bytes (the aten sweep)
        regime = "cat_one_input"
    elif regime == "copy_strided" and batched_cat(op):
        # a cat of strided inputs (rotate_half's halves, transposed heads) runs the batched cat kernel unvectorised
        # (CatArrayBatchedCopy, an offset per element and input dim): ~1.5x slower than the strided copy of a
        # permute (the models' prefill rotate_half cats -35 % under copy_strided, profiled); five dims and more
        # copy each input by itself (_cat_by_copies)
        regime = "cat_strided"
        if dominated_cat(op):
            # one input holding the bytes (StreamingLLM's window of a cache beside its sinks): that input's 2 x SMs
            # blocks are half the GPU, and the unvectorised kernel is bound by its threads more than a vectorised copy
            # (the checks' such cats over 20 us ran -19 % median under cat_strided, fitted on cats of alike inputs):
            # its own key where fitted (cat-sweep)
            regime = "cat_strided_dominated"
    if regime not in ("copy_transpose", "cat_strided", "cat_strided_dominated", "cat_one_input") and any(
            broadcast(t) for t in op.inputs if t.numel):
        # an expanded input (repeat_kv's K/V heads): each stored element is read once and written n times, a
        # pattern the strided kernel runs faster than a transposing copy (the aten sweep's clones of expanded
        # caches: ~1.2 TB/s of bytes read + written, against ~0.8 for copy_transpose's): `copy_expand`
        # (an expanded view read across its last dim stays a transpose: GQA's k^T broadcast; a batched cat with an
        # expanded input, ViT's class token before its patches, runs the unvectorised batched kernel: `cat_strided`)
        regime = "copy_expand"
    lines = transposed_lines(op.inputs, op.outputs[0]) if regime == "copy_transpose" and op.outputs else 0
    return (Pointwise(numel, read + write, op.name, regime, lines=lines, name=_name(op)),)


WARP = 32
LINE_BYTES = 128
WARPS_SAMPLED = 8  # warps spread evenly through the copy whose loads are counted


def warp_lines(t: TensorMeta, out: TensorMeta) -> float:
    """The 128-byte lines a warp's 32 loads of `t` touch, on average over warps spread through a copy into `out`:
    TensorIterator hands neighbouring threads neighbouring outputs, in the output's stride order, so each load lands
    where `t`'s strides put that output (`t` aligned to `out` from the right, as broadcasting aligns it). A warp
    reading across `t`'s layout touches 32 lines; where `t`'s contiguous dim lies a few outputs away (a Swin window's
    channels, an RGB plane), a few."""
    rank = len(out.shape)
    strides = (0,) * (rank - len(t.stride)) + tuple(t.stride)
    dims = sorted((d for d in range(rank) if out.shape[d] > 1), key=lambda d: out.stride[d])  # fastest first
    sizes = [out.shape[d] for d in dims]
    steps = [strides[d] for d in dims]
    n = math.prod(sizes)
    if n == 0:
        return 0.0
    last = max(n - WARP, 0) // WARP
    starts = sorted({WARP * (last * i // max(WARPS_SAMPLED - 1, 1)) for i in range(WARPS_SAMPLED)})
    total = 0
    for start in starts:
        lines = set()
        for index in range(start, min(start + WARP, n)):
            offset = 0
            for size, step in zip(sizes, steps, strict=True):
                index, at = divmod(index, size)
                offset += at * step
            lines.add(offset * t.itemsize // LINE_BYTES)
        total += len(lines)
    return total / len(starts)


def transposed_lines(inputs, out: TensorMeta) -> int:
    """The lines a transposing copy's loads touch in all: each non-empty input's warps (warp_lines) over its
    elements, into its slice of the output (a cat's input: its own shape at the output's strides)."""
    def target(t: TensorMeta) -> TensorMeta:
        return TensorMeta(t.shape, out.stride, out.dtype) if len(t.shape) == len(out.shape) else out

    return round(sum(t.numel / WARP * warp_lines(t, target(t)) for t in inputs
                     if t.numel and len(t.shape) <= len(out.shape)))


def _cat_by_copies(op: AtenOp) -> tuple[Op, ...]:
    """A cat ATen's batched kernel does not take (over 4 dims, as a stack of 4-D rotary pairs makes, or mixed
    dtypes): cat_out_cuda copies each input into its narrow slice of the output, one copy kernel each. A slice along
    the outermost dim of size > 1 is contiguous (the contiguous copy where the input is); any other is strided,
    every element a stride apart: the strided copy (profiled: a stack of two 2 x 32 x 700 x 32 bf16 halves on the
    last dim ran two elementwise_kernel<128, 4> copies of 3.7 us each, priced 3.0 us as one contiguous copy:
    realcode-check13)."""
    out = op.outputs[0]
    outer = outer_cat(op)
    copies = []
    for t in op.inputs:
        if not t.numel:
            continue
        regime = "copy_cat" if outer and not strided(t) else "copy_strided"
        if regime == "copy_strided" and transposes(t):
            regime = "copy_transpose"
        elif regime == "copy_strided" and broadcast(t):
            regime = "copy_expand"
        lines = transposed_lines((t,), TensorMeta.dense(t.shape, out.dtype)) if regime == "copy_transpose" else 0
        written, partial, target = t.numel * out.itemsize, 0, slice_into(op, t)
        if not outer and (step := abs(iteration_stride(target, target))) > 1:
            # the input's elements land `step` apart in its slice (a stack on the last dim interleaves them): its
            # copy fills each 32-byte sector only in part, and beyond the L2 the memory reads the sectors and writes
            # them back whole, once a copy (profiled: a stack of two 1 x 12 x 8192 x 64 fp32 rotary halves on the
            # last dim ran two strided copies in 93 us, ~1.1 TB/s of the tensors' bytes, priced 46 at their bytes;
            # realcode-check8, -17, -32); where the L2 holds the sectors the writes merge there (16 MB stacks ran at
            # their own bytes' pace: residency.merged_share)
            partial = sector_bytes(target, step) if step * out.itemsize < SECTOR_BYTES else 0
        # a source read a few elements apart (x[..., 1::2], rotary's odd halves) loads its sectors whole
        read = span_bytes(t, iteration_stride(t, TensorMeta.dense(t.shape, t.dtype)))
        # the L2 merges the writes only while it holds the output's sectors with the source streaming beside them
        copies.append(Pointwise(t.numel, read + written, op.name, regime, lines=lines, name=_name(op),
                                sector_span=partial + read if partial else 0,
                                sector_extra=max(0, 2 * partial - written)))
    return tuple(copies)


def slice_into(op: AtenOp, t: TensorMeta) -> TensorMeta:
    """The slice of a cat's (or stack's) output that input `t` is copied into: its shape at the output's strides (a
    stack's without the dim it adds)."""
    out = op.outputs[0]
    stride = out.stride
    if op.base == "stack" and len(out.shape) == len(t.shape) + 1:
        dim = cat_dim(op)
        stride = stride[:dim] + stride[dim + 1:]
    return TensorMeta(t.shape, tuple(stride), out.dtype)


def sparse_sectors(t: TensorMeta) -> bool:
    """Whether `t`'s neighbouring elements (along its fastest dim, iteration_stride) lie more than half a 32-byte sector
    apart: nearly each in a sector of its own, which a write fills only in part."""
    return abs(iteration_stride(t, t)) * t.itemsize > SECTOR_BYTES // 2


def sector_bytes(t: TensorMeta, step: int | None = None) -> int:
    """The bytes of the 32-byte sectors `t`'s elements touch, stepping `step` elements (default: along its own fastest
    dim): a sector an element at a sector's stride or more (reads_across), else span_bytes (the span between them
    inside a sector, the elements' own bytes where they are packed or broadcast)."""
    step = iteration_stride(t, t) if step is None else step
    return t.numel * SECTOR_BYTES if reads_across(t, step) else span_bytes(t, step)


def fastest_dim(t: TensorMeta) -> int | None:
    """The dim of size > 1 that `t` steps through with stride 1 (None: none has)."""
    return next((d for d, (size, stride) in enumerate(zip(t.shape, t.stride, strict=True)) if size > 1 and stride == 1),
                None)


def transposes(t: TensorMeta) -> bool:
    """Whether a copy of `t` into a contiguous tensor reads across its stride: its last dim of size > 1 (the
    output's fastest) has a stride other than 1 (0, a broadcast, is read once and cached) that puts neighbouring
    elements in different 32-byte sectors. A short stride (x[..., 1::2], the real halves of rotary pairs) keeps
    neighbouring threads' reads in a sector or two: the strided copy, not a transpose's sector per element."""
    return reads_across(t, iteration_stride(t, TensorMeta.dense(t.shape, t.dtype)))


def batched_cat(op: AtenOp) -> bool:
    """Whether a cat (or stack) runs ATen's batched cat kernel (Shape.cu's parallel_cat: <= 4 dims, one dtype)."""
    return (op.base in ("cat", "stack") and bool(op.outputs) and len(op.outputs[0].shape) <= CAT_MAX_DIMS
            and len({t.dtype for t in op.inputs}) == 1)


def cat_dim(op: AtenOp) -> int:
    """The output dim a cat (or stack) joins its inputs along, counted from the front."""
    return op.args.get("dim", 0) % max(len(op.outputs[0].shape), 1)


def outer_cat(op: AtenOp) -> bool:
    """Whether a cat joins along its outermost dim of size > 1: each input lands in the output as one run."""
    return all(size == 1 for size in op.outputs[0].shape[:cat_dim(op)])


def narrow_runs(op: AtenOp) -> list[tuple[TensorMeta, int]]:
    """Each non-empty input of a cat that lands in the output in runs narrower than the batched kernel's vectors, with
    its run's bytes (its elements from the cat dim inward; a stack cats its inputs unsqueezed at `dim`, one of the
    output's dims more, so a run is one slice of theirs); none for a cat along the outermost dim."""
    if outer_cat(op):
        return []
    dim = cat_dim(op)
    runs = ((t, math.prod(t.shape[dim:]) * t.itemsize) for t in op.inputs if t.numel)
    return [(t, run) for t, run in runs if run < CAT_VECTOR_BYTES]


def narrow_run_cat(op: AtenOp) -> bool:
    """Whether a batched cat (several non-empty inputs) writes some input in runs narrower than its vectors."""
    return batched_cat(op) and sum(1 for t in op.inputs if t.numel) > 1 and bool(narrow_runs(op))


CAT_VECTOR_BYTES = 16  # the batched cat kernel's vector stores (Shape.cu's ALIGNED_VEC_LOAD_BYTES)


def dominated_cat(op: AtenOp) -> bool:
    """Whether a batched cat (several non-empty inputs) copies mostly one input: it holds at least DOMINANT_SHARE of
    the bytes."""
    sizes = [nbytes(t) for t in op.inputs if t.numel]
    return batched_cat(op) and len(sizes) > 1 and max(sizes) >= DOMINANT_SHARE * sum(sizes)


DOMINANT_SHARE = 0.75  # three quarters of a cat's bytes in one input: that input's half grid sets the pace


def one_input_cat(op: AtenOp) -> bool:
    """Whether a cat (or stack, a cat of unsqueezed inputs) runs ATen's batched cat kernel (Shape.cu's
    parallel_cat: <= 4 dims, one dtype; empty inputs count as inputs and are skipped inside) with a single
    non-empty input to copy."""
    return batched_cat(op) and len(op.inputs) > 1 and sum(1 for t in op.inputs if t.numel) == 1


CAT_MAX_DIMS = 4  # Shape.cu's CAT_ARRAY_MAX_INPUT_DIMS


def memcpy_copy(op: AtenOp) -> bool:
    """Whether a copy_ / clone runs as one cudaMemcpyAsync: source and destination dense in one layout, of one dtype
    and shape (Copy.cu's memcpy_eligible: the same type and a contiguous iteration)."""
    return _dense_pair(op) and op.inputs[-1].dtype == op.outputs[0].dtype


def cast_copy(op: AtenOp) -> bool:
    """Whether a copy_ converts between dtypes over dense tensors of one shape and layout (no broadcast)."""
    return _dense_pair(op) and op.inputs[-1].dtype != op.outputs[0].dtype


def _dense_pair(op: AtenOp) -> bool:
    """Whether a copy's source (its last input) and destination are dense in one layout and shape, the source neither
    empty nor broadcast: the copies memcpy_copy and cast_copy tell apart by dtype."""
    if not op.inputs or not op.outputs:
        return False
    src, out = op.inputs[-1], op.outputs[0]
    return (src.numel > 0 and tuple(src.shape) == tuple(out.shape) and not broadcast(src)
            and same_dense_layout(src, out))


def _dense_copy(t: TensorMeta, op: AtenOp) -> tuple[Op, ...]:
    """`t` copied into a new dense tensor of its shape and dtype inside `op` (a clone or .contiguous() ATen makes
    before the kernel: the copy kernel `_materialise` picks for its layout)."""
    return _materialise(AtenOp("aten.clone.default", (t,), (TensorMeta.dense(t.shape, t.dtype),), {},
                               module=op.module))


def _repeat_interleave(op: AtenOp) -> tuple[Op, ...]:
    # repeats given as a tensor: the output's length is their sum, read on the host (a sync) unless output_size
    # names it
    ops = _materialise(op)
    # repeat_interleave.Tensor(repeats) (what self_Tensor decomposes into); a tracer on fake tensors cannot record
    # it without output_size (the size is data), another recorder may
    if op.inputs and op.inputs[0].dtype in ("int64", "int32") and op.args.get("output_size") is None:
        return (*ops, _sync(op))
    return ops


def _packed_copy(op: AtenOp) -> tuple[Op, ...]:
    """FSDP2's packing copies, each one vectorised kernel over contiguous tensors that reads its sources once and writes
    its outputs: split_with_sizes_copy (the all-gather's output copied out into each parameter: TensorShape.cu's
    split_with_sizes_copy_out_contiguous_no_cast) and _chunk_cat (the gradients' chunks interleaved into the
    reduce-scatter's input: _chunk_cat_out_cuda_contiguous). Their out= tensors come as arguments (`.out`): a split's
    outputs after its source, a chunk cat's output last. Priced as the contiguous batched cat, `copy_cat` (the aten
    table priced them by the datasheet's roofline before: +90 % and +180 % on an H100, realcode-check38)."""
    if op.base == "_chunk_cat":
        sources = op.inputs[:-1] if op.name.endswith(".out") and op.outputs else op.inputs
        written = op.outputs
    else:
        sources, written = op.inputs[:1], op.outputs or op.inputs[1:]
    numel = sum(t.numel for t in written)
    return (Pointwise(numel, sum(nbytes(t) for t in sources) + sum(nbytes(t) for t in written), op.name, "copy_cat",
                      name=_name(op)),)


def _one_pass(op: AtenOp, regime: str) -> tuple[Op, ...]:
    """One kernel that reads the op's first input once and writes its output, an element at a time (`regime`)."""
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, regime, name=_name(op)),)
