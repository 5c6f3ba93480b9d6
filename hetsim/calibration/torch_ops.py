"""The real PyTorch implementation of each primitive op: the third view of `hetsim.ops`.

`build(op, device)` allocates random inputs of the op's shapes and dtype on a torch device and
returns an `OpRunner`: calling it issues the op once, as eager PyTorch would (outputs are
allocated by the op itself, as in a model's forward pass). Inputs are never zero (zeros make
some kernels faster than real data and hide indexing bugs) and, for ops whose inputs fit in
the GPU's L2, rotate among several input sets whose total exceeds L2, so the time measured is
the time from device memory, the regime a model's layer sees (its weights and caches are far
larger than L2).

    op            torch implementation
    matmul        F.linear(x[batch*m, k], w[n, k]) (shared_b or batch 1; GEMV for small m);
                  torch.bmm(a[batch, m, k], b[batch, n, k].mT) otherwise (b stored like keys)
    elementwise   1 input: x * s; 2: a + b; 3: addcmul(a, b, c); a broadcast input of
                  `broadcast_numel` (rows of it repeat): x * w, lerp(a, b, w); 0 inputs: fill_
    reduction     torch.sum / amax / amin over the last dim of [rows, cols]
    softmax       torch.softmax over the last dim of [rows, cols]
    topk          torch.topk(x[rows, n], k) (sorted, as by default)
    gather        torch.index_select(src[source_rows, row], 0, idx[rows]), rows of bf16
                  (uint8 where row_bytes is odd), random distinct indices
    attention     F.scaled_dot_product_attention(q[b, hq, q_len, d], k/v[b, hkv, kv_len, d],
                  enable_gqa); causal with the mask aligned to the last key (lower right)
    copy          dst.copy_(src, non_blocking=True); h2d/d2h through pinned host memory

An elementwise op's kernel does one or two arithmetic operations per element whatever its
`flops_per_element`: the op counts the FLOPs of the fused kernel it stands for (RMSNorm,
RoPE, SiLU-mul), which are far under the memory time on every GPU in the catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from hetsim.ops import Attention, Copy, Elementwise, Gather, Matmul, Op, Reduction, Softmax, TopK

TORCH_DTYPES = {
    "fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16,
    "int8": torch.int8, "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
}
ROTATE_L2_FACTOR = 3  # input sets together exceed 3x L2, so each call reads device memory
MAX_SETS = 32
ROTATE_BUDGET_BYTES = 1 << 30  # never spend more than this on extra copies for rotation


class UnsupportedOp(ValueError):
    """The op (or its dtype) has no torch implementation here."""


def torch_dtype(name: str) -> torch.dtype:
    if name not in TORCH_DTYPES:
        raise UnsupportedOp(f"dtype {name!r} has no torch implementation (known: {sorted(TORCH_DTYPES)})")
    return TORCH_DTYPES[name]


def random_tensor(shape, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Random, never-zero data: normal for floats (zeros replaced by one), 1..100 for ints."""
    if dtype.is_floating_point:
        t = torch.empty(shape, dtype=dtype, device=device).normal_()
        return t.masked_fill_(t == 0, 1.0)
    return torch.randint(1, 100, shape, dtype=dtype, device=device)


@dataclass
class OpRunner:
    """Issues one op per call, cycling through `sets` of inputs."""

    op: Op
    fn: Callable[..., object]
    sets: list[tuple] = field(default_factory=list)
    set_bytes: int = 0  # bytes of one input set
    _i: int = 0

    @property
    def n_sets(self) -> int:
        return len(self.sets)

    def __call__(self) -> object:
        args = self.sets[self._i]
        self._i = (self._i + 1) % len(self.sets)
        return self.fn(*args)


