import pytest

from hetsim.config.schema import WorkloadSpec
from hetsim.scenario import resolve_experiment
from hetsim.workloads.registry import build_method


@pytest.fixture
def method(catalogue):
    """A method object from (name, model, context, batch, decode, **params)."""

    def make(name: str, model: str, context: int = 8192, batch: int = 1, decode: int = 4, **params):
        w = WorkloadSpec(method=name, model=model, context_tokens=context, batch=batch, decode_tokens=decode,
                         params=params)
        return build_method(w, catalogue.models[model], "<test>")

    return make


@pytest.fixture
def experiment(catalogue):
    """A resolved experiment on the paper's MI210 + U55C (no files written, no baseline)."""

    def make(name: str, model: str, context: int = 8192, batch: int = 1, decode: int = 2, params=None,
             placements=("gpu-only", "paper"), system: str = "mi210_u55c", **top):
        data = {"name": f"test-{name}", "system": system,
                "workload": {"method": name, "model": model, "context_tokens": context, "batch": batch,
                             "decode_tokens": decode, "params": dict(params or {})},
                "placements": list(placements), "baseline": None, "seed": 0,
                "outputs": {"write": False, "trace_decode_steps": 0}}
        data.update(top)
        return resolve_experiment(data, "<test>", catalogue)

    return make
