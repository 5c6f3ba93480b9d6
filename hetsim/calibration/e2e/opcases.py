"""Op-level cases from traces: the aten ops a traced 1-layer step runs, each timed alone on the device.

For each (phase, stack, batch, context) in the grid's `op_traces`, a 1-layer copy of the model is
traced with hetsim.tracing (fake tensors, the same call the end-to-end run makes). Every distinct
op (same aten overload, input shapes/strides/dtypes and arguments) becomes one case, rebuilt with
random inputs of exactly those layouts (a broadcast input keeps its stride 0, a cache slice its
row stride) and timed two ways:

- stream: the op repeated back to back (hetsim.calibration.measure.Timer: stream time, host issue
  time, CUDA-graph device time), as in a steady eager model;
- idle: one op issued onto an idle GPU after a sync and a short sleep, CUDA events around it: the
  launch latency plus the kernel, as for the first op after a host-side pause.

SDPA is taken from the trace's Python-level calls (`Trace.sdpa`), not from the CPU kernel the fake
device dispatched: the real call picks the CUDA backend. Views (ops that only alias) launch nothing
and are left out; integer inputs (indices) are drawn below the smallest dimension of the op's float
inputs, so any indexing stays in bounds. Inputs are not rotated: in a model each op reads what the
previous one wrote, often from L2, and the weights here exceed L2 anyway.
"""

from __future__ import annotations

import itertools
import json
import statistics
import time
from types import SimpleNamespace
from typing import Any

import torch

from hetsim.calibration.measure import Timer, add_pass, fold_passes, open_passes, recover_from_capture
from hetsim.stacks.aten import INPLACE_VIEWS
from hetsim.tracing.trace import AtenOp, SdpaCall, TensorMeta, Trace

_SKIP = {"_local_scalar_dense", "item"}  # host syncs: not a kernel on a stream
ROUNDS_SHARE = 1.6  # the further stream passes stop once the op cases have taken 1.6x their budget in all


def _materialise(meta: TensorMeta, device: torch.device, int_bound: int) -> torch.Tensor:
    dtype = getattr(torch, meta.dtype)
    if any(s == 0 for s in meta.shape):
        return torch.empty_strided(meta.shape, meta.stride, dtype=dtype, device=device)
    needed = 1 + sum((s - 1) * st for s, st in zip(meta.shape, meta.stride, strict=True))
    gen = inputs_generator(device)
    if dtype.is_floating_point or dtype.is_complex:
        base = torch.randn(needed, device=device, generator=gen, dtype=dtype if dtype.is_complex else None).to(dtype)
    elif dtype == torch.bool:
        # mostly "attend": never an all-masked row in practice
        base = torch.rand(needed, device=device, generator=gen) < 0.9
    else:
        # below the bound, and within the dtype (an int8 / uint8 weight of a quantised layer holds at most 127 / 255)
        high = min(max(1, int_bound), torch.iinfo(dtype).max + 1)
        base = torch.randint(0, high, (needed,), dtype=dtype, device=device, generator=gen)
    return base.as_strided(meta.shape, meta.stride)


_INPUT_GENERATORS: dict[str, torch.Generator] = {}


def inputs_generator(device: torch.device) -> torch.Generator:
    """The generator the cases' random inputs are drawn from: one of their own per device, seeded, never the device's
    default. A random op whose graph capture fails can leave the default generator refusing every draw outside a
    capture ("Offset increment outside graph capture encountered unexpectedly"): with the default, every later case's
    inputs failed so (ten of realcode-check10's 159 on the H200, 2026-12-02)."""
    key = str(device)
    if key not in _INPUT_GENERATORS:
        _INPUT_GENERATORS[key] = torch.Generator(device=device).manual_seed(0)
    return _INPUT_GENERATORS[key]


def _int_bound(metas: tuple[TensorMeta, ...]) -> int:
    dims = [s for m in metas if m.dtype.startswith(("float", "bfloat")) for s in m.shape if s > 0]
    return min(dims) if dims else 1000