def _n_sets(set_bytes: int, l2_bytes: int, rotate: bool) -> int:
    if not rotate or set_bytes <= 0:
        return 1
    want = math.ceil(ROTATE_L2_FACTOR * l2_bytes / set_bytes)
    return max(1, min(want, MAX_SETS, max(1, ROTATE_BUDGET_BYTES // set_bytes)))


def _nbytes(args: tuple) -> int:
    return sum(a.numel() * a.element_size() for a in args if isinstance(a, torch.Tensor))


def build(op: Op, device: torch.device | str, l2_bytes: int = 50 << 20, rotate: bool = True) -> OpRunner:
    """An `OpRunner` for `op` on `device` (inputs allocated now)."""
    device = torch.device(device)
    make, fn = _implementation(op, device)
    first = make()
    # host copies are bound by the host link, not by caches: one (pinned) buffer is enough
    host_copy = isinstance(op, Copy) and op.crosses_host
    n = _n_sets(_nbytes(first), l2_bytes, rotate and not host_copy)
    sets = [first] + [make() for _ in range(n - 1)]
    return OpRunner(op, fn, sets, _nbytes(first))


def _implementation(op: Op, device: torch.device) -> tuple[Callable[[], tuple], Callable[..., object]]:
    """(make one input set, the op on one input set)."""
    if isinstance(op, Matmul):
        dt = torch_dtype(op.dtype)
        if not dt.is_floating_point:
            raise UnsupportedOp(f"matmul in {op.dtype} has no torch implementation here")
        if op.shared_b or op.batch == 1:
            return (lambda: (random_tensor((op.batch * op.m, op.k), dt, device),
                             random_tensor((op.n, op.k), dt, device))), F.linear
        return (lambda: (random_tensor((op.batch, op.m, op.k), dt, device),
                         random_tensor((op.batch, op.n, op.k), dt, device))), (lambda a, b: torch.bmm(a, b.mT))
    if isinstance(op, Elementwise):
        return _elementwise(op, device)
    if isinstance(op, Reduction):
        dt = torch_dtype(op.dtype)
        fns = {"sum": lambda x: torch.sum(x, dim=-1), "max": lambda x: torch.amax(x, dim=-1),
               "min": lambda x: torch.amin(x, dim=-1)}
        if op.kind not in fns:
            raise UnsupportedOp(f"reduction kind {op.kind!r} (known: {sorted(fns)})")
        return (lambda: (random_tensor((op.rows, op.cols), dt, device),)), fns[op.kind]
    if isinstance(op, Softmax):
        dt = torch_dtype(op.dtype)
        return (lambda: (random_tensor((op.rows, op.cols), dt, device),)), (lambda x: torch.softmax(x, dim=-1))
    if isinstance(op, TopK):
        dt = torch_dtype(op.dtype)
        return (lambda: (random_tensor((op.rows, op.n), dt, device),)), (lambda x: torch.topk(x, op.k, dim=-1))
    if isinstance(op, Gather):
        return _gather(op, device)
    if isinstance(op, Attention):
        return _attention(op, device)
    if isinstance(op, Copy):
        return _copy(op, device)
    raise UnsupportedOp(f"op {type(op).__name__} has no torch implementation")


def _elementwise(op: Elementwise, device: torch.device):
    dt = torch_dtype(op.dtype)
    n, b = op.numel, op.broadcast_numel
    if b and n % b:
        raise UnsupportedOp(f"elementwise numel {n} is not a multiple of broadcast_numel {b}")
    shape = (n // b, b) if b else (n,)
    if op.inputs == 0:  # a fill: its one buffer is the output (ones, not uninitialised memory)
        return (lambda: (torch.ones(shape, dtype=dt, device=device),)), (lambda o: o.fill_(3))
    if op.inputs > 3 or (b and op.inputs > 2):
        raise UnsupportedOp(f"elementwise with {op.inputs} inputs{' and a broadcast one' if b else ''} is not "
                            f"one torch kernel (at most 3 inputs, or 2 plus a broadcast input)")
    def make():
        xs = tuple(random_tensor(shape, dt, device) for _ in range(op.inputs))
        return xs + ((random_tensor((b,), dt, device),) if b else ())

    if b:
        if not dt.is_floating_point:
            raise UnsupportedOp("a broadcast elementwise op needs a floating-point dtype")
        fn = (lambda x, w: x * w) if op.inputs == 1 else torch.lerp
    else:
        fn = {1: lambda x: x * 3, 2: torch.add, 3: torch.addcmul}[op.inputs]
        if op.inputs == 3 and not dt.is_floating_point:
            fn = lambda a, x, y: a + x * y  # noqa: E731  (addcmul has no integer kernel)
    return make, fn


def _gather(op: Gather, device: torch.device):
    dt = torch.bfloat16 if op.row_bytes % 2 == 0 else torch.uint8
    cols = op.row_bytes // (2 if dt == torch.bfloat16 else 1)

    def make():
        src = (random_tensor((op.source_rows, cols), dt, device) if dt.is_floating_point
               else torch.randint(1, 255, (op.source_rows, cols), dtype=dt, device=device))
        idx = (torch.randperm(op.source_rows, device=device)[: op.rows].contiguous() if op.rows <= op.source_rows
               else torch.randint(0, op.source_rows, (op.rows,), device=device))  # a fan-out repeats rows
        return src, idx

    return make, (lambda src, idx: torch.index_select(src, 0, idx))


def _attention(op: Attention, device: torch.device):
    dt = torch_dtype(op.dtype)
    if not dt.is_floating_point:
        raise UnsupportedOp(f"attention in {op.dtype} has no torch implementation")
    gqa = op.q_heads != op.kv_heads
    causal = op.causal and op.q_len > 1
    mask = None
    if causal and op.q_len != op.kv_len:
        # torch >= 2.3 only, and only this mask needs it: older torch still runs every other op
        from torch.nn.attention.bias import causal_lower_right

        mask = causal_lower_right(op.q_len, op.kv_len)

    def make():
        q = random_tensor((op.batch, op.q_heads, op.q_len, op.head_dim), dt, device)
        k = random_tensor((op.batch, op.kv_heads, op.kv_len, op.head_dim), dt, device)
        v = random_tensor((op.batch, op.kv_heads, op.kv_len, op.head_dim), dt, device)
        return q, k, v

    if mask is not None:
        return make, (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=gqa))
    return make, (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=gqa))


def _copy(op: Copy, device: torch.device):
    pin = device.type == "cuda"  # pinned host memory needs a GPU runtime (CUDA or ROCm)
    n = op.nbytes

    def host() -> torch.Tensor:
        t = torch.randint(1, 255, (n,), dtype=torch.uint8)
        return t.pin_memory() if pin else t

    def dev() -> torch.Tensor:
        return torch.randint(1, 255, (n,), dtype=torch.uint8, device=device)

    def copy(dst, src):
        return dst.copy_(src, non_blocking=True)

    # destinations hold ones, not uninitialised memory: every buffer of a run is never zero
    if op.direction == "d2d":
        return (lambda: (torch.ones(n, dtype=torch.uint8, device=device), dev())), copy
    if op.direction == "h2d":
        return (lambda: (torch.ones(n, dtype=torch.uint8, device=device), host())), copy
    return (lambda: (torch.ones(n, dtype=torch.uint8, pin_memory=pin), dev())), copy


def build_sequence(ops: list[Op], device, l2_bytes: int = 50 << 20, rotate: bool = True) -> Callable[[], None]:
    """One call issues every op of a case, back to back on the current stream."""
    runners = [build(op, device, l2_bytes, rotate) for op in ops]

    def run() -> None:
        for r in runners:
            r()

    run.runners = runners  # type: ignore[attr-defined]
    return run
