"""Which kernels a method's step launches, and how long each runs: a diagnostic, never fitting data.

    python -m hetsim.method_code.profile_step --match dsa/decode/B1/C32768 --step apply [--out FILE]

For each composite whose name holds `--match` (composites.SIZES), the phase runs once in full, then
the step is called a few times untimed and a few more under torch.profiler (CPU and CUDA activity):
per kernel, its name, launches per call and device time per call, beside the step's traced aten ops.
It answers "what does the GPU run that the step's ops do not say?" (e.g. a cuBLAS split-K reduction, a
workspace memset, a copy a layout forces) when a step's replay is slower than its ops timed alone.
Needs torch only (no pydantic).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections import defaultdict

import torch

from hetsim.method_code import composites
from hetsim.method_code.base import made

CALLS = 5


def profile_step(c: composites.Composite, step: str, device: torch.device) -> dict:
    from torch.profiler import ProfilerActivity, profile

    _, _, st, steps = made(c, device)  # every input the step reads exists
    fn = steps[step]
    for _ in range(3):
        fn(st)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=acts) as prof:
        for _ in range(CALLS):
            fn(st)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    kernels: dict[str, dict[str, float]] = defaultdict(lambda: {"launches": 0.0, "device_us": 0.0})
    ops: dict[str, int] = defaultdict(int)
    for e in prof.events():
        dev_us = getattr(e, "device_time", None)
        if dev_us is None:
            dev_us = getattr(e, "cuda_time", 0.0)
        if getattr(e, "device_type", None) is not None and str(e.device_type).endswith("CUDA"):
            k = kernels[e.name]
            k["launches"] += 1 / CALLS
            k["device_us"] += dev_us / CALLS
        elif e.name.startswith("aten::"):
            ops[e.name] += 1
    total = sum(k["device_us"] for k in kernels.values())
    return {"provenance": {"source": "measured (diagnostic)", "device": str(device),
                           "command": "python -m hetsim.method_code.profile_step", "torch": torch.__version__},
            "composite": c.name, "step": step, "calls": CALLS, "device_us_per_call": total,
            "kernels": dict(sorted(kernels.items(), key=lambda kv: -kv[1]["device_us"])),
            "aten_calls_per_call": {k: v / CALLS for k, v in sorted(ops.items())}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.method_code.profile_step", description=__doc__.splitlines()[0])
    ap.add_argument("--match", required=True, help="a piece of the composites' names")
    ap.add_argument("--step", required=True, help="the step to profile (prepare, relevancy, retrieval, apply)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--tiny", action="store_true", help="CPU-sized composites (a smoke run)")
    ap.add_argument("--out", help="JSON file to write (default: print only)")
    args = ap.parse_args(argv)
    todo = [composites.tiny(c) if args.tiny else c for c in composites.SIZES if args.match in c.name]
    if not todo:
        print(f"error: --match: no composite name holds {args.match!r}", file=sys.stderr)
        return 2
    for c in todo:  # every input checked before any device time is spent
        steps = importlib.import_module(f"hetsim.method_code.{c.module}").STEPS[c.phase]
        if args.step not in steps:
            print(f"error: --step: {c.name} has no step {args.step!r} (its steps: {', '.join(steps)})",
                  file=sys.stderr)
            return 2
    if args.out:
        from hetsim.calibration.gpu_suite.host_calls import check_out

        check_out(args.out)  # never over a file that is not a measurement of ours
    res = [profile_step(c, args.step, torch.device(args.device)) for c in todo]
    for r in res:
        print(f"{r['composite']} {r['step']}: {r['device_us_per_call']:.1f} us of kernels per call")
        for name, k in r["kernels"].items():
            print(f"  {k['device_us']:8.2f} us  x{k['launches']:.0f}  {name[:110]}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
