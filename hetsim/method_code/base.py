"""What every method module shares: sizes from a catalogue model, tensors on a device or on `meta`,
and the steps as `nn.Module`s so the tracer brackets each step's ops (module calls are only a
tracing device here: the runner calls the plain functions)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from hetsim.method_code.composites import Composite

State = dict[str, Any]
Step = Callable[[State], None]

MODELS = Path(__file__).resolve().parents[2] / "configs" / "models"


def model_dims(name: str) -> dict[str, Any]:
    """A catalogue model's shape as a plain dict (yamlio: no pydantic, so the GPU runner can read it)."""
    from hetsim.yamlio import read_yaml

    return read_yaml(MODELS / f"{name}.yaml", "model")


class Maker:
    """Makes the state's tensors: random values on a real device, storage-free on `meta` (tracing)."""

    def __init__(self, device: str | torch.device, seed: int = 0):
        self.device = torch.device(device)
        self.meta = self.device.type == "meta"
        self.gen = None if self.meta else torch.Generator(self.device).manual_seed(seed)

    def randn(self, *shape: int, dtype: torch.dtype = torch.bfloat16) -> torch.Tensor:
        if self.meta:
            return torch.empty(shape, dtype=dtype, device=self.device)
        return torch.randn(shape, generator=self.gen, device=self.device).to(dtype)

    def rand(self, *shape: int, dtype: torch.dtype = torch.float32) -> torch.Tensor:
        if self.meta:
            return torch.empty(shape, dtype=dtype, device=self.device)
        return torch.rand(shape, generator=self.gen, device=self.device).to(dtype)

    def randint(self, high: int, *shape: int, dtype: torch.dtype = torch.int64) -> torch.Tensor:
        if self.meta:
            return torch.empty(shape, dtype=dtype, device=self.device)
        return torch.randint(0, high, shape, generator=self.gen, device=self.device, dtype=dtype)

    def arange(self, n: int, step: int = 1) -> torch.Tensor:
        """0, step, 2 step, ... (int64): row offsets of a flattened batch."""
        if self.meta:
            return torch.empty((n,), dtype=torch.int64, device=self.device)
        return torch.arange(n, device=self.device, dtype=torch.int64) * step


def made(c: Composite, device: str | torch.device) -> tuple[ModuleType, dict[str, Any], State, dict[str, Step]]:
    """A composite's method module, its sizes, its state made on `device` with random values, and its phase's
    steps, every step run once in order so that each step's inputs exist before any is timed or profiled alone."""
    mod = importlib.import_module(f"hetsim.method_code.{c.module}")
    sizes = mod.sizes(model_dims(c.model), c.params, c.batch, c.context)
    state = mod.state(sizes, Maker(device), c.phase)
    steps = mod.STEPS[c.phase]
    for fn in steps.values():
        fn(state)
    return mod, sizes, state, steps


def nonzero(mask: torch.Tensor, assumed: int) -> torch.Tensor:
    """torch.nonzero(mask): the indices of its True elements, a data-dependent count (on a GPU the host
    waits to learn it). Fake tensors (tracing) carry no data, so there the count is `assumed`, the one
    the hand formula assumes: the trace records aten.nonzero (its host waits for the count) with that many
    rows, run as nonzero_static (a composite's sizes name the count, the runner copies it into the trace's meta)."""
    from torch._subclasses.fake_tensor import FakeTensor

    from hetsim.tracing.recorder import stands_for

    if isinstance(mask, FakeTensor):
        with stands_for("aten.nonzero.default"):
            return torch.nonzero_static(mask, size=assumed)
    return torch.nonzero(mask)


class StepModule(torch.nn.Module):
    def __init__(self, fn: Step):
        super().__init__()
        self.fn = fn

    def forward(self, state: State) -> None:
        self.fn(state)


class Pipeline(torch.nn.Module):
    """The steps of one phase in order; the tracer records step i as the module call `steps.<i>`
    (a list, not a dict: `apply` is an nn.Module attribute)."""

    def __init__(self, steps: dict[str, Step]):
        super().__init__()
        self.names = list(steps)
        self.steps = torch.nn.ModuleList(StepModule(fn) for fn in steps.values())

    def forward(self, state: State) -> None:
        for step in self.steps:
            step(state)
