"""Per-op harness pairs: what the op cases' call costs the host over a model's call of the same op, op by op.

    python -m hetsim.calibration.gpu_suite.harness_pairs --group methods --out DIR/NAME

The op cases call each aten op as `torch.ops.aten.X.overload(**kw)` from a lambda; a model (the methods' code,
transformers) calls the torch binding (`torch.index_select(x, 0, idx)`, `x.amax(-1)`). host_calls times that difference
for one elementwise op (`mul_opoverload - mul_binding`) and the trace fit takes it out of every kernel case's issue
time. This times it per case of a group, on the case's own tensors, three ways interleaved over `rounds`:

- `opoverload_kw`: the op cases' call;
- `opoverload_pos`: the same overload with its arguments in schema order;
- `binding`: `torch.X` (else the Tensor method) with the same arguments.

Each is the host's issue time per call (host_calls' timer: a synchronise, then `inner` calls back to back, fewer than
the launch queue holds), the median of `reps` loops; the host probe (`host_calls.kernel_call_s`, the `mul_binding`
call) is taken before each round. A case whose op has no binding of the overload's arguments keeps its two overload
readings. Diagnostics, never fitting data (NAME.json with device, torch and date).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch

from hetsim.calibration.gpu_suite.host_calls import _per_call, kernel_call_s

VARIANTS = ("opoverload_kw", "opoverload_pos", "binding")


def variants(call) -> dict[str, Any]:
    """{variant: no-argument callable} of an op case's callable (opcases.op_callable: its `func` and `kwargs`)."""
    func, kwargs = call.func, call.kwargs
    pos, named, gap = [], {}, False
    for a in func._schema.arguments:
        if a.name not in kwargs:
            gap = True  # a default left out: the arguments after it go by name
            continue
        if a.kwarg_only or gap:
            named[a.name] = kwargs[a.name]
        else:
            pos.append(kwargs[a.name])
    out: dict[str, Any] = {"opoverload_kw": call, "opoverload_pos": lambda: func(*pos, **named)}
    base = func._schema.name.split("::")[-1]
    binding = getattr(torch, base, None) or getattr(torch.Tensor, base, None)
    if binding is not None:
        try:
            binding(*pos, **named)
            out["binding"] = lambda: binding(*pos, **named)
        except (TypeError, RuntimeError):
            pass  # the binding names or orders its arguments otherwise: no like-for-like call
    return out


def run(cases: list[tuple[int, dict]], device: torch.device, rounds: int, inner: int, reps: int,
        budget_s: float, log=print) -> dict[str, Any]:
    from hetsim.calibration.gpu_suite.aten_sweep import case_callable

    built = []
    for n, c in cases:
        if c["kind"] != "aten":
            continue
        try:
            built.append((n, c, variants(case_callable(c, device))))
        except Exception as exc:  # a case that cannot be rebuilt is left out, named
            log(f"  case {n} ({c['aten']}) left out: {type(exc).__name__}: {exc}"[:200])
    readings: dict[int, dict[str, list[float]]] = {n: {v: [] for v in fns} for n, _, fns in built}
    probes = []
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else None
    t0 = time.perf_counter()
    for r in range(rounds):
        if time.perf_counter() - t0 > budget_s:
            log(f"  budget spent after {r} rounds")
            break
        probes.append(kernel_call_s(device))
        for n, _, fns in built:
            for v, fn in fns.items():
                readings[n][v].append(_per_call(fn, inner=inner, reps=reps, sync=sync))
    rows = []
    for n, c, _ in built:
        row = {"case": n, "aten": c["aten"], "regime": c.get("regime"), "group": c.get("group")}
        for v in VARIANTS:
            xs = readings[n].get(v, [])
            row[f"{v}_s"] = statistics.median(xs) if xs else None
        rows.append(row)
    return {"rows": rows, "host_probe_s": probes, "rounds": len(probes), "inner": inner, "reps": reps}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite.harness_pairs",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--group", default="methods", help="aten sweep group whose cases are timed")
    ap.add_argument("--out", required=True, help="output path without suffix (NAME.json is written)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--inner", type=int, default=100)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--budget-s", type=float, default=120.0)
    a = ap.parse_args(argv)
    out = Path(a.out + ".json")
    if out.exists():
        print(f"{out}: exists; hetsim replaces only what it wrote, pick another --out", file=sys.stderr)
        return 2
    from hetsim.calibration.gpu_suite.aten_cases import read_cases
    from hetsim.calibration.gpu_suite.aten_sweep import pick

    device = torch.device(a.device)
    cases = pick(read_cases(), a.group, None)
    res = run(cases, device, a.rounds, a.inner, a.reps, a.budget_s)
    res.update(group=a.group, torch=torch.__version__, date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               device=torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
               command="python -m hetsim.calibration.gpu_suite.harness_pairs " + " ".join(argv or sys.argv[1:]),
               source="measured")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.part")
    tmp.write_text(json.dumps(res, indent=1))
    tmp.replace(out)
    keep = [r for r in res["rows"] if r["binding_s"]]
    if keep:
        d = [r["opoverload_kw_s"] - r["binding_s"] for r in keep]
        probe = statistics.median(res["host_probe_s"])
        print(f"{len(keep)} cases with a binding: the op cases' call over the binding, median "
              f"{statistics.median(d) * 1e6:.2f} us (min {min(d) * 1e6:.2f}, max {max(d) * 1e6:.2f}); "
              f"host probe {probe * 1e6:.2f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
