"""Each traced aten op as the kernel PyTorch dispatches for it on a GPU, in hetsim's op vocabulary.

One table, `MAPPING`, says for every aten op which regime prices it (the rate key a calibration
profile fits) and how its shapes become a hetsim op; `TABLE` is the same as rows for people (the
README and `hetsim stacks --ops` print it). The GPU model (hetsim/hardware/gpu.py) prices the ops:
a regime the profile fitted uses the fitted rates; any other by roofline from the datasheet,
marked `assumed` under the aten op's name in the run's provenance.

Attention is not read from the trace's CPU op: the SDPA call's arguments (hetsim/tracing/sdpa.py)
decide the CUDA backend as PyTorch does, and the call becomes one fused kernel (cuDNN, flash,
memory-efficient) or the math path's chain of ops. No torch here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace

from hetsim.hardware.launch import ACCUMULATE_BYTES, WARP, tiled, waves
from hetsim.hardware.sorting import sort_kernels
from hetsim.ops import (
    INDEX_BYTES,
    AxisReduction,
    Convolution,
    Copy,
    Gather,
    HostCall,
    Materialise,
    Matmul,
    Op,
    Pointwise,
    SdpaAttention,
    Softmax,
    TopK,
)
from hetsim.tracing.classify import ELEMENTWISE, VIEW
from hetsim.tracing.trace import AtenOp, SdpaCall, TensorMeta

DTYPES = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "float8_e4m3fn": "fp8", "int64": "int64",
          "int32": "int32", "int8": "int8", "int16": "int16", "bool": "int8", "uint8": "int8"}  # a bool is a byte


def _sync(op: AtenOp) -> HostCall:
    """The host waiting for the GPU after `op` (a blocking copy, or a count the host must read)."""
    return HostCall("sync", op.name, name="sync:" + _name(op))


def _nonzero_of(op: AtenOp, mask: TensorMeta, found: int) -> tuple[Op, ...]:
    """torch.nonzero over `mask` inside `op` (its `found` indices written): cub's select, then the count copied
    to the host, which waits for everything issued before (a sync)."""
    return (Pointwise(mask.numel, nbytes(mask) + INDEX_BYTES * found, op.name, "select", name=_name(op) + ":nonzero"),
            _sync(op))


def hdtype(t: TensorMeta) -> str:
    if t.dtype.startswith("float8"):
        return "fp8"  # e4m3fn, e5m2 and their fnuz forms: one byte
    return DTYPES.get(t.dtype, "fp32")


def nbytes(t: TensorMeta) -> int:
    """Bytes stored: a broadcast (stride-0) dimension once."""
    return t.stored_numel * t.itemsize


nbytes_of = nbytes


def _name(op: AtenOp) -> str:
    return op.base


# ------------------------------------------------------------------------------------- handlers
def _mm(op: AtenOp) -> tuple[Op, ...]:
    # F.linear's weight arrives transposed (t(): strides (1, k)), the layout cuBLAS runs as "TN", which
    # is how the profiles' matmul class was measured; a skinny m (decode) is memory bound in the same fit.
    # torch._scaled_mm (cuBLASLt's fp8 GEMM: A row-major, B column-major, per-tensor or row-wise scales) is an fp8
    # Matmul (its own key `matmul_fp8` where fitted, else the bf16 GEMM's efficiency at the spec's fp8 peak); its
    # bytes count the bf16 / fp32 output at one byte and leave out a bias and row-wise scales (a few % of a small GEMM)
    # The op keeps its aten name: PyTorch's product is cuBLAS's, whose heuristic may split the contraction
    # (gpu.rate_keys: matmul_splitk), where a hand formula's product (a serving engine's own GEMM) does not.
    a, b = (op.inputs[1], op.inputs[2]) if op.base == "addmm" else (op.inputs[0], op.inputs[1])
    m, k = a.shape
    return (Matmul(m, b.shape[1], k, dtype=hdtype(a), aten=op.name, name=_name(op)),)


def _mv(op: AtenOp) -> tuple[Op, ...]:
    # a matrix times a vector (mv, addmv: cuBLAS gemv): the matrix read once, memory-bound
    a = op.inputs[1] if op.base.startswith("addmv") else op.inputs[0]
    m, k = a.shape
    return (Matmul(m, 1, k, dtype=hdtype(a), aten=op.name, name=_name(op)),)


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


def _row_split(dest: TensorMeta, dim: int) -> tuple[int, int]:
    """(rows, elements per row) of `dest` cut at `dim`: an index along `dim` addresses whole rows."""
    row = 1
    for s in dest.shape[dim + 1:]:
        row *= s
    return dest.numel // max(row, 1), row


def _embedding(op: AtenOp) -> tuple[Op, ...]:
    weight, idx = op.inputs[0], op.inputs[1]
    # nn.Embedding's kernel (embedding -> index_select inside ATen), its own regime `embedding` where fitted; more
    # lookups than the table's rows (a token-type or position table) read each row once (Gather's fan-out).
    # nn.EmbeddingBag alike, a row a lookup (EmbeddingBag_updateOutputKernel_sum_mean, a warp a bag walking its rows,
    # profiled on an H200, realcode-check19: 245,760 rows of 512 B in 54.5 us, ~2.3 TB/s): its aten name keeps it off
    # nn.Embedding's cost an index (gpu.ROW_INDEX_GATHERS), the bags' sums written once
    return (Gather(idx.numel, weight.shape[1] * weight.itemsize, weight.shape[0], aten=op.name, name=_name(op)),)


def _glu(op: AtenOp) -> tuple[Op, ...]:
    # F.glu(x, dim) (GluKernel: a * sigmoid(b) over the two halves of `dim`): one elementwise kernel reading both
    # halves as views of x (strided unless dim is the outermost) and writing the half-size output, a sigmoid a element
    x, out = op.inputs[0], op.outputs[0]
    dim = int(op.args.get("dim", -1)) % len(x.shape)
    halves = tuple(TensorMeta(out.shape, x.stride, x.dtype, view=True, contiguous=dim == 0 and not strided(x))
                   for _ in range(2))
    return _pointwise(replace(op, inputs=halves))


def _index_fill(op: AtenOp) -> tuple[Op, ...]:
    # index_fill_(dim, index, value): the selected slices written through the strided kernel (index_fill_kernel), the
    # index read; nothing else of the tensor moves (out of place: the tensor cloned first)
    x, index = op.inputs[0], op.inputs[1]
    dim = int(op.args.get("dim", 0)) % max(len(x.shape), 1)
    touched = index.numel * (x.numel // max(x.shape[dim], 1)) if x.shape else 1
    fill = Pointwise(touched, touched * x.itemsize + nbytes(index), op.name, "pointwise_broadcast", operands=2,
                     name=_name(op))
    return (fill,) if op.base.endswith("_") else (*_dense_copy(x, op), fill)


def _edge_pad(op: AtenOp) -> tuple[Op, ...]:
    # reflection_pad1d / 2d (ReflectionPad.cu) and replication_pad1d / 2d: a thread an output element computing its
    # mirrored or clamped source, the input read and the output written element by element: ATen's strided copy's
    # pace
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, "copy_strided", name=_name(op)),)


def _index_copy(op: AtenOp) -> tuple[Op, ...]:
    # index_copy_(dim): each index writes one slice of the destination (rows of the trailing dims):
    # the source and the indices read, the rows written; its own regime (`index_copy`), priced as a
    # row gather (index_select) where a profile has not fitted it
    index, src = op.inputs[1], op.inputs[-1]
    nbytes = 2 * nbytes_of(src) + nbytes_of(index)
    return (Pointwise(src.numel, nbytes, op.name, "index_copy", name=_name(op)),)


def _index_select(op: AtenOp) -> tuple[Op, ...]:
    src = op.inputs[0]
    dim = op.args.get("dim", 0) % len(src.shape)
    source_rows, row = _row_split(src, dim)
    rows = op.outputs[0].numel // max(row, 1)
    # named: <= 16 indices run ATen's small-index kernel (hetsim.hardware.gpu: `gather_few`)
    return (Gather(rows, row * src.itemsize, source_rows, aten=op.name, name=_name(op)),)


def broadcast(t: TensorMeta) -> bool:
    """Whether `t` is a broadcast view: a dimension of size > 1 with stride 0 (an expand)."""
    return any(st == 0 and sz > 1 for sz, st in zip(t.shape, t.stride, strict=True))


def strided(t: TensorMeta) -> bool:
    """Whether a copy must gather `t` element by element: a broadcast (stride 0) or otherwise
    non-contiguous layout (repeat_kv's expanded cache, rotate_half's sliced halves)."""
    if not t.contiguous or broadcast(t):
        return True
    want = 1
    for size, stride in zip(reversed(t.shape), reversed(t.stride), strict=True):
        if size > 1 and stride != want:
            return True
        want *= size
    return False


def _materialise(op: AtenOp) -> tuple[Op, ...]:
    # cat, clone of an expanded view (repeat_kv), contiguous: stored input read once, output written.
    # A copy out of a strided / broadcast view runs PyTorch's generic strided copy kernel, far below
    # the bandwidth of a contiguous one (`copy_strided`); contiguous inputs: `copy_cat`
    if op.base in ("cat", "stack") and op.outputs and not batched_cat(op) and sum(1 for t in op.inputs if t.numel) > 1:
        return _cat_by_copies(op)
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
    if regime not in ("copy_transpose", "cat_strided", "cat_one_input") and any(broadcast(t) for t in op.inputs
                                                                                if t.numel):
        # an expanded input (repeat_kv's K/V heads): each stored element is read once and written n times, a
        # pattern the strided kernel runs faster than a transposing copy (the aten sweep's clones of expanded
        # caches: ~1.2 TB/s of bytes read + written, against ~0.8 for copy_transpose's): `copy_expand`
        # (an expanded view read across its last dim stays a transpose: GQA's k^T broadcast; a batched cat with an
        # expanded input, ViT's class token before its patches, runs the unvectorised batched kernel: `cat_strided`)
        regime = "copy_expand"
    return (Pointwise(numel, read + write, op.name, regime, name=_name(op)),)


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
        copies.append(Pointwise(t.numel, nbytes(t) + t.numel * out.itemsize, op.name, regime, name=_name(op)))
    return tuple(copies)


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


SECTOR_BYTES = 32  # a global load's sector: reads closer than this share one


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


def _to_copy(op: AtenOp) -> tuple[Op, ...]:
    src, out = op.inputs[0], op.outputs[0]
    if "device" in op.args and src.dtype == out.dtype:
        # a host tensor moved to the GPU (StaticCache's position counter on its first update): from
        # pageable memory and not non_blocking, so the copy synchronises the stream: the host waits
        # there until the GPU has run everything issued before (hetsim.hardware.gpu: a sync)
        ops: tuple[Op, ...] = (Copy(nbytes(out), "h2d", name=_name(op)),)
        return ops if op.args.get("non_blocking") else (*ops, _sync(op))
    # a cast: an elementwise kernel at each side's width, its own regime (RMSNorm's fp32 chain); a cast up to
    # fp32 from another dtype runs about half as fast as one down from it (measured: the aten sweep); a cast to
    # or from float8 runs ATen's float8 copy kernel (Copy.cu; c10's bit-level Float8_e4m3fn conversion), its own
    # regime: up from float8 (`cast_from_fp8`) measured ~3x slower than down to it (`cast_fp8`) (the aten sweep)
    read = sum(nbytes(t) for t in op.inputs)
    if "float8" in src.dtype:
        regime = "cast_from_fp8"
    elif "float8" in out.dtype:
        regime = "cast_fp8"
    elif src.dtype in INTEGER_DTYPES and out.dtype in INTEGER_DTYPES and "int64" not in (src.dtype, out.dtype):
        # between narrower integers (GPTQ's int32 words to int8, masks to int32): its own regime where fitted
        # (int32 to int8 ran ~2.6 TB/s of bytes on an H200 where a float cast's rate says ~4: realcode-more8)
        regime = "cast_int"
    elif "bool" in (src.dtype, out.dtype) and "int64" not in (src.dtype, out.dtype):
        # to or from bool (a mask to int32 positions or fp32 weights, scores to a keep mask): Copy.cu's dynamic-casting
        # unrolled kernel, ~0.36 G elements a ms on an H200 whatever the other width (profiled: realcode-more10)
        regime = "cast_bool"
    elif "int64" in (src.dtype, out.dtype):
        # to or from int64 (a mask or an index to long, positions to fp32): its own regime where fitted, ~2.4 us for a
        # few thousand elements on an H200 against ~1.2 for a float cast (the real-code checks)
        regime = "cast_int64"
    elif {src.dtype, out.dtype} == {"float16", "bfloat16"} or src.dtype in BYTE_INTS or out.dtype in BYTE_INTS:
        # Copy.cu vectorises a cast only down from fp32 to fp16 / bf16; between the two 16-bit floats and from or to
        # a byte-wide integer (a packed weight's nibbles to int8, int8 to bf16) it runs the unrolled dynamic-casting
        # kernel cast_bool times, an element rate (profiled: ~0.39 G elements a ms into 16 bits, ~0.64 byte to byte,
        # where the bytes said 2-3x faster: realcode-more12)
        regime = "cast_unrolled"
    else:
        regime = "cast_fp32" if out.dtype == "float32" and src.dtype != "float32" else "cast"
    if "float8" not in regime and (broadcast(src) or not same_dense_layout(src, out)):
        # a cast out of an expanded or gapped view (a position row broadcast over heads, then .long()): TensorIterator
        # cannot walk both sides as one dense run, so it takes the strided kernel with a cast per load and store
        # (elementwise_kernel<128, 4>; the rule agrees with all 335 profiled casts: 15 strided, 320 not), as a binary
        # of mixed dtypes over strided operands does: `pointwise_strided_cast`
        return (Pointwise(out.numel, read + nbytes(out), op.name, "pointwise_strided_cast", operands=2,
                          dims=iteration_dims(op, out), name=_name(op)),)
    return (Pointwise(out.numel, read + nbytes(out), op.name, regime, name=_name(op)),)


INTEGER_DTYPES = frozenset({"int8", "uint8", "int16", "int32", "int64"})
BYTE_INTS = frozenset({"int8", "uint8"})


def broadcasts(op: AtenOp, out: TensorMeta) -> bool:
    """Whether an elementwise op reads an input through a broadcast or a non-contiguous layout:
    TensorIterator's strided kernel, not the contiguous vectorised one. A one-element tensor broadcast over a larger
    output is such an input (stride 0 along the output: a mask's `cache_position <= position`), a 0-dim one too: a
    Python number reaches the trace as a plain argument, never as a tensor, so a traced 0-dim tensor is a buffer or a
    reduction's result, on the GPU where the model runs (a fake CPU trace cannot tell; a CPU tensor is rare in model
    code), and ATen lifts only CPU scalars into a kernel's arguments (gpu_kernel_with_scalars). Profiled: a div by a
    0-d scale over 16 M elements ran elementwise_kernel<128, 4> in 41 us where the vectorised kernel takes 17;
    torch.where's 0-dim value likewise (realcode-check11, -check13). Operands all dense in one layout, permuted or not
    (two transposed views of the same heads), coalesce to one contiguous dim (TensorIterator reorders and coalesces
    the dims): the vectorised kernel (profiled: realcode-more7's transposed adds)."""
    return any((t.numel > 1 or out.numel > 1) and not same_dense_layout(t, out) for t in op.inputs)


def iteration_stride(t: TensorMeta, out: TensorMeta) -> int:
    """The stride `t` steps by along the output's fastest dim (its smallest stride of size > 1): TensorIterator orders
    the dims by the output's strides, so neighbouring threads take neighbouring outputs. 0: a broadcast, 1: coalesced;
    `t` aligned to the output from the right (broadcasting's rule)."""
    dims = [(abs(stride), d) for d, (size, stride) in enumerate(zip(out.shape, out.stride, strict=True)) if size > 1]
    if not dims:
        return 1
    d = min(dims)[1] - (len(out.shape) - len(t.shape))
    return 0 if d < 0 or t.shape[d] == 1 else t.stride[d]


def iteration_dims(op: AtenOp, out: TensorMeta) -> int:
    """The dims TensorIterator's strided kernel walks after it merges what it can (TensorIterator::coalesce_dimensions):
    the output's dims of size > 1, ordered by its strides, fastest first, each merged into the one before where every
    operand (the inputs broadcast to the output, a broadcast dim's stride 0) steps through the pair as through one dim.
    The kernel's OffsetCalculator divides the element's index by each such dim for every operand's offset."""
    ranked = sorted((abs(st), d) for d, (size, st) in enumerate(zip(out.shape, out.stride, strict=True)) if size > 1)
    strides = []
    for t in (out, *op.inputs):
        lead = len(out.shape) - len(t.shape)
        strides.append([0 if d < lead or t.shape[d - lead] == 1 else t.stride[d - lead] for d in range(len(out.shape))])
    dims = 0
    prev = None
    for _, d in ranked:
        if prev is None or not all(st[d] == st[prev] * out.shape[prev] for st in strides):
            dims += 1
        prev = d
    return dims


def span_bytes(t: TensorMeta, step: int) -> int:
    """Bytes an elementwise kernel loads for input `t` stepping `step` elements along the output's fastest dim
    (iteration_stride): its own, or the span it covers where it steps 2 or more elements apart inside a 32-byte sector
    (the sectors are read whole)."""
    step = abs(step)
    return nbytes(t) * step if 1 < step and step * t.itemsize < SECTOR_BYTES else nbytes(t)


def reads_across(t: TensorMeta, step: int) -> bool:
    """Whether input `t`, stepping `step` elements along the output's fastest dim, puts neighbouring threads' elements
    a 32-byte sector or more apart (read across its layout: a sector each)."""
    return t.numel > 1 and abs(step) * t.itemsize >= SECTOR_BYTES


def operands(op: AtenOp) -> int:
    """Tensors an elementwise kernel addresses per element: the output and each input."""
    return 1 + len(op.inputs)


def memcpy_copy(op: AtenOp) -> bool:
    """Whether a copy_ / clone runs as one cudaMemcpyAsync: source and destination dense in one layout, of one dtype
    and shape (Copy.cu's memcpy_eligible: the same type and a contiguous iteration)."""
    if not op.inputs or not op.outputs:
        return False
    src, out = op.inputs[-1], op.outputs[0]
    return (src.numel > 0 and src.dtype == out.dtype and tuple(src.shape) == tuple(out.shape)
            and not broadcast(src) and same_dense_layout(src, out))


def same_dense_layout(t: TensorMeta, out: TensorMeta) -> bool:
    """Whether `t` and `out` step through one dense (non-overlapping, gap-free) layout: the same sizes and strides on
    every dim of size > 1, the strides a permutation of a contiguous tensor's."""
    dims = [(size, stride) for size, stride in zip(out.shape, out.stride, strict=True) if size > 1]
    if [(size, stride) for size, stride in zip(t.shape, t.stride, strict=True) if size > 1] != dims:
        return False
    want = 1
    for stride, size in sorted((stride, size) for size, stride in dims):
        if stride != want:
            return False
        want *= size
    return True


def casts(op: AtenOp, out: TensorMeta) -> bool:
    """Whether an elementwise kernel converts between dtypes as it loads or stores (CUDALoops.cuh's dynamic
    casting: LoadWithCast / StoreWithCast, never vectorised): its tensor operands in more than one dtype, a
    comparison's bool output and a bool condition or mask aside (their functors take them as they are); a 0-dim
    input counts (a GPU tensor, `broadcasts`: its kernel casts its loads)."""
    values = list(op.inputs)
    if op.base.rstrip("_") in MASKED:
        values = [t for t in values if t.dtype != "bool"]  # where's condition, masked_fill's mask
    dtypes = {t.dtype for t in values}
    if op.base.rstrip("_") not in COMPARISONS:
        dtypes.add(out.dtype)
    return len(dtypes) > 1


MASKED = frozenset({"where", "masked_fill"})  # a bool condition or mask beside values of the result's dtype
COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
                         "logical_not", "isnan", "isinf", "isfinite", "signbit"})


