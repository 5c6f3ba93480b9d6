"""Record the aten ops a Python function dispatches, the module calls around them and its SDPA calls.

Run it under FakeTensorMode (see `fake.py`) and nothing is computed or allocated: the recorder
sees every op with the real shapes, strides and dtypes. Imports torch; import this lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch._prims_common import suggest_memory_format
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from hetsim.tracing.trace import AtenOp, ModuleCall, SdpaCall, TensorMeta, Trace

aten = torch.ops.aten

# Calls that only ask for a tensor's device or sizes: they launch nothing and are about a third
# of all calls, so they are left out (their count is kept in the trace's meta).
_BOOKKEEPING = {torch.ops.prim.device.default, aten.sym_size.int, aten.sym_stride.int, aten.sym_numel.default,
                aten.sym_storage_offset.default, aten.is_contiguous.default, aten.is_contiguous.memory_format}

# Ops whose `dim` argument names the reduced dimensions (softmax reduces for its normaliser).
REDUCTIONS = frozenset({
    "sum", "mean", "amax", "amin", "max", "min", "argmax", "argmin", "prod", "var", "std", "var_mean", "std_mean",
    "_softmax", "softmax", "_log_softmax", "log_softmax", "_safe_softmax", "logsumexp", "norm",
    "linalg_vector_norm", "any", "all", "cumsum", "cumprod", "topk", "sort", "argsort", "count_nonzero", "nansum",
})

_SDPA = torch.nn.functional.scaled_dot_product_attention
_RMS_NORM = torch.nn.functional.rms_norm
FUSED_RMS_NORM = "aten._fused_rms_norm.default"

_STANDS_FOR: list[str] = []  # the innermost `stands_for` name, while one is open


@contextmanager
def stands_for(aten_name: str) -> Iterator[None]:
    """Record the ops dispatched inside as `aten_name`: the op the code runs on real tensors, where fake
    tensors must run another (torch.nonzero's count depends on the data, so a trace runs nonzero_static
    at an assumed count; the trace still says nonzero, whose host waits for the count)."""
    _STANDS_FOR.append(aten_name)
    try:
        yield
    finally:
        _STANDS_FOR.pop()


class _Schema:
    """What the recorder needs from one overload's schema, worked out once."""

    __slots__ = ("names", "defaults", "alias", "inplace", "reduction")

    def __init__(self, func: torch._ops.OpOverload):
        schema = func._schema
        self.names = [a.name for a in schema.arguments]
        self.defaults = {a.name: a.default_value for a in schema.arguments if a.has_default_value()}
        self.alias = any(r.alias_info is not None and not r.alias_info.is_write for r in schema.returns)
        self.inplace = any(a.alias_info is not None and a.alias_info.is_write for a in schema.arguments)
        self.reduction = func.overloadpacket.__name__ in REDUCTIONS


