"""Why does a method's whole phase cost the host more than its steps timed alone? A diagnostic, never fitting data.

    python experiments/phase_host/run.py --out DIR [--match lserve/decode/B1/C32768,...] [--cpu-tiny]

`hetsim validate methods` prices a phase's host stage as the sum of its ops' issue costs; on the H200 sessions
the decode phases of LServe, SeerAttention-R and DSA took 1.2-1.8x the sum of their steps' own host times
(calibration/methods/*), the longer phases (TTT, HMT, two-stage RAG) ~1.0x. For each composite this times,
as the methods' runner does (hetsim.calibration.measure.Timer, the same loop lengths):
  step:<s>      each step alone, called back to back
  all           the whole phase
  all-<s>       the phase without step s (which step carries the extra?)
  all:long      the phase in 10x longer timed loops (a per-loop cost spread over more calls?)
  <s>x2         step s twice in a row (the same code twice: a mix or a length effect?)
each with the host's speed probed just before and after (a small kernel's issue time,
host_calls.kernel_call_s: the lent hosts run in spells), and, under torch.profiler (CPU activity only),
30 calls of `all` and 30 of each step alone: per aten op and per CUDA runtime call, the count and the self
CPU time, so an op whose host cost grows inside the phase, or a
synchronising runtime call (cudaStreamSynchronize, cudaMemcpy...), shows by name.
With --loop-sweep, each composite's whole phase is also timed in loops of 1-32 calls after a synchronise
(per-call time = steady + once-per-loop cost / calls, fitted), and profiled as ten calls each right after a
synchronise against ten back to back: the events whose CPU time the synchronised calls add name the cost.
Writes DIR/phase_host.json (every figure, provenance) and prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hetsim.calibration.gpu_suite.host_calls import kernel_call_s  # noqa: E402
from hetsim.calibration.measure import Timer  # noqa: E402
from hetsim.errors import HetsimError  # noqa: E402
from hetsim.method_code import composites  # noqa: E402
from hetsim.method_code.base import made  # noqa: E402
from hetsim.outdir import claim, write_manifest  # noqa: E402

DEFAULT = (
    "lserve/decode/B1/C32768",
    "seer_attention/decode/B1/C32773",
    "dsa/decode/B1/C32768",
    "rag/search/B8/C1024,corpus_docs=1000000",
    "ttt/decode/B1/C8192",
)
PROFILED_CALLS = 30
KIND, OUT_FILE = "phase-host-diagnostic", "phase_host.json"  # the --out folder's manifest kind (hetsim.outdir)


def variants(steps: dict) -> dict:
    """name -> callable(state) for every arrangement timed."""
    names = list(steps)

    def seq(parts):
        fns = [steps[p] for p in parts]

        def run(st):
            for fn in fns:
                fn(st)

        return run

    out = {f"step:{s}": seq([s]) for s in names}
    out["all"] = seq(names)
    if len(names) > 1:
        out.update({f"all-{s}": seq([n for n in names if n != s]) for s in names})
        out.update({f"{s}x2": seq([s, s]) for s in names})
    return out


def profiled(fn, device: torch.device) -> list[dict]:
    """Per event name (aten ops, CUDA runtime calls): count and self CPU time over PROFILED_CALLS calls."""
    from torch.profiler import ProfilerActivity, profile

    for _ in range(3):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(PROFILED_CALLS):
            fn()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    rows = [
        {
            "name": e.key,
            "count": e.count / PROFILED_CALLS,
            "self_cpu_us": e.self_cpu_time_total / PROFILED_CALLS,
            "cpu_us": e.cpu_time_total / PROFILED_CALLS,
        }
        for e in prof.key_averages()
    ]
    return sorted(rows, key=lambda r: -r["self_cpu_us"])


def one(c, device: torch.device, timer: Timer, long_timer: Timer) -> dict:
    _, _, st, steps = made(c, device)  # every step's inputs exist before any step is timed alone
    out = {"composite": c.name, "steps": list(steps), "probe_before_s": kernel_call_s(device), "timed": {}}
    arrangements = variants(steps)
    plan = [(name, fn, timer) for name, fn in arrangements.items()] + [("all:long", arrangements["all"], long_timer)]
    for name, fn, tm in plan:
        before = kernel_call_s(device, inner=100, reps=3)  # the host's speed right around this timing
        s = tm.measure(lambda fn=fn: fn(st), 1, graph=False)
        out["timed"][name] = {
            "t_stream_s": s.t.median,
            "cpu_s": s.cpu.median,
            "inner": s.inner,
            "reps": s.reps,
            "probe_s": [before, kernel_call_s(device, inner=100, reps=3)],
        }
    out["profile"] = {
        name: profiled(lambda fn=arrangements[name]: fn(st), device) for name in ["all", *(f"step:{s}" for s in steps)]
    }
    out["probe_after_s"] = kernel_call_s(device)
    st.clear()
    return out


LOOP_CALLS = (1, 2, 3, 4, 8, 16, 32)


def loop_sweep(c, device: torch.device) -> dict:
    """The phase in loops of LOOP_CALLS calls after a synchronise: per-call host and stream time, the least-squares
    fit loop_time = steady * calls + once, and the profiler's per-event CPU time of calls after a synchronise
    against calls back to back."""
    import gc

    import numpy as np

    from hetsim.calibration.measure import time_calls

    _, _, st, steps = made(c, device)
    fns = list(steps.values())

    def whole() -> None:
        for fn in fns:
            fn(st)

    for _ in range(5):
        whole()
    gc.disable()
    try:
        rows = []
        for n in LOOP_CALLS:
            ts, cs = zip(*(time_calls(whole, n, device) for _ in range(9)), strict=True)
            rows.append({"calls": n, "stream_s": statistics.median(ts) / n, "host_s": statistics.median(cs) / n})
    finally:
        gc.enable()
    calls = np.array([r["calls"] for r in rows], dtype=float)
    loop = np.array([r["stream_s"] * r["calls"] for r in rows])
    steady, once = np.linalg.lstsq(np.stack([calls, np.ones_like(calls)], axis=1), loop, rcond=None)[0]

    def synced() -> None:
        for _ in range(10):
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            whole()

    def back_to_back() -> None:
        for _ in range(10):
            whole()

    events = {}
    for name, fn in (("after_sync", synced), ("back_to_back", back_to_back)):
        fn()
        events[name] = {e["name"]: e for e in profiled(fn, device)}
    gap = {
        n: events["after_sync"].get(n, {}).get("self_cpu_us", 0.0)
        - events["back_to_back"].get(n, {}).get("self_cpu_us", 0.0)
        for n in set(events["after_sync"]) | set(events["back_to_back"])
    }
    top = sorted(gap, key=lambda n: -abs(gap[n]))[:12]
    st.clear()
    return {
        "loops": rows,
        "steady_s": float(steady),
        "once_per_loop_s": float(once),
        "after_sync_minus_back_to_back_us_per_10_calls": {n: gap[n] for n in top},
    }


def report(results: list[dict]) -> None:
    for r in results:
        t = r["timed"]
        parts = sum(t[f"step:{s}"]["cpu_s"] for s in r["steps"])
        print(f"\n{r['composite']}  (host probe {r['probe_before_s'] * 1e6:.2f} -> {r['probe_after_s'] * 1e6:.2f} us)")
        print(
            f"  sum of steps' host {parts * 1e6:8.1f} us;  all {t['all']['cpu_s'] * 1e6:8.1f} us "
            f"(x{t['all']['cpu_s'] / parts:.2f});  all:long {t['all:long']['cpu_s'] * 1e6:8.1f} us"
        )
        for name, v in t.items():
            probe = " -> ".join(f"{p * 1e6:.2f}" for p in v.get("probe_s", []))
            print(
                f"  {name:28s} host {v['cpu_s'] * 1e6:9.1f} us  stream {v['t_stream_s'] * 1e6:9.1f} us  "
                f"inner {v['inner']:4d}  probe {probe} us"
            )
        prof_all = {e["name"]: e for e in r["profile"]["all"]}
        alone: dict[str, dict] = {}
        for s in r["steps"]:
            for e in r["profile"][f"step:{s}"]:
                a = alone.setdefault(e["name"], {"count": 0.0, "self_cpu_us": 0.0})
                a["count"] += e["count"]
                a["self_cpu_us"] += e["self_cpu_us"]
        print("  profiler, per phase call: self CPU us in `all` vs summed over the steps alone (count)")
        gaps = {
            n: abs(prof_all.get(n, {}).get("self_cpu_us", 0) - alone.get(n, {}).get("self_cpu_us", 0))
            for n in set(prof_all) | set(alone)
        }
        for name in sorted(gaps, key=lambda n: -gaps[n])[:14]:
            a, s = prof_all.get(name, {}), alone.get(name, {})
            print(
                f"    {name[:44]:44s} all {a.get('self_cpu_us', 0):8.1f} ({a.get('count', 0):4.1f})   "
                f"steps {s.get('self_cpu_us', 0):8.1f} ({s.get('count', 0):4.1f})"
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--match", default=",".join(DEFAULT), help="comma-separated composite names (exact)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--cpu-tiny", action="store_true", help="CPU-sized copies (a smoke run)")
    ap.add_argument("--loop-sweep", action="store_true", help="also time the phase in loops of 1-32 calls")
    args = ap.parse_args(argv)
    device = torch.device(args.device)
    want = args.match.split(",")
    pool = [composites.tiny(c) for c in composites.SIZES] if args.cpu_tiny else composites.SIZES
    by_name = {(composites.SIZES[i].name if args.cpu_tiny else c.name): c for i, c in enumerate(pool)}
    todo = [by_name[n] for n in want if n in by_name]
    if not todo:
        print(f"error: --match: none of {want} is a composite", file=sys.stderr)
        return 2
    try:  # a folder of ours (or new, or empty): never over a file someone else put there
        claim(args.out, KIND)
    except HetsimError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    timer = Timer(device, loop_s=2e-3, point_s=0.1, reps=11, min_reps=5)  # the methods' runner's
    long_timer = Timer(device, loop_s=2e-2, point_s=0.3, reps=11, min_reps=5, max_inner=2000)
    results = []
    with torch.no_grad():
        for c in todo:
            results.append(one(c, device, timer, long_timer))
            if args.loop_sweep:
                results[-1]["loop_sweep"] = sw = loop_sweep(c, device)
                print(
                    f"{c.name}: steady {sw['steady_s'] * 1e6:.1f} us a call, {sw['once_per_loop_s'] * 1e6:.1f} us "
                    f"once a loop; loops {[(r['calls'], round(r['stream_s'] * 1e6, 1)) for r in sw['loops']]}"
                )
                for n, v in sw["after_sync_minus_back_to_back_us_per_10_calls"].items():
                    print(f"    {n[:50]:50s} {v:+9.1f} us over 10 calls after a synchronise")
    prov = {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "source": "measured",
        "command": "python experiments/phase_host/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
    }
    (args.out / OUT_FILE).write_text(json.dumps({"provenance": prov, "results": results}, indent=1) + "\n")
    write_manifest(args.out, KIND, [OUT_FILE])
    report(results)
    print(f"\nwrote {args.out / OUT_FILE} ({len(results)} composites)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
