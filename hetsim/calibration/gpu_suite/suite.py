"""One calibration run from start to written files: set up the bench, measure idle power, run the
rounds, the energy loop, fit, and write the profile, the readings and the measured validation
cases beside each other."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hetsim.calibration import sweeps
from hetsim.calibration.cases import Case, load_cases, write_cases
from hetsim.calibration.gpu_profile import PowerReading, check_profile_out, write_profile
from hetsim.calibration.gpu_suite.bench import Bench
from hetsim.calibration.gpu_suite.fitting import build_profile, fit_rows, host_mix_from_rows
from hetsim.calibration.gpu_suite.power import measure_idle, run_power
from hetsim.calibration.gpu_suite.report import format_fits, format_validation
from hetsim.calibration.gpu_suite.rounds import composite_round, finish_composites, run_mixes, run_sweep_chunk
from hetsim.calibration.gpu_suite.rows import write_raw
from hetsim.calibration.gpu_suite.settings import MODES, SUITE_VERSION
from hetsim.calibration.paths import REPO_ROOT
from hetsim.errors import ConfigError


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
        if mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.out = Path(out)
        if self.out.suffix not in (".yaml", ".yml"):
            raise ConfigError("--out must name the profile's .yaml file (raw data and validation go beside it)",
                              file=str(out))
        check_profile_out(self.out)
        self.mode, self.cfg, self.log = mode, MODES[mode], log
        self.bench = Bench(torch_device, self.cfg, log, seed)
        self.cases_path = cases_path
        self.command = command
        self.device_name = device_name or catalogue_name(self.bench.gpu_name)
        self.idle_w: float | None = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        return self.bench.rows

    def run_rounds(self) -> list[Case]:
        """The sweep in shuffled order, cut into rounds; after each cut, a few mixes and one
        round of the validation composites (`rounds`). Shuffling keeps any one rate key from
        sitting in a fast or slow spell of the host."""
        bench = self.bench
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
            self.log(f"[{bench.elapsed():.0f} s] round {rnd}")
            run_sweep_chunk(bench, chunk, stop_at)
            run_mixes(bench, rnd * per_round, min(per_round, self.cfg["mixes"] - rnd * per_round))
            composite_round(bench, rnd, cases, case_order)
            rng.shuffle(case_order)
            write_raw(self.rows, self.out)  # checkpoint: what is measured survives a later failure
        factor, detail = host_mix_from_rows(self.rows)
        ratios = ", ".join(f"{d['ratio']:.2f}" for d in detail)
        self.log(f"host mix factor {factor:.3f} from {len(detail)} mixes ({ratios})")
        return finish_composites(bench, cases)

    def provenance(self) -> dict[str, Any]:
        bench = self.bench
        prov: dict[str, Any] = {
            "gpu": bench.gpu_name,
            "vendor": ("amd" if getattr(torch.version, "hip", None)
                       else "nvidia" if bench.device.type == "cuda" else "cpu"),
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
            "timer": bench.timer.kind,
            "duration_s": round(bench.elapsed(), 1),
            **bench.hw,
        }
        if bench.device.type == "cuda":
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
        prov.update({k: v for k, v in bench.power.info.items() if v is not None})
        return prov

    def run(self) -> dict[str, Path]:
        bench = self.bench
        self.log(f"hetsim GPU calibration: {bench.gpu_name} as {self.device_name}, torch {torch.__version__}, "
                 f"mode {self.mode}, power: {bench.power.method} {bench.power.note}")
        self.idle_w = measure_idle(bench)
        measured = self.run_rounds()
        self.log(f"[{bench.elapsed():.0f} s] power")
        power = run_power(bench)
        raw_path = write_raw(self.rows, self.out)
        fits = fit_rows(self.rows, separate_host=bench.timer.kind == "cuda-events", wave_slots=bench.wave_slots)
        host_mix, mixes = host_mix_from_rows(self.rows)
        meter = PowerReading(bench.power.method, None, bench.power.note)
        profile = build_profile(self.device_name, self.provenance(), fits, power, self.idle_w, meter,
                                raw_path.name, None, host_mix, mixes)
        paths = {"raw": raw_path}
        if measured:
            vpath = self.out.with_name(self.out.stem + ".validation.yaml")
            meta = {"device": self.device_name, "gpu": bench.gpu_name,
                    "measured": "eager stream (measured_s) and CUDA-graph replay (measured_graph_s): "
                                "median over rounds of each round's median",
                    "provenance": {k: str(profile.provenance[k]) for k in ("gpu", "torch", "date", "command")}}
            write_cases(vpath, measured, meta,
                        header="# Validation composites measured by the calibration run (not used in the fit).")
            profile = replace(profile, validation=vpath.name)
            paths["validation"] = vpath
        paths["profile"] = write_profile(self.out, profile)
        self.log(format_fits(fits))
        if measured:
            self.log(format_validation(fits, measured, host_mix))
        self.log(f"wrote {', '.join(str(p) for p in paths.values())} in {bench.elapsed():.0f} s")
        return paths
