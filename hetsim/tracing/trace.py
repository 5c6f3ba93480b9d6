"""The recorded trace as plain data: ops, module calls and SDPA calls, with a JSON form.

Nothing here imports torch, so a cached trace can be read, summarised and priced on a machine
without it. A trace is what one PyTorch forward dispatched at the aten level, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FORMAT_VERSION = 1

ITEM_BYTES = {
    "float64": 8, "float32": 4, "float16": 2, "bfloat16": 2, "float8_e4m3fn": 1, "float8_e5m2": 1,
    "int64": 8, "int32": 4, "int16": 2, "int8": 1, "uint8": 1, "bool": 1, "complex32": 4, "complex64": 8,
    "complex128": 16,
}


@dataclass(frozen=True)
class TensorMeta:
    """Shape, layout and dtype of one tensor an op read or wrote."""

    shape: tuple[int, ...]
    stride: tuple[int, ...]
    dtype: str
    view: bool = False  # shares storage with another tensor (a view or a slice of a cache)
    contiguous: bool = True

    @classmethod
    def dense(cls, shape, dtype: str = "bfloat16", stride=None) -> TensorMeta:
        """A tensor of `shape` with row-major (contiguous) strides unless `stride` is given."""
        if stride is None:
            stride, acc = [], 1
            for size in reversed(shape):
                stride.insert(0, acc)
                acc *= size
        return cls(tuple(shape), tuple(stride), dtype)

    @property
    def numel(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    @property
    def stored_numel(self) -> int:
        """Elements actually in memory: a broadcast (stride 0) dimension is read once, not `size` times."""
        n = 1
        for size, stride in zip(self.shape, self.stride, strict=True):
            if stride != 0:
                n *= size
        return n

    @property
    def itemsize(self) -> int:
        return ITEM_BYTES.get(self.dtype, 4)

    def to_json(self) -> list:
        return [list(self.shape), list(self.stride), self.dtype, int(self.view), int(self.contiguous)]

    @classmethod
    def from_json(cls, data: list) -> TensorMeta:
        shape, stride, dtype, view, contiguous = data
        return cls(tuple(shape), tuple(stride), dtype, bool(view), bool(contiguous))


@dataclass(frozen=True)
class AtenOp:
    """One aten call as the dispatcher saw it.

    `inputs` are the tensor arguments in schema order (a tensor list such as cat's is flattened);
    `args` holds the other arguments by schema name (ints, floats, bools, lists, strings).
    `dims` are the reduced dimensions for reductions (None when the op reduces over everything).
    `alias` is true when the op only makes a view (its output shares the input's storage), and
    `inplace` when it writes into one of its inputs (index_copy_, add_).
    `module` indexes `Trace.modules`: the innermost module call the op ran in (-1: none).
    """

    name: str
    inputs: tuple[TensorMeta, ...]
    outputs: tuple[TensorMeta, ...]
    args: dict[str, Any] = field(default_factory=dict)
    dims: tuple[int, ...] | None = None
    alias: bool = False
    inplace: bool = False
    module: int = -1

    @property
    def base(self) -> str:
        """`aten.index_copy_.default` -> `index_copy_`."""
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    def to_json(self) -> dict:
        out: dict[str, Any] = {"op": self.name, "in": [t.to_json() for t in self.inputs],
                               "out": [t.to_json() for t in self.outputs]}
        if self.args:
            out["args"] = self.args
        if self.dims is not None:
            out["dims"] = list(self.dims)
        if self.alias:
            out["alias"] = 1
        if self.inplace:
            out["inplace"] = 1
        if self.module >= 0:
            out["module"] = self.module
        return out

    @classmethod
    def from_json(cls, data: dict) -> AtenOp:
        dims = data.get("dims")
        return cls(data["op"], tuple(TensorMeta.from_json(t) for t in data["in"]),
                   tuple(TensorMeta.from_json(t) for t in data["out"]), dict(data.get("args", {})),
                   None if dims is None else tuple(dims), bool(data.get("alias")), bool(data.get("inplace")),
                   int(data.get("module", -1)))


@dataclass(frozen=True)
class ModuleCall:
    """One call of an nn.Module's forward: the ops `first_op <= i < end_op` ran inside it (and its children)."""

    path: str  # e.g. "model.layers.3.self_attn"; "" is the traced root module
    type: str  # the module's class name, e.g. "LlamaAttention"
    parent: int  # index of the enclosing call, -1 for the root
    first_op: int
    end_op: int

    def to_json(self) -> list:
        return [self.path, self.type, self.parent, self.first_op, self.end_op]

    @classmethod
    def from_json(cls, data: list) -> ModuleCall:
        return cls(*data)


@dataclass(frozen=True)
class SdpaCall:
    """A `torch.nn.functional.scaled_dot_product_attention` call, as the Python code made it.

    The aten ops the trace device dispatched for it are `ops[first_op:end_op]` (on a CPU trace:
    `_scaled_dot_product_flash_attention_for_cpu`, after converting a boolean mask with `where`).
    A CUDA run picks its own backend from these arguments; see hetsim/tracing/sdpa.py.
    """

    query: TensorMeta
    key: TensorMeta
    value: TensorMeta
    attn_mask: TensorMeta | None
    is_causal: bool
    enable_gqa: bool
    dropout_p: float
    scale: float | None
    first_op: int
    end_op: int
    module: int = -1

    def to_json(self) -> dict:
        return {"query": self.query.to_json(), "key": self.key.to_json(), "value": self.value.to_json(),
                "attn_mask": None if self.attn_mask is None else self.attn_mask.to_json(),
                "is_causal": self.is_causal, "enable_gqa": self.enable_gqa, "dropout_p": self.dropout_p,
                "scale": self.scale, "first_op": self.first_op, "end_op": self.end_op, "module": self.module}

    @classmethod
    def from_json(cls, data: dict) -> SdpaCall:
        mask = data["attn_mask"]
        return cls(TensorMeta.from_json(data["query"]), TensorMeta.from_json(data["key"]),
                   TensorMeta.from_json(data["value"]), None if mask is None else TensorMeta.from_json(mask),
                   bool(data["is_causal"]), bool(data["enable_gqa"]), float(data["dropout_p"]), data["scale"],
                   int(data["first_op"]), int(data["end_op"]), int(data.get("module", -1)))


@dataclass(frozen=True)
class Trace:
    """What one forward ran: `meta` says what was traced and how (source, sizes, versions, device)."""

    meta: dict[str, Any]
    ops: tuple[AtenOp, ...]
    modules: tuple[ModuleCall, ...] = ()
    sdpa: tuple[SdpaCall, ...] = ()

    def to_json(self) -> dict:
        return {"format": FORMAT_VERSION, "meta": self.meta, "ops": [o.to_json() for o in self.ops],
                "modules": [m.to_json() for m in self.modules], "sdpa": [s.to_json() for s in self.sdpa]}

    @classmethod
    def from_json(cls, data: dict) -> Trace:
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"trace format {data.get('format')!r}, expected {FORMAT_VERSION}")
        return cls(dict(data["meta"]), tuple(AtenOp.from_json(o) for o in data["ops"]),
                   tuple(ModuleCall.from_json(m) for m in data["modules"]),
                   tuple(SdpaCall.from_json(s) for s in data["sdpa"]))

    def module_path(self, op: AtenOp) -> str:
        return self.modules[op.module].path if op.module >= 0 else ""
