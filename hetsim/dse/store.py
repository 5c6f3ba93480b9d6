"""The results store of a sweep: a Parquet dataset with one part file per point.

    SWEEP_DIR/sweep.json             the sweep as last run: spec, base experiment, its points in order
    SWEEP_DIR/parts/part-KEY.parquet one row per (point, run label); KEY is the point's content key

A part is written to a temporary file and renamed over its final name (`os.replace`), so at any
moment (kill -9 included) a part is either complete or absent, and its name makes a second copy
impossible. A rerun computes exactly the keys without a part. One writer at a time (a lock file).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hetsim.errors import ConfigError

PARTS = "parts"
META = "sweep.json"
FIRST_COLUMNS = ("point_id", "label", "method", "placement", "status", "note")


class Store:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.parts = self.root / PARTS

    def part(self, key: str) -> Path:
        return self.parts / f"part-{key}.parquet"

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the folder for one sweep process; the OS drops the lock if the process dies."""
        self.parts.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise ConfigError("another sweep is writing this folder; wait for it or choose another --out",
                                  file=str(self.root)) from None
            for stale in self.parts.glob(".tmp-*"):  # parts a killed run was writing
                stale.unlink(missing_ok=True)
            yield

    def done(self) -> set[str]:
        if not self.parts.is_dir():
            return set()
        return {p.name[len("part-"):-len(".parquet")] for p in self.parts.glob("part-*.parquet")}

    def write(self, key: str, rows: list[dict]) -> None:
        table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
        tmp = self.parts / f".tmp-{key}-{os.getpid()}.parquet"
        pq.write_table(table, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.part(key))

    def write_meta(self, meta: dict) -> None:
        tmp = self.root / f".{META}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(meta, indent=1, default=str))
        os.replace(tmp, self.root / META)

    def read_meta(self) -> dict:
        path = self.root / META
        if not path.is_file():
            raise ConfigError("not a sweep results folder (no sweep.json): run `hetsim sweep` first",
                              file=str(self.root))
        return json.loads(path.read_text())


def read_parts(root: Path) -> pd.DataFrame:
    paths = sorted((Path(root) / PARTS).glob("part-*.parquet"))
    if not paths:
        return pd.DataFrame(columns=list(FIRST_COLUMNS))
    tables = [pq.read_table(p) for p in paths]
    try:
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # one column holds different types across points
        return pd.concat([t.to_pandas() for t in tables], ignore_index=True)


def load_results(root: Path, stale: bool = False) -> pd.DataFrame:
    """The sweep's rows as a DataFrame, in sweep order, with a `feasible` column (status ok and
    every constraint met). `stale`: also rows of points the folder keeps from earlier versions of
    the sweep (they stay as a cache)."""
    from hetsim.dse.goals import satisfied
    from hetsim.dse.spec import SweepSpec

    store = Store(root)
    meta = store.read_meta()
    df = read_parts(root)
    order = {p["id"]: i for i, p in enumerate(meta.get("points", []))}
    if not stale:
        df = df[df["point_id"].isin(order)]
    df = df.assign(_order=df["point_id"].map(order)).sort_values(["_order"], kind="stable").drop(columns="_order")
    spec = SweepSpec.model_validate(meta["spec"])
    default_run = spec.search.run if spec.search else None
    feasible = df["status"].eq("ok")
    if spec.constraints and len(df):
        ok = {}
        for key, group in df.groupby("point_id", sort=False):
            rows = {r["label"]: r for r in group.to_dict("records")}
            first = next(iter(rows.values()))
            config = json.loads(first["config_json"])["experiment"]
            derived = {c[len("derived."):]: first[c] for c in group.columns if c.startswith("derived.")}
            method = first["config.workload.method"]
            ok[key] = all(satisfied(c, default_run, config, derived, rows, method) is True for c in spec.constraints)
        feasible &= df["point_id"].map(ok).astype(bool)
    df = df.assign(feasible=feasible.to_numpy())
    cols = [c for c in FIRST_COLUMNS if c in df] + ["feasible"]
    return df[cols + [c for c in df.columns if c not in cols]].reset_index(drop=True)
