"""The paper's evaluation grid as sweeps: one sweep per method that has an example experiment.

A method joins by being registered in `hetsim.workloads.registry.METHODS` with an example experiment,
`configs/experiments/<method>.yaml` (else the first experiment there that runs it). Its sweep
keeps the example's model, parameters, decode tokens and placements, and varies:
  system   MI210+U55C (the paper's machine), A100+U55C, H100+U55C (what-if)
  batch    1..32
  memory   context 4K..1M tokens; for a method with a corpus-size parameter (named like
           *corpus*, *docs*: RAG) the corpus instead, up to 20M documents, at the example's context
           (there the question)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from hetsim.config.load import Catalogue, configs_root, read_yaml
from hetsim.dse.expand import Sweep, build_sweep
from hetsim.placement import resolve
from hetsim.scenario import load_experiment

SYSTEMS = ("mi210_u55c", "a100_u55c", "h100_u55c")
WHAT_IF = {"h100_u55c"}  # no such pairing was measured by the paper
FULL = {"batch": [1, 2, 4, 8, 16, 32], "context": [4096, 16384, 65536, 262144, 1048576],
        "corpus": [100_000, 1_000_000, 20_000_000], "systems": list(SYSTEMS), "decode_tokens": None}
QUICK = {"batch": [1, 8], "context": [8192, 65536], "corpus": [1_000_000, 20_000_000],
         "systems": ["mi210_u55c", "a100_u55c"], "decode_tokens": 16}


@dataclass
class MethodGrid:
    method: str
    example: Path
    corpus_param: str | None
    sweep: Sweep


def example_for(method: str, root: Path) -> Path | None:
    own = root / "experiments" / f"{method}.yaml"
    if own.is_file():
        return own
    for path in sorted((root / "experiments").glob("*.yaml")):
        if read_yaml(path).get("workload", {}).get("method") == method:
            return path
    return None


def corpus_param(method_cls) -> str | None:
    names = list(method_cls.Params.model_fields)
    return next((n for n in names if "corpus" in n), None) or next(
        (n for n in names if n.endswith(("docs", "documents"))), None)


def placements_for(exp, batch: int) -> list:
    """The example's placements at `batch`: a placement whose micro-batch count does not divide
    the batch runs with gcd(batch, micro-batches) micro-batches under the same name."""
    out = []
    for i, item in enumerate(exp.spec.placements):
        p, _ = resolve(exp, exp.method, item, f"placements[{i}]")
        mb = math.gcd(batch, p.micro_batches)
        if isinstance(item, str) and mb == p.micro_batches:
            out.append(item)
        else:
            out.append({"name": p.name, "model": p.model, **p.steps, "micro_batches": mb})
    return out


def method_grids(grid: dict, out: Path, catalogue: Catalogue,
                 only: list[str] | None = None) -> tuple[list[MethodGrid], dict[str, str]]:
    """The sweeps to run, and the methods left out with why. `only`: just these methods."""
    from hetsim.workloads.registry import METHODS

    root = configs_root()
    grids, left_out = [], {}
    for name, cls in sorted(METHODS.items()):
        if only and name not in only:
            continue
        example = example_for(name, root)
        if example is None:
            left_out[name] = "no example experiment in configs/experiments" + (" (the reference)" if name == "dense"
                                                                                 else "")
            continue
        exp = load_experiment(example, catalogue)
        fixed = {"baseline": None, "simulation.memory_check": "error"}
        if grid["decode_tokens"]:
            fixed["workload.decode_tokens"] = min(grid["decode_tokens"], exp.spec.workload.decode_tokens)
        # a RAG method's context is its question: its memory is the corpus, so that is what grows
        corpus = corpus_param(cls)
        memory = ({f"workload.params.{corpus}": grid["corpus"]} if corpus
                  else {"workload.context_tokens": grid["context"]})
        axes = [{"grid": {"system": grid["systems"], **memory}},
                {"zip": {"workload.batch": grid["batch"],
                         "placements": [placements_for(exp, b) for b in grid["batch"]]}}]
        data = {"name": f"paper-{name}", "base": str(example), "set": fixed, "axes": axes, "invalid": "skip",
                "out": str(out / "sweeps" / name)}
        sweep = build_sweep(data, f"experiments/paper/grid.py (paper-{name})", catalogue)
        grids.append(MethodGrid(name, example, corpus, sweep))
    return grids, left_out
