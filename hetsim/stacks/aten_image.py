"""Spatial ops of image models: padding (constant, reflection, replication), interpolation, pooling, grid_sample,
im2col, roll and pixel (un)shuffle."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

from hetsim.hardware.launch import ACCUMULATE_BYTES, SMS, WARP, waves
from hetsim.ops import Op, Pointwise
from hetsim.stacks.aten_copies import _dense_copy, _one_pass
from hetsim.stacks.aten_pointwise import _stores, stores_only
from hetsim.stacks.aten_shapes import SECTOR_BYTES, _name, channels_last_4d, nbytes, strided
from hetsim.tracing.trace import AtenOp, TensorMeta


def _edge_pad(op: AtenOp) -> tuple[Op, ...]:
    # reflection_pad1d / 2d / 3d (ReflectionPad.cu) and replication_pad1d / 2d / 3d: a thread an output element
    # computing its mirrored or clamped source, the input read and the output written element by element: a key of its
    # own (`pad_edge`; until fitted, ATen's strided copy's pace: the fit held three small 1-d pads, and the checks'
    # 2-d pads of 7-230 us ran ~1.3-1.7 TB/s where that key streams 3.4)
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, "pad_edge", name=_name(op)),)


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
    """F.interpolate on a GPU (UpSampleNearest2d.cu, UpSampleLinear1d.cu, UpSampleBilinear2d.cu, UpSampleBicubic2d.cu,
    UpSampleTrilinear3d.cu; profiled: realcode-more17). Nearest: a thread an output element, one input read: the bytes,
    or an element rate (`upsample_nearest`). Linear, bilinear, trilinear and bicubic: a thread an output position,
    each looping over every (sample, channel) one after another (_interpolate); but a channels-last bilinear input of
    16+ channels, which UpSampleBilinear2d.cu gives its NHWC kernel (a thread an output element reading its 4 taps), is
    priced like the nearest kernel's elements (5 operands)."""
    x, out = op.inputs[0], op.outputs[0]
    moved = nbytes(x) + nbytes(out)
    if "nearest" in op.base:  # upsample_nearest*d and _upsample_nearest_exact*d (mode="nearest-exact"): one read each
        return (Pointwise(out.numel, moved, op.name, "upsample_nearest", operands=2, name=_name(op)),)
    if "bilinear" in op.base and _channels_last(x) and x.shape[1] >= NHWC_MIN_CHANNELS:
        return (Pointwise(out.numel, moved, op.name, "upsample_nearest", operands=5, name=_name(op)),)
    if "bilinear" in op.base and tuple(x.shape) == tuple(out.shape):
        # at the same size a bilinear resize is a copy (realcode-check26: 16 x 64 x 32 x 32 fp32 ran 2.4 us, where the
        # kernel's walk over its 1,024 channels would take ~200); the bicubic kernel copies inside its loop instead
        # (realcode-more28: 2,048 channels of 16 x 16 at the same size, 315 us)
        return tuple(replace(o, aten=op.name) for o in _dense_copy(x, op))
    return (_interpolate(op, x, out),)


# UpSampleBilinear2d.cu's forward: a channels-last input of this many channels takes the NHWC kernel ("heuristic: only
# use channels_last path when it's faster"; its backward's threshold is 4); fewer run the NCHW kernel through the
# strides (interp-sweep on an H100: 18 x 4 x 53 x 67 fp32 channels-last ran 28 us, priced at 3 as NHWC elements)
NHWC_MIN_CHANNELS = 16
# threads a block of the interpolating kernels, by spatial dims: linear1d and trilinear3d min(maxThreadsPerBlock, 512),
# bilinear2d and bicubic2d 1,024
INTERP_BLOCK_THREADS = {1: 512, 2: 1024, 3: 512}
LINE_BYTES = 128  # an L1 line: the unit a warp's load is split into, one lookup each
SAMPLED_WARPS = 64  # warps whose lines are counted (evenly over the output); their mean stands for every warp's


def _channels_last(x: TensorMeta) -> bool:
    """channels_last_4d, less the tensors whose strides are NCHW's too: a [N, C, 1, 1] tensor (suggest_memory_format
    calls it contiguous, and the NCHW kernel runs)."""
    return channels_last_4d(x) and x.stride[3] == x.shape[1]


