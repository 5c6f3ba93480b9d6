"""Spatial ops of image models: padding (constant, reflection, replication), interpolation, pooling, grid_sample,
im2col, roll and pixel (un)shuffle."""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.ops import Op, Pointwise
from hetsim.stacks.aten_copies import _dense_copy, _one_pass
from hetsim.stacks.aten_pointwise import _stores, stores_only
from hetsim.stacks.aten_shapes import _name, nbytes, strided
from hetsim.tracing.trace import AtenOp, TensorMeta


def _edge_pad(op: AtenOp) -> tuple[Op, ...]:
    # reflection_pad1d / 2d (ReflectionPad.cu) and replication_pad1d / 2d: a thread an output element computing its
    # mirrored or clamped source, the input read and the output written element by element: ATen's strided copy's
    # pace
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, "copy_strided", name=_name(op)),)


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


def _upsample(op: AtenOp) -> tuple[Op, ...]:
    """F.interpolate on a GPU (UpSampleNearest2d.cu, UpSampleBilinear2d.cu, UpSampleBicubic2d.cu; profiled:
    realcode-more17). Nearest: a thread an output element, one input read: the bytes, or an element rate
    (`upsample_nearest`). Bilinear and bicubic: a thread an output position, each looping over every (sample,
    channel) one after another (4 or 16 inputs a step): 32 x 32 bicubic outputs over 1024 channels ran 410 us, ~0.3-0.5
    us a step, bilinear's ~0.2: the steps a thread walks (`walk`: samples x channels) or the bytes, whichever binds
    (`upsample_bilinear`, `upsample_bicubic`)."""
    x, out = op.inputs[0], op.outputs[0]
    moved = nbytes(x) + nbytes(out)
    if "nearest" in op.base:  # upsample_nearest*d and _upsample_nearest_exact*d (mode="nearest-exact"): one read each
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


def _diagonal_copy(op: AtenOp) -> tuple[Op, ...]:
    """torch.diagonal(...).clone() as diagonal_copy: the diagonal's elements read a row plus one apart and stored, the
    strided copy over the output (roofline priced the whole matrix: +957 %, realcode-check26)."""
    out = op.outputs[0]
    return (Pointwise(out.numel, 2 * nbytes(out), op.name, "copy_strided", name=_name(op)),)


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


def _pixel_shuffle(op: AtenOp) -> tuple[Op, ...]:
    """F.pixel_shuffle / pixel_unshuffle (PixelShuffle.cpp): a reshape, a permute and a contiguous copy of the permuted
    view, ATen's strided copy kernel over the output (priced as that clone)."""
    x = op.inputs[0]
    r = int(op.args.get("upscale_factor", op.args.get("downscale_factor", 1)) or 1)
    *batch, c, h, w = x.shape
    if op.base == "pixel_shuffle":  # (.., c, h, w) as (.., c / r^2, r, r, h, w) read in (.., c / r^2, h, r, w, r) order
        shape = (*batch, c // (r * r), h, r, w, r)
        dims = (*range(len(batch)), len(batch), len(batch) + 3, len(batch) + 1, len(batch) + 4, len(batch) + 2)
        source = (*batch, c // (r * r), r, r, h, w)
    else:  # (.., c, h, w) as (.., c, h / r, r, w / r, r) read in (.., c, r, r, h / r, w / r) order
        shape = (*batch, c, r, r, h // r, w // r)
        dims = (*range(len(batch)), len(batch), len(batch) + 2, len(batch) + 4, len(batch) + 1, len(batch) + 3)
        source = (*batch, c, h // r, r, w // r, r)
    stride = TensorMeta.dense(source, x.dtype).stride
    view = TensorMeta(shape, tuple(stride[d] for d in dims), x.dtype, True, False)
    return tuple(replace(o, aten=op.name) for o in _dense_copy(view, op))
