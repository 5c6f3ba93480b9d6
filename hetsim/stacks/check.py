"""The stack an experiment names, checked when the scenario is resolved (one line, exit 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hetsim.errors import ConfigError
from hetsim.stacks import STACKS, templates

if TYPE_CHECKING:
    from hetsim.config.schema import ExperimentSpec


def check_stack(spec: ExperimentSpec, file: str) -> None:
    from hetsim.config.errors import did_you_mean

    stack, model = spec.workload.stack, spec.workload.model
    if stack not in STACKS:
        raise ConfigError(f"unknown stack {stack!r}{did_you_mean(stack, sorted(STACKS))} "
                          f"(known: {', '.join(STACKS)}; see `hetsim stacks`)", file=file, field="workload.stack")
    if stack == "fused":
        return
    if stack == "hf-paged" and spec.serving is None:
        raise ConfigError("stack hf-paged is transformers' continuous-batching engine: it prices serving runs only "
                          "(add a serving section, or use hf-dynamic / hf-static)", file=file, field="workload.stack")
    if stack == "hf-paged" and spec.simulation.gpu_execution == "graph":
        raise ConfigError("stack hf-paged is traced without CUDA graphs (use_cuda_graph=False); use "
                          "simulation.gpu_execution: eager", file=file, field="workload.stack")
    if spec.simulation.gpu_execution == "graph" and stack == "hf-dynamic":
        raise ConfigError("stack hf-dynamic runs eager only (its cache grows by torch.cat, so no CUDA graph can "
                          "replay it); use hf-static or simulation.gpu_execution: eager", file=file,
                          field="workload.stack")
    shipped = templates.shipped_models()
    if model not in shipped:
        raise ConfigError(f"stack {stack} has no shipped trace of model {model!r} (shipped: {', '.join(shipped)}); "
                          "use stack: fused", file=file, field="workload.stack")


def stack_notes(method) -> list[str]:
    """What part of the run follows the stack: the results carry it as a warning."""
    stack = method.workload.stack
    if stack == "fused":
        return []
    if method.stack_attention:
        from hetsim.stacks.aten import CUDNN_FIRST_ARCHS

        if method.workload.cudnn_sdpa == "auto" and method.gpu_arch in CUDNN_FIRST_ARCHS:
            sdpa = "SDPA on cuDNN (as PyTorch >= 2.11 picks on this GPU; a graph build per new K/V length)"
        else:
            sdpa = ("SDPA on flash, memory-efficient where a mask is passed (workload.cudnn_sdpa: off, or a GPU "
                    "PyTorch does not prefer cuDNN on)")
        return [f"stack {stack}: every LLM op (layers, embedding, LM head) is priced from transformers' traced aten "
                f"ops (hetsim/stacks/traces); {sdpa}; host time per op, view and module call from the GPU's "
                "profile (assumed where it has none, named in the provenance)"]
    return [f"stack {stack}: the LLM layers' norms, projections, rotary, MLP and LM head follow the stack's traced "
            f"aten ops; KV-cache append and attention follow method {method.name}'s own steps"]
