"""Tensor parallelism in serving (Megatron-style): each of N GPUs holds 1/N of every layer's
heads, MLP columns and vocabulary, and two all-reduces per layer (after attention, after the MLP)
join their partial sums. The all-reduce is a ring over the system's links between neighbouring
GPUs: 2 (N - 1) steps each moving 1/N of the activations, the slowest neighbour pair setting the
pace. GPU-to-GPU collectives take the NVLink fabric where it joins the two GPUs (as NCCL prefers
NVLink to PCIe peer-to-peer), else the system's fewest-hop route."""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.config.schema import ModelSpec
from hetsim.ops import dtype_bytes
from hetsim.sim.machine import Hop


def shard_model(m: ModelSpec, n: int) -> ModelSpec:
    """One GPU's share of a model under `n`-way tensor parallelism; an MoE model's routed experts
    are spread over the same GPUs (expert parallelism: `hetsim.serving.expert_parallel`), so each
    holds 1/N of them and every shared expert."""
    if n == 1:
        return m
    update = {"q_heads": m.q_heads // n, "kv_heads": m.kv_heads // n, "intermediate": m.intermediate // n,
              "vocab": -(-m.vocab // n)}
    if m.moe:
        update["moe"] = m.moe.model_copy(update={"experts": m.moe.experts // n,
                                                 "experts_per_token": min(m.moe.experts_per_token,
                                                                          m.moe.experts // n)})
    return m.model_copy(update=update)


def tp_refusal(m: ModelSpec, n: int, expert_parallel: bool = False) -> str | None:
    """Why the model cannot be split `n` ways (None: it can). An MoE model splits only with its
    experts spread over the same GPUs (`expert_parallel`)."""
    for name in ("q_heads", "kv_heads", "intermediate"):
        if getattr(m, name) % n:
            return f"{name} ({getattr(m, name)}) is not a multiple of tensor_parallel ({n})"
    if (m.mla or m.moe) and not expert_parallel:
        return ("tensor parallelism of MLA or MoE layers is modelled only with the experts spread over the same "
                "GPUs (set serving.expert_parallel.gpus to tensor_parallel)")
    return None


def peer_route(machine, src: str, dst: str) -> list[list[Hop]]:
    """The route a collective between two GPUs takes: over NVLink links only (through switches, one
    cut-through segment) where they join the two, else the machine's fewest-hop route."""
    hops = machine.fewest_hops(src, dst, usable=lambda link: link.spec.kind == "nvlink")
    return [hops] if hops else machine.route(src, dst)


@dataclass(frozen=True)
class Ring:
    """A ring all-reduce over GPUs in id order, priced on their peer routes."""

    gpus: tuple[str, ...]
    machine: object

    def allreduce_s(self, nbytes: float) -> float:
        n = len(self.gpus)
        if n == 1 or nbytes <= 0:
            return 0.0
        m = self.machine
        step = max(sum(m.segment_time_s(seg, nbytes / n) for seg in peer_route(m, a, b))
                   for a, b in zip(self.gpus, self.gpus[1:] + self.gpus[:1], strict=True))
        return 2 * (n - 1) * step

    def layer_s(self, model: ModelSpec, tokens: int, allreduces: int = 2) -> float:
        """The all-reduces of one layer over `tokens` tokens' activations: two (after attention,
        after the MLP), or one where expert parallelism replaces the MLP's by all-to-alls (the
        attention's then is a reduce-scatter before the MoE block and an all-gather after it, the
        same ring traffic)."""
        return allreduces * self.allreduce_s(tokens * model.hidden * dtype_bytes(model.dtype))
