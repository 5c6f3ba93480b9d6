"""`hetsim calibrate cpu`: measure this machine's CPU with numpy, the calls the CPU model prices.

    stream      np.copyto of a 64 MB float32 array            -> bytes moved (2 x size) per second
    overhead    np.add.at of one element into a tiny array     -> seconds per numpy call
    gather      np.take of random rows from arrays of 64 KB .. 256 MB
    scatter_add np.add.at of sorted (posting-list) and random indices into 64 KB .. 64 MB targets
    topk        np.argpartition of 8K .. 1M float32 scores (powers of 2) x scored shares 0.1% .. 100% (the rest
                zero, as a sparse scoring leaves them: ties slow introselect) -> elements scanned per
                second, a grid (the 1M, 10% point is kept as topk_m_per_s)
    topk_call   bm25s.selection.topk's numpy calls (argpartition, take, take, argsort, flip, two
                indexings) on a 64-score row                 -> seconds per selection
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
from hetsim.calibration.gpu_profile import check_profile_out
from hetsim.calibration.hostinfo import cpu_model_name

SIZES = {  # mode -> scale of the working sets (full: up to 256 MB; tiny: a test's seconds)
    "full": dict(stream=16 << 20, targets=(16 << 10, 256 << 10, 4 << 20, 16 << 20, 64 << 20), accesses=1 << 20,
                 topk=(1 << 13, 1 << 14, 1 << 15, 1 << 16, 1 << 17, 1 << 18, 1 << 20),
                 shares=(0.001, 0.01, 0.1, 0.3, 1.0), matmul=512, repeats=51),
    "tiny": dict(stream=1 << 16, targets=(16 << 10, 256 << 10), accesses=1 << 12, topk=(1 << 10, 1 << 14),
                 shares=(0.01, 1.0), matmul=64, repeats=3),
}
TOPK_K, TOPK_CALL_ROW = 10, 64
POSTING_DENSITY = 0.05  # sorted scatter-add: a posting list covering 5% of the documents
SCORED_SHARE = 0.1  # the top-k point kept as topk_m_per_s


def select_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The numpy calls bm25s.selection.topk(backend="numpy", sorted=True) makes for one query."""
    part = np.argpartition(scores, -k).take(indices=range(-k, 0))
    vals = np.take(scores, part)
    order = np.flip(np.argsort(vals))
    return vals[order], part[order]


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
    # a retrieval's scores: documents matching no query term score 0 (ties slow introselect down several-fold
    # against distinct values); `share` of them hold a score
    for n in s["topk"]:
        for share in s["shares"]:
            sc = np.where(rng.random(n) < share, rng.random(n), 0.0).astype(np.float32)
            record(f"argpartition_{n}_{share:g}", "topk", sc.nbytes, sc.size,
                   lambda x=sc: np.argpartition(x, -TOPK_K))
    row = rng.random(TOPK_CALL_ROW, dtype=np.float32)
    record("select_k_tiny", "topk_call", row.nbytes, 1, lambda: select_k(row, TOPK_K))
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
    grid = []
    for c, case in by:
        if c == "topk":
            t, sp, r = med(c, case)
            grid.append({"target_bytes": r["target_bytes"], "scored_share": float(case.rsplit("_", 1)[1]),
                         "m_per_s": round(r["work"] / max(t - overhead, 1e-9) / 1e6, 3), "spread": round(sp, 3)})
    grid.sort(key=lambda g: (g["target_bytes"], g["scored_share"]))
    big = max(g["target_bytes"] for g in grid)
    point = min((g for g in grid if g["target_bytes"] == big), key=lambda g: abs(g["scored_share"] - SCORED_SHARE))
    out["topk_m_per_s"] = {"value": point["m_per_s"], "spread": point["spread"]}
    t, sp, _ = med("topk_call", "select_k_tiny")
    out["topk_call_us"] = {"value": round(t * 1e6, 3), "spread": round(sp, 3)}
    out["topk"] = grid
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

    check_profile_out(out, KIND)
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
