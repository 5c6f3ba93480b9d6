"""Placements: which device runs the LLM layers and each of the four steps.

Built in:
  gpu-only  everything on the first GPU;
  paper     He et al.'s split: Prepare and Apply on the first GPU, Relevancy + Retrieval
            (fused) on the first FPGA, two micro-batches so the GPU and FPGA overlap (one when
            the batch does not split evenly, or the method is request-level); a method
            may say otherwise (`Method.paper_placement`: MemAgent decodes its memory on the
            FPGA, TTT stays on the GPU) and may fall back by batch size (`apply_batch_rule`).
A user writes any other as a `PlacementSpec` (step -> device id).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hetsim.config.errors import did_you_mean
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


def first_device(scn, kind: str) -> str | None:
    return next((d for d in scn.system.devices if scn.device(d).kind == kind), None)


def resolve(scn, method, item: str | PlacementSpec, where: str) -> tuple[Placement, list[str]]:
    """A placement as written (built-in name or mapping) for `method`, and notes for the results."""
    gpu = first_device(scn, "gpu")
    if gpu is None:
        raise ConfigError("the system has no GPU to run the LLM layers", file=scn.file, field="system.devices")
    if isinstance(item, str):
        if item == "gpu-only":
            return Placement(item, gpu, dict.fromkeys(STEPS, gpu)), []
        if item == "paper":
            fpga = first_device(scn, "fpga")
            if fpga is None:
                raise ConfigError("placement 'paper' needs an FPGA in the system", file=scn.file, field=where)
            steps, micro_batches = method.paper_placement(gpu, fpga)
            notes = []
            if micro_batches is None:
                # the built-in split overlaps devices with two micro-batches; a batch that does not
                # split evenly runs as one, and the results say so (the user never wrote the field)
                micro_batches = PAPER_MICRO_BATCHES
                batch = scn.spec.workload.batch
                if batch % micro_batches or method.request_level:
                    micro_batches = 1
                    why = "a request-level method" if method.request_level else f"batch {batch}"
                    notes.append(f"placement paper: {why} runs as one micro-batch (no GPU/FPGA overlap "
                                 "between micro-batches)")
            return _split(scn, method, Placement(item, gpu, steps, micro_batches), where), notes
        raise ConfigError(f"unknown placement {item!r}{did_you_mean(item, list(BUILTIN))}; built in: "
                          f"{', '.join(BUILTIN)} (or write a mapping step -> device id)", file=scn.file, field=where)
    model = item.model or gpu
    steps = {s: getattr(item, s) or model for s in STEPS}
    for role, dev in (("model", model), *steps.items()):
        if dev not in scn.system.devices:
            raise ConfigError(
                f"device {dev!r} is not in system {scn.system.name!r}{did_you_mean(dev, list(scn.system.devices))} "
                f"(devices: {', '.join(scn.system.devices)})",
                file=scn.file, field=f"{where}.{role}",
            )
    if scn.device(model).kind != "gpu":
        raise ConfigError("the LLM layers must run on a GPU", file=scn.file, field=f"{where}.model")
    return _split(scn, method, Placement(item.name, model, steps, item.micro_batches), where), []


def _split(scn, method, p: Placement, where: str) -> Placement:
    batch = scn.spec.workload.batch
    if batch % p.micro_batches:
        raise ConfigError(f"batch {batch} does not split evenly into {p.micro_batches} micro-batches",
                          file=scn.file, field=f"{where}.micro_batches")
    if p.micro_batches > 1 and method.request_level:
        raise ConfigError(f"method {method.name} runs request-level steps (a search, a memory "
                          "update) for the whole batch at once; use micro_batches: 1",
                          file=scn.file, field=f"{where}.micro_batches")
    return p


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
