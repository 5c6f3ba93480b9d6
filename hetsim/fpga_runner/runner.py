"""FPGA calibration: sweep problem sizes on a backend, check every output against the numpy
reference, fit the cycle model's clock/efficiency and invocation overhead, write a profile.

    run_fpga_calibration("inner_product_topk", "pyxrt", Path("ipt.xclbin"), None,
                         [1024, 16384, 65536], Path("calibration/profiles/u55c_ipt.yaml"))

The profile (YAML) holds the fitted parameters with their provenance; the raw measurements
sit beside it in a Parquet file of the same name. A csim profile says `source: csim`,
`measured: false`: its times are the host CPU's and `hetsim.calibration.device_inputs` never
hands it to the FPGA model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shlex
import sys
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.errors import HetsimError
from hetsim.fpga_runner.backends import CsimBackend, FpgaUnavailable, XrtBackend
from hetsim.fpga_runner.kernels import ST, adapter_for
from hetsim.hardware.fpga_kernels.card import u55c
from hetsim.hardware.fpga_kernels.cycles import job_cycles
from hetsim.hardware.fpga_kernels.designs import design_shape
from hetsim.hardware.fpga_kernels.params import KernelParams

__all__ = ["FpgaUnavailable", "KernelMismatch", "fit_linear", "run_fpga_calibration"]

EMPTY_N = 1  # the smallest problem: its time is launch + fill/drain, the "launch" baseline


class KernelMismatch(HetsimError):
    """The kernel's top-k differs from the numpy reference."""


def fit_linear(cycles: np.ndarray, seconds: np.ndarray) -> tuple[float, float, float]:
    """Least squares seconds = overhead + cycles / f: returns (overhead_s, f_hz, r2). An
    overhead cannot be negative: if the free fit says so, refit through the origin."""
    a = np.column_stack([np.ones_like(cycles), cycles])
    (overhead, per_cycle), *_ = np.linalg.lstsq(a, seconds, rcond=None)
    if overhead < 0:
        overhead, per_cycle = 0.0, float(cycles @ seconds / (cycles @ cycles))
    pred = a @ np.array([overhead, per_cycle])
    ss_tot = float(((seconds - seconds.mean()) ** 2).sum())
    r2 = 1.0 - float(((seconds - pred) ** 2).sum()) / ss_tot if ss_tot > 0 else 1.0
    f_hz = 1.0 / per_cycle if per_cycle > 0 else float("inf")
    return float(overhead), float(f_hz), r2


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _measure(backend: Any, adapter: Any, kp: KernelParams, n: int, k: int, repeats: int,
             rng: np.random.Generator) -> list[dict]:
    pb = adapter.random_problem(n, k, rng)
    backend.prepare(pb)
    want = adapter.reference(pb)
    rows = []
    for rep in range(repeats + 1):  # the first run warms caches and is not kept
        result, elapsed_ns = backend.run(pb)
        if not result.topk.equals(want):
            bad = int(np.argmax((result.topk.idx != want.idx) | (result.topk.score != want.score)))
            raise KernelMismatch(
                f"{kp.kernel} n={n} k={k}: slot {bad} is (index {result.topk.idx[bad]}, score "
                f"{result.topk.score[bad]}), the numpy reference says (index {want.idx[bad]}, score "
                f"{want.score[bad]})", field=backend.source)
        if rep == 0:
            continue
        st = result.stats
        card = u55c()  # predicted cycles at the catalogue card's HBM figures
        cyc = job_cycles(design_shape(kp), n, k, pc_bw_bytes_per_s=card.pc_bw_bytes_per_s,
                         hbm_efficiency=card.hbm_efficiency, levels=int(st[ST["levels"]]))
        rows.append({
            "kernel": kp.kernel, "backend": backend.source, "n": n, "k": k, "repeat": rep,
            "t_incl_s": elapsed_ns * 1e-9, "predicted_cycles": cyc.total, "bound": cyc.bound,
            "items_bram": int(st[ST["bram"]]), "items_uram": int(st[ST["uram"]]),
            "items_hbm": int(st[ST["hbm"]]), "topk_survivors": int(st[ST["survivors"]]),
            "topk_merged": int(st[ST["merged"]]), "power_w": backend.power_w(), "correct": True,
        })
    return rows


