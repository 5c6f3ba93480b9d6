"""The table `hetsim results` prints: the config columns that vary across points and the key
metrics, under short distinct headers, numbers to 4 significant digits, never cut. Columns that do
not fit the terminal go to a further table that repeats the point's config and run label."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from rich import box
from rich.table import Table

# metric -> header; the ratios are against the same method's GPU-only run (said in the caption)
METRICS = {"tpot_s": "tpot_s", "e2e_s": "e2e_s", "energy_per_request_j": "J_per_request",
           "speedup_vs_gpu_only": "speedup", "energy_ratio_vs_gpu_only": "energy_ratio"}
BOX = box.HEAVY_HEAD


def fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return "-" if math.isnan(v) else f"{v:.4g}"
    if v is None:
        return "-"
    return str(v)


def short_headers(columns: list[str]) -> dict[str, str]:
    """Each dotted column by its shortest distinct tail: `config.workload.params.token_budget` ->
    `token_budget`, unless another column ends the same way."""
    parts = {c: c.removeprefix("config.").split(".") for c in columns}
    depth = dict.fromkeys(columns, 1)
    while True:
        names = {c: ".".join(p[-depth[c]:]) for c, p in parts.items()}
        clash = [c for c in columns if list(names.values()).count(names[c]) > 1 and depth[c] < len(parts[c])]
        if not clash:
            return names
        for c in clash:
            depth[c] += 1


def varying(df: pd.DataFrame, col: str) -> bool:
    return df[col].astype(str).nunique(dropna=False) > 1


def pick_columns(df: pd.DataFrame, swept: list[str]) -> tuple[list[str], list[str]]:
    """(columns that say which point and run a row is, value columns)."""
    configs = [f"config.{k}" for k in swept if f"config.{k}" in df]
    configs += [c for c in df.columns if c.startswith("config.") and c not in configs and varying(df, c)]
    keys = configs + ["label"]
    values = [c for c in METRICS if c in df]
    if "status" in df and df["status"].ne("ok").any():
        values.insert(0, "status")
    if "feasible" in df and not df["feasible"].all():
        values.append("feasible")
    return keys, values


def _width(cells: dict[str, list[str]], headers: dict[str, str], cols: list[str]) -> int:
    """Width of a HEAVY_HEAD table of `cols`: each column its widest cell or header, one space of
    padding either side, and a rule between and around columns."""
    return 1 + sum(max([len(headers[c]), *map(len, cells[c])]) + 3 for c in cols)


def results_tables(df: pd.DataFrame, swept: list[str], title: str, width: int, limit: int) -> list[Table]:
    """The rows of `df` (the first `limit`) as one table, or several when they would not fit `width`."""
    keys, values = pick_columns(df, swept)
    headers = {**short_headers(keys + [c for c in values if c not in METRICS]),
               **{c: h for c, h in METRICS.items() if c in values}}
    rows = df.head(limit)
    cells = {c: [fmt(v) for v in rows[c].tolist()] for c in keys + values}
    groups: list[list[str]] = [[]]
    for c in values:
        if groups[-1] and _width(cells, headers, keys + groups[-1] + [c]) > width:
            groups.append([])
        groups[-1].append(c)
    tables = []
    for i, group in enumerate(groups):
        t = Table(title=title if i == 0 else f"{title} (continued)", box=BOX,
                  caption="speedup, energy_ratio: against the method's GPU-only run" if
                  {"speedup_vs_gpu_only", "energy_ratio_vs_gpu_only"} & set(group) else None)
        for c in keys + group:
            # a cell wider than the terminal folds onto a second line rather than losing digits
            t.add_column(headers[c], justify="left" if c == "label" else "right", overflow="fold")
        for r in range(len(rows)):
            t.add_row(*[cells[c][r] for c in keys + group])
        tables.append(t)
    return tables
