"""Serving outputs: the summary (JSON-ready), a table on the terminal, and the files beside the
results writer's own: requests.parquet (one row per request), serving_iterations.parquet (one
row per iteration: batch, KV use), a Perfetto trace per run with a lane per request, and plots
(latency CDFs; throughput-latency over the arrival rates)."""

from __future__ import annotations

import json
from pathlib import Path

from hetsim.report.outputs import safe_name
from hetsim.report.summary import scenario_fields
from hetsim.scenario import Scenario
from hetsim.serving.run import Capacity, ServingResult
from hetsim.units import US_PER_S

TRACE_REQUESTS = 2000  # requests drawn in a trace (the first to arrive); iterations of their span
TRACE_ITERATIONS = 20000


def build_serving_summary(exp: Scenario, results: list[ServingResult], capacities: list[Capacity]) -> dict:
    return {
        **scenario_fields(exp, mode="serving"),
        "workload": exp.spec.workload.model_dump(),
        "serving": exp.spec.serving.model_dump(),
        "units": "seconds, bytes, joules; *_frac in [0, 1]; latencies as p50/p90/p99/mean",
        "simulated": True,
        "notes": list(exp.notes) + [f"iteration times are priced on a grid: each is at most "
                                    f"{exp.spec.serving.bucket_error:.0%} above its exact time"],
        "runs": [{"label": r.label, "method": r.method, "placement": r.placement, "rate_per_s": r.rate_per_s,
                  "warnings": r.warnings, **r.metrics.as_dict()} for r in results],
        "capacity": [{"label": c.label, "capacity_per_s": c.capacity_per_s,
                      "probes": [{"rate_per_s": r, "slo_attainment": a} for r, a in c.probes]} for c in capacities],
    }


def print_serving(summary: dict, out_dir: Path | None) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"{summary['experiment']}: serving ({summary['serving']['scheduler']['policy']})")
    for col in ("run", "req/s", "tok/s", "TTFT p50/p99 ms", "TBT p99 ms", "TPOT p50 ms", "e2e p99 s", "SLO met",
                "KV max", "preempt", "prefix hit", "J/req"):
        t.add_column(col)
    for r in summary["runs"]:
        t.add_row(r["label"], f"{r['throughput_req_per_s']:.2f}", f"{r['output_tokens_per_s']:.0f}",
                  f"{r['ttft_s']['p50'] * 1e3:.1f}/{r['ttft_s']['p99'] * 1e3:.1f}", f"{r['tbt_s']['p99'] * 1e3:.1f}",
                  f"{r['tpot_s']['p50'] * 1e3:.2f}", f"{r['e2e_s']['p99']:.2f}", f"{r['slo_attainment']:.0%}",
                  f"{r['kv_used_max_frac']:.0%}", str(r["preemptions"]), f"{r['prefix_hit_rate']:.0%}",
                  f"{r['energy_per_request_j']:.1f}")
    con = Console()
    con.print(t)
    for c in summary["capacity"]:
        con.print(f"capacity of {c['label']}: {c['capacity_per_s']:.3g} requests/s meet the SLO", highlight=False)
    if out_dir is not None:
        con.print(f"results: {out_dir}", highlight=False)


