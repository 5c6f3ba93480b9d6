"""Per-op records of the traced window (the prefill and the first decode steps) as a DataFrame,
and one row per decode step for the whole run."""

from __future__ import annotations

import pandas as pd

from hetsim.runner import RunResult

OP_COLUMNS = ["run", "phase", "token", "micro_batch", "layer", "task", "step", "device", "engine", "op",
              "op_class", "start_s", "end_s", "duration_s", "flops", "bytes", "energy_j"]


def op_records(runs: list[RunResult]) -> pd.DataFrame:
    rows = []
    for run in runs:
        for phase, token, t0, rec in run.records:
            task = rec.task
            engine = ",".join(task.resources) or "-"
            at = t0 + rec.start
            for op in task.ops:
                rows.append((run.label, phase, token, rec.micro_batch, rec.layer, task.key, task.step, task.device,
                             engine, op.name, op.op_class, at, at + op.seconds, op.seconds, op.flops, op.bytes,
                             op.energy_j))
                at += op.seconds
    return pd.DataFrame(rows, columns=OP_COLUMNS)


def iteration_records(runs: list[RunResult]) -> pd.DataFrame:
    frames = [pd.DataFrame(r.iteration_rows).assign(run=r.label) for r in runs if r.iteration_rows]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
