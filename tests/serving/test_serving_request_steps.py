"""The memory pipeline in serving: each request's RAG search runs before its prefill on the
device its placement names, queueing there (FIFO) with the other requests' searches, and on the
LLM's GPU also with the engine's iterations."""

from pathlib import Path

import numpy as np
import pytest

from hetsim.scenario import load_experiment
from hetsim.serving.run import ServingRunner, requests_of

RAG = Path(__file__).resolve().parents[2] / "configs" / "experiments" / "serving_rag.yaml"
BURST = {"outputs.write": False, "serving.requests.count": 12,
         "serving.requests.arrivals": {"process": "all-at-once"}}


def served(catalogue, label):
    exp = load_experiment(RAG, catalogue, BURST)
    planned = next(p for p in exp.runs if p.label == label)
    r = ServingRunner(exp, planned)
    return r, r.serve(requests_of(exp))


def test_searches_queue_one_after_another_on_the_fpga(catalogue):
    r, (_, table, _) = served(catalogue, "rag/paper")
    assert r.steps.devices == ("fpga0", "gpu0")
    search = sum(t for d, t in r.steps.segments if d == "fpga0")
    assert search > 0.5 * r.steps.time_s  # the BM25 search itself runs on the FPGA
    done = np.sort(table.request_steps_s.to_numpy())
    assert done[0] == pytest.approx(r.steps.time_s, rel=1e-9)  # the first finds every device free
    # one search at a time on the FPGA: the k-th done no earlier than k searches (its last GPU step
    # may then wait for an iteration of the engine)
    assert np.all(done >= search * np.arange(1, 13) * (1 - 1e-9))
    # the prompt carries the retrieved documents (top 3 of 128 tokens)
    assert r.extra_prompt == 3 * 128


def test_searches_on_the_gpu_queue_with_the_engine(catalogue):
    r, (served_run, table, _) = served(catalogue, "rag/gpu-only")
    assert r.steps.devices == ("gpu0",)
    longest = max(t for _, t in r.steps.segments)
    done = np.sort(table.request_steps_s.to_numpy())
    assert np.all(done >= longest * np.arange(1, 13) * (1 - 1e-9))  # the GPU runs one search at a time
    # the engine's iterations hold the GPU too: no iteration starts while a search kernel runs
    starts = np.asarray(served_run.rows["start_s"])
    assert starts.min() >= done[0] - 1e-12


def test_flare_retrievals_during_decode_are_served(catalogue):
    r, (_, table, metrics) = served(catalogue, "rag/paper")
    assert r.triggered and not r.planned_notes  # served, so no note that they are not
    assert metrics.decode_retrievals == table.decode_retrievals.sum() > 0
