"""DeepSeek sparse attention (DSA, DeepSeek-V3.2) on an MLA model.

Prepare:   the lightning indexer's projections of the new token: its key (hidden -> head_dim,
           LayerNorm, RoPE on the rope dims; appended to the index cache), its query heads (from
           the query latent) and per-head weights (from the hidden state).
Relevancy: per cached token, sum over index heads of w_h * relu(q_h . k). Eager PyTorch runs a
           bmm, a ReLU and a weighted head sum, so every head's scores touch memory. Variants of
           the stored keys: bf16; fp8 (one byte per dim + a 4-byte scale per key; a GPU without
           fp8 matrix units dequantises them to bf16 first); 'lut', product-quantised (one byte
           code per sub-vector, scored by lookups into a per-query table of sub-vector products).
Retrieval: top-k tokens per request (index_topk, 2048 in DeepSeek-V3.2).
Apply:     MLA attention in its absorbed (MQA) form over the k selected latent rows.
On an FPGA, Relevancy + Retrieval fuse into the lightning-indexer kernel: the index stays in
FPGA memory; the new key and the query cross PCIe, the k token ids come back.

In prefill every prompt token picks its own top-k among its prefix; the paper offloads only
decode, so the prefill indexer (scores and top-k) runs with Prepare on the GPU and the index
then becomes resident on the Relevancy device.
`layers` simulates only the first layers: DeepSeek-V3.2 (671B) fits no single device.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from hetsim.hardware.fpga_catalogue import DSA_KERNEL, DSA_LUT_KERNEL
from hetsim.ops import Cast, Elementwise, FpgaKernel, Gather, LatentAttention, Matmul, Op, Reduction, TopK, dtype_bytes
from hetsim.workloads.base import LayerWork, Method, MethodParams, StepWork
from hetsim.workloads.common import INDEX_ID_BYTES, byte_copy, causal_pairs, mean_keys, topk_pairs

FP8_SCALE_BYTES = 4  # one fp32 scale per fp8 key (DeepSeek-V3.2's indexer cache)
LUT_ENTRY = "fp16"  # the per-query table of sub-vector dot products


def rope_ops(vectors: int, rope: int, dim: int, dtype: str, name: str) -> list[Op]:
    """RoPE on the first `rope` of `dim` channels of `vectors` vectors as eager PyTorch runs it: the two
    halves times cos and sin (four multiplies, cos and sin broadcast over the heads), a subtract and an
    add, and the rotated halves concatenated back with the other channels (torch.cat), as DeepSeek's
    reference does (split, rotate the rope part, cat). Traced in hetsim/method_code/dsa.py."""
    half = vectors * rope // 2
    return [*[Elementwise(half, 1, dtype, 1.0, name=f"{name}_mul")] * 4,
            *[Elementwise(half, 2, dtype, 1.0, name=f"{name}_add")] * 2,
            byte_copy(vectors * dim * dtype_bytes(dtype), f"{name}_cat")]


class DSAParams(MethodParams):
    top_k: int | None = Field(None, gt=0, description="tokens attended per step (default: the model's index_topk)")
    index_heads: int | None = Field(None, gt=0, description="indexer heads (default: the model's)")
    index_head_dim: int | None = Field(None, gt=0, description="indexer head dim (default: the model's)")
    indexer: Literal["bf16", "fp8", "lut"] = Field("bf16", description="how index keys are stored and scored")
    pq_subspaces: int = Field(16, gt=0, description="lut: sub-vectors per key, one byte code each")
    pq_codebook: int = Field(64, gt=0, le=256, description="lut: codebook entries per sub-vector (paper: 64)")
    layers: int | None = Field(None, gt=0, description="simulate only the first N layers (reported in results)")


class DSA(Method):
    name = "dsa"
    description = "DeepSeek sparse attention: lightning indexer, top-k tokens, sparse MLA"
    Params = DSAParams
    fpga_kernels = (DSA_KERNEL, DSA_LUT_KERNEL)

    def check(self) -> None:
        p, w, m = self.p, self.workload, self.model
        if m.mla is None:
            raise ValueError(f"method dsa needs an MLA model (one with `mla:`, e.g. DeepSeek-V3.2), got {m.name}")
        ix = m.indexer
        self.heads = p.index_heads or (ix.heads if ix else None)
        self.dim = p.index_head_dim or (ix.head_dim if ix else None)
        self.top_k = p.top_k or (ix.topk if ix else None)
        for field_name, value in (("index_heads", self.heads), ("index_head_dim", self.dim), ("top_k", self.top_k)):
            if value is None:
                raise self.bad(field_name, f"{m.name} has no `indexer:`; give {field_name}")
        if self.top_k > w.context_tokens:
            raise self.bad("top_k", f"top-k of {self.top_k} tokens exceeds the {w.context_tokens}-token context")
        if m.mla.qk_rope_head_dim > self.dim:
            raise self.bad("index_head_dim", f"{self.dim} is smaller than the rope dims ({m.mla.qk_rope_head_dim})")
        if p.indexer == "lut" and self.dim % p.pq_subspaces:
            raise self.bad("pq_subspaces", f"{p.pq_subspaces} sub-vectors do not divide index_head_dim {self.dim}")
        if p.layers is not None:
            if p.layers > m.layers:
                raise self.bad("layers", f"{p.layers} exceeds {m.name}'s {m.layers} layers")
            self.full_layers = m.layers
            self.model = m.model_copy(update={"layers": p.layers})

    def layer_kind(self, layer: int) -> str:
        return "sparse"

    def notes(self) -> list[str]:
        if self.p.layers is None:
            return []
        return [f"simulating {self.p.layers} of {self.full_layers} layers of {self.model.name} "
                "(workload.params.layers): times, energy and memory cover those layers only"]

    @property
    def fpga_kernel(self) -> str:
        """The FPGA build that runs the indexer: the int16 inner-product kernel, or for 'lut' the
        paper's product-quantised lookup-table kernel (pq_lut_topk)."""
        return DSA_LUT_KERNEL if self.p.indexer == "lut" else DSA_KERNEL

    # ---------------------------------------------------------------- sizes
    @property
    def key_bytes(self) -> int:
        """Stored bytes of one token's index key."""
        return {"bf16": 2 * self.dim, "fp8": self.dim + FP8_SCALE_BYTES, "lut": self.p.pq_subspaces}[self.p.indexer]

    @property
    def query_bytes(self) -> int:
        """Bytes of one token's indexer query as Relevancy consumes it (lut: its lookup table)."""
        p, h = self.p, self.heads
        return {"bf16": 2 * h * self.dim, "fp8": h * self.dim + FP8_SCALE_BYTES * h,
                "lut": dtype_bytes(LUT_ENTRY) * h * p.pq_subspaces * p.pq_codebook}[p.indexer] + 4 * h

    @property
    def macs_per_key(self) -> int:
        return self.heads * (self.p.pq_subspaces if self.p.indexer == "lut" else self.dim)

    def index_bytes_per_layer(self, batch: int, context: int) -> int:
        return batch * context * self.key_bytes

    def indexer_weight_bytes(self) -> int:
        m = self.model
        per_layer = m.mla.q_lora_rank * self.heads * self.dim + m.hidden * (self.dim + self.heads) + 2 * self.dim
        return dtype_bytes(m.dtype) * per_layer * m.layers

    def resident_bytes(self, batch: int, tokens: int, kind_of) -> dict[str, int]:
        out = super().resident_bytes(batch, tokens, kind_of)
        out["prepare"] = out.get("prepare", 0) + self.indexer_weight_bytes()
        return out

    def fpga_topk(self) -> list[tuple[str, str, int]]:
        return [("top_k", self.fpga_kernel, self.top_k)]

    # ---------------------------------------------------------------- ops
    def prepare_ops(self, tokens: int) -> list[Op]:
        """The indexer projections of `tokens` new tokens, and appending their keys."""
        m, p, h, dim = self.model, self.p, self.heads, self.dim
        d, rope = m.dtype, m.mla.qk_rope_head_dim
        ops: list[Op] = [
            Matmul(tokens, dim, m.hidden, dtype=d, name="indexer_wk"),
            Elementwise(tokens * dim, 1, d, 8.0, 2 * dim, name="indexer_k_layernorm"),
            *rope_ops(tokens, rope, dim, d, "indexer_k_rope"),
            Matmul(tokens, h * dim, m.mla.q_lora_rank, dtype=d, name="indexer_wq"),
            *rope_ops(tokens * h, rope, dim, d, "indexer_q_rope"),
            Matmul(tokens, h, m.hidden, dtype=d, name="indexer_head_weights"),
        ]
        if p.indexer == "fp8":
            ops.append(Cast(tokens * (h + 1) * dim, d, "fp8", name="indexer_fp8_quant"))
        elif p.indexer == "lut":
            sub, c = dim // p.pq_subspaces, p.pq_codebook
            ops += [  # encode the new key (nearest centroid per sub-vector), tabulate the query
                Matmul(tokens, c, sub, batch=p.pq_subspaces, dtype=d, shared_b=False, name="pq_encode_key"),
                Reduction(tokens * p.pq_subspaces, c, d, "min", name="pq_nearest"),
                Matmul(tokens * h, c, sub, batch=p.pq_subspaces, dtype=d, shared_b=False, name="pq_query_table"),
            ]
        ops.append(byte_copy(tokens * self.key_bytes, "index_append"))
        return ops

    def score_ops(self, rows: int, queries: int, keys: int) -> list[Op]:
        """Indexer scores of `queries` queries per row against `keys` cached keys each, eager."""
        p, h, dim = self.p, self.heads, self.dim
        ops: list[Op] = []
        if p.indexer == "lut":
            # one table row (all heads) per key and sub-vector; rows repeat, but the lookups are priced as
            # distinct reads (the source taken as long as the lookups), not the small table's L2 hits
            lookups = rows * queries * keys * p.pq_subspaces
            ops += [Gather(lookups, h * dtype_bytes(LUT_ENTRY), lookups, name="index_lut_lookup"),
                    Reduction(rows * queries * keys * h, p.pq_subspaces, LUT_ENTRY, "sum", name="index_lut_sum")]
        else:
            if p.indexer == "fp8":
                ops.append(Cast(rows * keys * dim, "fp8", "bf16", name="index_k_dequant"))
            ops.append(Matmul(h * queries, keys, dim, batch=rows, dtype="bf16", shared_b=False, name="index_qk"))
        ops += [
            Elementwise(rows * queries * h * keys, 1, "bf16", 1.0, name="index_relu"),
            Matmul(1, keys, h, batch=rows * queries, dtype="bf16", shared_b=False, name="index_head_sum"),
        ]
        if p.indexer == "fp8":
            # relu(q.k s) = s relu(q.k) for the key's scale s > 0: the head sum is scaled once per key,
            # bf16 scores times the fp32 scale in place (2 + 4 + 2 bytes a key: as three bf16 inputs)
            ops.append(Elementwise(rows * queries * keys, 3, "bf16", 1.0, name="index_key_scale"))
        return ops

    def attention(self, batch: int, q_len: int, kv_len: int) -> LatentAttention:
        m = self.model
        a = m.mla
        return LatentAttention(batch, m.q_heads, 1, q_len, kv_len, a.kv_lora_rank + a.qk_rope_head_dim, m.dtype,
                               v_dim=a.kv_lora_rank, name="sparse_mla")

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        m, k, b = self.model, self.top_k, batch
        e, a = dtype_bytes(m.dtype), m.mla
        k = min(k, context)
        hidden_bytes = b * (m.hidden + a.q_lora_rank) * e  # hidden state and query latent
        delta = b * (self.key_bytes + self.query_bytes)
        score_bytes = b * context * e
        ids_bytes = b * k * INDEX_ID_BYTES
        q_bytes = b * m.q_heads * (a.kv_lora_rank + a.qk_rope_head_dim) * e
        kernel = dict(kernel=self.fpga_kernel, n_items=context, item_bytes=self.key_bytes,
                      macs_per_item=self.macs_per_key,
                      rows=b, resident_bytes=self.index_bytes_per_layer(b, context) * m.layers)
        prepare = StepWork("prepare", {"gpu": tuple(self.prepare_ops(b))}, (("model", hidden_bytes),), delta)
        relevancy = StepWork(
            "relevancy",
            {"gpu": tuple(self.score_ops(b, 1, context)),
             "fpga": (FpgaKernel(k=0, out_bytes=score_bytes, name="indexer_scores", **kernel),)},
            (("prepare", delta),), score_bytes)
        retrieval = StepWork("retrieval", {"gpu": (TopK(b, context, k, m.dtype, name="topk_tokens"),)},
                             (("relevancy", score_bytes),), ids_bytes)
        apply = StepWork("apply", {"gpu": (self.attention(b, 1, k),)},
                         (("retrieval", ids_bytes), ("model", q_bytes)), b * m.q_heads * a.kv_lora_rank * e)
        fused = {(("relevancy", "retrieval"), "fpga"): (
            FpgaKernel(k=k, out_bytes=ids_bytes, name="lightning_indexer_topk", **kernel),)}
        return LayerWork((prepare, relevancy, retrieval, apply), fused)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        m, b = self.model, batch
        new = new_tokens or context
        e, a = dtype_bytes(m.dtype), m.mla
        keys = mean_keys(causal_pairs(new, context), new)
        k = min(self.top_k, keys)
        prepare_ops = [*self.prepare_ops(b * new), *self.score_ops(b, new, keys),
                       TopK(b * new, keys, k, m.dtype, name="topk_tokens")]
        index = self.index_bytes_per_layer(b, context)
        hidden_bytes = b * new * (m.hidden + a.q_lora_rank) * e
        prepare = StepWork("prepare", {"gpu": tuple(prepare_ops)}, (("model", hidden_bytes),), index)
        upload = StepWork("relevancy", {"gpu": (), "fpga": ()}, (("prepare", index),), 0)
        selected = mean_keys(topk_pairs(new, context, self.top_k), new)
        q_bytes = b * new * m.q_heads * (a.kv_lora_rank + a.qk_rope_head_dim) * e
        apply = StepWork("apply", {"gpu": (self.attention(b, new, selected),)}, (("model", q_bytes),),
                         b * new * m.q_heads * a.kv_lora_rank * e)
        return LayerWork((prepare, upload, apply))
