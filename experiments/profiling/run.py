"""The paper's profiling study in hetsim: on the GPU-only placement of an MI210 and an A100, the
share of inference time spent in memory processing (Prepare + Relevancy + Retrieval) per method
and size, beside the paper's figures, and each step's arithmetic intensity beside its table.

    python experiments/profiling/run.py [--quick] [--out results/profiling] [--workers N]

Writes OUT/profiling.md (tables and the reading of every disagreement), OUT/shares.csv and
OUT/*.png / *.svg, and prints the tables. Nothing here is tuned to the paper's numbers.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # cases.py, intensity.py, report.py beside this file

from cases import SYSTEMS, cases, experiment  # noqa: E402
from report import write_report  # noqa: E402

_CATALOGUES: dict[bool, object] = {}


def catalogue(no_launch_gap: bool):
    """The catalogue, or (an ablation, not a calibration) a copy whose GPUs launch ops for free,
    as fused kernels or CUDA/HIP graphs would."""
    from hetsim.config.load import Catalogue
    from hetsim.provenance import Sourced

    if no_launch_gap not in _CATALOGUES:
        cat = Catalogue.load()
        if no_launch_gap:
            zero = Sourced(value=0.0, source="assumed", ref="profiling ablation: no per-op launch gap")
            cat.devices = {n: d.model_copy(update={"launch_overhead_us": zero}) if d.kind == "gpu" else d
                           for n, d in cat.devices.items()}
        _CATALOGUES[no_launch_gap] = cat
    return _CATALOGUES[no_launch_gap]


def simulate(case, gpu: str, no_launch_gap: bool = False):
    from hetsim.runner import run_experiment
    from hetsim.scenario import resolve_experiment

    exp = resolve_experiment(experiment(case, SYSTEMS[gpu]), f"experiments/profiling[{case.label}]",
                             catalogue(no_launch_gap))
    run = run_experiment(exp)[0]
    m = run.metrics
    return run, m["memory_processing_share"] if case.share == "decode" else m["memory_processing_share_total"]


def run_case(item) -> dict:
    """One case on one GPU: its shares, step times and the warnings of the run."""
    case, gpu = item
    t0 = time.perf_counter()
    run, share = simulate(case, gpu)
    m = run.metrics
    no_gap = simulate(case, gpu, no_launch_gap=True)[1] if case.family == "sparse attention" else None
    memory_phases = sum(r["iteration_s"] for r in run.iteration_rows if r["label"].startswith("memory:"))
    return {
        "family": case.family, "method": case.method, "model": case.model, "size": case.size, "gpu": gpu,
        "share_kind": case.share, "share": share, "share_no_launch_gap": no_gap,
        "memory_phase_share": memory_phases / m["e2e_s"] if case.method == "memagent" else None,
        "tpot_s": m["tpot_s"], "ttft_s": m["ttft_s"], "e2e_s": m["e2e_s"],
        "iteration_s": m["step_time_per_token_s"] if case.share == "decode" else m["step_time_total_s"],
        "warnings": run.warnings, "wall_s": time.perf_counter() - t0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer sizes (4K/64K/1M tokens, 1K/1M/20M documents)")
    ap.add_argument("--out", type=Path, help="results folder (default results/profiling[-quick])")
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1), help="parallel cases")
    args = ap.parse_args(argv)
    out = args.out or Path("results") / ("profiling-quick" if args.quick else "profiling")
    t0 = time.perf_counter()
    todo = [(c, gpu) for c in cases(args.quick) for gpu in SYSTEMS]
    # the longest cases first, so the workers finish together
    todo.sort(key=lambda item: (item[0].family not in ("MemAgent", "RAG two-stage"), -item[0].size))
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(run_case, todo))
    else:
        rows = [run_case(item) for item in todo]
    text = write_report(out, rows, cases(args.quick), quick=args.quick, wall_s=time.perf_counter() - t0)
    print(text)
    print(f"\nwrote {out}/ ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
