"""The metric names a sweep may name are the ones the runner gives every run."""

from hetsim.dse.goals import METRICS
from hetsim.runner import run_experiment


def test_metric_names_match_the_runner(small_experiment):
    runs = run_experiment(small_experiment(**{"workload.decode_tokens": 2}))
    assert set(runs[0].metrics) == set(METRICS)
