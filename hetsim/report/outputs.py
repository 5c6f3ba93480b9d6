"""Writing a results folder atomically: everything goes to a temporary sibling folder that
replaces the target only when complete, so a failed run never leaves half a result."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from hetsim.report.perfetto import chrome_trace
from hetsim.report.records import op_records, step_records


def safe_name(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", label).strip("_")


def write_results(out_dir: Path, summary: dict, runs) -> Path:
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=False))
        op_records(runs).to_parquet(tmp / "ops.parquet", index=False)
        step_records(runs).to_parquet(tmp / "steps.parquet", index=False)
        traces = tmp / "traces"
        traces.mkdir()
        for run in runs:
            (traces / f"{safe_name(run.label)}.json").write_text(json.dumps(chrome_trace(run)))
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            out_dir.rename(old)
        tmp.rename(out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