def _interpolate(op: AtenOp, x: TensorMeta, out: TensorMeta) -> Pointwise:
    """An interpolating resize's kernel (upsample_{linear1d,bilinear2d,bicubic2d,trilinear3d}_out_frame): blocks of
    INTERP_BLOCK_THREADS threads, a thread an output position, each walking every (sample, channel) one after another,
    2 / 4 / 8 / 16 taps a trip, read through the tensors' strides. A trip's loads are as coalesced as the layout makes
    them: over N, C, H, W a warp's 32 neighbouring positions read neighbouring pixels (a few 128-byte lines a tap),
    over a channels-last input each thread's pixel is a line of its own (a ViT's position embeddings permuted to N, C,
    H, W ran 3-18x its NCHW twin, realcode-more28). Three terms bound it (THREE_TERM_KEYS): the lines one SM's warps
    look up trip after trip (`lines`: an SM's L1 serves a lookup at a time, ~0.6 ns on an H200 whatever the layout);
    one thread's trips (`walk`: a trip's dependent taps); and the bytes those lines move from the L2, every warp's
    together (the op's bytes, LINE_TRAFFIC_KEYS: a 2x-upscaled batch of images moves 4-5x its tensors' bytes that way,
    and ran at ~6 TB/s of them where its tensors alone said ~1 TB/s)."""
    spatial = len(out.shape) - 2
    cubic = "bicubic" in op.base
    positions = math.prod(out.shape[2:])
    threads = INTERP_BLOCK_THREADS.get(spatial, 512)
    blocks = math.ceil(positions / threads)
    warps = math.ceil(min(positions, threads) / 32)
    trips = math.prod(out.shape[:2])
    per_warp_trip = interp_warp_lines(x, out, bool(op.args.get("align_corners")), cubic)
    moved = blocks * warps * trips * per_warp_trip * LINE_BYTES
    kind = "upsample_bicubic" if cubic else "upsample_bilinear"
    return Pointwise(out.numel, math.ceil(moved), op.name, kind, walk=trips * waves(blocks, threads),
                     lines=math.ceil(math.ceil(blocks / SMS) * warps * trips * per_warp_trip), name=_name(op))


def _source_index(scale: float, dst, align_corners: bool, cubic: bool):
    """UpSample.h area_pixel_compute_source_index: the cubic kernel's is not clamped at 0, the linear ones' is."""
    import numpy as np

    src = scale * dst if align_corners else scale * (dst + 0.5) - 0.5
    return src if cubic or align_corners else np.maximum(src, 0.0)


def _scale(size_in: int, size_out: int, align_corners: bool) -> float:
    if align_corners:
        return (size_in - 1) / (size_out - 1) if size_out > 1 else 0.0
    return size_in / size_out


def interp_warp_lines(x: TensorMeta, out: TensorMeta, align_corners: bool, cubic: bool) -> float:
    """128-byte lines a warp's loads and store touch in one trip of an interpolating kernel, the mean over SAMPLED_WARPS
    warps spread over the output: per tap, the distinct lines of its 32 threads' pixels at the input's strides (taps
    clamped at the edges, as the kernels read them), and the output's at its own. At the same size the kernels copy:
    one read a trip."""
    import numpy as np

    sizes, out_sizes = tuple(x.shape[2:]), tuple(out.shape[2:])
    positions = math.prod(out_sizes)
    warps = math.ceil(positions / 32)
    picked = np.unique(np.linspace(0, warps - 1, min(warps, SAMPLED_WARPS)).astype(np.int64))
    t = picked[:, None] * 32 + np.arange(32)[None, :]
    valid = t < positions
    coords, rest = [], t
    for size in reversed(out_sizes):  # row-major: the last dim runs fastest
        coords.insert(0, rest % size)
        rest = rest // size
    if sizes == out_sizes:
        taps = [coords]
    else:
        offsets = range(-1, 3) if cubic else range(2)
        firsts = [np.floor(_source_index(_scale(n, m, align_corners), c, align_corners, cubic)).astype(np.int64)
                  for n, m, c in zip(sizes, out_sizes, coords, strict=True)]
        taps = [[np.clip(f + k, 0, n - 1) for f, k, n in zip(firsts, ks, sizes, strict=True)]
                for ks in itertools.product(offsets, repeat=len(sizes))]

    def line(at, tensor: TensorMeta):
        return sum(c * s for c, s in zip(at, tensor.stride[2:], strict=True)) * tensor.itemsize // LINE_BYTES

    total = sum(_distinct_per_row(line(tap, x), valid) for tap in taps) + _distinct_per_row(line(coords, out), valid)
    return float(np.mean(total))


def _distinct_per_row(lines, valid):
    """Distinct values of each row of `lines` among its valid entries."""
    import numpy as np

    filled = np.where(valid, lines, -1)
    ordered = np.sort(filled, axis=1)
    changes = (np.diff(ordered, axis=1) != 0).sum(axis=1) + 1
    return changes - (~valid).any(axis=1)  # the -1 fill is one value, not a line


