"""Scheduler policies behind one interface: `schedule(now)` forms the next iteration's batch from
the waiting, running and swapped requests; `complete(batch, now)` applies what it computed.

- `StaticScheduler`: today's batching - a batch is admitted when the previous one has left,
  prefilled whole, decoded in lockstep (KV blocks reserved for the whole sequence up front).
- `ContinuousScheduler` (Orca / vLLM): iteration-level batching; new prompts are prefilled whole
  in an iteration of their own while running decodes wait.
- `ChunkedScheduler` (Sarathi-Serve): every running decode plus prefill chunks up to a token
  budget in each iteration (stall-free batching).

Requests are taken first come first served, or by priority class (0 first) then arrival. A
decode that finds no free KV block preempts the latest-admitted running request of the lowest
priority: by recompute (its KV is dropped and its prompt plus what it generated is prefilled
again) or by swap (its KV goes to host memory over the link and comes back before it resumes).

A request that retrieves during decode (RAG triggers) leaves the running batch after the token
that triggers it, keeping its KV blocks (`paused`, for the serving loop to search); `resume`
queues it again with the retrieved passage to prefill, ahead of later arrivals (its arrival
order), as a chunk like any prompt (continuous and chunked policies).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from hetsim.config.schema import SchedulerSpec
from hetsim.serving.kv_cache import BlockAllocator
from hetsim.serving.prefix_cache import PrefixCache
from hetsim.serving.sequence import FINISHED, RETRIEVING, RUNNING, SWAPPED, WAITING, Seq

WATERMARK = 0.01  # share of the KV blocks kept free when admitting a prompt (vLLM's watermark)


@dataclass
class Batch:
    decodes: list[Seq] = field(default_factory=list)
    chunks: list[tuple[Seq, int]] = field(default_factory=list)  # (request, prefill tokens this iteration)
    swap_in_tokens: int = 0
    swap_out_tokens: int = 0

    @property
    def tokens(self) -> int:
        return len(self.decodes) + sum(n for _, n in self.chunks)


class Scheduler:
    """The queues, the KV bookkeeping and the completion of an iteration; subclasses form batches."""

    policy = "?"

    def __init__(self, spec: SchedulerSpec, kv: BlockAllocator, prefix: PrefixCache | None = None) -> None:
        self.spec = spec
        self.kv = kv
        self.prefix = prefix
        self.by_priority = spec.order == "priority"
        self.waiting: list[tuple[tuple, Seq]] = []
        self.swapped: list[tuple[tuple, Seq]] = []
        self.running: list[Seq] = []
        self.finished: list[Seq] = []
        self.paused: list[Seq] = []  # left the batch to retrieve since the loop last looked
        self.gaps: list[float] = []  # every time between two tokens of a request
        self.preemptions = 0
        self.swap_out_tokens = 0
        self.watermark = int(WATERMARK * kv.total)
        self._pending_swap_out = 0

    # ------------------------------------------------------------------ queues
    def add(self, seq: Seq) -> None:
        seq.state = WAITING
        heapq.heappush(self.waiting, (seq.order(self.by_priority), seq))

    def schedule(self, now: float) -> Batch | None:
        raise NotImplementedError

    # ------------------------------------------------------------------ KV blocks
    def _block_keys(self, seq: Seq) -> list:
        """What each full block of the prompt holds: the group's shared text, then its own."""
        if seq.keys is None:
            r, b = seq.req, self.kv.block_tokens
            shared = r.prefix_tokens // b if r.prefix_group >= 0 else 0
            seq.keys = [(r.prefix_group, j) if j < shared else (-1, r.rid, j) for j in range(r.prompt_tokens // b)]
        return seq.keys

    def _match(self, seq: Seq, now: float) -> None:
        """Start a request at the longest cached prefix of its prompt (one token at least is left
        to compute: it yields the next token)."""
        if self.prefix is None or seq.computed:
            return
        nodes = self.prefix.match(self._block_keys(seq), (seq.target - 1) // self.kv.block_tokens)
        self.prefix.acquire(nodes, now)
        seq.nodes = nodes
        seq.computed = len(nodes) * self.kv.block_tokens
        seq.hit_tokens += seq.computed
        if seq.first_hit_tokens is None:
            seq.first_hit_tokens = seq.computed

    def _unmatch(self, seq: Seq, now: float) -> None:
        if seq.nodes:
            seq.hit_tokens -= seq.computed
            if seq.first_hit_tokens == seq.computed and seq.preemptions == 0:
                seq.first_hit_tokens = None
            self.prefix.release(seq.nodes, now)
            seq.nodes, seq.computed = [], 0

    def _grow(self, seq: Seq, tokens: int) -> bool:
        """Hold the blocks for `tokens` tokens of the sequence."""
        need = self.kv.blocks_for(tokens) - seq.blocks
        if need <= 0:
            return True
        if self.kv.take(need):
            seq.private += need
            return True
        return False

    def _free(self, seq: Seq, now: float) -> None:
        self.kv.give(seq.private)
        seq.private = 0
        if seq.nodes:
            self.prefix.release(seq.nodes, now)
            seq.nodes = []

    def _cache_prompt(self, seq: Seq, now: float) -> None:
        """Hand the prompt's full blocks to the prefix cache once they are computed."""
        if self.prefix is None or seq.cached:
            return
        keys = self._block_keys(seq)
        have = len(seq.nodes)
        added, created = self.prefix.insert(keys, seq.nodes, now)
        moved = len(keys) - have  # the request's own blocks for those keys
        seq.private -= moved
        self.kv.give(moved - created)  # a block someone else cached first: its copy is freed
        seq.nodes = seq.nodes + added
        seq.cached = True

    # ------------------------------------------------------------------ preemption
    def victim(self) -> Seq:
        return max(self.running, key=lambda s: s.order(self.by_priority))

    def preempt(self, seq: Seq, now: float) -> None:
        self.running.remove(seq)
        self.preemptions += 1
        seq.preemptions += 1
        if self.spec.preemption == "swap" and not seq.prefilling:
            self._pending_swap_out += seq.computed
            self._free(seq, now)
            seq.state = SWAPPED
            heapq.heappush(self.swapped, (seq.order(self.by_priority), seq))
            return
        self._free(seq, now)
        seq.computed = 0
        seq.cached = False
        seq.target = seq.req.prompt_tokens + seq.retrieved_tokens + seq.generated
        self.add(seq)

    def _decodes(self, now: float) -> list[Seq]:
        """Every running request past its prefill, each with a block for its next token;
        requests are preempted (latest, lowest priority first) until the blocks suffice."""
        out: list[Seq] = []
        for seq in list(self.running):
            if seq.state != RUNNING or seq.prefilling:
                continue
            while not self._grow(seq, seq.computed + 1):
                victim = self.victim()
                if victim in out:
                    out.remove(victim)
                self.preempt(victim, now)
                if victim is seq:
                    break
            if seq.state == RUNNING:
                out.append(seq)
        return out

    def _swap_in(self, batch: Batch) -> None:
        """Bring swapped requests back (the oldest first) while their blocks fit."""
        while self.swapped and len(self.running) < self.spec.max_batch:
            seq = self.swapped[0][1]
            if self.kv.available() - self.watermark < self.kv.blocks_for(seq.computed + 1) or \
                    not self._grow(seq, seq.computed):
                break
            heapq.heappop(self.swapped)
            seq.state = RUNNING
            self.running.append(seq)
            batch.swap_in_tokens += seq.computed

    def _try_admit(self, budget: int | None, now: float) -> tuple[Seq, int] | None:
        """The first waiting request, started at its cached prefix, with blocks for its first
        chunk (at most `budget` tokens; None: all of it) and room for the rest of its prompt."""
        seq = self.waiting[0][1]
        fresh = seq.computed == 0  # not a request resuming after a retrieval (it keeps its KV)
        self._match(seq, now)
        left = seq.target - seq.computed
        chunk = left if budget is None else min(left, budget)
        whole = self.kv.blocks_for(seq.target) - seq.blocks
        if self.kv.available() - whole < self.watermark or not self._grow(seq, seq.computed + chunk):
            if fresh:
                self._unmatch(seq, now)
            return None
        heapq.heappop(self.waiting)
        seq.state = RUNNING
        if seq.admitted_s is None:
            seq.admitted_s = now
        self.running.append(seq)
        return seq, chunk

    # ------------------------------------------------------------------ completion
    def complete(self, batch: Batch, now: float) -> None:
        for seq, n in batch.chunks:
            seq.computed += n
            seq.prefilled_tokens += n
            if seq.computed == seq.target:
                self._cache_prompt(seq, now)
                self._token(seq, now)
        for seq in batch.decodes:
            seq.computed += 1
            self._token(seq, now)

    def _token(self, seq: Seq, now: float) -> None:
        seq.generated += 1
        if seq.first_token_s is None:
            seq.first_token_s = now
        else:
            gap = now - seq.last_token_s
            self.gaps.append(gap)
            if gap > seq.max_gap_s:
                seq.max_gap_s = gap
        seq.last_token_s = now
        if seq.generated >= seq.req.output_tokens:
            self._free(seq, now)
            seq.state = FINISHED
            seq.finish_s = now
            self.running.remove(seq)
            self.finished.append(seq)
        elif seq.retrievals and seq.generated == seq.retrievals[0]:
            seq.retrievals.pop(0)
            seq.state = RETRIEVING
            seq.paused_s = now
            self.running.remove(seq)
            self.paused.append(seq)

    def resume(self, seq: Seq, passage_tokens: int) -> None:
        """A paused request's retrieval is done: prefill its passage, then decode on."""
        seq.retrieved_tokens += passage_tokens
        seq.target = seq.computed + passage_tokens
        self.add(seq)

    def release_blocked(self, now: float) -> bool:
        """Nothing runs and the first waiting request cannot start: the latest waiting request
        that holds KV blocks (one resuming after a retrieval) gives them up, to be recomputed.
        False when none holds any."""
        holders = [seq for _, seq in self.waiting if seq.blocks]
        if not holders:
            return False
        seq = max(holders, key=lambda s: s.order(self.by_priority))
        self.preemptions += 1
        seq.preemptions += 1
        self._free(seq, now)
        seq.computed = 0
        seq.cached = False
        seq.target = seq.req.prompt_tokens + seq.retrieved_tokens + seq.generated
        return True

    def take_paused(self) -> list[Seq]:
        out, self.paused = self.paused, []
        return out

    def take_swap_out(self) -> int:
        n, self._pending_swap_out = self._pending_swap_out, 0
        self.swap_out_tokens += n
        return n


class StaticScheduler(Scheduler):
    policy = "static"

    def schedule(self, now: float) -> Batch | None:
        if self.running:
            return Batch(decodes=list(self.running))
        batch = Batch()
        tokens = 0
        while self.waiting and len(batch.chunks) < self.spec.max_batch:
            seq = self.waiting[0][1]
            if batch.chunks and tokens + seq.target > self.spec.max_tokens:
                break
            # a static batch holds the whole sequence's KV from the start
            if not self._grow(seq, seq.req.prompt_tokens + seq.req.output_tokens):
                break
            heapq.heappop(self.waiting)
            seq.state = RUNNING
            seq.admitted_s = now
            self.running.append(seq)
            batch.chunks.append((seq, seq.target))
            tokens += seq.target
        return batch if batch.chunks else None


class ContinuousScheduler(Scheduler):
    policy = "continuous"

    def schedule(self, now: float) -> Batch | None:
        batch = Batch()
        self._swap_in(batch)
        tokens = 0
        while self.waiting and not self.swapped and len(self.running) < self.spec.max_batch:
            seq = self.waiting[0][1]
            if batch.chunks and tokens + seq.target - seq.computed > self.spec.max_tokens:
                break
            got = self._try_admit(None, now)
            if got is None:
                break
            batch.chunks.append(got)
            tokens += got[1]
        if not batch.chunks:
            batch.decodes = self._decodes(now)
        batch.swap_out_tokens = self.take_swap_out()
        return batch if batch.chunks or batch.decodes else None


class ChunkedScheduler(Scheduler):
    policy = "chunked"

    def schedule(self, now: float) -> Batch | None:
        batch = Batch()
        self._swap_in(batch)
        batch.decodes = self._decodes(now)
        budget = self.spec.token_budget - len(batch.decodes)
        for seq in self.running:
            if budget <= 0:
                break
            if seq.prefilling:
                chunk = min(seq.target - seq.computed, budget)
                if self._grow(seq, seq.computed + chunk):
                    batch.chunks.append((seq, chunk))
                    budget -= chunk
        while budget > 0 and self.waiting and not self.swapped and len(self.running) < self.spec.max_batch:
            got = self._try_admit(budget, now)
            if got is None:
                break
            batch.chunks.append(got)
            budget -= got[1]
        batch.swap_out_tokens = self.take_swap_out()
        return batch if batch.chunks or batch.decodes else None


POLICIES: dict[str, type[Scheduler]] = {s.policy: s for s in (StaticScheduler, ContinuousScheduler, ChunkedScheduler)}
