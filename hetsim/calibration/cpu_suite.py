"""`hetsim calibrate cpu`: measure this machine's CPU with numpy, the calls the CPU model prices.

    stream      np.copyto of a 64 MB float32 array            -> bytes moved (2 x size) per second
    overhead    np.add.at of one element into a tiny array     -> seconds per numpy call
    gather      np.take of random rows from arrays of 64 KB .. 256 MB
    scatter_add np.add.at of sorted (posting-list) and random indices into 64 KB .. 64 MB targets
    topk        np.argpartition of 1M float32 scores, 90% zero -> elements scanned per second
                (a sparse scoring's output; distinct random values are kept as topk_distinct)
    matmul      512 x 512 x 512 float32 (BLAS)                 -> FLOP per second

Each case is warmed up once, then timed `repeats` times (time.perf_counter); the fit is the median,
its spread (max - min) / median is kept because the machine's cores are shared. Every repeat is a
row of the raw Parquet beside the profile, with the machine's load average when it was taken.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from hetsim.calibration.cpu_profile import KIND

SIZES = {  # mode -> scale of the working sets (full: up to 256 MB; tiny: a test's seconds)
    "full": dict(stream=16 << 20, targets=(16 << 10, 256 << 10, 4 << 20, 16 << 20, 64 << 20), accesses=1 << 20,
                 topk=1 << 20, matmul=512, repeats=31),
    "tiny": dict(stream=1 << 16, targets=(16 << 10, 256 << 10), accesses=1 << 12, topk=1 << 14, matmul=64,
                 repeats=3),
}
POSTING_DENSITY = 0.05  # sorted scatter-add: a posting list covering 5% of the documents
SCORED_SHARE = 0.1  # top-k input: the share of documents a sparse scoring gives a non-zero score


def cpu_model_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def time_call(fn: Callable[[], object], repeats: int) -> list[tuple[float, float]]:
    """(seconds, 1-minute load average) per repeat, after one warm-up call."""
    fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0, os.getloadavg()[0]))
    return out


def measure(mode: str = "full", seed: int = 0) -> list[dict]:
    """Raw rows: case, op class, target bytes, work (elements or bytes or FLOPs), seconds, load."""
    s = SIZES[mode]
    rng = np.random.default_rng(seed)
    rows: list[dict] = []

    def record(case: str, op_class: str, target: int, work: float, fn: Callable[[], object]) -> None:
        for i, (sec, load) in enumerate(time_call(fn, s["repeats"])):
            rows.append(dict(case=case, op_class=op_class, target_bytes=int(target), work=float(work),
                             seconds=sec, repeat=i, load_avg_1m=load))

    src = rng.random(s["stream"] // 4, dtype=np.float32)
    dst = np.empty_like(src)
    record("copy", "stream", src.nbytes, 2 * src.nbytes, lambda: np.copyto(dst, src))
    one, tiny_idx, tiny_val = np.zeros(8, np.float32), np.zeros(1, np.int32), np.ones(1, np.float32)
    record("add_at_1", "overhead", one.nbytes, 1, lambda: np.add.at(one, tiny_idx, tiny_val))
    n_acc = s["accesses"]
    for target in s["targets"]:
        n = target // 4
        table = rng.random(n, dtype=np.float32)
        idx = rng.integers(0, n, n_acc, dtype=np.int64)
        record(f"take_{target}", "gather", target, n_acc, lambda t=table, i=idx: np.take(t, i))
        vals = rng.random(n_acc, dtype=np.float32)
        rnd = idx.astype(np.int32)
        record(f"add_at_random_{target}", "scatter_add_random", target, n_acc,
               lambda t=table, i=rnd, v=vals: np.add.at(t, i, v))
        # a posting list: distinct, rising documents covering POSTING_DENSITY of them (repeated to n_acc)
        m = max(1, min(n, int(n * POSTING_DENSITY)))
        post = np.sort(rng.choice(n, m, replace=False)).astype(np.int32)
        post = np.tile(post, -(-n_acc // m))[:n_acc]
        record(f"add_at_sorted_{target}", "scatter_add", target, n_acc,
               lambda t=table, i=post, v=vals: np.add.at(t, i, v))
    # a retrieval's scores: most documents match no query term and score 0 (ties slow introselect down
    # several-fold against distinct random values), SCORED_SHARE of them hold a score
    scores = np.where(rng.random(s["topk"]) < SCORED_SHARE, rng.random(s["topk"]), 0.0).astype(np.float32)
    record("argpartition", "topk", scores.nbytes, scores.size, lambda: np.argpartition(scores, -10))
    distinct = rng.random(s["topk"], dtype=np.float32)
    record("argpartition_distinct", "topk_distinct", distinct.nbytes, distinct.size,
           lambda: np.argpartition(distinct, -10))
    k = s["matmul"]
    a, b = rng.random((k, k), dtype=np.float32), rng.random((k, k), dtype=np.float32)
    record("matmul", "matmul", 3 * a.nbytes, 2.0 * k ** 3, lambda: a @ b)
    return rows


def _median_spread(xs: list[float]) -> tuple[float, float]:
    med = statistics.median(xs)
    return med, (max(xs) - min(xs)) / med if med else 0.0


def fit(rows: list[dict]) -> dict:
    """Profile fits from raw rows: medians of the repeats (overhead subtracted from the rates)."""
    by: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        by.setdefault((r["op_class"], r["case"]), []).append(r)

    def med(cls: str, case: str) -> tuple[float, float, dict]:
        rs = by[(cls, case)]
        m, sp = _median_spread([r["seconds"] for r in rs])
        return m, sp, rs[0]

    overhead, osp, _ = med("overhead", "add_at_1")
    out: dict = {"call_overhead_us": {"value": round(overhead * 1e6, 3), "spread": round(osp, 3)}}
    t, sp, r = med("stream", "copy")
    out["stream_bw_gbps"] = {"value": round(r["work"] / max(t - overhead, 1e-9) / 1e9, 3), "spread": round(sp, 3)}
    t, sp, r = med("topk", "argpartition")
    out["topk_m_per_s"] = {"value": round(r["work"] / max(t - overhead, 1e-9) / 1e6, 3), "spread": round(sp, 3)}
    t, sp, r = med("topk_distinct", "argpartition_distinct")
    out["topk_distinct_m_per_s"] = {"value": round(r["work"] / max(t - overhead, 1e-9) / 1e6, 3),
                                    "spread": round(sp, 3)}
    t, sp, r = med("matmul", "matmul")
    out["matmul_gflops"] = {"value": round(r["work"] / t / 1e9, 3), "spread": round(sp, 3)}
    for cls in ("gather", "scatter_add", "scatter_add_random"):
        pts = []
        for (c, case), _ in sorted(by.items(), key=lambda kv: kv[1][0]["target_bytes"]):
            if c != cls:
                continue
            t, sp, r = med(c, case)
            rate = r["work"] / max(t - overhead, 1e-9) / 1e6
            pts.append({"target_bytes": r["target_bytes"], "m_per_s": round(rate, 3),
                        "spread": round(sp, 3)})
        out[cls] = pts
    return out


def calibrate_cpu(out: Path, device: str, mode: str = "full", command: str = "hetsim calibrate cpu") -> dict:
    """Measure, fit, write the profile at `out` and the raw Parquet beside it; the profile's dict."""
    import pandas as pd
    import yaml

    load_before = os.getloadavg()
    started = dt.datetime.now(dt.UTC)
    rows = measure(mode)
    raw = out.with_suffix(".parquet")
    doc = {
        "kind": KIND,
        "device": device,
        "provenance": {
            "source": "measured",
            "date": started.isoformat(timespec="seconds"),
            "cpu_model": cpu_model_name(),
            "cores": os.cpu_count(),
            "numpy": np.__version__,
            "python": platform.python_version(),
            "mode": mode,
            "repeats": SIZES[mode]["repeats"],
            "load_avg_before": [round(x, 2) for x in load_before],
            "load_avg_after": [round(x, 2) for x in os.getloadavg()],
            "raw": raw.name,
            "command": command,
            "note": "medians of the repeats after a warm-up; spread = (max - min) / median; the cores were "
                    "shared with other work (load averages above, per repeat in the raw file)",
        },
        "fits": fit(rows),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(raw, index=False)
    out.write_text(yaml.safe_dump(doc, sort_keys=False))
    return doc
