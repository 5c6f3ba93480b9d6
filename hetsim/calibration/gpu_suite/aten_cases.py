"""The aten sweep's cases: distinct aten ops of traced 1-layer steps of models and shapes that the
op-level validation never uses, written as a JSON list the device run reads (no tracing there).

    python -m hetsim.calibration.gpu_suite.aten_cases [--out hetsim/calibration/gpu_suite/aten_cases.json]

The regimes of traced ops (`pointwise`, `cast`, `copy_strided`, `copy_cat`, `index_copy`,
`attention_masked`, `host_view`, `embedding`, `reduction_last`, `idle_start`) are fitted from these
cases (hetsim.calibration.trace_fit), never from the validation cases (calibration/e2e/H200/ops.parquet,
five Llama-3.1-8B traces). The sweep traces other models (Qwen2.5-7B: hidden 3584, GQA 7; Qwen3-8B:
per-head q/k RMSNorm; Llama-2-7B: no GQA) and Llama-3.1-8B at batches, contexts and prompt lengths
the validation grid does not trace; any case equal to a validation case (same aten overload, input
layouts and arguments) is dropped, so the two sets are disjoint (a test checks it).

Needs torch and transformers (tracing on fake tensors, no GPU); run it where they are installed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from hetsim.calibration.paths import REPO_ROOT

CASES = Path(__file__).with_name("aten_cases.json")
VALIDATION = REPO_ROOT / "calibration" / "e2e" / "H200" / "ops.parquet"
# (model, phase, stack, batch, context): none of them is a validation trace (grid "full"'s op_traces)
TRACES = (
    ("Llama-3.1-8B", "decode", "hf-static", 1, 1024),
    ("Llama-3.1-8B", "decode", "hf-dynamic", 2, 8192),
    ("Llama-3.1-8B", "decode", "hf-static", 16, 2048),
    ("Llama-3.1-8B", "prefill", "hf-dynamic", 1, 512),
    ("Llama-3.1-8B", "prefill", "hf-static", 1, 4096),
    ("Qwen2.5-7B", "decode", "hf-static", 4, 2048),
    ("Qwen2.5-7B", "decode", "hf-dynamic", 8, 1024),
    ("Qwen2.5-7B", "prefill", "hf-dynamic", 1, 1024),
    ("Qwen3-8B", "decode", "hf-static", 8, 8192),
    ("Qwen3-8B", "prefill", "hf-static", 1, 1024),
    ("Llama-2-7B", "decode", "hf-dynamic", 4, 4096),
    ("Llama-2-7B", "decode", "hf-static", 2, 4096),
)
# cases kept per regime (the rate key a case's first op is priced by), spread evenly over its bytes, so the
# device run fits its time budget; regimes the primitive suite fits (matmul) are not swept here
MAX_PER_REGIME = {"pointwise": 80, "host_view": 20, "matmul": 0}


def case_key(kind: str, spec: dict) -> str:
    """The identity of a case (as hetsim.calibration.e2e.opcases.cases_of keys them)."""
    if kind == "sdpa":
        return json.dumps(["sdpa", spec | {"first_op": 0, "end_op": 0, "module": 0}], sort_keys=True)
    return json.dumps([spec["op"], spec["in"], spec.get("args", {})], sort_keys=True, default=str)


def validation_keys(path: Path = VALIDATION) -> set[str]:
    import pandas as pd

    rows = pd.read_parquet(path, columns=["kind", "spec"])
    return {case_key(k, json.loads(s)) for k, s in zip(rows["kind"], rows["spec"], strict=True)}


def build_cases(traces=TRACES, exclude: set[str] | None = None) -> list[dict]:
    """The distinct ops of the traces (first seen first), less those in `exclude`."""
    from types import SimpleNamespace

    from hetsim.calibration.e2e.opcases import cases_of
    from hetsim.calibration.e2e.spec import load_spec
    from hetsim.tracing.hf import trace_model

    exclude = exclude or set()
    found: dict[str, dict] = {}
    for model, phase, stack, batch, context in traces:
        spec1 = SimpleNamespace(**{**vars(load_spec(model)), "layers": 1})
        label = f"{model}/{phase}/{stack}/B{batch}/C{context}"
        tr = trace_model(spec1, phase, batch, context, stack=stack, cache=False)
        for c in cases_of(label, tr):
            spec = c["op"].to_json()
            key = case_key(c["kind"], spec)
            if key in exclude:
                continue
            if key in found:
                found[key]["sources"].append([label, c["first_index"], c["count"]])
            else:
                found[key] = {"kind": c["kind"], "aten": c["aten"], "module": c["module"], "spec": spec,
                              "decode": phase == "decode", "sources": [[label, c["first_index"], c["count"]]]}
    return select(list(found.values()))


# regimes fitted from this sweep that refine a coarser one: the selection groups by the coarse one, so a new
# refinement does not change which cases the sweep holds (the measured sweep stays what this file makes)
REFINED = frozenset({"pointwise_broadcast", "cast_fp32", "embedding", "embedding_few", "reduction_last",
                     "reduction_few", "matmul_outer"})


def regime(case: dict) -> tuple[str, float]:
    """(coarse rate key, bytes) of a case's first op, as hetsim prices it."""
    from hetsim.calibration.trace_cases import TraceCase, lower_case
    from hetsim.hardware.gpu import rate_keys
    from hetsim.tracing.trace import AtenOp, SdpaCall

    op = SdpaCall.from_json(case["spec"]) if case["kind"] == "sdpa" else AtenOp.from_json(case["spec"])
    ops = lower_case(TraceCase(0, case["kind"], case["aten"], op, case["decode"], (), {}))
    if not ops:
        return "-", 0.0
    return next(k for k in rate_keys(ops[0]) if k not in REFINED), float(ops[0].bytes)


def select(cases: list[dict]) -> list[dict]:
    """At most MAX_PER_REGIME cases of a regime, evenly spaced in bytes (deterministic)."""
    groups: dict[str, list[tuple[float, int]]] = {}
    for i, c in enumerate(cases):
        key, nbytes = regime(c)
        groups.setdefault(key, []).append((nbytes, i))
    keep: set[int] = set()
    for key, items in groups.items():
        cap = MAX_PER_REGIME.get(key, len(items))
        items.sort()
        if cap >= len(items):
            keep.update(i for _, i in items)
        elif cap > 0:
            keep.update(items[round(j * (len(items) - 1) / max(cap - 1, 1))][1] for j in range(cap))
    return [c for i, c in enumerate(cases) if i in keep]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite.aten_cases",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=CASES)
    args = ap.parse_args(argv)
    cases = build_cases(exclude=validation_keys())
    doc = {"about": "aten sweep cases (hetsim.calibration.gpu_suite.aten_cases); disjoint from " + VALIDATION.name,
           "traces": [list(t) for t in TRACES], "cases": cases}
    args.out.write_text(json.dumps(doc, indent=None, separators=(",", ":"), default=str) + "\n")
    print(f"wrote {len(cases)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
