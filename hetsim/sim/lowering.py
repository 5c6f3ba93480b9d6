"""Lowering one layer's work onto a placement: steps become tasks on device engines, and a
transfer is inserted wherever a step's input was produced on another device."""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.workloads.base import LayerWork, StepWork

PREV_POST = "@prev:post"  # dependency on the previous layer's last task (same micro-batch)


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
    (see `compute_task`)."""
    tasks: list[TaskT] = []
    model_dev = model_dev or placement.model
    tasks.append(compute_task(machine, "pre", role, model_dev, pre_ops, (PREV_POST,), memo))
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
        tasks.append(compute_task(machine, ps.key, ps.key if len(ps.steps) > 1 else ps.steps[0],
                                  ps.device, ps.ops, tuple(dict.fromkeys(deps)), memo))
        for s in ps.steps:
            owner[s] = (ps.key, ps.device)
    # the layer's output is Apply's (a method without Apply ends at its last step)
    apply = owner.get("apply", (planned[-1].key, planned[-1].device) if planned else ("pre", model_dev))
    apply_out = next((p.output_bytes for p in planned if "apply" in p.steps), 0)
    dep = transfer_tasks(machine, tasks, (apply[0],), apply[1], model_dev, apply_out, "apply>post")
    tasks.append(compute_task(machine, "post", role, model_dev, post_ops, (dep,), memo))
    return tasks


def compute_task(machine, key: str, step: str, device: str, ops, deps: tuple[str, ...],
                 memo: dict | None = None) -> TaskT:
    """A task running `ops` back to back on a device's compute engine.

    On a GPU the ops form one stream: issued eagerly from Python (the host issues while the GPU
    runs, the slower of the two sums wins) or replayed as a CUDA graph (the GPU's times add up),
    per `simulation.gpu_execution`. Each op's slice of the task is its share of that time.

    `memo` (one machine's): tasks already built, by everything they are built from. Most of a
    layer (the weights' matmuls, norms) is the same at every decode step; op names are part of
    the key because they label the trace though they take no part in op equality."""
    if memo is None:
        return _compute_task(machine, key, step, device, tuple(ops), deps)
    # the same tuple object again (a layer's own ops within a phase): found without hashing its ops
    by_id = (key, step, device, deps, id(ops))
    hit = memo.get(by_id)
    if hit is not None and hit[0] is ops:
        return hit[1]
    ops = tuple(ops)
    memo_key = (key, step, device, deps, ops, tuple(op.name for op in ops))
    task = memo.get(memo_key)
    if task is None:
        task = memo[memo_key] = _compute_task(machine, key, step, device, ops, deps)
    memo[by_id] = (ops, task)  # holds `ops`, so its id is not reused while the entry lives
    return task


def _compute_task(machine, key: str, step: str, device: str, ops: tuple, deps: tuple[str, ...]) -> TaskT:
    model = machine.models[device]
    if model.kind == "gpu" and machine.gpu_execution == "graph":
        times = [model.device_time_s(op) for op in ops]
        duration = model.graph_time_s(ops)
    elif model.kind == "gpu":
        times = [model.op_time_s(op) for op in ops]
        duration = model.ops_time_s(ops)
    else:
        times = [model.op_time_s(op) for op in ops]
        duration = sum(times)
    scale = duration / sum(times) if sum(times) > 0 else 0.0
    runs = tuple(OpRun(op.name or op.op_class, op.op_class, t * scale, op.flops, op.bytes,
                       t * scale * model.active_w(op)) for op, t in zip(ops, times, strict=True))
    resources = (machine.engine(device, "compute"),) if runs else ()
    return TaskT(key, step, device, resources, duration, deps, runs, sum(r.energy_j for r in runs))


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
