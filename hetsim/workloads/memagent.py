"""MemAgent (Qwen2.5-7B): the LLM reads a long context chunk by chunk and after each chunk
rewrites a bounded textual memory; the answer comes from the question and the final memory.

Prepare:   per chunk, the LLM decodes the new memory (`memory_tokens` tokens) after reading
           [question + memory + chunk]: a Decode phase with role 'prepare', so its layers run on
           the device placed for Prepare. The paper decodes it on the FPGA: every token streams
           the weights from FPGA HBM (`FpgaStream`: bounded by the HBM pseudo-channels and the DSPs).
Relevancy: none (the memory is rewritten, not searched).
Retrieval: none (overwrite: the new memory replaces the old one).
Apply:     the prefill of [question + memory + chunk] on the GPU, and at the end the prefill of
           [question + memory] before the answer (`decode_tokens`) is decoded.
Attention stays with the KV cache the GPU prefill wrote: while the FPGA decodes, each layer's
attention runs on the GPU and only its query and output cross PCIe. It is the decode layer's
'apply' step, so hetsim's per-step shares count it as Apply; the memory-writing *phases*
(labelled 'memory:i') hold all of Prepare's time, attention included.
Batch-size rule: FPGA decode reuses each streamed weight for only `batch` tokens, so beyond a
small batch the GPU wins and the paper's placement falls back to GPU-only (`batch_rule`).
"""

from __future__ import annotations

import math

from pydantic import Field

from hetsim.ops import FpgaStream, Op
from hetsim.workloads import models as llm
from hetsim.workloads.base import Decode, LayerWork, Method, MethodParams, Phase, Prefill
from hetsim.workloads.dense import Dense


class MemAgentParams(MethodParams):
    chunk_tokens: int = Field(5000, gt=0, description="context tokens read per step (MemAgent: 5000)")
    memory_tokens: int = Field(1024, gt=0, description="tokens of the rewritten memory (MemAgent: 1024)")
    question_tokens: int = Field(256, gt=0, description="question and instructions around every chunk")
    fpga_decode_max_batch: int | None = Field(
        None, gt=0, description="largest batch decoded on an FPGA; None: wherever hetsim's models say the FPGA "
                                "decodes a memory token faster than the GPU")


class MemAgent(Method):
    name = "memagent"
    description = "MemAgent: chunked reading, the LLM decodes an overwritten memory (FPGA), prefill on the GPU"
    Params = MemAgentParams

    def check(self) -> None:
        p, w = self.p, self.workload
        if p.chunk_tokens > w.context_tokens:
            raise self.bad("chunk_tokens", f"{p.chunk_tokens} exceeds the {w.context_tokens}-token context")
        self._dense = Dense(Dense.Params(), w, self.model)

    @property
    def chunks(self) -> int:
        return math.ceil(self.workload.context_tokens / self.p.chunk_tokens)

    def plan(self, rng) -> list[Phase]:
        p, w = self.p, self.workload
        phases: list[Phase] = []
        memory = 0  # the first chunk is read with an empty memory
        for i in range(self.chunks):
            read = min(p.chunk_tokens, w.context_tokens - i * p.chunk_tokens)
            prompt = p.question_tokens + memory + read
            phases += [Prefill(prompt, 0, f"chunk:{i}"),
                       Decode(p.memory_tokens, prompt, role="prepare", label=f"memory:{i}")]
            memory = p.memory_tokens
        prompt = p.question_tokens + memory
        return phases + [Prefill(prompt, 0, "answer-prefill"), Decode(w.decode_tokens, prompt, label="answer")]

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        return self._dense.decode_layer(kind, batch, context)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        return self._dense.prefill_layer(kind, batch, context, new_tokens)

    def model_ops(self, device_kind: str, tokens: int) -> tuple[tuple[Op, ...], tuple[Op, ...]]:
        """On an FPGA: each half of a layer is one streamed pass over its weights, with the same
        MACs and bytes as the GPU ops; the LM head is spread over the layers (the engine runs the
        LM-head tail on GPUs only)."""
        if device_kind != "fpga":
            return super().model_ops(device_kind, tokens)
        m = self.model
        pre = llm.pre_attention_ops(m, tokens)
        post = llm.post_attention_ops(m, tokens)
        head = llm.lm_head_ops(m, tokens)

        def stream(ops: list[Op], share: list[Op], name: str) -> FpgaStream:
            macs = sum(op.flops for op in ops) / 2 + sum(op.flops for op in share) / 2 / m.layers
            nbytes = sum(op.bytes for op in ops) + sum(op.bytes for op in share) / m.layers
            return FpgaStream(math.ceil(macs), math.ceil(nbytes), m.dtype, name=name)

        return (stream(pre, [], "fpga_decode_pre"),), (stream(post, head, "fpga_decode_post"),)

    def decode_token_s(self, machine, device: str, batch: int) -> float:
        """Modelled time of one memory-writing token's layer ops (attention aside) on `device`."""
        model = machine.models[device]
        pre, post = self.model_ops(machine.kind(device), batch)
        per_layer = sum(model.op_time_s(op) for op in (*pre, *post))
        head = sum(model.op_time_s(op) for op in llm.lm_head_ops(self.model, batch)) if model.kind == "gpu" else 0.0
        return per_layer * self.model.layers + head

    def batch_rule(self, machine, placement) -> str | None:
        fpga = placement.device_of("prepare")
        if machine.kind(fpga) != "fpga":
            return None
        b, limit = self.workload.batch, self.p.fpga_decode_max_batch
        if limit is not None:
            return None if b <= limit else (
                f"memory decode on the FPGA only up to batch {limit} (workload.params.fpga_decode_max_batch), "
                f"batch is {b}")
        fpga_s, gpu_s = self.decode_token_s(machine, fpga, b), self.decode_token_s(machine, placement.model, b)
        if fpga_s <= gpu_s:
            return None
        return (f"at batch {b} a memory token takes {fpga_s * 1e3:.1f} ms on the FPGA vs {gpu_s * 1e3:.1f} ms on "
                "the GPU (set workload.params.fpga_decode_max_batch to decode on the FPGA anyway)")

    def paper_placement(self, gpu: str, fpga: str) -> tuple[dict[str, str], int | None]:
        return {"prepare": fpga, "relevancy": gpu, "retrieval": gpu, "apply": gpu}, 1

    def max_tokens(self) -> int:
        p = self.p
        return p.question_tokens + p.memory_tokens + p.chunk_tokens + p.memory_tokens

    def max_sequence_tokens(self) -> int:
        return max(self.max_tokens(), self.p.question_tokens + self.p.memory_tokens + self.workload.decode_tokens)

    def resident_bytes(self, batch: int, tokens: int, kind_of) -> dict[str, int]:
        m = self.model
        out = {"model": llm.weight_bytes(m) + llm.kv_bytes_per_token(m) * batch * self.max_tokens()}
        if kind_of("prepare") == "fpga":
            out["prepare"] = llm.weight_bytes(m)  # a copy of the weights to stream from FPGA HBM
        return out
