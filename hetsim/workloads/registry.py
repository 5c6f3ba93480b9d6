"""Looking a method up by name and validating its parameters, with errors that name the field."""

from __future__ import annotations

from pydantic import ValidationError

from hetsim.config.load import validation_error
from hetsim.config.schema import ModelSpec, WorkloadSpec
from hetsim.errors import ConfigError
from hetsim.workloads import METHODS
from hetsim.workloads.base import Method


def build_method(workload: WorkloadSpec, model: ModelSpec, file: str = "<experiment>",
                 method: str | None = None) -> Method:
    name = method or workload.method
    if name not in METHODS:
        raise ConfigError(f"unknown method {name!r}; known: {', '.join(sorted(METHODS))}",
                          file=file, field="workload.method")
    cls = METHODS[name]
    params_in = workload.params if name == workload.method else {}
    try:
        params = cls.Params.model_validate(params_in)
    except ValidationError as exc:
        raise validation_error(exc, file, "workload.params") from None
    try:
        return cls(params, workload, model)
    except ValueError as exc:
        field = getattr(exc, "field", None)
        raise ConfigError(str(exc), file=file,
                          field=f"workload.params.{field}" if field else "workload") from None
