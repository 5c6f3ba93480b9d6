"""Figures of a sweep's results DataFrame (`load_results`): one function per figure, each
returning a matplotlib Figure, or None when the sweep does not vary what the figure needs.
`write_plots` saves every figure as PNG and SVG. Every title says SIMULATED."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display is needed or wanted

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from hetsim.outdir import (  # noqa: E402
    MANIFEST,
    check_writable,
    claim,
    clean_stale_temps,
    manifest_kind,
    temp_name,
    write_manifest,
)

STEPS = ("model", "prepare", "relevancy", "retrieval", "relevancy+retrieval", "apply", "transfer")
MEMORY_STEPS = ("prepare", "relevancy", "retrieval", "apply")
BATCH, CONTEXT = "config.workload.batch", "config.workload.context_tokens"


def ok_rows(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["status"] == "ok"] if "status" in df else df


def varying(df: pd.DataFrame, col: str) -> bool:
    return col in df and df[col].nunique(dropna=True) > 1


def corpus_column(df: pd.DataFrame) -> str | None:
    """A method parameter that sizes a document corpus (RAG), if the sweep varies one."""
    for col in df.columns:
        name = col.removeprefix("config.workload.params.")
        if col != name and ("corpus" in name or name.endswith(("docs", "documents"))) and varying(df, col) \
                and pd.api.types.is_numeric_dtype(df[col]):
            return col
    return None


def series_key(df: pd.DataFrame) -> list[str]:
    """What tells one line from another: the run label, and the system when it varies."""
    return ["label"] + (["config.system"] if varying(df, "config.system") else [])


def series_name(key) -> str:
    key = key if isinstance(key, tuple) else (key,)
    return " on ".join(str(k) for k in key)


def _log_if_wide(ax, values) -> None:
    v = np.asarray(sorted(set(values)), dtype=float)
    if len(v) > 1 and v[0] > 0 and v[-1] / v[0] > 8:
        ax.set_xscale("log", base=2)


def lines(df: pd.DataFrame, x: str, y: str, title: str, ylabel: str, ref: float | None = None) -> Figure | None:
    """Median of `y` over every other axis against `x`, one line per series, min-max band."""
    df = df.dropna(subset=[y])
    if not varying(df, x) or df.empty:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, group in df.groupby(series_key(df), sort=True):
        stats = group.groupby(x)[y].agg(["median", "min", "max"]).sort_index()
        ax.plot(stats.index, stats["median"], marker="o", label=series_name(key))
        if (stats["max"] > stats["min"]).any():
            ax.fill_between(stats.index, stats["min"], stats["max"], alpha=0.15)
    if ref is not None:
        ax.axhline(ref, color="grey", lw=0.8, ls="--")
    _log_if_wide(ax, df[x])
    ax.set_xlabel(x.removeprefix("config.").removeprefix("workload."))
    ax.set_ylabel(ylabel)
    ax.set_title(f"{title} - SIMULATED", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def speedup_vs(df: pd.DataFrame, x: str) -> Figure | None:
    df = ok_rows(df)
    if "speedup_vs_gpu_only" not in df:
        return None
    df = df[df["placement"].astype(str).ne("gpu-only") & df["method"].eq(df["config.workload.method"])]
    return lines(df, x, "speedup_vs_gpu_only", "end-to-end speedup vs GPU-only (median, min-max band)",
                 "speedup (x)", ref=1.0)


def speedup_vs_batch(df: pd.DataFrame) -> Figure | None:
    return speedup_vs(df, BATCH)


def speedup_vs_context(df: pd.DataFrame) -> Figure | None:
    return speedup_vs(df, CONTEXT)


def speedup_vs_corpus(df: pd.DataFrame) -> Figure | None:
    col = corpus_column(df)
    return speedup_vs(df, col) if col else None


def memory_axis(df: pd.DataFrame) -> str:
    """What sizes the memory in this sweep: the context, else a corpus, else the batch."""
    return CONTEXT if varying(df, CONTEXT) else (corpus_column(df) or BATCH)


def energy_per_request(df: pd.DataFrame) -> Figure | None:
    df = ok_rows(df)
    x = memory_axis(df)
    fig = lines(df, x, "energy_per_request_j", "energy per request (median, min-max band)", "J / request")
    if fig is not None:
        fig.axes[0].set_yscale("log")
    return fig


def representative(df: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Rows at the middle value of every varying numeric config column (systems, methods kept)."""
    chosen = []
    for col in sorted(c for c in df.columns if c.startswith("config.") and varying(df, c)):
        if col in ("config.system", "config.workload.method") or not pd.api.types.is_numeric_dtype(df[col]):
            continue
        values = sorted(df[col].dropna().unique())
        mid = values[len(values) // 2]
        df = df[df[col] == mid]
        chosen.append(f"{col.split('.')[-1]}={mid:g}")
    return df, ", ".join(chosen)


def time_per_step(df: pd.DataFrame) -> Figure | None:
    df, where = representative(ok_rows(df))
    # the whole run, not per output token: RAG and MemAgent do their memory work before the first token
    cols = [f"step_time_total_s.{s}" for s in STEPS if f"step_time_total_s.{s}" in df]
    if df.empty or not cols:
        return None
    names = [series_name(tuple(r)) for r in df[series_key(df)].itertuples(index=False)]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(df) + 1.8))
    left = np.zeros(len(df))
    for col in cols:
        seconds = df[col].fillna(0.0).to_numpy()
        ax.barh(names, seconds, left=left, label=col.split(".", 1)[1])
        left += seconds
    ax.invert_yaxis()
    ax.set_xlabel("device time over the run (s), per step, summed over micro-batches")
    ax.set_title(f"time per step{' at ' + where if where else ''} - SIMULATED", fontsize=10)
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.1 - 0.6 / (len(df) + 2)))
    fig.tight_layout()
    return fig


