"""What one serving iteration costs: running decodes at their contexts plus prefill chunks, lowered
onto the placement and simulated by the engine (`hetsim.sim`) - once per distinct shape.

A shape is rounded UP on a geometric grid (the decode count, their mean context, each chunk's
tokens and context end) before it is priced, so similar iterations share one simulation. The
grid's step is sqrt(1 + error): the largest term, attention, grows with the product of two rounded
sizes (decodes x context, chunk tokens x context), so it grows by at most 1 + error. Iteration
time never falls as a shape grows and grows at most in proportion to those products (fixed costs
do not scale), so the priced time of an iteration lies between its exact time and (1 + error)
times it; `tests/serving/test_serving_cost.py` checks the
bound against exact pricing. Decode attention is priced at the batch's mean context, which reads
the same KV bytes as the individual contexts.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from hetsim.errors import ConfigError
from hetsim.serving.memory_pipeline import layer_tasks
from hetsim.sim.engine import IterationDag, IterationSimulator
from hetsim.sim.lowering import compute_tasks
from hetsim.workloads import models as llm
from hetsim.workloads.base import LayerWork, Method, StepWork

EXACT_BELOW = 16  # sizes up to this are priced exactly


class Grid:
    """Round a size up to 1..EXACT_BELOW, then EXACT_BELOW * (1 + error)^(k/2)."""

    def __init__(self, error: float) -> None:
        self.error = error
        self.log_step = math.log1p(error) / 2 if error > 0 else 0.0
        self._memo: dict[int, int] = {}

    def up(self, x: int) -> int:
        if x <= EXACT_BELOW or self.error == 0:
            return x
        hit = self._memo.get(x)
        if hit is None:
            k = math.ceil(math.log(x / EXACT_BELOW) / self.log_step - 1e-9)
            hit = max(x, math.ceil(EXACT_BELOW * math.exp(k * self.log_step) - 1e-6))
            self._memo[x] = hit
        return hit


@dataclass(frozen=True)
class Priced:
    time_s: float
    energy_j: float  # dynamic energy of the devices and links (idle power is added per run)


def merge_work(works: list[LayerWork]) -> LayerWork:
    """One layer's work for several groups of sequences in one iteration: each step's ops on each
    device kind back to back, its inputs and outputs summed (every group's step runs where the
    step is placed)."""
    if len(works) == 1:
        return works[0]
    names: list[str] = []
    for w in works:
        names += [s.step for s in w.steps if s.step not in names]
    steps = []
    for name in names:
        parts = [s for w in works if (s := w.step(name)) is not None]
        kinds = set.intersection(*(set(p.ops) for p in parts))
        ops = {k: tuple(op for p in parts for op in p.ops[k]) for k in sorted(kinds)}
        inputs: dict[str, int] = {}
        for p in parts:
            for producer, nbytes in p.inputs:
                inputs[producer] = inputs.get(producer, 0) + nbytes
        steps.append(StepWork(name, ops, tuple(inputs.items()), sum(p.output_bytes for p in parts)))
    fused: dict = {}
    for key in sorted({k for w in works for k in w.fused}):
        names, kind = key
        ops: list = []
        for w in works:
            if key in w.fused:
                ops += w.fused[key]
                continue
            mine = [s for n in names if (s := w.step(n)) is not None]
            if any(kind not in s.ops for s in mine):
                break  # this group's steps cannot run fused on that kind: neither can the merged ones
            ops += [op for s in mine for op in s.ops[kind]]  # a group with only some of the steps
        else:
            fused[key] = tuple(ops)
    return LayerWork(tuple(steps), fused)


class IterationCost:
    """Prices iteration shapes for one method on one placement (see the module docstring)."""

    def __new__(cls, machine, method: Method, *args, **kwargs):
        # a traced serving engine's stack prices its own iterations (hetsim/serving/stack_cost.py)
        if cls is IterationCost and method.workload.stack == "hf-paged":
            from hetsim.serving.stack_cost import PagedIterationCost

            cls = PagedIterationCost
        return super().__new__(cls)

    def __init__(self, machine, method: Method, placement, error: float, ring=None, ep=None) -> None:
        """`method` holds one GPU's share of the model under tensor parallelism over `ring`
        (`hetsim.serving.parallel.Ring`); every GPU of the ring runs the same iteration. With `ep`
        (`hetsim.serving.expert_parallel.ExpertParallel`) each layer's MoE block is priced by it
        (all-to-all and the busiest GPU's experts) instead of by the layer's own lowering."""
        self.machine, self.method, self.p = machine, method, placement
        self.ring, self.ep = ring, ep
        self.moe_ops = ep.moe_names if ep is not None else frozenset()
        self.copies = len(ring.gpus) if ring is not None else 1
        self.grid = Grid(error)
        self.sim = IterationSimulator()
        self.kinds = tuple(method.layer_kind(i) for i in range(method.model.layers))
        self.memo: dict[tuple, Priced] = {}
        self.task_memo: dict = {}
        self.model_kind = machine.kind(placement.model)
        self.lookups = 0
        self.memory_groups = 1  # request groups whose off-GPU memory steps overlap (hetsim.serving.memory_pipeline)

    def key(self, n_decode: int, decode_context_sum: int, chunks: list[tuple[int, int]]) -> tuple:
        up = self.grid.up
        dec = (up(n_decode), up(-(-decode_context_sum // n_decode))) if n_decode else (0, 0)
        ch = tuple(sorted(Counter((up(t), up(c)) for t, c in chunks).items()))
        return dec, ch

    def price(self, n_decode: int, decode_context_sum: int, chunks: list[tuple[int, int]]) -> Priced:
        """`n_decode` sequences decoding one token with `decode_context_sum` tokens in memory between
        them (the new ones included), and prefill chunks of (tokens, context once written)."""
        self.lookups += 1
        key = self.key(n_decode, decode_context_sum, chunks)
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = self.price_key(key)
        return hit

    def price_key(self, key: tuple) -> Priced:
        try:
            return self._price_key(key)
        except ValueError as exc:  # a method whose work is undefined at this shape (too short a context)
            (n, ctx), chunks = key
            hint = ("serving mixes prefill and decode work in one iteration, so a step placed off the GPU must "
                    "have both on its device: place that step on the GPU") if "cannot run on" in str(exc) \
                else "serve longer prompts or use another method"
            raise ConfigError(f"method {self.method.name} cannot price an iteration of {n} decodes at context {ctx} "
                              f"and prefill chunks {[(t, c) for (t, c), _ in chunks]}: {exc}; {hint}",
                              file=self.machine.exp.file, field="workload.method") from None

    def _price_key(self, key: tuple) -> Priced:
        (n, ctx), chunks = key
        m, method = self.method.model, self.method
        tokens = n + sum(t * c for (t, _), c in chunks)
        pre, post = method.model_ops(self.model_kind, tokens)
        if self.ep is not None:
            post = tuple(op for op in post if op.name not in self.moe_ops)
        templates = {}
        for kind in sorted(set(self.kinds)):  # memory steps off the GPU overlap it by request group
            templates[kind] = layer_tasks(self, kind, n, ctx, chunks, pre, post)
        tail = ()
        if self.model_kind == "gpu":  # logits of one position per sequence
            sampled = n + sum(c for _, c in chunks)
            tail = compute_tasks(self.machine, "lm_head", "model", self.p.model, tuple(llm.lm_head_ops(m, sampled)),
                                 ("post",), self.task_memo)
        dag = IterationDag(self.kinds, templates, tail, 1)
        run = self.sim.run(dag)
        energy = sum(t.energy_j + t.link_energy_j for t in tail)
        for kind in self.kinds:
            energy += sum(t.energy_j + t.link_energy_j for t in templates[kind])
        # the layers run back to back on one stream (a GPU-only placement): each layer's all-reduces
        # (and, under expert parallelism, its MoE block) add to the chain
        energy *= self.copies
        chain = 0.0
        if self.ring is not None:
            chain = len(self.kinds) * self.ring.layer_s(m, tokens, 1 if self.ep is not None else 2)
        if self.ep is not None:  # every layer is lowered with the MoE MLP (`models.post_attention_ops`)
            moe = self.ep.layer(tokens)
            chain += len(self.kinds) * moe.time_s
            energy += len(self.kinds) * moe.energy_j
        return Priced(run.makespan + chain, energy)
