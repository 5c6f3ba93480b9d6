"""The GPU calibration suite: measure the primitive ops on this machine's torch device, fit the
device model, write a profile.

    python -m hetsim.calibration.gpu_suite --out calibration/profiles/H100-SXM.yaml --device-name H100-SXM
    hetsim calibrate gpu --out calibration/profiles/H100-SXM.yaml        (the same, via the CLI)

Steps: idle board power; then, in rounds, a shuffled share of the size sweeps
(`hetsim.calibration.sweeps`, each point timed in eager streams and as CUDA-graph replays by
`hetsim.calibration.measure`), a few random mixes of small sweep ops (the host mix factor) and
one pass over the validation composites (a cases file, by default
calibration/cases/validation.yaml), each whole and op by op; board power over >= 1 s loops of
one representative point per rate key; the fit (`hetsim.calibration.fit`). Writes NAME.yaml
(the profile), NAME.parquet (every measurement) and NAME.validation.yaml (the composites with
what was measured), all beside each other.

Runs where only torch, numpy, pandas and PyYAML are installed: nothing here imports pydantic
or simpy (the profile is loaded with pydantic later, where hetsim runs). `--refit PROFILE`
fits again from the Parquet beside a profile, with no device, keeping its provenance.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from hetsim.calibration import sweeps
from hetsim.calibration.cases import Case, CaseOp, load_cases, write_cases
from hetsim.calibration.fit import FitResult, Point, fit_host_mix, fit_key
from hetsim.errors import ConfigError, HardwareUnavailable
from hetsim.hardware.gpu import op_device_s, rate_keys, stream_time_s, wave_shape
from hetsim.ops import Op, op_from_dict

SUITE_VERSION = "4"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CASES = REPO_ROOT / "calibration" / "cases" / "validation.yaml"
MODEL_TEXT = ("device_s = overhead_s + roof(flops / flop_rate, bytes / bw_bytes_per_s; roof_p) "
              "[+ ceil(rows / wave_slots) * (wave_s + item_s * row length)]; "
              "op in an eager stream: max(dispatch_s, device_s + eager_gap_s); "
              "ops back to back: max(host.mix_factor * sum dispatch_s, sum (device_s + eager_gap_s)); "
              "CUDA graph: sum device_s (hetsim.hardware.gpu)")
MODES = {  # timer settings and time budget per mode
    "full": dict(reps=21, point_s=0.15, loop_s=2e-3, budget_s=480.0, reserve_s=60.0, power_s=1.5, idle_s=2.0,
                 rounds=6, mixes=12),
    "quick": dict(reps=7, point_s=0.05, loop_s=1e-3, budget_s=150.0, reserve_s=30.0, power_s=1.0, idle_s=1.0,
                  rounds=2, mixes=4),
    "tiny": dict(reps=5, point_s=0.005, loop_s=2e-4, budget_s=60.0, reserve_s=10.0, power_s=0.0, idle_s=0.0,
                 rounds=2, mixes=2),
}
PROFILE_HEADER = """\
# GPU calibration profile written by hetsim.calibration.gpu_suite (hetsim calibrate gpu).
# Rates per rate key, fitted from the measurements in `raw`; `validation` holds composites
# measured in the same run and never used in the fit (hetsim validate --profile THIS_FILE).
"""


def catalogue_name(torch_name: str) -> str:
    """The catalogue device a torch device name most likely is (override with --device-name)."""
    n = torch_name.upper()
    if "H200" in n:
        return "H200"
    if "H100" in n:
        return "H100-SXM" if ("HBM3" in n or "SXM" in n) else "H100-PCIe"
    if "A100" in n:
        return "A100-80GB-SXM" if "80GB" in n else "A100-40GB-PCIe"
    if "MI210" in n:
        return "MI210"
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in torch_name.strip()) or "gpu"


def _git_commit() -> str | None:
    """The checkout's commit, where the suite runs from one (a copied tree has none)."""
    try:
        out = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=5)
    except Exception:
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and len(sha) == 40 else None


