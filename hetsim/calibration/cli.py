"""Commands of the calibration area: `predict ops`, `validate` (and `validate e2e | transfer | energy`),
`calibrate gpu` (and `refit`, `spread`).

`register(app)` adds them to the hetsim CLI and returns the `calibrate` group, so other
calibration backends (FPGA) can add their own command to it.
"""

from __future__ import annotations

import json
import shlex
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hetsim.errors import ConfigError, HardwareUnavailable

# an explicit profile is priced alone: only the default one takes the keys it lacks from another GPU (transferred)
PROFILE_HELP = ("calibration profile, used as it is (default: the device's, with any key it lacks carried over "
                "from the nearest measured GPU)")


def _us(x: float | None) -> str:
    return "-" if x is None else f"{x * 1e6:,.1f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:+.1%}"


def _num(x, pct: bool = False) -> str:
    if x is None:
        return "-"
    if x == "inf" or (isinstance(x, float) and x == float("inf")):
        return "inf"
    return f"{x:.1%}" if pct else f"{x:.4g}"


def _j(x: float | None) -> str:
    return "-" if x is None else f"{x * 1e3:,.2f}"


def _print_cases(preds, title: str, show_ops: bool) -> None:
    console = Console()
    if show_ops:
        for p in preds:
            t = Table(title=f"{p.name}" + (f" — {p.description}" if p.description else ""), title_justify="left")
            for col in ("op", "name", "rate key", "source", "dispatch us", "device us", "predicted us", "measured us",
                        "error"):
                t.add_column(col, justify="right" if col.endswith(("us", "error")) else "left")
            for o in p.ops:
                t.add_row(o.op, o.name, o.rate_key, o.source, _us(o.dispatch_s), _us(o.device_s), _us(o.predicted_s),
                          _us(o.measured_s), _pct(o.error))
            t.add_row("case", "(one stream)", "", "", "", "", _us(p.predicted_s), _us(p.measured_s), _pct(p.error),
                      style="bold")
            console.print(t)
            console.print(f"  energy: predicted {_j(p.predicted_j)} mJ, NVML {_j(p.measured_j)} mJ"
                          + (f", error {_pct(p.energy_error)}" if p.energy_error is not None else
                             " (no measured energy in the cases file)"))
    else:
        t = Table(title=title, title_justify="left")
        for col in ("case", "ops", "predicted us", "measured us", "error", "pred mJ", "NVML mJ", "energy err"):
            t.add_column(col, justify="left" if col == "case" else "right")
        for p in preds:
            t.add_row(p.name, str(len(p.ops)), _us(p.predicted_s), _us(p.measured_s), _pct(p.error),
                      _j(p.predicted_j), _j(p.measured_j), _pct(p.energy_error))
        console.print(t)


def _micro_ops_here(device_name: str, spec):
    """The CPU model priced with this machine's micro-ops, measured now by the calibration suite into
    a temporary folder (nothing of the user's is written)."""
    import tempfile

    from hetsim.calibration.cpu_profile import load_cpu_profile
    from hetsim.calibration.cpu_suite import calibrate_cpu
    from hetsim.hardware.cpu import CpuModel

    with tempfile.TemporaryDirectory(prefix="hetsim-cpu-") as folder:
        out = Path(folder) / f"{device_name}.yaml"
        calibrate_cpu(out, device_name, "full", "hetsim validate cpu-bm25 (micro-ops measured here)")
        return CpuModel(spec, load_cpu_profile(out))


def _profile_name(prof) -> str:
    return prof.path.name if prof.path else "stored profile"


def _profile_origin(prof) -> str:
    date = (prof.provenance or {}).get("date")
    return f"{_profile_name(prof)}, measured {str(date)[:10]}" if date else _profile_name(prof)


