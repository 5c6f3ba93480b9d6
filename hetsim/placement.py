"""Placements: which device runs the LLM layers and each of the four steps.

Built in:
  gpu-only  everything on the first GPU;
  paper     He et al.'s split: Prepare and Apply on the first GPU, Relevancy + Retrieval
            (fused) on the first FPGA, two micro-batches so the GPU and FPGA overlap; a method
            may say otherwise (`Method.paper_placement`: MemAgent decodes its memory on the
            FPGA, TTT stays on the GPU) and may fall back by batch size (`apply_batch_rule`).
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
            steps, micro_batches = _method(exp).paper_placement(gpu, fpga)
            return _split(exp, Placement(item, gpu, steps, micro_batches or PAPER_MICRO_BATCHES), where)
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
    if p.micro_batches > 1 and _method(exp).request_level:
        raise ConfigError(f"method {exp.spec.workload.method} runs request-level steps (a search, a memory "
                          "update) for the whole batch at once; use micro_batches: 1",
                          file=exp.file, field=f"{where}.micro_batches")
    return p


def _method(exp):
    from hetsim.workloads.registry import build_method

    return build_method(exp.spec.workload, exp.model, exp.file)


def gpu_only_fallback(p: Placement) -> Placement:
    """`p` with every step on its GPU: what a placement falls back to when its FPGA cannot help."""
    return Placement(p.name + " (fallback gpu-only)", p.model, dict.fromkeys(p.steps, p.model), 1)


def apply_batch_rule(p: Placement, method, machine) -> tuple[Placement, str | None]:
    """A method's batch-size rule (MemAgent: FPGA decode loses to the GPU beyond a small batch):
    the placement to run and, when it falls back, why (for the results)."""
    if all(dev == p.model for dev in p.steps.values()):
        return p, None
    reason = method.batch_rule(machine, p)
    if reason is None:
        return p, None
    return gpu_only_fallback(p), f"placement {p.name}: {reason}: fell back to GPU-only"


def check_placements(exp) -> list[Placement]:
    """Resolve every placement and check each step can run where it is placed."""
    from hetsim.sim.lowering import check_lowering

    out = []
    for i, item in enumerate(exp.placements):
        p = resolve(exp, item, f"placements[{i}]")
        check_lowering(exp, p, f"placements[{i}]")
        out.append(p)
    return out