def _pointwise(op: AtenOp) -> tuple[Op, ...]:
    out = op.outputs[0] if op.outputs else (op.inputs[0] if op.inputs else None)
    if out is None:
        return ()
    if op.name == "aten.pow.Scalar" and op.inputs:
        # torch.pow(number, tensor) (Pow.cpp pow_Scalar_out): the number stored into a 0-dim GPU tensor (a double, a
        # long for an integer), then the tensor-tensor pow with it broadcast (profiled on an H200, realcode-check20:
        # FillFunctor 0.75 us, then pow_tensor_tensor_kernel's unvectorised kernel 1.6 us); a base of 1 is a fill
        if op.args.get("self") == 1:
            return (_stores(out, op.name, _name(op)),)
        base = TensorMeta((), (), "int64" if isinstance(op.args.get("self"), int) else "float64")
        power = _pointwise(replace(op, name="aten.pow.Tensor_Tensor", inputs=(base, *op.inputs), args={}))
        return (_stores(base, op.name, _name(op)), *(replace(o, aten=op.name) for o in power))
    if stores_only(op, out):
        # a factory or a dense fill that loads nothing (FillFunctor's vectorised kernel, 16-byte stores; arange's
        # elementwise_kernel_with_index): no load to wait on, so a few elements run ~0.7 us of kernel where a kernel
        # that loads first runs ~1 (profiled on an H200, the checks: ~0.95-1.05 us a CUDA-graph replay, priced 1.2 by
        # the loading kernels' floor); 16-bit fills bind on their stores' count (~1.6 G elements a ms), wider ones on
        # their bytes; arange's index kernel runs far below both (151,552 int64 in 2.2 us): keys of their own
        return (_stores(out, op.name, _name(op), "pointwise_arange" if op.base == "arange" else "pointwise_fill"),)
    if op.base in FILLS:
        # ones_like / zeros_like / full_like take a tensor for its shape only: ATen's fill kernel writes the output
        # (FillFunctor, vectorised; profiled: realcode-more9), whatever the input's dtype
        narrow = out.itemsize == 1
        return (Pointwise(out.numel, nbytes(out), op.name, "pointwise_narrow" if narrow else "elementwise",
                          operands=1 if narrow else 0, name=_name(op)),)
    if op.base in ("fill_", "zero_") and not same_dense_layout(out, out):
        # a fill of a strided view (logits[:, banned] = -inf's rows, a mask's column): the value (a 0-dim tensor,
        # fill_.Tensor, goes through copy_) stored through the strided kernel, nothing loaded per element: a store-only
        # kernel's latency, ~1.2-1.3 us for tens of elements on an H200 where the strided binary's fitted floor says
        # 1.8 (profiled: elementwise_kernel<128, 4> of direct_copy, realcode-check15; six checks alike)
        return (Pointwise(out.numel, nbytes(out), op.name, "elementwise", operands=0, name=_name(op)),)
    if op.base.rstrip("_") == "where" and casts(op, out):
        # torch.where of two dtypes casts the other value to the result's dtype first (where_self_out's .to: a
        # cast kernel, then where on one dtype; profiled: realcode-more7)
        ops: tuple[Op, ...] = ()
        inputs = [op.inputs[0]]
        for t in op.inputs[1:]:
            if t.dtype != out.dtype:  # a 0-dim value too (where_self_out's .to takes every tensor)
                cast = replace(t, dtype=out.dtype)  # .to keeps a dense layout's strides
                ops += _to_copy(AtenOp("aten._to_copy.default", (t,), (cast,), {}, module=op.module))
                t = cast
            inputs.append(t)
        return (*ops, *_pointwise(replace(op, inputs=tuple(inputs))))
    read = sum(nbytes(t) for t in op.inputs)
    write = nbytes(out)
    mixed = casts(op, out)
    if broadcasts(op, out):
        # an operand stepping a few elements apart along the output's fastest dim (x[..., ::2], GeGLU's and GPT-J
        # rotary's interleaved halves) loads every sector it spans, the skipped elements too: its bytes are its span
        # (GeGLU's clamp over 4 x 1024 x 14336 bf16 halves read at stride 2 ran 154 us, ~2.3 TB/s of span where the
        # strided kernel streams ~2.6; priced from the halves' own bytes it was 92: realcode-check15)
        steps = [iteration_stride(t, out) for t in op.inputs]
        read = sum(span_bytes(t, step) for t, step in zip(op.inputs, steps, strict=True))
        # rotary's cos * q, RMSNorm's weight * x: TensorIterator's strided kernel, its own regime where fitted; its
        # per-element work (an offset and a load or store per operand) grows with the operands: torch.where's four
        # (out, cond, a, b) against a binary's three. Operands of mixed dtypes add a cast per load and store
        # (`pointwise_strided_cast`: fp32 weights times bf16 states ran ~1.6x the same-dtype kernel's price)
        count = operands(op)
        if op.base.rstrip("_") in MATH_OPS:
            # an activation's math per element (GELU's erf, SiLU's exp, in fp32) costs what one more operand's offset
            # and access does: GELU over a sliced half of 4096 x 32768 bf16 ran 101 us, priced 56 as a unary
            # (realcode-more7); SwiGLU's and GeGLU's activation and product over the same halves ran alike
            count += 1
        regime = "pointwise_strided_cast" if mixed else "pointwise_broadcast"
        if not mixed and any(reads_across(t, step) for t, step in zip(op.inputs, steps, strict=True)):
            # an operand read across its layout (x + y.mT, an in-place op on a permuted view): neighbouring threads
            # load elements a sector or more apart, a sector each, as a transposing copy does (an add of a
            # transposed 4096 x 4096 bf16 ran 129 us where the strided binary's rate says 40: realcode-check12):
            # its own regime where fitted
            regime = "pointwise_transpose"
        return (Pointwise(out.numel, read + write, op.name, regime, operands=count, dims=iteration_dims(op, out),
                          name=_name(op)),)
    if mixed:
        # contiguous operands of mixed dtypes (fp32 residuals plus bf16 states, `1.0 - mask` of an int64 mask):
        # TensorIterator's unrolled kernel with a cast per load and store, never vectorised (profiled:
        # unrolled_elementwise_kernel, ~2.6 TB/s where the vectorised kernel streams ~4): `pointwise_cast`
        return (Pointwise(out.numel, read + write, op.name, "pointwise_cast", name=_name(op)),)
    if max([t.itemsize for t in op.inputs if t.shape] + [out.itemsize]) == 1:
        # every operand one byte wide (a bool mask's logic, uint8 unpacking: w >> 4, w & 15): the vectorised kernel
        # loads 4 elements at a time (vectorized_elementwise_kernel<4, ...>, profiled: realcode-more9), 4-byte loads,
        # so its elements, not its bytes, set the pace: an element rate per operand (uint8 shifts over 16-96 M
        # elements ran ~1.5 T elements/s, ~3 TB/s of bytes)
        return (Pointwise(out.numel, read + write, op.name, "pointwise_narrow", operands=operands(op),
                          name=_name(op)),)
    if op.base.rstrip("_") in INTEGER_DIVISIONS and out.dtype == "int64":
        # int64 floor division and remainder (a flat top-k index back to its row and column): a long software
        # division per element, so a thread's few elements cost ~1 us more than a plain kernel's whatever the size
        # (2.2-2.7 us from 3,000 to 262,144 elements on an H200, the bytes' rate beyond; realcode-more9, the checks):
        # its own regime where fitted
        return (Pointwise(out.numel, read + write, op.name, "pointwise_int_div", name=_name(op)),)
    if op.base.rstrip("_") in MATH_OPS:
        # an exp, an erf polynomial or a log per element (in fp32 for 16-bit inputs): its own regime, an element rate
        # beside the bytes where fitted (GELU over 1500 x 5120 fp16 ran 0.8 G elements a ms on an H200, where the
        # bytes alone say twice that)
        return (Pointwise(out.numel, read + write, op.name, "pointwise_math", name=_name(op)),)
    return (Pointwise(out.numel, read + write, op.name, name=_name(op)),)