AA_INTERP = {"bilinear": 2, "bicubic": 4}  # the filter's support at scale 1, in input pixels (UpSample.h's interp_size)
AA_BLOCK_THREADS = 256  # threads a block of the antialiased kernel (a thread an output position)


def aa_taps(size_in: int, size_out: int, interp: int) -> int:
    """Inputs an antialiased resize's output reads along one dim (UpSample.h: support = interp_size / 2 x scale when
    shrinking, the window 2 ceil(support) + 1)."""
    scale = size_in / size_out
    return 2 * math.ceil(interp / 2 * max(scale, 1.0)) + 1


def _upsample_aa(op: AtenOp) -> tuple[Op, ...]:
    """F.interpolate(..., antialias=True) on a GPU (UpSampleBilinear2d.cu upsample_gen2d_aa_out_frame): a thread an
    output position computes its filter weights, then walks every (sample, channel) summing its window (the taps, which
    grow with the shrink factor: a 283 -> 10 bicubic resize reads ~115 x 115 inputs an output). Few positions leave
    most of the GPU idle and a thread's walk binds (a 10 x 10 output over 360 channels: 1.5 ms); many fill it and
    the taps' total does (`upsample_aa`: the bytes, the taps or the walk, whichever binds; rare-sweep)."""
    x, out = op.inputs[0], op.outputs[0]
    interp = AA_INTERP["bicubic" if "bicubic" in op.base else "bilinear"]
    taps = aa_taps(x.shape[-2], out.shape[-2], interp) * aa_taps(x.shape[-1], out.shape[-1], interp)
    positions = out.shape[-2] * out.shape[-1]
    rounds = waves(math.ceil(positions / AA_BLOCK_THREADS), AA_BLOCK_THREADS)
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, "upsample_aa", operands=taps,
                      walk=math.prod(out.shape[:2]) * taps * rounds, name=_name(op)),)


ADAPTIVE_THREADS = (32, 8)  # AdaptiveAveragePooling.cu: a block's threads over the output's width and height
ADAPTIVE_PLANE_BLOCKS = 16  # blocks over the output's rows: max(16 / planes, 1) a plane


def adaptive_window(size_in: int, size_out: int) -> int:
    """Inputs an adaptive pool's output averages along one dim: the widest of its start_index / end_index windows."""
    return max(math.ceil((o + 1) * size_in / size_out) - (o * size_in) // size_out for o in range(size_out))


def adaptive_launch(x: TensorMeta, out: TensorMeta) -> tuple[int, int, int]:
    """An adaptive pool's launch (AdaptiveAveragePooling.cu, AdaptiveMaxPooling2d.cu alike): (the widest output's
    window in inputs, the blocks: max(16 / planes, 1) a plane, the outputs each thread walks one after another)."""
    window = adaptive_window(x.shape[-2], out.shape[-2]) * adaptive_window(x.shape[-1], out.shape[-1])
    planes = math.prod(x.shape[:-2])
    row_blocks = max(ADAPTIVE_PLANE_BLOCKS // max(planes, 1), 1)
    width, height = ADAPTIVE_THREADS
    per_thread = math.ceil(out.shape[-1] / width) * math.ceil(out.shape[-2] / (height * row_blocks))
    return window, planes * row_blocks, per_thread


def _adaptive_pool(op: AtenOp) -> tuple[Op, ...]:
    """adaptive_avg_pool2d on a GPU (AdaptiveAveragePooling.cu adaptive_average_pool): a block of 32 x 8 threads a
    (sample, channel) plane (max(16 / planes, 1) of them over its rows), each thread averaging its outputs' windows one
    input after another: a 79 x 79 map pooled to 2 x 2 over 5 planes leaves four threads each summing 1,600 inputs
    (45 us). `pool_adaptive`: the bytes (read a window row at a time, ~1 TB/s), the windows' total or a thread's walk
    (its outputs' windows), whichever binds; rare-sweep. (Counting the walk once a wave of planes fitted the sweep
    better, 18 against 25 % median, and the checks' pyramid pools over 16,384 planes worse: not kept.)"""
    x, out = op.inputs[0], op.outputs[0]
    window, _, per_thread = adaptive_launch(x, out)
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, "pool_adaptive", operands=window,
                      walk=window * per_thread, name=_name(op)),)


