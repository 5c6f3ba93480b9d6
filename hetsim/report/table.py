"""Terminal tables (rich): one column per run, one row per metric."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

STEP_ORDER = ("model", "prepare", "relevancy", "retrieval", "relevancy+retrieval", "apply", "transfer")


def _ms(s: float) -> str:
    return f"{s * 1e3:.3f} ms"


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _band(r: dict, key: str, fmt) -> str:
    """`low - high` of a metric over the GPUs' calibrations, else why there is none."""
    if f"{key}_band" in r:
        lo, hi = r[f"{key}_band"]
        return f"{fmt(lo)} - {fmt(hi)}"
    profiles = r.get("calibration_profiles", {}).values()
    if any(not p.startswith("transferred") for p in profiles):
        return "one calibration"
    return "transferred profile: no band" if profiles else "no calibration"


def results_table(summary: dict) -> Table:
    runs = summary["runs"]
    w = summary["workload"]
    title = (f"{summary['experiment']}: {w['method']} on {summary['model']}, context {w['context_tokens']}, "
             f"batch {w['batch']}, {w['decode_tokens']} decode tokens - SIMULATED")
    t = Table(title=escape(title), show_lines=False)
    # names of devices, links and runs are folded, never cut to an ellipsis: they are what a row means
    t.add_column("metric", style="bold", overflow="fold")
    for r in runs:
        t.add_column(escape(r["label"]), justify="right", overflow="fold")

    def row(name: str, fn) -> None:
        t.add_row(escape(name), *[escape(fn(r)) for r in runs])

    row("time per output token", lambda r: _ms(r["tpot_s"]))
    row("  band over calibrations", lambda r: _band(r, "tpot_s", _ms))
    row("TTFT (prefill)", lambda r: _ms(r["ttft_s"]))
    row("  band over calibrations", lambda r: _band(r, "ttft_s", _ms))
    row("end to end", lambda r: f"{r['e2e_s']:.3f} s")
    row("decode throughput", lambda r: f"{r['decode_tokens_per_s']:.1f} tok/s")
    steps = [s for s in STEP_ORDER if any(s in r["step_time_per_token_s"] for r in runs)]
    for s in steps:
        row(f"  {s} per token", lambda r, s=s: (
            f"{_ms(r['step_time_per_token_s'][s])} ({_pct(r['step_share'][s])})"
            if s in r["step_time_per_token_s"] else "-"))
    row("memory-processing share", lambda r: _pct(r["memory_processing_share"]))
    engines = sorted({e for r in runs for e in r["device_busy_frac"]})
    for e in engines:
        row(f"  busy {e}", lambda r, e=e: _pct(r["device_busy_frac"][e]) if e in r["device_busy_frac"] else "-")
    links = sorted({link for r in runs for link in r["link_bytes"]})
    for link in links:
        row(f"  bytes {link}", lambda r, link=link: f"{r['link_bytes'].get(link, 0) / 1e6:.1f} MB")
    row("energy per request", lambda r: f"{r['energy_per_request_j']:.1f} J")
    row("  band over calibrations", lambda r: _band(r, "energy_j", lambda j: f"{j / w['batch']:.1f} J"))
    row("energy per output token", lambda r: f"{r['energy_per_token_j'] * 1e3:.1f} mJ")
    row("  band over calibrations", lambda r: _band(r, "energy_per_token_j", lambda j: f"{j * 1e3:.1f} mJ"))
    row("speedup vs gpu-only (e2e)", lambda r: (
        f"{r['speedup_vs_gpu_only']:.3f}x" if "speedup_vs_gpu_only" in r else "-"))
    row("TPOT speedup vs gpu-only", lambda r: (
        f"{r['tpot_speedup_vs_gpu_only']:.3f}x" if "tpot_speedup_vs_gpu_only" in r else "-"))
    row("energy ratio vs gpu-only", lambda r: (
        f"{r['energy_ratio_vs_gpu_only']:.3f}" if "energy_ratio_vs_gpu_only" in r else "-"))
    row("weakest provenance", lambda r: r["provenance_weakest"])
    row("GPU calibration profile", lambda r: ", ".join(
        p.rsplit("/", 1)[-1] for p in r["calibration_profiles"].values()) or "none (datasheet model)")
    return t


def print_results(summary: dict, out_dir=None, console: Console | None = None) -> None:
    console = console or Console()
    console.print(results_table(summary))
    for r in summary["runs"]:
        for warning in r["warnings"]:
            console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    for note in summary.get("notes", []):
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False)
    assumed = sorted({k for r in summary["runs"] for k in r["provenance"].get("assumed", [])})
    if assumed:
        console.print(f"[dim]assumed inputs ({len(assumed)}): {escape(', '.join(assumed[:8]))}"
                      f"{' ...' if len(assumed) > 8 else ''}[/]")
    if out_dir is not None:
        console.print(f"results: {escape(str(out_dir))}/ (summary.json, ops.parquet, iterations.parquet, "
                      "traces/*.json for ui.perfetto.dev)")
