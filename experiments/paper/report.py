"""From the paper grid's results to per-method ranges and a markdown report.

Per point, each placement of the method is compared with the method's GPU-only run on the same
system and workload:
  end-to-end speedup        gpu-only e2e_s / placement e2e_s
  memory-processing speedup device time of Prepare, Relevancy, Retrieval (fused or not) and the
                            transfers, summed over the run: gpu-only / placement
  energy ratio              placement energy / energy of the GPU-only run, which prices a GPU-only
                            *system* (`simulation.idle_power: used`: the unused FPGA costs nothing)
  energy ratio, FPGA installed  the same with the FPGA's idle power added to the GPU-only run (a
                            machine whose FPGA stays powered while unused)
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

MP_STEPS = ("prepare", "relevancy", "retrieval", "relevancy+retrieval", "transfer")


def memory_time(row: pd.Series) -> float:
    return float(sum(row.get(f"step_time_total_s.{s}", 0.0) or 0.0 for s in MP_STEPS
                     if pd.notna(row.get(f"step_time_total_s.{s}"))))


def idle_of_unused(ref: pd.Series, run: pd.Series) -> float:
    """Idle energy, over the GPU-only run's wall time, of the devices `run` uses and `ref` does not
    (their idle power read off `run`: idle_j / e2e_s)."""
    total = 0.0
    for col in ref.index:
        unused = col.startswith("energy_by_device_j.") and col.endswith(".used") and pd.notna(ref[col]) \
            and not bool(ref[col])
        if unused:
            dev = col.removeprefix("energy_by_device_j.").removesuffix(".used")
            idle_j = run.get(f"energy_by_device_j.{dev}.idle_j")
            if pd.notna(idle_j) and run["e2e_s"] > 0:
                total += float(idle_j) / float(run["e2e_s"]) * float(ref["e2e_s"])
    return total


def comparisons(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (point, non-GPU-only placement of the point's method) that ran."""
    out = []
    ok = df[df["status"] == "ok"]
    for _, group in ok.groupby("point_id", sort=False):
        method = group["config.workload.method"].iloc[0]
        ref = group[group["label"] == f"{method}/gpu-only"]
        if ref.empty:
            continue
        ref = ref.iloc[0]
        for _, r in group[(group["method"] == method) & (group["label"] != ref["label"])].iterrows():
            mp = memory_time(r)
            model = r["placement_devices.model"]
            offload = [r[c] for c in r.index if c.startswith("device_busy_frac.")
                       and not c.removeprefix("device_busy_frac.").startswith(f"{model}:") and pd.notna(r[c])]
            out.append({
                "method": method, "system": r["config.system"], "label": r["label"],
                "batch": r["config.workload.batch"], "context": r["config.workload.context_tokens"],
                "fallback": "fallback" in str(r["placement"]),
                "offload_busy": max(offload, default=0.0),
                "e2e_speedup": ref["e2e_s"] / r["e2e_s"],
                "mp_speedup": memory_time(ref) / mp if mp > 0 else float("nan"),
                "energy_ratio": r["energy_j"] / ref["energy_j"],
                "energy_ratio_installed": r["energy_j"] / (ref["energy_j"] + idle_of_unused(ref, r)),
            })
    return pd.DataFrame(out)


def span(values: pd.Series, fmt: str = "{:.2f}") -> str:
    v = values.dropna()
    if v.empty:
        return "-"
    return f"{fmt.format(v.min())}-{fmt.format(v.max())} (median {fmt.format(v.median())})"


