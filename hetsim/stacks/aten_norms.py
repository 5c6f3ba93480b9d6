"""Row kernels: softmax and log_softmax, LayerNorm, RMSNorm, GroupNorm, and BatchNorm in eval mode."""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.hardware.launch import WARP, waves
from hetsim.ops import Op, Pointwise, Softmax
from hetsim.stacks.aten_copies import _dense_copy
from hetsim.stacks.aten_dispatch import _unknown
from hetsim.stacks.aten_shapes import FP32_BYTES, _name, channels_last_4d, hdtype, nbytes, strided
from hetsim.tracing.trace import AtenOp, TensorMeta


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
    return (Softmax(x.numel // max(cols, 1), cols, hdtype(x), aten=op.name, name=_name(op),
                    reads=1 if cols * x.itemsize <= SOFTMAX_SMEM_ROW_BYTES else SOFTMAX_PASSES),)


# SoftMax.cu: the block softmax keeps a row in shared memory where it fits a block's default 48 KB (less its
# reduction's few words); a longer row is read from global memory for its max, its sum and its output
SOFTMAX_SMEM_ROW_BYTES = 48 * 1024 - 1024
SOFTMAX_PASSES = 3


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
