"""The run's readings: one row per measurement (phase, case, op, times, power state), kept in
memory as dicts and written beside the profile as Parquet (CSV where no Parquet engine is
installed), so a refit sees exactly what the run saw. Rows read back carry NaN for "none"."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from hetsim.hardware.gpu import rate_keys
from hetsim.ops import Op


def make_row(phase: str, op: Op | None, sample=None, case: str = "", **extra) -> dict[str, Any]:
    """A reading: the op's identity and cost, the timer's sample (median, spread) if any."""
    row: dict[str, Any] = {"phase": phase, "case": case, "key": "", "op_class": "", "op": "", "name": "",
                           "flops": math.nan, "bytes": math.nan, "dtype": ""}
    if op is not None:
        row.update(key=rate_keys(op)[0], op_class=op.op_class, op=json.dumps(op.to_dict()), name=op.name,
                   flops=float(op.flops), bytes=float(op.bytes), dtype=getattr(op, "dtype", ""))
    if sample is not None:
        for prefix, s in (("t", sample.t), ("cpu", sample.cpu), ("graph", sample.graph)):
            row[f"{prefix}_s"], row[f"{prefix}_p10_s"] = s.median, s.p10
            row[f"{prefix}_p90_s"], row[f"{prefix}_min_s"] = s.p90, s.min
        row.update(inner=sample.inner, reps=sample.reps, graph_calls=sample.graph_calls,
                   graph_error=sample.graph_error)
    row.update(extra)
    return row


def ok(row: dict) -> bool:
    """A measured row: no error text (rows read back from Parquet carry NaN for none)."""
    err = row.get("error")
    return not (isinstance(err, str) and err)


def num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def median(xs) -> float:
    xs = [float(x) for x in xs if x is not None and np.isfinite(num(x))]
    return float(np.median(xs)) if xs else math.nan


def positive(x) -> float | None:
    return float(x) if x is not None and np.isfinite(x) and x > 0 else None


def write_raw(rows: list[dict], out: Path) -> Path:
    import pandas as pd  # pandas costs ~0.5 s to import; only the writing and reading need it

    df = pd.DataFrame(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.with_suffix(".parquet")
    try:
        df.to_parquet(path, index=False)
    except ImportError:  # no pyarrow/fastparquet on this machine: CSV keeps every column too
        path = out.with_suffix(".csv")
        df.to_csv(path, index=False)
    return path


def read_raw(path: Path):
    import pandas as pd  # as in write_raw

    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, keep_default_na=False,
                                                                               na_values=[""])
