"""The iteration cost model: shapes rounded up on the grid cost at least their exact time and at
most (1 + error) times it; each distinct shape is simulated once."""

import numpy as np
import pytest

from hetsim.serving.cost import Grid, IterationCost


def test_grid_rounds_up_within_the_step():
    g = Grid(0.05)
    for x in range(1, 20000, 7):
        y = g.up(x)
        assert x <= y <= max(x, np.ceil(x * 1.05 ** 0.5))
    assert Grid(0.0).up(12345) == 12345


@pytest.mark.parametrize("error", [0.02, 0.1])
def test_bucketed_price_within_the_stated_bound(make_runner, error):
    r = make_runner()
    exact = IterationCost(r.machine, r.planned.method, r.planned.placement, 0.0)
    grid = IterationCost(r.machine, r.planned.method, r.planned.placement, error)
    rng = np.random.default_rng(3)
    for _ in range(150):
        n = int(rng.integers(0, 300))
        ctx = int(rng.integers(1, 8000, n).sum()) if n else 0
        chunks = [(int(rng.integers(1, 1024)), 0) for _ in range(int(rng.integers(0 if n else 1, 3)))]
        chunks = [(t, t + int(rng.integers(0, 6000))) for t, _ in chunks]
        e, b = exact.price(n, ctx, chunks).time_s, grid.price(n, ctx, chunks).time_s
        assert e <= b * (1 + 1e-9)
        assert b <= e * (1 + error) * (1 + 1e-9), (n, ctx, chunks, b / e - 1)


def test_each_shape_priced_once(make_runner):
    r = make_runner()
    cost = IterationCost(r.machine, r.planned.method, r.planned.placement, 0.02)
    up = cost.grid.up
    t = next(x for x in range(200, 400) if up(x + 1) == up(x))  # two chunk sizes in one grid cell
    a = cost.price(40, 40 * 1000, [(t, 900)])
    b = cost.price(40, 40 * 1000, [(t + 1, 900)])
    assert a is b
    assert cost.sim.simulated == 1 and len(cost.memo) == 1


def test_mixed_iteration_reads_the_weights_once(make_runner):
    """A decode batch and a prefill chunk together cost less than apart (one weight read)."""
    r = make_runner()
    cost = IterationCost(r.machine, r.planned.method, r.planned.placement, 0.0)
    both = cost.price(32, 32 * 1000, [(128, 128)]).time_s
    apart = cost.price(32, 32 * 1000, []).time_s + cost.price(0, 0, [(128, 128)]).time_s
    assert both < 0.8 * apart
