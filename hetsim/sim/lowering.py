"""Lowering one layer's work onto a placement: steps become tasks on device engines, and a
transfer is inserted wherever a step's input was produced on another device."""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.workloads.base import LayerWork, StepWork

PREV_POST = "@prev:post"  # dependency on the previous layer's last task (same micro-batch)
# An eager GPU stream's host stage: task `host:<key>` issues what task `<key>` runs (`compute_tasks`).
# A dependency on `host:<key>` where `<key>` has no host task (an FPGA step, a transfer, a stream
# without host cost) is on `<key>` itself: the host waits for that result before issuing more.
HOST_PREFIX = "host:"
HOST_STEP = "host"
LEAD_PREFIX = "lead:"  # the host stage up to the first op that runs on the GPU
PREV_HOST = "@prev:host:post"  # the previous layer's last host stage (same micro-batch)


@dataclass(frozen=True)
class OpRun:
    name: str
    op_class: str
    seconds: float
    flops: float
    bytes: float
    energy_j: float


@dataclass(frozen=True)
class TaskT:
    """A task of one layer for one micro-batch (a template: instantiated per layer and micro-batch)."""

    key: str
    step: str  # model | prepare | relevancy | retrieval | apply | relevancy+retrieval | transfer
    device: str
    resources: tuple[str, ...]
    duration: float
    deps: tuple[str, ...]
    ops: tuple[OpRun, ...] = ()
    energy_j: float = 0.0
    link_bytes: tuple[tuple[str, float], ...] = ()
    link_energy_j: float = 0.0


@dataclass(frozen=True)
class PlannedStep:
    key: str  # task key: the step name or "a+b" when fused
    steps: tuple[str, ...]
    device: str
    ops: tuple
    inputs: tuple[tuple[str, int], ...]
    output_bytes: int


def plan_steps(work: LayerWork, placement, kind_of, method_name: str = "") -> list[PlannedStep]:
    """Group steps (fusing where a fused kernel exists for the placed device) and pick each
    group's ops for the kind of device it is placed on."""
    present = [s.step for s in work.steps]
    groups: list[tuple[tuple[str, ...], tuple | None]] = []
    taken: set[str] = set()
    for step in present:
        if step in taken:
            continue
        fused = None
        for (names, kind), ops in work.fused.items():
            devs = {placement.device_of(n) for n in names}
            if names[0] == step and all(n in present for n in names) and len(devs) == 1 \
                    and kind_of(devs.pop()) == kind:
                fused = (names, ops)
                break
        if fused:
            groups.append(fused)
            taken.update(fused[0])
        else:
            groups.append(((step,), None))
            taken.add(step)
    planned = []
    for names, fused_ops in groups:
        works: list[StepWork] = [work.step(n) for n in names]  # type: ignore[misc]
        device = placement.device_of(names[0])
        kind = kind_of(device)
        if fused_ops is not None:
            ops = fused_ops
        elif kind in works[0].ops:
            ops = works[0].ops[kind]
        else:
            runs_on = sorted(works[0].ops)
            hint = ""
            if any(names[0] in ns for ns, _ in work.fused):
                hint = " unless fused: " + "; ".join(
                    f"{'+'.join(ns)} together on one {k}" for ns, k in work.fused if names[0] in ns)
            raise ValueError(
                f"step {names[0]} of method {method_name or '?'} cannot run on a {kind} "
                f"({device}); it runs on: {', '.join(runs_on)}{hint}"
            )
        inputs = tuple((p, b) for w in works for p, b in w.inputs if p not in names)
        planned.append(PlannedStep("+".join(names), names, device, tuple(ops), inputs, works[-1].output_bytes))
    return planned