def ranges(df: pd.DataFrame, cmp: pd.DataFrame, rejected: dict | None = None) -> pd.DataFrame:
    """Per method, system and placement: the ranges over points where the placement really used
    its devices (a placement that fell back to GPU-only is counted, not ranged). `rejected`:
    (method, system) -> combinations the method's config rejects (e.g. a context below a chunk)."""
    rows = []
    rejected = rejected or {}
    points = df.drop_duplicates("point_id")
    for (method, system), pts in points.groupby(["config.workload.method", "config.system"]):
        skipped = int((pts["status"] != "ok").sum())
        sub = cmp[(cmp["method"] == method) & (cmp["system"] == system)] if len(cmp) else cmp
        labels = sorted(sub["label"].unique()) if len(sub) else ["-"]
        for label in labels:
            s = sub[sub["label"] == label] if len(sub) else sub
            real = s[~s["fallback"]] if len(s) else s
            rows.append({
                "method": method, "system": system, "placement": label.split("/", 1)[-1],
                "points": len(pts), "rejected": rejected.get((method, system), 0), "did not fit": skipped,
                "fell back": int(s["fallback"].sum()) if len(s) else 0,
                "off-GPU busy": span(real["offload_busy"] * 100, "{:.0f}%") if len(real) else "-",
                "end-to-end speedup": span(real["e2e_speedup"]) if len(real) else "-",
                "memory-processing speedup": span(real["mp_speedup"]) if len(real) else "-",
                "energy ratio": span(real["energy_ratio"]) if len(real) else "-",
                "energy ratio (FPGA installed)": span(real["energy_ratio_installed"]) if len(real) else "-",
            })
    return pd.DataFrame(rows)


def markdown_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def provenance(df: pd.DataFrame) -> tuple[list[str], list[str], list[str]]:
    """Weakest grades, the inputs graded 'assumed', and the calibration profiles, over every run."""
    ok = df[df["status"] == "ok"]
    weakest = sorted(ok["provenance_weakest"].dropna().unique()) if "provenance_weakest" in ok else []
    assumed: set[str] = set()
    for text in ok.get("provenance", pd.Series(dtype=object)).dropna().unique():
        assumed |= set(json.loads(text).get("assumed", []))
    profile_cols = [c for c in ok.columns if c.startswith("calibration_profiles.")]
    cwd = str(Path.cwd()) + "/"
    profiles = sorted({str(v).removeprefix(cwd) for c in profile_cols for v in ok[c].dropna().unique()})
    return weakest, sorted(assumed), profiles


