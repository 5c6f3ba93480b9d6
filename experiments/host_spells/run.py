"""Does the lent machine's host run in spells, and what moves with it? A diagnostic, never fitting data.

    python experiments/host_spells/run.py --out DIR [--seconds 30]

Every ~50 ms for `--seconds`, first with the process free to move between cores, then pinned to one core, it
times three host-only probes back to back and notes the core it ran on:
  kernel   a small CUDA kernel's issue time (hetsim.calibration.gpu_suite.host_calls.kernel_call_s, 100 calls)
  python   a pure-Python loop (no torch): the CPU's own speed
  torch    a tiny CPU tensor op (the dispatcher without CUDA)
Writes DIR/host_spells.json (every sample, provenance) and prints per phase (free / pinned) the p10, median
and p90 of each probe, the share of samples in the slow spell (kernel probe above the midpoint of its p10 and
p90), and how the python and torch probes differ between the two spells (a CPU-wide slow-down moves them too;
one in the CUDA driver or runtime does not).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hetsim.calibration.gpu_suite.host_calls import kernel_call_s  # noqa: E402
from hetsim.calibration.trace_cases import nearest_rank  # noqa: E402


def python_probe() -> float:
    t0 = time.perf_counter()
    s = 0
    for i in range(20000):
        s += i * i
    return (time.perf_counter() - t0) / 20000


def torch_probe(x: torch.Tensor) -> float:
    t0 = time.perf_counter()
    for _ in range(200):
        torch.add(x, x)
    return (time.perf_counter() - t0) / 200


def phase(name: str, seconds: float, device: torch.device) -> list[dict]:
    x = torch.ones(8)
    out, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        cpu = os.sched_getcpu() if hasattr(os, "sched_getcpu") else -1
        out.append({"phase": name, "t": time.time(), "cpu": cpu,
                    "kernel_s": kernel_call_s(device, inner=100, reps=3), "python_s": python_probe(),
                    "torch_s": torch_probe(x), "cpu_after": os.sched_getcpu() if hasattr(os, "sched_getcpu") else -1})
        time.sleep(0.05)
    return out


def quantiles(xs: list[float]) -> tuple[float, float, float]:
    xs = sorted(xs)
    return nearest_rank(xs, 0.1), statistics.median(xs), nearest_rank(xs, 0.9)


def ratio(slow: list[dict], fast: list[dict], key: str) -> float:
    """A probe's median in the slow spell over its median in the fast one."""
    if not slow or not fast:
        return float("nan")
    return statistics.median(r[key] for r in slow) / statistics.median(r[key] for r in fast)


def summary(rows: list[dict]) -> None:
    print(f"{'phase':7} {'n':>4} {'cores':>5} | {'kernel us p10/med/p90':>22} | slow share | python ratio "
          "| torch ratio")
    for name in dict.fromkeys(r["phase"] for r in rows):
        rs = [r for r in rows if r["phase"] == name]
        k10, kmed, k90 = quantiles([r["kernel_s"] for r in rs])
        mid = (k10 + k90) / 2
        slow, fast = [r for r in rs if r["kernel_s"] > mid], [r for r in rs if r["kernel_s"] <= mid]
        print(f"{name:7} {len(rs):4d} {len({r['cpu'] for r in rs}):5d} | {k10 * 1e6:6.2f} {kmed * 1e6:6.2f} "
              f"{k90 * 1e6:6.2f}     | {len(slow) / len(rs):9.0%}  | {ratio(slow, fast, 'python_s'):11.2f}  "
              f"| {ratio(slow, fast, 'torch_s'):10.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args(argv)
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = phase("free", args.seconds, device)
    core = sorted(os.sched_getaffinity(0))[len(os.sched_getaffinity(0)) // 2]
    os.sched_setaffinity(0, {core})
    rows += phase("pinned", args.seconds, device)
    prov = {"source": "measured", "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
            "command": "python experiments/host_spells/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
            "torch": torch.__version__, "host": platform.node(), "pinned_core": core,
            "cpus": os.cpu_count()}
    (args.out / "host_spells.json").write_text(json.dumps({"provenance": prov, "samples": rows}, indent=1) + "\n")
    summary(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
