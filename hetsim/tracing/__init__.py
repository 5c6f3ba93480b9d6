"""Tracing: record the aten ops a real PyTorch forward runs, at real shapes, with no GPU and no weights.

`trace_model` traces a prefill or decode step of a transformers model built from a catalogue
ModelSpec (hf.py); `trace_callable` traces any Python callable (fake.py). Both need the `trace`
extra (torch, transformers); reading, summarising and classifying a trace (trace.py, classify.py,
summary.py, sdpa.py, cache.py) does not, and importing this package imports neither.
"""

from __future__ import annotations

from typing import Any

from hetsim.tracing.trace import AtenOp, ModuleCall, SdpaCall, TensorMeta, Trace

__all__ = ["ModuleCall", "AtenOp", "SdpaCall", "TensorMeta", "Trace", "trace_callable", "trace_model"]


def trace_model(*args: Any, **kwargs: Any) -> Trace:
    """See `hetsim.tracing.hf.trace_model` (imported on call: it needs torch only on a cache miss)."""
    from hetsim.tracing.hf import trace_model as impl

    return impl(*args, **kwargs)


def trace_callable(*args: Any, **kwargs: Any) -> Trace:
    """See `hetsim.tracing.fake.trace_callable`."""
    from hetsim.tracing.deps import require

    require("torch")
    from hetsim.tracing.fake import trace_callable as impl

    return impl(*args, **kwargs)
