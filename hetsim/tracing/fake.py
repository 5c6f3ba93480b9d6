"""Fake tensors: real shapes, strides and dtypes, no storage and no compute.

Tensors and modules are faked on device "cpu". Fake "cuda" tensors cannot be used on a CPU-only
torch build: indexing (`x[:, None]`) opens a CUDA device guard in the Python binding and fails with
"PyTorch is not linked with support for cuda devices". Nothing in the traced forwards branches on
cpu vs cuda except SDPA's backend choice, which the recorder keeps at the Python level (sdpa.py).
Imports torch; import this lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch._subclasses.fake_tensor import FakeTensorMode

from hetsim.tracing import recorder

DEVICE = "cpu"


def new_mode() -> FakeTensorMode:
    # real tensors met during a traced call (a module's weights, a constant) become fake on the fly
    return FakeTensorMode(allow_non_fake_inputs=True)


def fake_module(module: torch.nn.Module, mode: FakeTensorMode) -> torch.nn.Module:
    """Give a module built on the meta device fake parameters and buffers, in place, keeping dtypes.

    `requires_grad` is kept too: eager `matmul` folds a 3-D input into one `mm` when the weight
    requires grad (even under no_grad) and may use `bmm` otherwise, so it changes the trace.
    """
    with mode:
        for sub in module.modules():
            for name, p in list(sub._parameters.items()):
                if p is not None:
                    empty = torch.empty_strided(p.shape, p.stride(), dtype=p.dtype, device=DEVICE)
                    sub._parameters[name] = torch.nn.Parameter(empty, requires_grad=p.requires_grad)
            for name, b in list(sub._buffers.items()):
                if b is not None:
                    sub._buffers[name] = torch.empty_strided(b.shape, b.stride(), dtype=b.dtype, device=DEVICE)
    return module


def fake_value(value: Any, mode: FakeTensorMode) -> Any:
    """A real or meta tensor (or a list/tuple/dict of them) as fake tensors of the same layout."""
    if isinstance(value, torch.Tensor):
        if value.device.type == "meta":
            with mode:
                return torch.empty_strided(value.shape, value.stride(), dtype=value.dtype, device=DEVICE)
        return mode.from_tensor(value)
    if isinstance(value, list | tuple):
        return type(value)(fake_value(v, mode) for v in value)
    if isinstance(value, dict):
        return {k: fake_value(v, mode) for k, v in value.items()}
    return value


def trace_callable(fn: Callable, *args: Any, module: torch.nn.Module | None = None,
                   meta: dict[str, Any] | None = None, **kwargs: Any):
    """Trace `fn(*args, **kwargs)` with fake copies of its tensor inputs.

    Inputs may be real tensors (their values are not used) or meta tensors. `module` (default: `fn`
    itself when it is an nn.Module, or the module a bound method belongs to) is the root whose
    submodule calls are bracketed; if its weights are on the meta device they are faked in place.
    """
    if module is None:
        owner = fn if isinstance(fn, torch.nn.Module) else getattr(fn, "__self__", None)
        module = owner if isinstance(owner, torch.nn.Module) else None
    mode = new_mode()
    if module is not None and any(t.device.type == "meta" for t in [*module.parameters(), *module.buffers()]):
        fake_module(module, mode)
    fargs = fake_value(args, mode)
    fkwargs = fake_value(kwargs, mode)
    info = {"source": "callable", "name": getattr(fn, "__qualname__", type(fn).__name__),
            "torch": torch.__version__, "device": DEVICE, **(meta or {})}
    with mode:
        return recorder.record(lambda: fn(*fargs, **fkwargs), info, module)
