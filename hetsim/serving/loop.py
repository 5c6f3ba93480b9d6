"""The serving loop as SimPy processes: arrivals put requests in the scheduler's queue; the engine
forms a batch, holds the model's device for the priced iteration (plus any KV swap on the host
link), applies it, and sleeps when nothing is left to run until the next arrival. A method's
request-level steps (a RAG search) run per request before its prefill and again at each of its
retrievals during decode, queueing FIFO on the devices that run them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import simpy

from hetsim.serving.cost import IterationCost
from hetsim.serving.requests import Request
from hetsim.serving.scheduler import Batch, Scheduler
from hetsim.serving.sequence import Seq
from hetsim.sim.engine import CountingEnvironment

FRAGMENTATION_EVERY = 8  # iterations between samples of the KV cache's internal fragmentation


@dataclass
class Served:
    """What a serving run produced, before metrics."""

    seqs: list[Seq]
    rows: dict[str, list] = field(default_factory=dict)  # one entry per iteration, by column
    gaps: list[float] = field(default_factory=list)
    duration_s: float = 0.0
    events: int = 0
    energy_j: float = 0.0  # dynamic, all iterations
    swap_s: float = 0.0
    retrieval_queue_s: list[float] = field(default_factory=list)  # per decode-time retrieval: waiting for devices


@dataclass(frozen=True)
class RequestSteps:
    """The memory pipeline's request-level steps (a RAG search) each request runs before its
    prefill, as the engine simulated them for one request: (device, seconds) segments in order,
    a device's compute held for its segment (a FIFO shared with every request, and with the
    engine's iterations on the LLM's device), None a wait holding no device (a transfer)."""

    time_s: float
    energy_j: float
    segments: tuple[tuple[str | None, float], ...]

    @property
    def devices(self) -> tuple[str, ...]:
        return tuple(sorted({d for d, _ in self.segments if d is not None}))


def serve(requests: list[Request], sched: Scheduler, cost: IterationCost, swap_s: Callable[[int, int], float],
          steps: RequestSteps | None = None, model_device: str = "", passage_tokens: int = 0,
          retrievals: list[tuple[int, ...]] | None = None) -> Served:
    """Serve `requests` to the end. `swap_s(tokens_out, tokens_in)`: the link time of a KV swap.
    `retrievals[i]`: the generated-token counts after which request i pauses, runs `steps` again
    and prefills `passage_tokens` more before it decodes on."""
    env = CountingEnvironment()
    seqs = [Seq(r) for r in requests]
    for seq, points in zip(seqs, retrievals or (), strict=False):
        seq.retrievals = list(points)
    cols = ("start_s", "iteration_s", "decodes", "prefill_tokens", "chunks", "running", "waiting", "kv_used_frac",
            "kv_fragmentation", "cached_blocks")
    rows: dict[str, list] = {c: [] for c in cols}
    out = Served(seqs, rows, sched.gaps)
    wake: list[simpy.Event | None] = [None]
    kv, block = sched.kv, sched.kv.block_tokens

    devices = {d: simpy.Resource(env, 1) for d in (steps.devices if steps else ())}
    gpu = devices.get(model_device)  # the engine queues with the requests' steps on the LLM's device

    def ready(seq: Seq) -> None:
        sched.add(seq)
        if wake[0] is not None and not wake[0].triggered:
            wake[0].succeed()

    def search(seq: Seq):
        for d, seconds in steps.segments:
            if d is None:
                yield env.timeout(seconds)
                continue
            with devices[d].request() as r:
                yield r
                yield env.timeout(seconds)
        seq.energy_j += steps.energy_j
        out.energy_j += steps.energy_j

    def request_steps(seq: Seq):
        yield from search(seq)
        seq.steps_done_s = env.now
        ready(seq)

    def decode_retrieval(seq: Seq):
        yield from search(seq)
        seq.retrieval_spans.append((seq.paused_s, env.now))
        out.retrieval_queue_s.append(max(0.0, env.now - seq.paused_s - steps.time_s))
        sched.resume(seq, passage_tokens)
        if wake[0] is not None and not wake[0].triggered:
            wake[0].succeed()

    def arrivals():
        for seq in seqs:
            delay = seq.req.arrival_s - env.now
            if delay > 0:
                yield env.timeout(delay)
            if steps is not None:
                env.process(request_steps(seq))
            else:
                ready(seq)

    def engine():
        it = 0
        while len(sched.finished) < len(seqs):
            batch = next_batch(sched, env.now)
            if batch is None:
                wake[0] = env.event()
                yield wake[0]
                continue
            n = len(batch.decodes)
            ctx = 0
            for s in batch.decodes:
                ctx += s.computed + 1
            chunks = [(c, s.computed + c) for s, c in batch.chunks]
            priced = cost.price(n, ctx, chunks)
            swap = swap_s(batch.swap_out_tokens, batch.swap_in_tokens) if (
                batch.swap_out_tokens or batch.swap_in_tokens) else 0.0
            held = None
            if gpu is not None:
                held = gpu.request()
                yield held
            start = env.now
            yield env.timeout(priced.time_s + swap)
            if held is not None:
                gpu.release(held)
            out.swap_s += swap
            share = priced.energy_j / max(1, batch.tokens)
            for s in batch.decodes:
                s.energy_j += share
            for s, c in batch.chunks:
                s.energy_j += share * c
            out.energy_j += priced.energy_j
            prefill = sum(c for _, c in batch.chunks)
            sched.complete(batch, env.now)
            for seq in sched.take_paused():
                env.process(decode_retrieval(seq))
            frag = float("nan")
            if it % FRAGMENTATION_EVERY == 0 and sched.running:
                slots = sum(s.blocks for s in sched.running) * block
                frag = 1.0 - sum(s.computed for s in sched.running) / slots if slots else 0.0
            it += 1
            for c, v in zip(cols, (start, env.now - start, n, prefill, len(batch.chunks), len(sched.running),
                                   len(sched.waiting), kv.used / kv.total if kv.total else 0.0, frag,
                                   sched.prefix.blocks if sched.prefix else 0), strict=True):
                rows[c].append(v)

    env.process(arrivals())
    done = env.process(engine())
    env.run(until=done)
    out.duration_s = env.now
    out.events = env.events_scheduled
    return out


def next_batch(sched: Scheduler, now: float) -> Batch | None:
    """The scheduler's batch; when requests run but none can advance (every one waits for KV
    blocks), the latest is preempted until one can; when none runs and the first waiting one
    cannot start, waiting requests holding blocks (resuming after a retrieval) give them up."""
    while True:
        batch = sched.schedule(now)
        if batch is not None:
            return batch
        if sched.running:
            sched.preempt(sched.victim(), now)
        elif not (sched.waiting and sched.release_blocked(now)):
            return None
