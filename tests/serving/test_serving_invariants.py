"""Invariants of a serving run, under pressure (a small KV cache that forces preemptions): every
request finishes once with all its tokens, tokens are conserved, KV blocks are never
over-allocated, preempted requests resume, prefix hits never exceed the shared prefix."""

import pytest

from hetsim.serving.kv_cache import BlockAllocator
from hetsim.serving.loop import serve
from hetsim.serving.prefix_cache import PrefixCache
from hetsim.serving.run import requests_of
from hetsim.serving.scheduler import POLICIES

TIGHT = {"serving.requests.count": 80, "serving.requests.arrivals.rate_per_s": 50.0, "serving.kv.blocks": 700}


class Checked:
    """Wraps a scheduler class: after every iteration, the block ledger must balance."""

    def __init__(self, cls):
        self.cls = cls
        self.iterations = 0

    def __call__(self, *args):
        outer = self

        class Sched(self.cls):
            def complete(self, batch, now):
                super().complete(batch, now)
                outer.iterations += 1
                kv = self.kv
                assert 0 <= kv.free <= kv.total
                held = sum(s.private for s in self.running)
                cached = self.prefix.blocks if self.prefix else 0
                assert kv.free + held + cached == kv.total, "a block is lost or counted twice"
                assert len({id(s) for s in self.running}) == len(self.running)

        return Sched(*args)


def run_checked(runner, policy):
    sv = runner.sv
    prefix = PrefixCache() if sv.prefix_cache else None
    kv = BlockAllocator(runner.capacity, prefix)
    checked = Checked(POLICIES[policy])
    spec = sv.scheduler.model_copy(update={"policy": policy})
    sched = checked(spec, kv, prefix)
    served = serve(requests_of(runner.exp), sched, runner.cost, runner.swap_s)
    return served, sched, checked


@pytest.mark.parametrize("policy,preemption,prefix", [
    ("chunked", "recompute", False), ("chunked", "swap", False), ("continuous", "recompute", False),
    ("continuous", "swap", False), ("static", "recompute", False), ("chunked", "recompute", True)])
def test_every_request_finishes_once_and_blocks_balance(make_runner, policy, preemption, prefix):
    over = {**TIGHT, "serving.scheduler.preemption": preemption, "serving.prefix_cache": prefix}
    if prefix:
        over["serving.requests.prefix"] = {"groups": 3, "tokens": 256}
    runner = make_runner(**over)
    served, sched, checked = run_checked(runner, policy)
    assert checked.iterations > 0
    assert sorted(s.req.rid for s in sched.finished) == list(range(80))
    assert all(s.state == "finished" for s in served.seqs)
    for s in served.seqs:
        assert s.generated == s.req.output_tokens
        assert s.first_token_s <= s.finish_s
        assert s.req.arrival_s <= s.admitted_s <= s.first_token_s
    assert sched.kv.free + (sched.prefix.blocks if sched.prefix else 0) == sched.kv.total
    # tokens conserved: every decode iteration produced one token per decoding request, every
    # finished prefill one more
    decoded = sum(served.rows["decodes"])
    assert decoded + sum(1 + s.preemptions * (policy != "static" and preemption == "recompute") for s in
                         served.seqs) >= sum(s.req.output_tokens for s in served.seqs)
    assert sum(served.rows["prefill_tokens"]) == sum(s.prefilled_tokens for s in served.seqs)


def test_tokens_conserved_without_preemption(make_runner):
    runner = make_runner(**{"serving.requests.count": 40})
    served, sched, _ = run_checked(runner, "chunked")
    assert sched.preemptions == 0
    assert sum(served.rows["decodes"]) == sum(s.req.output_tokens - 1 for s in served.seqs)
    assert sum(served.rows["prefill_tokens"]) == sum(s.req.prompt_tokens for s in served.seqs)


@pytest.mark.parametrize("preemption", ["recompute", "swap"])
def test_preempted_requests_resume(make_runner, preemption):
    runner = make_runner(**{**TIGHT, "serving.scheduler.preemption": preemption})
    served, sched, _ = run_checked(runner, "chunked")
    preempted = [s for s in served.seqs if s.preemptions]
    assert sched.preemptions > 0 and preempted
    assert all(s.generated == s.req.output_tokens for s in preempted)
    if preemption == "recompute":  # a recomputed request prefills its prompt and what it had generated again
        assert any(s.prefilled_tokens > s.req.prompt_tokens for s in preempted)
        assert sched.swap_out_tokens == 0
    else:
        assert sched.swap_out_tokens > 0
        assert all(s.prefilled_tokens == s.req.prompt_tokens for s in preempted)
        assert served.swap_s > 0


def test_prefix_hits_never_exceed_the_shared_prefix(make_runner):
    runner = make_runner(**{"serving.prefix_cache": True, "serving.requests.count": 80,
                            "serving.requests.prefix": {"groups": 2, "tokens": 300}})
    served, sched, _ = run_checked(runner, "chunked")
    hits = [s.first_hit_tokens or 0 for s in served.seqs]
    assert max(hits) > 0
    assert all(h <= s.req.prefix_tokens for h, s in zip(hits, served.seqs, strict=True))
    assert all(h % 16 == 0 for h in hits)  # whole blocks only


def test_same_seed_same_results(make_runner):
    a = make_runner().serve(requests_of(make_runner().exp))[1]
    b = make_runner().serve(requests_of(make_runner().exp))[1]
    assert a.equals(b)
    c = make_runner(seed=1)
    assert not a.equals(c.serve(requests_of(c.exp))[1])
