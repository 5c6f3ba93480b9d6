"""The measurement rounds: a share of the sweep points, a few random host mixes and one pass over
the validation composites per round. The host's speed drifts by 20-30 % over seconds on shared
machines: interleaving makes the fitted host costs and the composites sample the same spells."""

from __future__ import annotations

import json
import time
from collections import Counter

import numpy as np

from hetsim.calibration.cases import Case, CaseOp
from hetsim.calibration.gpu_suite.bench import Bench
from hetsim.calibration.gpu_suite.rows import median, num, ok, positive
from hetsim.calibration.torch_ops import build_sequence
from hetsim.hardware.gpu import rate_keys
from hetsim.ops import Op, op_from_dict


def run_sweep_chunk(bench: Bench, ops: list[Op], stop_at: float) -> None:
    t0 = time.perf_counter()
    for i, op in enumerate(ops):
        if bench.elapsed() > stop_at:
            bench.log(f"  time budget reached: {len(ops) - i} sweep points of this round skipped")
            for rest in ops[i:]:
                bench.record("sweep", rest, error="skipped: time budget")
            break
        row = bench.measure_op("sweep", op)
        if not ok(row):
            bench.log(f"  ! {op.to_dict()}: {row['error']}")
        if i % 16 == 15:
            bench.free()
    bench.free()
    keys = Counter(rate_keys(op)[0] for op in ops)
    bench.log(f"  sweep: {len(ops)} points ({', '.join(f'{k} {n}' for k, n in sorted(keys.items()))}) "
              f"in {time.perf_counter() - t0:.1f} s")


def composite_round(bench: Bench, rnd: int, cases: list[Case], order: list[int]) -> None:
    """Every validation case whole and op by op. Device times repeat to 1-2 %, so CUDA graphs
    are timed in round 0 only; host times do not, hence the rounds."""
    graph = rnd == 0
    for i in order:
        case = cases[i]
        ops = case.plain_ops
        try:
            seq = build_sequence(ops, bench.device, bench.l2_bytes)
            sets = max(r.n_sets for r in seq.runners)
            whole = bench.timer.measure(seq, sets, graph=graph)
            bench.record("composite", None, whole, case.name, n_ops=len(ops), round=rnd)
            for op, r in zip(ops, seq.runners, strict=True):
                bench.measure_op("composite_op", op, case.name, runner=r, graph=graph, round=rnd)
            del seq
        except Exception as exc:
            bench.record("composite", None, None, case.name, error=f"{type(exc).__name__}: {exc}"[:400], round=rnd)
            bench.log(f"  ! composite {case.name}: {exc}")
        finally:
            bench.free()


def finish_composites(bench: Bench, cases: list[Case]) -> list[Case]:
    """Per case and per op, the median over rounds of each round's median."""
    measured: list[Case] = []
    for case in cases:
        whole = [r for r in bench.rows if r["phase"] == "composite" and r["case"] == case.name and ok(r)]
        if not whole:
            continue
        per_op: list[list[dict]] = [[] for _ in case.ops]
        for rnd in {r["round"] for r in whole}:
            got = [r for r in bench.rows if r["phase"] == "composite_op" and r["case"] == case.name
                   and r.get("round") == rnd]
            if len(got) == len(case.ops):
                for i, r in enumerate(got):
                    per_op[i].append(r)
        t = median([r.get("t_s") for r in whole])
        g = median([r.get("graph_s") for r in whole])
        out_ops = [CaseOp(op, positive(median([r.get("t_s") for r in rs])),
                          positive(median([r.get("graph_s") for r in rs])))
                   for op, rs in zip(case.plain_ops, per_op, strict=True)]
        measured.append(Case(case.name, out_ops, case.description, positive(t), positive(g), dict(case.extra)))
        rounds = ", ".join(f"{num(r.get('t_s')) * 1e6:.0f}" for r in whole)
        bench.log(f"  composite {case.name}: {t * 1e6:.1f} us eager, {g * 1e6:.1f} us graph (rounds: {rounds} us)")
    return measured


def run_mixes(bench: Bench, first: int, count: int) -> None:
    """Random sequences of small sweep ops, whole and op by op: how much more the host pays to
    issue different ops in turn than one op repeatedly (the host mix factor)."""
    pool = [r for r in bench.rows if r["phase"] == "sweep" and ok(r)
            and np.isfinite(num(r.get("t_s"))) and num(r.get("t_s")) < 40e-6
            and not r["key"].startswith("copy_")]
    if len(pool) < 4:
        return
    rng = np.random.default_rng(first + 1)
    for i in range(first, first + count):
        pick = rng.choice(len(pool), size=min(12, len(pool)), replace=False)
        ops = [op_from_dict(json.loads(pool[j]["op"])) for j in pick]
        try:
            seq = build_sequence(ops, bench.device, bench.l2_bytes)
            bench.record("mix", None, bench.timer.measure(seq, 1, graph=False), f"mix{i}", n_ops=len(ops))
            for op, r in zip(ops, seq.runners, strict=True):
                bench.record("mix_op", op, bench.timer.measure(r, 1, graph=False), f"mix{i}")
            del seq
        except Exception as exc:
            bench.record("mix", None, None, f"mix{i}", error=f"{type(exc).__name__}: {exc}"[:400])
        finally:
            bench.free()
