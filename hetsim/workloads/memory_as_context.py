"""Memory as Context (HMT, Titans): the context is processed segment by segment; a memory of past
segments is searched with a query made from the current segment, and what it returns is
appended to the segment as extra embeddings before the LLM reads it.

Prepare:   the memory module's forward pass over the first `summary_tokens` of the segment,
           pooled into one query embedding: 'backbone' (HMT) runs the LLM itself over them (its
           output at the last position is the summary), 'mlp' (Titans' neural memory) runs
           `memory_layers` linear layers of `memory_dim` with SiLU and mean pooling.
Relevancy: linear projections (the query, and the key of the memory embedding the previous
           segment added) and the inner product of the query with every cached memory key.
Retrieval: a softmax-weighted sum of the memory embeddings (HMT) or the top-k of them.
Apply:     the retrieved embeddings appended to the segment's input embeddings (a copy); the
           segment is then prefilled with them (HMT: each segment is read on its own).
The memory (embeddings, keys, projection weights) lives on the FPGA in the paper's placement:
Relevancy + Retrieval run there as one kernel and only the retrieved embeddings reach the GPU.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from hetsim.ops import (
    Attention,
    Elementwise,
    FpgaKernel,
    FpgaStream,
    Gather,
    Matmul,
    Op,
    Reduction,
    Softmax,
    TopK,
    dtype_bytes,
)
from hetsim.workloads import models as llm
from hetsim.workloads.base import Decode, LayerWork, Method, MethodParams, Phase, Prefill, RequestSteps, StepWork
from hetsim.workloads.common import byte_copy
from hetsim.workloads.dense import Dense

FPGA_KERNEL = "inner_product_topk"


class MemoryAsContextParams(MethodParams):
    memory_module: Literal["backbone", "mlp"] = Field("backbone", description="HMT's LLM summary or Titans' MLP")
    segment_tokens: int = Field(1024, gt=0, description="tokens per segment")
    summary_tokens: int = Field(512, gt=0, description="tokens of a segment the memory module reads")
    memory_layers: int = Field(2, gt=0, description="linear layers of the memory module (Titans: 2+)")
    memory_dim: int | None = Field(None, gt=0, description="memory embedding width (default: the model's hidden)")
    memory_slots: int = Field(300, gt=0, description="memory embeddings kept (HMT: 300)")
    retrieval: Literal["weighted_sum", "top_k"] = "weighted_sum"
    top_k: int = Field(4, gt=0, description="top_k: memory embeddings appended")


class MemoryAsContext(Method):
    name = "memory_as_context"
    description = "Memory as Context (HMT/Titans): memory module, projection + inner product, weighted sum / top-k"
    Params = MemoryAsContextParams
    fpga_kernels = (FPGA_KERNEL,)
    request_level = True

    def check(self) -> None:
        p, w = self.p, self.workload
        if p.segment_tokens > w.context_tokens:
            raise self.bad("segment_tokens", f"{p.segment_tokens} exceeds the {w.context_tokens}-token context")
        if p.summary_tokens > p.segment_tokens:
            raise self.bad("summary_tokens", f"{p.summary_tokens} exceeds segment_tokens {p.segment_tokens}")
        if p.retrieval == "top_k" and p.top_k > min(p.memory_slots, self.segments - 1):
            raise self.bad("top_k", f"top-k of {p.top_k} exceeds the memory embeddings available "
                                    f"({min(p.memory_slots, self.segments - 1)} before the last segment)")
        self.dim = p.memory_dim or self.model.hidden
        if p.memory_module == "backbone" and self.dim != self.model.hidden:
            raise self.bad("memory_dim", f"the backbone summary is {self.model.hidden} wide, not {self.dim}")
        self._dense = Dense(Dense.Params(), w, self.model)

    @property
    def segments(self) -> int:
        return math.ceil(self.workload.context_tokens / self.p.segment_tokens)

    @property
    def appended(self) -> int:
        return 1 if self.p.retrieval == "weighted_sum" else self.p.top_k

    def plan(self, rng) -> list[Phase]:
        p, w = self.p, self.workload
        phases: list[Phase] = []
        for i in range(self.segments):
            tokens = min(p.segment_tokens, w.context_tokens - i * p.segment_tokens)
            slots = min(i, p.memory_slots)
            appended = 0
            if slots >= self.appended:  # the first segments have no (or too little) memory yet
                phases.append(RequestSteps(self.memory_work(w.batch, slots), f"memory:{i}"))
                appended = self.appended
            phases.append(Prefill(tokens + appended, 0, f"segment:{i}"))
            last = tokens + appended
        return phases + [Decode(w.decode_tokens, last, label="decode")]

    def memory_work(self, b: int, slots: int) -> LayerWork:
        p, m = self.p, self.model
        d, e, dim = m.dtype, dtype_bytes(m.dtype), self.dim
        s, a = p.summary_tokens, self.appended
        module = self.module_ops(b)
        query = b * dim * e
        prepare = StepWork("prepare", {"gpu": tuple(module)}, (("model", b * s * m.hidden * e),), query)
        projections = [Matmul(b, dim, dim, dtype=d, name="query_proj"), Matmul(b, dim, dim, dtype=d, name="key_proj")]
        scores = b * slots * e
        relevancy_gpu = (*projections, Matmul(1, slots, dim, batch=b, dtype=d, shared_b=False, name="memory_scores"))
        out = b * a * dim * e
        if p.retrieval == "weighted_sum":
            weighted_sum = Matmul(1, dim, slots, batch=b, dtype=d, shared_b=False, name="memory_weighted_sum")
            select: tuple[Op, ...] = (Softmax(b, slots, d, name="memory_softmax"), weighted_sum)
        else:
            select = (TopK(b, slots, a, d, name="memory_topk"),
                      Gather(b * a, dim * e, b * slots, name="memory_gather"))
        retrieval = StepWork("retrieval", {"gpu": select}, (("relevancy", scores),), out)
        # on the FPGA: the projections stream their weights, the kernel scores the keys (and
        # keeps the top k), a weighted sum streams the embeddings
        resident = self.memory_bytes(b)
        kernel = dict(kernel=FPGA_KERNEL, n_items=slots, item_bytes=dim * e, macs_per_item=dim, rows=b,
                      resident_bytes=resident)
        fpga_proj = FpgaStream(2 * b * dim * dim, 2 * dim * dim * e, d, name="fpga_projections")
        fused = [fpga_proj, FpgaKernel(k=0 if a == 1 else a, out_bytes=0, name="fpga_memory_scores", **kernel)]
        fused.append(FpgaStream(b * slots * dim, b * slots * dim * e, d, name="fpga_weighted_sum") if a == 1 else
                     FpgaStream(0, b * a * dim * e, d, name="fpga_read_selected"))
        relevancy = StepWork("relevancy", {"gpu": relevancy_gpu,
                                           "fpga": (fpga_proj, FpgaKernel(k=0, out_bytes=scores, **kernel))},
                             (("prepare", query),), scores)
        apply = StepWork("apply", {"gpu": (byte_copy(b * (p.segment_tokens + a) * m.hidden * e, "append_memory"),)},
                         (("retrieval", out),), out)
        return LayerWork((prepare, relevancy, retrieval, apply), {(("relevancy", "retrieval"), "fpga"): tuple(fused)})

    def module_ops(self, b: int) -> list[Op]:
        p, m = self.p, self.model
        d, s, dim = m.dtype, p.summary_tokens, self.dim
        if p.memory_module == "backbone":
            stack = self.stack_ops()
            if stack is not None:  # the backbone's forward is the stack's own prefill (eager transformers ops)
                pre, post = stack.pre_post("prefill", b, s)
                layer = [*pre, *stack.attention("prefill", b, s, 0), *post]
            else:
                layer = [*llm.pre_attention_ops(m, b * s),
                         Attention(b, m.q_heads, m.kv_heads, s, s, m.head_dim, d, True, name="summary_attention"),
                         *llm.post_attention_ops(m, b * s)]
            return [*layer * m.layers, Elementwise(b * m.hidden, 1, d, 4.0, m.hidden, name="summary_norm")]
        ops: list[Op] = []
        for i in range(p.memory_layers):
            ops += [Matmul(b * s, dim, m.hidden if i == 0 else dim, dtype=d, name=f"memory_linear{i}"),
                    Elementwise(b * s * dim, 1, d, 4.0, name=f"memory_silu{i}")]
        return [*ops, Reduction(b * dim, s, d, "sum", name="memory_mean_pool")]

    def memory_bytes(self, batch: int) -> int:
        """Embeddings and keys of every slot per request, and the two projection weights."""
        e = dtype_bytes(self.model.dtype)
        return batch * self.p.memory_slots * 2 * self.dim * e + 2 * self.dim * self.dim * e

    def max_sequence_tokens(self) -> int:
        return self.p.segment_tokens + self.appended + self.workload.decode_tokens

    def resident_bytes(self, batch: int, tokens: int, kind_of) -> dict[str, int]:
        m, p = self.model, self.p
        out = {"model": llm.weight_bytes(m) + llm.kv_bytes_per_token(m) * batch * self.max_sequence_tokens(),
               "relevancy": self.memory_bytes(batch)}
        if p.memory_module == "mlp":  # the backbone summary uses the LLM's own weights
            module = sum(m.hidden if i == 0 else self.dim for i in range(p.memory_layers)) * self.dim
            out["prepare"] = module * dtype_bytes(m.dtype)
        return out

    def fpga_topk(self) -> list[tuple[str, str, int]]:
        return [("top_k", FPGA_KERNEL, self.p.top_k)] if self.p.retrieval == "top_k" else []

    def paper_placement(self, gpu: str, fpga: str) -> tuple[dict[str, str], int | None]:
        steps, _ = super().paper_placement(gpu, fpga)
        return steps, 1  # request-level memory steps

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        return self._dense.decode_layer(kind, batch, context)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        return self._dense.prefill_layer(kind, batch, context, new_tokens)

