"""`hetsim stacks`: the software stacks an experiment can name, the models they ship traces for,
and (`--ops`) how each aten op is priced."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer, friendly) -> None:
    app.command(name="stacks")(friendly(stacks))


def stacks(ops: Annotated[bool, typer.Option("--ops", help="also print the aten op -> regime table")] = False) -> None:
    """List the software stacks (workload.stack) and the models each ships traces for."""
    from hetsim.stacks import STACKS, templates

    shipped = ", ".join(templates.shipped_models()) or "none"
    table = Table(title="software stacks (workload.stack)")
    for col in ("stack", "what runs the LLM layers", "models"):
        table.add_column(col)
    for name, what in STACKS.items():
        table.add_row(name, what, "any" if name == "fused" else shipped)
    console = Console()
    console.print(table)
    console.print("SDPA backend of the hf stacks (workload.cudnn_sdpa): auto, as PyTorch >= 2.11 picks it (cuDNN on "
                  "compute capability 9.0 / 10.x, a graph build per new K/V length); off, as PyTorch 2.5.1-2.10 "
                  "wheels or TORCH_CUDNN_SDPA_DEPRIORITIZED=1 pick it (flash; memory-efficient where a mask is "
                  "passed)")
    if ops:
        from hetsim.stacks.aten import table_rows

        t = Table(title="aten op -> priced by (rate key; no fit in the profile: roofline, assumed)")
        t.add_column("aten op")
        t.add_column("regime")
        for name, regime in table_rows():
            t.add_row(name, regime)
        console.print(t)
