"""The methods by name, and building one with its parameters validated (errors name the field)."""

from __future__ import annotations

from pydantic import ValidationError

from hetsim.config.errors import did_you_mean, validation_error
from hetsim.config.schema import ModelSpec, WorkloadSpec
from hetsim.errors import ConfigError
from hetsim.workloads.base import GPU_ARCH, Method
from hetsim.workloads.dense import Dense
from hetsim.workloads.dsa import DSA
from hetsim.workloads.lserve import LServe
from hetsim.workloads.memagent import MemAgent
from hetsim.workloads.memory_as_context import MemoryAsContext
from hetsim.workloads.rag import Rag, RagTwoStage
from hetsim.workloads.seer_attention import SeerAttention
from hetsim.workloads.ttt import TTT

METHODS: dict[str, type[Method]] = {
    cls.name: cls for cls in (Dense, LServe, DSA, SeerAttention, Rag, RagTwoStage, MemAgent, MemoryAsContext, TTT)
}


def build_method(workload: WorkloadSpec, model: ModelSpec, file: str = "<experiment>",
                 method: str | None = None, gpu_arch: int | None = GPU_ARCH) -> Method:
    """`gpu_arch`: compute capability (90 for 9.0; None: not a CUDA GPU) of the GPU that runs the LLM layers,
    which decides an hf stack's SDPA backend (`Method.gpu_arch`)."""
    name = method or workload.method
    if name not in METHODS:
        raise ConfigError(f"unknown method {name!r}{did_you_mean(name, sorted(METHODS))} "
                          f"(known: {', '.join(sorted(METHODS))})",
                          file=file, field="workload.method")
    cls = METHODS[name]
    params_in = workload.params if name == workload.method else {}
    try:
        params = cls.Params.model_validate(params_in)
    except ValidationError as exc:
        raise validation_error(exc, file, "workload.params") from None
    try:
        built = cls(params, workload, model)
    except ValueError as exc:
        field = getattr(exc, "field", None)
        raise ConfigError(str(exc), file=file,
                          field=f"workload.params.{field}" if field else "workload") from None
    built.gpu_arch = gpu_arch
    return built
