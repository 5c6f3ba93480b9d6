"""`python -m hetsim.calibration.e2e measure|compare`: measure on the GPU machine, compare here.

`measure` needs only torch, transformers, pandas and PyYAML (the device image); `compare` runs the
simulator and so needs hetsim's full install (it is also `hetsim validate e2e`).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from hetsim.errors import HetsimError


def main(argv: list[str] | None = None) -> int:
    from hetsim.calibration.e2e.grid import GRIDS

    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.e2e",
                                 description="End-to-end validation against a real transformers model.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("measure", help="time the model on this machine's GPU; write Parquet + summary YAML")
    m.add_argument("--out", type=Path, required=True, help="folder to write (e.g. calibration/e2e/H200)")
    m.add_argument("--model", default="Llama-3.1-8B", help="catalogue model name or model YAML path")
    m.add_argument("--quick", action="store_true", help="a small grid: a smoke run")
    m.add_argument("--grid", choices=sorted(GRIDS), help="full (default), quick or tiny (CPU tests)")
    m.add_argument("--torch-device", default="cuda", help="cuda (default) or cpu (tests)")
    m.add_argument("--budget-s", type=float, help="wall seconds for the run (default: the grid's)")
    m.add_argument("--cudnn-sdpa", choices=("on", "off"), default="on",
                   help="off: cuDNN's SDPA switched off for the model's points and op cases, so SDPA runs flash or "
                        "memory-efficient as PyTorch <= 2.10 wheels pick them (default: on, PyTorch's own choice)")
    c = sub.add_parser("compare", help="predicted vs measured (same as `hetsim validate e2e`)")
    c.add_argument("--model", default="Llama-3.1-8B")
    c.add_argument("--stack", required=True)
    c.add_argument("--device", default="H200")
    c.add_argument("--data", type=Path, help="measurement folder (default calibration/e2e/DEVICE)")
    c.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    argv_text = " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    try:
        if args.cmd == "measure":
            from hetsim.calibration.e2e.measure import main_measure  # torch only here

            grid = args.grid or ("quick" if args.quick else "full")
            return main_measure(args.out, args.model, grid, args.torch_device,
                                f"python -m hetsim.calibration.e2e {argv_text}", args.budget_s,
                                cudnn_sdpa=args.cudnn_sdpa == "on")
        from hetsim.calibration.e2e.compare import compare_sessions, print_sessions

        print_sessions(compare_sessions(args.model, args.stack, args.device, args.data), json_out=args.json)
        return 0
    except HetsimError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
