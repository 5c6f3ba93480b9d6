"""Tables and plots of the profiling study."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from cases import PAPER_NOTE, PAPER_SHARE, SYSTEMS, size_label
from intensity import PAPER_AI, STEPS, family_intensity, fmt_cell
from notes import DISAGREEMENTS

FAMILIES = ("sparse attention", "RAG", "RAG two-stage", "MemAgent", "Memory as Context", "TTT")


def pct(x) -> str:
    return "-" if x is None or pd.isna(x) else f"{100 * x:.1f}%"


def paper_cell(family: str, size: int) -> str:
    r = PAPER_SHARE.get((family, size))
    if r:
        return f"{100 * r[0]:.0f}-{100 * r[1]:.0f}%"
    return "up to 97%" if family == "MemAgent" else ""


def share_table(df: pd.DataFrame) -> str:
    gpus = list(SYSTEMS)
    lines = ["| family | method | model | size | share of | " + " | ".join(f"hetsim {g}" for g in gpus)
             + " | MI210, no launch gap | paper |", "|" + "---|" * (7 + len(gpus))]
    for (family, method, size), g in df.groupby(["family", "method", "size"], sort=False):
        by_gpu = g.set_index("gpu")
        cells = []
        for gpu in gpus:
            row = by_gpu.loc[gpu]
            cell = pct(row["share"])
            if method == "memagent":
                cell += f" (phases {pct(row['memory_phase_share'])})"
            cells.append(cell)
        kind = "decode step" if g["share_kind"].iloc[0] == "decode" else "request"
        unit = "docs" if family.startswith("RAG") else "tokens"
        no_gap = pct(by_gpu.loc["MI210", "share_no_launch_gap"])
        lines.append(f"| {family} | {method} | {g['model'].iloc[0]} | {size_label(size)} {unit} | {kind} | "
                     + " | ".join(cells) + f" | {no_gap} | {paper_cell(family, size)} |")
    return "\n".join(lines)


def intensity_table(ai: dict) -> str:
    cols = [f for f in FAMILIES if f in ai]
    head = "| step | " + " | ".join(f"{c} (hetsim) | {c} (paper)" for c in cols) + " |"
    lines = [head, "|" + "---|" * (1 + 2 * len(cols))]
    for step in STEPS:
        cells = []
        for c in cols:
            paper = PAPER_AI.get("RAG" if c.startswith("RAG") else c, {}).get(step, "")
            cells += [fmt_cell(ai[c].get(step)), paper]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def method_intensity_table(ai: dict) -> str:
    lines = ["| method | " + " | ".join(STEPS) + " |", "|" + "---|" * (1 + len(STEPS))]
    for method, steps in ai.items():
        lines.append(f"| {method} | " + " | ".join(fmt_cell(steps.get(s)) for s in STEPS) + " |")
    return "\n".join(lines)


def plots(df: pd.DataFrame, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    style = {"MI210": "-", "A100": "--"}

    def save(fig, name):
        for ext in ("png", "svg"):
            path = out / f"{name}.{ext}"
            fig.savefig(path, dpi=120, bbox_inches="tight")
            written.append(path)
        plt.close(fig)

    for family, x_label, bands in (
        ("sparse attention", "context tokens", [(4096, PAPER_SHARE[("sparse attention", 4096)]),
                                                (1048576, PAPER_SHARE[("sparse attention", 1048576)])]),
        ("RAG", "corpus documents", [(20_000_000, PAPER_SHARE[("RAG", 20_000_000)])]),
    ):
        fams = [family] if family != "RAG" else ["RAG", "RAG two-stage"]
        sub = df[df["family"].isin(fams)]
        fig, ax = plt.subplots(figsize=(7, 4.2))
        colors = {m: f"C{i}" for i, m in enumerate(sorted(sub["method"].unique()))}
        for (method, gpu), g in sub.groupby(["method", "gpu"]):
            g = g.sort_values("size")
            ax.plot(g["size"], 100 * g["share"], style[gpu], marker="o", color=colors[method],
                    label=f"{method} ({gpu})")
        for x, (lo, hi) in bands:
            ax.errorbar([x], [100 * (lo + hi) / 2], yerr=[[100 * (hi - lo) / 2]], fmt="none", ecolor="k",
                        capsize=6, lw=2, label=f"paper at {size_label(x)}")
        ax.set_xscale("log")
        ax.set_xlabel(x_label)
        ax.set_ylabel("memory-processing share (%)")
        ax.set_title(f"{family}: GPU-only, batch 1 (hetsim, simulated)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2)
        save(fig, family.replace(" ", "_").lower())

    sub = df[df["family"].isin(["MemAgent", "Memory as Context", "TTT"])]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    short = {"memagent": "MemAgent", "memory_as_context": "MaC (HMT)", "ttt": "TTT"}
    labels = [f"{short[r.method]}\n{size_label(r.size)}" for r in sub[sub["gpu"] == "MI210"].itertuples()]
    for i, gpu in enumerate(SYSTEMS):
        g = sub[sub["gpu"] == gpu]
        ax.bar([j + 0.4 * i for j in range(len(g))], 100 * g["share"], 0.4, label=gpu)
    ax.axhline(97, color="k", ls=":", label="paper: MemAgent up to 97%")
    ax.set_xticks([j + 0.2 for j in range(len(labels))], labels, fontsize=8)
    ax.set_ylabel("memory-processing share of the request (%)")
    ax.set_title("MemAgent, Memory as Context, TTT: GPU-only, batch 1 (hetsim, simulated)")
    ax.legend(fontsize=8)
    save(fig, "memagent_mac_ttt")
    return written


def write_report(out: Path, rows: list[dict], cases, quick: bool, wall_s: float) -> str:
    from hetsim.config.load import Catalogue

    out.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows)
    order = {f: i for i, f in enumerate(FAMILIES)}
    df = df.sort_values(["family", "method", "size", "gpu"], key=lambda s: s.map(order) if s.name == "family" else s)
    df.drop(columns=["warnings", "iteration_s"]).to_csv(out / "shares.csv", index=False)
    cat = Catalogue.load()
    ai, ai_methods = family_intensity(cat, cases), family_intensity(cat, cases, by="method")
    figures = plots(df, out)
    warnings = sorted({w for ws in df["warnings"] for w in ws if "simulated anyway" in w})
    text = "\n".join([
        "# Memory-processing share on GPU-only (hetsim profiling study) - SIMULATED",
        "",
        f"`python experiments/profiling/run.py{' --quick' if quick else ''}` ({wall_s:.0f} s). Batch 1, GPU-only "
        "placement of the paper's MI210 + U55C and of A100-80GB + U55C; share = (Prepare + Relevancy + "
        "Retrieval) / all simulated time, per decode step for sparse attention and over the whole request "
        "otherwise. MemAgent also shows the share of time in its memory-writing phases (attention included). "
        "Contexts that exceed one GPU's memory (and DeepSeek-V3.2, 61 layers) run with "
        "`simulation.memory_check: warn`. No GPU calibration profile: datasheet roofline with assumed "
        "efficiencies and a 10 us eager launch gap per op.",
        "",
        "## Share of memory processing",
        "",
        share_table(df),
        "",
        "Paper (He et al. 2026, paper.md s1): " + "; ".join(f"{k}: {v}" for k, v in PAPER_NOTE.items()) + ".",
        "",
        "## Arithmetic intensity per step (FLOP/byte of the GPU lowering, batch 1, over the sizes above)",
        "",
        intensity_table(ai),
        "",
        "Per method (decode: one decode step's layer; prefill: building the index of the whole prompt; "
        "a range spans the study's sizes):",
        "",
        method_intensity_table(ai_methods),
        "",
        "## Why hetsim and the paper disagree",
        "",
        DISAGREEMENTS,
        "",
        "## Figures",
        "",
        *[f"- {p.name}" for p in figures if p.suffix == ".png"],
        "",
        "## Runs simulated beyond memory (memory_check: warn)",
        "",
        *[f"- {w}" for w in warnings[:12]],
        *([f"- ... and {len(warnings) - 12} more"] if len(warnings) > 12 else []),
    ])
    (out / "profiling.md").write_text(text + "\n")
    return text
