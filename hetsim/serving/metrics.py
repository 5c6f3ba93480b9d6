"""The metrics of one serving run, typed: latency percentiles (TTFT, time between tokens, time
per output token, end to end, queueing), throughput and goodput under the SLO, the KV cache,
preemptions, the prefix cache, retrievals during decode and energy."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from hetsim.config.schema import SloSpec
from hetsim.serving.loop import Served

PERCENTILES = (50, 90, 99)


@dataclass(frozen=True)
class Latency:
    p50: float
    p90: float
    p99: float
    mean: float


def latency(x) -> Latency:
    a = np.asarray(x, dtype=float)
    a = a[~np.isnan(a)]
    if a.size == 0:
        return Latency(0.0, 0.0, 0.0, 0.0)
    p = np.percentile(a, PERCENTILES)
    return Latency(float(p[0]), float(p[1]), float(p[2]), float(a.mean()))


@dataclass(frozen=True)
class ServingMetrics:
    requests: int
    duration_s: float
    arrival_rate_per_s: float  # offered: requests over the arrival span
    throughput_req_per_s: float
    output_tokens_per_s: float
    ttft_s: Latency
    tbt_s: Latency  # every gap between two tokens of a request
    tpot_s: Latency  # per request: (end - first token) / (output tokens - 1)
    e2e_s: Latency
    queue_s: Latency  # arrival to first scheduled
    slo_attainment: float  # share of requests meeting both TTFT and TPOT SLOs
    goodput_req_per_s: float
    kv_blocks: int
    kv_block_tokens: int
    kv_used_mean_frac: float
    kv_used_max_frac: float
    kv_fragmentation_mean_frac: float  # unfilled slots in the blocks running requests hold
    preemptions: int
    swapped_tokens: int
    prefix_hit_rate: float  # prompt tokens found in the prefix cache / prompt tokens
    prefix_saved_prefill_tokens: int
    prefill_tokens: int  # computed (recomputation after a preemption included)
    energy_j: float
    energy_per_request_j: float
    energy_per_token_j: float
    iterations: int
    priced_shapes: int  # distinct iteration shapes the engine simulated
    sim_events: int
    decode_retrievals: int  # retrievals during decode (RAG triggers), every request's
    retrieved_tokens: int  # passage tokens they prefilled
    retrieval_pause_s: Latency  # per such retrieval: the request's pause (device queue + search)
    retrieval_queue_s: Latency  # per such retrieval: its wait for the devices running the search

    def as_dict(self) -> dict:
        return asdict(self)


def request_table(served: Served) -> pd.DataFrame:
    rows = []
    for s in served.seqs:
        r = s.req
        tpot = (s.finish_s - s.first_token_s) / (s.generated - 1) if s.generated > 1 else 0.0
        rows.append((r.rid, r.arrival_s, r.prompt_tokens, r.output_tokens, r.prefix_group, r.prefix_tokens,
                     r.priority, s.admitted_s, s.first_token_s, s.finish_s, s.admitted_s - r.arrival_s,
                     s.first_token_s - r.arrival_s, tpot, s.max_gap_s, s.finish_s - r.arrival_s, s.generated,
                     s.prefilled_tokens,
                     s.first_hit_tokens or 0, s.hit_tokens, s.preemptions, s.energy_j, s.steps_done_s - r.arrival_s,
                     len(s.retrieval_spans), s.retrieved_tokens, sum(s.retrieval_s),
                     json.dumps([[round(a, 9), round(b, 9)] for a, b in s.retrieval_spans])))
    return pd.DataFrame(rows, columns=["rid", "arrival_s", "prompt_tokens", "output_tokens", "prefix_group",
                                       "prefix_tokens", "priority", "admitted_s", "first_token_s", "finish_s",
                                       "queue_s", "ttft_s", "tpot_s", "max_tbt_s", "e2e_s", "generated",
                                       "prefilled_tokens", "first_hit_tokens", "hit_tokens", "preemptions",
                                       "energy_j", "request_steps_s", "decode_retrievals", "retrieved_tokens",
                                       "retrieval_pause_s", "retrieval_spans"])


def compute(served: Served, req: pd.DataFrame, slo: SloSpec, kv_blocks: int, block_tokens: int, idle_w: float,
            preemptions: int, swapped_tokens: int, priced_shapes: int) -> ServingMetrics:
    n, dur = len(req), served.duration_s
    span = float(req.arrival_s.max() - req.arrival_s.min())
    ok = (req.ttft_s <= slo.ttft_s) & (req.tpot_s <= slo.tpot_s)
    rows = served.rows
    used = np.asarray(rows["kv_used_frac"], dtype=float)
    frag = np.asarray(rows["kv_fragmentation"], dtype=float)
    frag = frag[~np.isnan(frag)]
    prompt = int(req.prompt_tokens.sum())
    hits = int(req.first_hit_tokens.sum())  # on arrival (a recomputation's hits are not new traffic)
    energy = served.energy_j + idle_w * dur
    tokens = int(req.generated.sum())
    return ServingMetrics(
        requests=n, duration_s=dur, arrival_rate_per_s=(n - 1) / span if span > 0 else float("inf"),
        throughput_req_per_s=n / dur, output_tokens_per_s=tokens / dur,
        ttft_s=latency(req.ttft_s), tbt_s=latency(served.gaps), tpot_s=latency(req.tpot_s[req.generated > 1]),
        e2e_s=latency(req.e2e_s), queue_s=latency(req.queue_s),
        slo_attainment=float(ok.mean()), goodput_req_per_s=float(ok.sum()) / dur,
        kv_blocks=kv_blocks, kv_block_tokens=block_tokens,
        kv_used_mean_frac=float(used.mean()) if used.size else 0.0,
        kv_used_max_frac=float(used.max()) if used.size else 0.0,
        kv_fragmentation_mean_frac=float(frag.mean()) if frag.size else 0.0,
        preemptions=preemptions, swapped_tokens=swapped_tokens,
        prefix_hit_rate=hits / prompt if prompt else 0.0, prefix_saved_prefill_tokens=hits,
        prefill_tokens=int(req.prefilled_tokens.sum()),
        energy_j=energy, energy_per_request_j=energy / n, energy_per_token_j=energy / max(1, tokens),
        iterations=len(rows["start_s"]), priced_shapes=priced_shapes, sim_events=served.events,
        decode_retrievals=int(req.decode_retrievals.sum()), retrieved_tokens=int(req.retrieved_tokens.sum()),
        retrieval_pause_s=latency([t for s in served.seqs for t in s.retrieval_s]),
        retrieval_queue_s=latency(served.retrieval_queue_s))
