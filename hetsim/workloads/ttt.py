"""Test-time training with large chunks (TTT / LaCT): every layer keeps per-request fast weights
(a SwiGLU MLP per head) that it trains on the context chunk by chunk and applies to its queries.

Prepare:   the backward pass: gradients of the fast weights over a chunk of `chunk_tokens`,
           orthogonalised by `muon_steps` Newton-Schulz iterations (LaCT's Muon update), and the
           weight update.
Relevancy: the loss: the fast weights' forward pass over the chunk's keys, scored against its
           values (negative inner product).
Retrieval: none.
Apply:     the forward pass of the fast weights on the queries, beside sliding-window attention
           (LaCT's hybrid block), and the fast-weight q/k/v projections.
In decode an update runs once `chunk_tokens` new tokens have arrived. There is no FPGA lowering:
the update is dense matmuls over a whole chunk (hundreds of FLOP per byte at 2K tokens),
compute-bound work that the paper keeps on the GPU; its paper placement is GPU-only.
"""

from __future__ import annotations

from pydantic import Field

from hetsim.ops import Attention, Elementwise, Matmul, Op, Reduction, dtype_bytes
from hetsim.workloads import models as llm
from hetsim.workloads.base import LayerWork, Method, MethodParams, StepWork
from hetsim.workloads.common import mean_keys, topk_pairs


class TTTParams(MethodParams):
    chunk_tokens: int = Field(2048, gt=0, description="tokens per fast-weight update (LaCT: large chunks)")
    fw_heads: int = Field(4, gt=0, description="fast-weight heads (the hidden size splits among them)")
    fw_hidden_ratio: float = Field(1.0, gt=0, description="fast-weight MLP width / head width")
    muon_steps: int = Field(5, ge=0, description="Newton-Schulz iterations of the Muon update")
    window_tokens: int = Field(2048, gt=0, description="sliding-window attention beside the fast weights")


