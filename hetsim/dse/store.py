"""The results store of a sweep: a Parquet dataset with one part file per point.

    SWEEP_DIR/.hetsim-manifest.json  marks the folder as a sweep store hetsim wrote (hetsim.outdir)
    SWEEP_DIR/sweep.json             the sweep as last run: spec, base experiment, its points in order
    SWEEP_DIR/parts/part-KEY.parquet one row per (point, run label); KEY is the point's content key

A part is written to a temporary file and renamed over its final name (`os.replace`), so at any
moment (kill -9 included) a part is either complete or absent, and its name makes a second copy
impossible. Each part carries a checksum of its rows; a part that does not read back whole (a
disk fault, a truncated copy) is reported in one warning line and treated as absent: a sweep
computes it again, a reader skips it. One writer at a time (a lock file).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hetsim.dse.derived import canonical, sha
from hetsim.dse.goals import satisfied
from hetsim.dse.spec import SweepSpec
from hetsim.errors import ConfigError, HetsimError
from hetsim.outdir import MANIFEST, claim, clean_stale_temps, manifest_kind, temp_name, write_manifest

PARTS = "parts"
META = "sweep.json"
LOCK = ".lock"
KIND = "sweep"
FIRST_COLUMNS = ("point_id", "label", "method", "placement", "status", "note")
CHECKSUM = b"hetsim.rows_sha256"  # Parquet key-value metadata: sha256 of the rows as canonical JSON
# what the previous version (no manifest) wrote in a sweep folder; only such a folder is adopted
LEGACY_ENTRIES = {META, PARTS, LOCK, "plots"}


def warn_line(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")


class CorruptPart(Exception):
    """A part file that does not read back as the rows hetsim wrote."""


def rows_checksum(table: pa.Table) -> str:
    return sha(canonical(table.to_pylist()))


def read_part(path: Path, key: str | None = None) -> pa.Table:
    """A part's rows, checked: it parses, its checksum matches and it holds the point it is named
    after. CorruptPart otherwise (an absent file raises FileNotFoundError)."""
    try:
        table = pq.read_table(path, page_checksum_verification=True)
    except FileNotFoundError:
        raise
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise CorruptPart(f"unreadable ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None
    meta = table.schema.metadata or {}
    if CHECKSUM in meta:
        bare = table.replace_schema_metadata({k: v for k, v in meta.items() if k != CHECKSUM})
        if rows_checksum(bare) != meta[CHECKSUM].decode():
            raise CorruptPart("its rows do not match their checksum")
    if table.num_rows == 0 or "point_id" not in table.column_names or "status" not in table.column_names:
        raise CorruptPart("no rows, or no point_id / status column")
    if key is not None and set(table.column("point_id").to_pylist()) != {key}:
        raise CorruptPart("it holds another point's rows")
    return table


class Store:
    """`warn(message)`: how a corrupt file is reported (default: one line on stderr)."""

    def __init__(self, root: Path, warn: Callable[[str], None] = warn_line):
        self.root = Path(root)
        self.parts = self.root / PARTS
        self.warn = warn

    def part(self, key: str) -> Path:
        return self.parts / f"part-{key}.parquet"

    @contextmanager
    def open(self, what: str = "--out") -> Iterator[Store]:
        """Claim the folder as a sweep store (refusing a folder hetsim did not write) and hold it for
        this process: the one writer. Temporary files a killed writer left are removed."""
        adopt_legacy(self.root)
        claim(self.root, KIND, what)
        self.parts.mkdir(exist_ok=True)
        fd = os.open(self.root / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        with os.fdopen(fd, "r+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = fh.read().strip()
                who = f" (process {holder})" if holder.isdigit() else ""
                raise ConfigError(f"another hetsim sweep{who} is writing this folder: wait for it to finish, or "
                                  "choose another --out", file=str(self.root), field=what) from None
            fh.truncate(0)
            fh.write(str(os.getpid()))
            fh.flush()
            # the lock is ours, so every temporary file here is a dead writer's (the OS dropped its lock)
            for folder in (self.root, self.parts):
                clean_stale_temps(folder, max_age_s=0.0)
            for stale in self.parts.glob(".tmp-*"):  # the previous version's temporary parts
                stale.unlink(missing_ok=True)
            yield self

    def read(self, key: str, drop_corrupt: bool = False) -> pa.Table | None:
        """The point's stored rows, or None when there is no sound part for it. A corrupt part is
        reported and, by the writer (`drop_corrupt`), removed so the point is computed again."""
        path = self.part(key)
        try:
            return read_part(path, key)
        except FileNotFoundError:
            return None
        except CorruptPart as exc:
            action = "removed; it is computed again" if drop_corrupt else "skipped"
            self.warn(f"{path}: corrupt part ({exc}): {action}")
            if drop_corrupt:
                path.unlink(missing_ok=True)
            return None

    def write(self, key: str, rows: list[dict]) -> None:
        """Write the point's part atomically: complete under its final name, or not there at all."""
        table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               CHECKSUM: rows_checksum(table).encode()})
        final = self.part(key)
        tmp = self.parts / temp_name(final.name)
        try:
            pq.write_table(table, tmp, write_page_checksum=True)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise HetsimError(f"cannot write a result part: {exc.strerror or exc} (the parts written so far are "
                              "kept; rerun to finish)", file=str(final)) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def write_meta(self, meta: dict) -> None:
        tmp = self.root / temp_name(META)
        try:
            tmp.write_text(json.dumps(meta, indent=1, default=str))
            os.replace(tmp, self.root / META)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise HetsimError(f"cannot write: {exc.strerror or exc}", file=str(self.root / META)) from None

    def _load_meta(self) -> tuple[dict | None, str | None]:
        """sweep.json parsed, or why it cannot be read ((None, None) when it is not there yet)."""
        path = self.root / META
        if not path.exists():
            return None, None
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            return None, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if not isinstance(meta, dict) or not isinstance(meta.get("points"), list) or "spec" not in meta:
            return None, "not a sweep description (no points or spec)"
        return meta, None

    def meta_problem(self) -> str | None:
        """Why sweep.json cannot be read (None when it reads, or is not there yet)."""
        return self._load_meta()[1]

    def read_meta(self) -> dict:
        path = self.root / META
        if not path.is_file():
            raise ConfigError(f"not a sweep results folder (no {META}): run `hetsim sweep` first", file=str(self.root))
        meta, problem = self._load_meta()
        if problem:
            raise ConfigError(f"corrupt or truncated ({problem}): rerun `hetsim sweep` on this folder to rewrite it "
                              "(stored points are kept)", file=str(path))
        return meta