def _eye(op: AtenOp) -> tuple[Op, ...]:
    # torch.eye on a GPU (TensorFactories.cpp eye_out: result.zero_(), then result.diagonal().fill_(1)): a fill of the
    # output, then a fill of its diagonal, a view a row plus one apart (the strided kernel)
    out = op.outputs[0]
    n = min(out.shape) if len(out.shape) == 2 else 0
    ops = _pointwise(AtenOp("aten.zeros_like.default", (out,), (out,), {}, module=op.module))
    if n:
        diagonal = TensorMeta((n,), (out.stride[0] + out.stride[1],), out.dtype, view=True, contiguous=False)
        ops += _pointwise(AtenOp("aten.fill_.Scalar", (diagonal,), (diagonal,), {"value": 1}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in ops)


def stores_only(op: AtenOp, out: TensorMeta) -> bool:
    """Whether the op's kernel stores its output and loads nothing: a factory (zeros, full, arange, ones_like), or a
    fill of a whole dense tensor in place (fill_ with a number, zero_). A bool output stays with the one-byte kernels
    (`pointwise_narrow`: 4-element stores), a fill_ with a tensor value copies it (copy_'s broadcasting kernel)."""
    if out.dtype == "bool" or not out.numel:
        return False
    if op.base in FACTORIES:
        return True
    return op.name in ("aten.fill_.Scalar", "aten.zero_.default") and same_dense_layout(out, out)


def _stores(out: TensorMeta, aten: str, name: str, regime: str = "pointwise_fill") -> Pointwise:
    """A kernel that stores `out` whole and loads nothing (its element work: the stores)."""
    return Pointwise(out.numel, nbytes(out), aten, regime, operands=1, name=name)


# factories that store every element of their output and read nothing (FillFunctor, arange's index kernel)
FACTORIES = frozenset({"zeros", "ones", "full", "scalar_tensor", "arange", "zeros_like", "ones_like", "full_like",
                       "new_zeros", "new_ones", "new_full"})
# ops that take a tensor for its shape and dtype only and write the output (a fill)
FILLS = frozenset({"ones_like", "zeros_like", "full_like", "new_ones", "new_zeros", "new_full",
                   # factories that write their output whole (torch.tril_indices' coordinates)
                   "tril_indices", "triu_indices"})
# integer divisions (int64 operands: a software division per element)
INTEGER_DIVISIONS = frozenset({"floor_divide", "remainder", "div"})
# elementwise ops whose math per element can bind before their bytes (activations, exp / log, trigonometry)
MATH_OPS = frozenset({"gelu", "silu", "sigmoid", "tanh", "exp", "exp2", "expm1", "erf", "log", "log1p", "sin", "cos",
                      "log_sigmoid_forward",
                      "softplus", "elu", "mish", "exponential", "log10", "log2", "logaddexp", "glu", "sqrt",
                      # autograd's activation gradients (test-time training's inner step): the activation recomputed
                      "silu_backward", "gelu_backward", "sigmoid_backward", "tanh_backward"})


def expanded(t: TensorMeta, shape: tuple[int, ...]) -> TensorMeta:
    """`t` expanded to `shape` (Tensor.expand: new leading dims and size-1 dims broadcast at stride 0)."""
    lead = len(shape) - len(t.shape)
    stride = tuple(0 if i < lead or t.shape[i - lead] == 1 and size != 1 else t.stride[i - lead]
                   for i, size in enumerate(shape))
    return TensorMeta(tuple(shape), stride, t.dtype, view=True, contiguous=False)


def _masked_fill(op: AtenOp) -> tuple[Op, ...]:
    # out-of-place masked_fill is two kernels on a GPU (TensorAdvancedIndexing.cpp masked_fill: the input cloned
    # contiguous, then masked_fill_ in place on the clone), where the trace records one op: a mask of another shape
    # makes the fill TensorIterator's strided kernel
    x, out = op.inputs[0], op.outputs[0]
    if x.shape != out.shape:
        # the mask broadcasts the input (expand_outplace before the clone): the clone reads the expanded view
        x = expanded(x, out.shape)
    fill = AtenOp("aten.masked_fill_.Scalar", (TensorMeta.dense(out.shape, out.dtype), *op.inputs[1:]), (out,),
                  {}, module=op.module)
    return (*_dense_copy(x, op), *_pointwise(fill))


def _dense_copy(t: TensorMeta, op: AtenOp) -> tuple[Op, ...]:
    """`t` copied into a new dense tensor of its shape and dtype inside `op` (a clone or .contiguous() ATen makes
    before the kernel: the copy kernel `_materialise` picks for its layout)."""
    return _materialise(AtenOp("aten.clone.default", (t,), (TensorMeta.dense(t.shape, t.dtype),), {},
                               module=op.module))


# reductions built by ReduceOps.cpp's make_reduction_from_out_ty: an input of another dtype than the result is cast
# to it first, a full-size copy, save a 16-bit float summed into fp32 (its kernel casts on the fly)
CAST_FIRST_REDUCTIONS = frozenset({"sum", "prod", "nansum", "mean"})


def _reduction(op: AtenOp) -> tuple[Op, ...]:
    x = op.inputs[0]
    out_dtype = op.outputs[0].dtype if op.outputs else x.dtype
    if op.base in CAST_FIRST_REDUCTIONS and out_dtype != x.dtype and not (
            x.dtype in ("bfloat16", "float16") and out_dtype == "float32"):
        # a mask counted (bool -> int64), int32 summed into int64: profiled (realcode-check17), a direct_copy kernel
        # writing the int64 copy, then the int64 reduce
        cast = TensorMeta.dense(x.shape, out_dtype)
        return (*lower_op(AtenOp("aten._to_copy.default", (x,), (cast,), {"dtype": out_dtype}, module=op.module)),
                *_reduction(replace(op, inputs=(cast, *op.inputs[1:]))))
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
    return (AxisReduction(rows, cols, hdtype(x), kind, inner=inner, aten=op.name, name=_name(op)),)


def memory_inner(x: TensorMeta, dims) -> int | None:
    """The kept elements a reduction's input holds inside its reduced dims in memory, where `x` is a permutation of
    a dense tensor other than row-major (a channels-last map, a transposed view) and its reduced dims lie together in
    memory; else None (the dims' logical order holds). TensorIterator orders the dims by stride before Reduce.cuh picks
    its layout: the mean over H and W of a channels-last map reduces an outer dim, its channels neighbouring threads'
    outputs (ResNet's and ConvNeXt's pooled heads over 64 x 1024-2048 x 7 x 7 fp16 ran 4.9-5.2 us, priced 17-34 as
    rows of 49: realcode-check18)."""
    if not dims or not strided(x) or not same_dense_layout(x, x):
        return None
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


def contiguous_first(op: AtenOp) -> tuple[tuple[Op, ...], AtenOp]:
    """A row kernel's input copied contiguous first where it is a strided or expanded view (host_softmax's and
    LayerNorm's `.contiguous()`: ATen's strided copy kernel, then the row kernel; profiled: realcode-more7), and the
    op as it then runs."""
    x = op.inputs[0]
    if not x.numel or not strided(x):
        return (), op
    return _dense_copy(x, op), replace(op, inputs=(TensorMeta.dense(x.shape, x.dtype), *op.inputs[1:]))


def _softmax(op: AtenOp) -> tuple[Op, ...]:
    copy, op = contiguous_first(op)
    return (*copy, *_row_softmax(op))


def _row_softmax(op: AtenOp) -> tuple[Op, ...]:
    x = op.inputs[0]
    dim = int(op.args.get("dim", -1)) % max(len(x.shape), 1)
    cols = x.shape[dim] if x.shape else 1
    inner = 1
    for size in x.shape[dim + 1:]:
        inner *= size
    if inner > 1:
        # over an outer dim: PyTorch's spatial softmax (neighbouring threads take neighbouring columns), not the
        # last-dim kernels: the class's key, no row walk
        return (Softmax(x.numel // max(cols, 1), cols, hdtype(x), name=_name(op)),)
    return (Softmax(x.numel // max(cols, 1), cols, hdtype(x), aten=op.name, name=_name(op)),)


def _topk(op: AtenOp) -> tuple[Op, ...]:
    # the select along `dim` (a strided slice where it is not the last), then, sorted (the default), the sort of its
    # results a GpuModel prices with it (hetsim.hardware.sorting.topk_sort)
    x = op.inputs[0]
    dim = int(op.args.get("dim", -1)) % max(len(x.shape), 1)
    n = x.shape[dim] if x.shape else 1
    k = int(op.args.get("k", 1))
    return (TopK(x.numel // max(n, 1), n, max(1, min(k, n)), hdtype(x), sorted=bool(op.args.get("sorted", True)),
                 name=_name(op)),)


def _layer_norm(op: AtenOp) -> tuple[Op, ...]:
    copy, op = contiguous_first(op)
    return (*copy, *_norm_rows(op))


def _norm_rows(op: AtenOp) -> tuple[Op, ...]:
    # one vectorised kernel (PyTorch's LayerNorm forward, vectorized_layer_norm_kernel): a 128-thread block per row
    # (blocks = rows) walks its row twice (Welford's moments, then the normalised row), the row read once, weight
    # and bias, the row written, mean and rstd beside it. Welford's update (a division per element, in fp32) sets the
    # walk's pace, so a row counts its elements at fp32 width (on an H200 1 x 8192 fp32 took 10.9 us, 32 x 16384 bf16
    # 19.7: ~1 ns an element either way)
    x = op.inputs[0]
    cols = _norm_cols(op)
    read = sum(nbytes(t) for t in op.inputs)
    write = sum(nbytes(t) for t in op.outputs)
    return (Pointwise(op.outputs[0].numel, read + write, op.name, "layer_norm", rows=x.numel // max(cols, 1),
                      row_bytes=cols * FP32_BYTES, name=_name(op)),)


def _norm_cols(op: AtenOp) -> int:
    cols = 1
    for s in op.args.get("normalized_shape") or [op.inputs[0].shape[-1]]:
        cols *= int(s)
    return cols


FP32_BYTES = 4


def _rms_norm(op: AtenOp) -> tuple[Op, ...]:
    # _fused_rms_norm (F.rms_norm / nn.RMSNorm on a GPU, as the tracer records it): LayerNorm's vectorised
    # kernel without the mean; the row read once, the weight, the row written and 1 / rms per row
    copy, op = contiguous_first(op)
    x = op.inputs[0]
    (norm,) = _norm_rows(op)
    # one block per row (layer_norm_kernel.cu: blocks = rows): its walk over the row bounds short, few or many rows; a
    # sum of squares, no Welford division: the row at its own width
    return (*copy, replace(norm, regime="rms_norm", row_bytes=_norm_cols(op) * x.itemsize))


def _group_norm(op: AtenOp) -> tuple[Op, ...]:
    # native_group_norm on a GPU (group_norm_kernel.cu): a block per (sample, group) computes its moments with
    # Welford's update (512 threads, a warp where the group has fewer than 512 elements), each thread walking its
    # share at fp32 width; then a tiny kernel fuses the scale and shift per channel and a broadcast elementwise kernel
    # writes y = x * a + b. One op here, as layer_norm is: the input read twice, y written, the group's walk in waves
    x, out = op.inputs[0], op.outputs[0]
    n, c, hxw, g = (int(op.args.get(k, 1)) for k in ("N", "C", "HxW", "group"))
    group = max(c // max(g, 1), 1) * hxw
    threads = GROUP_NORM_THREADS if group >= GROUP_NORM_THREADS else WARP
    walk = waves(n * g, threads) * math.ceil(group / threads) * FP32_BYTES
    moments = 2 * n * g * FP32_BYTES
    return (Pointwise(out.numel, 2 * nbytes(x) + nbytes(out) + moments, op.name, "group_norm", walk=walk,
                      reread=nbytes(x), name=_name(op)),)


GROUP_NORM_THREADS = 512  # kCUDABlockReduceNumThreads: RowwiseMomentsCUDAKernel's block


def _index_add(op: AtenOp) -> tuple[Op, ...]:
    # index_add_(dim, index, source): each index adds one slice of `source` into a row of the destination, wherever
    # it is: Indexing.cu's index kernels, a thread per source element (a grid capped at 8 blocks an SM, each thread
    # looping), each an atomic add. A row gather's bytes and its elements, its own regime `index_add` where fitted
    # (an element rate: bf16 rows add ~0.13 T elements/s on an H200 as fp32 ones do), as hetsim's BM25 prices its
    # scatter-add (hetsim.workloads.rag)
    dest, src = op.inputs[0], op.inputs[-1]
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
    walk = waves(blocks, GATHER_THREADS) * iters * (INDEX_BYTES + src.itemsize)
    return (Pointwise(n, nbytes(index) + 2 * n * src.itemsize, op.name, "gather_elements", walk=walk,
                      name=_name(op)),)


GATHER_THREADS, GATHER_THREAD_WORK = 128, 4  # ScatterGatherKernel.cu: num_threads(), thread_work_size()


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
    idx = max((t.numel for t in indices), default=1)
    row = out.numel // max(idx, 1)
    source_rows = src.numel // max(row, 1)
    # IndexKernel.cu gathers whole rows with vector loads only for one index tensor over rows of a multiple of 16
    # bytes (vectorized_gather_kernel); a 1-D table, narrower rows or several index tensors (x[b, t]) run
    # index_elementwise_kernel, a thread an element: ~3.5 us for a handful of rows where the row gather takes ~2
    # (the aten sweep; profiled: calibration/e2e/diagnostics/case-kernels-2026-12-02)
    elementwise = len(indices) > 1 or (row * src.itemsize) % VECTOR_BYTES != 0
    # the element kernel's work is its output's elements, each an offset through the indices and a load
    return (Gather(idx, row * src.itemsize, source_rows, aten=op.name, elementwise=elementwise,
                   elements=out.numel if elementwise else 0, name=_name(op)),)


VECTOR_BYTES = 16  # the vectorised gather's load width


def _index_put(op: AtenOp) -> tuple[Op, ...]:
    # x[idx] = v (index_put_): the index kernel writing `values` through the indices (a row scatter, regime
    # `index_put`, priced as index_copy_'s where not fitted); accumulate=True sorts the indices first
    # (index_put_with_sort_kernel: a radix sort, then a warp per run of equal indices): `index_put_accumulate`
    dest, values = op.inputs[0], op.inputs[-1]
    copy = 2 * nbytes_of(dest) if op.base == "index_put" else 0  # the functional form copies the destination first
    if any(t.dtype == "bool" for t in op.inputs[1:-1]):
        mask = next(t for t in op.inputs[1:-1] if t.dtype == "bool")
        if values.numel == 1:
            # x[mask] = v with a scalar v: masked_fill_ over the whole tensor (canDispatchToMaskedFill; taken as
            # such, the trace does not say whether the value lives on the host as that path needs)
            return (Pointwise(dest.numel, 2 * nbytes_of(dest) + nbytes_of(mask) + copy, op.name, name=_name(op)),)
        # x[mask] = t: the mask's nonzero (its count to the host: a sync), then the rows written
        return (*_nonzero_of(op, mask, values.numel),
                Pointwise(values.numel, 2 * nbytes_of(values) + copy, op.name, "index_put", name=_name(op)))
    idx = [t for t in op.inputs[1:-1] if t.dtype in ("int64", "int32")]
    moved = values.numel if values.numel > 1 else sum(t.numel for t in idx[:1]) * max(
        dest.numel // max(dest.shape[0] if dest.shape else 1, 1), 1)
    nbytes = 2 * moved * dest.itemsize + sum(nbytes_of(t) for t in idx) + copy
    regime = "index_put_accumulate" if op.args.get("accumulate") else "index_put"
    return (Pointwise(moved, nbytes, op.name, regime, name=_name(op)),)


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
    # elements, ~3.3-4.9 from ~1,000, where every thread runs its 8): those steps are its walk
    steps = min(SCATTER_UNROLL, math.ceil(moved / SCATTER_THREADS))
    work = Pointwise(moved, nbytes_of(index) + 2 * moved * dest.itemsize, op.name, regime, walk=steps * FP32_BYTES,
                     name=_name(op))
    if op.base.endswith("_"):
        return (work,)
    return (*_dense_copy(dest, op), work)


SCATTER_THREADS, SCATTER_UNROLL = 128, 8  # ScatterGatherKernel.cu's block and elements a thread


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
    dim = int(op.args.get("dim", -1)) % max(len(x.shape), 1)
    n = x.shape[dim] if x.shape else 1
    moved = nbytes(x) + nbytes(out)
    if x.numel == n:
        return (Pointwise(out.numel, moved, op.name, "scan_device", name=_name(op)),)
    inner = dim == len(x.shape) - 1 or all(s == 1 for s in x.shape[dim + 1:])
    if not inner:
        columns = math.prod(x.shape[dim + 1:])
        blocks = (x.numel // max(n * columns, 1)) * math.ceil(columns / SCAN_THREADS)
        walk = waves(blocks, min(SCAN_THREADS, columns)) * n * ACCUMULATE_BYTES
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


def _repeat_interleave(op: AtenOp) -> tuple[Op, ...]:
    # repeats given as a tensor: the output's length is their sum, read on the host (a sync) unless output_size
    # names it
    ops = _materialise(op)
    # repeat_interleave.Tensor(repeats) (what self_Tensor decomposes into); a tracer on fake tensors cannot record
    # it without output_size (the size is data), another recorder may
    if op.inputs and op.inputs[0].dtype in ("int64", "int32") and op.args.get("output_size") is None:
        return (*ops, _sync(op))
    return ops


def _tril(op: AtenOp) -> tuple[Op, ...]:
    # tril / triu: ATen's triu_tril_kernel (each thread computes its element's row and column): 1.8-2.7 TB/s on an
    # H200 (fitted 2.7) where a plain elementwise kernel moves ~5.8: regime `tril`
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, "tril", name=_name(op)),)


def _convolution(op: AtenOp) -> tuple[Op, ...]:
    """F.conv1d / conv2d / conv3d on a GPU as PyTorch runs them (profiled on an H200: realcode-check16's to -check18's
    vision, diffusion and speech convolutions, realcode-more16 and -more17). A depthwise convolution (groups = input
    channels) runs ATen's own conv_depthwise2d kernel, its bias fused, after a copy of a non-contiguous input (Mamba's
    x.transpose(1, 2)): a fixed cost per output or its taps' work, whichever binds, never the bytes
    (`conv_depthwise`); in fp16 PyTorch sends most to cuDNN's depthwise kernels instead (`cudnn_depthwise`,
    `conv_depthwise_cudnn`), and a channels-last one in 16 bits to cuDNN's NHWC kernel as it lies
    (`conv_depthwise_nhwc`). Any other runs cuDNN (`cudnn_algo`): an implicit GEMM (m = samples x output positions,
    n = output channels, k = input channels x taps a group) on channels-last tensors, the input and the weight
    transposed to NHWC and the output back by its layout kernels where they are NCHW; a CUDA-core kernel over NCHW
    for an input of a few channels; a 2-D 1 x 1 convolution in 16 bits is a GEMM a sample over the NCHW tensors as
    they are (nvjet), in fp32 cuDNN's TF32 GEMM over them. Its bias is added after, over the output (the strided
    kernel). A transposed convolution runs cuDNN's data-gradient kernels (`_transposed_convolution`)."""
    x, w, out = op.inputs[0], op.inputs[1], op.outputs[0]
    if len(x.shape) < 3:
        return _unknown(op)
    if op.args.get("transposed"):
        return _transposed_convolution(op)
    bias = op.inputs[2] if len(op.inputs) > 2 and op.inputs[2].numel else None
    groups = int(op.args.get("groups", 1))
    samples, channels = x.shape[0], x.shape[1]
    taps, positions = math.prod(w.shape[2:]), math.prod(out.shape[2:])
    contiguous = same_dense_layout(x, TensorMeta.dense(x.shape, x.dtype))
    channels_last = channels_last_4d(x)
    # a strided input (Mamba's and speech models' x.transpose(1, 2)) made contiguous first (direct_copy); cuDNN takes
    # a channels-last one as it is
    made_contiguous = () if contiguous or channels_last else _dense_copy(x, op)
    if groups > 1 and groups == channels:
        if channels_last and x.itemsize == 2:
            # cuDNN's NHWC depthwise kernel over the input as it lies (profiled: conv2d_c1_k1_nhwc_specialized, fp16
            # and bf16, realcode-more17), the bias after
            work = Pointwise(out.numel, nbytes(x) + nbytes(w) + nbytes(out), op.name, "conv_depthwise_nhwc",
                             operands=taps + 1, walk=out.numel, name=_name(op))
            return (work, *_conv_bias(op, bias, out))
        # ATen's kernel: a thread per output in a grid-stride loop, its index decomposed, its taps read one after
        # another, the bias fused: the outputs (`walk`) or the taps (element work) set the pace, never the bytes.
        # cuDNN's own (conv1D_NCHW_general, conv2d_c1_k1_nchw_shmem_tiling) priced in the same form, the bias added
        # after as for any cuDNN convolution
        cudnn = cudnn_depthwise(x, w, op.args)
        work = Pointwise(out.numel, nbytes(x) + nbytes(w) + nbytes(out), op.name,
                         "conv_depthwise_cudnn" if cudnn else "conv_depthwise", operands=taps + 1, walk=out.numel,
                         name=_name(op))
        return (*made_contiguous, work, *(_conv_bias(op, bias, out) if cudnn else ()))
    per_group, outputs = channels // groups, out.shape[1] // groups
    contraction = per_group * taps
    # a 1 x 1 at stride 1 is a plain GEMM over the tensors as they lie: in 2-D (16-bit: cuBLAS's nvjet; fp32: cuDNN's
    # TF32 GEMM), and in fp32 a 1-D one too (profiled: a 1-tap fp32 conv1d ran sm90_xmma_gemm_f32f32_tf32f32 alone,
    # check18's ECAPA heads; a 16-bit one runs the layout kernels around an implicit GEMM, realcode-more16)
    one_by_one = (taps == 1 and (len(x.shape) == 4 or x.dtype == "float32")
                  and all(int(s) == 1 for s in op.args.get("stride", [1])))
    if one_by_one and x.dtype != "float32" and channels_last:
        # NHWC rows times the weight: one GEMM over every position
        return (Matmul(samples * positions, outputs, contraction, batch=groups, dtype=hdtype(x),
                       aten=op.name, name=_name(op)), *_conv_bias(op, bias, out))
    if one_by_one and x.dtype != "float32" and contiguous:
        return (Matmul(outputs, positions, contraction, batch=samples * groups, dtype=hdtype(x),
                       aten=op.name, name=_name(op)), *_conv_bias(op, bias, out))
    w_last = channels_last_4d(w)
    algo = cudnn_algo(x, w, groups, op.args, nchw=not (channels_last or w_last))
    # the input the filter touches (a strided 1 x 1 reads a quarter of it), never more than the input
    read = min(nbytes(x), samples * positions * taps * channels * x.itemsize)
    gemm = Convolution(samples * positions, outputs, contraction, batch=groups, dtype=hdtype(x), aten=op.name,
                       input_bytes=read, algo=algo, taps=taps, name=_name(op))
    if algo == "simt" or one_by_one:
        # over the NCHW tensors as they lie: the CUDA-core kernels, an fp32 1 x 1's TF32 GEMM (profiled:
        # sm90_xmma_gemm_f32f32_tf32f32, CUTLASS's s1688gemm), no layout kernels
        return (*made_contiguous, gemm, *_conv_bias(op, bias, out))
    # PyTorch hands cuDNN channels-last tensors where the input or the weight is channels-last (the other made so by
    # ATen's copy); two NCHW ones as they are, and cuDNN's layout kernels transpose the input and the weight to NHWC
    # and the output back around its GEMM
    if channels_last or w_last:
        copies = (() if channels_last else _dense_copy(x, op)) + (() if w_last else _dense_copy(w, op))
        return (*copies, gemm, *_conv_bias(op, bias, out))
    return (*made_contiguous, *_around_nchw(op, gemm), *_conv_bias(op, bias, out))


def _around_nchw(op: AtenOp, gemm: Convolution) -> tuple[Op, ...]:
    """cuDNN's GEMM on NCHW tensors between its layout kernels: the input and the weight to NHWC, the output back. A
    plane of one channel or one tap is both layouts at once: no kernel (profiled: a 1-tap conv1d's weight); a
    transposed convolution's weight [in, out, taps...] is laid out as a forward one's."""
    x, w, out = op.inputs[0], op.inputs[1], op.outputs[0]
    to_nhwc = tuple(_conv_layout(t, op) for t in (x, w) if t.shape[1] > 1 and math.prod(t.shape[2:]) > 1)
    back = (_conv_layout(out, op, back=True),) if out.shape[1] > 1 else ()
    return (*to_nhwc, gemm, *back)


def _transposed_convolution(op: AtenOp) -> tuple[Op, ...]:
    """ConvTranspose1d / 2d on a GPU: cuDNN's data-gradient implicit GEMM (profiled on an H200, realcode-more19:
    sm90_xmma_dgrad_implicit_gemm, or CUTLASS's s16816dgrad / s1688dgrad over fewer than ~2,000 input positions),
    with the layout kernels a forward convolution has around it on NCHW tensors (the input and the weight to NHWC, the
    output back) and the bias added after. Its GEMM: m = samples x output positions, n = output channels, k = input
    channels x the taps that land on an output (each dim's kernel over its stride, rounded up: a 2 x 2 at stride 2
    lands one, a 4 x 4 at stride 2 four), priced by the forward kernels' keys. Grouped ones have no lowering."""
    x, w, out = op.inputs[0], op.inputs[1], op.outputs[0]
    if int(op.args.get("groups", 1)) != 1:
        return _unknown(op)
    bias = op.inputs[2] if len(op.inputs) > 2 and op.inputs[2].numel else None
    strides = [int(s) for s in op.args.get("stride", [1])]
    strides += [strides[-1]] * (len(w.shape) - 2 - len(strides))
    taps = math.prod(math.ceil(k / s) for k, s in zip(w.shape[2:], strides, strict=False))
    samples, channels, outputs = x.shape[0], x.shape[1], out.shape[1]
    positions = math.prod(out.shape[2:])
    contiguous = same_dense_layout(x, TensorMeta.dense(x.shape, x.dtype))
    made_contiguous = () if contiguous else _dense_copy(x, op)
    hopper = samples * math.prod(x.shape[2:]) >= DGRAD_HOPPER_POSITIONS and hopper_tiles(channels, outputs)
    gemm = Convolution(samples * positions, outputs, channels * taps, dtype=hdtype(x), aten=op.name,
                       input_bytes=nbytes(x), algo="implicit_gemm" if hopper else "implicit_gemm_sm80", taps=taps,
                       name=_name(op))
    return (*made_contiguous, *_around_nchw(op, gemm), *_conv_bias(op, bias, out))


# input positions (samples x positions) from which cuDNN ran its Hopper dgrad kernels for a transposed convolution
# (realcode-more19: 4,000-65,536 did; 1,369-1,600 ran CUTLASS's Ampere-style dgrad)
DGRAD_HOPPER_POSITIONS = 2048


def channels_last_4d(t: TensorMeta) -> bool:
    """A 4-D tensor laid out channels-last (torch.channels_last: the channels the fastest dim) with channels to lay."""
    return len(t.shape) == 4 and t.shape[1] > 1 and t.stride[1] == 1 and same_dense_layout(t, t)


def cudnn_algo(x: TensorMeta, w: TensorMeta, groups: int, args: dict, nchw: bool) -> str:
    """The kernel family cuDNN runs a (non-depthwise) convolution on, as profiled on an H200 (realcode-more16,
    -more17; check16 to check18): "first_layer", its image_first_layer kernel for an fp16 7 x 7 stem at stride 2 over
    up to 4 channels (the channels padded to 4); "simt", its CUDA-core kernels over NCHW (cudnn_simt);
    "implicit_gemm", its Hopper tensor-core kernels, or "implicit_gemm_sm80", Ampere-style ones (hopper_tiles)."""
    per_group, outputs = x.shape[1] // groups, w.shape[0] // groups
    stride = [int(s) for s in args.get("stride", [1])]
    if (x.dtype == "float16" and per_group <= 4 and tuple(w.shape[2:]) == (7, 7) and set(stride) == {2}):
        return "first_layer"
    if nchw and cudnn_simt(x, w, groups):
        return "simt"
    if hopper_tiles(per_group, outputs):
        return "implicit_gemm"
    # Ampere-style: over few or odd input channels (CUTLASS's s16816fprop, its channels padded per filter tap) or
    # over 64-multiples into few output channels (sm80_xmma_fprop's narrow 256 x 32 tiles), each its own kernels
    return "implicit_gemm_sm80" if per_group % 64 else "implicit_gemm_narrow"


LAYOUT_TILE = 32  # the side of cuDNN's layout kernels' tiles (elements)


def _conv_layout(t: TensorMeta, op: AtenOp, back: bool = False) -> Op:
    """cuDNN's layout kernel for `t` (nchwToNhwc, or nhwcToNchw for the output, `back`): a tiled transpose of each
    (channels, positions) plane of an NCHW tensor (a weight's: input channels by taps), each side padded to whole
    tiles: a plane of few channels (an RGB input, a 3-channel output) or few taps (a 3 x 3 weight's 9) leaves most of
    each tile idle. Its bytes: the padded tiles read and written (`conv_layout`)."""
    channels, positions = t.shape[1], math.prod(t.shape[2:])
    if back:
        channels, positions = positions, channels
    padded = t.shape[0] * tiled(channels, LAYOUT_TILE) * tiled(positions, LAYOUT_TILE)
    return Pointwise(t.numel, 2 * padded * t.itemsize, op.name, "conv_layout", name=_name(op))


def cudnn_simt(x: TensorMeta, w: TensorMeta, groups: int) -> bool:
    """Whether cuDNN runs an NCHW convolution on its CUDA-core kernels (implicit_convolve_sgemm,
    precomputed_convolve_sgemm and implicit_convolveNd_sgemm in 16 bits, an FFMA xmma over NCHW in fp32), no layout
    kernels, rather than a tensor-core implicit GEMM. Profiled on an H200 (realcode-more16, -more17, check16,
    check17): an input of 1 to 8 channels a group did in fp32 always, in 3-D always (Qwen2-VL's and VideoMAE's patch
    convolutions), in 2-D for a filter of up to 4 x 4 (a stem over RGB, ConvNeXt's 4 x 4 patches, a subsampling conv
    over one channel of mel frames: 13 of 16, the other three of 4 channels ran the tensor cores) and for a larger one
    (a patch embedding) over a plane of 448 x 448 or more (over 224 and 384 CUTLASS's fprop kernel, the channels
    padded to 8); 16 channels and more never."""
    channels, taps = x.shape[1] // groups, math.prod(w.shape[2:])
    if channels > SIMT_CHANNELS:
        return False
    return (x.dtype == "float32" or len(x.shape) == 5 or taps <= SIMT_TAPS
            or math.prod(x.shape[2:]) >= SIMT_PLANE)


def hopper_tiles(channels: int, outputs: int) -> bool:
    """Whether cuDNN's tensor-core convolution runs its Hopper kernels (sm90_xmma_fprop_implicit_gemm, warpgroup MMA)
    rather than Ampere-style ones (CUTLASS's s16816fprop, sm80_xmma_fprop): a group's input channels a multiple of 64
    and 32 or more output channels, a multiple of 8. Profiled on an H200 (realcode-more16, check16, check17): 3 to 80
    input channels and 3 or 4 output channels ran the sm80 kernels, at ~250 TFLOP/s of their tiles' work against
    ~550 (one of 4 input channels in fp16 ran sm90's)."""
    return channels % 64 == 0 and outputs >= 32 and outputs % 8 == 0


SIMT_CHANNELS = 8  # input channels a group up to which cuDNN may leave the tensor cores
SIMT_PLANE = 448 * 448  # input positions from which a patch embedding's large filter does too
SIMT_TAPS = 16  # filter positions up to which it does at any size


def cudnn_depthwise(x: TensorMeta, w: TensorMeta, args: dict) -> bool:
    """Whether PyTorch sends a depthwise convolution to cuDNN rather than its own kernel (Convolution.cpp,
    use_cudnn_depthwise with check_cudnn_depthwise_workload_with_filter, cuDNN >= 8.2): fp16 only, 32 channels or
    more, no dilation, square strides; a 1-D convolution (viewed as 2-D of height 1) at stride 1; a 2-D one with a
    square 1, 3 or 5 filter over a width of 7 or more at stride 1, at stride 2 by batch, channels and width.
    Profiled (realcode-more14): fp16 9-tap conv1d and 3 x 3 conv2d ran cuDNN's kernels, 7 x 7 ATen's."""
    if x.dtype != "float16" or w.dtype != "float16" or len(x.shape) not in (3, 4) or x.shape[1] < 32:
        return False
    stride = [int(s) for s in args.get("stride", [1])]
    if any(int(d) != 1 for d in args.get("dilation", [1])):
        return False
    if len(x.shape) == 3:  # conv1d: height 1, the stride the width's
        return stride[-1] == 1
    if len(set(stride)) > 1:
        return False
    filt, width, (bs, ch) = w.shape[3], x.shape[3], x.shape[:2]
    if w.shape[2] != filt or filt not in (1, 3, 5) or width < 7 or stride[0] not in (1, 2):
        return False
    if stride[0] == 1:
        return True
    if bs == 1:
        return (filt == 1 and width <= 28) or filt in (3, 5)
    return ((filt == 1 and bs <= 16 and ch >= 128 and width <= 7)
            or (filt in (3, 5) and (ch >= 512 or (ch >= 256 and width >= 28))))


def _conv_bias(op: AtenOp, bias: TensorMeta | None, out: TensorMeta) -> tuple[Op, ...]:
    """A convolution's bias added over its output after cuDNN's kernel (output.add_(bias viewed [1, C, 1, ...]))."""
    if bias is None:
        return ()
    view = TensorMeta((1, bias.numel) + (1,) * (len(out.shape) - 2), (1,) * len(out.shape), bias.dtype,
                      view=True, contiguous=False)
    add = _pointwise(AtenOp("aten.add_.Tensor", (out, view), (out,), {}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in add)


def _pad(op: AtenOp) -> tuple[Op, ...]:
    # constant_pad_nd (PadNd.cpp): the output filled with the value (a contiguous fill), then the input copied into
    # its interior, a strided view of the output (ATen's strided copy kernel, `copy_strided`: fp32 pads ran ~1.6x
    # faster than one rate over all the bytes said, as fp32 permutes did; profiled: FillFunctor + elementwise_kernel)
    x, out = op.inputs[0], op.outputs[0]
    kept = min(x.numel, out.numel)  # a negative pad crops
    fill = AtenOp("aten.fill_.Scalar", (out,), (), {}, module=op.module)
    stores = (_stores(out, fill.name, _name(op)) if stores_only(fill, out)
              else Pointwise(out.numel, nbytes(out), fill.name, name=_name(op)))
    return (stores, Pointwise(kept, 2 * kept * x.itemsize, op.name, "copy_strided", name=_name(op)))


def _host(op: AtenOp) -> tuple[Op, ...]:
    return (HostCall("view", op.name, name=_name(op)),)


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
    ops += lower_op(AtenOp("aten.cumsum.default", (TensorMeta.dense((out.numel,), "bool"),), (places,), {"dim": 0},
                           module=op.module))
    read = nbytes(flat) + nbytes(places) + nbytes(out) + min(nbytes(source), nbytes(out))
    return (*ops, Pointwise(out.numel, read + nbytes(out), op.name, name=_name(op)))


def _isinf(op: AtenOp) -> tuple[Op, ...]:
    """isinf as TensorCompare.cpp composes it for a float tensor: `self.abs() == inf`, a kernel each (profiled:
    isinf over a strided bf16 half ran the abs into a dense tensor, 139 us, then the comparison, 43:
    realcode-check15); an integer tensor is never infinite (a fill). (isfinite is composite-implicit: a trace records
    its ops.)"""
    x, out = op.inputs[0], op.outputs[0]
    if x.dtype in INTEGER_DTYPES or x.dtype == "bool":
        return _pointwise(AtenOp("aten.zeros_like.default", (x,), (out,), {}, module=op.module))
    magnitude = TensorMeta.dense(x.shape, x.dtype)
    steps = (AtenOp("aten.abs.default", (x,), (magnitude,), {}, module=op.module),
             AtenOp("aten.eq.Scalar", (magnitude,), (out,), {}, module=op.module))
    return tuple(replace(o, aten=op.name) for step in steps for o in _pointwise(step))


def _batch_norm(op: AtenOp) -> tuple[Op, ...]:
    """F.batch_norm in eval mode (native_batch_norm, training=False; Normalization.cu, profiled: realcode-more17): the
    running statistics folded into a scale and shift per channel (a copy and a small kernel over the channels), then
    batch_norm_transform_input_kernel over the input: its bytes, or its steps through the (sample, channel) planes
    (`batch_norm`, the two small kernels in its fixed cost). Training mode (batch statistics) has no lowering
    (roofline, assumed)."""
    if op.args.get("training", False):
        return _unknown(op)
    x, out = op.inputs[0], op.outputs[0]
    params = sum(nbytes(t) for t in op.inputs[1:])
    # the NCHW kernel steps through its (sample, channel) planes, ~0.7 ns each however small (profiled: 64 x 960 planes
    # of 7 x 7 ran 38.5 us where their bytes say 3): the planes are its walk; the channels-last kernel has none
    planes = 0 if channels_last_4d(x) else math.prod(x.shape[:2])
    return (Pointwise(out.numel, nbytes(x) + nbytes(out) + params, op.name, "batch_norm", walk=planes,
                      name=_name(op)),)


def _upsample(op: AtenOp) -> tuple[Op, ...]:
    """F.interpolate on a GPU (UpSampleNearest2d.cu, UpSampleBilinear2d.cu, UpSampleBicubic2d.cu; profiled:
    realcode-more17). Nearest: a thread an output element, one input read: the bytes, or an element rate
    (`upsample_nearest`). Bilinear and bicubic: a thread an output position, each looping over every (sample,
    channel) one after another (4 or 16 inputs a step): 32 x 32 bicubic outputs over 1024 channels ran 410 us, ~0.3-0.5
    us a step, bilinear's ~0.2: the steps a thread walks (`walk`: samples x channels) or the bytes, whichever binds
    (`upsample_bilinear`, `upsample_bicubic`)."""
    x, out = op.inputs[0], op.outputs[0]
    moved = nbytes(x) + nbytes(out)
    if op.base.startswith("upsample_nearest"):
        return (Pointwise(out.numel, moved, op.name, "upsample_nearest", operands=2, name=_name(op)),)
    kind = "upsample_bicubic" if "bicubic" in op.base else "upsample_bilinear"
    return (Pointwise(out.numel, moved, op.name, kind, walk=math.prod(out.shape[:2]), name=_name(op)),)


def _pool(op: AtenOp) -> tuple[Op, ...]:
    """max_pool2d / avg_pool2d on a GPU (DilatedMaxPool2d.cu max_pool_forward_nchw, AveragePool2d.cu; profiled:
    realcode-more17): a thread an output, its window read one after another, a max pool's index written beside it:
    a fixed cost per output or the window's reads, whichever binds (`pool`: the floor form)."""
    x, out = op.inputs[0], op.outputs[0]
    window = math.prod(int(k) for k in op.args.get("kernel_size", [1]))
    written = sum(nbytes(t) for t in op.outputs)
    return (Pointwise(out.numel, nbytes(x) + written, op.name, "pool", operands=window + 1, walk=out.numel,
                      name=_name(op)),)


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


def _roll(op: AtenOp) -> tuple[Op, ...]:
    """torch.roll on a GPU (ROCm/CUDA roll_cuda): one roll_cuda_kernel over a contiguous copy of the input per rolled
    dim (TensorTransformations.cpp roll_common rolls the first dim, then the rest of the result; no dims: the
    flattened tensor once), each a thread an element with its source offset computed (profiled: a roll of 2 x 16 x 56
    x 56 x 128 fp16 over three dims ran three 60 us kernels, priced 15 us as one contiguous copy; realcode-check21):
    `roll`, an element rate beside the bytes."""
    x, out = op.inputs[0], op.outputs[0]
    copy = tuple(replace(o, aten=op.name) for o in _dense_copy(x, op)) if strided(x) else ()
    passes = max(len(op.args.get("dims") or []), 1)
    return copy + (Pointwise(out.numel, 2 * nbytes(out), op.name, "roll", name=_name(op)),) * passes


def _random(op: AtenOp) -> tuple[Op, ...]:
    """A tensor of random numbers (torch.rand / randn / randint, uniform_ / normal_ / random_ in place): ATen's
    distribution kernel draws Philox numbers a thread at a time and stores them, reading nothing (`random`: the
    stores, or the draws' element work, whichever binds)."""
    return (_stores(op.outputs[0], op.name, _name(op), "random"),)


def _linspace(op: AtenOp) -> tuple[Op, ...]:
    # torch.linspace: an index kernel like arange's (a start plus a step times the index, stored; nothing read)
    return (_stores(op.outputs[0], op.name, _name(op), "pointwise_arange"),)


def _grid_sample(op: AtenOp) -> tuple[Op, ...]:
    """F.grid_sample on a GPU (GridSampler.cu grid_sampler_2d_kernel): a thread an output position reads its grid
    point, then walks the channels, gathering 4 inputs a channel (bilinear; nearest 1, bicubic 16). Its reads are the
    taps, not the whole input (priced as the input's bytes, a roofline over 7040 x 55 x 128 fp32 images said 100 us
    where 9 x 9 samples each ran 13: realcode-check21): `grid_sample`, the bytes or the channel walk, like an
    interpolating upsample's."""
    x, grid, out = op.inputs[0], op.inputs[1], op.outputs[0]
    taps = GRID_TAPS.get(int(op.args.get("interpolation_mode", 0)), 4)
    moved = out.numel * taps * x.itemsize + nbytes(grid) + nbytes(out)
    return (Pointwise(out.numel, moved, op.name, "grid_sample", operands=taps, walk=x.shape[1] if len(x.shape) > 1
                      else 1, name=_name(op)),)


GRID_TAPS = {0: 4, 1: 1, 2: 16}  # grid_sample's interpolation_mode (bilinear, nearest, bicubic) -> inputs an output


def _im2col(op: AtenOp) -> tuple[Op, ...]:
    # F.unfold (Im2Col.cu im2col_kernel): a thread a (channel, output position) writing its window's elements, each
    # at an offset of its own: the strided copy's element rate over the output (the input read once, cached)
    return _one_pass(op, "copy_strided")


def _one_pass(op: AtenOp, regime: str) -> tuple[Op, ...]:
    """One kernel that reads the op's first input once and writes its output, an element at a time (`regime`)."""
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, regime, name=_name(op)),)


# torch's random fills (the distribution kernels): each stores its output and reads nothing
RANDOM_FILLS = frozenset({"rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "uniform_",
                          "normal_", "random_"})
# in-place views: a view's metadata changed on the host, no kernel
INPLACE_VIEWS = frozenset({"squeeze_", "unsqueeze_", "transpose_", "t_", "as_strided_", "swapdims_", "swapaxes_"})


def _unknown(op: AtenOp) -> tuple[Op, ...]:
    read = sum(nbytes(t) for t in op.inputs)
    write = sum(nbytes(t) for t in op.outputs)
    numel = max((t.numel for t in op.outputs), default=0)
    return (Pointwise(numel, read + write, op.name, "aten_unknown", name=_name(op)),)


COPIES = ("copy_memcpy / copy_cat / cat_dominated / cat_unaligned / copy_strided / copy_transpose / cat_one_input / "
          "cat_strided / copy_expand / copy_repeat (else copy)")
# aten op (overload packet name) -> (regime it is priced by, how it becomes hetsim ops)
MAPPING: dict[str, tuple[str, Callable[[AtenOp], tuple[Op, ...]]]] = {
    "mm": ("matmul", _mm), "addmm": ("matmul", _mm), "bmm": ("bmm / matmul_outer (k = 1)", _bmm),
    "_scaled_mm": ("matmul_fp8 (else matmul at the fp8 peak)", _mm),
    "mv": ("gemv (else matmul)", _mv), "addmv": ("gemv (else matmul)", _mv), "addmv_": ("gemv (else matmul)", _mv),
    "_fused_rms_norm": ("rms_norm (else layer_norm)", _rms_norm),
    "native_group_norm": ("group_norm (moments a block per group, then the scale and shift)", _group_norm),
    "logsumexp": ("reduction_last / reduction_outer(_max) + pointwise(_math): amax, x - max, exp_, sum, log_",
                  _logsumexp),
    "embedding": ("embedding / embedding_few (else gather_narrow / gather)", _embedding),
    "_embedding_bag_forward_only": ("gather (a row a lookup, the bags summed)", _embedding),
    "_embedding_bag": ("gather (a row a lookup, the bags summed)", _embedding),
    "glu": ("pointwise_broadcast / pointwise_math (a * sigmoid(b) over the halves)", _glu),
    "tril_indices": ("elementwise (its output written)", _pointwise),
    "triu_indices": ("elementwise (its output written)", _pointwise),
    "index_fill_": ("pointwise_broadcast (the selected slices written)", _index_fill),
    "index_fill": ("pointwise_broadcast (the selected slices written)", _index_fill),
    "reflection_pad1d": ("copy_strided (a thread an output)", _edge_pad),
    "reflection_pad2d": ("copy_strided (a thread an output)", _edge_pad),
    "replication_pad1d": ("copy_strided (a thread an output)", _edge_pad),
    "replication_pad2d": ("copy_strided (a thread an output)", _edge_pad),
    "index_select": ("gather_few (<= 16 indices) / gather_narrow / gather", _index_select),
    "index_copy_": ("index_copy (row scatter; else gather_narrow / gather)", _index_copy),
    "index_copy": ("index_copy (row scatter; else gather_narrow / gather)", _index_copy),
    "cat": (COPIES, _materialise),
    "clone": (COPIES, _materialise),
    "contiguous": (COPIES, _materialise),
    "copy_": (COPIES, _materialise),
    "stack": (COPIES, _materialise),
    "repeat": (COPIES, _materialise),
    "_to_copy": ("cast / cast_fp32 / cast_fp8 / cast_from_fp8 (else elementwise) / copy_h2d + sync", _to_copy),
    "mean": ("reduction_last / reduction_narrow / reduction_outer", _reduction),
    "sum": ("reduction_last / reduction_narrow / reduction_outer", _reduction),
    "amax": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "amin": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "argmax": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "any": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "all": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "topk": ("topk_singleblock / topk_multiblock", _topk),
    "linalg_vector_norm": ("reduction_last / reduction_narrow / reduction_outer", _reduction),
    "native_layer_norm": ("layer_norm (else pointwise)", _layer_norm),
    "gather": ("gather_elements (else gather_narrow / gather)", _gather),
    "index_add_": ("index_add (a row scatter-add; else gather_narrow / gather)", _index_add),
    "index_add": ("index_add (a row scatter-add; else gather_narrow / gather)", _index_add),
    "nonzero_static": ("select", _select),
    "nonzero": ("select + sync (the host learns the count)", _nonzero),
    "baddbmm": ("bmm", _baddbmm),
    "index": ("index_gather (x[idx]); a bool mask: select + sync + gather", _index),
    "_unsafe_index": ("index_gather (x[idx]); a bool mask: select + sync + gather", _index),
    "sort": ("sort / sort_segmented / sort_inplace (rows <= 4096)", _sort),
    "argsort": ("sort / sort_segmented / sort_inplace (rows <= 4096)", _sort),
    "cumsum": ("scan / scan_device (one row)", _scan), "cumprod": ("scan / scan_device (one row)", _scan),
    "multinomial": ("multinomial", _multinomial),
    "eye": ("elementwise / pointwise_narrow (the fill) + pointwise_broadcast (the diagonal)", _eye),
    "constant_pad_nd": ("pointwise (the fill) + copy_strided (the input into it)", _pad),
    "convolution": ("conv_depthwise(_cudnn / _nhwc) (groups = channels) / conv_layout x 3 + conv_gemm(_sm80 / "
                    "_narrow) / conv_first_layer (cuDNN's implicit GEMM, NHWC) / conv_simt (NCHW, few channels) / "
                    "matmul (2-D 1 x 1), + pointwise_broadcast (the bias)", _convolution),
    "repeat_interleave": ("copy_cat / copy_strided + sync without output_size", _repeat_interleave),
    "tril": ("tril (else pointwise)", _tril), "triu": ("tril (else pointwise)", _tril),
    "masked_scatter": ("copy_cat + copy_expand + scan_device + pointwise (clone, mask, scan, scatter)",
                       _masked_scatter),
    "masked_scatter_": ("copy_expand + scan_device + pointwise (mask, scan, scatter)", _masked_scatter),
    "isinf": ("pointwise(_broadcast) x 2: abs, then == inf", _isinf),
    "native_batch_norm": ("batch_norm (eval mode; training: roofline, assumed)", _batch_norm),
    "_native_batch_norm_legit_no_training": ("batch_norm", _batch_norm),
    "upsample_nearest2d": ("upsample_nearest", _upsample),
    "upsample_bilinear2d": ("upsample_bilinear (a thread a position walking the channels)", _upsample),
    "upsample_bicubic2d": ("upsample_bicubic (a thread a position walking the channels)", _upsample),
    "max_pool2d_with_indices": ("pool (a thread an output, its window)", _pool),
    "avg_pool2d": ("pool (a thread an output, its window)", _pool),
    "bucketize": ("searchsorted (a binary search an element)", _searchsorted),
    "searchsorted": ("searchsorted (a binary search an element)", _searchsorted),
    "_euclidean_dist": ("pointwise + reduction + pointwise_fill + copy_cat + bmm_fp32 / matmul_fp32 + pointwise "
                        "(cdist's norms, widened sides, one product, clamp and sqrt)", _euclidean_dist),
}
for _bases, _row in (
        (("max", "min", "argmin", "prod", "var", "std", "var_mean", "std_mean", "nansum",
          "count_nonzero", "norm", "aminmax"),
         ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction)),
        (("_softmax", "_safe_softmax", "softmax", "_log_softmax", "log_softmax"),
         ("softmax_warp / softmax_last (last dim) / softmax", _softmax)),
        (("index_put_", "index_put", "_index_put_impl_"),
         ("index_put / index_put_accumulate (x[idx] = v); a bool mask: masked_fill or select + sync", _index_put)),
        (("scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce", "scatter_reduce_"),
         ("scatter / scatter_add (an element scatter)", _scatter)),
        (("flip",), ("copy_strided (an offset an element)", _materialise)),
        (("roll",), ("roll a rolled dim (a clone first where strided)", _roll)),
        (tuple(RANDOM_FILLS), ("random (a distribution kernel: stores only)", _random)),
        (("linspace",), ("pointwise_arange (an index kernel: stores only)", _linspace)),
        (("grid_sampler_2d",), ("grid_sample (a thread a position walking the channels)", _grid_sample)),
        (("im2col",), ("copy_strided (a thread a window)", _im2col)),
        (("log_sigmoid_forward",), ("pointwise_math", _pointwise)),
        (("masked_fill",), ("a copy + pointwise(_broadcast) (a clone, then masked_fill_ on it)", _masked_fill)),
        (("masked_fill_",), ("pointwise / pointwise_broadcast (in place)", _pointwise))):
    for _base in _bases:
        MAPPING.setdefault(_base, _row)
# in-place variants too (silu_, exp_, clamp_: the same kernel writing its input)
for _base in ELEMENTWISE | {f"{b}_" for b in ELEMENTWISE} | {"copy"}:
    MAPPING.setdefault(_base, ("pointwise / pointwise_broadcast / pointwise_math (else elementwise)", _pointwise))
for _base in VIEW | INPLACE_VIEWS | {"view", "t", "transpose", "unsqueeze", "squeeze", "expand", "slice", "select",
                                     "permute", "as_strided", "reshape", "flatten", "unflatten", "split", "chunk",
                                     "narrow", "diagonal"}:
    MAPPING.setdefault(_base, ("host_view (no kernel)", _host))

SDPA_CPU_OPS = frozenset({"_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_attention_math"})


def lower_op(op: AtenOp) -> tuple[Op, ...]:
    """The hetsim ops of one aten op (outside an SDPA call's attention kernel)."""
    entry = MAPPING.get(op.base)
    if entry is None:
        return _host(op) if op.alias else _unknown(op)
    if op.alias and entry[1] is not _host:
        return _host(op)
    return entry[1](op)


# ------------------------------------------------------------------------------------- attention
# GPUs on which PyTorch puts cuDNN's SDPA first (sdp_utils.cpp check_prefer_cudnn_attention: compute capability
# 9.0, 10.0, 10.3 with a cuDNN newer than 9.15.0)
CUDNN_FIRST_ARCHS = frozenset({90, 100, 103})


def cudnn_preferred(torch_version: str, cudnn_version: int | None) -> bool:
    """Whether a PyTorch build puts cuDNN's SDPA first on a GPU that allows it (`workload.cudnn_sdpa: auto`
    rather than `off`), from its version strings: 2.5.0 did (pytorch/pytorch#125343 re-landed); 2.5.1 made cuDNN
    opt-in (#138522) and so it stayed through 2.8; from 2.9 sdp_utils.cpp's check_prefer_cudnn_attention puts it
    first with a cuDNN newer than 9.15.0 (91500), which the 2.11 wheels bundle and earlier ones do not (the
    2.9 source first tested the cuDNN it was built with, >= 9.9: a 2.9 build is taken by the later rule)."""
    parts = [int(p) for p in re.findall(r"\d+", torch_version.split("+")[0])[:3]] + [0, 0, 0]
    version = tuple(parts[:3])
    if version < (2, 5, 0):
        return False
    if version == (2, 5, 0):
        return True
    if version < (2, 9, 0):
        return False
    return cudnn_version is not None and int(cudnn_version) > CUDNN_PREFERRED_ABOVE


CUDNN_PREFERRED_ABOVE = 91500  # cuDNN 9.15.0: check_prefer_cudnn_attention's bar
CUDNN_MAX_HEAD_DIM = 256  # cuDNN's fused forward on sm90 (profiled: 192 and 256 with a mask, realcode-more8)


def sdpa_backend(call: SdpaCall, arch: int | None, cudnn: bool = True) -> str:
    """The backend F.scaled_dot_product_attention picks on CUDA for this call, by PyTorch's rules
    (sdp_utils.cpp: priority order, then each backend's constraints). `arch`: the GPU's compute
    capability as 90 for 9.0 (None: not a CUDA GPU, no cuDNN). `cudnn`: the software puts cuDNN first
    where PyTorch >= 2.11 does (its wheels bundle a cuDNN newer than 9.15.0; checked on an H200 with
    torch 2.11 and cuDNN 9.19: cuDNN for every bf16 pattern transformers makes, memory-efficient for fp32 where
    its heads are aligned and not grouped, else math); False:
    PyTorch 2.5.1-2.10 wheels, TORCH_CUDNN_SDPA_DEPRIORITIZED=1 or enable_cudnn_sdp(False), whose
    order is flash, memory-efficient, math (cuDNN last: never reached, math takes every call)."""
    q, k = call.query, call.key
    half = q.dtype in ("bfloat16", "float16")
    d, dv = q.shape[-1], call.value.shape[-1]
    if not half and q.dtype != "float32":
        return "math"
    first = cudnn and arch in CUDNN_FIRST_ARCHS
    order = ("cudnn", "flash", "efficient") if first else ("flash", "efficient")
    for backend in order:
        if not half and backend != "efficient":
            continue  # cuDNN's and flash's kernels take 16-bit inputs only
        if backend == "cudnn" and max(d, dv) <= CUDNN_MAX_HEAD_DIM and dv % 8 == 0 and call.dropout_p == 0.0 and (
                call.attn_mask is None or len(call.attn_mask.shape) == 4):
            # a mask of fewer dims (a [1, L, S] window mask over every head) is left to the memory-efficient kernel
            # (profiled: realcode-check10's Qwen2.5-VL window attention ran fmha_cutlassF, 4-D masks cuDNN); heads of
            # 192 and 256 run cuDNN too (realcode-more8), and keys wider than the values (MLA's 192 / 128: profiled,
            # realcode-check9's and check16's prefill and decode ran cuDNN's flash fprop)
            return "cudnn"
        if backend == "flash" and call.attn_mask is None and d <= 256 and dv == d and (arch is None or arch >= 80) and (
                k.shape[-3] == q.shape[-3] or call.enable_gqa):
            # sdp_utils' check_head_dim_size_flash: the query's, key's and value's heads of one width
            return "flash"
        if backend == "efficient" and d % (8 if half else 4) == 0 and dv % (8 if half else 4) == 0 \
                and k.shape[-3] == q.shape[-3]:
            # sdp_utils' check_head_dim_size_mem_efficient asks alignment only: heads wider than 256 and fp32 inputs
            # run its kernels too (profiled on an H200: fmha_cutlassF_f16 / _f32 ..._gmem for heads of 512 and 384,
            # realcode-check12); heads a multiple of 8 elements in 16 bits, of 4 in fp32 (minimum_gemm_alignment);
            # grouped K/V heads it leaves to math (no GQA in its shape check)
            return "efficient"
    return "math"


def lower_sdpa(call: SdpaCall, arch: int | None, decode: bool, cudnn: bool = True) -> tuple[Op, ...]:
    """One SDPA call as the CUDA backend runs it. `decode`: one new token per sequence (a query
    group folded into the query length by the caller is still decode); `arch`, `cudnn`: as
    `sdpa_backend`."""
    q, k = call.query, call.key
    batch = q.shape[0] if len(q.shape) == 4 else 1
    heads, q_len, d = q.shape[-3], q.shape[-2], q.shape[-1]
    kv_heads, kv_len = k.shape[-3], k.shape[-2]
    dtype = hdtype(q)
    backend = sdpa_backend(call, arch, cudnn)
    # one query per sequence and head is a decode step whoever calls it (cuDNN then runs its split-KV decode kernel
    # and a reduction, profiled: a GQA step over 4000 keys in 11 us, where the prefill kernel's price said 32)
    decode = decode or q_len == 1
    mask = call.attn_mask
    if backend != "math":
        mask_bytes = nbytes(mask) if mask is not None else 0
        causal = call.is_causal and mask is None
        if heads % kv_heads:  # heads that do not group are a shape error in PyTorch too
            kv_heads = heads
        # a boolean mask's conversion to an additive one (scalar_tensor, scalar_tensor, where) is in the trace
        # before the call's attention op: priced there, not here
        return (SdpaAttention(batch, heads, kv_heads, q_len, kv_len, d, dtype, causal, backend=backend,
                              mask_bytes=mask_bytes, decode=decode, name=f"sdpa_{backend}"),)
    return _sdpa_math(call, batch, heads, kv_heads, q_len, kv_len, d)


def _sdpa_math(call: SdpaCall, batch: int, heads: int, kv_heads: int, q_len: int, kv_len: int,
               d: int) -> tuple[Op, ...]:
    """SDPA's math path as attention.cpp's _scaled_dot_product_attention_math runs it: since PyTorch 2.5 a 16-bit call
    is computed in fp32 (unless torch.backends.cuda.allow_fp16_bf16_reduction_math_sdp(True)): q, k and v cast up,
    q and k^T each scaled by the square root of the scale, the K/V heads repeated for GQA, scores and values by bmm
    in fp32, the mask added, softmax, and both the output and the attention weights cast back down. Profiled
    (realcode-check15's MLA decode over 576-wide keys, no fused kernel takes it): fp32 copies, fp32 multiplies and
    cuBLAS's fp32 gemv kernels, 11 ms where the 16-bit path's price said 2.5."""
    q, k, v = call.query, call.key, call.value
    dv = v.shape[-1]
    bh = batch * heads
    upcast = q.dtype in ("bfloat16", "float16")
    e = 4 if upcast else q.itemsize  # the math's element width
    dtype = "fp32" if upcast else hdtype(q)
    ops: list[Op] = []

    def cast(t: TensorMeta, to: str, name: str) -> tuple[Op, ...]:  # the cast as _to_copy prices it, named
        up = AtenOp("aten._to_copy.default", (t,), (TensorMeta.dense(t.shape, to),), {"dtype": to})
        return tuple(replace(o, name=f"sdpa_math_{name}") for o in _to_copy(up))

    if upcast:
        for t, name in ((q, "q"), (k, "k"), (v, "v")):
            ops += cast(t, "float32", f"upcast_{name}")
    ops.append(Pointwise(bh * q_len * d, 2 * bh * q_len * d * e, "math:scale", name="sdpa_math_scale"))
    if kv_heads != heads:
        kv = batch * heads * kv_len * (d + dv) * e
        ops.append(Materialise(kv // (heads // kv_heads), kv, "math:repeat_kv", name="sdpa_math_repeat_kv"))
    ops.append(Pointwise(bh * kv_len * d, 2 * bh * kv_len * d * e, "math:scale_k", name="sdpa_math_scale_k"))
    ops.append(Matmul(q_len, kv_len, d, batch=bh, dtype=dtype, shared_b=False, name="sdpa_math_qk"))
    if call.attn_mask is not None or call.is_causal:
        ops.append(Pointwise(bh * q_len * kv_len, 3 * bh * q_len * kv_len * e, "math:mask", name="sdpa_math_mask"))
    ops.append(Softmax(bh * q_len, kv_len, dtype, name="sdpa_math_softmax"))
    ops.append(Matmul(q_len, dv, kv_len, batch=bh, dtype=dtype, shared_b=False, name="sdpa_math_pv"))
    if upcast:  # the output and the attention weights back to the call's dtype
        for shape, name in (((bh, q_len, dv), "out"), ((bh, q_len, kv_len), "weights")):
            ops += cast(TensorMeta.dense(shape, "float32"), q.dtype, f"downcast_{name}")
    return tuple(ops)


def table_rows() -> list[tuple[str, str]]:
    """(aten op, regime) rows of the mapping, grouped by regime (for `hetsim stacks --ops`)."""
    rows = [(k, v[0]) for k, v in MAPPING.items()]
    rows.append(("scaled_dot_product_attention (SdpaCall)",
                 "cuDNN: attention_decode / attention_prefill (attention_masked with a mask); flash: "
                 "attention_flash_decode / attention_flash_prefill; memory-efficient: attention_efficient_decode; "
                 "math: bmm+softmax (backend by GPU and workload.cudnn_sdpa)"))
    rows.append(("(any other aten op)", "aten_unknown: roofline from the datasheet, assumed"))
    rows.append(("(module call)", "host_module: Python overhead per nn.Module call, assumed"))
    rows.append(("(blocking host->GPU copy)", "host_sync: the host waits for the GPU (serialises host and device)"))
    rows.append(("(SDPA, cuDNN, new shape)", "host_sdpa_plan: cuDNN graph build per new K/V length, assumed"))
    return sorted(rows, key=lambda r: (r[1], r[0]))
