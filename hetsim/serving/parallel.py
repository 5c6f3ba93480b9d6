"""Tensor parallelism in serving (Megatron-style): each of N GPUs holds 1/N of every layer's
heads, MLP columns and vocabulary, and two all-reduces per layer (after attention, after the MLP)
join their partial sums. The all-reduce is a ring over the system's links between neighbouring
GPUs: 2 (N - 1) steps each moving 1/N of the activations, the slowest neighbour pair setting the
pace."""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.config.schema import ModelSpec
from hetsim.ops import dtype_bytes


def shard_model(m: ModelSpec, n: int) -> ModelSpec:
    """One GPU's share of a model under `n`-way tensor parallelism."""
    if n == 1:
        return m
    return m.model_copy(update={"q_heads": m.q_heads // n, "kv_heads": m.kv_heads // n,
                                "intermediate": m.intermediate // n, "vocab": -(-m.vocab // n)})


def tp_refusal(m: ModelSpec, n: int) -> str | None:
    """Why the model cannot be split `n` ways (None: it can)."""
    for name in ("q_heads", "kv_heads", "intermediate"):
        if getattr(m, name) % n:
            return f"{name} ({getattr(m, name)}) is not a multiple of tensor_parallel ({n})"
    if m.mla or m.moe:
        return "tensor parallelism of MLA or MoE layers is not modelled yet"
    return None


@dataclass(frozen=True)
class Ring:
    """A ring all-reduce over GPUs in id order, priced on the machine's routes."""

    gpus: tuple[str, ...]
    machine: object

    def allreduce_s(self, nbytes: float) -> float:
        n = len(self.gpus)
        if n == 1 or nbytes <= 0:
            return 0.0
        m = self.machine
        step = max(sum(m.segment_time_s(seg, nbytes / n) for seg in m.route(a, b))
                   for a, b in zip(self.gpus, self.gpus[1:] + self.gpus[:1], strict=True))
        return 2 * (n - 1) * step

    def layer_s(self, model: ModelSpec, tokens: int) -> float:
        """Both all-reduces of one layer over `tokens` tokens' activations."""
        return 2 * self.allreduce_s(tokens * model.hidden * dtype_bytes(model.dtype))