def adopt_legacy(root: Path) -> bool:
    """A sweep folder the previous version wrote (sweep.json and parts/, nothing else of the
    user's, no manifest) is a sweep store: give it its manifest. True when adopted."""
    root = Path(root)
    if not root.is_dir() or manifest_kind(root) is not None or (root / MANIFEST).exists():
        return False
    names = {p.name for p in root.iterdir()}
    if not {META, PARTS} <= names or not (root / PARTS).is_dir():
        return False
    ours = all(n in LEGACY_ENTRIES or (n.startswith(f".{META}.") and n.endswith(".tmp")) for n in names)
    parts_ours = all(p.name.startswith(("part-", ".tmp-")) and p.name.endswith(".parquet")
                     for p in (root / PARTS).iterdir())
    if ours and parts_ours:
        write_manifest(root, KIND)
        return True
    return False


def read_parts(root: Path, warn: Callable[[str], None] = warn_line) -> pd.DataFrame:
    """Every sound part under `root`; a corrupt one is reported and skipped."""
    tables = []
    for path in sorted((Path(root) / PARTS).glob("part-*.parquet")):
        try:
            tables.append(read_part(path, path.name[len("part-"):-len(".parquet")]))
        except FileNotFoundError:  # replaced by a running sweep between listing and reading
            continue
        except CorruptPart as exc:
            warn(f"{path}: corrupt part ({exc}): skipped (rerun `hetsim sweep` to compute it again)")
    if not tables:
        return pd.DataFrame(columns=list(FIRST_COLUMNS))
    tables = [t.replace_schema_metadata({k: v for k, v in (t.schema.metadata or {}).items() if k != CHECKSUM})
              for t in tables]
    try:
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # one column holds different types across points
        return pd.concat([t.to_pandas() for t in tables], ignore_index=True)


def load_results(root: Path, stale: bool = False, warn: Callable[[str], None] = warn_line) -> pd.DataFrame:
    """The sweep's rows as a DataFrame, in sweep order, with a `feasible` column (status ok and
    every constraint met). `stale`: also rows of points the folder keeps from earlier versions of
    the sweep (they stay as a cache). A corrupt part is reported (`warn`) and left out."""
    store = Store(root, warn)
    meta = store.read_meta()
    df = read_parts(root, warn)
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
