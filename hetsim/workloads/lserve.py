"""LServe / Quest query-aware page selection.

Prepare:   per KV page (page_size tokens), the channel-wise min and max of its keys.
Relevancy: per page, sum over channels of max(q*kmin, q*kmax); with GQA, summed over the
           q heads of a KV group. On a GPU this is two batched GEMVs, since
           max(q*kmin, q*kmax) = relu(q)*kmax + min(q, 0)*kmin channel by channel.
Retrieval: top-k pages (k = token_budget / page_size) per request and KV head.
Apply:     block-sparse attention over the selected pages (paged, no gather copy).
The first `dense_layers` layers attend densely, as Quest does.
On an FPGA, Relevancy + Retrieval fuse into the `page_minmax_topk` kernel: the scores never
leave the chip; only the query, the new page metadata and the top-k page ids cross PCIe.
"""

from __future__ import annotations

import math

from pydantic import Field

from hetsim.ops import Attention, Elementwise, FpgaKernel, Matmul, Reduction, TopK, dtype_bytes
from hetsim.workloads.base import LayerWork, Method, MethodParams, StepWork
from hetsim.workloads.dense import Dense

INDEX_ID_BYTES = 4  # page ids sent back from the FPGA as int32
FPGA_KERNEL = "page_minmax_topk"


class LServeParams(MethodParams):
    page_size: int = Field(16, gt=0, description="tokens per KV page")
    token_budget: int = Field(1024, gt=0, description="tokens attended per step (top-k pages x page size)")
    dense_layers: int = Field(2, ge=0, description="leading layers that keep dense attention")


class LServe(Method):
    name = "lserve"
    description = "LServe/Quest: page min/max index, top-k pages, block-sparse attention"
    Params = LServeParams
    fpga_kernels = (FPGA_KERNEL,)

    def check(self) -> None:
        p, w, m = self.p, self.workload, self.model
        if p.token_budget % p.page_size:
            raise self.bad("token_budget", f"{p.token_budget} is not a multiple of page_size {p.page_size}")
        pages = math.ceil(w.context_tokens / p.page_size)
        if self.top_k > pages:
            raise self.bad(
                "token_budget",
                f"top-k of {self.top_k} pages (token_budget / page_size) exceeds the {pages} pages "
                f"of a {w.context_tokens}-token context",
            )
        if p.dense_layers > m.layers:
            raise self.bad("dense_layers", f"{p.dense_layers} exceeds the model's {m.layers} layers")
        self._dense = Dense(Dense.Params(), w, m)

    @property
    def top_k(self) -> int:
        return self.p.token_budget // self.p.page_size

    def fpga_topk(self) -> list[tuple[str, str, int]]:
        return [("token_budget", FPGA_KERNEL, self.top_k)]

    def layer_kind(self, layer: int) -> str:
        return "dense" if layer < self.p.dense_layers else "sparse"

    def pages(self, context: int) -> int:
        return math.ceil(context / self.p.page_size)

    def index_bytes_per_layer(self, batch: int, context: int) -> int:
        m = self.model
        return batch * self.pages(context) * m.kv_heads * 2 * m.head_dim * dtype_bytes(m.dtype)

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        if kind == "dense":
            return self._dense.decode_layer(kind, batch, context)
        m, k = self.model, self.top_k
        e, d, g = dtype_bytes(m.dtype), m.head_dim, m.q_heads // m.kv_heads
        rows, pages = batch * m.kv_heads, self.pages(context)
        q_bytes = batch * m.q_heads * d * e
        key_bytes = batch * m.kv_heads * d * e
        delta_bytes = 2 * key_bytes  # the current page's min and max after this key
        score_bytes = rows * pages * e

        prepare = StepWork(
            "prepare",
            {"gpu": (Elementwise(2 * batch * m.kv_heads * d, 2, m.dtype, 1.0, name="page_minmax_update"),)},
            (("model", key_bytes),),
            delta_bytes,
        )
        relevancy_gpu = (
            Elementwise(batch * m.q_heads * d, 1, m.dtype, 1.0, name="q_relu"),
            Elementwise(batch * m.q_heads * d, 1, m.dtype, 1.0, name="q_negmin"),
            Matmul(g, pages, d, batch=rows, dtype=m.dtype, shared_b=False, name="score_kmax"),
            Matmul(g, pages, d, batch=rows, dtype=m.dtype, shared_b=False, name="score_kmin"),
            Elementwise(batch * m.q_heads * pages, 2, m.dtype, 1.0, name="score_add"),
            Reduction(rows * pages, g, m.dtype, "sum", name="group_sum"),
        )
        kernel = dict(
            kernel=FPGA_KERNEL, n_items=pages, item_bytes=2 * d * e, macs_per_item=2 * d * g, rows=rows,
            resident_bytes=self.index_bytes_per_layer(batch, context) * m.layers,
        )
        relevancy = StepWork(
            "relevancy",
            {"gpu": relevancy_gpu,
             "fpga": (FpgaKernel(k=0, out_bytes=score_bytes, name="page_scores", **kernel),)},
            (("model", q_bytes), ("prepare", delta_bytes)),
            score_bytes,
        )
        ids_bytes = rows * k * INDEX_ID_BYTES
        retrieval = StepWork(
            "retrieval", {"gpu": (TopK(rows, pages, k, m.dtype, name="topk_pages"),)},
            (("relevancy", score_bytes),), ids_bytes,
        )
        apply = StepWork(
            "apply",
            {"gpu": (Attention(batch, m.q_heads, m.kv_heads, 1, k * self.p.page_size, d, m.dtype,
                               name="sparse_attention"),)},
            (("retrieval", ids_bytes), ("model", q_bytes)),
            q_bytes,
        )
        fused = {(("relevancy", "retrieval"), "fpga"): (
            FpgaKernel(k=k, out_bytes=ids_bytes, name="page_minmax_topk", **kernel),)}
        return LayerWork((prepare, relevancy, retrieval, apply), fused)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        dense = self._dense.prefill_layer(kind, batch, context, new_tokens)
        if kind == "dense":
            return dense
        m = self.model
        index = self.index_bytes_per_layer(batch, context)
        keys = batch * self.pages(context) * m.kv_heads * m.head_dim
        prepare = StepWork(
            "prepare",
            {"gpu": (Reduction(keys, self.p.page_size, m.dtype, "min", name="page_min"),
                     Reduction(keys, self.p.page_size, m.dtype, "max", name="page_max"))},
            (), index,
        )
        # the index becomes resident on the relevancy device: nothing to compute there
        upload = StepWork("relevancy", {"gpu": (), "fpga": ()}, (("prepare", index),), 0)
        return LayerWork((prepare, upload, *dense.steps))
