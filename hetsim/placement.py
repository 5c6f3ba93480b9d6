"""Placements: which device runs the LLM layers and each of the four steps.

Built in:
  gpu-only  everything on the first GPU;
  paper     He et al.'s split: Prepare and Apply on the first GPU, Relevancy + Retrieval
            (fused) on the first FPGA, two micro-batches so the GPU and FPGA overlap (one when
            the batch does not split evenly, or the method is request-level); a method
            may say otherwise (`Method.paper_placement`: MemAgent decodes its memory on the
            FPGA, TTT stays on the GPU) and may fall back by batch size (`apply_batch_rule`).
A user writes any other as a `PlacementSpec` (step -> device id).

Two ways to overlap the FPGA's steps with the GPU's work, priced differently:
  micro_batches      the batch split in N: every micro-batch runs every layer, so the weights are
                     read N times per token for the same requests (pays only when the overlap
                     wins more than the extra reads cost);
  pipelined_batches  N independent request batches, each of the full batch size, in flight at
                     once: while one batch's GPU work runs, another's FPGA steps run. No batch is
                     split, so each reads the weights once per token, as it would alone; the price
                     is N times the requests in flight (KV cache and index memory) and a token
                     time shared by all of them. Throughput is per all N batches; per-request
                     metrics (energy per request, per token) divide by all N x batch requests.
A GPU-only baseline (`gpu_baseline` with `memory_steps_on: cpu`, hetsim.baselines) moves the
built-in gpu-only placement's relevancy and retrieval onto the system's host CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hetsim.config.baselines import select_baseline
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
    pipelined_batches: int = 1

    @property
    def streams(self) -> int:
        """Copies of every layer an iteration runs: the micro-batches of each pipelined batch."""
        return self.micro_batches * self.pipelined_batches

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
            return _gpu_only(scn, gpu, where)
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
    p = Placement(item.name, model, steps, item.micro_batches, item.pipelined_batches)
    return _split(scn, method, p, where), []


def _gpu_only(scn, gpu: str, where: str) -> tuple[Placement, list[str]]:
    """Everything on the first GPU; relevancy and retrieval on the host CPU where the experiment's
    GPU baseline retrieves there (the paper's RAG baseline: bm25s on the CPU)."""
    steps = dict.fromkeys(STEPS, gpu)
    choice = getattr(scn.spec, "gpu_baseline", None)
    if choice is None:
        return Placement("gpu-only", gpu, steps), []
    b = select_baseline(scn.catalogue.root, choice, scn.spec.workload.method, scn.file)
    if b.memory_steps_on != "cpu":
        return Placement("gpu-only", gpu, steps), []
    cpu = first_device(scn, "cpu")
    if cpu is None:
        raise ConfigError(f"gpu_baseline {b.name} runs relevancy and retrieval on the host CPU, and system "
                          f"{scn.system.name!r} lists no cpu device (add one, e.g. cpu0: host-cpu-2c)",
                          file=scn.file, field=where)
    steps.update(relevancy=cpu, retrieval=cpu)
    return Placement("gpu-only", gpu, steps), [f"placement gpu-only: relevancy and retrieval on {cpu} "
                                               f"(gpu_baseline {b.name}: {b.describes})"]


def _split(scn, method, p: Placement, where: str) -> Placement:
    batch = scn.spec.workload.batch
    if batch % p.micro_batches:
        raise ConfigError(f"batch {batch} does not split evenly into {p.micro_batches} micro-batches",
                          file=scn.file, field=f"{where}.micro_batches")
    if p.micro_batches > 1 and method.request_level:
        raise ConfigError(f"method {method.name} runs request-level steps (a search, a memory "
                          "update) for the whole batch at once; use micro_batches: 1",
                          file=scn.file, field=f"{where}.micro_batches")
    if p.pipelined_batches > 1 and method.request_level:
        # its phases are barrier-separated: one batch's search cannot run under another's decode here
        # (the serving model overlaps them: hetsim.serving)
        raise ConfigError(f"method {method.name} runs request-level steps between barrier-separated phases, so "
                          "pipelined batches would not overlap them; use pipelined_batches: 1 (or a serving: "
                          "section, which overlaps requests' searches with other requests' iterations)",
                          file=scn.file, field=f"{where}.pipelined_batches")
    if p.pipelined_batches > 1 and scn.spec.serving is not None:
        raise ConfigError("pipelined_batches applies to a static batch; a serving: section batches requests "
                          "itself", file=scn.file, field=f"{where}.pipelined_batches")
    return p


def gpu_only_fallback(p: Placement) -> Placement:
    """`p` with every step on its GPU: what a placement falls back to when its FPGA cannot help."""
    return Placement(p.name + " (fallback gpu-only)", p.model, dict.fromkeys(p.steps, p.model), 1,
                     p.pipelined_batches)


def apply_batch_rule(p: Placement, method, machine) -> tuple[Placement, str | None]:
    """A method's batch-size rule (MemAgent: FPGA decode loses to the GPU beyond a small batch):
    the placement to run and, when it falls back, why (for the results)."""
    if all(dev == p.model for dev in p.steps.values()):
        return p, None
    reason = method.batch_rule(machine, p)
    if reason is None:
        return p, None
    return gpu_only_fallback(p), f"placement {p.name}: {reason}: fell back to GPU-only"
