"""What the policies are for: chunked prefill lowers the tail time between tokens on a mixed
trace; prefix caching lowers TTFT on a shared-prompt trace; static batching served all at once
gives today's static run."""

import numpy as np
import pytest

from hetsim.runner import run_experiment
from hetsim.serving.run import ServingRunner, requests_of

MIXED = {"serving.requests.count": 120, "serving.requests.arrivals.rate_per_s": 6.0,
         "serving.requests.prompt_tokens": {"dist": "lognormal", "median": 1500, "sigma": 1.0, "low": 64,
                                            "high": 8000},
         "serving.requests.output_tokens": {"dist": "uniform", "low": 50, "high": 200}}


def metrics(make_runner, **over):
    r = make_runner(**over)
    return r.serve(requests_of(r.exp))[2]


def test_chunked_prefill_lowers_p99_tbt(make_runner):
    chunked = metrics(make_runner, **MIXED, **{"serving.scheduler.policy": "chunked"})
    whole = metrics(make_runner, **MIXED, **{"serving.scheduler.policy": "continuous"})
    assert chunked.tbt_s.p99 < 0.8 * whole.tbt_s.p99
    # a prompt prefilled whole stalls the decodes for its length: the worst gaps are prefills
    assert whole.tbt_s.p99 > 2 * whole.tbt_s.p50


def test_prefix_caching_lowers_ttft(make_runner):
    shared = {"serving.requests.count": 100, "serving.requests.arrivals.rate_per_s": 10.0,
              "serving.requests.prefix": {"groups": 2, "tokens": 2048},
              "serving.requests.prompt_tokens": {"dist": "fixed", "value": 64}}
    cached = metrics(make_runner, **shared, **{"serving.prefix_cache": True})
    plain = metrics(make_runner, **shared, **{"serving.prefix_cache": False})
    assert cached.ttft_s.p50 < 0.5 * plain.ttft_s.p50
    assert cached.prefix_hit_rate > 0.8
    assert cached.prefill_tokens + cached.prefix_saved_prefill_tokens == plain.prefill_tokens
    assert plain.prefix_hit_rate == 0


def test_static_all_at_once_matches_the_static_run(catalogue, make_scenario):
    """Eight equal requests at t = 0 under static batching: TTFT is the static run's prefill, each
    token the static run's decode step (the same iteration DAGs, priced exactly)."""
    ctx, out, batch = 2048, 16, 8
    exp = make_scenario(**{"workload.context_tokens": ctx, "workload.decode_tokens": out, "workload.batch": batch,
                           "serving.bucket_error": 0.0, "serving.scheduler.policy": "static",
                           "serving.scheduler.max_tokens": ctx * batch,
                           "serving.requests": {"count": batch, "prompt_tokens": {"value": ctx},
                                                "output_tokens": {"value": out + 1}}})
    static = run_experiment(exp)[0].metrics
    table = ServingRunner(exp, exp.runs[0]).serve(requests_of(exp))[1]
    assert np.allclose(table.ttft_s, static.ttft_s, rtol=1e-9)
    assert table.tpot_s.iloc[0] == pytest.approx(static.tpot_s, rel=1e-3)


def test_priority_order_serves_class_zero_first(make_runner):
    over = {"serving.requests.count": 80, "serving.requests.arrivals": {"process": "all-at-once"},
            "serving.requests.priorities": 2, "serving.scheduler.order": "priority",
            "serving.scheduler.max_batch": 8}
    r = make_runner(**over)
    table = r.serve(requests_of(r.exp))[1]
    q = table.groupby("priority").queue_s.mean()
    assert q[0] < q[1]
