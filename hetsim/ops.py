"""The primitive-op vocabulary: what every step of every method is built from.

One op, three views (after LLMCompass): this module gives an op's *cost* (FLOPs and bytes
moved through device memory); `hetsim.hardware` gives its *time* on a device model; the
calibration suite (`hetsim.calibration.torch_ops`) gives its *real implementation*, so the op
that is simulated and the op that is measured cannot drift apart.

Ops are frozen dataclasses: hashable, so device models cache their durations. `name` labels
an op inside a step and does not take part in equality.

Bytes count each input read once and each output written once (the fewest bytes a kernel
must move); inefficiency beyond that is the device model's business, not the op's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

DTYPE_BYTES: dict[str, int] = {
    "fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
}
INDEX_BYTES = 8  # torch index tensors are int64


def dtype_bytes(dtype: str) -> int:
    try:
        return DTYPE_BYTES[dtype]
    except KeyError:
        raise ValueError(f"unknown dtype {dtype!r}; known: {sorted(DTYPE_BYTES)}") from None


@dataclass(frozen=True)
class Op:
    op_class: ClassVar[str] = "op"
    name: str = field(default="", compare=False, kw_only=True)

    @property
    def flops(self) -> float:
        raise NotImplementedError

    @property
    def bytes(self) -> float:
        raise NotImplementedError

    @property
    def intensity(self) -> float:
        """Arithmetic intensity, FLOP per byte."""
        return self.flops / self.bytes if self.bytes else float("inf")

    @property
    def uses_matrix_units(self) -> bool:
        return False


@dataclass(frozen=True)
class Matmul(Op):
    """C[batch, m, n] = A[batch, m, k] @ B[k, n]. `shared_b`: B is one weight matrix for the
    whole batch (a linear layer), read once; otherwise B has a batch dimension (bmm)."""

    op_class: ClassVar[str] = "matmul"
    m: int
    n: int
    k: int
    batch: int = 1
    dtype: str = "bf16"
    shared_b: bool = True

    @property
    def flops(self) -> float:
        return 2.0 * self.batch * self.m * self.n * self.k

    @property
    def bytes(self) -> float:
        b_copies = 1 if self.shared_b else self.batch
        return dtype_bytes(self.dtype) * (
            self.batch * self.m * self.k + b_copies * self.k * self.n + self.batch * self.m * self.n
        )

    @property
    def uses_matrix_units(self) -> bool:
        return True


@dataclass(frozen=True)
class Elementwise(Op):
    """out = f(in_1, ..., in_n) over `numel` output elements; broadcast inputs count fully
    only if `broadcast_numel` is not given for them."""

    op_class: ClassVar[str] = "elementwise"
    numel: int
    inputs: int = 1
    dtype: str = "bf16"
    flops_per_element: float = 1.0
    broadcast_numel: int = 0  # elements of one extra input that is broadcast (read once)

    @property
    def flops(self) -> float:
        return self.flops_per_element * self.numel

    @property
    def bytes(self) -> float:
        return dtype_bytes(self.dtype) * (self.numel * (self.inputs + 1) + self.broadcast_numel)


@dataclass(frozen=True)
class Reduction(Op):
    """Sum / max / min over the last dim of a [rows, cols] tensor."""

    op_class: ClassVar[str] = "reduction"
    rows: int
    cols: int
    dtype: str = "bf16"
    kind: str = "sum"

    @property
    def flops(self) -> float:
        return float(self.rows * self.cols)

    @property
    def bytes(self) -> float:
        return dtype_bytes(self.dtype) * (self.rows * self.cols + self.rows)


@dataclass(frozen=True)
class Softmax(Op):
    op_class: ClassVar[str] = "softmax"
    rows: int
    cols: int
    dtype: str = "bf16"

    @property
    def flops(self) -> float:
        return 5.0 * self.rows * self.cols  # max, sub, exp, sum, div

    @property
    def bytes(self) -> float:
        return dtype_bytes(self.dtype) * 2 * self.rows * self.cols


@dataclass(frozen=True)
class TopK(Op):
    """k largest of each of `rows` rows of length n; values and int64 indices out."""

    op_class: ClassVar[str] = "topk"
    rows: int
    n: int
    k: int
    dtype: str = "bf16"

    def __post_init__(self) -> None:
        if not 0 < self.k <= self.n:
            raise ValueError(f"top-k needs 0 < k <= n, got k={self.k}, n={self.n}")

    @property
    def flops(self) -> float:
        return float(self.rows * self.n)  # one comparison per candidate

    @property
    def bytes(self) -> float:
        return self.rows * (self.n * dtype_bytes(self.dtype) + self.k * (dtype_bytes(self.dtype) + INDEX_BYTES))


@dataclass(frozen=True)
class Gather(Op):
    """index_select of `rows` rows of `row_bytes` each out of a source of `source_rows` rows."""

    op_class: ClassVar[str] = "gather"
    rows: int
    row_bytes: int
    source_rows: int

    def __post_init__(self) -> None:
        if self.rows > self.source_rows:
            raise ValueError(f"gather of {self.rows} rows from a source of {self.source_rows}")

    @property
    def flops(self) -> float:
        return 0.0

    @property
    def bytes(self) -> float:
        return 2.0 * self.rows * self.row_bytes + self.rows * INDEX_BYTES


@dataclass(frozen=True)
class Attention(Op):
    """Scaled-dot-product attention with grouped KV heads (GQA), flash-style: scores never
    touch memory. `causal` applies when q_len > 1 (prefill); the last q row sees kv_len keys."""

    op_class: ClassVar[str] = "attention"
    batch: int
    q_heads: int
    kv_heads: int
    q_len: int
    kv_len: int
    head_dim: int
    dtype: str = "bf16"
    causal: bool = False

    def __post_init__(self) -> None:
        if self.q_heads % self.kv_heads:
            raise ValueError(f"q_heads {self.q_heads} not a multiple of kv_heads {self.kv_heads}")

    @property
    def pairs(self) -> float:
        """(query, key) pairs scored per head."""
        if self.causal:
            # rows see kv_len - q_len + 1 ... kv_len keys
            return self.q_len * (self.kv_len - self.q_len) + self.q_len * (self.q_len + 1) / 2
        return float(self.q_len * self.kv_len)

    @property
    def flops(self) -> float:
        return 4.0 * self.batch * self.q_heads * self.pairs * self.head_dim  # QK^T and PV

    @property
    def bytes(self) -> float:
        e = dtype_bytes(self.dtype)
        q_and_out = 2 * self.batch * self.q_heads * self.q_len * self.head_dim
        k_and_v = 2 * self.batch * self.kv_heads * self.kv_len * self.head_dim
        return e * (q_and_out + k_and_v)

    @property
    def uses_matrix_units(self) -> bool:
        return True


@dataclass(frozen=True)
class Copy(Op):
    """A memory copy: d2d (read + write device memory), h2d or d2h (pinned host memory)."""

    op_class: ClassVar[str] = "copy"
    nbytes: int
    direction: str = "d2d"

    def __post_init__(self) -> None:
        if self.direction not in ("d2d", "h2d", "d2h"):
            raise ValueError(f"copy direction must be d2d, h2d or d2h, got {self.direction!r}")

    @property
    def flops(self) -> float:
        return 0.0

    @property
    def bytes(self) -> float:
        return 2.0 * self.nbytes if self.direction == "d2d" else float(self.nbytes)


@dataclass(frozen=True)
class FpgaKernel(Op):
    """One invocation of a streaming relevancy (+ top-k) kernel on an FPGA.

    n_items candidates (keys, pages, documents) are scored, each costing `macs_per_item`
    multiply-accumulates over `item_bytes` of stored index; `k` > 0 keeps the top k in the
    on-chip top-k unit (0: the scores stream out). `resident_bytes` is the whole index the
    card holds across layers and requests, which decides how much of it sits on chip.
    """

    op_class: ClassVar[str] = "fpga_kernel"
    kernel: str
    n_items: int
    item_bytes: int
    macs_per_item: int
    k: int
    rows: int = 1  # independent problems in one invocation (requests x heads)
    resident_bytes: int = 0
    out_bytes: int = 0

    @property
    def flops(self) -> float:
        return 2.0 * self.rows * self.n_items * self.macs_per_item

    @property
    def bytes(self) -> float:
        return float(self.rows * self.n_items * self.item_bytes + self.out_bytes)


PRIMITIVE_OPS: dict[str, type[Op]] = {
    cls.__name__.lower(): cls
    for cls in (Matmul, Elementwise, Reduction, Softmax, TopK, Gather, Attention, Copy)
}
