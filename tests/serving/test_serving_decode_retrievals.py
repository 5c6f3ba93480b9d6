"""Retrievals during decode (FLARE / DRAGIN / FS-RAG triggers) in serving: a request pauses, its
search queues on the device running it, its passages are prefilled, then it decodes on."""

import json
from pathlib import Path

import pandas as pd
import pytest

from hetsim.config.schema import DecodeRetrievalSpec
from hetsim.errors import ConfigError
from hetsim.report.serving import request_trace
from hetsim.scenario import load_experiment
from hetsim.serving.requests import Request, decode_retrievals
from hetsim.serving.run import ServingResult, ServingRunner, requests_of
from hetsim.workloads.rag import RagParams

FLARE = Path(__file__).resolve().parents[2] / "configs" / "experiments" / "serving_flare.yaml"
ALONE = {"serving.requests.count": 1, "serving.requests.arrivals": {"process": "all-at-once"},
         "serving.requests.prompt_tokens": {"dist": "fixed", "value": 64},
         "serving.requests.output_tokens": {"dist": "fixed", "value": 64}}


def flare_runner(catalogue, placement=0, **overrides):
    exp = load_experiment(FLARE, catalogue, {"outputs.write": False, "serving.rates_per_s": [], **overrides})
    return ServingRunner(exp, exp.runs[placement])


def serve(runner, rate=None):
    served, table, metrics = runner.serve(requests_of(runner.exp, rate))
    return table, metrics


def test_every_n_tokens_and_per_token_schedules():
    req = Request(0, 0.0, 10, 100)
    assert decode_retrievals(DecodeRetrievalSpec(trigger="every", every_tokens=32), None, req, 0) == ((32, 64, 96), 100)
    spec = DecodeRetrievalSpec(trigger="probability", per_token_prob=0.1)
    points, n = decode_retrievals(spec, None, req, 7)
    assert n == 100 and points == tuple(sorted(set(points))) and all(1 <= p < 100 for p in points)
    assert decode_retrievals(spec, None, req, 7) == (points, n)  # seeded
    assert decode_retrievals(spec, None, Request(1, 0.0, 10, 100), 7)[0] != points  # per request
    assert decode_retrievals(DecodeRetrievalSpec(trigger="none"), None, req, 0) == ((), 100)


def test_method_triggers_and_flare_regenerates_its_look_ahead():
    req = Request(0, 0.0, 10, 64)
    fs = RagParams(trigger="fs-rag", sentence_tokens=16)
    assert decode_retrievals(DecodeRetrievalSpec(), fs, req, 0) == ((16, 32, 48), 64)
    always = RagParams(trigger="flare", sentence_tokens=16, trigger_prob=1.0)
    # every look-ahead sentence holds a low-confidence token: retrieve after it, generate it again
    assert decode_retrievals(DecodeRetrievalSpec(), always, req, 0) == ((16, 48, 80, 112), 128)
    assert decode_retrievals(DecodeRetrievalSpec(), RagParams(trigger="once"), req, 0) == ((), 64)


def test_a_request_retrieving_during_decode_finishes_later(catalogue):
    plain, m0 = serve(flare_runner(catalogue, **ALONE, **{"serving.decode_retrievals": {"trigger": "none"}}))
    every = {"serving.decode_retrievals": {"trigger": "every", "every_tokens": 16}}
    runner = flare_runner(catalogue, **ALONE, **every)
    paused, m1 = serve(runner)
    assert m0.decode_retrievals == 0 and m1.decode_retrievals == 3  # after tokens 16, 32 and 48 of 64
    passage = runner.extra_prompt
    assert passage == 3 * 128 and m1.retrieved_tokens == 3 * passage
    assert paused.finish_s[0] > plain.finish_s[0]
    # each pause lasts at least the search itself; alone, nothing queues ahead of it but its own engine
    assert m1.retrieval_pause_s.p50 >= runner.steps.time_s
    assert paused.max_tbt_s[0] > plain.max_tbt_s[0]
    # each pause is a span inside the request's decode, drawn on its Perfetto lane
    spans = json.loads(paused.retrieval_spans[0])
    assert len(spans) == 3 and all(paused.first_token_s[0] < a < b < paused.finish_s[0] for a, b in spans)
    assert sum(b - a for a, b in spans) == pytest.approx(paused.retrieval_pause_s[0])
    result = ServingResult("flare", "rag", "gpu-only", None, m1, paused, pd.DataFrame(
        {"start_s": [], "iteration_s": [], "decodes": [], "prefill_tokens": [], "kv_used_frac": []}))
    drawn = [e for e in request_trace(result)["traceEvents"] if e.get("name") == "retrieval"]
    assert [x for e in drawn for x in (e["ts"], e["ts"] + e["dur"])] == pytest.approx(
        [x * 1e6 for span in spans for x in span])


@pytest.mark.parametrize("placement", [0, 1], ids=["gpu-only", "paper"])
def test_retrieval_queueing_grows_with_load(catalogue, placement):
    runner = flare_runner(catalogue, placement, **{"serving.requests.count": 60})
    light, heavy = serve(runner, 0.5)[1], serve(runner, 8.0)[1]
    assert light.decode_retrievals == heavy.decode_retrievals > 0  # the same requests, the same triggers
    assert heavy.retrieval_queue_s.mean > light.retrieval_queue_s.mean
    assert heavy.retrieval_pause_s.p90 > light.retrieval_pause_s.p90


def test_tokens_are_conserved_with_retrievals_and_preemption(catalogue):
    runner = flare_runner(catalogue, **{"serving.requests.count": 40, "serving.kv.blocks": 400,
                                        "serving.requests.arrivals": {"process": "all-at-once"}})
    table, m = serve(runner)
    assert m.decode_retrievals > 0 and m.preemptions > 0
    assert (table.generated == table.output_tokens).all()
    assert (table.retrieved_tokens == table.decode_retrievals * runner.extra_prompt).all()
    # what was prefilled covers the prompt and every passage (a recomputation prefills them again)
    assert (table.prefilled_tokens + table.first_hit_tokens >= table.prompt_tokens + table.retrieved_tokens).all()
    fresh = table[table.preemptions == 0]
    assert len(fresh) and (fresh.prefilled_tokens == fresh.prompt_tokens + fresh.retrieved_tokens).all()


def test_static_batching_cannot_pause_a_request(catalogue):
    with pytest.raises(ConfigError, match="serving.scheduler.policy.*static batching"):
        flare_runner(catalogue, **{"serving.scheduler.policy": "static"})