class TTT(Method):
    name = "ttt"
    description = ("TTT / LaCT: fast-weight backward (Prepare), loss (Relevancy), forward (Apply); "
                   "GPU only (compute-bound, no FPGA lowering)")
    Params = TTTParams

    def check(self) -> None:
        p, w, m = self.p, self.workload, self.model
        if p.chunk_tokens > w.context_tokens:
            raise self.bad("chunk_tokens", f"{p.chunk_tokens} exceeds the {w.context_tokens}-token context")
        if m.hidden % p.fw_heads:
            raise self.bad("fw_heads", f"{p.fw_heads} heads do not divide the hidden size {m.hidden}")
        self.d = m.hidden // p.fw_heads
        self.h = max(1, round(p.fw_hidden_ratio * self.d))

    def notes(self) -> list[str]:
        update = self.update_ops(self.workload.batch, 1)
        flops, nbytes = sum(o.flops for o in update), sum(o.bytes for o in update)
        return [f"ttt has no FPGA lowering: a fast-weight update is dense matmuls over {self.p.chunk_tokens}-token "
                f"chunks ({flops / nbytes:.0f} FLOP/B), compute-bound, so the paper keeps TTT on the GPU"]

    def paper_placement(self, gpu: str, fpga: str) -> tuple[dict[str, str], int | None]:
        return {"prepare": gpu, "relevancy": gpu, "retrieval": gpu, "apply": gpu}, 1

    def fast_weight_bytes(self, batch: int) -> int:
        return batch * self.p.fw_heads * 3 * self.d * self.h * dtype_bytes(self.model.dtype)

    def resident_bytes(self, batch: int, tokens: int, kind_of) -> dict[str, int]:
        m = self.model
        window = min(tokens, self.p.window_tokens)
        return {"model": llm.weight_bytes(m) + llm.kv_bytes_per_token(m) * batch * window
                + 3 * m.hidden * m.hidden * dtype_bytes(m.dtype) * m.layers,
                "prepare": self.fast_weight_bytes(batch) * m.layers}

    # ---------------------------------------------------------------- ops
    def forward_ops(self, batch: int, tokens: int, what: str) -> list[Op]:
        """The fast-weight SwiGLU on `tokens` tokens per request (per-request weights: bmm)."""
        d, h, dt, rows = self.d, self.h, self.model.dtype, batch * self.p.fw_heads
        # SiLU and the product are two eager kernels (F.silu(a) * g; hetsim/method_code/ttt.py traces them)
        return [Matmul(tokens, h, d, batch=rows, dtype=dt, shared_b=False, name=f"fw_{what}_w1"),
                Matmul(tokens, h, d, batch=rows, dtype=dt, shared_b=False, name=f"fw_{what}_w3"),
                Elementwise(rows * tokens * h, 1, dt, 4.0, name=f"fw_{what}_silu"),
                Elementwise(rows * tokens * h, 2, dt, 1.0, name=f"fw_{what}_mul"),
                Matmul(tokens, d, h, batch=rows, dtype=dt, shared_b=False, name=f"fw_{what}_w2")]

    def loss_ops(self, batch: int, chunks: int) -> list[Op]:
        c, dt, hidden = self.p.chunk_tokens, self.model.dtype, self.model.hidden
        tokens = batch * chunks * c
        return [*self.forward_ops(batch * chunks, c, "key"),  # the inner product per token: multiply, then sum
                Elementwise(tokens * hidden, 2, dt, 1.0, name="fw_loss_mul"),
                Reduction(tokens * self.p.fw_heads, self.d, dt, "sum", name="fw_loss_sum")]

    def update_ops(self, batch: int, chunks: int) -> list[Op]:
        """Backward over `chunks` chunks per request, Muon, and the weight update."""
        c, d, h, dt = self.p.chunk_tokens, self.d, self.h, self.model.dtype
        rows = batch * chunks * self.p.fw_heads
        g = 3 * rows  # the three gradients, orthogonalised alike
        ops: list[Op] = [
            Elementwise(rows * c * d, 1, dt, 1.0, name="fw_grad_out"),
            Matmul(h, d, c, batch=rows, dtype=dt, shared_b=False, name="fw_grad_w2"),
            Matmul(c, h, d, batch=rows, dtype=dt, shared_b=False, name="fw_grad_hidden"),
            # the SiLU-product backward as eager kernels: d_hidden * silu(a), d_hidden * g, silu_backward
            Elementwise(rows * c * h, 2, dt, 1.0, name="fw_grad_gate_mul"),
            Elementwise(rows * c * h, 2, dt, 1.0, name="fw_grad_act_mul"),
            Elementwise(rows * c * h, 2, dt, 6.0, name="fw_silu_backward"),
            Matmul(d, h, c, batch=rows, dtype=dt, shared_b=False, name="fw_grad_w1"),
            Matmul(d, h, c, batch=rows, dtype=dt, shared_b=False, name="fw_grad_w3"),
            # Muon first scales each gradient to unit Frobenius norm (norm, + eps, divide)
            Reduction(g, d * h, dt, "sum", name="muon_norm"),
            Elementwise(g * d * h, 1, dt, 1.0, g, name="muon_normalise"),
        ]
        for _ in range(self.p.muon_steps):  # X <- aX + (bA + cA^2)X with A = X X^T, in the reference's eager form
            ops += [Matmul(d, d, h, batch=g, dtype=dt, shared_b=False, name="muon_gram"),
                    Elementwise(g * d * d, 1, dt, 1.0, name="muon_scale_b"),
                    Matmul(d, d, d, batch=g, dtype=dt, shared_b=False, name="muon_square"),
                    Elementwise(g * d * d, 1, dt, 1.0, name="muon_scale_c"),
                    Elementwise(g * d * d, 2, dt, 1.0, name="muon_poly_add"),
                    Elementwise(g * d * h, 1, dt, 1.0, name="muon_scale_a"),
                    Matmul(d, h, d, batch=g, dtype=dt, shared_b=False, name="muon_apply"),
                    Elementwise(g * d * h, 2, dt, 1.0, name="muon_add")]
        return ops + [Elementwise(g * d * h, 2, dt, 2.0, name="fw_update"),
                      Reduction(g * d, h, dt, "sum", name="fw_norm"),
                      Elementwise(g * d * h, 1, dt, 1.0, g * d, name="fw_renormalise")]

    def apply_ops(self, batch: int, tokens: int, context: int) -> list[Op]:
        m = self.model
        keys = mean_keys(topk_pairs(tokens, context, self.p.window_tokens), tokens)
        return [Matmul(batch * tokens, 3 * m.hidden, m.hidden, dtype=m.dtype, name="fw_qkv_proj"),
                *self.forward_ops(batch, tokens, "query"),
                Attention(batch, m.q_heads, m.kv_heads, tokens, keys, m.head_dim, m.dtype, name="window_attention"),
                Elementwise(batch * tokens * m.hidden, 2, m.dtype, 1.0, name="fw_attention_sum")]

    def layer(self, batch: int, tokens: int, context: int, chunks: int) -> LayerWork:
        m = self.model
        e = dtype_bytes(m.dtype)
        x = batch * tokens * m.hidden * e
        apply = StepWork("apply", {"gpu": tuple(self.apply_ops(batch, tokens, context))}, (("model", x),), x)
        if not chunks:
            return LayerWork((apply,))
        kv = batch * chunks * self.p.chunk_tokens * 2 * m.hidden * e
        loss = StepWork("relevancy", {"gpu": tuple(self.loss_ops(batch, chunks))}, (("model", kv),), kv)
        update = StepWork("prepare", {"gpu": tuple(self.update_ops(batch, chunks))}, (("relevancy", kv),), 0)
        return LayerWork((loss, update, apply))

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        return self.layer(batch, 1, context, 1 if context % self.p.chunk_tokens == 0 else 0)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        new = new_tokens or context
        return self.layer(batch, new, context, new // self.p.chunk_tokens)