def write_report(path: Path, *, df: pd.DataFrame, grid: dict, grids, left_out: dict, figures: dict,
                 wall_s: float, command: str, quick: bool, rejected: dict | None = None,
                 study: list[str] | None = None) -> Path:
    """`study`: the two-baseline study's sections (study_report.py), placed before the grid's."""
    import hetsim

    cmp = comparisons(df)
    table = ranges(df, cmp, rejected)
    weakest, assumed, profiles = provenance(df)
    skipped = df[df["status"] != "ok"].drop_duplicates("point_id")
    reasons = skipped["note"].str.split(":").str[0].value_counts().to_dict() if len(skipped) else {}
    lines = [
        f"# The paper's evaluation, simulated{' (quick)' if quick else ''}",
        "",
        f"`{command}` - hetsim {hetsim.__version__}, {df['point_id'].nunique()} points, {len(df)} runs, "
        f"{wall_s:.0f} s wall. **Every number below is simulated**, none is measured.",
        "",
        *(study or []),
        "## Per method: ranges over the grid (GPU software as each example writes it)",
        "",
        "Ranges are min-max (median) over every batch and context (or corpus size) where the point "
        "fits memory and the placement did not fall back to GPU-only. Speedups above 1 and energy ratios "
        "below 1 favour the heterogeneous placement. *points*: simulated or skipped; *rejected*: combinations "
        "the method's config refuses (not counted in points); *off-GPU busy*: busy fraction of the busiest "
        "engine off the LLM's GPU (0%: the placement put nothing there at these settings).",
        "",
        markdown_table(table) if len(table) else "(no method ran)",
        "",
    ]
    if left_out:
        lines += ["Methods not in the grid: " + "; ".join(f"`{m}` ({why})" for m, why in left_out.items()), ""]
    ok = df[df["status"] == "ok"]
    largest = ok.groupby("config.workload.method")["config.workload.context_tokens"].max()
    lines += ["Largest context simulated (fits the GPU at batch 1 at least): "
              + ", ".join(f"{m} {int(v):,}" for m, v in largest.items()) + " tokens.", ""]
    lines += ["## Grid", ""]
    for g in grids:
        example = g.example.relative_to(Path.cwd()) if g.example.is_relative_to(Path.cwd()) else g.example
        lines.append(f"- `{g.method}`: example `{example}`" + (f", corpus parameter `{g.corpus_param}`"
                                                               if g.corpus_param else ""))
    lines += [
        f"- systems: {', '.join(grid['systems'])} (H100+U55C is a what-if: the paper measured no such pairing); "
        "each placement is compared with GPU-only on the same system",
        f"- batch {grid['batch']}; context tokens {grid['context']}, or for a method with a corpus parameter "
        f"(RAG) corpus sizes {grid['corpus']} at the example's context (the question)",
        "- decode tokens, model and method parameters: the example's"
        + (f", decode tokens capped at {grid['decode_tokens']} (--quick)" if grid["decode_tokens"] else ""),
        "",
        "## What the numbers rest on",
        "",
        "- Points that do not fit memory are **skipped, not simulated** (`simulation.memory_check: error`): "
        "the weights plus the KV cache (plus the index for GPU-only) must fit the GPU. Skipped points: "
        + (", ".join(f"{n} ({why})" for why, n in reasons.items()) or "none") + ".",
        "- A placement whose index does not fit the FPGA's memory falls back to GPU-only (the runner's rule); "
        "those points are counted under 'fell back' and left out of the ranges (their speedup is 1 by construction).",
        "- At a batch the placement's micro-batch count does not divide (batch 1), the placement runs with "
        "gcd(batch, micro-batches) micro-batches under the same name: no GPU/FPGA overlap at batch 1.",
        "- Energy ratio: the GPU-only reference is a GPU-only *system* (`simulation.idle_power: used`: a device "
        "no step uses costs nothing). The ratio with the FPGA installed and idling beside the GPU-only run is "
        "given too.",
        "- FPGA kernels are the v2 designs of `fpga_kernels/` (30 HBM pseudo-channel ports, flat II=1 PE loops, "
        "systolic top-k for k <= 256 and a radix select above, one XRT launch per token serving a job queue); "
        "their II, pipeline depths, clock and LUT counts are derived from the HLS source, not confirmed by a "
        "Vitis report (`fpga_kernels/README.md` says which report replaces each). DSA runs the int16 indexer "
        "build (`indexer: bf16`) unless the example selects the lookup-table one.",
        "- Memory-processing time: device time of Prepare, Relevancy, Retrieval (or the fused kernel) and the "
        "GPU<->FPGA transfers, summed over the whole run (prefill included) and over micro-batches.",
        "- The dense-attention baseline row is not run (`baseline: null`): every comparison is within a method.",
        f"- Weakest provenance of any run: {', '.join(weakest) or '-'}. GPU calibration profiles used: "
        + (", ".join(f"`{p}`" for p in profiles) if profiles else
           "**none** - GPU op times come from the datasheet roofline with assumed efficiencies") + ".",
        f"- Inputs graded *assumed* ({len(assumed)}): " + (", ".join(f"`{a}`" for a in assumed) or "none") + ".",
        "- No constant was tuned to the paper's results: the hardware figures are the catalogue's "
        "(`hetsim devices` lists each with its source).",
        "",
        "## Figures",
        "",
    ]
    for method, paths in figures.items():
        lines.append(f"### {method}")
        lines.append("")
        for p in paths:
            if p.suffix == ".png":
                lines.append(f"![{p.stem}]({p.relative_to(path.parent)})")
        lines.append("")
    path.write_text("\n".join(lines) + "\n")
    return path
