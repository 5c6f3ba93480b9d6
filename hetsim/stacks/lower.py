"""A stack's ops for one step of a phase, cut the way the simulator lowers a layer.

Per (model, stack) the shipped templates give, per phase, the ops of one decoder layer and the
once-per-forward head and tail. The layer is cut at its attention region, which starts where the
layer writes its KV cache (cat / index_copy_ and the bookkeeping around it), covers repeat_kv
and the mask ops, and ends with the SDPA call:

    pre   the layer's ops before the region (norm, projections, rotary): the LLM's `pre` task
    attn  the region: what dense attention's Apply step runs under this stack
    post  after SDPA (o_proj, residual, norm, MLP): the LLM's `post` task
    tail  head + tail of the forward (embedding, rotary tables, mask; final norm, lm_head),
          priced after the last layer, as the fused stack prices its LM head

Module calls are host work (`HostCall("module")`) at the op they start on; the forward's first
kernel is an `IdleStart` (the generation loop synchronised on the previous token). A blocking
host-to-GPU copy (StaticCache's lazy counter `.to(device)`) is followed by a sync (aten.py).

cuDNN SDPA plans: PyTorch builds one cuDNN graph per (shape, stride) key and caches it
(aten/src/ATen/native/cudnn/MHA.cpp). A decode step whose K/V length changes every step (a
DynamicCache grown by `torch.cat`) misses that cache once per step, on the host, at the first
layer's SDPA call: `HostCall("sdpa_plan/N")` in each of the N layers' attention carries one N-th
of that build, so that it overlaps queued device work as the stall does in a steady eager loop
(StaticCache attends over a fixed length: built once, never again). No torch here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from hetsim.ops import HostCall, IdleStart, Op
from hetsim.stacks import aten, templates
from hetsim.stacks.templates import Template
from hetsim.tracing.trace import AtenOp

# aten ops that may sit between the rotary embedding and SDPA: the cache write and its position
# bookkeeping, repeat_kv (unsqueeze/expand/clone/_unsafe_view), a StaticCache's lazy allocation,
# the boolean mask turned additive
_REGION = frozenset({"index_copy_", "cat", "unsqueeze", "expand", "clone", "_unsafe_view", "slice", "scalar_tensor",
                     "where", "view", "arange", "add_", "zeros", "lift_fresh", "_to_copy", "reshape", "transpose"})
_COUNTER_DTYPES = ("int64", "int32", "bool")
SM90 = 90  # the catalogue's calibrated GPUs (H100, H200): SDPA backend order of sm90


def _in_region(op: AtenOp) -> bool:
    if op.base in ("add", "sub"):  # integer position arithmetic belongs to the cache write; bf16 adds do not
        return bool(op.outputs) and op.outputs[0].dtype in _COUNTER_DTYPES
    if op.base == "_to_copy":
        return bool(op.outputs) and op.outputs[0].dtype in _COUNTER_DTYPES
    return op.base in _REGION


@cache
def _layers(model: str) -> int:
    # the catalogue is read once per model, not once per method a sweep builds (~0.6 s each)
    from hetsim.config.load import Catalogue

    return int(Catalogue.load().models[model].layers)


@dataclass(frozen=True)
class Cut:
    head: tuple[int, int]
    pre: tuple[int, int]
    attn: tuple[int, int]
    post: tuple[int, int]
    tail: tuple[int, int]


def cut(tpl: Template) -> Cut:
    first, end = tpl.sections["layer"]
    calls = [s for s in tpl.doc["sdpa"] if first <= s["first_op"] < end]
    if len(calls) != 1:
        raise ValueError(f"{tpl.model} {tpl.stack} {tpl.phase}: expected one SDPA call per layer, found {len(calls)}")
    start, stop = calls[0]["first_op"], calls[0]["end_op"]
    probe = {s: 3 for s in tpl.symbols}  # the op names and dtypes do not depend on sizes
    while start > first and _in_region(tpl.op(start - 1, probe)):
        start -= 1
    return Cut(tpl.sections["head"], (first, start), (start, stop), (stop, end), tpl.sections["tail"])


class StackOps:
    """The ops of one (model, stack), priced op by op; sections are memoised by the sizes they use."""

    def __init__(self, model: str, stack: str, static_len: int, arch: int | None = SM90, layers: int | None = None,
                 cudnn: bool = True):
        """`arch`, `cudnn`: the GPU's compute capability and whether the software puts cuDNN's SDPA first
        where PyTorch does (`hetsim.stacks.aten.sdpa_backend`)."""
        self.model, self.stack, self.static_len, self.arch, self.cudnn = model, stack, static_len, arch, cudnn
        self.layers = layers if layers is not None else _layers(model)
        self.tpl = {phase: templates.load(model, stack, phase) for phase in templates.PHASES}
        self.cuts = {phase: cut(t) for phase, t in self.tpl.items()}
        self._memo: dict[tuple, tuple[Op, ...]] = {}
        for phase in templates.PHASES:
            c, t = self.cuts[phase], self.tpl[phase]
            moving = t.symbols_used(*c.pre) | t.symbols_used(*c.post)
            if phase == "decode" and "C" in moving:
                # the simulator lowers pre/post once per decode phase: they must not change with the context
                raise ValueError(f"{model} {stack}: the layer's ops outside attention depend on the context")

    def values(self, phase: str, batch: int, new: int, cached: int) -> dict[str, int]:
        vals = {"B": batch, "T": new, "C": cached, "L": max(self.static_len, cached + new)}
        return {s: vals[s] for s in self.tpl[phase].symbols}

    def section(self, phase: str, name: str, values: dict[str, int]) -> tuple[Op, ...]:
        """`name`: pre, attn, post, or tail (the forward's head and tail together)."""
        if name == "tail":
            return self._section(phase, "head", values) + self._section(phase, "tail", values)
        return self._section(phase, name, values)

    def _section(self, phase: str, name: str, values: dict[str, int]) -> tuple[Op, ...]:
        tpl = self.tpl[phase]
        first, end = getattr(self.cuts[phase], name)
        used = tuple(sorted(tpl.symbols_used(first, end)))
        key = (phase, name, tuple(values[s] for s in used))
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = self._build(tpl, phase, name, first, end, values)
        return hit

    def _build(self, tpl: Template, phase: str, name: str, first: int, end: int, values: dict[str, int]):
        starts: dict[int, list[str]] = {}
        for _path, kind, _parent, m_first, _m_end in tpl.doc["modules"]:
            if first <= m_first < end or (m_first == end and name == "tail" and end == len(tpl.doc["ops"])):
                starts.setdefault(m_first, []).append(f"{kind}")
        sdpa = {s["first_op"]: i for i, s in enumerate(tpl.doc["sdpa"])}
        calls = tpl.sdpa(values) if sdpa and name == "attn" else []
        ops: list[Op] = []
        first_kernel = name == "head"
        for i in range(first, end):
            for kind in starts.get(i, ()):
                ops.append(HostCall("module", kind, name=f"module:{kind}"))
            op = tpl.op(i, values)
            if op.base in aten.SDPA_CPU_OPS:
                call = calls[sdpa[next(k for k in sdpa if k <= i)]] if calls else None
                if call is None:
                    raise ValueError(f"{tpl.model} {tpl.stack} {phase}: an attention op outside an SDPA call")
                ops += aten.lower_sdpa(call, self.arch, decode=phase == "decode", cudnn=self.cudnn)
                continue
            mapped = aten.lower_op(op)
            if first_kernel and mapped and not isinstance(mapped[0], HostCall):
                mapped = (IdleStart(mapped[0], name=f"idle_start:{mapped[0].name}"), *mapped[1:])
                first_kernel = False
            ops += mapped
        for kind in starts.get(end, ()) if name == "tail" else ():
            ops.append(HostCall("module", kind, name=f"module:{kind}"))
        if name == "attn" and phase == "decode" and self.replans(tpl, values):
            ops.append(HostCall(f"sdpa_plan/{self.layers}", "cudnn", name="cudnn_sdpa_plan"))
        return tuple(ops)

    def replans(self, tpl: Template, values: dict[str, int]) -> bool:
        """Whether each decode step's SDPA call has a (shape, stride) key the step before never had,
        on the cuDNN backend: PyTorch then builds a new cuDNN graph every step."""
        if "C" not in values or not tpl.doc["sdpa"]:
            return False
        now = tpl.sdpa(values)
        after = tpl.sdpa({**values, "C": values["C"] + 1})
        return any(aten.sdpa_backend(a, self.arch, self.cudnn) == "cudnn"
                   and (a.key.shape, a.key.stride) != (b.key.shape, b.key.stride)
                   for a, b in zip(now, after, strict=True))

    # -------------------------------------------------------------------- what the simulator asks
    def pre_post(self, phase: str, batch: int, new: int) -> tuple[tuple[Op, ...], tuple[Op, ...]]:
        v = self.values(phase, batch, new, 0)
        return self.section(phase, "pre", v), self.section(phase, "post", v)

    def attention(self, phase: str, batch: int, new: int, cached: int) -> tuple[Op, ...]:
        return self.section(phase, "attn", self.values(phase, batch, new, cached))

    def tail(self, phase: str, batch: int, new: int, cached: int) -> tuple[Op, ...]:
        return self.section(phase, "tail", self.values(phase, batch, new, cached))
