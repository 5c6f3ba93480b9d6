"""The command line: parse, call, print. Every user error becomes one line and exit code 2."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

import hetsim
from hetsim.errors import HetsimError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="hetsim: simulate long-context LLM memory processing on GPU + FPGA systems.")
err = Console(stderr=True)


def friendly(fn):
    """Turn a HetsimError into one line on stderr and exit code 2 (no traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except HetsimError as exc:
            # user text (paths, values) may hold "[": never read it as Rich markup
            err.print(f"[red]error:[/] {escape(exc.render())}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        Console().print(f"hetsim {hetsim.__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="print the version and exit")] = False,
) -> None:
    """hetsim: simulate long-context LLM memory processing on GPU + FPGA systems."""


@app.command()
@friendly
def run(
    experiment: Annotated[Path | None, typer.Argument(help="experiment YAML; default: the built-in default")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the summary JSON on stdout only")] = False,
    out: Annotated[Path | None, typer.Option(help="results folder (default: outputs.dir/NAME)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a field, e.g. workload.batch=4")] = None,
) -> None:
    """Simulate an experiment and write its results folder."""
    from hetsim.config.load import parse_overrides
    from hetsim.report.outputs import check_results_dir, write_results
    from hetsim.report.summary import build_summary
    from hetsim.report.table import print_results
    from hetsim.runner import run_experiment
    from hetsim.scenario import load_experiment

    exp = load_experiment(experiment, overrides=parse_overrides(set_ or []))
    out_dir, what = None, "--out" if out else "outputs.dir/name"
    if exp.spec.outputs.write:  # refuse a location hetsim may not write before simulating anything
        out_dir = check_results_dir(out or Path(exp.spec.outputs.dir) / exp.spec.name, what)
    if exp.spec.serving is not None:  # a request stream (hetsim.serving), not one static batch
        from hetsim.report.serving import run_serving_command

        return run_serving_command(exp, out_dir, what, json_out)
    runs = run_experiment(exp)
    summary = build_summary(exp, runs)
    if out_dir is not None:
        out_dir = write_results(out_dir, summary, runs, what)
        summary["results_dir"] = str(out_dir)
    if json_out:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        print_results(summary, out_dir)


@app.command()
@friendly
def devices() -> None:
    """List the device and link catalogue with the provenance of its figures."""
    from hetsim.calibration.cpu_profile import find_cpu_profile
    from hetsim.calibration.device_inputs import gpu_profile
    from hetsim.config.load import Catalogue
    from hetsim.provenance import weakest

    cat = Catalogue.load()
    t = Table(title=f"devices ({cat.root}/devices)")
    for col in ("name", "kind", "memory", "memory peak", "compute peak", "weakest source", "calibration"):
        t.add_column(col, overflow="fold")
    for name, d in sorted(cat.devices.items()):
        sources = {v.source for v in d.__dict__.values() if hasattr(v, "source")}
        if d.kind == "gpu":
            peak = f"{d.matrix_tflops.get('bf16', d.matrix_tflops.get('fp16')).value:g} TFLOPS bf16"
            bw = f"{d.hbm_bw_gbps.value:g} GB/s"
            prof = gpu_profile(d)
            calib = prof.path.name if prof else "none (datasheet/assumed)"
        elif d.kind == "fpga":
            peak = f"{d.dsps.value:g} DSP @ {d.kernel_clock_mhz.value:g} MHz"
            bw = f"{d.hbm_pseudo_channels.value * d.hbm_bw_per_pc_gbps.value:g} GB/s"
            calib = "kernel designs from fpga_kernels/"
        else:  # the host CPU: DRAM, not HBM
            sources |= {v.source for v in d.rates.__dict__.values() if hasattr(v, "source")}
            peak = f"{d.cores} cores, {d.rates.matmul_gflops.value:g} GFLOP/s fp32"
            bw = f"{d.mem_bw_gbps.value:g} GB/s DRAM"
            found = find_cpu_profile(d.name) if d.profile != "none" else None
            calib = found.name if found else "none: the device file's rates (`hetsim calibrate cpu`)"
        t.add_row(escape(name), d.kind, f"{d.memory_gb.value:g} GB", bw, peak, weakest(sources), escape(calib))
    Console().print(t)
    lt = Table(title="links")
    for col in ("name", "kind", "latency", "downstream", "upstream", "weakest source"):
        lt.add_column(col)
    for name, link in sorted(cat.links.items()):
        srcs = {link.latency_us.source, link.downstream_gbps.source, link.upstream_gbps.source}
        lt.add_row(name, link.kind, f"{link.latency_us.value:g} us", f"{link.downstream_gbps.value:g} GB/s",
                   f"{link.upstream_gbps.value:g} GB/s", weakest(srcs))
    Console().print(lt)


@app.command()
@friendly
def check(
    file: Annotated[Path, typer.Argument(help="any config file: experiment, device, link, system, model")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="override a field, e.g. workload.batch=4")] = None,
) -> None:
    """Validate a config file exactly as `hetsim run` would (an experiment is resolved end to end)."""
    from hetsim.check import check_file
    from hetsim.config.load import parse_overrides

    what = check_file(file, parse_overrides(set_ or []))
    Console().print(f"[green]ok[/]: {escape(str(file))} is a valid {what}", highlight=False)


@app.command()
@friendly
def schema(out: Annotated[Path, typer.Option(help="folder for the JSON Schema files")] = Path("schema")) -> None:
    """Export JSON Schemas of every config file kind (for editor completion and validation)."""
    from hetsim.config.schemas_export import export_schemas

    for path in export_schemas(out):
        Console().print(f"wrote {escape(str(path))}", highlight=False)


@app.command()
def methods() -> None:
    """List the memory-processing methods and their parameters."""
    from hetsim.workloads.registry import METHODS

    t = Table(title="methods")
    for col in ("name", "description", "parameters", "FPGA kernels"):
        t.add_column(col)
    for name, cls in sorted(METHODS.items()):
        params = ", ".join(f"{k}={f.default}" for k, f in cls.Params.model_fields.items())
        t.add_row(name, cls.description, params or "-", ", ".join(cls.fpga_kernels) or "-")
    Console().print(t)


def _optional(module: str):
    """A command module that may not be part of this installation yet."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if not module.startswith(exc.name or "?"):
            raise  # a missing dependency inside the module, not the module itself
        return None


def _register_subcommands() -> None:
    """Command groups that live beside the code they drive (calibration, sweeps)."""
    calibration = _optional("hetsim.calibration.cli")
    calibrate = calibration.register(app, friendly) if calibration else None
    if calibrate is None:
        calibrate = typer.Typer(help="Measure devices and write calibration profiles.", no_args_is_help=True)
        app.add_typer(calibrate, name="calibrate")
    from hetsim.fpga_runner.cli import register as register_fpga

    register_fpga(calibrate, friendly)
    _optional("hetsim.fpga_runner.kernels_cli").register(app, friendly)
    dse = _optional("hetsim.dse.cli")
    if dse:
        dse.register(app, friendly)
    _optional("hetsim.tracing.cli").register(app, friendly)
    _optional("hetsim.stacks.cli").register(app, friendly)


_register_subcommands()
