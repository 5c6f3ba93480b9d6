"""Dense attention: the baseline every method is compared with. No memory processing: Apply
attends to the whole KV cache."""

from __future__ import annotations

from hetsim.ops import Attention, dtype_bytes
from hetsim.workloads.base import LayerWork, Method, StepWork


class Dense(Method):
    name = "dense"
    description = "full attention over the whole KV cache (baseline)"

    stack_attention = True  # under an hf stack, Apply is the stack's cache write and SDPA call

    def _apply(self, batch: int, q_len: int, context: int, causal: bool) -> LayerWork:
        m = self.model
        e = dtype_bytes(m.dtype)
        stack = self.stack_ops()
        if stack is None:
            ops = (Attention(batch, m.q_heads, m.kv_heads, q_len, context, m.head_dim, m.dtype, causal,
                             name="attention"),)
        else:
            ops = stack.attention("prefill" if causal else "decode", batch, q_len, context - q_len)
        q_bytes = batch * q_len * m.q_heads * m.head_dim * e
        return LayerWork((StepWork("apply", {"gpu": ops}, (("model", q_bytes),), q_bytes),))

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        return self._apply(batch, 1, context, False)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        return self._apply(batch, new_tokens or context, context, True)
