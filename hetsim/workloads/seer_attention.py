"""SeerAttention-R (Qwen3-8B): a learned gate picks the KV blocks each decode step attends.

Prepare:   the AttnGate. Keys are pooled per block of `block_size` tokens (max, min and mean,
           kept as running values while a block fills) and, when a block completes, projected
           (3 x head_dim -> gate_dim) per KV head; the queries of a KV group are projected
           (group x head_dim -> gate_dim) every step.
Relevancy: per block, the inner product of the gate query with the pooled block key, softmaxed
           over blocks (the gate's probabilities), per request and KV head.
Retrieval: budget mode: the top k = token_budget / block_size blocks; threshold mode: every
           block whose probability exceeds `threshold` (a data-dependent count, modelled by the
           expected fraction of blocks selected, `selected_fraction`).
Apply:     block-sparse attention over the selected blocks and the block being filled.
Prefill attends densely (SeerAttention-R sparsifies decode) and builds the pooled block keys.
On an FPGA, Relevancy + Retrieval fuse into the inner-product kernel (the authors' SeerAttention-R
token-budget indexer); in threshold mode it streams out the ids above the threshold.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from hetsim.ops import (
    INDEX_BYTES,
    Attention,
    Cast,
    Elementwise,
    FpgaKernel,
    Matmul,
    Pointwise,
    Reduction,
    Softmax,
    TopK,
    dtype_bytes,
)
from hetsim.workloads.base import LayerWork, Method, MethodParams, StepWork
from hetsim.workloads.common import INDEX_ID_BYTES, byte_copy
from hetsim.workloads.dense import Dense

FPGA_KERNEL = "inner_product_topk"
POOLS = 3  # max, min and mean of the keys of a block, concatenated


class SeerParams(MethodParams):
    block_size: int = Field(64, gt=0, description="tokens per gated KV block")
    gate_dim: int = Field(128, gt=0, description="width of the gate's pooled query and key")
    mode: Literal["budget", "threshold"] = Field("budget", description="top-k by token budget, or threshold")
    token_budget: int = Field(4096, gt=0, description="budget mode: tokens attended per step")
    threshold: float = Field(0.01, description="threshold mode: gate probability a block needs, in (0, 1]")
    selected_fraction: float = Field(0.1, description="threshold mode: expected fraction of blocks selected, in (0, 1]")


class SeerAttention(Method):
    name = "seer_attention"
    description = "SeerAttention-R: AttnGate over pooled key blocks, top-k or threshold, block-sparse attention"
    Params = SeerParams
    fpga_kernels = (FPGA_KERNEL,)

    def check(self) -> None:
        p, w = self.p, self.workload
        if p.mode == "budget":
            if p.token_budget % p.block_size:
                raise self.bad("token_budget", f"{p.token_budget} is not a multiple of block_size {p.block_size}")
            if p.token_budget > w.context_tokens:
                raise self.bad("token_budget", f"{p.token_budget} tokens exceed the {w.context_tokens}-token context")
        for field_name in ("threshold", "selected_fraction"):
            value = getattr(p, field_name)
            if not 0 < value <= 1:
                raise self.bad(field_name, f"{value} is outside (0, 1]")
        if p.block_size > w.context_tokens:
            raise self.bad("block_size", f"{p.block_size} exceeds the {w.context_tokens}-token context")
        self._dense = Dense(Dense.Params(), w, self.model)

    def blocks(self, context: int) -> int:
        """Complete blocks the gate scores (the block being filled is always attended)."""
        return context // self.p.block_size

    def selected(self, context: int) -> int:
        p, n = self.p, self.blocks(context)
        k = p.token_budget // p.block_size if p.mode == "budget" else math.ceil(p.selected_fraction * n)
        return max(1, min(k, n))

    def index_bytes_per_layer(self, batch: int, context: int) -> int:
        return batch * self.blocks(context) * self.model.kv_heads * self.p.gate_dim * dtype_bytes(self.model.dtype)

    def gate_weight_bytes(self) -> int:
        m, g = self.model, self.p.gate_dim
        per_layer = m.kv_heads * g * (POOLS * m.head_dim + (m.q_heads // m.kv_heads) * m.head_dim)
        return dtype_bytes(m.dtype) * per_layer * m.layers

    def resident_bytes(self, batch: int, tokens: int, kind_of) -> dict[str, int]:
        out = super().resident_bytes(batch, tokens, kind_of)
        out["prepare"] = out.get("prepare", 0) + self.gate_weight_bytes()
        return out

    def fpga_topk(self) -> list[tuple[str, str, int]]:
        p = self.p
        return [("token_budget", FPGA_KERNEL, p.token_budget // p.block_size)] if p.mode == "budget" else []

    def key_projection(self, rows: int) -> Matmul:
        """Pooled block keys (3 x head_dim) -> gate keys, one weight per KV head."""
        m = self.model
        return Matmul(rows, self.p.gate_dim, POOLS * m.head_dim, batch=m.kv_heads, dtype=m.dtype, shared_b=False,
                      name="gate_k_proj")

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        m, p, b = self.model, self.p, batch
        e, d, g, gd = dtype_bytes(m.dtype), m.head_dim, m.q_heads // m.kv_heads, p.gate_dim
        rows, n, k = b * m.kv_heads, self.blocks(context), self.selected(context)
        prepare_ops = [
            Elementwise(POOLS * b * m.kv_heads * d, 2, m.dtype, 1.0, name="block_pool_update"),
            Matmul(b, gd, g * d, batch=m.kv_heads, dtype=m.dtype, shared_b=False, name="gate_q_proj"),
        ]
        new_block = context % p.block_size == 0  # this token completes a block: project its pooled key
        if new_block:
            prepare_ops.append(self.key_projection(b))
        q_gate = rows * gd * e
        delta = q_gate + (rows * gd * e if new_block else 0)
        score_bytes = rows * n * e
        ids_bytes = rows * k * INDEX_ID_BYTES
        q_bytes = b * m.q_heads * d * e
        kernel = dict(kernel=FPGA_KERNEL, n_items=n, item_bytes=gd * e, macs_per_item=gd, rows=rows,
                      resident_bytes=self.index_bytes_per_layer(b, context) * m.layers)
        prepare = StepWork("prepare", {"gpu": tuple(prepare_ops)},
                           (("model", b * (m.q_heads + m.kv_heads) * d * e),), delta)
        relevancy = StepWork(
            "relevancy",
            {"gpu": (Matmul(1, n, gd, batch=rows, dtype=m.dtype, shared_b=False, name="gate_scores"),
                     Softmax(rows, n, m.dtype, name="gate_softmax")),
             "fpga": (FpgaKernel(k=0, out_bytes=score_bytes, name="gate_scores", **kernel),)},
            (("prepare", delta),), score_bytes)
        if p.mode == "budget":
            select = (TopK(rows, n, k, m.dtype, name="topk_blocks"),)
        else:  # compare (a boolean per block), then compact the selected ids: torch.nonzero reads the
            # booleans and writes (row, block) int64 pairs (traced: hetsim/method_code/seer_attention.py)
            select = (Cast(rows * n, m.dtype, "int8", name="gate_threshold"),
                      Pointwise(rows * n, rows * n + rows * k * 2 * INDEX_BYTES, name="select_nonzero"))
        retrieval = StepWork("retrieval", {"gpu": select}, (("relevancy", score_bytes),), ids_bytes)
        attended = k * p.block_size + context % p.block_size
        attention = Attention(b, m.q_heads, m.kv_heads, 1, attended, d, m.dtype, name="block_sparse_attention")
        apply = StepWork("apply", {"gpu": (attention,)}, (("retrieval", ids_bytes), ("model", q_bytes)), q_bytes)
        fused_k = k if p.mode == "budget" else 0
        fused = {(("relevancy", "retrieval"), "fpga"): (
            FpgaKernel(k=fused_k, out_bytes=ids_bytes, name="gate_topk_blocks", **kernel),)}
        return LayerWork((prepare, relevancy, retrieval, apply), fused)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        m, b = self.model, batch
        dense = self._dense.prefill_layer(kind, b, context, new_tokens)
        n, d = self.blocks(context), m.head_dim
        index = self.index_bytes_per_layer(b, context)
        pool_ops = tuple(Reduction(b * n * m.kv_heads * d, self.p.block_size, m.dtype, how, name=f"block_{how}")
                         for how in ("max", "min", "sum"))
        # the reference AttnGate concatenates the three pooled keys before projecting them (torch.cat):
        # 3% of this step's bytes at block_size 64 (hetsim/method_code/seer_attention.py traces it)
        concat = byte_copy(POOLS * b * n * m.kv_heads * d * dtype_bytes(m.dtype), "block_pool_concat")
        prepare = StepWork("prepare", {"gpu": (*pool_ops, concat, self.key_projection(b * n))}, (), index)
        upload = StepWork("relevancy", {"gpu": (), "fpga": ()}, (("prepare", index),), 0)
        return LayerWork((prepare, upload, *dense.steps))