def _plain(value: Any) -> Any:
    """A non-tensor argument as JSON can hold it (dtypes and devices by name)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    return str(value)


def tensor_meta(t: torch.Tensor) -> TensorMeta:
    return TensorMeta(tuple(t.shape), tuple(t.stride()), str(t.dtype).removeprefix("torch."),
                      t._is_view(), t.is_contiguous())


def _tensors(value: Any, into: list[TensorMeta]) -> None:
    if isinstance(value, torch.Tensor):
        into.append(tensor_meta(value))
    elif isinstance(value, list | tuple):
        for v in value:
            _tensors(v, into)


def _reduced_dims(value: Any, rank: int) -> tuple[int, ...] | None:
    if value is None:
        return None
    dims = [value] if isinstance(value, int) else list(value)
    if not dims:  # sum(x, dim=[]) reduces over every dimension
        return None
    return tuple(sorted(d % rank if rank else 0 for d in dims))


def _gpu_conv_layout(out: torch.Tensor, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """A convolution's output in the layout cuDNN writes it (cudnn_conv_suggest_memory_format): channels-last where
    the input or the weight is. Fake CPU tensors take the layout of the CPU backend ATen would pick, which hangs on
    the host's ISA: a bf16 channels-last conv3d runs oneDNN (channels-last out) on a CPU with AVX-512 and the slow
    kernel (contiguous out) on one with AVX2 only, so the traces, and the op cases built from them, differed by host."""
    if out.dim() not in (4, 5):
        return out
    last = torch.channels_last if out.dim() == 4 else torch.channels_last_3d
    if last not in (suggest_memory_format(x), suggest_memory_format(weight)) or out.is_contiguous(memory_format=last):
        return out
    return out.contiguous(memory_format=last)  # inside the handler: the mode is off, nothing recorded


class Recorder(TorchDispatchMode):
    """Appends one `AtenOp` per aten call; `enter`/`leave` bracket module calls."""

    def __init__(self) -> None:
        super().__init__()
        self.ops: list[AtenOp] = []
        self.modules: list[list] = []  # [path, type, parent, first_op, end_op]
        self.sdpa: list[SdpaCall] = []
        self.stack: list[int] = []
        self.skipped = 0
        self._schemas: dict[Any, _Schema] = {}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _BOOKKEEPING:
            self.skipped += 1
            return func(*args, **kwargs)
        schema = self._schemas.get(func)
        if schema is None:
            schema = self._schemas[func] = _Schema(func)
        inputs: list[TensorMeta] = []
        named: dict[str, Any] = {}
        for name, value in zip(schema.names, args, strict=False):
            named[name] = value
        named.update(kwargs)
        plain: dict[str, Any] = {}
        # the inputs as the op found them: an in-place transpose_ / unsqueeze_ rewrites its input's shape
        for name, value in named.items():
            # a list holding tensors (index's `[None, idx]` included) is inputs, not a plain argument
            if isinstance(value, torch.Tensor) or (isinstance(value, list | tuple)
                                                   and any(isinstance(v, torch.Tensor) for v in value)):
                _tensors(value, inputs)
            else:
                plain[name] = _plain(value)
        out = func(*args, **kwargs)
        if func is torch.ops.aten.convolution.default:
            out = _gpu_conv_layout(out, named["input"], named["weight"])
        outputs: list[TensorMeta] = []
        _tensors(out, outputs)
        dims = None
        if schema.reduction and inputs:
            dim = named["dim"] if "dim" in named else schema.defaults.get("dim")
            dims = _reduced_dims(dim, len(inputs[0].shape))
        name = _STANDS_FOR[-1] if _STANDS_FOR else str(func)
        self.ops.append(AtenOp(name, tuple(inputs), tuple(outputs), plain, dims, schema.alias, schema.inplace,
                           self.stack[-1] if self.stack else -1))
        return out

    # --- module boundaries (forward pre/post hooks call these)
    def enter(self, path: str, kind: str) -> None:
        parent = self.stack[-1] if self.stack else -1
        self.stack.append(len(self.modules))
        self.modules.append([path, kind, parent, len(self.ops), -1])

    def leave(self) -> None:
        self.modules[self.stack.pop()][4] = len(self.ops)


class _PythonWatch(TorchFunctionMode):
    """Python-level calls whose CUDA kernels the CPU ops of fake tensors do not show: SDPA's arguments (the
    CUDA backend choice depends on them, not on the CPU op) and rms_norm (one fused kernel on a GPU, its
    composite's chain of ops on the CPU)."""

    def __init__(self, recorder: Recorder):
        super().__init__()
        self.recorder = recorder

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is _SDPA:
            return self._sdpa(func, args, kwargs)
        if func is _RMS_NORM or func is torch.rms_norm:
            return self._rms_norm(func, args, kwargs)
        return func(*args, **kwargs)

    def _sdpa(self, func, args, kwargs):
        rec = self.recorder
        first = len(rec.ops)
        out = func(*args, **kwargs)
        names = ("query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa")
        call = {"attn_mask": None, "dropout_p": 0.0, "is_causal": False, "scale": None, "enable_gqa": False}
        call.update(zip(names, args, strict=False))
        call.update(kwargs)
        mask = call["attn_mask"]
        rec.sdpa.append(SdpaCall(tensor_meta(call["query"]), tensor_meta(call["key"]), tensor_meta(call["value"]),
                                 None if mask is None else tensor_meta(mask), bool(call["is_causal"]),
                                 bool(call["enable_gqa"]), float(call["dropout_p"]),
                                 None if call["scale"] is None else float(call["scale"]), first, len(rec.ops),
                                 rec.stack[-1] if rec.stack else -1))
        return out

    def _rms_norm(self, func, args, kwargs):
        # F.rms_norm (nn.RMSNorm) runs ATen's rms_norm, which on a GPU calls one fused kernel, _fused_rms_norm
        # (layer_norm.cpp rms_norm_symint), unless the input is complex or channels-last or the weight's dtype
        # differs from the input's; _fused_rms_norm has no CPU kernel, so fake CPU tensors run its composite
        # (a cast, pow, mean, add, rsqrt, two muls, a cast). The trace records the GPU's one op in its place.
        rec = self.recorder
        first = len(rec.ops)
        out = func(*args, **kwargs)
        call = {"weight": None, "eps": None}
        call.update(zip(("input", "normalized_shape", "weight", "eps"), args, strict=False))
        call.update(kwargs)
        x, weight = call["input"], call["weight"]
        shape = [int(s) for s in call["normalized_shape"]]
        # ATen asks suggest_memory_format, which needs channels-last strides only, not a contiguous tensor
        channels_last = suggest_memory_format(x) in (torch.channels_last, torch.channels_last_3d)
        if x.is_complex() or channels_last or (weight is not None and weight.dtype != x.dtype):
            return out
        del rec.ops[first:]
        # the kernel's second output: 1 / rms per row, in the accumulate type (fp32 below double)
        rows = tuple(x.shape[:x.dim() - len(shape)]) + (1,) * len(shape)
        rstd = TensorMeta.dense(rows, "float64" if x.dtype == torch.float64 else "float32")
        inputs = (tensor_meta(x),) if weight is None else (tensor_meta(x), tensor_meta(weight))
        rec.ops.append(AtenOp(FUSED_RMS_NORM, inputs, (tensor_meta(out), rstd),
                              {"normalized_shape": shape, "eps": call["eps"]} | ({"weight": None} if weight is None
                                                                                   else {}),
                              None, False, False, rec.stack[-1] if rec.stack else -1))
        return out


def _hook(root: torch.nn.Module, rec: Recorder) -> list:
    handles = []
    for path, module in root.named_modules():
        kind = type(module).__name__
        handles.append(module.register_forward_pre_hook(lambda *_, p=path, k=kind: rec.enter(p, k)))
        handles.append(module.register_forward_hook(lambda *_: rec.leave()))
    return handles


def record(fn: Callable[[], Any], meta: dict[str, Any], modules: torch.nn.Module | None = None) -> Trace:
    """Run `fn()` once under the recorder and return what it dispatched.

    The caller enters FakeTensorMode (or passes meta tensors) so that nothing is computed;
    `modules` is the root whose submodule calls are bracketed (its own call has path "").
    """
    rec = Recorder()
    handles = _hook(modules, rec) if modules is not None else []
    try:
        with _PythonWatch(rec), rec, torch.no_grad():
            fn()
    finally:
        for h in handles:
            h.remove()
    calls = tuple(ModuleCall(*m) for m in rec.modules)
    return Trace({**meta, "bookkeeping_calls_skipped": rec.skipped}, tuple(rec.ops), calls, tuple(rec.sdpa))
