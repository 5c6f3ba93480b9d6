"""Row kernels: softmax and log_softmax, LayerNorm, RMSNorm, GroupNorm, and BatchNorm."""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.hardware.launch import MAX_BLOCK_THREADS, SM_L1_BYTES, THREADS_PER_SM, WARP, spatial_softmax_steps, waves
from hetsim.ops import Op, Pointwise, Softmax
from hetsim.stacks.aten_copies import _dense_copy
from hetsim.stacks.aten_dispatch import lower_op
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
        # over a dim that is not the last: PyTorch's spatial softmax (cunn_SpatialSoftMaxForward; neighbouring threads
        # take neighbouring columns), three passes over the dim (its max, its sum, the output), the input read for
        # each, and each thread's loads one after another (launch.spatial_softmax_steps): few blocks over a long dim
        # run at a load's latency, not the bandwidth (a log_softmax over 49,408 of [128, 49408, 76] bf16 took 57 ms
        # on an H100, realcode-check32). log_softmax's output pass takes no exp: a regime of its own. A block's
        # columns over a short dim (19 classes of a segmentation map: 1,024 columns x 19 fp32, 78 KB) stay in its SM's
        # L1 between the passes, so only the first reads them from memory
        outer = x.numel // max(cols * inner, 1)
        walk = SOFTMAX_PASSES * spatial_softmax_steps(outer, cols, inner) * FP32_BYTES
        slab = min(inner, MAX_BLOCK_THREADS) * cols * x.itemsize
        reads = 1 if slab <= SPATIAL_SOFTMAX_L1_BYTES else SOFTMAX_PASSES
        moved = reads * nbytes(x) + sum(nbytes(t) for t in op.outputs)
        regime = "log_softmax_spatial" if op.base.startswith("_log_softmax") else "softmax_spatial"
        return (Pointwise(x.numel, moved, op.name, regime, walk=walk, name=_name(op)),)
    return (Softmax(x.numel // max(cols, 1), cols, hdtype(x), aten=op.name, name=_name(op),
                    reads=1 if cols * x.itemsize <= SOFTMAX_SMEM_ROW_BYTES else SOFTMAX_PASSES),)


# SoftMax.cu: the block softmax keeps a row in shared memory where it fits a block's default 48 KB (less its
# reduction's few words); a longer row is read from global memory for its max, its sum and its output
SOFTMAX_SMEM_ROW_BYTES = 48 * 1024 - 1024
SOFTMAX_PASSES = 3
# a spatial softmax block's columns the L1 keeps between its passes: its share of the SM's L1, two 1,024-thread blocks
# resident an SM (128 KB on an H100)
SPATIAL_SOFTMAX_L1_BYTES = SM_L1_BYTES // (THREADS_PER_SM // MAX_BLOCK_THREADS)


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
    (`batch_norm`, the two small kernels in its fixed cost). Training mode: `_batch_norm_training`."""
    if op.args.get("training", False):
        return _batch_norm_training(op)
    return (_batch_norm_transform(op),)


BN_BLOCK = 512  # Normalization.cu's MAX_BLOCK_SIZE: the statistics and transform kernels' threads a block


def batch_norm_trips(batch: int, channels: int, plane: int) -> int:
    """A thread's trips through its loop in training BatchNorm's two NCHW kernels, one after the other: the statistics
    kernel's block of BN_BLOCK threads walks a channel's batch x plane elements; the transform's blocks of (tf plane
    threads, BN_BLOCK / tf rows) cover (channel, up to 256 K / channels row groups), each thread its share of a plane's
    elements and of the rows (getNumThreads: the least of 32 ... 512 covering the plane)."""
    threads = next((t for t in (32, 64, 128, 256) if plane <= t), BN_BLOCK)
    rows = max(1, BN_BLOCK // threads)
    groups = max(1, min((256 * 1024) // max(channels, 1), math.ceil(batch / rows)))
    stats = math.ceil(batch * plane / BN_BLOCK)
    return stats + math.ceil(plane / threads) * math.ceil(math.ceil(batch / rows) / groups)


def _batch_norm_transform(op: AtenOp) -> Pointwise:
    x, out = op.inputs[0], op.outputs[0]
    params = sum(nbytes(t) for t in op.inputs[1:])
    # the NCHW kernel steps through its (sample, channel) planes, ~0.7 ns each however small (profiled: 64 x 960 planes
    # of 7 x 7 ran 38.5 us where their bytes say 3): the planes are its walk; the channels-last kernel has none
    planes = 0 if channels_last_4d(x) else math.prod(x.shape[:2])
    return Pointwise(out.numel, nbytes(x) + nbytes(out) + params, op.name, "batch_norm", walk=planes, name=_name(op))


def _batch_norm_training(op: AtenOp) -> tuple[Op, ...]:
    """F.batch_norm in training mode (batch statistics; Normalization.cu batch_norm_cuda, profiled on an H200:
    realcode-more32). batch_norm_choose_impl picks by the input's layout. A contiguous (N, C, ...) input runs
    batch_norm_collect_statistics_kernel, one block of 512 threads a channel, then batch_norm_transform_input_kernel,
    blocks over (channel, sample rows), each thread looping over its elements: whole planes of 262,144 ran 212 us in
    128 blocks, 64 channels of 524,288 elements 417, each thread's loop of dependent loads (~0.4 us a trip) the time
    where the blocks are few (`batch_norm_train`: both kernels, their threads' trips its walk). A 2-D or channels-last
    input runs the channels-last statistics kernel (`batch_norm_stats_cl`: its bytes) and the transform through
    TensorIterator's broadcast; any other layout (a BatchNorm1d over a transposed sequence) var_mean by the reduction
    kernels, then an elementwise kernel. Each beside the running statistics' update, a small kernel over the
    channels."""
    x, out = op.inputs[0], op.outputs[0]
    channels = x.shape[1] if len(x.shape) > 1 else 1
    update = Pointwise(channels, 6 * channels * FP32_BYTES, op.name, "pointwise", name=_name(op))
    if len(x.shape) >= 3 and x.contiguous:
        trips = batch_norm_trips(x.shape[0], channels, x.numel // max(x.shape[0] * channels, 1))
        train = Pointwise(x.numel, 2 * nbytes(x) + nbytes(out), op.name, "batch_norm_train",
                          walk=trips * FP32_BYTES, name=_name(op))
        return (train, update)
    if len(x.shape) == 2 or channels_last_4d(x):
        stats = Pointwise(x.numel, nbytes(x), op.name, "batch_norm_stats_cl", name=_name(op))
        params = sum(nbytes(t) for t in op.inputs[1:3])  # the weight and bias, broadcast over the rows
        transform = Pointwise(out.numel, nbytes(x) + nbytes(out) + params, op.name, "pointwise_broadcast",
                              name=_name(op))
        return (stats, update, transform)
    dims = [d for d in range(len(x.shape)) if d != 1]
    channel = TensorMeta.dense((channels,), "float32")
    stats = lower_op(AtenOp("aten.var_mean.correction", (x,), (channel, channel),
                            {"dim": dims, "correction": 0, "keepdim": False}, module=op.module))
    scale = TensorMeta(x.shape, tuple(1 if d == 1 else 0 for d in range(len(x.shape))), "float32", True, False)
    transform = lower_op(AtenOp("aten.mul.Tensor", (x, scale), (out,), {}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in (*stats, update, *transform))
