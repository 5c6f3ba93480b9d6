"""Casts (_to_copy): Copy.cu's conversion kernels by source and destination dtype, and a host-to-GPU copy."""

from __future__ import annotations

from hetsim.ops import Copy, Op, Pointwise
from hetsim.stacks.aten_shapes import _name, _sync, broadcast, iteration_dims, nbytes, same_dense_layout
from hetsim.tracing.trace import AtenOp


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
    elif out.dtype == "float32" and src.dtype not in ("float32", "float64"):
        regime = "cast_fp32"
    elif src.dtype == out.dtype or (src.dtype == "float32" and out.dtype in ("float16", "bfloat16")):
        regime = "cast"
    else:
        # Copy.cu's direct_copy_kernel_cuda vectorises only fp32 down to fp16 / bf16 (gpu_kernel_nocast); any other
        # pair of dtypes (a float to int32 for packing, to or from fp64) is gpu_kernel's dynamic-casting unrolled loop,
        # cast_unrolled's kernel (fp16 to int32 ran 0.36 G elements a ms, bf16 to fp64 0.25, where a vectorised cast's
        # bytes said 2x faster: realcode-check17, -check20, -check24; fitted on realcode-more33's). fp64 down to fp32
        # is that kernel too, with 8-byte loads cast_fp32's 16-bit ones never had
        regime = "cast_unrolled"
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
