"""Expert parallelism (EP) of an MoE model's layers in serving, with and without Comet-style
overlap of the all-to-all with the expert GEMMs.

Layout (Megatron-Core's MoE with tensor + sequence + expert parallelism, EP group = TP group):
attention is tensor-parallel over the N GPUs; its all-reduce becomes a reduce-scatter that leaves
each GPU 1/N of the iteration's tokens and an all-gather after the MoE block (the same ring
traffic as one all-reduce, priced by `parallel.Ring`). Each GPU holds E/N routed experts and
every shared expert. Per MoE layer each GPU:
  1. routes its own tokens (router, top-k of the model's `experts_per_token`);
  2. dispatch: sends each token once per chosen expert to the GPU holding it (all-to-all);
  3. runs its local experts over every token-expert row it received (one grouped GEMM per
     projection, as vLLM's fused MoE);
  4. combine: returns the rows to the tokens' GPUs (the reverse all-to-all) and sums them with
     the router weights, plus the shared experts over its own tokens.

Routing: a token's k choices land on GPU j with the share of expert popularity GPU j holds:
uniform (1/N) by default; with `imbalance` > 0, expert popularity is drawn (seeded) from a
lognormal of that log-space sigma, and the busiest GPU sets the pace of the experts step.

The all-to-all is a pairwise exchange priced on the system's links: N - 1 steps, in step s GPU i
sends to GPU i + s (mod N), every message on its `parallel.peer_route`; the messages of one step
share the link directions they cross, and a step lasts as long as its slowest message. A message
from i to j is (i's tokens) x k x (j's share) rows of hidden x dtype bytes. Rows routed to the
GPU's own experts stay local.

Without overlap: route -> dispatch -> experts -> combine -> shared experts, in sequence.
With Comet (Zhang et al., MLSys 2025; /work/shared/docs/serving.md): the dispatch, expert GEMMs
and combine are cut into tiles of at most `tile_rows` rows of one expert (a GEMM M-tile) that
pipeline: communication
and computation run at once, so the MoE block lasts the longer of the two plus the fill of one
tile, max(D + C + G'/n, (D + C)/n + G'), where G' is G with `comm_sm_share` of the SMs driving
the communication: a compute-bound GEMM slows by 1 / (1 - share), a memory-bound one (decode's
expert GEMMs read their weights) keeps the HBM bandwidth, which the SMs left are assumed to
saturate. Comet tunes that split per shape; the default share is fixed at
DeepSeek-V3's 20 of an H800's 132 SMs for its all-to-all kernels (DeepSeek-V3 technical report,
s3.2.2: "only 20 SMs are sufficient to fully utilize the bandwidths of IB and NVLink"), assumed
to carry over. Tiles are issued back to back (one-sided puts), so a tile's message latency is
not paid again per tile. Shared experts and the router are not overlapped.

Not modelled: DeepEP's dedup (a token sent once per destination GPU rather than once per expert)
and FP8 dispatch; the all-to-all's link energy; its contention with other transfers (it is priced
beside the simulated layer, as the ring all-reduce is); the leading dense-MLP layers (priced as
MoE layers, as `models.post_attention_ops` lowers them). Under tensor-parallel attention every GPU
keeps the whole MLA latent KV cache (as vLLM's TP MLA does), so KV blocks do not grow with N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from hetsim.config.schema import ExpertParallelSpec, ModelSpec
from hetsim.ops import Elementwise, GroupedMatmul, Op, dtype_bytes
from hetsim.serving.parallel import peer_route
from hetsim.sim.lowering import compute_tasks
from hetsim.workloads import models as llm

ROUTED = ("experts_gate_up", "experts_silu_mul", "experts_down")  # run on the GPU holding the expert


def moe_op_names(m: ModelSpec) -> frozenset[str]:
    """Names of the ops of one MoE block (`models.moe_ops`): the part EP prices on its own."""
    return frozenset(op.name for op in llm.moe_ops(m, 1))


def apportion(total: int, shares: list[float]) -> list[int]:
    """`total` split by `shares` (summing to 1) into integers that add up to `total` (largest
    remainder), so rows and tokens are conserved exactly."""
    raw = [total * s for s in shares]
    out = [math.floor(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))[: total - sum(out)]:
        out[i] += 1
    return out


def rank_shares(experts: int, ranks: int, imbalance: float, seed: int) -> list[float]:
    """The share of routed (token, expert) rows each GPU's E/N experts receive."""
    if imbalance == 0:
        return [1.0 / ranks] * ranks
    popularity = np.random.default_rng(seed).lognormal(0.0, imbalance, experts)
    per_rank = popularity.reshape(ranks, experts // ranks).sum(axis=1)
    return [float(x) for x in per_rank / per_rank.sum()]


@dataclass(frozen=True)
class MoeLayer:
    """One MoE layer under EP on the slowest GPU (seconds), and its dynamic energy on all GPUs."""

    local_s: float  # router, routed-row weighted sum and shared experts over the GPU's own tokens
    dispatch_s: float
    experts_s: float  # routed expert GEMMs on the busiest GPU, with every SM
    combine_s: float
    comet_s: float | None  # dispatch + experts + combine under Comet's overlap (None: not overlapped)
    energy_j: float

    @property
    def comm_s(self) -> float:
        return self.dispatch_s + self.combine_s

    @property
    def sequential_s(self) -> float:
        return self.local_s + self.dispatch_s + self.experts_s + self.combine_s

    @property
    def time_s(self) -> float:
        return self.sequential_s if self.comet_s is None else self.local_s + self.comet_s

    @property
    def all_to_all_share(self) -> float:
        """Share of the non-overlapped MoE layer spent in dispatch and combine."""
        return self.comm_s / self.sequential_s if self.sequential_s > 0 else 0.0


class ExpertParallel:
    """Prices an MoE layer over `gpus` for a number of the iteration's tokens (memoised)."""

    def __init__(self, machine, model: ModelSpec, gpus: tuple[str, ...], spec: ExpertParallelSpec,
                 seed: int) -> None:
        assert model.moe is not None and model.moe.experts % len(gpus) == 0
        self.machine, self.m, self.gpus, self.spec = machine, model, gpus, spec
        self.shares = rank_shares(model.moe.experts, len(gpus), spec.imbalance, seed)
        self.routes = {(a, b): peer_route(machine, a, b) for a in gpus for b in gpus if a != b}
        self.moe_names = moe_op_names(model)
        self._memo: dict[int, MoeLayer] = {}

    # ------------------------------------------------------------------ traffic and rows
    def tokens_per_gpu(self, tokens: int) -> list[int]:
        return apportion(tokens, [1.0 / len(self.gpus)] * len(self.gpus))

    def rows(self, tokens: int) -> list[list[int]]:
        """rows[i][j]: token-expert rows GPU i's tokens send to GPU j's experts."""
        k = self.m.moe.experts_per_token
        return [apportion(t * k, self.shares) for t in self.tokens_per_gpu(tokens)]

    def message_bytes(self, tokens: int) -> list[list[float]]:
        """Dispatch bytes from GPU i to GPU j (combine sends the same back); 0 on the diagonal."""
        row = self.m.hidden * dtype_bytes(self.m.dtype)
        return [[0.0 if i == j else r * row for j, r in enumerate(rs)] for i, rs in enumerate(self.rows(tokens))]

    def all_to_all_s(self, nbytes: list[list[float]]) -> float:
        """Pairwise exchange (see the module docstring) of nbytes[i][j] from GPU i to GPU j."""
        n, total = len(self.gpus), 0.0
        for s in range(1, n):
            pairs = [(i, (i + s) % n) for i in range(n) if nbytes[i][(i + s) % n] > 0]
            load: dict[str, float] = {}
            for i, j in pairs:
                for seg in self.routes[self.gpus[i], self.gpus[j]]:
                    for hop in seg:
                        load[hop.resource] = load.get(hop.resource, 0.0) + nbytes[i][j]
            step = 0.0
            for i, j in pairs:
                t = 0.0
                for seg in self.routes[self.gpus[i], self.gpus[j]]:
                    bw_s = max(load[h.resource] / h.link.bw(h.src, h.dst) for h in seg)
                    t += sum(h.link.latency_s for h in seg) + bw_s
                step = max(step, t)
            total += step
        return total

    # ------------------------------------------------------------------ compute
    def routed_ops(self, rows: int) -> list[Op]:
        """One GPU's expert GEMMs over `rows` token-expert rows on its E/N experts."""
        x, d = self.m.moe, self.m.dtype
        if rows == 0:
            return []
        active = self.active_experts(rows)
        return [GroupedMatmul(rows, 2 * x.intermediate, self.m.hidden, dtype=d, experts=active,
                              name="experts_gate_up"),
                Elementwise(rows * x.intermediate, 2, d, 5.0, name="experts_silu_mul"),
                GroupedMatmul(rows, self.m.hidden, x.intermediate, dtype=d, experts=active, name="experts_down")]

    def active_experts(self, rows: int) -> int:
        """Local experts that some of `rows` rows hit, expected as `models.active_experts` has it:
        under uniform routing a GPU receives rows from T = rows E / (k local) tokens, each picking
        k of the E experts, so a local expert stays idle with (1 - k/E)^T."""
        x = self.m.moe
        local = x.experts // len(self.gpus)
        tokens = rows * x.experts / (x.experts_per_token * local)
        return min(local, math.ceil(local * (1.0 - (1.0 - x.experts_per_token / x.experts) ** tokens)))

    def tiles(self, rows: int) -> int:
        """Comet's tiles over one GPU's rows: each at most `tile_rows` rows of one expert."""
        if rows == 0:
            return 1
        active = self.active_experts(rows)
        return active * math.ceil(rows / active / self.spec.tile_rows)

    def local_ops(self, tokens: int) -> list[Op]:
        """The MoE block's ops over a GPU's own tokens, the routed experts left out."""
        return [op for op in llm.moe_ops(self.m, tokens) if op.name not in ROUTED] if tokens else []

    def ops_time_energy(self, gpu: str, ops: list[Op]) -> tuple[float, float, float]:
        """Ops back to back on one GPU's stream: time (a graph replay's device times, or the eager
        stream's slower of host and device), dynamic energy (the lowering's tasks' own), and the
        time with `comm_sm_share` of the SMs taken by communication (a compute-bound op slows in
        proportion; a memory-bound one keeps its HBM bandwidth, which the SMs left are assumed to
        saturate)."""
        if not ops:
            return 0.0, 0.0, 0.0
        model = self.machine.models[gpu]
        energy = sum(t.energy_j for t in compute_tasks(self.machine, "moe", "model", gpu, tuple(ops), ()))
        if self.machine.gpu_execution == "graph":
            times = [model.device_time_s(op) for op in ops]
            duration = model.graph_time_s(ops)
        else:
            times = [model.op_time_s(op) for op in ops]
            duration = model.ops_time_s(ops)
        scale = duration / sum(times) if sum(times) > 0 else 0.0
        slow = 1.0 / (1.0 - self.spec.comm_sm_share)
        shared = sum(t * scale * (1.0 if model.memory_bound(op) else slow) for op, t in zip(ops, times, strict=True))
        return duration, energy, shared

    # ------------------------------------------------------------------ one layer
    def layer(self, tokens: int) -> MoeLayer:
        hit = self._memo.get(tokens)
        if hit is None:
            hit = self._memo[tokens] = self._layer(tokens)
        return hit

    def _layer(self, tokens: int) -> MoeLayer:
        rows = self.rows(tokens)
        received = [sum(r[j] for r in rows) for j in range(len(self.gpus))]
        energy, experts_s, shared_sm_s, local_s = 0.0, 0.0, 0.0, 0.0
        for gpu, own, got in zip(self.gpus, self.tokens_per_gpu(tokens), received, strict=True):
            t, e, shared = self.ops_time_energy(gpu, self.routed_ops(got))
            lt, le, _ = self.ops_time_energy(gpu, self.local_ops(own))
            experts_s, shared_sm_s = max(experts_s, t), max(shared_sm_s, shared)
            local_s, energy = max(local_s, lt), energy + e + le
        nbytes = self.message_bytes(tokens)
        dispatch = self.all_to_all_s(nbytes)
        combine = self.all_to_all_s([list(col) for col in zip(*nbytes, strict=True)])
        comet = None
        if self.spec.comet:
            tiles = self.tiles(max(received))
            gemm, comm = shared_sm_s, dispatch + combine
            comet = max(comm + gemm / tiles, comm / tiles + gemm)
        return MoeLayer(local_s, dispatch, experts_s, combine, comet, energy)


def ep_refusal(m: ModelSpec, spec: ExpertParallelSpec, tensor_parallel: int, gpus: int) -> tuple[str, str] | None:
    """(field under serving.expert_parallel, why) the model cannot run expert-parallel; None: it can."""
    if m.moe is None:
        return "gpus", f"model {m.name} has no MoE layers (no `moe:` in its file): expert parallelism needs one"
    if spec.gpus != tensor_parallel:
        return "gpus", (f"expert_parallel.gpus ({spec.gpus}) must equal serving.tensor_parallel ({tensor_parallel}): "
                        "attention is split over the GPUs that hold the experts")
    if m.moe.experts % spec.gpus:
        return "gpus", f"{m.name}'s {m.moe.experts} experts do not split evenly over {spec.gpus} GPUs"
    if gpus < spec.gpus:
        return "gpus", f"the system has {gpus} GPU(s), expert_parallel.gpus asks for {spec.gpus}"
    return None


def ep_note(ep: ExpertParallel, scheduler) -> str:
    """The MoE layer's breakdown at a full iteration (the chunked token budget, else the largest
    decode batch), for the results' notes."""
    tokens = scheduler.token_budget if scheduler.policy == "chunked" else scheduler.max_batch
    one = ep.layer(tokens)
    us = 1e6
    text = (f"expert parallel over {len(ep.gpus)} GPUs, one MoE layer at {tokens} tokens: local "
            f"{one.local_s * us:.1f} us + dispatch {one.dispatch_s * us:.1f} us + experts {one.experts_s * us:.1f} us "
            f"+ combine {one.combine_s * us:.1f} us = {one.sequential_s * us:.1f} us (all-to-all "
            f"{one.all_to_all_share:.0%})")
    if one.comet_s is not None:
        text += f"; with Comet overlap {one.time_s * us:.1f} us ({one.sequential_s / one.time_s:.2f}x)"
    return text
