"""Serving runs for the tests: the example experiment (one H100, chunked prefill), shrunk."""

from __future__ import annotations

from pathlib import Path

import pytest

from hetsim.scenario import load_experiment
from hetsim.serving.run import ServingRunner

REPO = Path(__file__).resolve().parents[2]
CHUNKED = REPO / "configs" / "experiments" / "serving_chunked.yaml"


def scenario(catalogue, **overrides):
    base = {"outputs.write": False, "serving.requests.count": 60}
    base.update(overrides)
    return load_experiment(CHUNKED, catalogue, base)


def runner(catalogue, **overrides) -> ServingRunner:
    exp = scenario(catalogue, **overrides)
    return ServingRunner(exp, exp.runs[0])


@pytest.fixture
def make_scenario(catalogue):
    return lambda **overrides: scenario(catalogue, **overrides)


@pytest.fixture
def make_runner(catalogue):
    return lambda **overrides: runner(catalogue, **overrides)