def run_fpga_calibration(
    kernel: str,
    backend: Literal["pyxrt", "csim"],
    xclbin: Path | None,
    device_bdf: str | None,
    sizes: list[int],
    out: Path,
    *,
    k: int = 64,
    repeats: int = 5,
    seed: int = 0,
    device_name: str = "U55C",
    params_overrides: dict[str, Any] | None = None,
    command: str | None = None,
) -> dict:
    """Calibrate one kernel; write `out` (profile YAML) and `out.with_suffix('.parquet')`.

    Raises FpgaUnavailable (pyxrt missing, no card, no xclbin), KernelMismatch (wrong output),
    ValueError (bad arguments). `params_overrides` builds a smaller C-simulation of the same
    source (csim only: a bitstream fixes its parameters)."""
    import pandas as pd  # only a calibration run writes Parquet; `hetsim calibrate fpga --help` stays fast

    if backend not in ("pyxrt", "csim"):
        raise ValueError(f"backend must be 'pyxrt' or 'csim', got {backend!r}")
    if backend == "pyxrt" and params_overrides:
        raise ValueError("params_overrides apply to C-simulation builds only; the xclbin fixes the design")
    if not sizes or min(sizes) < 1:
        raise ValueError(f"sizes must be positive problem sizes, got {sizes!r}")
    kp = load_kernel_params(kernel, params_overrides)
    adapter = adapter_for(kp)
    adapter.check_k(k)
    be = CsimBackend(adapter) if backend == "csim" else XrtBackend(adapter, xclbin, device_bdf)
    rng = np.random.default_rng(seed)

    rows = _measure(be, adapter, kp, EMPTY_N, k, repeats, rng)
    for n in sorted(set(sizes)):
        rows += _measure(be, adapter, kp, n, k, repeats, rng)
    raw = pd.DataFrame(rows)
    empty_s = float(raw.loc[raw.n == EMPTY_N, "t_incl_s"].median())
    raw["t_excl_s"] = raw["t_incl_s"] - empty_s  # launch (and fill/drain) of the empty run removed

    per_size = raw.groupby("n").agg(t=("t_incl_s", "median"), c=("predicted_cycles", "median"))
    overhead_s, f_hz, r2 = fit_linear(per_size.c.to_numpy(float), per_size.t.to_numpy(float))
    nominal_hz = float(kp["clock_mhz"]) * 1e6
    efficiency = min(1.0, f_hz / nominal_hz)
    measured = be.source == "measured"
    grade = "calibrated" if measured else "csim"
    ref = f"least squares t = overhead + cycles / f over n = {sorted(set(sizes))}, r2 = {r2:.3f}"

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    raw_path = out.with_suffix(".parquet")
    raw.to_parquet(raw_path, index=False)
    powers = raw["power_w"].dropna()
    profile = {
        "kind": "fpga-profile",
        "device": device_name,
        "measured": measured,
        "provenance": {
            "source": be.source,
            "backend": backend,
            **be.describe(),
            "xclbin_sha256": _sha256(xclbin) if measured and xclbin else None,
            "params": str(kp.path), "params_sha256": _sha256(kp.path),
            "params_overrides": dict(kp.overrides) or None,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": command or shlex.join(sys.argv),
            **({} if measured else {"note": "C-simulation wall clock on the host CPU: exercises the runner; "
                                             "not a measurement of any FPGA"}),
        },
        "kernels": {
            kernel: {
                "clock_mhz": {"value": round(min(f_hz, nominal_hz) / 1e6, 3), "source": grade, "ref": ref},
                "effective_clock_mhz": {"value": round(f_hz / 1e6, 6), "source": grade, "ref": ref},
                "efficiency": {"value": round(efficiency, 6), "source": grade,
                               "ref": f"effective clock / params clock_mhz ({kp['clock_mhz']} MHz), capped at 1"},
                "invocation_overhead_us": {"value": round(overhead_s * 1e6, 3), "source": grade, "ref": ref},
                "empty_run_us": {"value": round(empty_s * 1e6, 3), "source": "measured" if measured else "csim",
                                 "ref": f"median launch-included time at n = {EMPTY_N}"},
                "board_power_w": ({"value": round(float(powers.median()), 3), "source": "measured",
                                   "ref": "XRT electrical info, median over runs"} if len(powers) else None),
                "fit": {"r2": round(r2, 6), "sizes": sorted(set(sizes)), "repeats": repeats, "k": k},
            }
        },
        "raw": raw_path.name,
    }
    out.write_text(yaml.safe_dump(profile, sort_keys=False))
    return profile
