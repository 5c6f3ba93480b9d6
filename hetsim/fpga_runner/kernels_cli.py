"""`hetsim kernels [--json]`: each FPGA build the catalogue carries, as its parameter file makes it:
ports, PEs, peak and achieved GB/s at given sizes, launches per token and resources (total and per
stream / per port, against the 80% cap)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.hardware.fpga_catalogue import BUILDS
from hetsim.hardware.fpga_kernels.card import u55c
from hetsim.hardware.fpga_kernels.cycles import DesignShape, job_cycles, token_head_cycles
from hetsim.hardware.fpga_kernels.designs import UTILIZATION_CAP, design_shape
from hetsim.hardware.fpga_kernels.resources import resource_breakdown

BATCHES = (1, 8, 32)  # rows (requests) a layer's job covers in the launch-cost table


def launch_cost(shape: DesignShape, batch: int, layers: int) -> dict[str, float]:
    """What a token pays besides its rows' scoring, in us (derived): XRT's start plus every job
    head's overhead (doorbell, row-burst latency, records), with one job per layer
    (`launch_us`) and with one job per request per layer as before rows (`job_per_request_us`);
    `query_read_us`: the rows' query beats over the io channel, the same in both."""
    card = u55c()
    f_mhz = shape.clock_mhz
    kw = dict(pc_bw_bytes_per_s=card.pc_bw_bytes_per_s, hbm_efficiency=card.hbm_efficiency)
    overhead, query = token_head_cycles(shape, batch, layers, **kw)
    per_request, _ = token_head_cycles(shape, batch, layers, rows_per_job=1, **kw)
    start_us = card.launch_s * 1e6
    return {"launch_us": round(start_us + overhead / f_mhz, 2), "query_read_us": round(query / f_mhz, 2),
            "job_per_request_us": round(start_us + per_request / f_mhz, 2),
            "jobs_per_layer": -(-batch // shape.rows_max)}


def describe(sizes: list[int], layers: int = 32) -> list[dict]:
    """One record per build: what `hetsim kernels` prints."""
    card = u55c()  # the figures the table is printed against
    launch_us = card.launch_s * 1e6
    roofline = card.pcs * card.pc_bw_bytes_per_s * card.hbm_efficiency
    out = []
    for name, (kernel, overrides) in BUILDS.items():
        kp = load_kernel_params(kernel, overrides)
        shape = design_shape(kp)
        rb = resource_breakdown(kp, shape)
        peak = shape.streams * min(card.pc_bw_bytes_per_s * card.hbm_efficiency,
                                   shape.beat_bytes * shape.clock_mhz * 1e6)
        at = {}
        for n in sizes:
            job = job_cycles(shape, n, min(64, shape.k_max), chip_n=0, hbm_efficiency=card.hbm_efficiency)
            gbs = n * shape.item_bytes / job.seconds(shape.clock_mhz * 1e6) / 1e9
            at[n] = {"gb_per_s": round(gbs, 1), "of_roofline": round(gbs * 1e9 / roofline, 3), "bound": job.bound,
                     "job_us": round(job.seconds(shape.clock_mhz * 1e6) * 1e6, 2)}
        total = rb.total.as_dict()
        out.append({
            "design": name, "kernel": kernel, "ports": shape.streams, "io_ports": 1, "pes": shape.streams,
            "beats_per_item": shape.item_beats, "macs_per_beat": shape.macs_per_beat,
            "topk": "radix select" if shape.select else f"{shape.queues} systolic queues x {shape.k_max} + merge",
            "peak_gb_per_s": round(peak / 1e9, 1), "roofline_gb_per_s": round(roofline / 1e9, 1), "at": at,
            "launches_per_token": 1, "xrt_start_us": launch_us, "rows_max": shape.rows_max, "layers": layers,
            "launch_per_token": {str(b): launch_cost(shape, b, layers) for b in BATCHES},
            "resources": total,
            "utilisation": {r: round(v / card.resources[r], 3) for r, v in total.items()},
            "per_stream": rb.stream.as_dict(), "per_port": rb.port.as_dict(), "topk_unit": rb.topk.as_dict(),
            "topk_per_unit": rb.topk_unit.as_dict(), "topk_units": rb.topk_units,
            "topk_shared": rb.topk_shared.as_dict(),
            "fits": all(v <= UTILIZATION_CAP * card.resources[r] for r, v in total.items()),
            "provenance": "derived (II, depths, LUTs assumed until a csynth report replaces them)",
        })
    return out


def register(app: typer.Typer, friendly) -> None:
    @app.command("kernels")
    @friendly
    def kernels(
        action: Annotated[str | None, typer.Argument(help="'search': the Pareto front of a kernel's designs")] = None,
        kernel: Annotated[str | None, typer.Argument(help="search: the kernel (e.g. pq_lut_topk)")] = None,
        sizes: Annotated[str, typer.Option(help="comma-separated item counts")] = "16384,131072,1000000",
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        out: Annotated[Path | None, typer.Option(help="search: the results store (default "
                                                 "results/kernel_designs/KERNEL)")] = None,
        workers: Annotated[int | None, typer.Option(help="search: parallel designs (default 1)")] = None,
        ray: Annotated[str | None, typer.Option(help="search: run on Ray ('auto' or HOST:PORT)")] = None,
        force: Annotated[bool, typer.Option(help="search: recompute designs already in the store")] = False,
    ) -> None:
        """The FPGA kernel builds: ports, PEs, GB/s at given sizes, launches per token, resources.
        `hetsim kernels search KERNEL`: the Pareto front of (time per token, LUT/DSP/BRAM/URAM) over
        the kernel's build parameters, under the 80% resource cap, swept on the sweep engine
        (local pool or Ray) into a results store."""
        if action is not None:
            _search(action, kernel, as_json, out, workers, ray, force)
            return
        rows = describe([int(s) for s in sizes.split(",") if s.strip()])
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        for r in rows:
            typer.echo(f"{r['design']} ({r['kernel']}): {r['ports']} item ports + {r['io_ports']} io, {r['pes']} PEs, "
                       f"{r['topk']}; peak {r['peak_gb_per_s']} GB/s of {r['roofline_gb_per_s']} (roofline)")
            for n, a in r["at"].items():
                typer.echo(f"  n={n:>9}: {a['gb_per_s']:6.1f} GB/s ({a['of_roofline']:.0%} of roofline, "
                           f"{a['bound']}-bound), {a['job_us']} us a job")
            cost = ", ".join(f"batch {b}: {c['launch_us']} us ({c['job_per_request_us']} a job per request)"
                             for b, c in r["launch_per_token"].items())
            typer.echo(f"  launches per token: {r['launches_per_token']}, a job per layer of up to {r['rows_max']} "
                       f"rows; launch + job heads at {r['layers']} layers: {cost}")
            util = ", ".join(f"{k} {v} ({r['utilisation'][k]:.0%})" for k, v in r["resources"].items())
            typer.echo(f"  resources: {util}; fits 80%: {r['fits']}")
            typer.echo(f"  per stream: {r['per_stream']}; per port: {r['per_port']}; top-k: {r['topk_unit']} "
                       f"({r['topk_units']} x {r['topk_per_unit']} + shared {r['topk_shared']})")


def _search(action: str, kernel: str | None, as_json: bool, out: Path | None, workers: int | None,
            ray: str | None, force: bool) -> None:
    import difflib

    from hetsim.dse.executors import LocalExecutor, RayExecutor, check_workers
    from hetsim.dse.kernel_designs import default_out, evaluate_point, run_kernel_sweep
    from hetsim.errors import ConfigError, HetsimError
    from hetsim.hardware.fpga_kernels.params import KERNELS
    from hetsim.hardware.fpga_kernels.search import OBJECTIVES

    if action != "search":
        raise HetsimError(f"usage: hetsim kernels [search KERNEL] [--json]; got {action!r}")
    if kernel not in KERNELS:
        near = difflib.get_close_matches(str(kernel), KERNELS, n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise ConfigError(f"expected one of {', '.join(KERNELS)}, got {kernel!r}{hint}", field="KERNEL")
    check_workers(workers)
    if ray:
        try:
            import ray as _  # noqa: F401
        except ImportError:
            raise HetsimError("--ray needs Ray: pip install 'hetsim[dist]'") from None
        executor = RayExecutor(None, ray, workers, task=evaluate_point)
    else:
        executor = LocalExecutor(None, workers or 1, task=evaluate_point)
    out = run_kernel_sweep(kernel, out or default_out(kernel), executor, force=force)
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(f"{kernel}: {out['points']} designs ({out['computed']} computed, {out['cached']} from the store), "
               f"{out['feasible']} fit {out['cap']:.0%}; workload: {out['workload']}; store: {out['out']}")
    typer.echo(f"Pareto front ({', '.join(OBJECTIVES)}; {out['provenance']}):")
    for r in out["front"]:
        typer.echo(f"  {r['time_per_token_us']:>10.1f} us  luts {r['luts']:>8} dsps {r['dsps']:>5} "
                   f"bram36 {r['bram36']:>5} uram {r['uram']:>4}  {r['params']}")
