"""Convolutions as PyTorch runs them on a GPU: depthwise kernels (ATen's or cuDNN's), cuDNN's implicit GEMMs with their
layout kernels, 1 x 1 GEMMs, transposed convolutions, and the bias added after."""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.hardware.launch import tiled
from hetsim.ops import Convolution, Matmul, Op, Pointwise
from hetsim.stacks.aten_copies import _dense_copy
from hetsim.stacks.aten_dispatch import _unknown
from hetsim.stacks.aten_pointwise import _pointwise
from hetsim.stacks.aten_shapes import _name, channels_last, channels_last_4d, hdtype, nbytes, same_dense_layout
from hetsim.tracing.trace import AtenOp, TensorMeta


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
    x_last = channels_last(x)
    # a strided input (Mamba's and speech models' x.transpose(1, 2)) made contiguous first (direct_copy); cuDNN takes
    # a channels-last one as it is, 2-D or 3-D (NHWC, NDHWC)
    made_contiguous = () if contiguous or x_last else _dense_copy(x, op)
    if groups > 1 and groups == channels:
        if channels_last_4d(x) and x.itemsize == 2:
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
    if one_by_one and x.dtype != "float32" and x_last:
        # NHWC rows times the weight: one GEMM over every position
        return (Matmul(samples * positions, outputs, contraction, batch=groups, dtype=hdtype(x),
                       aten=op.name, name=_name(op)), *_conv_bias(op, bias, out))
    if one_by_one and x.dtype != "float32" and contiguous:
        return (Matmul(outputs, positions, contraction, batch=samples * groups, dtype=hdtype(x),
                       aten=op.name, name=_name(op)), *_conv_bias(op, bias, out))
    w_last = channels_last(w)
    algo = cudnn_algo(x, w, groups, op.args, nchw=not (x_last or w_last))
    # the input the filter touches (a strided 1 x 1 reads a quarter of it), never more than the input
    read = min(nbytes(x), samples * positions * taps * channels * x.itemsize)
    as_is = algo == "simt" or one_by_one
    path = "as-is" if as_is else "nhwc" if x_last or w_last else "nchw"
    gemm = Convolution(samples * positions, outputs, contraction, batch=groups, dtype=hdtype(x), aten=op.name,
                       input_bytes=read, algo=algo, taps=taps, family=f"{len(x.shape) - 2}d {path}", name=_name(op))
    if as_is:
        # over the NCHW tensors as they lie: the CUDA-core kernels, an fp32 1 x 1's TF32 GEMM (profiled:
        # sm90_xmma_gemm_f32f32_tf32f32, CUTLASS's s1688gemm), no layout kernels
        return (*made_contiguous, gemm, *_conv_bias(op, bias, out))
    # PyTorch hands cuDNN channels-last tensors where the input or the weight is channels-last (the other made so by
    # ATen's copy); two NCHW ones as they are, and cuDNN's layout kernels transpose the input and the weight to NHWC
    # and the output back around its GEMM
    if x_last or w_last:
        return (*_to_channels_last(op, x_last, w_last), gemm, *_conv_bias(op, bias, out))
    return (*made_contiguous, *_around_nchw(op, gemm), *_conv_bias(op, bias, out))


def _to_channels_last(op: AtenOp, x_last: bool, w_last: bool) -> tuple[Op, ...]:
    """ATen's copies of the input or the weight into channels-last where the other one is (cuDNN then runs on NHWC /
    NDHWC tensors with no layout kernels of its own; profiled: conv-sweep's channels_last_3d convolutions ran their
    implicit GEMM alone, an odd channel count padded by nhwcAddPaddingKernel)."""
    x, w = op.inputs[0], op.inputs[1]
    return (() if x_last else _dense_copy(x, op)) + (() if w_last else _dense_copy(w, op))


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
    x_last, w_last = channels_last(x), channels_last(w)
    made_contiguous = () if contiguous or x_last else _dense_copy(x, op)
    hopper = samples * math.prod(x.shape[2:]) >= DGRAD_HOPPER_POSITIONS and hopper_tiles(channels, outputs)
    gemm = Convolution(samples * positions, outputs, channels * taps, dtype=hdtype(x), aten=op.name,
                       input_bytes=nbytes(x), algo="implicit_gemm" if hopper else "implicit_gemm_sm80", taps=taps,
                       family=f"{len(x.shape) - 2}d dgrad", name=_name(op))
    if x_last or w_last:
        # channels-last tensors go to cuDNN as they lie, as for a forward convolution
        return (*_to_channels_last(op, x_last, w_last), gemm, *_conv_bias(op, bias, out))
    return (*made_contiguous, *_around_nchw(op, gemm), *_conv_bias(op, bias, out))


# input positions (samples x positions) from which cuDNN ran its Hopper dgrad kernels for a transposed convolution
# (realcode-more19: 4,000-65,536 did; 1,369-1,600 ran CUTLASS's Ampere-style dgrad)
DGRAD_HOPPER_POSITIONS = 2048


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
