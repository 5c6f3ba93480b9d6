"""Run the methods' code on a device and time every step: the validation composites' measurements.

    python -m hetsim.method_code.run --out DIR [--device cuda] [--tiny] [--only lserve,dsa]
                                     [--match memagent/,mode=threshold] [--rounds 5]

For each composite (composites.SIZES; --tiny: CPU-sized copies) the method's state is made on the
device with random values, the phase is run once in full, then each step (and the whole phase,
step "all") is timed by hetsim.calibration.measure.Timer: the step called back to back, CUDA events
around loops of >= LOOP_S after a warm-up, median of the repetitions (`t_stream_s`: steady eager stream
time, max of host issue and device), the host's issue time (`cpu_s`), and the step captured into a CUDA
graph and replayed (`graph_s`, device time alone; NaN where capture fails). Right before each step of each
pass the host's speed is probed (`host_probe_s`: host_calls.kernel_call_s; per pass in `host_probe_rounds_s`):
the lent hosts run in spells shorter than a composite's timing.

Why loops of LOOP_S: a timed loop starts from a synchronised, idle stream and may pay a cost once per loop
that a steady stream does not; in one lease DSA's decode phase paid ~0.9 ms a loop on an H200 (2026-12-03,
calibration/methods/diagnostics/phase-host-*: `all` at 2-4 calls a loop 729-972 us a call, at 37-39 calls
492-512 us, its steps alone summing to 458-518); a later lease showed none. Long loops measure the steady
stream either way. Sessions before 2026-12-03 timed 2 ms loops (`loop_s` in each row).

Each step's trace (fake tensors, the same functions) is stored beside its timing, so pricing needs no torch.
Writes DIR/methods.parquet (one row per step, provenance in every row: device, date, torch, CUDA,
command, host) and DIR/run.log. Needs torch, pandas (pyarrow); no pydantic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path

import torch

from hetsim.calibration.gpu_suite.host_calls import kernel_call_s
from hetsim.calibration.measure import Timer, fold_passes, open_passes, recover_from_capture
from hetsim.method_code import composites
from hetsim.method_code.base import made
from hetsim.method_code.trace import step_traces

KIND = "method-timings"  # the --out folder's manifest kind (hetsim.outdir)
LOOP_S = 20e-3  # a timed loop's length (the docstring says why); 2 ms before 2026-12-03
MAX_INNER = 2000  # calls a loop: a 10 us step fills LOOP_S


def provenance(device: torch.device, command: str) -> dict:
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or "cpu"
    return {"device_name": name, "torch": torch.__version__, "cuda": torch.version.cuda or "",
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "command": command,
            "host": platform.node(), "source": "measured"}


def run_composite(c: composites.Composite, device: torch.device, timer: Timer, log, graph: bool = True,
                  traced: bool = True) -> list[dict]:
    """Every step of `c` timed (and, `traced`, its trace kept beside it: a further pass needs no trace)."""
    mod, sizes, st, steps = made(c, device)  # every step's inputs exist before any step is timed alone
    base = {"composite": c.name, "method": c.method, "module": c.module, "phase": c.phase, "model": c.model,
            "batch": c.batch, "context": c.context, "params": json.dumps(c.params, sort_keys=True),
            "sizes": json.dumps(sizes, sort_keys=True)}
    # a data-dependent count the trace assumed (threshold mode's selected blocks) travels with the trace
    assumed = {k: v for k, v in sizes.items() if k.startswith("assumed")}
    traces = step_traces(mod, c.phase, sizes, {"composite": c.name, **assumed}) if traced else {}

    def whole(state: dict) -> None:
        for fn in steps.values():
            fn(state)

    rows = []
    for name, fn in [*steps.items(), ("all", whole)]:
        # the host's speed right as this step is timed: it moves in spells shorter than a composite's timing
        row = {**base, "step": name, "error": "", "host_probe_s": kernel_call_s(device),
               "loop_s": timer.loop_s, "trace": json.dumps(traces[name].to_json()) if name in traces else ""}
        try:
            s = timer.measure(lambda fn=fn: fn(st), 1, graph=graph)
            row.update(t_stream_s=s.t.median, t_stream_p10_s=s.t.p10, t_stream_p90_s=s.t.p90, cpu_s=s.cpu.median,
                       inner=s.inner, reps=s.reps)
            if graph:
                row.update(graph_s=s.graph.median, graph_p10_s=s.graph.p10, graph_p90_s=s.graph.p90,
                           graph_error=s.graph_error)
        except Exception as exc:  # a step that fails is recorded, not fatal
            if device.type == "cuda":
                recover_from_capture(device)
            row["error"] = f"{type(exc).__name__}: {exc}"[:300]
            log(traceback.format_exc())
        rows.append(row)
        log(f"{c.name} {name}: stream {row.get('t_stream_s', float('nan')) * 1e6:.1f} us"
            + (f", graph {row.get('graph_s', float('nan')) * 1e6:.1f} us" if graph else "") + f" {row['error']}")
    st.clear()
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return rows


def further_passes(rows: list[dict], todo, device: torch.device, timer: Timer, log, rounds: int, spent) -> None:
    """Passes 2..`rounds` over the composites (order reversed every other pass), eager stream only; each
    step's t_stream_s and cpu_s become the median over its passes, which stay in the row as JSON
    (`t_stream_rounds_s`, `cpu_rounds_s`). A pass cut by the budget leaves its rows with fewer passes."""
    timed = {(r["composite"], r["step"]): r for r in rows if not r.get("error") and "t_stream_s" in r}
    open_passes(timed.values())
    for r in timed.values():
        r["host_probe_rounds_s"] = [r["host_probe_s"]]
    names = {r["composite"] for r in timed.values()}
    for k in range(1, rounds):
        for c in (todo[::-1] if k % 2 else todo):
            if c.name not in names or spent():
                continue
            try:
                again = run_composite(c, device, timer, log, graph=False, traced=False)
            except Exception:  # the first pass was timed: a later one that fails is left out
                log(traceback.format_exc())
                continue
            for r in again:
                first = timed.get((r["composite"], r["step"]))
                if first is not None and not r.get("error"):
                    first["t_stream_rounds_s"].append(r["t_stream_s"])
                    first["cpu_rounds_s"].append(r["cpu_s"])
                    first["host_probe_rounds_s"].append(r["host_probe_s"])
    for r in timed.values():
        r["host_probe_s"] = statistics.median(r["host_probe_rounds_s"])
        r["host_probe_rounds_s"] = json.dumps(r["host_probe_rounds_s"])
    fold_passes(timed.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--tiny", action="store_true", help="CPU-sized composites (a smoke run of the same code)")
    ap.add_argument("--only", default="", help="comma-separated hetsim methods to run (default: all)")
    ap.add_argument("--match", default="", help="comma-separated pieces of composite names: run a composite "
                                                 "whose name holds any of them (default: all)")
    ap.add_argument("--budget-s", type=float, default=240.0, help="stop starting composites after this long")
    ap.add_argument("--rounds", type=int, default=1,
                    help="passes over every composite; passes after the first re-time the eager stream only "
                         "(host speed moves between spells; each step keeps the median over passes)")
    args = ap.parse_args(argv)
    import pandas as pd

    from hetsim.errors import HetsimError
    from hetsim.outdir import MANIFEST, claim, write_manifest

    device = torch.device(args.device)
    command = "python -m hetsim.method_code.run " + " ".join(sys.argv[1:] if argv is None else argv)
    todo = list({c.name: c for c in (composites.tiny(c) if args.tiny else c for c in composites.SIZES)}.values())
    if args.only:
        todo = [c for c in todo if c.method in args.only.split(",")]
    if args.match:
        todo = [c for c in todo if any(piece in c.name for piece in args.match.split(","))]
    if not todo:  # before the folder is claimed: a typo must not replace a previous run's timings
        print(f"error: --only / --match: no composite selected (--only {args.only!r}, --match {args.match!r})",
              file=sys.stderr)
        return 2
    try:  # a folder of ours (or new, or empty): never over someone's methods.parquet or run.log
        claim(args.out, KIND)
    except HetsimError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    logf = (args.out / "run.log").open("w")

    def log(msg: str) -> None:
        print(msg, flush=True)
        logf.write(msg + "\n")

    prov = provenance(device, command)
    log(json.dumps(prov))
    timer = Timer(device, loop_s=LOOP_S, point_s=0.1, reps=11, min_reps=5, max_inner=MAX_INNER)
    t0 = time.perf_counter()
    rows: list[dict] = []
    for c in todo:
        if rows and time.perf_counter() - t0 > args.budget_s:  # the first composite always runs
            rows.append({"composite": c.name, "method": c.method, "phase": c.phase, "step": "",
                         "error": "skipped: run budget spent"})
            log(f"{c.name}: skipped (budget)")
            continue
        try:
            rows += run_composite(c, device, timer, log)
        except Exception as exc:
            log(traceback.format_exc())
            rows.append({"composite": c.name, "method": c.method, "phase": c.phase, "step": "",
                         "error": f"{type(exc).__name__}: {exc}"[:300]})
            if device.type == "cuda":
                torch.cuda.empty_cache()
    further_passes(rows, todo, device, timer, log, args.rounds, lambda: time.perf_counter() - t0 > 2 * args.budget_s)
    df = pd.DataFrame(rows)
    for k, v in prov.items():
        df[k] = v
    tmp = args.out / ".methods.parquet.tmp"
    try:
        df.to_parquet(tmp, index=False)
        tmp.replace(args.out / "methods.parquet")
        log(f"wrote {args.out / 'methods.parquet'}: {len(df)} rows in {time.perf_counter() - t0:.0f} s")
    except ImportError as exc:  # no Parquet engine on this image: keep the rows as CSV rather than lose them
        df.to_csv(args.out / "methods.csv", index=False)
        log(f"no Parquet engine ({exc}); wrote {args.out / 'methods.csv'}: {len(df)} rows")
    logf.close()
    written = [f.name for f in args.out.iterdir() if f.is_file() and f.name != MANIFEST]
    write_manifest(args.out, KIND, written)  # a later run into this folder can tell these from anyone else's
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