def _adaptive_max_pool(op: AtenOp) -> tuple[Op, ...]:
    """adaptive_max_pool2d on a GPU (AdaptiveMaxPooling2d.cu adaptivemaxpool): launched as the average's kernel, a
    block of 32 x 8 threads a plane, each thread walking its outputs' windows, but timed otherwise: the walk binds once
    a wave of resident blocks (8 an SM), each step costing the warp a load for each of its busy lanes (their windows a
    sector or more apart). pool-special-sweep on an H100: ~20-40 ns a lane's step for 1 x 1, 2 x 2 and 4 x 4 outputs
    over 390-65,536 planes (`pool_adaptive_max`: the bytes, or that walk)."""
    x, out = op.inputs[0], op.outputs[0]
    window, blocks, per_thread = adaptive_launch(x, out)
    width, height = ADAPTIVE_THREADS
    lanes = min(out.shape[-1], width)
    rounds = waves(blocks, width * height)
    written = sum(nbytes(t) for t in op.outputs)
    return (Pointwise(out.numel, nbytes(x) + written, op.name, "pool_adaptive_max", operands=window,
                      walk=rounds * window * per_thread * lanes * ACCUMULATE_BYTES, name=_name(op)),)


POOL_THREADS = 256  # DilatedMaxPool2d.cu's BLOCK_THREADS; AveragePool2d.cu's larger blocks fill an SM alike
POOL_3D_BLOCK = (32, 8)  # DilatedMaxPool3d.cu / AveragePool3d.cu: a block's threads over an output plane's (W, H)


def pool_kernel(op: AtenOp, dims: int) -> list[int]:
    """A max / average pool's window over its `dims` last dims (a single size stands for every dim)."""
    kernel = [int(k) for k in (op.args.get("kernel_size") or [1])]
    return kernel * dims if len(kernel) == 1 else kernel[-dims:]


def _pool(op: AtenOp) -> tuple[Op, ...]:
    """max_pool2d / avg_pool2d and their 3-D forms on a GPU (DilatedMaxPool2d.cu max_pool_forward_nchw,
    AveragePool2d.cu; DilatedMaxPool3d.cu, AveragePool3d.cu; profiled: realcode-more17): a thread an output, its
    window read one element after another, a max pool's index written beside it. Where the outputs fill the GPU (more
    threads than one wave, at least a warp's worth busy a block), a fixed cost per output or the taps' issue binds
    (`pool`, the floor form).
    Where they do not, a thread's walk over its window does (`pool_walk`): a load its warp waits on at each step, in
    waves of the threads the GPU holds, beside the bytes and the taps. A global pool leaves few threads each walking
    its whole plane: 14,406 planes of 53 x 53 fp32 ran 1.23 ms on an H100, 437 ns a step from HBM, 22 x 22 ones
    ~110 ns from the L2 (pool-special-sweep): a warp of lanes in different sectors waits on one of them nearly every
    step. The 3-D kernels give a block of 32 x 8 threads one output plane (of a sample, channel and depth): a global
    3-D pool runs one busy thread a block, which waits only where its walk leaves a sector (~100-220 ns each, as the
    2-D pools' steps). (One three-term form for every pool put the checks' 2 x 2 pools of millions of outputs 30-100 %
    over on the H100: their fixed cost per output, ~12-16 ps, is no term of it.)"""
    x, out = op.inputs[0], op.outputs[0]
    three_d = "3d" in op.base
    kernel = pool_kernel(op, 3 if three_d else 2)
    window, width = math.prod(kernel), kernel[-1]
    moved = nbytes(x) + sum(nbytes(t) for t in op.outputs)
    if three_d:  # a block's busy threads: its plane's outputs, up to 32 along a row, 8 rows
        ow, oh = out.shape[-1], out.shape[-2]
        bx, by = POOL_3D_BLOCK
        lanes, busy = min(bx, ow), min(bx, ow) * min(by, oh)
        rounds = waves(math.ceil(ow / bx) * math.ceil(oh / by) * (out.numel // max(ow * oh, 1)), bx * by)
    else:
        lanes = busy = min(WARP, out.numel)
        rounds = waves(math.ceil(out.numel / POOL_THREADS), POOL_THREADS)
    if rounds > 1 and busy >= WARP:
        return (Pointwise(out.numel, moved, op.name, "pool", operands=window + 1, walk=out.numel, name=_name(op)),)
    # a lone thread (a global 3-D pool's) misses once a sector of its rows; a warp's lanes, or an NHWC pool's
    # (max_pool_forward_nhwc: lanes over neighbouring channels), at nearly every step
    one_lane = lanes == 1 and not channels_last_4d(x)
    misses = math.ceil(width * x.itemsize / SECTOR_BYTES) * (window // width) if one_lane else window
    return (Pointwise(out.numel, moved, op.name, "pool_walk", operands=window + 1,
                      walk=rounds * misses * ACCUMULATE_BYTES, name=_name(op)),)


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
    if len(x.shape) == 5 and taps > 1:  # grid_sampler_3d: trilinear, 8 inputs an output (its only other mode nearest)
        taps = 8
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
