"""The shipped symbolic traces: one per (model, stack, phase), read without torch.

A template is a one-layer trace of the model (real widths, one decoder layer) in symbolic form
(symbolic.py), cut into three sections by the decoder layer's module call: `head` (embedding,
rotary tables, mask building: once per forward), `layer` (one decoder layer: repeated per layer),
`tail` (final norm, lm_head with logits_to_keep=1). Phases:

  prefill  the first forward of a generation: T new tokens at batch B, empty cache (a StaticCache
           of length L is allocated in it)
  decode   one step at batch B with C tokens cached (StaticCache length L)

Stack `hf-paged` (transformers' continuous batching) has one template per iteration kind instead
(PAGED_SYMBOLS; priced by hetsim/serving/stack_cost.py, not by hetsim/stacks/lower.py).

Files: hetsim/stacks/traces/MODEL.STACK.PHASE.json.gz, written by `python -m
hetsim.stacks.regenerate` with their provenance.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from hetsim.stacks import symbolic
from hetsim.tracing.trace import AtenOp, SdpaCall, Trace

TRACES_DIR = Path(__file__).parent / "traces"
FORMAT = 1
PHASES = ("prefill", "decode")
# the symbols each phase's sizes are written in, per stack
SYMBOLS = {
    ("hf-dynamic", "prefill"): ("B", "T"),
    ("hf-dynamic", "decode"): ("B", "C"),
    ("hf-static", "prefill"): ("B", "T", "L"),
    ("hf-static", "decode"): ("B", "C", "L"),
}
# transformers' continuous batching (hetsim/tracing/paged.py): one iteration's forward, by how it
# reads the cache. `fresh`: no request has cached tokens (the cache is only written); `cached`:
# Q >= 2 new tokens, K read; `single`: one decoding request (Q = R = 1: two copies fewer)
PAGED_SYMBOLS = {
    ("hf-paged", "fresh"): ("Q", "R"),
    ("hf-paged", "cached"): ("Q", "K", "R"),
    ("hf-paged", "single"): ("K",),
}
ALL_SYMBOLS = {**SYMBOLS, **PAGED_SYMBOLS}


def path_for(model: str, stack: str, phase: str, folder: Path | None = None) -> Path:
    return (folder or TRACES_DIR) / f"{model}.{stack}.{phase}.json.gz"


def shipped_models(folder: Path | None = None) -> list[str]:
    names = {p.name.split(".hf-")[0] for p in (folder or TRACES_DIR).glob("*.json.gz")}
    return sorted(names)


@dataclass
class Template:
    """A loaded template: the symbolic trace document and its sections (op index ranges)."""

    model: str
    stack: str
    phase: str
    symbols: tuple[str, ...]
    doc: dict[str, Any]  # the trace's JSON (format of Trace.to_json) with expression leaves
    sections: dict[str, tuple[int, int]]  # head, layer, tail -> [first, end)
    provenance: dict[str, Any]
    _ops: dict = field(default_factory=dict, repr=False)
    _op_symbols: list = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._op_symbols = [tuple(sorted(symbolic.uses(o))) for o in self.doc["ops"]]

    def op(self, index: int, values: dict[str, int]) -> AtenOp:
        """Op `index` at the given sizes (each op is built once per value of the symbols it uses)."""
        used = self._op_symbols[index]
        key = (index, tuple(values[s] for s in used))
        hit = self._ops.get(key)
        if hit is None:
            hit = self._ops[key] = AtenOp.from_json(symbolic.instantiate(self.doc["ops"][index], values))
        return hit

    def symbols_used(self, first: int, end: int) -> set[str]:
        return set().union(*self._op_symbols[first:end]) if end > first else set()

    def sdpa(self, values: dict[str, int]) -> list[SdpaCall]:
        return [SdpaCall.from_json(symbolic.instantiate(s, values)) for s in self.doc["sdpa"]]

    def trace(self, values: dict[str, int]) -> Trace:
        """The whole one-layer trace at the given sizes (what tracing the one-layer model records)."""
        missing = [s for s in self.symbols if s not in values]
        if missing:
            raise ValueError(f"template {self.model} {self.stack} {self.phase} needs sizes {', '.join(missing)}")
        doc = symbolic.instantiate({k: v for k, v in self.doc.items() if k != "meta"}, values)
        doc["meta"] = {}
        return Trace.from_json(doc)


def to_file(tpl: Template) -> dict[str, Any]:
    return {"format": FORMAT, "model": tpl.model, "stack": tpl.stack, "phase": tpl.phase,
            "symbols": list(tpl.symbols), "sections": {k: list(v) for k, v in tpl.sections.items()},
            "provenance": tpl.provenance, "trace": tpl.doc}


def from_file(data: dict[str, Any]) -> Template:
    if data.get("format") != FORMAT:
        raise ValueError(f"stack template format {data.get('format')!r}, expected {FORMAT}")
    return Template(data["model"], data["stack"], data["phase"], tuple(data["symbols"]), data["trace"],
                    {k: tuple(v) for k, v in data["sections"].items()}, data["provenance"])


def dumps(tpl: Template) -> bytes:
    """The file's bytes: sorted JSON, gzip without a timestamp (regeneration is byte for byte)."""
    text = json.dumps(to_file(tpl), sort_keys=True, separators=(",", ":"))
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


def read(path: Path) -> Template:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return from_file(json.load(fh))


@lru_cache(maxsize=64)
def load(model: str, stack: str, phase: str, folder: Path | None = None) -> Template:
    """The shipped template; FileNotFoundError when there is none for that model."""
    return read(path_for(model, stack, phase, folder))
