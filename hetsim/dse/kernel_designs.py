"""Kernel-design sweeps on the sweep engine: every build of one FPGA kernel over its parameter
space (`hetsim.hardware.fpga_kernels.search.SPACES`) is a sweep point, run by the sweep's
executors (local process pool or Ray) into a results store (one part per point, so an
interrupted sweep resumes and a rerun computes nothing), then reduced to the Pareto front of
(time per token, LUT, DSP, BRAM36, URAM) over the designs that fit the 80% cap.

    SWEEP_DIR/sweep.json   the kernel, its space, workload and points (as `hetsim sweep` writes)
    SWEEP_DIR/parts/       one row per design: its parameters, time per token, resources, fit
    SWEEP_DIR/front.json   the Pareto front (rewritten by every run)

A point's key hashes the kernel, its overrides, the workload, the kernel's params.yaml, the card
the designs are figured against and hetsim's source, so a change to any of them computes the
points again. Every number is derived (cycle model, assumed resource coefficients).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from hetsim.dse.derived import canonical, sha
from hetsim.dse.point import SweepPoint, source_fingerprint
from hetsim.dse.running import Lazy, NoProgress, Progress, SweepOutcome, execute, stored
from hetsim.dse.store import Store, read_parts, warn_line
from hetsim.errors import HetsimError
from hetsim.outdir import temp_name

LABEL = "design"
FRONT = "front.json"
PROVENANCE = "derived: cycle model and assumed resource coefficients (no Vitis report)"


def default_out(kernel: str) -> Path:
    return Path("results") / "kernel_designs" / kernel


def _params_file(kernel: str) -> Path:
    from hetsim.calibration.paths import kernels_dir

    return kernels_dir() / kernel / "params.yaml"


def design_points(kernel: str, space: dict[str, tuple] | None = None) -> list[SweepPoint]:
    """One sweep point per combination of the kernel's parameter space, in space order."""
    from hetsim.hardware.fpga_kernels.card import u55c
    from hetsim.hardware.fpga_kernels.search import WORKLOADS, space_points

    params = _params_file(kernel)
    workload = dataclasses.asdict(WORKLOADS[kernel])
    card = dataclasses.asdict(u55c())
    source = source_fingerprint()
    params_sha = sha(params.read_text())
    points = []
    for overrides in space_points(kernel, space):
        config = {"kernel": kernel, "overrides": overrides, "workload": workload}
        key = sha(canonical({**config, "params_sha256": params_sha, "card": card, "source": source}))
        points.append(SweepPoint(id=key, data=config, file=str(params), values=dict(overrides), labels=(LABEL,),
                                 config=config, inputs={}, derived={}, source=source))
    return points


def evaluate_point(point: SweepPoint, catalogue: Any = None) -> list[dict]:
    """The executor task: one design's row (module level, so a pool pickles it by name)."""
    from hetsim.calibration.kernel_params import load_kernel_params
    from hetsim.hardware.fpga_kernels.search import WORKLOADS, evaluate

    kernel = point.data["kernel"]
    row = evaluate(load_kernel_params(kernel, point.data["overrides"]), WORKLOADS[kernel])
    params = row.pop("params")
    return [{"point_id": point.id, "label": LABEL, "method": kernel, "placement": "fpga", "status": "ok",
             "note": "", "params_json": json.dumps(params, sort_keys=True),
             **{f"param.{k}": v for k, v in params.items()}, **row}]


def _front_rows(root: Path, points: list[SweepPoint], warn) -> tuple[list[dict], int]:
    """The stored rows of `points`, in point order, as search rows; and how many are stored."""
    df = read_parts(root, warn)
    order = {p.id: i for i, p in enumerate(points)}
    df = df[df["point_id"].isin(order)]
    records = sorted(df.to_dict("records"), key=lambda r: order[r["point_id"]])
    rows = [{**{k: r[k] for k in ("time_per_token_us", "bram36", "uram", "dsps", "luts", "max_utilisation")},
             "params": json.loads(r["params_json"]), "fits": bool(r["fits"]), "point_id": r["point_id"]}
            for r in records]
    for row in rows:
        for k in ("bram36", "uram", "dsps", "luts"):
            row[k] = int(row[k])
    return rows, len(rows)


def _write_json(root: Path, name: str, data: dict) -> None:
    tmp = root / temp_name(name)
    try:
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, root / name)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise HetsimError(f"cannot write: {exc.strerror or exc}", file=str(root / name)) from None


def run_kernel_sweep(kernel: str, out: Path, executor, *, space: dict[str, tuple] | None = None,
                     progress: Progress | None = None, force: bool = False, warn=warn_line) -> dict[str, Any]:
    """Sweep the kernel's designs into the store at `out` on `executor` (a LocalExecutor or
    RayExecutor with task `evaluate_point`, not yet entered); return and write the front."""
    from hetsim.hardware.fpga_kernels.card import u55c
    from hetsim.hardware.fpga_kernels.designs import UTILIZATION_CAP
    from hetsim.hardware.fpga_kernels.search import OBJECTIVES, SPACES, WORKLOADS, pareto

    t0 = time.perf_counter()
    progress = progress or NoProgress()
    points = design_points(kernel, space)
    store = Store(out, warn)
    space = space or SPACES[kernel]
    with store.open(), ExitStack() as stack:
        store.write_meta({
            "name": f"kernel_designs/{kernel}", "file": str(_params_file(kernel)), "kind": "kernel-designs",
            "spec": {"kernel": kernel, "space": {k: list(v) for k, v in space.items()},
                     "workload": WORKLOADS[kernel].text, "objectives": list(OBJECTIVES), "cap": UTILIZATION_CAP},
            "base": None, "base_file": None,
            "points": [{"id": p.id, "values": p.values, "labels": list(p.labels)} for p in points],
            "invalid": [], "excluded": [],
        })
        outcome = SweepOutcome(Path(out), len(points), 0, 0)
        todo = [p for p in points if stored(store, p, force, outcome) is None]
        progress.start(len(todo), outcome.cached, str(out))
        execute(todo, Lazy(executor, stack), store, progress, outcome)
        rows, n_stored = _front_rows(store.root, points, warn)
        feasible = [r for r in rows if r["fits"]]
        card = u55c()
        result = {
            "kernel": kernel, "workload": WORKLOADS[kernel].text, "cap": UTILIZATION_CAP, "points": len(points),
            "stored": n_stored, "computed": outcome.computed, "cached": outcome.cached,
            "failed": [f"{p.values}: {why}" for p, why in outcome.failed], "feasible": len(feasible),
            "objectives": list(OBJECTIVES), "provenance": PROVENANCE,
            "pc_gb_per_s": card.pc_bw_bytes_per_s / 1e9, "hbm_efficiency": card.hbm_efficiency,
            "launch_us": card.launch_s * 1e6, "executor": outcome.executor or "none (every point stored)",
            "wall_s": round(time.perf_counter() - t0, 3), "out": str(out),
            "front": pareto(feasible),
        }
        # what this run did (wall time, executor, cached or computed) stays out of the file
        _write_json(store.root, FRONT, {k: v for k, v in result.items()
                                        if k not in ("wall_s", "executor", "computed", "cached", "out")})
    return result
