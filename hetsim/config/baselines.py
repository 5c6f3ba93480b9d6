"""Named GPU baselines (`configs/baselines/*.yaml`): the GPU software a method's runs assume.

A baseline is data, one file each: which method it is for, whether it is the software the paper
compared against (`kind: paper`) or an efficient one (`kind: efficient`), the stack running the
LLM layers, eager or CUDA-graph execution, where the reference run's memory-processing steps
run (`memory_steps_on: gpu | cpu`: bm25s on the host CPU), and, where the code is custom CUDA or
TileLang that hetsim cannot trace, the efficiency of its kernels per GPU rate key as a fraction of
the datasheet roofline, each with its provenance and a reference. An efficiency is never fitted
to a published speedup: it says what the kernels are assumed (or derived) to reach.

An experiment selects one with `gpu_baseline: paper | efficient | NAME`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field

from hetsim.config.errors import did_you_mean, validate
from hetsim.config.schema import SafeName, Strict
from hetsim.errors import ConfigError
from hetsim.yamlio import read_yaml

KINDS = ("paper", "efficient")


class KernelEfficiency(Strict):
    """Achieved fraction of the GPU's datasheet HBM bandwidth (and, optionally, of its peak FLOP
    rate) for the ops of one rate key and the keys that refine it (`topk`: single- and multi-block)."""

    bw: float = Field(gt=0, le=1, description="fraction of the datasheet HBM bandwidth")
    flop: float | None = Field(default=None, gt=0, le=1, description="fraction of the peak FLOP rate "
                               "(vector peak; matrix peak for matmul keys); default: as without the baseline")
    source: Literal["derived", "assumed"]
    ref: str = Field(min_length=1, description="paper, repository or issue the figure rests on")


class BaselineSpec(Strict):
    name: SafeName
    method: str = Field(description="the method this baseline runs (`hetsim methods`)")
    kind: Literal["paper", "efficient"]
    describes: str = Field(min_length=1, description="the software, as its authors name it")
    ref: str = Field(min_length=1, description="where the choice of software comes from")
    stack: str = Field(description="workload.stack the LLM layers run on (`hetsim stacks`)")
    gpu_execution: Literal["eager", "graph"]
    memory_steps_on: Literal["gpu", "cpu"] = Field(
        default="gpu", description="where the gpu-only reference runs relevancy and retrieval (cpu: the system's "
                                  "first host-CPU device)")
    efficiencies: dict[str, KernelEfficiency] = Field(
        default_factory=dict, description="per GPU rate key: kernels hetsim cannot trace (custom CUDA / TileLang)")
    notes: str = ""


def baselines_dir(root: Path) -> Path:
    return root / "baselines"


@lru_cache(maxsize=8)
def _load_all(folder: str) -> dict[str, tuple[BaselineSpec, str]]:
    out: dict[str, tuple[BaselineSpec, str]] = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        spec = validate(BaselineSpec, read_yaml(path, "baseline"), str(path))
        if spec.name in out:
            raise ConfigError(f"duplicate baseline name {spec.name!r} (also in {out[spec.name][1]})",
                              file=str(path), field="name")
        out[spec.name] = (spec, str(path))
    return out


def load_baselines(root: Path) -> dict[str, BaselineSpec]:
    """Every baseline under `root/baselines/`, by name."""
    return {name: spec for name, (spec, _) in _load_all(str(baselines_dir(root))).items()}


def select_baseline(root: Path, choice: str, method: str, file: str, field: str = "gpu_baseline") -> BaselineSpec:
    """The baseline `choice` names for `method`: `paper` / `efficient` (the method's baseline of
    that kind) or a baseline's name. A name that is unknown or belongs to another method is a
    one-line ConfigError naming the field."""
    table = load_baselines(root)
    if choice in KINDS:
        found = [b for b in table.values() if b.method == method and b.kind == choice]
        if not found:
            raise ConfigError(f"no {choice} baseline for method {method!r} in {baselines_dir(root)}",
                              file=file, field=field)
        if len(found) > 1:
            raise ConfigError(f"method {method!r} has {len(found)} {choice} baselines "
                              f"({', '.join(b.name for b in found)}); name one", file=file, field=field)
        return found[0]
    if choice not in table:
        names = [*KINDS, *sorted(table)]
        raise ConfigError(f"unknown baseline {choice!r}{did_you_mean(choice, names)} (expected paper, efficient or "
                          f"a name in {baselines_dir(root)}: {', '.join(sorted(table))})", file=file, field=field)
    spec = table[choice]
    if spec.method != method:
        mine = sorted(b.name for b in table.values() if b.method == method)
        raise ConfigError(f"baseline {choice!r} is for method {spec.method!r}, not {method!r}"
                          + (f" (its baselines: {', '.join(mine)})" if mine else ""), file=file, field=field)
    return spec
