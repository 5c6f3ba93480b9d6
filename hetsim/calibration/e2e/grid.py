"""What one measuring run covers: prompts, decode points, repeats, energy subset, op-case traces.

A decode point (batch B, context C) is kept only if its cache and the largest per-layer
temporary of the step fit the GPU's free memory. The temporary is hf-static's: transformers
repeats K/V heads to the query heads before SDPA (`repeat_kv`, two materialised copies of one
layer's K and V over the whole static length); DynamicCache's `torch.cat` needs less.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hetsim.calibration.e2e.spec import ITEMSIZE, kv_bytes_per_token

K = 1024
MODES = (("hf-dynamic", "eager"), ("hf-static", "eager"), ("hf-static", "graph"))  # decode (stack, mode)
PREFILL_STACKS = ("hf-dynamic", "hf-static")  # prefill is measured eager: one forward per request
# the provenance `session` of host figures measure times after its points, in the same lease
SAME_LEASE = "the end-to-end run's own lease"
MEMORY_SHARE = 0.85  # of the free memory after the model is built: the allocator's slack, cuBLAS workspaces


@dataclass(frozen=True)
class Grid:
    name: str
    prompts: tuple[int, ...]
    batches: tuple[int, ...]
    contexts: tuple[int, ...]
    steps: int  # decode steps per timed loop (back to back, as a generation loop runs them)
    loops: int  # timed loops per decode point (after one untimed warm-up loop)
    prefill_reps: int  # timed forwards per prompt (after one untimed warm-up)
    energy_s: float  # length of each energy loop (0: no energy)
    idle_s: float
    energy_decode: tuple[tuple[int, int], ...] = ()  # (batch, context) points measured for energy, all modes
    energy_prefill: tuple[int, ...] = ()
    op_traces: tuple[tuple[str, str, int, int], ...] = ()  # (phase, stack, batch, context) of 1-layer traces
    op_point_s: float = 0.05
    op_idle_reps: int = 7
    op_rounds: int = 3  # interleaved stream passes over the op cases (host speed moves between spells)
    modes: tuple[tuple[str, str], ...] = MODES  # the decode (stack, mode)s measured
    decode_passes: int = 1  # passes over every decode point, interleaved (the comparison takes their median)
    budget_s: float = 480.0  # wall time for idle, prefill and decode; points past it are recorded as skipped
    op_budget_s: float = 60.0  # further wall time for the op cases
    notes: dict = field(default_factory=dict)
    prefill_batches: tuple[int, ...] = (1,)  # requests per prefill forward (each of the prompt's length)


GRIDS = {
    "full": Grid("full", prompts=(1 * K, 2 * K, 4 * K, 8 * K, 16 * K, 32 * K), batches=(1, 4, 8, 16, 32, 64),
                 contexts=(1 * K, 4 * K, 16 * K, 32 * K, 64 * K, 128 * K), steps=4, loops=5, prefill_reps=5,
                 energy_s=2.0, idle_s=2.0,
                 energy_decode=((1, 4 * K), (8, 16 * K), (32, 4 * K), (4, 128 * K)),
                 energy_prefill=(4 * K, 32 * K),
                 op_traces=(("decode", "hf-static", 8, 4 * K), ("decode", "hf-dynamic", 8, 4 * K),
                            ("prefill", "hf-static", 1, 2 * K), ("prefill", "hf-dynamic", 1, 2 * K),
                            ("decode", "hf-static", 32, 16 * K)),
                 op_point_s=0.03, op_idle_reps=5, op_rounds=5, budget_s=430.0, op_budget_s=75.0),
    "quick": Grid("quick", prompts=(1 * K, 4 * K), batches=(1, 8), contexts=(1 * K, 32 * K), steps=2, loops=2,
                  prefill_reps=2, energy_s=0.3, idle_s=0.5, energy_decode=((8, 1 * K),), energy_prefill=(1 * K,),
                  op_traces=(("decode", "hf-static", 8, 1 * K),), op_point_s=0.01, op_idle_reps=3, budget_s=100.0,
                  op_budget_s=20.0),
    # host-bound DynamicCache decode only, every point in three interleaved passes (the host's spells
    # last about a second: one pass times a point in one spell), with the lease's own host figures
    "dynamic-passes": Grid("dynamic-passes", prompts=(), batches=(1, 4, 8, 16, 32, 64),
                           contexts=(1 * K, 4 * K, 16 * K, 32 * K, 64 * K, 128 * K), steps=4, loops=5, prefill_reps=0,
                           energy_s=0.0, idle_s=0.0, modes=(("hf-dynamic", "eager"),), decode_passes=3,
                           budget_s=420.0),
    # `e2e measure --cudnn-sdpa off` (SDPA on flash / memory-efficient, as PyTorch <= 2.10 picks them): no cuDNN plan
    # build in a DynamicCache step, so host-bound decode is the model's own host work; a smaller grid than full's
    # to fit one device call
    "cudnn-off": Grid("cudnn-off", prompts=(1 * K, 4 * K, 16 * K, 32 * K), batches=(1, 4, 16, 64),
                      contexts=(1 * K, 4 * K, 16 * K, 64 * K, 128 * K), steps=4, loops=3, prefill_reps=3,
                      energy_s=1.0, idle_s=1.0, energy_decode=((1, 4 * K), (16, 16 * K)), energy_prefill=(4 * K,),
                      op_traces=(("decode", "hf-static", 8, 4 * K), ("decode", "hf-dynamic", 8, 4 * K),
                                 ("prefill", "hf-static", 1, 2 * K), ("prefill", "hf-dynamic", 1, 2 * K)),
                      op_point_s=0.03, op_idle_reps=5, op_rounds=3, budget_s=330.0, op_budget_s=60.0),
    # host-bound DynamicCache decode timed as a generation runs it: 48 steps a timed loop (1-2.5 s, over several of
    # the host's spells, where cudnn-off's 4-step loops each fall in one), cuDNN SDPA off as cudnn-off measures it
    "dynamic-long": Grid("dynamic-long", prompts=(), batches=(1, 4, 16, 64),
                         contexts=(1 * K, 4 * K, 16 * K, 64 * K, 128 * K), steps=48, loops=3, prefill_reps=0,
                         energy_s=0.0, idle_s=0.0, modes=(("hf-dynamic", "eager"),), budget_s=330.0, op_budget_s=0.0),
    # batched prefill (several prompts of one length in one forward), no decode: the flash and cuDNN prefill keys
    # were fitted on one-sequence calls; run once with PyTorch's own backend and once with --cudnn-sdpa off
    "prefill-batches": Grid("prefill-batches", prompts=(1 * K, 4 * K), batches=(), contexts=(), steps=1, loops=1,
                            prefill_reps=3, energy_s=0.0, idle_s=0.0, modes=(), prefill_batches=(2, 8),
                            budget_s=240.0, op_budget_s=0.0),
    # CPU tests on a tiny model: every code path, seconds in all
    "tiny": Grid("tiny", prompts=(16, 32), batches=(1, 2), contexts=(16, 32), steps=2, loops=2, prefill_reps=2,
                 energy_s=0.0, idle_s=0.0, op_traces=(("decode", "hf-static", 2, 16), ("prefill", "hf-dynamic", 1, 16)),
                 op_point_s=0.002, op_idle_reps=2, op_rounds=2, budget_s=600.0),
}


def static_len(context: int, grid: Grid) -> int:
    """StaticCache length of a decode point: the context plus one timed loop's steps (the counter is
    reset to `context` before each loop, so the cache never overflows)."""
    return context + grid.steps


def decode_bytes(spec, batch: int, context: int, grid: Grid) -> int:
    length = static_len(context, grid)
    cache = batch * length * kv_bytes_per_token(spec)
    group = spec.q_heads // spec.kv_heads
    repeat = 2 * batch * length * spec.q_heads * spec.head_dim * ITEMSIZE[spec.dtype] if group > 1 else 0
    return cache + repeat


def decode_points(spec, grid: Grid, free_bytes: int | None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(kept, skipped) decode points, kept ordered by cache size (cheap first: a budget cut loses
    the fewest points). `free_bytes` None (CPU): everything is kept."""
    kept, skipped = [], []
    for b in grid.batches:
        for c in grid.contexts:
            fits = free_bytes is None or decode_bytes(spec, b, c, grid) <= MEMORY_SHARE * free_bytes
            (kept if fits else skipped).append((b, c))
    kept.sort(key=lambda p: (p[0] * p[1], p[0]))
    return kept, skipped