def lower_layer(machine, placement, work: LayerWork, pre_ops, post_ops, method_name: str,
                model_dev: str | None = None, role: str = "model", memo: dict | None = None) -> list[TaskT]:
    """The tasks of one layer for one micro-batch, in a fixed order (the engine's FIFO tie-break).
    The layer's own ops run on `model_dev` (default: the placement's model device) and count as
    `role` ('prepare' when the LLM writes its own memory). `memo`: compute tasks already priced
    (see `compute_tasks`)."""
    tasks: list[TaskT] = []
    model_dev = model_dev or placement.model
    tasks += compute_tasks(machine, "pre", role, model_dev, pre_ops, (PREV_POST,), memo)
    owner = {"model": ("pre", model_dev)}  # the layer's pre-attention output (q, new k)
    planned = plan_steps(work, placement, machine.kind, method_name)
    for ps in planned:
        # inputs from one device travel as one transfer (one DMA of the packed buffers)
        by_src: dict[str, tuple[list[str], int]] = {}
        for producer, nbytes in ps.inputs:
            src_key, src_dev = owner[producer]
            keys, total = by_src.get(src_dev, ([], 0))
            by_src[src_dev] = (keys + [src_key], total + nbytes)
        deps = []
        for src_dev, (keys, nbytes) in by_src.items():
            if src_dev == ps.device or nbytes <= 0:
                deps += keys
            else:
                deps.append(transfer_tasks(machine, tasks, tuple(dict.fromkeys(keys)), src_dev, ps.device,
                                           nbytes, f"{src_dev}>{ps.key}"))
        if not deps:
            deps.append("pre")
        tasks += compute_tasks(machine, ps.key, ps.key if len(ps.steps) > 1 else ps.steps[0],
                               ps.device, ps.ops, tuple(dict.fromkeys(deps)), memo)
        for s in ps.steps:
            owner[s] = (ps.key, ps.device)
    # the layer's output is Apply's (a method without Apply ends at its last step)
    apply = owner.get("apply", (planned[-1].key, planned[-1].device) if planned else ("pre", model_dev))
    apply_out = next((p.output_bytes for p in planned if "apply" in p.steps), 0)
    dep = transfer_tasks(machine, tasks, (apply[0],), apply[1], model_dev, apply_out, "apply>post")
    tasks += compute_tasks(machine, "post", role, model_dev, post_ops, (dep,), memo)
    return tasks


def compute_tasks(machine, key: str, step: str, device: str, ops, deps: tuple[str, ...],
                  memo: dict | None = None) -> tuple[TaskT, ...]:
    """The tasks running `ops` back to back on a device's compute engine.

    On a GPU the ops form one stream, replayed as a CUDA graph (the GPU's times add up) or issued
    eagerly from Python, per `simulation.gpu_execution`. Eager PyTorch is a two-stage pipeline:
    the host issues ops while the GPU runs those issued before, so a forward takes about the
    slower stage's total, not the sum of each layer's slower stage. The ops therefore become host
    tasks (on the GPU's host engine, after the host stages before them: `lead:<key>` up to the
    first op that runs on the GPU, `host:<key>` the rest) and a device task (`<key>`, after the
    lead and its own dependencies); a sync (a blocking copy) ends such a group, and the host
    task after it waits for the device task before it. Without host cost (no profile) the
    device task stands alone.

    `memo` (one machine's): tasks already built, by everything they are built from. Most of a
    layer (the weights' matmuls, norms) is the same at every decode step; op names are part of
    the key because they label the trace though they take no part in op equality."""
    if memo is None:
        return _compute_tasks(machine, key, step, device, tuple(ops), deps)
    # the same tuple object again (a layer's own ops within a phase): found without hashing its ops
    by_id = (key, step, device, deps, id(ops))
    hit = memo.get(by_id)
    if hit is not None and hit[0] is ops:
        return hit[1]
    ops = tuple(ops)
    memo_key = (key, step, device, deps, ops, tuple(op.name for op in ops))
    tasks = memo.get(memo_key)
    if tasks is None:
        tasks = memo[memo_key] = _compute_tasks(machine, key, step, device, ops, deps)
    memo[by_id] = (ops, tasks)  # holds `ops`, so its id is not reused while the entry lives
    return tasks


def _compute_tasks(machine, key: str, step: str, device: str, ops: tuple, deps: tuple[str, ...]
                   ) -> tuple[TaskT, ...]:
    model = machine.models[device]
    if model.kind == "gpu" and machine.gpu_execution == "eager":
        segments = model.stream_segments(ops, staged=True)
        if any(seg.host_s > 0 for seg in segments):
            return _staged_tasks(machine, model, key, step, device, segments, deps)
    if model.kind == "gpu" and machine.gpu_execution == "graph":
        # a replay: each op runs its device time, no host in the way
        runs = tuple(OpRun(op.name or op.op_class, op.op_class, t, op.flops, op.bytes, model.energy_j(op, t))
                     for op, t in ((op, model.device_time_s(op)) for op in ops))
        resources = (machine.engine(device, "compute"),) if runs else ()
        return (TaskT(key, step, device, resources, model.graph_time_s(ops), deps, runs,
                      sum(r.energy_j for r in runs)),)
    if model.kind == "gpu":
        times = [model.op_time_s(op) for op in ops]
        duration = model.ops_time_s(ops)
    else:
        times = [model.op_time_s(op) for op in ops]
        duration = sum(times)
    scale = duration / sum(times) if sum(times) > 0 else 0.0
    runs = tuple(OpRun(op.name or op.op_class, op.op_class, t * scale, op.flops, op.bytes,
                       t * scale * model.active_w(op)) for op, t in zip(ops, times, strict=True))
    resources = (machine.engine(device, "compute"),) if runs else ()
    return (TaskT(key, step, device, resources, duration, deps, runs, sum(r.energy_j for r in runs)),)


