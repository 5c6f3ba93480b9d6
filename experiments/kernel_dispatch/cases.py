"""Which CUDA kernels does each op case launch, and for how long? A diagnostic on a GPU, never fitting data.

    python experiments/kernel_dispatch/cases.py --ids 1782,1790 --out DIR [--cases aten_cases.json.gz]

Replays cases of the aten sweep's cases file exactly as the sweep times them (aten_sweep.case_callable: the same
inputs, layouts and index bounds) under torch.profiler, `CALLS` calls after a warm-up, and writes per case the
kernels launched per call with their mean device time: what a mispriced case really runs (one kernel or two, which
ATen kernel and at what share of the time). The profiler's per-kernel times include no launch gaps; the sweep's
CUDA-graph time of the same case is the figure the model is scored on. Writes DIR/case_kernels.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections import defaultdict
from pathlib import Path

import torch

from hetsim.calibration.gpu_suite.aten_cases import CASES, read_cases
from hetsim.calibration.gpu_suite.aten_sweep import case_callable

CALLS = 10


def kernels_of(fn, dev) -> list[dict]:
    """Kernels per call of `fn`: name, launches per call, mean device microseconds a launch."""
    from torch.profiler import ProfilerActivity, profile

    with torch.no_grad():
        for _ in range(3):
            fn()
        torch.cuda.synchronize(dev)
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(CALLS):
                fn()
            torch.cuda.synchronize(dev)
    seen: dict[str, list[float]] = defaultdict(list)
    for ev in prof.events():
        if ev.device_type == torch.autograd.DeviceType.CUDA:
            seen[ev.name].append(ev.device_time)
    return [{"kernel": name[:200], "per_call": len(us) / CALLS, "us": round(sum(us) / len(us), 3)}
            for name, us in seen.items()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--ids", required=True, help="case indices in the cases file, comma-separated, or @FILE of them")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--budget-s", type=float, default=float("inf"),
                    help="wall time for profiling; later cases are recorded as skipped, so the file is always written")
    args = ap.parse_args(argv)
    dev = torch.device("cuda:0")
    cases = read_cases(args.cases)
    out = {"provenance": {"source": "measured (diagnostic)", "command": "python experiments/kernel_dispatch/cases.py",
                          "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                          "device": torch.cuda.get_device_name(dev), "torch": torch.__version__,
                          "cuda": torch.version.cuda, "python": platform.python_version(), "calls": CALLS},
           "cases": {}}
    ids = Path(args.ids[1:]).read_text() if args.ids.startswith("@") else args.ids
    t0 = time.perf_counter()
    for n in sorted({int(i) for i in ids.split(",") if i.strip()}):
        c = cases[n]
        row = {"aten": c["aten"], "regime": c.get("regime"), "sources": c["sources"][:1]}
        if time.perf_counter() - t0 > args.budget_s:
            row["error"] = "skipped: profiling budget spent"
            out["cases"][str(n)] = row
            continue
        try:
            row["kernels"] = kernels_of(case_callable(c, dev), dev)
        except Exception as exc:  # a case that cannot run is recorded, not fatal
            row["error"] = f"{type(exc).__name__}: {exc}"[:300]
        out["cases"][str(n)] = row
        torch.cuda.empty_cache()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "case_kernels.json").write_text(json.dumps(out, indent=1) + "\n")
    for n, row in out["cases"].items():
        ks = "; ".join(f"{k['kernel'][:60]} x{k['per_call']:g} {k['us']:.1f}us" for k in row.get("kernels", []))
        print(f"{n:>5} {row['regime'] or '-':22s} {ks or row.get('error')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
