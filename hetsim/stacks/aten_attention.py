"""F.scaled_dot_product_attention: the backend PyTorch picks for a call (cuDNN, flash, memory-efficient, math) and
the fused kernel or the math path's ops it becomes."""

from __future__ import annotations

import re
from dataclasses import replace

from hetsim.ops import Materialise, Matmul, Op, Pointwise, SdpaAttention, Softmax
from hetsim.stacks.aten_casts import _to_copy
from hetsim.stacks.aten_shapes import hdtype, nbytes
from hetsim.tracing.trace import AtenOp, SdpaCall, TensorMeta

SDPA_CPU_OPS = frozenset({"_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_attention_math"})


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
        if backend == "cudnn" and max(d, dv) <= CUDNN_MAX_HEAD_DIM and dv % 8 == 0 and call.dropout_p == 0.0 and \
                _cudnn_takes_mask(call):
            # heads of 192 and 256 run cuDNN too (realcode-more8), and keys wider than the values (MLA's 192 / 128:
            # profiled, realcode-check9's and check16's prefill and decode ran cuDNN's flash fprop)
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


def _cudnn_takes_mask(call: SdpaCall) -> bool:
    """sdp_utils' check_attn_mask_shape, one of cuDNN's constraints: no mask, or a 2-D [L, S] one, or a 4-D one (its
    other checks, batch and head dims of 1 or the query's, hold for any mask that broadcasts). A 1-D or 3-D mask (a
    [1, L, S] window over every head) is left to the memory-efficient kernel. Profiled: realcode-check10's and
    check14's 3-D masks ran fmha_cutlassF, check16's [77, 77] and check19's [592, 592] cuDNN's flash fprop."""
    return call.attn_mask is None or len(call.attn_mask.shape) in (2, 4)


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
