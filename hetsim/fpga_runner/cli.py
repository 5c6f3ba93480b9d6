"""`hetsim calibrate fpga`: the FPGA calibration runner from the command line."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from hetsim.errors import HetsimError
from hetsim.hardware.fpga_kernels.params import KERNELS


def register(calibrate: typer.Typer, friendly) -> None:
    @calibrate.command("fpga")
    @friendly
    def fpga(
        out: Annotated[Path, typer.Option(help="profile YAML to write (raw Parquet beside it)")],
        xclbin: Annotated[Path | None, typer.Option(help="bitstream with the kernel (pyxrt backend)")] = None,
        device: Annotated[str | None, typer.Option(help="card BDF, e.g. 0000:81:00.1 (default: first)")] = None,
        kernel: Annotated[str, typer.Option(help="inner_product_topk | page_minmax_topk | bm25_topk")] = (
            "page_minmax_topk"),
        backend: Annotated[str, typer.Option(help="pyxrt (a card) or csim (g++ build; never 'measured')")] = (
            "pyxrt"),
        sizes: Annotated[str, typer.Option(help="comma-separated candidate counts")] = "1024,4096,16384,65536",
        k: Annotated[int, typer.Option(help="top-k")] = 64,
        repeats: Annotated[int, typer.Option(help="timed runs per size")] = 5,
        device_name: Annotated[str, typer.Option(help="catalogue FPGA the profile calibrates")] = "U55C",
    ) -> None:
        """Calibrate an FPGA kernel: sweep sizes, check outputs, fit clock and overhead."""
        # the runner pulls in pandas and the C-simulation builds: only when this command runs
        from hetsim.fpga_runner.runner import run_fpga_calibration

        if backend not in ("pyxrt", "csim"):
            raise HetsimError(f"--backend must be pyxrt or csim, got {backend!r}")
        if kernel not in KERNELS:
            raise HetsimError(f"unknown kernel {kernel!r}; built kernels: {', '.join(KERNELS)}")
        try:
            size_list = [int(s) for s in sizes.split(",") if s.strip()]
        except ValueError:
            raise HetsimError(f"--sizes must be comma-separated integers, got {sizes!r}") from None
        try:
            profile = run_fpga_calibration(
                kernel, backend, xclbin, device, size_list, out, k=k, repeats=repeats, device_name=device_name,
                command=shlex.join(["hetsim", *sys.argv[1:]]))
        except ValueError as exc:
            raise HetsimError(str(exc)) from None
        fit = {key: v["value"] if isinstance(v, dict) and "value" in v else v
               for key, v in profile["kernels"][kernel].items()}
        shown = ", ".join(f"{key}={v}" for key, v in fit.items() if isinstance(v, (int, float)))
        typer.echo(f"wrote {out} ({'measured' if profile.get('measured') else 'csim, not a measurement'}): {shown}")
