"""Chrome/Perfetto trace: devices (and links) as processes, engines as threads, ops as slices,
transfers as flow arrows from producer to transfer to consumer. Open in ui.perfetto.dev."""

from __future__ import annotations

from hetsim.runner import RunResult
from hetsim.units import US_PER_S


def chrome_trace(run: RunResult) -> dict:
    events: list[dict] = []
    pids: dict[str, int] = {}
    tids: dict[tuple[int, str], int] = {}

    def track(resource: str) -> tuple[int, int]:
        owner, _, engine = resource.partition(":")
        if owner not in pids:
            pids[owner] = len(pids) + 1
            events.append({"ph": "M", "name": "process_name", "pid": pids[owner], "args": {"name": owner}})
        pid = pids[owner]
        if (pid, engine) not in tids:
            tids[(pid, engine)] = len([k for k in tids if k[0] == pid]) + 1
            events.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tids[(pid, engine)],
                           "args": {"name": engine}})
        return pid, tids[(pid, engine)]

    where: dict[tuple, tuple[int, int, float, float]] = {}  # task instance -> (pid, tid, start, end) in us
    flows = []
    for phase, token, t0, rec in run.records:
        task = rec.task
        if not task.resources:
            continue
        start, end = (t0 + rec.start) * US_PER_S, (t0 + rec.end) * US_PER_S
        ident = (phase, token, rec.micro_batch, rec.layer, task.key)
        args = {"phase": phase, "token": token, "micro_batch": rec.micro_batch, "layer": rec.layer, "step": task.step}
        for i, resource in enumerate(task.resources):
            pid, tid = track(resource)
            if i == 0:
                where[ident] = (pid, tid, start, end)
            at = start
            for op in task.ops:
                dur = op.seconds * US_PER_S
                events.append({"ph": "X", "name": op.name, "cat": task.step, "pid": pid, "tid": tid, "ts": at,
                               "dur": dur, "args": {**args, "flops": op.flops, "bytes": op.bytes}})
                at += dur
        if task.step == "transfer":
            for dep in task.deps:
                flows.append(((phase, token, rec.micro_batch, rec.layer, dep), ident))
        else:
            for dep in task.deps:
                if dep.startswith("xfer:"):
                    flows.append(((phase, token, rec.micro_batch, rec.layer, dep), ident))
    for n, (src, dst) in enumerate(flows):
        if src not in where or dst not in where:
            continue
        spid, stid, s0, s1 = where[src]
        dpid, dtid, d0, _ = where[dst]
        events.append({"ph": "s", "id": n, "name": "data", "cat": "flow", "pid": spid, "tid": stid,
                       "ts": max(s0, s1 - 1e-3)})
        events.append({"ph": "f", "bp": "e", "id": n, "name": "data", "cat": "flow", "pid": dpid, "tid": dtid,
                       "ts": d0})
    return {"traceEvents": events, "displayTimeUnit": "ms",
            "metadata": {"run": run.label, "simulated": True}}
