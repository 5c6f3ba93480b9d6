"""Writing a results folder atomically, and only over a folder hetsim wrote.

Everything goes to a temporary sibling (`.hetsim-tmp-PID-NAME`) that replaces the target only
when complete, so a failed or killed run never leaves half a result; temporary siblings a killed
run left behind are removed by the next write. The target must be new, empty, or a results
folder hetsim wrote whose files are all its own (`hetsim.outdir`): a user's folder is refused
with exit 2 before anything is simulated.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from hetsim.errors import HetsimError
from hetsim.outdir import check_writable, clean_stale_temps, manifest_kind, temp_name, write_manifest
from hetsim.report.perfetto import chrome_trace
from hetsim.report.records import iteration_records, op_records

KIND = "run"


def safe_name(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_")


LAYOUT_0_1 = ("summary.json", "ops.parquet", "steps.parquet")  # what hetsim 0.1 wrote, without a manifest


def _written_before_manifests(out_dir: Path) -> bool:
    """A results folder of hetsim 0.1 (before manifests): exactly its files, nothing else."""
    if not out_dir.is_dir() or manifest_kind(out_dir) is not None:
        return False
    files = {str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if not p.is_dir()}
    return set(LAYOUT_0_1) <= files and all(
        f in LAYOUT_0_1 or (f.startswith("traces/") and f.endswith(".json")) for f in files)


def check_results_dir(out_dir: Path, what: str = "--out") -> Path:
    """Refuse (exit 2) a results location hetsim may not write; nothing is created."""
    out_dir = Path(os.path.abspath(out_dir))
    if not _written_before_manifests(out_dir):
        check_writable(out_dir, KIND, what)
    return out_dir


def write_results(out_dir: Path, summary: dict, runs, what: str = "--out", extra=None) -> Path:
    """`extra(folder)`: writes more files into the folder before it is sealed (serving's)."""
    out_dir = check_results_dir(out_dir, what)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(out_dir.parent)
        tmp = out_dir.parent / temp_name(out_dir.name)
        tmp.mkdir()
    except OSError as exc:
        raise HetsimError(f"cannot write results: {exc.strerror or exc}", file=str(out_dir), field=what) from None
    try:
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=False))
        op_records(runs).to_parquet(tmp / "ops.parquet", index=False)
        iteration_records(runs).to_parquet(tmp / "iterations.parquet", index=False)
        traces = tmp / "traces"
        traces.mkdir()
        for run in runs:
            (traces / f"{safe_name(run.label)}.json").write_text(json.dumps(chrome_trace(run)))
        if extra is not None:
            extra(tmp)
        files = [str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file()]
        write_manifest(tmp, KIND, files)
        old = None
        if out_dir.exists():
            old = out_dir.parent / temp_name(out_dir.name + ".old")
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise HetsimError(f"cannot write results: {exc.strerror or exc}; nothing was written", file=str(out_dir),
                          field=what) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
