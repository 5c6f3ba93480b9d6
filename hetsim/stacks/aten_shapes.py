"""What the lowerings read off a traced tensor: its hetsim dtype and stored bytes, its layout (broadcast, strided,
dense, channels-last) and how TensorIterator walks it against an output; the host sync a lowering may add."""

from __future__ import annotations

from hetsim.ops import HostCall
from hetsim.tracing.trace import AtenOp, TensorMeta

DTYPES = {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "float8_e4m3fn": "fp8", "int64": "int64",
          "int32": "int32", "int8": "int8", "int16": "int16", "bool": "int8", "uint8": "int8"}  # a bool is a byte


def _sync(op: AtenOp) -> HostCall:
    """The host waiting for the GPU after `op` (a blocking copy, or a count the host must read)."""
    return HostCall("sync", op.name, name="sync:" + _name(op))


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


SECTOR_BYTES = 32  # a global load's sector: reads closer than this share one


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


def reads_across(t: TensorMeta, step: int) -> bool:
    """Whether input `t`, stepping `step` elements along the output's fastest dim, puts neighbouring threads' elements
    a 32-byte sector or more apart (read across its layout: a sector each)."""
    return t.numel > 1 and abs(step) * t.itemsize >= SECTOR_BYTES


def span_bytes(t: TensorMeta, step: int) -> int:
    """Bytes an elementwise kernel loads for input `t` stepping `step` elements along the output's fastest dim
    (iteration_stride): its own, or the span it covers where it steps 2 or more elements apart inside a 32-byte sector
    (the sectors are read whole)."""
    step = abs(step)
    return nbytes(t) * step if 1 < step and step * t.itemsize < SECTOR_BYTES else nbytes(t)


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


def expanded(t: TensorMeta, shape: tuple[int, ...]) -> TensorMeta:
    """`t` expanded to `shape` (Tensor.expand: new leading dims and size-1 dims broadcast at stride 0)."""
    lead = len(shape) - len(t.shape)
    stride = tuple(0 if i < lead or t.shape[i - lead] == 1 and size != 1 else t.stride[i - lead]
                   for i, size in enumerate(shape))
    return TensorMeta(tuple(shape), stride, t.dtype, view=True, contiguous=False)


FP32_BYTES = 4
HALF_BYTES = 2  # a 16-bit element (bf16, fp16)


def channels_last(t: TensorMeta) -> bool:
    """A 4-D or 5-D tensor laid out channels-last (torch.channels_last / channels_last_3d: the channels the fastest
    dim) with channels to lay: what PyTorch hands cuDNN as NHWC / NDHWC (cudnn_conv_suggest_memory_format)."""
    return len(t.shape) in (4, 5) and t.shape[1] > 1 and t.stride[1] == 1 and same_dense_layout(t, t)


def channels_last_4d(t: TensorMeta) -> bool:
    """A 4-D tensor laid out channels-last (torch.channels_last: the channels the fastest dim) with channels to lay."""
    return len(t.shape) == 4 and t.shape[1] > 1 and t.stride[1] == 1 and same_dense_layout(t, t)