class Suite:
    """One calibration run on one torch device: `run()` measures, fits and writes the files."""

    def __init__(self, out: Path, device_name: str | None, torch_device: str, mode: str,
                 cases_path: Path | None, command: str, log=print, seed: int = 0):
        import torch

        from hetsim.calibration.measure import PowerMeter, Timer

        if mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.torch = torch
        self.mode, self.cfg, self.log = mode, MODES[mode], log
        self.out = Path(out)
        if self.out.suffix not in (".yaml", ".yml"):
            raise ConfigError("--out must name the profile's .yaml file (raw data and validation go beside it)",
                              file=str(out))
        if torch_device == "cuda" and not torch.cuda.is_available():
            raise HardwareUnavailable("no CUDA or ROCm GPU visible to torch (torch.cuda.is_available() is False); "
                                      "run on a GPU machine, or pass --torch-device cpu to exercise the suite on CPU")
        self.device = torch.device(torch_device if torch_device != "cuda" else "cuda:0")
        torch.manual_seed(seed)
        if torch_device == "cpu":
            torch.set_num_threads(1)  # CPU runs only test the suite: keep them steady on busy machines
        self.timer = Timer(self.device, loop_s=self.cfg["loop_s"], point_s=self.cfg["point_s"], reps=self.cfg["reps"])
        self.power = PowerMeter(self.device)
        self.cases_path = cases_path
        self.command = command
        self.t0 = time.perf_counter()
        if self.device.type == "cuda":
            props = torch.cuda.get_device_properties(self.device)
            self.gpu_name = torch.cuda.get_device_name(self.device)
            self.l2_bytes = int(getattr(props, "L2_cache_size", 0) or (50 << 20))
            self.hw = {"sm_count": props.multi_processor_count, "l2_bytes": self.l2_bytes,
                       "memory_bytes": int(props.total_memory)}
            self.wave_slots = float(props.multi_processor_count)
        else:
            self.gpu_name = f"CPU ({platform.processor() or platform.machine()})"
            self.l2_bytes = 0  # no input rotation on CPU: the suite runs there only to be tested
            self.hw = {"threads": torch.get_num_threads()}
            self.wave_slots = float(torch.get_num_threads())
        self.device_name = device_name or catalogue_name(self.gpu_name)
        self.rows: list[dict[str, Any]] = []
        self.idle_w: float | None = None

    # -- helpers -----------------------------------------------------------------------
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def _free(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize(self.device)
            self.torch.cuda.empty_cache()

    def _row(self, phase: str, op: Op | None, sample=None, case: str = "", **extra) -> dict[str, Any]:
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
        row.update(self.power.state())
        self.rows.append(row)
        return row

    def _measure_op(self, phase: str, op: Op, case: str = "", runner=None, graph: bool = True,
                    **extra) -> dict[str, Any]:
        from hetsim.calibration.torch_ops import build

        try:
            r = runner or build(op, self.device, self.l2_bytes)
            sample = self.timer.measure(r, r.n_sets, graph=graph)
            return self._row(phase, op, sample, case, n_sets=r.n_sets, set_bytes=r.set_bytes, error="", **extra)
        except Exception as exc:  # one op failing must not lose the run: record it and go on
            from hetsim.calibration.measure import recover_from_capture

            if self.device.type == "cuda":
                recover_from_capture(self.device)
            return self._row(phase, op, None, case, error=f"{type(exc).__name__}: {exc}"[:400], **extra)

    # -- phases ------------------------------------------------------------------------
    def measure_idle(self) -> None:
        if not self.power.available or not self.cfg["idle_s"]:
            return
        self._free()
        time.sleep(0.5)
        reading = self.power.average_w(lambda: time.sleep(self.cfg["idle_s"]))
        self.idle_w = reading.get("avg_w")
        self._row("idle", None, **{f"power_{k}": v for k, v in reading.items()})
        self.log(f"idle board power {self.idle_w:.1f} W ({self.power.method})" if self.idle_w else "idle: no reading")

    def run_sweep_chunk(self, ops: list[Op], stop_at: float) -> None:
        from collections import Counter

        t0 = time.perf_counter()
        for i, op in enumerate(ops):
            if self.elapsed() > stop_at:
                self.log(f"  time budget reached: {len(ops) - i} sweep points of this round skipped")
                for rest in ops[i:]:
                    self._row("sweep", rest, error="skipped: time budget")
                break
            row = self._measure_op("sweep", op)
            if not _ok(row):
                self.log(f"  ! {op.to_dict()}: {row['error']}")
            if i % 16 == 15:
                self._free()
        self._free()
        keys = Counter(rate_keys(op)[0] for op in ops)
        self.log(f"  sweep: {len(ops)} points ({', '.join(f'{k} {n}' for k, n in sorted(keys.items()))}) "
                 f"in {time.perf_counter() - t0:.1f} s")

    def composite_round(self, rnd: int, cases: list[Case], order: list[int]) -> None:
        """Every validation case whole and op by op. Device times repeat to 1-2 %, so CUDA
        graphs are timed in round 0 only; host times do not, hence the rounds."""
        from hetsim.calibration.torch_ops import build_sequence

        graph = rnd == 0
        for i in order:
            case = cases[i]
            ops = case.plain_ops
            try:
                seq = build_sequence(ops, self.device, self.l2_bytes)
                sets = max(r.n_sets for r in seq.runners)
                whole = self.timer.measure(seq, sets, graph=graph)
                self._row("composite", None, whole, case.name, n_ops=len(ops), round=rnd)
                for op, r in zip(ops, seq.runners, strict=True):
                    self._measure_op("composite_op", op, case.name, runner=r, graph=graph, round=rnd)
                del seq
            except Exception as exc:
                self._row("composite", None, None, case.name, error=f"{type(exc).__name__}: {exc}"[:400], round=rnd)
                self.log(f"  ! composite {case.name}: {exc}")
            finally:
                self._free()

    def finish_composites(self, cases: list[Case]) -> list[Case]:
        """Per case and per op, the median over rounds of each round's median."""
        measured: list[Case] = []
        for case in cases:
            whole = [r for r in self.rows if r["phase"] == "composite" and r["case"] == case.name
                     and _ok(r)]
            if not whole:
                continue
            per_op: list[list[dict]] = [[] for _ in case.ops]
            for rnd in {r["round"] for r in whole}:
                got = [r for r in self.rows if r["phase"] == "composite_op" and r["case"] == case.name
                       and r.get("round") == rnd]
                if len(got) == len(case.ops):
                    for i, r in enumerate(got):
                        per_op[i].append(r)
            t = _median([r.get("t_s") for r in whole])
            g = _median([r.get("graph_s") for r in whole])
            out_ops = [CaseOp(op, _pos(_median([r.get("t_s") for r in rs])),
                              _pos(_median([r.get("graph_s") for r in rs])))
                       for op, rs in zip(case.plain_ops, per_op, strict=True)]
            measured.append(Case(case.name, out_ops, case.description, _pos(t), _pos(g), dict(case.extra)))
            rounds = ", ".join(f"{_num(r.get('t_s')) * 1e6:.0f}" for r in whole)
            self.log(f"  composite {case.name}: {t * 1e6:.1f} us eager, {g * 1e6:.1f} us graph "
                     f"(rounds: {rounds} us)")
        return measured

    def run_mixes(self, first: int, count: int) -> None:
        """Random sequences of small sweep ops, whole and op by op: how much more the host pays
        to issue different ops in turn than one op repeatedly (the host mix factor)."""
        from hetsim.calibration.torch_ops import build_sequence

        pool = [r for r in self.rows if r["phase"] == "sweep" and _ok(r)
                and np.isfinite(_num(r.get("t_s"))) and _num(r.get("t_s")) < 40e-6
                and not r["key"].startswith("copy_")]
        if len(pool) < 4:
            return
        rng = np.random.default_rng(first + 1)
        for i in range(first, first + count):
            pick = rng.choice(len(pool), size=min(12, len(pool)), replace=False)
            ops = [op_from_dict(json.loads(pool[j]["op"])) for j in pick]
            try:
                seq = build_sequence(ops, self.device, self.l2_bytes)
                self._row("mix", None, self.timer.measure(seq, 1, graph=False), f"mix{i}", n_ops=len(ops))
                for op, r in zip(ops, seq.runners, strict=True):
                    self._row("mix_op", op, self.timer.measure(r, 1, graph=False), f"mix{i}")
                del seq
            except Exception as exc:
                self._row("mix", None, None, f"mix{i}", error=f"{type(exc).__name__}: {exc}"[:400])
            finally:
                self._free()

    def run_rounds(self) -> list[Case]:
        """The sweep in shuffled order, cut into rounds; after each cut, a few mixes and one
        round of the validation composites. The host's speed drifts by 20-30 % over seconds on
        shared machines: interleaving makes the fitted host costs and the composites sample the
        same spells, and shuffling keeps any one rate key from sitting in a fast or slow one."""
        ops = sweeps.sweep(self.mode)
        order = np.random.default_rng(0).permutation(len(ops))
        rounds = max(1, self.cfg["rounds"])
        chunks = [[ops[j] for j in part] for part in np.array_split(order, rounds)]
        cases = []
        if self.cases_path is not None and Path(self.cases_path).is_file():
            cases = load_cases(Path(self.cases_path)).cases
        else:
            self.log(f"no validation cases file ({self.cases_path}): composites skipped")
        stop_at = self.cfg["budget_s"] - self.cfg["reserve_s"]
        self.log(f"{len(ops)} sweep points and {len(cases)} composites in {rounds} rounds ({self.mode})")
        case_order = list(range(len(cases)))
        rng = np.random.default_rng(2)
        per_round = -(-self.cfg["mixes"] // rounds)
        for rnd, chunk in enumerate(chunks):
            self.log(f"[{self.elapsed():.0f} s] round {rnd}")
            self.run_sweep_chunk(chunk, stop_at)
            self.run_mixes(rnd * per_round, min(per_round, self.cfg["mixes"] - rnd * per_round))
            self.composite_round(rnd, cases, case_order)
            rng.shuffle(case_order)
            write_raw(self.rows, self.out)  # checkpoint: what is measured survives a later failure
        factor, detail = host_mix_from_rows(self.rows)
        ratios = ", ".join(f"{d['ratio']:.2f}" for d in detail)
        self.log(f"host mix factor {factor:.3f} from {len(detail)} mixes ({ratios})")
        return self.finish_composites(cases)

    def run_power(self) -> dict[str, dict]:
        """Board power over a >= 1 s loop of each key's longest sweep point (device-bound)."""
        from hetsim.calibration.measure import loop_for
        from hetsim.calibration.torch_ops import build

        out: dict[str, dict] = {}
        if not self.power.available or not self.cfg["power_s"]:
            return out
        # per key the point that keeps the GPU busiest (bytes + FLOPs per second), among those
        # long enough that the host does not leave gaps; the longest one where none is
        best: dict[str, dict] = {}

        def score(row) -> tuple:
            t = _num(row.get("t_s"))
            return (t >= 50e-6, (row["bytes"] + row["flops"]) / t if t >= 50e-6 else t)

        for row in self.rows:
            if row["phase"] == "sweep" and _ok(row) and np.isfinite(_num(row.get("t_s"))):
                if row["key"] not in best or score(row) > score(best[row["key"]]):
                    best[row["key"]] = row
        for key, row in sorted(best.items()):
            op = op_from_dict(json.loads(row["op"]))
            try:
                r = build(op, self.device, self.l2_bytes)
                per_call = row["t_s"]
                loop_for(r, 0.3, per_call, self.timer.sync)  # reach steady clocks and power first
                reading = self.power.average_w(lambda r=r, per_call=per_call: loop_for(
                    r, self.cfg["power_s"], per_call, self.timer.sync)[1])
                del r
            except Exception as exc:
                self.log(f"  ! power {key}: {exc}")
                continue
            finally:
                self._free()
            self._row("power", op, None, **{f"power_{k}": v for k, v in reading.items()})
            if reading.get("avg_w") is not None:
                out[key] = {"avg_w": reading["avg_w"], "op": json.loads(row["op"]), "window_s": reading["window_s"]}
                self.log(f"  power {key}: {reading['avg_w']:.0f} W over {reading['window_s']:.1f} s")
        return out

    # -- outputs -----------------------------------------------------------------------
    def provenance(self) -> dict[str, Any]:
        torch = self.torch
        prov: dict[str, Any] = {
            "gpu": self.gpu_name,
            "vendor": ("amd" if getattr(torch.version, "hip", None)
                       else "nvidia" if self.device.type == "cuda" else "cpu"),
            "torch": torch.__version__,
            "cuda": torch.version.cuda,
            "hip": getattr(torch.version, "hip", None),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "host": platform.node(),
            "os": platform.platform(),
            "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "command": self.command,
            "suite_version": SUITE_VERSION,
            "mode": self.mode,
            "git_commit": _git_commit(),
            "timer": self.timer.kind,
            "duration_s": round(self.elapsed(), 1),
            **self.hw,
        }
        if self.device.type == "cuda":
            try:
                prov["cudnn"] = torch.backends.cudnn.version()
                prov["torch_settings"] = {
                    "matmul_allow_tf32": bool(torch.backends.cuda.matmul.allow_tf32),
                    "float32_matmul_precision": torch.get_float32_matmul_precision(),
                    "sdp_flash": bool(torch.backends.cuda.flash_sdp_enabled()),
                    "sdp_mem_efficient": bool(torch.backends.cuda.mem_efficient_sdp_enabled()),
                    "sdp_cudnn": bool(torch.backends.cuda.cudnn_sdp_enabled()),
                }
            except Exception:
                pass
        prov.update({k: v for k, v in self.power.info.items() if v is not None})
        return prov

    def run(self) -> dict[str, Path]:
        self.log(f"hetsim GPU calibration: {self.gpu_name} as {self.device_name}, torch {self.torch.__version__}, "
                 f"mode {self.mode}, power: {self.power.method} {self.power.note}")
        self.measure_idle()
        measured = self.run_rounds()
        self.log(f"[{self.elapsed():.0f} s] power")
        power = self.run_power()
        raw_path = write_raw(self.rows, self.out)
        fits = fit_rows(self.rows, separate_host=self.timer.kind == "cuda-events", wave_slots=self.wave_slots)
        host_mix, mixes = host_mix_from_rows(self.rows)
        profile = build_profile(self.device_name, self.provenance(), fits, power, self.idle_w, self.power,
                                raw_path.name, None, host_mix, mixes)
        paths = {"raw": raw_path}
        if measured:
            vpath = self.out.with_name(self.out.stem + ".validation.yaml")
            meta = {"device": self.device_name, "gpu": self.gpu_name,
                    "measured": "eager stream (measured_s) and CUDA-graph replay (measured_graph_s): "
                                "median over rounds of each round's median",
                    "provenance": {k: str(profile["provenance"][k]) for k in ("gpu", "torch", "date", "command")}}
            write_cases(vpath, measured, meta,
                        header="# Validation composites measured by the calibration run (not used in the fit).")
            profile["validation"] = vpath.name
            paths["validation"] = vpath
        paths["profile"] = write_profile(self.out, profile)
        self.log(format_fits(fits))
        if measured:
            self.log(format_validation(fits, measured, host_mix))
        self.log(f"wrote {', '.join(str(p) for p in paths.values())} in {self.elapsed():.0f} s")
        return paths


def _ok(row: dict) -> bool:
    """A measured row: no error text (rows read back from Parquet carry NaN for none)."""
    err = row.get("error")
    return not (isinstance(err, str) and err)


def _median(xs) -> float:
    xs = [float(x) for x in xs if x is not None and np.isfinite(_num(x))]
    return float(np.median(xs)) if xs else math.nan


def _pos(x) -> float | None:
    return float(x) if x is not None and np.isfinite(x) and x > 0 else None


def write_raw(rows: list[dict], out: Path) -> Path:
    import pandas as pd

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
    import pandas as pd

    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path, keep_default_na=False,
                                                                               na_values=[""])


WAVE_KEYS = ("topk_singleblock",)  # one block per row: fitted in waves of SM-count rows


def fit_rows(rows, separate_host: bool, wave_slots: float = 0.0) -> dict[str, FitResult]:
    """Fit every rate key from the sweep rows (composites are never used). Matrix-unit keys are
    fitted in one dtype (bf16 where measured); other dtypes scale by the spec's peaks.
    `wave_slots`: rows one wave runs at once (the GPU's SM count) for the WAVE_KEYS."""
    by_key: dict[str, dict[str, list[Point]]] = {}
    for row in rows:
        if row.get("phase") != "sweep" or not _ok(row) or not np.isfinite(_num(row.get("t_s"))):
            continue
        op = op_from_dict(json.loads(row["op"]))
        dtype = getattr(op, "dtype", "") if op.uses_matrix_units else ""
        # the key from the op, not the stored one: a refit follows the current rate keys
        by_key.setdefault(rate_keys(op)[0], {}).setdefault(dtype, []).append(
            Point(op.flops, op.bytes, _num(row["t_s"]), _num(row.get("cpu_s")), _num(row.get("graph_s")),
                  *wave_shape(op)))
    fits = {}
    for key, by_dtype in sorted(by_key.items()):
        dtype = "bf16" if "bf16" in by_dtype else max(by_dtype, key=lambda d: len(by_dtype[d]))
        slots = wave_slots if (key in WAVE_KEYS and wave_slots) else 0.0
        try:
            fits[key] = fit_key(key, by_dtype[dtype], separate_host, dtype or None, wave_slots=slots)
        except Exception as exc:  # a key that cannot be fitted keeps the datasheet model, noted
            print(f"  ! fit {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
    return fits


def host_mix_from_rows(rows) -> tuple[float, list[dict]]:
    """The host mix factor from the `mix` rows: each mix's host time against its ops' own."""
    mixes, parts = {}, {}
    for row in rows:
        if row.get("phase") == "mix" and _ok(row):
            mixes[row["case"]] = _num(row.get("cpu_s"))
        elif row.get("phase") == "mix_op" and _ok(row):
            parts[row["case"]] = parts.get(row["case"], 0.0) + _num(row.get("cpu_s"))
    names = sorted(n for n in mixes if n in parts)
    detail = [{"mix": n, "host_s": mixes[n], "ops_host_s": parts[n], "ratio": mixes[n] / parts[n]}
              for n in names if parts[n] > 0]
    return fit_host_mix([mixes[n] for n in names], [parts[n] for n in names]), detail


def _num(x) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def build_profile(device: str, provenance: dict, fits: dict[str, FitResult], power: dict[str, dict],
                  idle_w: float | None, meter, raw_name: str, validation: str | None,
                  host_mix: float = 1.0, mixes: list[dict] | None = None) -> dict[str, Any]:
    classes = {}
    for key, f in fits.items():
        r = f.rates
        entry: dict[str, Any] = {"overhead_s": r.overhead_s, "dispatch_s": r.dispatch_s,
                                 "bw_bytes_per_s": r.bw_bytes_per_s, "flop_rate": r.flop_rate, "roof_p": r.roof_p,
                                 "eager_gap_s": r.eager_gap_s}
        if r.wave_slots:
            entry.update(wave_slots=r.wave_slots, wave_s=r.wave_s, item_s=r.item_s)
        if r.dtype:
            entry["dtype"] = r.dtype
        if key in power and idle_w is not None:
            entry["active_w"] = max(power[key]["avg_w"] - idle_w, 0.0)
            entry["power_point"] = {"avg_w": power[key]["avg_w"], "window_s": power[key]["window_s"],
                                    "op": power[key]["op"]}
        entry["fit"] = f.as_dict()
        classes[key] = entry
    host_link = {}
    for direction in ("h2d", "d2h"):
        f = fits.get(f"copy_{direction}")
        if f is not None:
            host_link[direction] = {"latency_s": f.rates.overhead_s, "bw_bytes_per_s": f.rates.bw_bytes_per_s,
                                    "dispatch_s": f.rates.dispatch_s}
    profile: dict[str, Any] = {
        "kind": "gpu-profile",
        "format": 2,
        "device": device,
        "provenance": provenance,
        "model": MODEL_TEXT,
        "op_classes": classes,
        "host_link": host_link,
        "host": {"mix_factor": host_mix, "mixes": mixes or [],
                 "note": "host issue time of mixed op sequences over the sum of their ops issued alone; "
                         "scales the host stage of a stream (hetsim.hardware.gpu.stream_time_s)"},
        "power": {"method": meter.method if meter is not None else "none", "idle_w": idle_w,
                  "note": (meter.note if meter is not None else "") or
                          "board energy counter over >= 1 s loops; active_w = loop average - idle_w"},
        "raw": raw_name,
    }
    if validation:
        profile["validation"] = validation
    return _plain(profile)


def _plain(x):
    """numpy scalars -> Python, so the YAML stays plain."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, str):
        return str(x)  # e.g. torch's TorchVersion, a str subclass YAML cannot represent
    return x


def write_profile(path: Path, profile: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PROFILE_HEADER + yaml.safe_dump(profile, sort_keys=False, width=120))
    return path


def format_fits(fits: dict[str, FitResult]) -> str:
    lines = [f"{'key':18} {'pts':>4} {'dispatch':>9} {'overhead':>9} {'GB/s':>8} {'TFLOP/s':>8} {'p':>4} "
             f"{'med|e|':>7} {'max|e|':>7}"]
    for key, f in fits.items():
        r = f.rates
        tf = f"{r.flop_rate / 1e12:8.1f}" if math.isfinite(r.flop_rate) else f"{'-':>8}"
        p = f"{r.roof_p:4.0f}" if math.isfinite(r.roof_p) else f"{'inf':>4}"
        lines.append(f"{key:18} {f.points:4d} {r.dispatch_s * 1e6:7.2f}us {r.overhead_s * 1e6:7.2f}us "
                     f"{r.bw_bytes_per_s / 1e9:8.1f} {tf} {p} {f.median_abs_err:7.1%} {f.max_abs_err:7.1%}")
    return "\n".join(lines)


def format_validation(fits: dict[str, FitResult], cases: list[Case], host_mix: float = 1.0) -> str:
    """Predicted vs measured composites with the fresh fit, for the run's log (bf16 ops only;
    `hetsim validate` is the full check, with the catalogue's dtype scaling and fallbacks)."""
    rates = {k: f.rates for k, f in fits.items()}

    def rates_for(op: Op):
        key = next((k for k in rate_keys(op) if k in rates), None)
        if key is None:
            raise KeyError(op.op_class)
        return rates[key]

    lines, errs = [f"{'case':28} {'predicted us':>13} {'measured us':>12} {'error':>8} {'graph err':>9}"], []
    for c in cases:
        try:
            pred = stream_time_s(c.plain_ops, rates_for, host_mix)
            dev = sum(op_device_s(rates_for(op), op) for op in c.plain_ops)
        except KeyError as exc:
            lines.append(f"{c.name:28} no fitted rates for {exc}")
            continue
        e = pred / c.measured_s - 1 if c.measured_s else math.nan
        ge = dev / c.measured_graph_s - 1 if c.measured_graph_s else math.nan
        errs.append(abs(e))
        lines.append(f"{c.name:28} {pred * 1e6:13.1f} {(c.measured_s or math.nan) * 1e6:12.1f} {e:+8.1%} {ge:+9.1%}")
    if errs:
        lines.append(f"median |error| {np.nanmedian(errs):.1%}, max |error| {np.nanmax(errs):.1%}")
    return "\n".join(lines)


def refit(profile_path: Path, log=print) -> Path:
    """Fit again from the raw measurements beside a profile (no device needed)."""
    profile_path = Path(profile_path)
    old = yaml.safe_load(profile_path.read_text())
    raw = profile_path.parent / old["raw"]
    rows = read_raw(raw).to_dict("records")
    separate = old.get("provenance", {}).get("timer") == "cuda-events"
    slots = float(old.get("provenance", {}).get("sm_count") or old.get("provenance", {}).get("threads") or 0)
    fits = fit_rows(rows, separate, slots)
    host_mix, mixes = host_mix_from_rows(rows)
    power_rows = [r for r in rows if r.get("phase") == "power" and np.isfinite(_num(r.get("power_avg_w")))]
    power = {rate_keys(op_from_dict(json.loads(r["op"])))[0]: {
        "avg_w": _num(r["power_avg_w"]), "window_s": _num(r.get("power_window_s")), "op": json.loads(r["op"])}
        for r in power_rows}
    idle = (old.get("power") or {}).get("idle_w")

    class _Meter:
        method = (old.get("power") or {}).get("method", "none")
        note = (old.get("power") or {}).get("note", "")

    prov = dict(old["provenance"])
    if not (isinstance(prov.get("git_commit"), str) and len(prov["git_commit"]) == 40):
        prov["git_commit"] = None  # suite version 3 wrote git's error text where the tree had no .git
    prov["refit"] = {"date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                     "suite_version": SUITE_VERSION, "from": old["raw"],
                     "command": "python -m hetsim.calibration.gpu_suite --refit " + shlex.quote(str(profile_path))}
    profile = build_profile(old["device"], prov, fits, power, idle, _Meter, old["raw"], old.get("validation"),
                            host_mix, mixes)
    write_profile(profile_path, profile)
    log(format_fits(fits))
    vpath = profile_path.parent / old["validation"] if old.get("validation") else None
    if vpath is not None and vpath.is_file():
        log(format_validation(fits, load_cases(vpath).cases, host_mix))
    return profile_path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite", description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="profile YAML to write (raw data and validation go beside it)")
    ap.add_argument("--device-name", help="catalogue device this GPU is (default: guessed from its name)")
    ap.add_argument("--quick", action="store_true", help="a third of the sweep, fewer repetitions (smoke run)")
    ap.add_argument("--mode", choices=sorted(MODES), help="full (default), quick or tiny (tests)")
    ap.add_argument("--torch-device", default="cuda", help="cuda (default; ROCm too) or cpu (tests)")
    ap.add_argument("--cases", type=Path, default=DEFAULT_CASES, help="validation composites (cases YAML)")
    ap.add_argument("--refit", type=Path, metavar="PROFILE", help="fit again from the raw data beside PROFILE")
    args = ap.parse_args(argv)
    argv_text = " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    try:
        if args.refit:
            refit(args.refit)
            return 0
        if not args.out:
            ap.error("--out is required")
        mode = args.mode or ("quick" if args.quick else "full")
        suite = Suite(args.out, args.device_name, args.torch_device, mode, args.cases,
                      f"python -m hetsim.calibration.gpu_suite {argv_text}")
        suite.run()
    except (ConfigError, HardwareUnavailable) as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
