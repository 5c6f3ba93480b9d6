"""Speed of the serving simulator: 10,000 requests (Llama-3.1-8B on one H100, Poisson arrivals,
lognormal lengths, continuous batching with chunked prefill). Prints wall time, simulated events
per second and requests per second, and a digest of the per-request results (the same for a seed
on every run). The issue's target: <= 60 s on 2 cores.

    python experiments/bench_serving.py [--requests 10000] [--rate 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import hashlib
import time
from pathlib import Path

from hetsim.scenario import load_experiment
from hetsim.serving.run import ServingRunner, requests_of

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "experiments" / "serving_chunked.yaml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--rate", type=float, default=20.0, help="Poisson arrival rate, requests/s")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.perf_counter()
    exp = load_experiment(CONFIG, overrides={"serving.requests.count": args.requests, "seed": args.seed,
                                             "serving.requests.arrivals.rate_per_s": args.rate})
    runner = ServingRunner(exp, exp.runs[0])
    reqs = requests_of(exp)
    t1 = time.perf_counter()
    served, table, m = runner.serve(reqs)
    t2 = time.perf_counter()
    digest = hashlib.sha256(table.to_csv(index=False).encode()).hexdigest()[:16]
    sim_s = t2 - t1
    print(f"requests {m.requests}, iterations {m.iterations}, SimPy events {m.sim_events}, "
          f"distinct shapes priced {m.priced_shapes} of {runner.cost.lookups} lookups")
    print(f"wall: setup {t1 - t0:.2f} s, serving {sim_s:.2f} s")
    print(f"speed: {m.sim_events / sim_s:,.0f} events/s, {m.requests / sim_s:,.0f} requests/s, "
          f"{m.iterations / sim_s:,.0f} iterations/s")
    print(f"simulated: {m.duration_s:.1f} s, TTFT p50/p99 {m.ttft_s.p50 * 1e3:.1f}/{m.ttft_s.p99 * 1e3:.1f} ms, "
          f"TBT p50/p99 {m.tbt_s.p50 * 1e3:.2f}/{m.tbt_s.p99 * 1e3:.2f} ms, preemptions {m.preemptions}")
    print(f"digest of requests: {digest}")


if __name__ == "__main__":
    main()
