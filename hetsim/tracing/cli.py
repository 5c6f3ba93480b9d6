"""`hetsim trace`: trace one step of a catalogue model and print its ops by class. Imports no torch itself."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table


def register(app: typer.Typer, friendly) -> None:
    """Add `hetsim trace`; `friendly` turns a HetsimError into one line and exit code 2."""
    app.command(name="trace")(friendly(trace))


def _si(value: float) -> str:
    for unit, scale in (("P", 1e15), ("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:.3g} "


def trace(
    model: Annotated[str, typer.Argument(help="catalogue model name, e.g. Llama-3.1-8B (see configs/models)")],
    phase: Annotated[str, typer.Option(help="prefill (a prompt, empty cache) or decode (one step on a cache)")]
    = "decode",
    batch: Annotated[int, typer.Option(help="sequences in the batch")] = 1,
    context: Annotated[int, typer.Option(help="decode: tokens already cached; prefill: prompt length")] = 1024,
    tokens: Annotated[int | None, typer.Option(help="tokens the step processes (decode: 1; prefill: --context)")]
    = None,
    stack: Annotated[str, typer.Option(help="hf-dynamic (DynamicCache, transformers' default) or hf-static "
                                            "(StaticCache)")] = "hf-dynamic",
    cache_len: Annotated[int | None, typer.Option(help="hf-static: the static cache length (default: cached + "
                                                       "new tokens)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the summary as JSON on stdout")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="trace again even if the trace cache has it")]
    = False,
) -> None:
    """Trace one prefill or decode step of a transformers model (fake tensors: no GPU, no weights)."""
    from hetsim.tracing.deps import pinned_transformers
    from hetsim.tracing.hf import trace_model
    from hetsim.tracing.summary import summarise

    result = trace_model(model, phase, batch, context, tokens, stack, cache_len, cache=not no_cache)
    summary = summarise(result)
    pin = pinned_transformers()
    if pin and result.meta.get("transformers") != pin:
        Console(stderr=True).print(f"note: traced with transformers {result.meta.get('transformers')}; the trace "
                                   f"extra pins {pin}, which end-to-end runs should use", highlight=False)
    if json_out:
        print(json.dumps(summary, indent=1))
        return
    m = result.meta
    table = Table(title=f"{m['model']} {m['phase']} {m['stack']}: batch {m['batch']}, {m['cached']} cached + "
                        f"{m['new']} new tokens (transformers {m['transformers']}, torch {m['torch']})")
    for col in ("class", "aten calls", "FLOPs", "bytes", "most frequent aten ops"):
        table.add_column(col, justify="left" if col in ("class", "most frequent aten ops") else "right")
    for name, row in summary["by_class"].items():
        if row["ops"]:
            top = ", ".join(f"{k.removeprefix('aten.')} {v}" for k, v in list(row["aten"].items())[:4])
            table.add_row(name, str(row["ops"]), _si(row["flops"]), _si(row["bytes"]) + "B", top)
    table.add_row("total", str(summary["ops"]), _si(summary["flops"]), _si(summary["bytes"]) + "B", "")
    table.caption = f"{summary['module_calls']} module calls, {len(result.sdpa)} SDPA calls"
    Console().print(table)
