"""`python -m hetsim.calibration.gpu_suite`: measure and write a profile, or refit one."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from hetsim.calibration.gpu_suite.refit import refit
from hetsim.calibration.gpu_suite.settings import DEFAULT_CASES, MODES
from hetsim.errors import ConfigError, HardwareUnavailable


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite",
                                 description="Measure this machine's GPU, fit the device model, write a profile.")
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
        # torch only where a device is measured: --refit runs on machines without it
        from hetsim.calibration.gpu_suite.suite import Suite

        mode = args.mode or ("quick" if args.quick else "full")
        suite = Suite(args.out, args.device_name, args.torch_device, mode, args.cases,
                      f"python -m hetsim.calibration.gpu_suite {argv_text}")
        suite.run()
    except (ConfigError, HardwareUnavailable) as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    return 0