def request_trace(result: ServingResult) -> dict:
    """Perfetto: a lane per request (queued, prefill, decode) packed onto reusable rows, and the
    engine's iterations on their own track."""
    req = result.requests.sort_values("arrival_s").head(TRACE_REQUESTS)
    events: list[dict] = [{"ph": "M", "name": "process_name", "pid": 1, "args": {"name": "requests"}},
                          {"ph": "M", "name": "process_name", "pid": 2, "args": {"name": "engine"}},
                          {"ph": "M", "name": "thread_name", "pid": 2, "tid": 1, "args": {"name": "iterations"}}]
    lanes_free: list[float] = []
    for r in req.itertuples(index=False):
        lane = next((i for i, free in enumerate(lanes_free) if free <= r.arrival_s), None)
        if lane is None:
            lane = len(lanes_free)
            lanes_free.append(0.0)
            events.append({"ph": "M", "name": "thread_name", "pid": 1, "tid": lane + 1,
                           "args": {"name": f"lane {lane}"}})
        lanes_free[lane] = r.finish_s
        args = {"rid": int(r.rid), "prompt_tokens": int(r.prompt_tokens), "output_tokens": int(r.output_tokens),
                "preemptions": int(r.preemptions), "prefix_hit_tokens": int(r.first_hit_tokens)}
        spans = [("queued", r.arrival_s, r.admitted_s), ("prefill", r.admitted_s, r.first_token_s),
                 ("decode", r.first_token_s, r.finish_s)]
        # decode-time retrievals: the request out of the batch until its search is done (inside `decode`)
        spans += [("retrieval", a, b) for a, b in json.loads(getattr(r, "retrieval_spans", "[]") or "[]")]
        for name, a, b in spans:
            if b > a:
                events.append({"ph": "X", "name": name, "cat": "request", "pid": 1, "tid": lane + 1,
                               "ts": a * US_PER_S, "dur": (b - a) * US_PER_S, "args": args})
    end = float(req.finish_s.max()) if len(req) else 0.0
    it = result.iterations
    it = it[it.start_s <= end].head(TRACE_ITERATIONS)
    for row in it.itertuples(index=False):
        events.append({"ph": "X", "name": f"d{row.decodes}+p{row.prefill_tokens}", "cat": "iteration", "pid": 2,
                       "tid": 1, "ts": row.start_s * US_PER_S, "dur": row.iteration_s * US_PER_S,
                       "args": {"decodes": int(row.decodes), "prefill_tokens": int(row.prefill_tokens),
                                "kv_used_frac": float(row.kv_used_frac)}})
        events.append({"ph": "C", "name": "kv_used_frac", "pid": 2, "ts": row.start_s * US_PER_S,
                       "args": {"kv": float(row.kv_used_frac)}})
    return {"traceEvents": events, "displayTimeUnit": "ms", "metadata": {"run": result.label, "simulated": True}}


def plot_serving(folder: Path, results: list[ServingResult]) -> None:
    """Latency CDFs of the base runs, and throughput against latency over the rates."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    base = [r for r in results if r.rate_per_s is None]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, col, title in zip(axes, ("ttft_s", "tpot_s", "e2e_s"), ("TTFT", "TPOT", "end to end"), strict=True):
        for r in base:
            x = np.sort(r.requests[col].to_numpy())
            ax.plot(x, np.arange(1, len(x) + 1) / len(x), label=r.label)
        ax.set_xlabel(f"{title} (s)")
        ax.set_ylabel("share of requests")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(folder / "latency_cdf.png", dpi=110)
    plt.close(fig)
    swept = [r for r in results if r.rate_per_s is not None]
    if swept:
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        by_run: dict[str, list[ServingResult]] = {}
        for r in swept:
            by_run.setdefault(f"{r.method}/{r.placement}", []).append(r)
        for name, rs in by_run.items():
            rs.sort(key=lambda r: r.rate_per_s)
            ax.plot([r.metrics.throughput_req_per_s for r in rs], [r.metrics.e2e_s.p99 for r in rs], "o-",
                    label=f"{name} e2e p99")
            ax.plot([r.metrics.throughput_req_per_s for r in rs], [r.metrics.ttft_s.p99 for r in rs], "s--",
                    label=f"{name} TTFT p99")
        ax.set_xlabel("throughput (requests/s)")
        ax.set_ylabel("latency (s)")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(folder / "throughput_latency.png", dpi=110)
        plt.close(fig)


def write_serving_files(folder: Path, results: list[ServingResult]) -> None:
    """The serving files, written into the results writer's temporary folder."""
    import pandas as pd

    pd.concat([r.requests.assign(run=r.label) for r in results], ignore_index=True).to_parquet(
        folder / "requests.parquet", index=False)
    pd.concat([r.iterations.assign(run=r.label) for r in results], ignore_index=True).to_parquet(
        folder / "serving_iterations.parquet", index=False)
    traces = folder / "traces"
    traces.mkdir(exist_ok=True)
    for r in results:
        (traces / f"{safe_name(r.label)}.json").write_text(json.dumps(request_trace(r)))
    plots = folder / "plots"
    plots.mkdir(exist_ok=True)
    plot_serving(plots, results)


def run_serving_command(exp: Scenario, out_dir: Path | None, what: str, json_out: bool) -> None:
    """`hetsim run` of a scenario with a serving section."""
    import sys

    from hetsim.report.outputs import write_results
    from hetsim.serving.run import run_serving

    results, capacities = run_serving(exp)
    summary = build_serving_summary(exp, results, capacities)
    if out_dir is not None:
        out_dir = write_results(out_dir, summary, [], what, extra=lambda tmp: write_serving_files(tmp, results))
        summary["results_dir"] = str(out_dir)
    if json_out:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        print_serving(summary, out_dir)
