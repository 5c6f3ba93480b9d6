"""How to read a trace's attention: the SDPA call as the Python code made it, and what CUDA runs for it.

A trace is recorded on fake CPU tensors, so the aten op inside each SDPA call is the CPU kernel
`_scaled_dot_product_flash_attention_for_cpu`, whatever a GPU would run. Pricing must not read that
op's name. It reads the trace's `SdpaCall` records instead (query, key, value, attn_mask, is_causal,
enable_gqa, scale; `ops[first_op:end_op]` are the aten ops the call dispatched) and replaces the
CPU attention op in that span by the CUDA backend PyTorch would pick for the same arguments.
Ops in the span before the attention op are real on CUDA too: a boolean mask is turned into an
additive one by `scalar_tensor`, `scalar_tensor`, `where` on every device.

Checked on an H200 (torch 2.11.0+cu130, transformers 5.17.0, experiments/trace_vs_cuda.py):
outside SDPA spans, the fake CPU trace of a 2-layer Llama-3.1-8B (prefill and decode, DynamicCache
and StaticCache) is the same aten sequence, at the same shapes, as the real CUDA forward; inside,
CUDA dispatched `_scaled_dot_product_cudnn_attention` for every bf16 pattern transformers produces
(decode with `enable_gqa`, decode with heads repeated by `repeat_kv` and a mask, a mask with
`enable_gqa`, the query group folded into the query length, causal prefill), and fp32 fell back
to the math path (a chain of mul/expand/clone/bmm/_safe_softmax/bmm, heads repeated by clone).
PyTorch's choice depends on its version and the GPU (flash, memory-efficient, cuDNN, math), so the
backend is a function of (call, torch version, device), decided by the pricing step.

Torch-free: reads `SdpaCall` records only.
"""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.tracing.trace import SdpaCall


@dataclass(frozen=True)
class AttentionShape:
    """The sizes a backend choice and a time model need, read off one SDPA call."""

    batch: int
    q_heads: int
    kv_heads: int
    q_len: int
    kv_len: int
    head_dim: int
    v_head_dim: int
    mask: str  # "none", "bool" or "additive" (a float mask)
    is_causal: bool
    gqa: str  # "none" (as many K/V heads as query heads), "native" (enable_gqa) or "unsupported" (heads differ)
    dtype: str


def shape(call: SdpaCall) -> AttentionShape:
    q, k, v = call.query, call.key, call.value
    mask = "none" if call.attn_mask is None else ("bool" if call.attn_mask.dtype == "bool" else "additive")
    if k.shape[-3] == q.shape[-3]:
        gqa = "none"
    else:
        gqa = "native" if call.enable_gqa else "unsupported"
    return AttentionShape(q.shape[0] if len(q.shape) == 4 else 1, q.shape[-3], k.shape[-3], q.shape[-2],
                          k.shape[-2], q.shape[-1], v.shape[-1], mask, call.is_causal, gqa, q.dtype)
