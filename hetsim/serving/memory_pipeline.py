"""The memory pipeline inside one serving iteration: a method's memory steps placed off the LLM's
GPU (relevancy / retrieval on an FPGA or the CPU) overlapping the GPU work of the same iteration.

Lowered as one batch (`hetsim.serving.cost.merge_work`), a layer's memory steps wait for the
GPU's pre-attention ops of every request and the GPU's attention waits for every request's
retrieval: the two devices take turns. The schedule modelled here instead splits the
iteration's requests into `groups` groups (decodes split evenly, each prefill chunk to the group
with the fewest tokens so far) and, per layer:

1. the GPU runs the layer's weight ops before attention (norm, QKV projection) once for the
   whole batch - weights are read once, as without groups;
2. each group's steps follow in group order, lowered as the placement puts them: its Prepare on
   the GPU, its query to the FPGA, its Relevancy + Retrieval there (the FPGA runs one group after
   another), the selected indices back, its Apply (sparse attention) on the GPU - which cannot
   start before that group's retrieval for this layer is done (the dependency the engine
   enforces), but can run while the FPGA searches for the next group;
3. the GPU runs the weight ops after attention (output projection, MLP) once for the whole batch,
   after every group's Apply: the next layer's queries need them, so layers stay a barrier.

So group g's FPGA search overlaps group g-1's Apply and the GPU idles only for the first
group's search (and the FPGA for the last group's Apply and the weight ops); without a second
group nothing overlaps. The price is more, smaller kernels per layer (each group's steps are
launched separately). Nothing else changes: every task keeps its engine (FIFO), transfers contend
on their links, and the iteration's time is the engine's makespan.
"""

from __future__ import annotations

from hetsim.sim.lowering import HOST_PREFIX, LEAD_PREFIX, TaskT, lower_layer
from hetsim.workloads.base import LayerWork

SHARED = ("pre", "post")  # the layer's weight ops: once per layer for the whole batch


def split_requests(n_decode: int, chunks: tuple, groups: int) -> list[tuple[int, list[tuple[int, int]]]]:
    """The iteration's requests in `groups` groups: (decodes, [(chunk tokens, context)]) each,
    empty groups dropped. `chunks`: ((tokens, context), count) pairs as an iteration key has them."""
    sizes = [n_decode // groups + (1 if g < n_decode % groups else 0) for g in range(groups)]
    parts: list[list[tuple[int, int]]] = [[] for _ in range(groups)]
    load = list(sizes)
    for (t, c), count in chunks:
        for _ in range(count):
            g = min(range(groups), key=lambda i: (load[i], i))
            parts[g].append((t, c))
            load[g] += t
    return [(sizes[g], parts[g]) for g in range(groups) if sizes[g] or parts[g]]


def offloaded(placement, work: LayerWork) -> bool:
    """Whether any of the layer's steps runs off the LLM's device (only then do groups help)."""
    return any(placement.device_of(s.step) != placement.model for s in work.steps)


def _base(key: str) -> str:
    for prefix in (HOST_PREFIX, LEAD_PREFIX):
        key = key.removeprefix(prefix)
    return key.split("#", 1)[0]


def grouped_layer(machine, placement, works: list[LayerWork], pre_ops, post_ops, method_name: str,
                  memo: dict | None = None) -> tuple[TaskT, ...]:
    """One layer's tasks for the groups' works (see the module docstring): the weight ops once,
    each group's steps under its own keys, the post-attention ops after every group's Apply."""
    lowered = [lower_layer(machine, placement, w, pre_ops, post_ops, method_name, memo=memo) for w in works]
    if len(lowered) == 1:
        return tuple(lowered[0])

    def rename(key: str, g: int) -> str:
        return key if key.startswith("@") or _base(key) in SHARED else f"{key}@g{g}"

    pre, steps, post = [], [], {}
    for g, tasks in enumerate(lowered):
        for t in tasks:
            base = _base(t.key)
            if base == "pre":
                if g == 0:
                    pre.append(t)
                continue
            deps = tuple(rename(d, g) for d in t.deps)
            if base == "post":  # every group's inputs of the shared post-attention ops
                have = post.get(t.key)
                merged = deps if have is None else tuple(dict.fromkeys(have.deps + deps))
                post[t.key] = _with(t, t.key, merged)
            else:
                steps.append(_with(t, rename(t.key, g), deps))
    return (*pre, *steps, *post.values())


def _with(t: TaskT, key: str, deps: tuple[str, ...]) -> TaskT:
    return TaskT(key, t.step, t.device, t.resources, t.duration, deps, t.ops, t.energy_j, t.link_bytes,
                 t.link_energy_j)


def layer_tasks(cost, kind: str, n: int, ctx: int, chunks: tuple, pre_ops, post_ops) -> tuple[TaskT, ...]:
    """The tasks of one layer of kind `kind` in an iteration of `n` decodes at context `ctx` and
    prefill `chunks` (as an iteration key has them), in `cost.memory_groups` groups when a memory
    step runs off the LLM's device (`cost`: the `IterationCost` pricing it)."""
    from hetsim.serving.cost import merge_work  # cost imports this module

    method = cost.method

    def work(n_g: int, chunks_g) -> LayerWork:
        works = [method.decode_layer(kind, n_g, ctx)] if n_g else []
        works += [method.prefill_layer(kind, count, c, t) for (t, c), count in chunks_g]
        return merge_work(works)

    whole = work(n, chunks)
    groups = split_requests(n, chunks, cost.memory_groups) if cost.memory_groups > 1 else []
    if len(groups) < 2 or not offloaded(cost.p, whole):
        return tuple(lower_layer(cost.machine, cost.p, whole, pre_ops, post_ops, method.name, memo=cost.task_memo))
    works = [work(n_g, [((t, c), 1) for t, c in part]) for n_g, part in groups]
    return grouped_layer(cost.machine, cost.p, works, pre_ops, post_ops, method.name, cost.task_memo)
