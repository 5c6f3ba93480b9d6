"""The aten sweep: time the sweep's traced aten ops on this GPU, as the op cases of an end-to-end run
are timed, so the regimes of traced ops are fitted on data that is never validated against.

    python -m hetsim.calibration.gpu_suite.aten_sweep --out DIR/H200-aten [--budget-s 200]
        [--group models|methods] [--regimes reduction_outer,cast_fp8]

Reads the cases of hetsim.calibration.gpu_suite.aten_cases (aten_cases.json.gz: other models and
shapes than the validation cases) and times each exactly as hetsim/calibration/e2e/opcases.py
times a validation case (the same callables: `torch.ops.aten.X.overload(**kw)` from a lambda, SDPA
through its Python call; the same Timer settings; the same idle timing), so the two sets share one
harness. Writes, beside each other:

    NAME.parquet          one row per case, the columns of an ops.parquet (trace_cases.load_cases reads it)
    NAME.host_calls.json  hetsim.calibration.gpu_suite.host_calls on the same process and GPU (harness
                          pairs, the suite runner's call, module call, cuDNN plan build)
    NAME.json             provenance: date, device, driver, torch/CUDA/cuDNN, command, cases file digest

`--group` times one group of cases alone (`models`: the traced transformers models, the 2026-12-01 run;
`methods`: the methods' code at probe sizes, outer-dim reductions, fp8 casts; `realcode` / `realcode-check`: the
fused rms_norm, fp8 GEMM and gemv keys, and a blind check of everyday inference code; `realcode-more` /
`realcode-check2`: the kernels that check showed mispriced, at spreads of shapes, and a second blind check;
`realcode-more2` / `realcode-check3`, `realcode-more3` / `realcode-check4`: likewise after the second and third
checks, and a third and fourth; `realcode-check5`: a fifth blind check; `realcode-more4` / `realcode-check6`: a
fourth fit and a sixth check; `realcode-more5` / `realcode-check7`, and `realcode-check8`: a fifth fit, a seventh and
an eighth check; `realcode-check9`: a ninth blind check; `realcode-more6`: a sixth fit, the kernels the checks'
tails ran; `realcode-more7`: a seventh, TensorIterator's loops and the (value, index) reduce; `realcode-check10`: a
tenth blind check; `realcode-more8`: an eighth fit, the kernels the tenth check's tail ran; `gemm-shapes`: a grid of
cuBLAS products, split-K, alignments and batched shapes; `realcode-check11`: an eleventh blind check;
`realcode-more9`: a ninth fit, the kernels its tail ran; `realcode-check12`: a twelfth blind check; `realcode-more10`:
a tenth fit, the pooled tail's kernels; `realcode-check13`: a thirteenth; `realcode-more11`: an eleventh fit, the
kernels the thirteenth check's tail ran; `realcode-check14`: a fourteenth blind check; `realcode-more12`: a twelfth
fit, the kernels the fourteenth check's tail ran; `realcode-check15`: a fifteenth blind check; `realcode-more13`: a
thirteenth fit, elementwise kernels over strided operands; `realcode-check16`: a sixteenth blind check;
`realcode-more14`: a fourteenth fit, depthwise convolutions; `realcode-check17`: a seventeenth blind check;
`realcode-more15`: a fifteenth fit, depthwise convolutions small and on cuDNN, few-row embeddings, small scatters;
`realcode-more16`: a sixteenth fit, convolutions on cuDNN; `realcode-check18`: an eighteenth blind check;
`realcode-more17`: a seventeenth fit, the convolutions and image ops the eighteenth check ran; `realcode-more18`: an
eighteenth fit, those at the sizes the seventeenth lacked; `realcode-more19`: a nineteenth fit, LayerNorm's rows and
widths, transposed convolutions, GLU; `realcode-check19`: a nineteenth blind check; `realcode-more20`: a twentieth
fit, fp32 products, odd-width heads, small scatters; `realcode-more21`: a twenty-first fit, torch.topk sorted and not,
short sorts, outer-dim scans, GNN index_add_, small embedding bags; `realcode-check20`: a twentieth blind check;
`realcode-more22`: a twenty-second fit, outer-dim scans; `realcode-more23`: a twenty-third fit, fills and aranges,
pow of a number, bucketize, batch-innermost products; `realcode-check21`: a twenty-first blind check;
`realcode-more24`: a twenty-fourth fit, rolls, narrow-run cats, short-row reductions, random draws, grid_sample;
`realcode-more25`: a twenty-fifth fit, dense copies (a memcpy), repeats, flips; `realcode-more26`: a twenty-sixth fit,
expanded copies in every dtype, small gathers, integer divisions, int64 casts; `realcode-more27`: batched products of
small matrices; `realcode-more28`: bicubic interpolation of channels-last inputs; `realcode-check22`: a twenty-second
blind check, training-step code, GANs, proteins, neural operators, metrics and RL updates; `realcode-more29`: batched
16-bit small products, one-row fp32 products in batches, elementwise ops over narrow rows' columns; `realcode-more30`:
nll_loss, vocabulary-wide softmaxes, foreach kernels, one-op losses; `realcode-check23`: a twenty-third blind check,
efficient attention, graph transformers, tabular nets, world models, deformable attention, flows; `realcode-more31`:
streaming broadcasts, in-place unary ops, fp32 linears of few rows, one-a-row gathers out of wide log-probabilities;
`realcode-check24`: a twenty-fourth blind check, vision-language, speech, recommenders, segmentation, decoding
utilities, quantisation and contrastive losses; `realcode-more32`: batch normalisation in training mode on each
layout; `realcode-check25`: a twenty-fifth blind check, CNN and ViT training blocks, audio generation, style transfer,
super-resolution, image utilities, distillation losses, finite-difference physics losses) and `--regimes` only
the cases of those rate keys; a case keeps its index in the cases file (column `case`), so runs of different groups stay
apart and can be fitted together (hetsim.calibration.trace_fit takes several --cases). An index op of the methods group
(`int_bound` in its case) draws its indices over the rows it addresses, as the method's gathers do, instead of below
the op's smallest float dimension (opcases' rule, which keeps a gather within L2).

torch, numpy, pandas and PyYAML only (no pydantic, no simpy): it runs on the GPU image.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import platform
import random
import shlex
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from hetsim.calibration.gpu_suite.aten_cases import CASES, cases_json, realcode_pairs

POINT_S, IDLE_REPS = 0.03, 5  # as the validation run's grid ("full": op_point_s, op_idle_reps)


def _nvidia_smi() -> str:
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,vbios_version,power.limit,"
                              "clocks.max.sm,clocks.max.mem", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip()
    except Exception as exc:
        return f"nvidia-smi: {type(exc).__name__}"


def case_group(case: dict) -> str:
    """The group a case belongs to (the cases traced from transformers models carry none: `models`)."""
    return case.get("group", "models")


def pick(cases: list[dict], group: str | None, regimes: set[str] | None) -> list[tuple[int, dict]]:
    """(index in the cases file, case) of the cases of `group` whose rate key is in `regimes` (None: any)."""
    out = []
    for n, c in enumerate(cases):
        if group and case_group(c) != group:
            continue
        if regimes and c.get("regime") not in regimes:
            continue
        out.append((n, c))
    return out


def case_callable(case: dict, device):
    """A no-argument callable running one case of the cases file on `device`, as the sweep times it."""
    from hetsim.calibration.e2e.opcases import op_callable, sdpa_callable
    from hetsim.tracing.trace import AtenOp, SdpaCall

    if case["kind"] == "sdpa":
        return sdpa_callable(SdpaCall.from_json(case["spec"]), device)
    # an index op of the methods / common groups draws its indices over the rows it addresses
    bound = int(case["int_bound"]) if case.get("int_bound") else None
    return op_callable(AtenOp.from_json(case["spec"]), device, bound, bool(case.get("positive")))


def run_cases(cases: list[dict], device, budget_s: float, log=print,
              index: list[int] | None = None) -> list[dict[str, Any]]:
    """Time `cases`; `index`: each case's index in the cases file (default: its position here)."""
    import torch

    from hetsim.calibration.e2e.opcases import _time_idle
    from hetsim.calibration.measure import Timer, recover_from_capture

    cuda = device.type == "cuda"
    timer = Timer(device, loop_s=1e-3, point_s=POINT_S, reps=9, min_reps=3)
    run = SimpleNamespace(cuda=cuda, sync=timer.sync)
    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []
    order = list(range(len(cases)))
    random.Random(0).shuffle(order)  # a budget cut drops a spread of cases, not the last traces
    for done, n in enumerate(order):
        c = cases[n]
        row: dict[str, Any] = {"case": index[n] if index else n, "group": case_group(c), "kind": c["kind"],
                               "aten": c["aten"], "module": c["module"],
                               "sources": json.dumps(c["sources"]), "spec": json.dumps(c["spec"]), "error": ""}
        if time.perf_counter() - t0 > budget_s:
            row["error"] = "skipped: run budget spent"
            rows.append(row)
            continue
        try:
            fn = case_callable(c, device)
            s = timer.measure(fn, 1, graph=True)
            row.update(t_stream_s=s.t.median, t_stream_p10_s=s.t.p10, t_stream_p90_s=s.t.p90, cpu_s=s.cpu.median,
                       graph_s=s.graph.median, graph_error=s.graph_error, inner=s.inner, reps=s.reps)
            row["t_idle_s"], row["wall_idle_s"] = _time_idle(fn, run, IDLE_REPS)
            del fn
        except Exception as exc:  # a case that cannot be rebuilt or run is recorded, not fatal
            if cuda:
                recover_from_capture(device)
            row["error"] = f"{type(exc).__name__}: {exc}"[:300]
        rows.append(row)
        if cuda:
            torch.cuda.synchronize(device)
            torch.cuda.empty_cache()
        if done % 25 == 24:
            log(f"  {done + 1} of {len(cases)} cases, {time.perf_counter() - t0:.0f} s")
    return sorted(rows, key=lambda r: r["case"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite.aten_sweep",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="path stem: NAME.parquet, NAME.json, ... beside it")
    ap.add_argument("--cases", type=Path, default=CASES)
    ap.add_argument("--torch-device", default="cuda")
    ap.add_argument("--budget-s", type=float, default=200.0, help="wall time for the cases; the rest are skipped")
    ap.add_argument("--limit", type=int, default=0, help="time only the first N cases (tests)")
    ap.add_argument("--group", choices=("models", "methods", "sdpa", "common", "common-check", "common-more",
                                        "index-widths", *(g for groups, _ in realcode_pairs() for g in groups)),
                    default=None,
                    help="time only this group of cases (default: all)")
    ap.add_argument("--cudnn-sdpa", choices=("on", "off"), default="on",
                    help="off: cuDNN's SDPA switched off for the cases (torch.backends.cuda.enable_cudnn_sdp(False)), "
                         "so SDPA runs flash or memory-efficient, as PyTorch <= 2.10 wheels pick them (default: on, "
                         "PyTorch's own choice)")
    ap.add_argument("--regimes", default="", help="time only cases of these rate keys, comma-separated")
    ap.add_argument("--ids", default="",
                    help="time only these cases (their indices in the cases file, comma- or space-separated, or "
                         "@FILE of them): cases a run could not time, timed again after the harness was mended")
    args = ap.parse_args(argv)
    import pandas as pd
    import torch

    from hetsim.calibration.gpu_suite import host_calls

    command = "python -m hetsim.calibration.gpu_suite.aten_sweep " + " ".join(
        shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    if args.torch_device == "cuda" and not torch.cuda.is_available():
        print("error: no CUDA GPU visible to torch; pass --torch-device cpu to exercise the sweep", file=sys.stderr)
        return 2
    device = torch.device("cuda:0" if args.torch_device == "cuda" else args.torch_device)
    raw = cases_json(args.cases)  # the JSON text: its hash names the same cases packed or not
    regimes = {r.strip() for r in args.regimes.split(",") if r.strip()} or None
    every = json.loads(raw)["cases"]
    known = {c["regime"] for c in every if c.get("regime")}
    for r in sorted(regimes or ()):
        if r not in known:
            import difflib

            near = difflib.get_close_matches(r, sorted(known), n=1)
            hint = f" (did you mean {near[0]}?)" if near else f" (known: {', '.join(sorted(known))})"
            print(f"error: {args.cases}: --regimes: no case has regime {r!r}{hint}", file=sys.stderr)
            return 2
    chosen = pick(every, args.group, regimes)
    if args.ids:
        text = Path(args.ids[1:]).read_text() if args.ids.startswith("@") else args.ids
        try:
            wanted = {int(x) for x in text.replace(",", " ").split()}
        except ValueError:
            print(f"error: --ids: expected case indices (integers), got {text.strip()[:60]!r}", file=sys.stderr)
            return 2
        if unknown := sorted(n for n in wanted if not 0 <= n < len(every)):
            print(f"error: {args.cases}: --ids: no case {unknown[0]} (the file has {len(every)})", file=sys.stderr)
            return 2
        chosen = [(n, c) for n, c in chosen if n in wanted]
    if args.limit:
        chosen = chosen[: args.limit]
    if not chosen:
        print(f"error: {args.cases}: no case of group {args.group or 'any'} and regimes "
              f"{args.regimes or 'any'}", file=sys.stderr)
        return 2
    index, cases = [n for n, _ in chosen], [c for _, c in chosen]
    from hetsim.calibration.measure import REPLAY_HIDDEN_S

    args.out.parent.mkdir(parents=True, exist_ok=True)
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    prov = {"source": "measured", "date_utc": date, "command": command, "cases_file": args.cases.name,
            "cases_sha256": hashlib.sha256(raw).hexdigest()[:16], "cases": len(cases),
            "group": args.group or "all", "regimes": sorted(regimes) if regimes else "all",
            "ids": sorted(n for n, _ in chosen) if args.ids else "all",
            "sdpa_cudnn": args.cudnn_sdpa == "on",
            # graph_recapture_under_s: a one-call replay under it is captured again as SMALL_CALLS calls (runs
            # before 2026-12-07 08:00 UTC lack the key: their timer chose by the eager reading)
            "timer": {"point_s": POINT_S, "idle_reps": IDLE_REPS, "loop_s": 1e-3, "reps": 9, "min_reps": 3,
                      "graph_recapture_under_s": REPLAY_HIDDEN_S},
            "harness": "torch.ops.aten.X.overload(**kw) from a lambda, SDPA via F.scaled_dot_product_attention "
                       "(hetsim/calibration/e2e/opcases.py, as the validation op cases)",
            "torch": torch.__version__, "cuda": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version() if device.type == "cuda" else None,
            "python": platform.python_version(), "platform": platform.platform(), "torch_device": str(device)}
    if device.type == "cuda":
        prov["device_name"] = torch.cuda.get_device_name(device)
        prov["nvidia_smi"] = _nvidia_smi()
    t0 = time.perf_counter()
    print(f"host calls on {device} ...", flush=True)
    hc = host_calls.measure(args.torch_device if args.torch_device != "cuda" else "cuda")
    hc["provenance"] = {"source": "measured", "command": command + "  (host_calls.measure, same process)",
                        "date": date[:10], "device": prov.get("device_name", str(device)),
                        "torch_cuda_transformers": f"{torch.__version__} {torch.version.cuda}",
                        "units": "seconds per call (median of reps x inner calls)"}
    Path(f"{args.out}.host_calls.json").write_text(json.dumps(hc, indent=2) + "\n")
    print(f"host calls: {time.perf_counter() - t0:.0f} s; {len(cases)} cases ...", flush=True)
    if args.cudnn_sdpa == "off":  # after host_calls, which times the cuDNN plan build
        torch.backends.cuda.enable_cudnn_sdp(False)
    try:
        rows = run_cases(cases, device, args.budget_s, log=lambda m: print(m, flush=True), index=index)
    finally:
        torch.backends.cuda.enable_cudnn_sdp(True)  # a process-wide flag: leave it as PyTorch's default
    for r in rows:  # the backend choice each SDPA case ran under (trace_cases lowers it the same way)
        r["sdpa_cudnn"] = args.cudnn_sdpa == "on"
    pd.DataFrame(rows).to_parquet(f"{args.out}.parquet", index=False)
    ok = sum(1 for r in rows if not r["error"])
    prov["timed"], prov["wall_s"] = ok, round(time.perf_counter() - t0, 1)
    Path(f"{args.out}.json").write_text(json.dumps(prov, indent=2) + "\n")
    print(f"{ok} of {len(rows)} cases timed in {prov['wall_s']} s; wrote {args.out}.parquet", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