def pareto_mask(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Points no other point beats in both x and y (both minimised)."""
    order = np.lexsort((y, x))
    best, mask = np.inf, np.zeros(len(x), bool)
    for i in order:
        if y[i] < best:
            mask[i], best = True, y[i]
    return mask


def pareto_front(df: pd.DataFrame, x: str = "tpot_s", y: str = "energy_per_request_j") -> Figure | None:
    df = ok_rows(df).dropna(subset=[x, y])
    if len(df) < 2:
        return None
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, group in df.groupby(series_key(df), sort=True):
        ax.scatter(group[x], group[y], s=12, alpha=0.6, label=series_name(key))
    mask = pareto_mask(df[x].to_numpy(float), df[y].to_numpy(float))
    front = df[mask].sort_values(x)
    ax.step(front[x], front[y], where="post", color="black", lw=1.2, label=f"Pareto front ({mask.sum()})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title("time vs energy, every run of every point - SIMULATED", fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig


def devices_text(row: pd.Series) -> str:
    """Where the memory steps ran, relative to the LLM's device: 'relevancy,retrieval@fpga0'."""
    model = row.get("placement_devices.model")
    off: dict[str, list[str]] = {}
    for s in MEMORY_STEPS:
        dev = row.get(f"placement_devices.{s}")
        if isinstance(dev, str) and dev != model:
            off.setdefault(dev, []).append(s[:3])
    return "; ".join(f"{'+'.join(v)}@{d}" for d, v in off.items()) or f"all@{model}"


def placement_heatmap(df: pd.DataFrame, x: str | None = None, y: str = BATCH) -> Figure | None:
    """Per cell, the run of the point's own method with the shortest end-to-end time (median over
    other axes), coloured by placement and labelled with where its memory steps ran. `x`
    defaults to what sizes the memory (context, else corpus)."""
    df = ok_rows(df)
    x = x or memory_axis(df)
    df = df[df["method"].eq(df["config.workload.method"])].dropna(subset=["e2e_s"])
    if not (varying(df, x) and varying(df, y)):
        return None
    facets = sorted(df.groupby(["config.workload.method", "config.system"]).groups)
    placements = sorted(df["label"].str.split("/", n=1).str[1].unique())
    colours = {p: plt.cm.tab10(i % 10) for i, p in enumerate(placements)}
    ncol = min(3, len(facets))
    nrow = -(-len(facets) // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(5 * ncol, 3.6 * nrow), squeeze=False)
    for ax, (method, system) in zip(axes.flat, facets, strict=False):
        sub = df[(df["config.workload.method"] == method) & (df["config.system"] == system)]
        xs, ys = sorted(sub[x].unique()), sorted(sub[y].unique())
        for i, yv in enumerate(ys):
            for j, xv in enumerate(xs):
                cell = sub[(sub[x] == xv) & (sub[y] == yv)]
                if cell.empty:
                    continue
                med = cell.groupby("label")["e2e_s"].median()
                win = med.idxmin()
                place = win.split("/", 1)[1]
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, color=colours[place], alpha=0.55))
                ax.text(j, i, f"{place}\n{devices_text(cell[cell['label'] == win].iloc[0])}", ha="center",
                        va="center", fontsize=6)
        ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs], rotation=45, fontsize=7)
        ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys], fontsize=7)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_ylim(-0.5, len(ys) - 0.5)
        ax.set_xlabel(x.split(".")[-1])
        ax.set_ylabel(y.split(".")[-1])
        ax.set_title(f"{method} on {system}", fontsize=9)
    for ax in list(axes.flat)[len(facets):]:
        ax.axis("off")
    fig.suptitle("fastest placement (end to end) per cell - SIMULATED", fontsize=10)
    fig.tight_layout()
    return fig


PLOTS = {
    "speedup_vs_batch": speedup_vs_batch,
    "speedup_vs_context": speedup_vs_context,
    "speedup_vs_corpus": speedup_vs_corpus,
    "energy_per_request": energy_per_request,
    "time_per_step": time_per_step,
    "pareto_time_energy": pareto_front,
    "placement_heatmap": placement_heatmap,
}


KIND = "plots"


def adopt_legacy(out: Path) -> bool:
    """A figures folder the previous version wrote (only its NAME.png / NAME.svg files, no
    manifest) is hetsim's: give it its manifest. True when adopted."""
    out = Path(out)
    if not out.is_dir() or manifest_kind(out) is not None or (out / MANIFEST).exists():
        return False
    names = [p.name for p in out.iterdir()]
    if names and all(Path(n).stem in PLOTS and Path(n).suffix in (".png", ".svg") for n in names):
        write_manifest(out, KIND)
        return True
    return False


def check_plots_folder(out: Path, what: str = "--out") -> None:
    """Refuse (exit 2) a figures folder that is a file or holds files hetsim did not write."""
    adopt_legacy(out)
    check_writable(out, KIND, what)


def write_plots(df: pd.DataFrame, out: Path, which: dict | None = None) -> list[Path]:
    """Every figure the results support, as NAME.png and NAME.svg under `out` (a folder hetsim
    owns as plots: it refuses one holding files it did not write). Each file is written beside
    its name and renamed over it, so a figure is never half-written."""
    out = Path(out)
    check_plots_folder(out)
    written = []
    for name, fn in (which or PLOTS).items():
        fig = fn(df)
        if fig is None:
            continue
        if not written:
            claim(out, KIND)
            clean_stale_temps(out)
        for ext in ("png", "svg"):
            path = out / f"{name}.{ext}"
            tmp = out / temp_name(path.name)
            try:
                fig.savefig(tmp, dpi=130, format=ext)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
            written.append(path)
        plt.close(fig)
    return written