def _staged_tasks(machine, model, key: str, step: str, device: str, segments, deps: tuple[str, ...]
                  ) -> tuple[TaskT, ...]:
    """The host and device tasks of an eager stream (see `compute_tasks`). The host stage is two
    tasks: `lead:<key>` issues ops until the first that runs on the GPU, which the device task
    waits for (not for the whole host stage: the GPU starts on the first kernel issued);
    `host:<key>` issues the rest. A device task's energy is its ops' over their GPU time
    (`GpuModel.energy_j`); the host's is not modelled here."""
    tasks: list[TaskT] = []
    host_engine, stream = machine.engine(device, "host"), machine.engine(device, "compute")
    host_deps = tuple(PREV_HOST if d == PREV_POST else HOST_PREFIX + d for d in deps)
    dev_deps = deps
    for i, seg in enumerate(segments):
        k = key if i == len(segments) - 1 else f"{key}#{i}"
        split = bool(seg.device_s) and 0 < seg.lead_s < seg.host_s
        issued = LEAD_PREFIX + k if split else HOST_PREFIX + k  # what the device task waits for
        if split:
            tasks.append(_host_task(issued, device, host_engine, seg.lead_s, host_deps))
            host_deps = (issued,)
        tasks.append(_host_task(HOST_PREFIX + k, device, host_engine, seg.host_s - (seg.lead_s if split else 0.0),
                                host_deps))
        runs = tuple(OpRun(op.name or op.op_class, op.op_class, t, op.flops, op.bytes, model.energy_j(op, t))
                     for op, t in zip(seg.ops, seg.device_s, strict=True))
        tasks.append(TaskT(k, step, device, (stream,), sum(seg.device_s, 0.0), (issued, *dev_deps), runs,
                           sum(r.energy_j for r in runs)))
        # after a sync the host waits for the GPU; otherwise it runs on as soon as it has issued
        host_deps = (k, HOST_PREFIX + k) if seg.ends_in_sync else (HOST_PREFIX + k,)
        dev_deps = (k,)
    return tuple(tasks)


def _host_task(key: str, device: str, engine: str, seconds: float, deps: tuple[str, ...]) -> TaskT:
    return TaskT(key, HOST_STEP, device, (engine,), seconds, deps, (OpRun(key, HOST_STEP, seconds, 0.0, 0.0, 0.0),))


def transfer_tasks(machine, tasks: list[TaskT], src_keys: tuple[str, ...], src_dev: str, dst_dev: str,
                   nbytes: int, label: str) -> str:
    """Append the transfer tasks from src_dev to dst_dev; return the key a consumer waits on."""
    if src_dev == dst_dev or nbytes <= 0:
        return src_keys[-1]
    deps = src_keys
    segments = machine.route(src_dev, dst_dev)
    if not segments:
        return src_keys[-1]
    for i, seg in enumerate(segments):
        key = f"xfer:{label}:{i}"
        first, last = seg[0].src, seg[-1].dst
        res = [h.resource for h in seg]
        if first in machine.models:
            res.append(machine.engine(first, "copy"))
        if last in machine.models:
            res.append(machine.engine(last, "copy"))
        link_energy = sum(nbytes * h.link.energy_j_per_byte for h in seg if h.link.energy_j_per_byte)
        tasks.append(TaskT(
            key, "transfer", first, tuple(sorted(set(res))), machine.segment_time_s(seg, nbytes), deps,
            (OpRun(f"{first}->{last}", "transfer", machine.segment_time_s(seg, nbytes), 0.0, nbytes, 0.0),),
            0.0, tuple((h.resource, float(nbytes)) for h in seg), link_energy,
        ))
        deps = (key,)
    return key
