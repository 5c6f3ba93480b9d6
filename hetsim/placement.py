"""Placements: which device runs the LLM layers and each of the four steps.

Built in:
  gpu-only  everything on the first GPU;
  paper     He et al.'s split: Prepare and Apply on the first GPU, Relevancy + Retrieval
            (fused) on the first FPGA, two micro-batches so the GPU and FPGA overlap.
A user writes any other as a `PlacementSpec` (step -> device id).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hetsim.config.schema import STEPS, PlacementSpec
from hetsim.errors import ConfigError

BUILTIN = ("gpu-only", "paper")
PAPER_MICRO_BATCHES = 2


@dataclass(frozen=True)
class Placement:
    name: str
    model: str  # device id of the LLM layers (and the KV cache)
    steps: dict[str, str] = field(hash=False)
    micro_batches: int = 1

    def device_of(self, step: str) -> str:
        return self.model if step == "model" else self.steps[step]


def first_device(exp, kind: str) -> str | None:
    return next((d for d in exp.system.devices if exp.device(d).kind == kind), None)


def resolve(exp, item: str | PlacementSpec, where: str) -> Placement:
    gpu = first_device(exp, "gpu")
    if gpu is None:
        raise ConfigError("the system has no GPU to run the LLM layers", file=exp.file, field="system.devices")
    if isinstance(item, str):
        if item == "gpu-only":
            return Placement(item, gpu, dict.fromkeys(STEPS, gpu))
        if item == "paper":
            fpga = first_device(exp, "fpga")
            if fpga is None:
                raise ConfigError("placement 'paper' needs an FPGA in the system", file=exp.file, field=where)
            return _split(exp, Placement(item, gpu, {"prepare": gpu, "relevancy": fpga, "retrieval": fpga,
                                                     "apply": gpu}, PAPER_MICRO_BATCHES), where)
        raise ConfigError(f"unknown placement {item!r}; built in: {', '.join(BUILTIN)} "
                          "(or write a mapping step -> device id)", file=exp.file, field=where)
    model = item.model or gpu
    steps = {s: getattr(item, s) or model for s in STEPS}
    for role, dev in (("model", model), *steps.items()):
        if dev not in exp.system.devices:
            raise ConfigError(
                f"device {dev!r} is not in system {exp.system.name!r} (devices: {', '.join(exp.system.devices)})",
                file=exp.file, field=f"{where}.{role}",
            )
    if exp.device(model).kind != "gpu":
        raise ConfigError("the LLM layers must run on a GPU", file=exp.file, field=f"{where}.model")
    return _split(exp, Placement(item.name, model, steps, item.micro_batches), where)


def _split(exp, p: Placement, where: str) -> Placement:
    batch = exp.spec.workload.batch
    if batch % p.micro_batches:
        raise ConfigError(f"batch {batch} does not split evenly into {p.micro_batches} micro-batches",
                          file=exp.file, field=f"{where}.micro_batches")
    return p


def check_placements(exp) -> list[Placement]:
    """Resolve every placement and check each step can run where it is placed."""
    from hetsim.sim.lowering import check_lowering

    out = []
    for i, item in enumerate(exp.placements):
        p = resolve(exp, item, f"placements[{i}]")
        check_lowering(exp, p, f"placements[{i}]")
        out.append(p)
    return out