def register(app: typer.Typer, friendly: Callable) -> typer.Typer:
    """Add the commands to `app`, each wrapped in the CLI's error decorator `friendly`."""
    predict = typer.Typer(no_args_is_help=True, help="Predict the time of primitive ops on a device model.")
    calibrate = typer.Typer(no_args_is_help=True, help="Measure a device and write its calibration profile.")
    app.add_typer(predict, name="predict")
    app.add_typer(calibrate, name="calibrate")

    @predict.command("ops")
    @friendly
    def predict_ops(
        cases: Annotated[Path, typer.Argument(help="cases YAML: named lists of primitive ops")],
        device: Annotated[str, typer.Option(help="catalogue GPU, e.g. H100-SXM")],
        profile: Annotated[Path | None, typer.Option(help=PROFILE_HELP)] = None,
        graph: Annotated[bool, typer.Option("--graph", help="device time only (CUDA-graph replay)")] = False,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
    ) -> None:
        """Predict each op and each case (ops back to back on one stream, as eager PyTorch)."""
        # command bodies import what they run: `hetsim --help` stays fast
        from hetsim.calibration.cases import load_cases
        from hetsim.calibration.predict import gpu_model, predict_cases

        model = gpu_model(device, profile)
        preds = predict_cases(model, load_cases(cases), graph)
        src = str(model.profile.path) if model.profile is not None else "none: datasheet-derived rates (assumed)"
        if json_out:
            sys.stdout.write(json.dumps({"device": device, "profile": src, "mode": "graph" if graph else "eager",
                                         "cases": [p.as_dict() for p in preds]}, indent=2) + "\n")
            return
        Console().print(f"device {device}; calibration profile: {src}")
        _print_cases(preds, "cases", show_ops=True)

    # `validate` is a group so that `hetsim validate e2e` sits beside it, and its own options keep
    # `hetsim validate --profile P ...` working (the callback runs when no subcommand is named)
    validate = typer.Typer(help="Predicted vs measured: composite op cases (--profile), or end to end (e2e).")
    app.add_typer(validate, name="validate")

    @validate.callback(invoke_without_command=True)
    @friendly
    def validate_cmd(
        ctx: typer.Context,
        profile: Annotated[Path | None, typer.Option(help="calibration profile (YAML)")] = None,
        cases: Annotated[Path | None, typer.Option(
            help="measured cases (cases YAML with measured_s); default: the profile's validation file")] = None,
        graph: Annotated[bool, typer.Option("--graph", help="compare device-only times (measured_graph_s)")] = False,
        ops: Annotated[bool, typer.Option("--ops", help="also show every op of every case")] = False,
        fail_above: Annotated[float | None, typer.Option(
            help="exit 1 if any case's |error| exceeds this fraction, e.g. 0.25")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
    ) -> None:
        """Predicted vs measured for composite cases not used in the fit: per case, median and max |error|."""
        if ctx.invoked_subcommand is not None:
            return
        if profile is None:
            raise ConfigError("pass --profile PROFILE (composite cases) or a subcommand (hetsim validate e2e ...)")
        from hetsim.calibration.cases import load_cases  # as in predict_ops
        from hetsim.calibration.gpu_profile import load_profile
        from hetsim.calibration.predict import gpu_model, validate

        prof = load_profile(profile)
        path = cases or prof.validation_path
        if path is None:
            raise ConfigError("the profile names no validation cases; pass --cases FILE", file=str(profile))
        model = gpu_model(None, profile)
        v = validate(model, load_cases(path), graph)
        if json_out:
            sys.stdout.write(json.dumps(v.as_dict(), indent=2) + "\n")
        else:
            title = (f"{v.device}: predicted vs measured ({v.mode}), profile {profile}, cases {path}")
            _print_cases(v.cases, title, show_ops=ops)
            line = f"cases: median |error| {v.median_abs_error:.1%}, max |error| {v.max_abs_error:.1%}"
            if v.op_median_abs_error is not None:
                line += (f"; ops ({v.ops_compared}): median |error| {v.op_median_abs_error:.1%}, "
                         f"max {v.op_max_abs_error:.1%}")
            Console().print(line)
            e = [abs(c.energy_error) for c in v.cases if c.energy_error is not None]
            Console().print(f"energy: median |error| {statistics.median(e):.1%} over {len(e)} cases (target <= 15%)"
                            if e else "energy: predicted per case; these cases carry no NVML energy (measured_j), "
                            "see `hetsim validate energy`")
        if fail_above is not None and v.max_abs_error > fail_above:
            raise typer.Exit(1)

    @validate.command("e2e")
    @friendly
    def validate_e2e(
        stack: Annotated[str, typer.Option(help="software stack to predict with: fused, hf-dynamic, hf-static")],
        model: Annotated[str, typer.Option(help="catalogue model the measurements are of")] = "Llama-3.1-8B",
        device: Annotated[str, typer.Option(help="GPU whose measurements to read (calibration/e2e/DEVICE)")] = "H200",
        data: Annotated[Path | None, typer.Option(
            help="one measurement folder (default: every session of the GPU, calibration/e2e/DEVICE and "
                 "calibration/e2e/DEVICE-*)")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
    ) -> None:
        """End to end: the simulator's TTFT / TPOT / energy for every measured point of a real transformers
        model on the GPU (python -m hetsim.calibration.e2e measure), per (phase, mode), against the targets;
        each measuring session apart, then all together."""
        from hetsim.calibration.e2e.compare import compare_sessions, print_sessions  # pandas: as in predict_ops

        print_sessions(compare_sessions(model, stack, device, data), json_out=json_out)

    @validate.command("transfer")
    @friendly
    def validate_transfer_cmd(
        source: Annotated[str, typer.Option("--from", help="measured GPU whose profile is carried over")],
        target: Annotated[str, typer.Option("--to", help="GPU to predict (its measured cases are the check)")],
        cases: Annotated[Path | None, typer.Option(
            help="measured cases (default: the target's own profile's validation file)")] = None,
        graph: Annotated[bool, typer.Option("--graph", help="compare device-only times (measured_graph_s)")] = False,
        ops: Annotated[list[Path] | None, typer.Option(
            "--ops", help="op cases from traces the target timed (a sweep run's Parquet, repeatable): judged in the "
            "graph view instead of the composites")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
    ) -> None:
        """A transferred profile (provenance `transferred`) judged on a GPU that has measurements: the
        target's validation composites (or, with --ops, its op cases) predicted from the source's profile,
        beside the target's own profile and the datasheet model; median |error| against the 15% target."""
        from hetsim.calibration.cases import load_cases
        from hetsim.calibration.predict import TRANSFER_TARGET, validate_transfer, validate_transfer_ops

        if ops:
            if cases is not None:
                raise ConfigError("--cases (composites) and --ops (op cases) are two checks: give one", field="ops")
            res = validate_transfer_ops(source, target, list(ops))
            if json_out:
                sys.stdout.write(json.dumps(res, indent=2) + "\n")
                return
            m, o = res["transferred"], res["own_profile"]
            met = "met" if res["meets_target"] else "NOT met"
            Console().print(f"transferred {source} -> {target} on {m['n']} op cases (graph view): median |error| "
                            f"{m['median_abs']:.1%}, p90 {m['p90_abs']:.1%} (target median <= {TRANSFER_TARGET:.0%}: "
                            f"{met}); own profile {o['median_abs']:.1%}, p90 {o['p90_abs']:.1%}")
            return
        check = validate_transfer(source, target, load_cases(cases) if cases else None, graph)
        if json_out:
            sys.stdout.write(json.dumps(check.as_dict(), indent=2) + "\n")
            return
        console = Console()
        t = Table(title=f"{target} predicted from {source}'s profile ({check.mode}); cases {check.cases_file}",
                  title_justify="left")
        for col in ("case", "measured us", "transferred us", "error", "own profile err", "datasheet err"):
            t.add_column(col, justify="left" if col == "case" else "right")
        own = check.own_profile.cases if check.own_profile else [None] * len(check.transferred.cases)
        for p, o, d in zip(check.transferred.cases, own, check.datasheet.cases, strict=True):
            t.add_row(p.name, _us(p.measured_s), _us(p.predicted_s), _pct(p.error), _pct(o.error if o else None),
                      _pct(d.error))
        console.print(t)
        v = check.transferred
        met = "met" if v.median_abs_error <= TRANSFER_TARGET else "NOT met"
        console.print(f"transferred {source} -> {target}: median |error| {v.median_abs_error:.1%}, max "
                      f"{v.max_abs_error:.1%} (target median <= {TRANSFER_TARGET:.0%}: {met}); own profile "
                      + (f"{check.own_profile.median_abs_error:.1%}" if check.own_profile else "-")
                      + f"; datasheet model {check.datasheet.median_abs_error:.1%}")

    @validate.command("energy")
    @friendly
    def validate_energy_cmd(
        device: Annotated[str, typer.Option(help="GPU whose measurements to check")] = "H200",
        model: Annotated[str, typer.Option(help="catalogue model of the end-to-end measurements")] = "Llama-3.1-8B",
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
    ) -> None:
        """Predicted vs NVML-measured energy on every point not used in a fit: end-to-end decode and
        prefill (calibration/e2e/DEVICE, each hf stack against its own runs) and each calibration's
        power loops predicted from the device's other calibrations; median |error| against 15%."""
        from hetsim.calibration.energy_check import check_energy, print_energy

        print_energy(check_energy(device, model), json_out)

    @calibrate.command("spread")
    @friendly
    def calibrate_spread(
        profiles: Annotated[list[Path], typer.Argument(help="two or more calibration profiles of one GPU")],
        moved_only: Annotated[bool, typer.Option("--moved", help="list only parameters that moved > 10%")] = False,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
    ) -> None:
        """How far calibrations of one GPU disagree: every fitted parameter side by side, its relative
        spread (max / min - 1), which moved by more than 10%, by group (host, device, power)."""
        from hetsim.calibration.spread import MOVED, spread_of_files

        for p in profiles:
            if not p.is_file():
                raise ConfigError("calibration profile not found", file=str(p))
        s = spread_of_files(profiles)
        if json_out:
            sys.stdout.write(json.dumps(s.as_dict(), indent=2) + "\n")
            return
        console = Console()
        t = Table(title=f"{s.device}: {len(profiles)} calibrations", title_justify="left")
        t.add_column("parameter")
        t.add_column("group")
        for i, _ in enumerate(profiles):
            t.add_column(f"#{i + 1}", justify="right")
        t.add_column("spread", justify="right")
        rows = sorted(s.compared, key=lambda p: -p.spread)
        for p in rows:
            if moved_only and not p.moved:
                continue
            t.add_row(p.name, p.group, *[_num(v) for v in p.values], f"{p.spread:.1%}",
                      style="bold" if p.moved else None)
        console.print(t)
        for i, p in enumerate(profiles):
            console.print(f"#{i + 1} {p}")
        for group, g in s.by_group().items():
            med = "-" if g["median_spread"] is None else f"{g['median_spread']:.1%}"
            console.print(f"{group}: {g['moved']} of {g['compared']} moved > {MOVED:.0%}; median spread {med}, "
                          f"max {_num(g['max_spread'], pct=True)}")
        console.print(f"all: {len(s.moved)} of {len(s.compared)} fitted parameters moved > {MOVED:.0%}")

    @validate.command("ops")
    @friendly
    def validate_ops_cmd(
        cases: Annotated[list[Path], typer.Option(
            help="op cases from traces, e.g. calibration/e2e/H200/ops.parquet; repeat it to pool several files "
                 "(the blind checks' sweeps together; a case a later file timed again takes its later reading)")],
        device: Annotated[str, typer.Option(help="catalogue GPU the cases were measured on")] = "H200",
        profile: Annotated[Path | None, typer.Option(help=PROFILE_HELP)] = None,
        show: Annotated[bool, typer.Option("--cases-table", help="print every case")] = False,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
    ) -> None:
        """Op level: every aten op case of a real model's traces priced by hetsim (steady stream, host issue,
        CUDA graph, alone onto an idle GPU) against its measurement; median and p90 |error| vs the targets.
        The cases are never fitted (the trace regimes come from the aten sweep); the measured harness of
        each call (op case, model, suite runner) is added to the predictions and printed; views (no kernel)
        are compared in stream and host only, their graph and idle readings reported apart."""
        from hetsim.calibration.predict import gpu_model
        from hetsim.calibration.trace_cases import pool_cases, print_report, validate_ops

        model = gpu_model(device, profile)
        pooled, retimed = pool_cases(cases)
        report = validate_ops(model, pooled, " + ".join(map(str, cases)))
        report.retimed = retimed
        print_report(report, json_out=json_out, show_cases=show)

    @validate.command("methods")
    @friendly
    def validate_methods_cmd(
        data: Annotated[Path | None, typer.Option(
            help="one session's timings (python -m hetsim.method_code.run; default: every session in "
                 "calibration/methods/DEVICE*/, each apart, then pooled)")] = None,
        device: Annotated[str, typer.Option(help="catalogue GPU the data was measured on")] = "H200",
        profile: Annotated[Path | None, typer.Option(help=PROFILE_HELP)] = None,
        json_out: Annotated[bool, typer.Option("--json", help="print JSON on stdout only")] = False,
        explain: Annotated[bool, typer.Option(
            "--explain", help="per step: host- or device-bound, the ops that dominate, their rate keys")] = False,
    ) -> None:
        """The methods' PyTorch code (hetsim/method_code): each step's trace priced by hetsim (eager stream,
        CUDA graph) against its timing on the GPU; median |error| per step and per phase vs the 10% target."""
        from hetsim.calibration.predict import gpu_model
        from hetsim.method_code.validate import print_report, print_sessions, session_files, validate

        model = gpu_model(device, profile)
        if data is not None:
            print_report(validate(model, data), json_out=json_out, explain=explain)
            return
        files = session_files(device)
        if not files:
            raise ConfigError(f"no measuring session of {device} (calibration/methods/{device}*/methods.parquet); "
                              "pass --data", field="device")
        print_sessions([validate(model, f) for f in files], json_out=json_out, explain=explain)

    @calibrate.command("gpu")
    @friendly
    def calibrate_gpu(
        out: Annotated[Path, typer.Option(help="profile YAML to write, e.g. calibration/profiles/H100-SXM.yaml")],
        device_name: Annotated[str | None, typer.Option(
            help="catalogue device this GPU is (default: guessed from the GPU's name)")] = None,
        quick: Annotated[bool, typer.Option("--quick", help="a third of the sweep: a smoke run")] = False,
        cases: Annotated[Path | None, typer.Option(
            help="validation composites (default: calibration/cases/validation.yaml)")] = None,
        torch_device: Annotated[str, typer.Option(
            help="cuda (also ROCm) or cpu (exercises the suite only)")] = "cuda",
    ) -> None:
        """Measure the primitive ops on this machine's GPU, fit the device model, write the profile
        (+ raw Parquet + validation cases beside it). Needs torch; ~5 min on an H100."""
        try:
            import torch  # noqa: F401
        except ImportError:
            raise HardwareUnavailable("torch is not installed; install it (pip install 'hetsim[gpu]') on the "
                                      "machine with the GPU") from None
        from hetsim.calibration.gpu_suite.settings import DEFAULT_CASES
        from hetsim.calibration.gpu_suite.suite import Suite  # imports torch: only once it is known to be there

        command = "hetsim calibrate gpu " + " ".join(shlex.quote(a) for a in sys.argv[3:])
        # on a CPU the suite only checks itself: tiny sizes (the full sweep's GBs would take hours)
        mode = "tiny" if torch_device == "cpu" else "quick" if quick else "full"
        if cases is None and torch_device != "cpu":
            cases = DEFAULT_CASES  # the validation composites are GPU-sized: on a CPU only if asked
        Suite(out, device_name, torch_device, mode, cases, command).run()

    @calibrate.command("cpu")
    @friendly
    def calibrate_cpu_cmd(
        out: Annotated[Path, typer.Option(help="profile YAML to write, e.g. calibration/profiles/host-cpu-2c.yaml")],
        device_name: Annotated[str, typer.Option(help="catalogue CPU (configs/devices, kind: cpu) this machine's "
                                                      "CPU is measured as")] = "host-cpu-2c",
        tiny: Annotated[bool, typer.Option("--tiny", help="tiny sizes and 3 repeats: a smoke run")] = False,
    ) -> None:
        """Measure this machine's CPU with numpy (copy, gather, scatter-add, argpartition, matmul),
        write the profile and the raw Parquet beside it. A few seconds."""
        from hetsim.calibration.cpu_suite import calibrate_cpu
        from hetsim.config.errors import did_you_mean
        from hetsim.config.load import Catalogue

        cpus = sorted(n for n, d in Catalogue.load().devices.items() if d.kind == "cpu")
        if device_name not in cpus:
            raise ConfigError(f"no CPU {device_name!r} in the catalogue{did_you_mean(device_name, cpus)} "
                              f"(CPUs: {', '.join(cpus) or 'none'})", field="--device-name")
        command = "hetsim calibrate cpu " + " ".join(shlex.quote(a) for a in sys.argv[3:])
        doc = calibrate_cpu(out, device_name, "tiny" if tiny else "full", command)
        f = doc["fits"]
        Console().print(f"wrote {out} (+ {out.with_suffix('.parquet').name}): stream {f['stream_bw_gbps']['value']:g}"
                        f" GB/s, np.add.at overhead {f['call_overhead_us']['value']:g} us, argpartition "
                        f"{f['topk_m_per_s']['value']:g} M/s, matmul {f['matmul_gflops']['value']:g} GFLOP/s")

    @validate.command("cpu-bm25")
    @friendly
    def validate_cpu_bm25(
        docs: Annotated[list[int] | None, typer.Option(help="corpus sizes (repeatable)")] = None,
        device_name: Annotated[str, typer.Option(help="catalogue CPU whose profile prices the queries")] =
        "host-cpu-2c",
        profile: Annotated[Path | None, typer.Option(help="CPU profile (default: the device's own)")] = None,
        queries: Annotated[int, typer.Option(help="queries per corpus (each timed 5 times)")] = 60,
        here: Annotated[bool, typer.Option("--here/--stored", help="first measure this machine's micro-ops "
                                           "(hetsim calibrate cpu into a temporary folder, ~20 s) and judge the "
                                           "model priced with them, the stored profile's prediction beside; "
                                           "--stored: judge the stored (or --profile) one")] = True,
    ) -> None:
        """bm25s on synthetic corpora, measured on this machine, beside the CPU model's prediction
        from the RAG method's CPU ops and a CPU profile (fit on micro-ops only): by default one
        measured here and now, since a CPU profile describes the machine it was measured on (a lent
        2-core host differs from the last one by 10-35 % in its micro-ops)."""
        try:
            import bm25s  # noqa: F401
        except ImportError:
            raise HardwareUnavailable("bm25s is not installed; pip install 'hetsim[cpu]'") from None
        from hetsim.calibration.cpu_bm25 import measure_bm25, predict_bm25
        from hetsim.calibration.cpu_profile import cpu_profile, load_cpu_profile
        from hetsim.config.errors import did_you_mean
        from hetsim.config.load import Catalogue
        from hetsim.hardware.cpu import CpuModel

        devices = Catalogue.load().devices
        cpus = sorted(n for n, d in devices.items() if d.kind == "cpu")
        if device_name not in cpus:
            raise ConfigError(f"no CPU {device_name!r} in the catalogue{did_you_mean(device_name, cpus)} "
                              f"(CPUs: {', '.join(cpus) or 'none'})", field="--device-name")
        spec = devices[device_name]
        prof = load_cpu_profile(profile) if profile else cpu_profile(spec)
        if prof is None:
            raise ConfigError(f"{device_name} has no calibration profile; run hetsim calibrate cpu first",
                              field="--profile")
        stored = CpuModel(spec, prof)
        fresh = _micro_ops_here(device_name, spec) if here else None
        t = Table(title=f"BM25 (bm25s) per query on this CPU vs the {device_name} model", title_justify="left")
        for col in ("docs", "postings/term", "measured ms (p10-p90)"):
            t.add_column(col, justify="right")
        if fresh is not None:
            t.add_column("model ms\n(micro-ops here)", justify="right")
            t.add_column("error", justify="right")
        t.add_column(f"model ms\n({_profile_name(prof)})", justify="right")
        t.add_column("error", justify="right")
        t.add_column("load", justify="right")
        errors, stored_errors = [], []
        for n in docs or [10_000, 100_000, 1_000_000]:
            pt = measure_bm25(n, queries)
            row = [f"{n:,}", f"{pt.postings_per_term:,.0f}",
                   f"{pt.median_s * 1e3:.3f} ({pt.p10_s * 1e3:.3f}-{pt.p90_s * 1e3:.3f})"]
            for model, errs in ((fresh, errors), (stored, stored_errors)):
                if model is None:
                    continue
                pred = predict_bm25(pt, model)
                errs.append(pred / pt.median_s - 1)
                row += [f"{pred * 1e3:.3f}", _pct(errs[-1])]
            t.add_row(*row, f"{pt.load_avg_1m:.2f}")
        if fresh is None:
            errors = stored_errors
        Console().print(t)
        if fresh is not None:
            Console().print(f"stored profile ({_profile_origin(prof)}): median |error| "
                            f"{statistics.median(abs(e) for e in stored_errors):.1%}, a machine-to-machine "
                            "transfer, not judged")
        which = "micro-ops measured here" if fresh is not None else _profile_origin(prof)
        Console().print(f"median |error| {statistics.median(abs(e) for e in errors):.1%} ({which}; target 15%)")

    @calibrate.command("refit")
    @friendly
    def calibrate_refit(
        profile: Annotated[Path, typer.Argument(help="profile whose raw measurements to fit again")],
    ) -> None:
        """Fit a profile again from the raw measurements beside it (no device needed)."""
        from hetsim.calibration.gpu_suite.refit import refit  # pandas: as in predict_ops

        if not profile.is_file():
            raise ConfigError("calibration profile not found", file=str(profile))
        refit(profile)

    return calibrate