def _plain(name: str, value: Any, device: torch.device, kind: str = "") -> Any:
    """A recorded plain argument as the op takes it (a dtype, layout or memory format is recorded by name; the
    schema types a ScalarType as int, so the argument's name tells: `dtype`, _scaled_mm's `out_dtype`; a complex
    number is recorded as its text, '1j', where the schema takes a number or a tensor)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if name == "device":
        return device
    if isinstance(value, str):
        tail = value.split(".")[-1]
        if (name.endswith("dtype") or name in ("layout", "memory_format")) and hasattr(torch, tail):
            return getattr(torch, tail)
        if kind in ("number", "Tensor"):
            try:
                return complex(value)
            except ValueError:
                return value
    if isinstance(value, list):
        return [_plain(name, v, device) for v in value]
    return value


def op_callable(op: AtenOp, device: torch.device, bound: int | None = None, positive: bool = False):
    """A no-argument callable running `op` on `device` with random inputs of its recorded layouts: integers
    below `bound` (default: the smallest float dimension, which keeps an index within any table), floats
    drawn >= 0 where `positive` (a multinomial's probabilities)."""
    parts = op.name.split(".")
    func = getattr(getattr(torch.ops.aten, parts[1]), parts[2] if len(parts) > 2 else "default")
    bound = _int_bound(op.inputs) if bound is None else bound
    tensors = [_materialise(m, device, bound) for m in op.inputs]
    if positive:
        tensors = [t.abs() + 1e-3 if t.is_floating_point() else t for t in tensors]
    if parts[1] in STEADY_DIVISORS and len(tensors) > 1 and tensors[1].is_floating_point():
        tensors[1] = _unit_magnitude(tensors[1])
    if "embedding_bag" in op.name and len(tensors) >= 3:
        tensors[2] = _bag_offsets(tensors[1], tensors[2])
    _within_assertions(parts[1], op, tensors)
    _over_declared_range(parts[1], op, tensors)
    args = list(func._schema.arguments)
    tensor_args = [a for a in args if a.name not in op.args and "Tensor" in str(a.type)]
    lists = sum(1 for a in tensor_args if str(a.type).startswith("List"))
    # the trace flattens tensor lists into its inputs: the singles take one each, the lists share the rest
    # evenly (a _foreach op's lists are of one length: self, tensors1[, tensors2])
    per_list = (len(tensors) - (len(tensor_args) - lists)) // max(lists, 1)
    kwargs: dict[str, Any] = {}
    it = iter(tensors)
    for a in args:
        if a.name in op.args:
            kwargs[a.name] = _plain(a.name, op.args[a.name], device, str(a.type))
        elif "Tensor" in str(a.type):
            if str(a.type).startswith("List"):
                kwargs[a.name] = [next(it) for _ in range(per_list)]
            elif (t := next(it, None)) is not None or "?" not in str(a.type):
                # an optional tensor the trace left out (F.binary_cross_entropy_with_logits' weight and
                # pos_weight) keeps its default, None
                kwargs[a.name] = t
    if "indices" in kwargs and str(func._schema.arguments[1].type) == "List[Optional[Tensor]]":
        kwargs["indices"] = index_layout(kwargs["self"], kwargs["indices"], op, kwargs.get("values"))
    if parts[1] in INPLACE_VIEWS:
        # transpose_ / unsqueeze_ change their input's shape: each replay starts from a fresh alias of the traced
        # input, or the thousandth unsqueeze_ would make a tensor of a thousand dims (no kernel runs either way)
        base = kwargs["self"]
        call = lambda: func(**{**kwargs, "self": base.as_strided(base.shape, base.stride())})  # noqa: E731
    else:
        call = lambda: func(**kwargs)  # noqa: E731
    _check_replay(op, call)
    # what the call passes, for a caller that times the same op called another way (gpu_suite.harness_pairs)
    call.func, call.kwargs = func, kwargs
    return call


def index_layout(src: torch.Tensor, indices: list[torch.Tensor], op: AtenOp,
                 values: torch.Tensor | None = None) -> list[torch.Tensor | None]:
    """The index list of x[..., idx, ...] with its None entries back in place. The trace records an index list's
    tensors only (x[:, idx] as [idx]), so a replay of the bare list would index the first dims; the placement taken
    is the first, fewest leading Nones first, under which the indexing makes the traced output (x[idx]) or a
    result the traced values broadcast to (x[idx] = v). Placements that make the same shape are told apart by
    nothing the trace holds, and the first is taken."""
    if any(t.dtype == torch.bool for t in indices):
        return list(indices)  # a mask covers as many dims as it has: placed where it was, first
    want = tuple(op.outputs[0].shape) if op.outputs and values is None else None
    meta = torch.empty(src.shape, device="meta")
    rank, k = src.dim(), len(indices)
    for slots in itertools.combinations(range(rank), k):
        layout: list[torch.Tensor | None] = [None] * (slots[-1] + 1) if slots else []
        for slot, t in zip(slots, indices, strict=True):
            layout[slot] = t
        probe = [None if t is None else torch.zeros(t.shape, dtype=torch.long, device="meta") for t in layout]
        try:
            shape = tuple(torch.ops.aten.index.Tensor(meta, probe).shape)
        except (RuntimeError, IndexError):
            continue
        if want is not None and shape == want or values is not None and _broadcasts(values, shape):
            # each index below the size of the dim it addresses (a case's int_bound is taken over its first dim)
            return [t if t is None or t.is_floating_point() else t.remainder(src.shape[slot])
                    for slot, t in enumerate(layout)]
    return list(indices)


def _broadcasts(values: torch.Tensor, shape: tuple[int, ...]) -> bool:
    try:
        return torch.broadcast_shapes(tuple(values.shape), shape) == shape
    except RuntimeError:
        return False


# in-place divisions whose divisor is drawn at magnitude 1: replayed thousands of times, x /= y with random y drives x
# to subnormal and non-finite values, where CUDA's IEEE fp32 division takes its slow path, so the replay times a kernel
# no single call runs (an fp32 div_ of 65,536 elements: 1.4 us a call in the kernel profile, 4.1 us a replay after
# thousands; 4864 x 896: 8.2 us against 23.1; calibration/e2e/diagnostics/inplace-divisors-2026-12-04)
STEADY_DIVISORS = frozenset({"div_", "divide_", "true_divide_"})


def _storage(t: torch.Tensor) -> torch.Tensor:
    """The span of storage `t` views, flat: rewriting it keeps `t`'s layout (a stride-0 dimension stays broadcast,
    where writing through `t` itself is refused)."""
    span = 1 + sum((s - 1) * st for s, st in zip(t.shape, t.stride(), strict=True))
    return t.as_strided((span,), (1,), t.storage_offset())


def _unit_magnitude(t: torch.Tensor) -> torch.Tensor:
    """t with its elements set to +1 or -1 (their signs), its layout kept (a stride-0 dimension stays broadcast):
    dividing by it keeps the dividend's magnitude, however often the op is replayed."""
    if t.numel():
        flat = _storage(t)
        flat.copy_(torch.where(flat < 0, -1.0, 1.0))
    return t


# ops of (self, dim, index, ...) whose CUDA kernels assert each index lies within self's dim
DIM_INDEXED = frozenset({"index_copy", "index_add", "index_fill", "index_reduce", "index_select"})


def _within_assertions(name: str, op: AtenOp, tensors: list[torch.Tensor]) -> None:
    """Redraw, in place in `tensors`, the inputs of ops whose CUDA kernels assert on their values: a device-side
    assertion loses the GPU for every case after it (realcode-check27's first two runs)."""
    if name == "repeat_interleave" and op.args.get("output_size") is not None and tensors:
        tensors[0] = _repeats_summing(tensors[0], int(op.args["output_size"]))
    elif name == "binary_cross_entropy" and tensors:
        for t in tensors[:2]:  # probabilities and targets: 0 <= p <= 1
            _within_unit(t)
    elif name == "masked_scatter" and len(tensors) == 3:
        tensors[1] = _mask_within(tensors[0], tensors[1], tensors[2])
    elif name == "multinomial" and tensors and tensors[0].is_floating_point():
        # probabilities: non-negative, finite, a row summing above zero (multinomial's kernel asserts so: the first
        # realcode-check30 run lost the GPU at a 1-D draw from the normal inputs)
        _storage(tensors[0]).abs_().add_(1e-3)
    elif name in ("bernoulli", "bernoulli_") and len(tensors) > 1:
        # bernoulli_(p)'s tensor of probabilities: in [0, 1], as bernoulli_tensor_cuda_kernel asserts
        _within_unit(tensors[1])
    elif name == "bernoulli" and tensors and "p" not in op.args:
        _within_unit(tensors[0])  # Tensor.bernoulli() reads its own values as the probabilities
    elif name == "max_unpool2d" and len(tensors) > 1 and op.args.get("output_size"):
        # each input's index where a pool over the output plane took it from: within the plane, as the kernel
        # asserts, and spread over it as a pool's are (the integer draw put every one in the first few positions)
        tensors[1].copy_(_pooled_positions(tensors[1], [int(s) for s in op.args["output_size"]]))
    elif name.rstrip("_") in DIM_INDEXED and len(tensors) > 1 and not tensors[1].is_floating_point():
        # index_copy_(self, dim, index, source): each index within self's dim, as IndexKernel.cu asserts. An integer
        # table (a block table, token ids) has no float dim to bound the draw, whose default of 1000 overran a
        # 256-row table (realcode-check34's first run lost the GPU so)
        rows = tensors[0].shape[int(op.args.get("dim", 0))] if tensors[0].dim() else 1
        _storage(tensors[1]).remainder_(max(rows, 1))
    elif name == "fractional_max_pool2d" and len(tensors) > 1:
        # its random samples, one pair a plane, in [0, 1) as torch draws them (a negative one walks a window off the
        # input)
        _within_unit(tensors[1])


def _within_unit(t: torch.Tensor) -> None:
    """A floating-point input's values squashed into (0, 1) in place (its sigmoid), its layout kept."""
    if t.is_floating_point() and t.numel():
        flat = _storage(t)
        flat.copy_(flat.sigmoid())


def _pooled_positions(indices: torch.Tensor, plane: list[int]) -> torch.Tensor:
    """max_pool2d's indices of an input of `indices`' shape over an output `plane` [H, W]: each input (i, j) at the
    top-left of its window, (i * H // h) * W + j * W // w."""
    h, w = indices.shape[-2], indices.shape[-1]
    rows = torch.arange(h, device=indices.device) * plane[0] // h
    cols = torch.arange(w, device=indices.device) * plane[1] // w
    return (rows[:, None] * plane[1] + cols[None, :]).to(indices.dtype).expand(indices.shape)


def _over_declared_range(name: str, op: AtenOp, tensors: list[torch.Tensor]) -> None:
    """Redraw, in place, the values of ops whose kernel's pace follows where the values fall: histc's over its declared
    [min, max] (the default draw in [0, 1) piled a [0, 63] histogram's atomic adds into one bin: realcode-check24's
    and check26's histc cases ran 1.9x and 1.8x the sweep's pace at their sizes)."""
    lo, hi = float(op.args.get("min", 0) or 0), float(op.args.get("max", 0) or 0)
    if name == "histc" and tensors and hi > lo and tensors[0].is_floating_point() and tensors[0].numel():
        _storage(tensors[0]).uniform_(lo, hi)


def _repeats_summing(repeats: torch.Tensor, total: int) -> torch.Tensor:
    """repeat_interleave's counts summing to the `output_size` the trace recorded, spread evenly (random counts do
    not: the CUDA kernel asserts they match, and the device is lost for every case after it)."""
    n = repeats.numel()
    even = torch.full_like(repeats, total // max(n, 1))
    return even + (torch.arange(n, device=repeats.device) < total % max(n, 1)).to(repeats.dtype).view_as(even)


def _mask_within(dest: torch.Tensor, mask: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """masked_scatter's mask with no more ones (as broadcast over `dest`) than `source` has elements, the ones first
    (a VLM's image tokens: as many as the vision tower's rows); random bits ask for more and the kernel asserts."""
    spread = max(dest.numel() // max(mask.numel(), 1), 1)
    ones = torch.zeros(mask.shape, dtype=torch.bool, device=mask.device)
    ones.view(-1)[: source.numel() // spread] = True
    return ones


def _bag_offsets(indices: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """An embedding bag's offsets as a recommender's batch lays them out: bags of equal size from 0 (random offsets
    start past 0 and fall out of order, which the CUDA kernel does not check: it reads out of bounds)."""
    per_bag = indices.numel() // max(offsets.numel(), 1)
    return torch.arange(offsets.numel(), device=offsets.device, dtype=offsets.dtype) * per_bag


def _check_replay(op: AtenOp, call) -> None:
    """Raise where the replay makes an output of another shape than the traced op's: it would time another op
    (x[:, idx] records its index tensor but not the None before it, so a replay indexes the first dim)."""
    if not op.outputs:
        return
    out = call()
    first = out[0] if isinstance(out, tuple | list) else out
    if isinstance(first, torch.Tensor) and tuple(first.shape) != tuple(op.outputs[0].shape):
        raise ValueError(f"replay of {op.name} makes {tuple(first.shape)}, the trace recorded "
                         f"{tuple(op.outputs[0].shape)}: not the traced op")


def sdpa_callable(call: SdpaCall, device: torch.device):
    q, k, v = (_materialise(m, device, 1) for m in (call.query, call.key, call.value))
    mask = None if call.attn_mask is None else _materialise(call.attn_mask, device, 1)
    kw = dict(attn_mask=mask, dropout_p=call.dropout_p, is_causal=call.is_causal, scale=call.scale)
    if call.enable_gqa:
        kw["enable_gqa"] = True
    return lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


def cases_of(label: str, trace: Trace) -> list[dict[str, Any]]:
    """The distinct ops of one trace (SDPA as its Python call), with how often each ran."""
    in_sdpa = set()
    for s in trace.sdpa:
        in_sdpa.update(range(s.first_op, s.end_op))
    found: dict[str, dict[str, Any]] = {}
    for i, op in enumerate(trace.ops):
        if op.alias or i in in_sdpa or op.base in _SKIP:
            continue
        key = json.dumps([op.name, [t.to_json() for t in op.inputs], op.args], sort_keys=True, default=str)
        if key not in found:
            found[key] = {"kind": "aten", "aten": op.name, "op": op, "first_index": i, "count": 0,
                          "module": trace.module_path(op)}
        found[key]["count"] += 1
    for s in trace.sdpa:
        key = json.dumps(["sdpa", s.to_json() | {"first_op": 0, "end_op": 0, "module": 0}], sort_keys=True)
        if key not in found:
            found[key] = {"kind": "sdpa", "aten": "scaled_dot_product_attention", "op": s, "first_index": s.first_op,
                          "count": 0, "module": trace.modules[s.module].path if s.module >= 0 else ""}
        found[key]["count"] += 1
    return [{"key": k, "trace": label, **v} for k, v in found.items()]


def _time_idle(fn, run, reps: int) -> tuple[float, float]:
    """(event time, host wall to completion) medians of `fn` issued alone onto an idle device."""
    ev, wall = [], []
    for _ in range(reps):
        run.sync()
        time.sleep(0.003)  # the queue drains and the host pauses, as between a model's phases
        if run.cuda:
            e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            c0 = time.perf_counter()
            e0.record()
            fn()
            e1.record()
            e1.synchronize()
            wall.append(time.perf_counter() - c0)
            ev.append(e0.elapsed_time(e1) * 1e-3)
        else:
            c0 = time.perf_counter()
            fn()
            wall.append(time.perf_counter() - c0)
            ev.append(wall[-1])
    return statistics.median(ev), statistics.median(wall)


def run_op_cases(run) -> None:
    """Trace the grid's 1-layer steps and time every distinct op; rows go to `run.op_rows`."""
    from hetsim.tracing.hf import trace_model

    g = run.grid
    if not g.op_traces:
        return
    spec1 = SimpleNamespace(**{**vars(run.spec), "layers": 1})
    cases: dict[str, dict[str, Any]] = {}
    for phase, stack, batch, context in g.op_traces:
        label = f"{phase}/{stack}/B{batch}/C{context}"
        try:
            tr = trace_model(spec1, phase, batch, context, stack=stack, cache=False)
        except Exception as exc:
            run.log(f"op cases: trace {label} failed: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        run.traces[label] = tr.to_json()
        for c in cases_of(label, tr):
            if c["key"] in cases:
                cases[c["key"]]["sources"].append([label, c["first_index"], c["count"]])
            else:
                cases[c["key"]] = {**c, "sources": [[label, c["first_index"], c["count"]]]}
    timer = Timer(run.device, loop_s=1e-3, point_s=g.op_point_s, reps=9, min_reps=3)
    run.log(f"op cases: {len(cases)} distinct ops from {len(run.traces)} traces")
    makers = [_maker(c, run.device) for c in cases.values()]
    for n, c in enumerate(cases.values()):
        row: dict[str, Any] = {"case": n, "kind": c["kind"], "aten": c["aten"], "module": c["module"],
                               "sources": json.dumps(c["sources"]), "error": "",
                               # the backend choice an SDPA case ran under (trace_cases lowers it the same way)
                               "sdpa_cudnn": bool(torch.backends.cuda.cudnn_sdp_enabled())}
        obj = c["op"]
        row["spec"] = json.dumps(obj.to_json(), default=str)
        if run.cuda and run.elapsed() > g.budget_s + g.op_budget_s:
            row["error"] = "skipped: run budget spent"
            run.op_rows.append(row)
            continue
        try:
            fn = makers[n]()
            s = timer.measure(fn, 1, graph=True)
            row.update(t_stream_s=s.t.median, t_stream_p10_s=s.t.p10, t_stream_p90_s=s.t.p90, cpu_s=s.cpu.median,
                       graph_s=s.graph.median, graph_error=s.graph_error, inner=s.inner, reps=s.reps)
            row["t_idle_s"], row["wall_idle_s"] = _time_idle(fn, run, g.op_idle_reps)
            del fn
        except Exception as exc:  # an op that cannot be rebuilt or run is recorded, not fatal
            if run.cuda:
                recover_from_capture(run.device)
            row["error"] = f"{type(exc).__name__}: {exc}"[:300]
        run.op_rows.append(row)
        run.free()
    stream_rounds(run.op_rows, makers, timer, g.op_rounds, lambda: run.cuda and run.elapsed() > g.budget_s
                  + g.op_budget_s * ROUNDS_SHARE, run.free)
    ok = [r for r in run.op_rows if not r["error"]]
    run.log(f"op cases: {len(ok)} of {len(run.op_rows)} timed, {g.op_rounds} stream rounds")


def _maker(c: dict[str, Any], device: torch.device):
    obj = c["op"]
    return (lambda: sdpa_callable(obj, device)) if c["kind"] == "sdpa" else (lambda: op_callable(obj, device))


def stream_rounds(rows: list[dict[str, Any]], makers, timer: Timer, rounds: int, spent, free) -> None:
    """Re-time every case's steady stream (host issue and stream time, no graph) in `rounds - 1`
    further passes, the order reversed each pass, and keep per case the median over passes.

    The host's speed moves by 20-60 % between spells of a fraction of a second on these machines
    (same op, same shapes, neighbouring cases: 8.6 vs 13.3 us per call), while one pass times a
    case within one spell (its p10-p90 is tight). Interleaved passes sample each case in several
    spells, as the calibration suite's rounds do; the passes' medians stay in the row
    (`t_stream_rounds_s`, `cpu_rounds_s`) so the spread is visible."""
    timed = [r for r in rows if not r["error"]]
    open_passes(timed)
    for k in range(1, rounds):
        for r in (timed[::-1] if k % 2 else timed):
            if spent():
                break
            try:
                fn = makers[r["case"]]()
                s = timer.measure(fn, 1, graph=False)
                del fn
            except Exception:  # timed once already: a later pass that fails leaves that pass out
                continue
            finally:
                free()
            add_pass(r, s)
    fold_passes(timed)
