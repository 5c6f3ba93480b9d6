"""The parts by themselves: arrival processes and length distributions, the CSV trace round
trip, the prefix cache's LRU eviction, the block allocator."""

import numpy as np
import pytest

from hetsim.config.schema import ArrivalSpec, LengthSpec, RequestsSpec
from hetsim.serving.kv_cache import BlockAllocator, kv_capacity
from hetsim.serving.prefix_cache import PrefixCache
from hetsim.serving.requests import arrival_times, generate, lengths, read_trace, write_trace


def test_poisson_and_gamma_have_the_asked_rate_and_burstiness():
    rng = np.random.default_rng(0)
    p = np.diff(arrival_times(ArrivalSpec(process="poisson", rate_per_s=5.0), 20000, rng))
    g = np.diff(arrival_times(ArrivalSpec(process="gamma", rate_per_s=5.0, cv=3.0), 20000, rng))
    assert p.mean() == pytest.approx(0.2, rel=0.03) and p.std() / p.mean() == pytest.approx(1.0, rel=0.05)
    assert g.mean() == pytest.approx(0.2, rel=0.1) and g.std() / g.mean() == pytest.approx(3.0, rel=0.15)
    fixed = arrival_times(ArrivalSpec(process="fixed", rate_per_s=4.0), 5, rng)
    assert np.allclose(fixed, [0, 0.25, 0.5, 0.75, 1.0])
    assert not arrival_times(ArrivalSpec(process="all-at-once"), 7, rng).any()


def test_lengths_respect_their_bounds():
    rng = np.random.default_rng(1)
    x = lengths(LengthSpec(dist="lognormal", median=300, sigma=1.0, low=10, high=2000), 20000, rng, "prompt_tokens")
    assert x.min() >= 10 and x.max() <= 2000
    assert np.median(x) == pytest.approx(300, rel=0.05)
    u = lengths(LengthSpec(dist="uniform", low=5, high=9), 1000, rng, "prompt_tokens")
    assert set(u.tolist()) == {5, 6, 7, 8, 9}


def test_trace_round_trip_and_empirical_lengths(tmp_path):
    spec = RequestsSpec(count=50, arrivals=ArrivalSpec(process="poisson", rate_per_s=3.0),
                        prefix={"groups": 2, "tokens": 64}, priorities=3)
    reqs = generate(spec, 4)
    write_trace(tmp_path / "t.csv", reqs)
    back = read_trace(tmp_path / "t.csv")
    assert [(r.prompt_tokens, r.output_tokens, r.prefix_group, r.prefix_tokens, r.priority) for r in back] == \
        [(r.prompt_tokens, r.output_tokens, r.prefix_group, r.prefix_tokens, r.priority) for r in reqs]
    assert np.allclose([r.arrival_s for r in back], [r.arrival_s for r in reqs], atol=1e-6)
    emp = lengths(LengthSpec(dist="empirical", trace=str(tmp_path / "t.csv")), 200, np.random.default_rng(0),
                  "output_tokens")
    assert set(emp.tolist()) <= {r.output_tokens for r in reqs}


def test_prefix_cache_evicts_unreferenced_leaves_least_recently_used_first():
    pc = PrefixCache()
    a, _ = pc.insert([("g", 0), ("g", 1), ("a", 2)], [], now=1.0)
    b, created = pc.insert([("g", 0), ("g", 1), ("b", 2)], [], now=2.0)
    assert created == 1 and pc.blocks == 4  # the shared two blocks are stored once
    pc.release(a, now=3.0)
    assert pc.unreferenced == 1  # ("a", 2) only: the shared blocks are still b's
    pc.release(b, now=4.0)
    assert pc.unreferenced == 4
    assert pc.evict(1) == 1  # the least recently used leaf: a's own block
    assert [len(pc.match(k, 10)) for k in ([("g", 0), ("g", 1), ("a", 2)], [("g", 0), ("g", 1), ("b", 2)])] == [2, 3]
    assert pc.evict(10) == 3 and pc.blocks == 0


def test_referenced_blocks_are_never_evicted():
    pc = PrefixCache()
    held, _ = pc.insert([1, 2, 3], [], now=0.0)
    assert pc.evict(5) == 0 and pc.blocks == 3
    assert len(pc.match([1, 2, 3, 4], 10)) == 3 and len(pc.match([1, 2, 3], 2)) == 2


def test_allocator_capacity_and_refusal():
    cap = kv_capacity(80e9, 0.9, 16 * 10**9, 131072, 16)
    assert cap.blocks == (72 * 10**9 - 16 * 10**9) // (131072 * 16)
    kv = BlockAllocator(kv_capacity(1e6, 1.0, 0, 1000, 10))  # 100 blocks
    assert kv.total == 100 and kv.blocks_for(25) == 3
    assert kv.take(60) and not kv.take(41) and kv.free == 40
    kv.give(60)
    with pytest.raises(AssertionError):
        kv.give(1)
