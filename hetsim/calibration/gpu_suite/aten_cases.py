"""The aten sweep's cases: distinct aten ops of traced 1-layer steps of models and shapes that the
op-level validation never uses, written as a JSON list the device run reads (no tracing there).

    python -m hetsim.calibration.gpu_suite.aten_cases [--out hetsim/calibration/gpu_suite/aten_cases.json.gz]

The list is kept gzip-compressed (18 MB of JSON, 1.3 MB packed: the working tree travels to a lent GPU under a size
limit); `--out` with a plain .json suffix writes it plain, and `cases_json` reads either.

The regimes of traced ops (`pointwise`, `cast`, `copy_strided`, `copy_cat`, `index_copy`,
`attention_masked`, `host_view`, `embedding`, `reduction_last`, `idle_start`) are fitted from these
cases (hetsim.calibration.trace_fit), never from the validation cases (calibration/e2e/H200/ops.parquet,
five Llama-3.1-8B traces). The sweep traces other models (Qwen2.5-7B: hidden 3584, GQA 7; Qwen3-8B:
per-head q/k RMSNorm; Llama-2-7B: no GQA) and Llama-3.1-8B at batches, contexts and prompt lengths
the validation grid does not trace; any case equal to a validation case (same aten overload, input
layouts and arguments) is dropped, so the two sets are disjoint (a test checks it).

A second group of cases, `methods`, comes from the methods' own code (hetsim/method_code: LServe, SeerAttention-R,
DSA, BM25, two-stage RAG) traced at sizes (PROBES) that no validation composite uses
(hetsim.method_code.composites.SIZES, measured in calibration/methods/<GPU>/methods.parquet); a case equal to an op
of a composite's trace is dropped, like the op-level validation cases. Beside them, REDUCTIONS: reductions over an
outer or middle dim (`reduction_outer(_max)`: LServe's page min/max, SeerAttention-R's block pooling, the
query-group sum) at a spread of shapes, last-dim means over 24-384 rows (LAST_DIM_MEANS: `reduction_last`'s
thread walk), torch.nonzero_static over masks (SELECTS: `select`), fp32 top-k (TOPKS_FP32:
`topk_select_multiblock_fp32`), fp8 casts (`cast_fp8`, `cast_from_fp8`: DSA's fp8 indexer), and index_select of few rows
(INDEX_FEW: ATen's small-index kernel, BM25's idf lookup). Each case of this group names its group, the regime
hetsim prices it by, and, for an index op, `int_bound`: the indices drawn over the rows they address (a method
gathers rows all over its cache, not within L2). The sweep runs one group alone:
`python -m hetsim.calibration.gpu_suite.aten_sweep --group methods --out ...`.

Needs torch and transformers (tracing on fake tensors, no GPU); run it where they are installed.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hetsim.calibration.paths import REPO_ROOT

CASES = Path(__file__).with_name("aten_cases.json.gz")
VALIDATION = REPO_ROOT / "calibration" / "e2e" / "H200" / "ops.parquet"
COMPOSITES = REPO_ROOT / "calibration" / "methods" / "H200" / "methods.parquet"  # the methods' validation data


def cases_json(path: Path = CASES) -> bytes:
    """A cases file's JSON text, unpacked where it is gzip-compressed (a .gz suffix, as the committed one is)."""
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def read_cases(path: Path = CASES) -> list[dict]:
    """A cases file's cases, in id order."""
    return json.loads(cases_json(path))["cases"]


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

    from hetsim.calibration.e2e.spec import load_spec
    from hetsim.tracing.hf import trace_model

    exclude = exclude or set()
    found: dict[str, dict] = {}
    for model, phase, stack, batch, context in traces:
        spec1 = SimpleNamespace(**{**vars(load_spec(model)), "layers": 1})
        label = f"{model}/{phase}/{stack}/B{batch}/C{context}"
        tr = trace_model(spec1, phase, batch, context, stack=stack, cache=False)
        add_cases(found, label, tr, exclude, decode=phase == "decode")
    return select(list(found.values()))


def add_cases(found: dict[str, dict], label: str, trace, exclude: set[str], decode: bool) -> list[tuple[dict, Any]]:
    """Every distinct op of one trace into `found` (keyed by case_key; an op seen before gains this
    source), less those in `exclude`; returns the cases first seen here, each with its traced op."""
    from hetsim.calibration.e2e.opcases import cases_of

    new = []
    for c in cases_of(label, trace):
        spec = c["op"].to_json()
        key = case_key(c["kind"], spec)
        if key in exclude:
            continue
        if key in found:
            found[key]["sources"].append([label, c["first_index"], c["count"]])
            continue
        found[key] = {"kind": c["kind"], "aten": c["aten"], "module": c["module"], "spec": spec,
                      "decode": decode, "sources": [[label, c["first_index"], c["count"]]]}
        new.append((found[key], c))
    return new


# regimes fitted from this sweep that refine a coarser one: the selection groups by the coarse one, so a new
# refinement does not change which cases the sweep holds (the measured sweep stays what this file makes)
REFINED = frozenset({"pointwise_broadcast", "cast_fp32", "cast_fp8", "cast_from_fp8", "gather_few", "embedding",
                     "embedding_few", "reduction_last", "matmul_outer", "reduction_outer_max", "copy_transpose",
                     "pointwise_math", "bmm_odd_tokens", "cast_int64", "group_norm", "index_add", "bmm_fp32",
                     "matmul_splitk", "bmm_even_tokens", "matmul_odd_width", "matmul_even_width", "pointwise_narrow",
                     "gemv_unaligned", "matmul_skinny", "bmm_fp32_tiles", "nll_loss", "bmm_tiles",
                     "cast_bool", "bmm_even_scores", "pointwise_int_div", "cast_unrolled", "index_add_few",
                     "pointwise_transpose", "conv_depthwise", "conv_depthwise_cudnn",
                     "pointwise_fill", "pointwise_arange", "searchsorted", "roll", "random", "grid_sample",
                     "cat_unaligned", "reduction_short", "copy_memcpy", "copy_repeat", "batch_norm_train",
                     "batch_norm_stats_cl", "fft", "matmul_int8_unaligned", "index_select", "foreach"})


def regime(case: dict, coarse: bool = True) -> tuple[str, float]:
    """(coarse rate key, bytes) of a case's first op, as hetsim prices it (`coarse=False`: its first rate key)."""
    from hetsim.calibration.trace_cases import TraceCase, lower_case
    from hetsim.hardware.gpu import rate_keys
    from hetsim.tracing.trace import AtenOp, SdpaCall

    op = SdpaCall.from_json(case["spec"]) if case["kind"] == "sdpa" else AtenOp.from_json(case["spec"])
    ops = lower_case(TraceCase(0, case["kind"], case["aten"], op, case["decode"], (), {}))
    if not ops:
        return "-", 0.0
    keys = rate_keys(ops[0])
    return (next(k for k in keys if k not in REFINED) if coarse else keys[0]), float(ops[0].bytes)


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


# ------------------------------------------------------------------------------------- methods group
GROUP = "methods"
LLAMA, QWEN, DSV3, LLAMA2 = "Llama-3.1-8B", "Qwen3-8B", "DeepSeek-V3.2", "Llama-2-7B"
# (method, phase, model, batch, context, params): none of them is a validation composite (composites.SIZES)
PROBES = (
    ("lserve", "decode", LLAMA, 2, 16384, {}), ("lserve", "decode", LLAMA, 4, 65536, {}),
    ("lserve", "prefill", LLAMA, 2, 8192, {}), ("lserve", "prefill", LLAMA, 4, 49152, {}),
    ("seer_attention", "decode", QWEN, 2, 16389, {}), ("seer_attention", "decode", QWEN, 4, 65541, {}),
    ("seer_attention", "prefill", QWEN, 2, 16384, {}), ("seer_attention", "prefill", QWEN, 4, 49152, {}),
    ("dsa", "decode", DSV3, 2, 16384, {}), ("dsa", "decode", DSV3, 4, 65536, {}),
    ("dsa", "decode", DSV3, 2, 65536, {"indexer": "fp8"}), ("dsa", "decode", DSV3, 4, 16384, {"indexer": "fp8"}),
    ("rag", "search", LLAMA2, 2, 1024, {"index": "inverted", "corpus_docs": 300_000}),
    ("rag", "search", LLAMA2, 4, 1024, {"index": "inverted", "corpus_docs": 3_000_000}),
    ("rag_two_stage", "first_stage", LLAMA2, 2, 1024, {"corpus_docs": 300_000}),
    ("rag_two_stage", "rerank", LLAMA2, 2, 1024, {"corpus_docs": 300_000}),
)
# (input shape, dtype, reduced dim): reductions over an outer or middle dim, each as amax and sum (mean: the
# same kernel); cols x inner x rows spread from a few KB to ~0.3 GB
REDUCTIONS = (
    ((16, 4, 1024), "bfloat16", 1), ((64, 8, 1024), "bfloat16", 1), ((512, 4, 4096), "bfloat16", 1),
    ((2048, 16, 128), "bfloat16", 1), ((65536, 16, 128), "bfloat16", 1), ((8192, 64, 128), "bfloat16", 1),
    ((32, 2, 8192), "bfloat16", 1), ((64, 4096), "bfloat16", 0), ((1024, 4096), "bfloat16", 0),
    ((128, 16, 2048), "float32", 1), ((4096, 32, 256), "bfloat16", 1), ((8, 128, 32768), "bfloat16", 1),
)
# (rows, cols, dtype): last-dim means over rows of a model's width (RMSNorm's fp32 mean at the batch sizes and
# prompt lengths between the models' traces): ATen's reduce kernel gives 16 rows a block (32 threads each) past
# 16 rows, so up to a few hundred rows each thread's walk, not HBM, sets the pace (`reduction_last`'s walk)
LAST_DIM_MEANS = ((24, 4096, "float32"), (48, 4096, "float32"), (64, 4096, "float32"), (96, 4096, "float32"),
                  (128, 4096, "float32"), (256, 4096, "float32"), (384, 3584, "float32"), (64, 1024, "float32"),
                  (256, 1024, "bfloat16"), (48, 14336, "bfloat16"),
                  # rows of 7168-131072 fp32: where a lane's share crosses Reduce.cuh's thresholds (in elements)
                  (16, 7168, "float32"), (16, 8192, "float32"), (4, 16384, "float32"), (1, 131072, "float32"),
                  (64, 8192, "float32"))
# mask shapes: torch.nonzero_static over a boolean mask (cub's select: SeerAttention-R threshold mode's selected
# blocks, whose torch.nonzero runs the same kernels and a sync besides), a tenth of the elements kept
SELECTS = ((8, 64), (64, 4096), (8, 131072))
# (rows, n, k): torch.topk over fp32 scores (BM25's document scores, an indexer's) in its multi-block regime
TOPKS_FP32 = ((1, 500_000, 100), (1, 2_000_000, 100), (1, 6_000_000, 1000), (4, 1_500_000, 100), (8, 500_000, 100),
              (8, 3_000_000, 64), (16, 2_000_000, 100), (32, 1_000_000, 100), (64, 300_000, 2048), (2, 65536, 2048))
# (shape, from dtype, to dtype): casts to and from float8_e4m3fn (the fp8 indexer's keys and queries)
FP8_CASTS = tuple((shape, a, b) for shape in ((4, 64, 128), (2, 8192, 128), (4, 65536, 128), (16, 65536, 128))
                  for a, b in (("float8_e4m3fn", "bfloat16"), ("bfloat16", "float8_e4m3fn")))
# (table shape, dtype, indices): index_select of few rows: <= 16 indices run ATen's indexSelectSmallIndex, whose
# threads walk the indices one after another (BM25's idf lookup at batch 1), 32 the large-index kernel beside them
INDEX_FEW = (((100000,), "float32", 2), ((100000,), "float32", 8), ((100000,), "float32", 16),
             ((100000,), "float32", 32), ((50000, 64), "bfloat16", 4), ((50000, 64), "bfloat16", 16),
             ((50000, 1024), "bfloat16", 4), ((50000, 1024), "bfloat16", 16))
INDEX_OPS = {"index_select": 0, "gather": 0, "index_add_": 0, "index_add": 0, "embedding": 0,  # aten -> input addressed
             "index": 0, "index_put_": 0, "index_put": 0, "scatter_add_": 0, "scatter_add": 0, "scatter": 0,
             "scatter_": 0,
             # added 2026-12-05 (index-sweep on): a GNN's scatter_reduce over its nodes and a recommender's bags over
             # their table. Groups timed before drew these ops' indices below the smallest float dim (8-128 rows: a
             # GAT's amax of 2.3 M edges into 8 rows ran 5.3 ms, its atomics on a few addresses); their committed
             # measurements stay as timed
             "scatter_reduce_": 0, "scatter_reduce": 0, "_embedding_bag": 0, "_embedding_bag_forward_only": 0}


def composite_keys(path: Path = COMPOSITES) -> set[str]:
    """The identities of every op of the validation composites' traces (never swept, never fitted); torch-free."""
    import pandas as pd

    from hetsim.tracing.trace import Trace

    keys: set[str] = set()
    if not Path(path).is_file():
        return keys
    rows = pd.read_parquet(path, columns=["step", "trace"])
    for step, trace in zip(rows["step"], rows["trace"], strict=True):
        if step == "all" or not isinstance(trace, str) or not trace:
            continue
        tr = Trace.from_json(json.loads(trace))
        # every op a case could be made of (opcases.cases_of's, views and SDPA's inner ops included: a superset)
        keys.update(case_key("aten", op.to_json()) for op in tr.ops)
        keys.update(case_key("sdpa", s.to_json()) for s in tr.sdpa)
    return keys


def _probe_traces():
    """(label, Trace) of each step of each probe, then of the reductions and fp8 casts."""
    import importlib

    import torch

    from hetsim.method_code.base import model_dims
    from hetsim.method_code.composites import MODULES
    from hetsim.method_code.trace import step_traces
    from hetsim.tracing.fake import trace_callable

    for method, phase, model, batch, context, params in PROBES:
        mod = importlib.import_module(f"hetsim.method_code.{MODULES[method]}")
        sizes = mod.sizes(model_dims(model), params, batch, context)
        extra = "".join(f",{k}={v}" for k, v in sorted(params.items()) if k != "index")
        for step, tr in step_traces(mod, phase, sizes).items():
            yield f"{method}/{phase}/B{batch}/C{context}{extra}/{step}", tr
    for shape, dtype, dim in REDUCTIONS:
        x = torch.empty(shape, dtype=getattr(torch, dtype), device="meta")
        for name in ("amax", "sum"):
            fn = (lambda t, d=dim: t.amax(dim=d)) if name == "amax" else (lambda t, d=dim: t.sum(dim=d))
            yield f"reduction/{name}/{'x'.join(map(str, shape))}/{dtype}/dim{dim}", trace_callable(fn, x)
    for rows, cols, dtype in LAST_DIM_MEANS:
        x = torch.empty((rows, 1, cols), dtype=getattr(torch, dtype), device="meta")
        yield f"reduction/mean/{rows}x1x{cols}/{dtype}/dim-1", trace_callable(lambda t: t.mean(-1, keepdim=True), x)
    for shape in SELECTS:
        m = torch.empty(shape, dtype=torch.bool, device="meta")
        n = shape[0] * shape[1] // 10
        label = f"select/{'x'.join(map(str, shape))}/{n}"
        yield label, trace_callable(lambda t, n=n: torch.nonzero_static(t, size=n), m)
    for rows, n, k in TOPKS_FP32:
        x = torch.empty((rows, n), dtype=torch.float32, device="meta")
        yield f"topk/{rows}x{n}/float32/{k}", trace_callable(lambda t, k=k: torch.topk(t, k), x)
    for shape, a, b in FP8_CASTS:
        x = torch.empty(shape, dtype=getattr(torch, a), device="meta")
        yield (f"cast/{a}->{b}/{'x'.join(map(str, shape))}",
               trace_callable(lambda t, d=getattr(torch, b): t.to(d), x))
    for shape, dtype, n in INDEX_FEW:
        table = torch.empty(shape, dtype=getattr(torch, dtype), device="meta")
        idx = torch.empty(n, dtype=torch.int64, device="meta")
        yield (f"index_select/{'x'.join(map(str, shape))}/{dtype}/{n}",
               trace_callable(lambda t, i: t.index_select(0, i), table, idx))


def int_bound(op) -> int | None:
    """For an index op, the rows its indices address (the size of the indexed dim), else None."""
    base = op.name.split(".")[1]
    if base not in INDEX_OPS or not op.inputs:
        return None
    src = op.inputs[INDEX_OPS[base]]
    if base == "embedding":
        return int(src.shape[0])
    if base in ("index", "index_put_", "index_put"):
        # x[a, b] (read or written): one index tensor per leading dim (the trace keeps no None for a skipped dim), each
        # drawn below the smallest of them (CLIP's x[arange(n), eot] over [n, 77, width]: the second addresses 77 rows)
        count = sum(1 for t in op.inputs[1:] if t.dtype in ("int64", "int32"))
        return int(min(src.shape[:max(count, 1)]))
    dim = int(op.args.get("dim", 0)) % max(len(src.shape), 1)
    return int(src.shape[dim])


def build_method_cases(exclude: set[str] | None = None) -> list[dict]:
    """The distinct ops of the probes' step traces, the reductions and the fp8 casts, less those in
    `exclude` (the op-level validation cases and the composites' ops), each tagged with its group,
    the rate key hetsim prices it by and, for an index op, its index bound."""
    exclude = exclude or set()
    found: dict[str, dict] = {}
    for label, tr in _probe_traces():
        # "<method>/decode/..." or "reduction/...": a case is decode where its source's second part says so
        for case, c in add_cases(found, label, tr, exclude, decode="/decode/" in label):
            case["group"] = GROUP
            case["regime"] = regime(case, coarse=False)[0]
            if c["kind"] == "aten" and (bound := int_bound(c["op"])) is not None:
                case["int_bound"] = bound
    return [c for c in found.values() if c["regime"] != "-"]


# ------------------------------------------------------------------------------------------ sdpa group
SDPA_GROUP = "sdpa"
# (model, stack, phase, batch, tokens): F.scaled_dot_product_attention as transformers calls it (the shipped stack
# templates, hetsim/stacks/traces, at these sizes; tokens: the context of a decode step, the prompt of a prefill),
# none of them a size the end-to-end grid measures. The sweep times them with PyTorch's own backend choice and
# again with cuDNN's SDPA switched off (`aten_sweep --cudnn-sdpa off`, as PyTorch <= 2.10 wheels or
# TORCH_CUDNN_SDPA_DEPRIORITIZED run): flash for the calls without a mask, memory-efficient for StaticCache's
# masked decode, so those backends are fitted on ops like every other regime
SDPA_DECODE = (("Qwen2.5-7B", 1, 3000), ("Qwen2.5-7B", 4, 12000), ("Qwen2.5-7B", 16, 40000), ("Qwen2.5-7B", 48, 6000),
               ("Llama-2-7B", 2, 2000), ("Llama-2-7B", 8, 20000), ("Llama-2-7B", 24, 8000),
               ("Qwen3-8B", 1, 60000), ("Qwen3-8B", 6, 5000), ("Qwen3-8B", 32, 2500),
               ("Llama-3.1-8B", 3, 24000), ("Llama-3.1-8B", 12, 1500), ("Llama-3.1-8B", 2, 90000))
SDPA_PREFILL = (("Qwen2.5-7B", "hf-dynamic", 768), ("Llama-2-7B", "hf-dynamic", 3000),
                ("Qwen3-8B", "hf-dynamic", 6000), ("Llama-3.1-8B", "hf-dynamic", 12000),
                ("Qwen2.5-7B", "hf-dynamic", 20000), ("Llama-3.1-8B", "hf-static", 1500),
                ("Qwen3-8B", "hf-static", 5000), ("Llama-2-7B", "hf-static", 10000))
SDPA_STATIC_SLACK = 512  # a StaticCache's length beyond the prompt (prefill) or the context (decode: 4 steps)


def _sdpa_calls():
    """(label, decode, SdpaCall) of the sdpa group, from the stack templates (torch-free)."""
    from hetsim.stacks import templates

    sizes = [(m, s, "decode", b, c) for m, b, c in SDPA_DECODE for s in ("hf-dynamic", "hf-static")]
    sizes += [(m, s, "prefill", 1, t) for m, s, t in SDPA_PREFILL]
    for model, stack, phase, batch, tokens in sizes:
        tpl = templates.load(model, stack, phase)
        static = tokens + (SDPA_STATIC_SLACK if phase == "prefill" else 4)
        values = {"B": batch, "T": 1 if phase == "decode" else tokens, "C": tokens if phase == "decode" else 0,
                  "L": static}
        for call in tpl.sdpa({s: values[s] for s in tpl.symbols}):
            yield f"{model}/{phase}/{stack}/B{batch}/C{tokens}", phase == "decode", call


def build_sdpa_cases(exclude: set[str] | None = None) -> list[dict]:
    """The sdpa group's cases (one SDPA call each, as transformers makes it), less those in `exclude`."""
    exclude = exclude or set()
    found: dict[str, dict] = {}
    for label, decode, call in _sdpa_calls():
        spec = call.to_json()
        key = case_key("sdpa", spec)
        if key in exclude:
            continue
        if key in found:
            found[key]["sources"].append([label, call.first_op, 1])
            continue
        case = {"kind": "sdpa", "aten": "scaled_dot_product_attention", "module": "model.layers.0.self_attn",
                "spec": spec, "decode": decode, "sources": [[label, call.first_op, 1]], "group": SDPA_GROUP}
        case["regime"] = regime(case, coarse=False)[0]
        found[key] = case
    return list(found.values())


# ------------------------------------------------------------------------------------ common groups
COMMON, COMMON_CHECK, COMMON_MORE, INDEX_WIDTHS = "common", "common-check", "common-more", "index-widths"
# Ops real PyTorch code runs beyond the models' and methods' traces, each at a spread of sizes: x[idx] (a row
# gather), x[idx] = v and its accumulating form, scatter / scatter_add_, sort, cumsum, multinomial (a sampling
# step). The `common` sizes fit their regimes (trace_fit); the `common-check` sizes, other shapes of the same
# ops and ops priced by regimes fitted elsewhere (max.dim, var, log_softmax, argmin, baddbmm, flip, pad, tril),
# are never fitted: `hetsim validate ops --cases` on their sweep file is an out-of-sample check.
# (group, label, builder of (callable, meta inputs), positive floats: probabilities must be >= 0)
def _meta_makers():
    """(m, i): a meta tensor of a float dtype (bf16 unless `dt`), and one of int64 indices."""
    import torch

    def m(*shape, dt=torch.bfloat16):
        return torch.empty(*shape, dtype=dt, device="meta")

    def i(*shape):
        return torch.empty(*shape, dtype=torch.int64, device="meta")

    return m, i


def _dtype_makers():
    """(mh, mf, mb, mi32): meta tensors in fp16 (as `model.half()` leaves a model), fp32, bool and int32, as the
    real-code groups make them."""
    import torch

    m, _ = _meta_makers()
    return tuple((lambda *shape, dt=dt: m(*shape, dt=dt))
                 for dt in (torch.float16, torch.float32, torch.bool, torch.int32))


def repeat_kv(x, n: int):
    """transformers' repeat_kv: K/V heads [batch, heads, seq, dim] repeated n times by an expand and a reshape (the
    copy a model's code makes before SDPA), as the real-code groups trace it."""
    b, h, s, d = x.shape
    return x[:, :, None, :, :].expand(b, h, n, s, d).reshape(b, h * n, s, d)


def rotate_half(x):
    """transformers' rotate_half: the last dim's halves swapped, the second negated (slice, slice, neg, cat), as the
    real-code groups trace it."""
    import torch

    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def _layer_makers(rms_eps: float, ln_eps: float = 1e-5):
    """(linear, rms, ln) as model code calls them over the last dim; the epsilons are the group's (they are traced
    into its cases, so each group keeps its own)."""
    import torch.nn.functional as F

    def linear(x, w, b=None):
        return F.linear(x, w, b)

    def rms(x, w):
        return F.rms_norm(x, (x.shape[-1],), w, rms_eps)

    def ln(x, w=None, b=None):
        return F.layer_norm(x, (x.shape[-1],), w, b, ln_eps)

    return linear, rms, ln


def _labelled(groups):
    """Each (name, callable, inputs) of each (group, specs) as the spec functions yield it: its label names the
    inputs' shapes and dtypes; a multinomial's probabilities are drawn >= 0."""
    for group, specs in groups:
        for name, fn, args in specs:
            shapes = "/".join("x".join(map(str, a.shape)) + f":{str(a.dtype).split('.')[-1]}" for a in args)
            yield group, f"{name}/{shapes}", fn, args, name == "multinomial"


def _common_specs():
    import torch

    m, i = _meta_makers()
    f32 = torch.float32
    rows = lambda x, idx: x[idx]  # noqa: E731
    put = lambda x, idx, v: x.index_put_((idx,), v)  # noqa: E731
    acc = lambda x, idx, v: x.index_put_((idx,), v, accumulate=True)  # noqa: E731
    sadd = lambda x, idx, v: x.scatter_add_(0, idx, v)  # noqa: E731
    scat = lambda x, idx, v: x.scatter(1, idx, v)  # noqa: E731
    srt = lambda x: torch.sort(x, dim=-1, descending=True)  # noqa: E731
    cum = lambda x: torch.cumsum(x, dim=-1)  # noqa: E731
    mult = lambda x: torch.multinomial(x, 1)  # noqa: E731
    fit = [("index", rows, (m(100000, 1024), i(n))) for n in (64, 1024, 16384)]
    fit += [("index", rows, (m(1000000, dt=f32), i(n))) for n in (100000, 1000000)]
    fit += [("index", rows, (m(50000, 128), i(n))) for n in (2048, 32768)]
    fit += [("index_put", put, (m(100000, 1024), i(n), m(n, 1024))) for n in (1024, 16384)]
    fit += [("index_put", put, (m(1000000, dt=f32), i(n), m(n, dt=f32))) for n in (100000, 1000000)]
    fit += [("index_put_acc", acc, (m(100000, 1024), i(n), m(n, 1024))) for n in (1024, 16384)]
    fit += [("index_put_acc", acc, (m(1000000, dt=f32), i(n), m(n, dt=f32))) for n in (100000, 1000000)]
    fit += [("scatter_add", sadd, (m(1000000, dt=f32), i(n), m(n, dt=f32))) for n in (200000, 2000000, 8000000)]
    fit += [("scatter", scat, (m(64, 32000), i(64, k), m(64, k))) for k in (100, 1000)]
    fit += [("scatter", scat, (m(1024, 4096, dt=f32), i(1024, k), m(1024, k, dt=f32))) for k in (64, 1024)]
    fit += [("sort", srt, (m(r, n, dt=f32),)) for r, n in ((1, 1000000), (8, 128256), (1024, 256))]
    fit += [("sort", srt, (m(64, 4096),))]
    fit += [("cumsum", cum, (m(r, n, dt=f32),)) for r, n in ((8, 128256), (1, 4000000), (4096, 4096))]
    fit += [("cumsum", cum, (m(64, 1024),))]
    fit += [("multinomial", mult, (m(r, n, dt=f32),)) for r, n in ((1, 128256), (8, 128256), (64, 32000))]
    check = [("index", rows, (m(100000, 1024), i(4096))), ("index", rows, (m(1000000, dt=f32), i(300000))),
             ("index", rows, (m(50000, 128), i(8192))),
             ("index_put", put, (m(100000, 1024), i(4096), m(4096, 1024))),
             ("index_put", put, (m(1000000, dt=f32), i(400000), m(400000, dt=f32))),
             ("index_put_acc", acc, (m(100000, 1024), i(4096), m(4096, 1024))),
             ("index_put_acc", acc, (m(1000000, dt=f32), i(300000), m(300000, dt=f32))),
             ("scatter_add", sadd, (m(1000000, dt=f32), i(1000000), m(1000000, dt=f32))),
             ("scatter", scat, (m(64, 32000), i(64, 300), m(64, 300))),
             ("sort", srt, (m(4, 500000, dt=f32),)), ("sort", srt, (m(32, 32000, dt=f32),)),
             ("sort", srt, (m(256, 1024),)),
             ("cumsum", cum, (m(16, 32000, dt=f32),)), ("cumsum", cum, (m(1, 1000000, dt=f32),)),
             ("multinomial", mult, (m(32, 128256, dt=f32),)), ("multinomial", mult, (m(4, 32000, dt=f32),)),
             ("max.dim", lambda x: x.max(dim=-1), (m(64, 4096),)),
             ("var", lambda x: x.var(dim=-1), (m(64, 4096, dt=f32),)),
             ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(8, 128256, dt=f32),)),
             ("argmin", lambda x: x.argmin(dim=-1), (m(16, 32000, dt=f32),)),
             ("baddbmm", lambda a, b, c: torch.baddbmm(a, b, c), (m(32, 128, 128), m(32, 128, 64), m(32, 64, 128))),
             ("flip", lambda x: x.flip(-1), (m(64, 4096),)),
             ("pad", lambda x: torch.nn.functional.pad(x, (0, 3)), (m(64, 4093),)),
             ("tril", lambda x: x.tril(), (m(4096, 4096),))]
    # a second fit group, timed after the check group showed what these ops' keys missed: reductions that carry an
    # index (max.dim, argmax over a vocabulary: greedy sampling), Welford's var / std, (log_)softmax over few long
    # rows (a block per row), tril / triu, constant_pad_nd
    more = [("max.dim", lambda x: x.max(dim=-1), (m(r, n),)) for r, n in ((16, 4096), (256, 4096), (4096, 4096))]
    more += [("argmax", lambda x: x.argmax(dim=-1), (m(r, n, dt=f32),)) for r, n in ((1, 128256), (8, 128256),
                                                                                      (64, 32000))]
    more += [("argmin", lambda x: x.argmin(dim=-1), (m(512, 1024, dt=f32),)),
             ("min.dim", lambda x: x.min(dim=-1), (m(32, 16384, dt=f32),))]
    more += [("var", lambda x: x.var(dim=-1), (m(r, n, dt=f32),)) for r, n in ((16, 4096), (1024, 4096), (8, 128256))]
    more += [("std", lambda x: x.std(dim=-1), (m(256, 1024),))]
    more += [("log_softmax", lambda x: torch.log_softmax(x, -1), (m(r, n, dt=f32),))
             for r, n in ((1, 128256), (4, 128256), (64, 32000), (1024, 4096), (4096, 512))]
    more += [("softmax", lambda x: torch.softmax(x, -1), (m(32, 32000),))]
    more += [("tril", lambda x: x.tril(), (m(1024, 1024),)), ("tril", lambda x: x.tril(), (m(8192, 8192),)),
             ("triu", lambda x: x.triu(1), (m(2048, 2048, dt=f32),))]
    more += [("pad", lambda x: torch.nn.functional.pad(x, (0, 3)), (m(r, 4093),)) for r in (8, 1024, 16384)]
    # x[idx] over row widths of 4 B to 8 KB, tables in and beyond L2, few and many indices: the check showed its
    # time following neither bytes nor elements
    widths = []
    for cols in (1, 16, 64, 128, 512, 1024, 4096):
        for table_bytes in (8 << 20, 256 << 20):
            table = (table_bytes // (2 * cols), cols) if cols > 1 else (table_bytes // 4,)
            dt = torch.bfloat16 if cols > 1 else f32
            widths += [("index", rows, (m(*table, dt=dt), i(n))) for n in (4096, 65536) if n <= table[0]]
    yield from _labelled(((COMMON, fit), (COMMON_CHECK, check), (COMMON_MORE, more), (INDEX_WIDTHS, widths)))


# ---------------------------------------------------------------------------------- real-code groups
REALCODE, REALCODE_CHECK = "realcode", "realcode-check"
# `realcode` fits the keys of ops the tracer records from real code beyond the models' traces: F.rms_norm /
# nn.RMSNorm as the GPU runs it (one _fused_rms_norm kernel, `rms_norm`), torch._scaled_mm (cuBLASLt's fp8 GEMM,
# `matmul_fp8`) and mv / addmv (cuBLAS gemv, `gemv`). `realcode-check` is a blind test of the whole vocabulary on
# what everyday PyTorch inference code launches (linear layers with and without bias in bf16 / fp16 / fp32 at
# ragged token counts, attention by einsum, norms, activations, masking, sampling, gathers, cats, layout copies,
# reductions over every dim, casts, fills) at shapes of models the suite never traced (GPT-2, Mistral, Qwen2.5,
# Gemma, Llama-70B widths): never fitted, and no case of it equals a case of any other group.


def _realcode_specs():
    import torch
    import torch.nn.functional as F

    m, i = _meta_makers()
    f32, f16, fp8 = torch.float32, torch.float16, torch.float8_e4m3fn
    one = lambda: torch.empty((), dtype=f32, device="meta")  # noqa: E731  a per-tensor scale

    def rms(x, w):
        return F.rms_norm(x, (x.shape[-1],), w, 1e-6)

    def smm(a, b, sa, sb):
        return torch._scaled_mm(a, b, sa, sb, out_dtype=torch.bfloat16)

    def fp8_b(n, k):
        return m(n, k, dt=fp8).t()  # column-major, as cuBLASLt's fp8 GEMM takes B

    bf = torch.bfloat16
    fit = [("rms_norm", rms, (m(r, c, dt=dt), m(c, dt=dt)))
           for r, c, dt in ((1, 4096, bf), (8, 4096, bf), (128, 4096, bf), (2048, 4096, bf), (16384, 4096, bf),
                            (4, 8192, bf), (512, 8192, bf), (4096, 2048, f32), (256, 128, bf), (65536, 128, bf))]
    fit += [("scaled_mm", smm, (m(mm, k, dt=fp8), fp8_b(n, k), one(), one()))
            for mm, k, n in ((16, 4096, 4096), (16, 4096, 14336), (64, 8192, 8192), (256, 4096, 4096),
                             (1024, 4096, 14336), (4096, 4096, 4096), (8192, 8192, 8192), (2048, 14336, 4096))]
    fit += [("scaled_mm_rowwise", smm, (m(512, 4096, dt=fp8), fp8_b(4096, 4096), m(512, 1, dt=f32),
                                        m(1, 4096, dt=f32)))]
    fit += [("mv", torch.mv, (m(r, c, dt=dt), m(c, dt=dt)))
            for r, c, dt in ((1024, 1024, bf), (4096, 4096, bf), (14336, 4096, bf), (4096, 14336, bf),
                             (128256, 4096, bf), (8192, 8192, f32))]
    fit += [("addmv", torch.addmv, (m(4096), m(4096, 4096), m(4096)))]

    def linear(x, w, b=None):
        return F.linear(x, w, b)

    check = [("linear_bias", linear, (m(t, k, dt=dt), m(n, k, dt=dt), m(n, dt=dt)))
             for t, k, n, dt in ((1, 768, 3072, f16), (100, 768, 2304, f16), (257, 1024, 4096, bf),
                                 (4096, 2304, 9216, bf))]
    check += [("linear", linear, (m(t, k, dt=dt), m(n, k, dt=dt)))
              for t, k, n, dt in ((3, 3584, 18944, bf), (17, 8192, 1024, bf),
                                  (1000, 4096, 14336, bf), (64, 1024, 1024, f32),
                                  (512, 768, 768, f32), (128, 4096, 4096, f16))]
    check += [("einsum_scores", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k),
               (m(1, 12, 1024, 64, dt=f16), m(1, 12, 1024, 64, dt=f16))),
              ("einsum_decode", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k),
               (m(4, 32, 1, 128), m(4, 32, 4096, 128)))]
    check += [("mv", torch.mv, (m(2048, 2048), m(2048))), ("mv", torch.mv, (m(28672, 8192), m(8192)))]
    check += [("scaled_mm", smm, (m(mm, k, dt=fp8), fp8_b(n, k), one(), one()))
              for mm, k, n in ((32, 8192, 28672), (2048, 4096, 4096))]
    check += [("rms_norm", rms, (m(r, c), m(c))) for r, c in ((3, 3584), (1000, 5120), (32768, 128))]
    check += [("layer_norm", lambda x, w, b: F.layer_norm(x, (x.shape[-1],), w, b), (m(r, c, dt=dt), m(c, dt=dt),
                                                                                    m(c, dt=dt)))
              for r, c, dt in ((512, 768, f16), (1, 4096, bf), (8192, 1024, f32))]
    check += [("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), (m(512, 3072, dt=f16),)),
              ("gelu", F.gelu, (m(100, 3072),)), ("silu_mul", lambda a, b: F.silu(a) * b,
                                                  (m(8, 14336), m(8, 14336))),
              ("silu_mul", lambda a, b: F.silu(a) * b, (m(2048, 18944), m(2048, 18944)))]
    check += [("softmax", lambda x: torch.softmax(x.float(), -1), (m(12, 1024, 1024, dt=f16),)),
              ("softmax", lambda x: torch.softmax(x, -1), (m(4, 32, 1, 4097),))]
    check += [("masked_fill", lambda x, k: x.masked_fill(k, float("-inf")),
               (m(8, 32, 1, 1024), m(8, 1, 1, 1024, dt=torch.bool))),
              ("where", lambda c, a, b: torch.where(c, a, b), (m(2048, 2048, dt=torch.bool), m(2048, 2048),
                                                               m(2048, 2048))),
              ("normalize", lambda x: F.normalize(x, dim=-1), (m(4096, 768, dt=f32),))]
    check += [("topk", lambda x: torch.topk(x, 50, dim=-1), (m(8, 128256, dt=f32),)),
              ("topk", lambda x: torch.topk(x, 40, dim=-1), (m(1, 32000),)),
              ("topk", lambda x: torch.topk(x, 256, dim=-1), (m(64, 4096),)),
              ("argmax", lambda x: x.argmax(-1), (m(4, 128256),)),
              ("sort", lambda x: torch.sort(x, -1, descending=True), (m(1, 128256, dt=f32),)),
              ("cumsum", lambda x: x.cumsum(-1), (m(1, 128256, dt=f32),)),
              ("multinomial", lambda x: torch.multinomial(x, 1), (m(2, 152064, dt=f32),))]
    check += [("gather", lambda x, idx: torch.gather(x, 1, idx), (m(64, 32000), i(64, 100))),
              ("gather", lambda x, idx: torch.gather(x, -1, idx), (m(8, 32, 4096), i(8, 32, 512))),
              ("index_select", lambda x, idx: x.index_select(0, idx), (m(32000, 4096), i(1000))),
              ("embedding", F.embedding, (i(4, 517), m(152064, 3584))),
              ("index", lambda x, idx: x[idx], (m(200000, 256), i(20000)))]
    check += [("cat3", lambda a, b, c: torch.cat([a, b, c], 2), (m(4, 8, 1024, 128), m(4, 8, 1024, 128),
                                                                 m(4, 8, 1, 128))),
              ("cat_halves", lambda a, b: torch.cat([-b, a], -1), (m(8, 32, 7, 64), m(8, 32, 7, 64))),
              ("stack", lambda a, b: torch.stack([a, b]), (m(1024, 4096), m(1024, 4096))),
              ("transpose_contiguous", lambda x: x.transpose(1, 2).contiguous(), (m(8, 1024, 32, 128),)),
              ("permute_contiguous", lambda x: x.permute(0, 2, 1).contiguous(), (m(16, 4096, 512, dt=f32),)),
              ("repeat_kv", lambda x: x[:, :, None].expand(2, 8, 4, 2048, 128).reshape(2, 32, 2048, 128),
               (m(2, 8, 2048, 128),))]
    check += [("mean_mid", lambda x: x.mean(1), (m(8, 1024, 4096),)),
              ("sum_dim0", lambda x: x.sum(0), (m(4096, 4096, dt=f32),)),
              ("amax", lambda x: x.amax(-1), (m(32, 32000, dt=f32),)),
              ("logsumexp", lambda x: torch.logsumexp(x, -1), (m(64, 32000, dt=f32),)),
              ("var_mean", lambda x: torch.var_mean(x, -1), (m(1024, 1024, dt=f32),)),
              ("norm", lambda x: x.norm(dim=-1), (m(65536, 128),))]
    check += [("clamp", lambda x: x.clamp(-1, 1), (m(4096, 4096),)), ("exp", torch.exp, (m(1000, 32000, dt=f32),)),
              ("rsqrt", torch.rsqrt, (m(8, 4096, dt=f32),)),
              ("div_broadcast", lambda x, y: x / y, (m(64, 1024, 1024), m(64, 1, 1024))),
              ("to_fp32", lambda x: x.float(), (m(8192, 8192),)), ("to_bf16", lambda x: x.bfloat16(),
                                                                  (m(4096, 14336, dt=f32),)),
              ("pad", lambda x: F.pad(x, (0, 0, 0, 7)), (m(2, 1017, 4096),)),
              ("tril", lambda x: torch.tril(x), (m(2048, 2048, dt=torch.bool),))]
    yield from _labelled(((REALCODE, fit), (REALCODE_CHECK, check)))


def build_common_cases(exclude: set[str] | None = None, specs=_common_specs) -> list[dict]:
    """The cases of the groups `specs` yields (default: common, common-check, common-more, index-widths; also
    `_realcode_specs`), less those in `exclude`; each tagged with its group, its regime and, for an index op, its
    index bound; `positive`: drawn >= 0."""
    from hetsim.tracing.fake import trace_callable

    exclude = exclude or set()
    found: dict[str, dict] = {}
    for group, label, fn, args, positive in specs():
        for case, c in add_cases(found, f"{group}/{label}", trace_callable(fn, *args), exclude, decode=False):
            case["group"] = group
            case["regime"] = regime(case, coarse=False)[0]
            if positive:
                case["positive"] = True
            if c["kind"] == "aten" and (bound := int_bound(c["op"])) is not None:
                case["int_bound"] = bound
    return [c for c in found.values() if c["regime"] != "-"]


def realcode_pairs() -> tuple[tuple[tuple[str, ...], Callable], ...]:
    """The real-code groups in the order the builder takes them, each (its groups, its spec function): a fit group
    and the blind check written beside it (the fifth, eighth and ninth checks alone; the sixth fit, realcode-more6,
    after the ninth check, which was written before it; the seventh fit, realcode-more7, before the tenth check,
    realcode-check10, which lives in realcode_twelfth; then gemm-shapes, a grid of cuBLAS products; then the eleventh
    check, realcode-check11, which lives in realcode_fourteenth, blind to all of them; then realcode-more9, the kernels
    its tail ran; then the twelfth check, realcode-check12, which lives in realcode_sixteenth, blind to every group
    before it; then realcode-more10 (realcode_seventeenth), the pooled checks' tail at sizes no group had; then the
    thirteenth check, realcode-check13, which lives in realcode_eighteenth, blind to every group before it; then
    realcode-more11 (realcode_nineteenth), the kernels the thirteenth check's tail ran; then the fourteenth check,
    realcode-check14, which lives in realcode_twentieth, blind to every group before it; then realcode-more12
    (realcode_twentyfirst), the kernels the fourteenth check's tail ran; then the fifteenth check, realcode-check15,
    which lives in realcode_twentysecond, blind to every group before it; then realcode-more13 (realcode_twentythird),
    elementwise kernels over strided operands, the fifteenth check's and the pooled checks' tail; then the sixteenth
    check, realcode-check16, which lives in realcode_twentyfourth, blind to every group before it; then
    realcode-more14 (realcode_twentyfifth), the depthwise convolutions its tail ran; then the seventeenth check,
    realcode-check17, which lives in realcode_twentysixth, blind to every group before it; then realcode-more15
    (realcode_twentyseventh), depthwise convolutions small and on cuDNN, few-row embeddings, small scatters; then
    realcode-more16 (realcode_twentyeighth), convolutions on cuDNN; then the eighteenth check, realcode-check18, which
    lives in realcode_twentyninth, blind to every group before it; then realcode-more17 (realcode_thirtieth), the
    convolutions and image ops the eighteenth check ran; then realcode-more18 (realcode_thirtyfirst), the image ops
    and convolutions at the sizes realcode-more17 lacked; then realcode-more19 (realcode_thirtysecond), LayerNorm over
    a spread of rows and widths, transposed convolutions and GLU; then the nineteenth check, realcode-check19, which
    lives in realcode_thirtythird, blind to every group before it; then realcode-more20 (realcode_thirtyfourth), fp32
    products, odd-width heads and small scatters at the checks' shapes; then realcode-more21 (realcode_thirtyfifth),
    torch.topk sorted and not, the short sorts after it, outer-dim scans, GNN index_add_ and small embedding bags;
    then the twentieth check, realcode-check20, which lives in realcode_thirtysixth, blind to every group before it;
    then realcode-more22 (realcode_thirtyseventh), outer-dim scans across the shapes their kernel runs; then
    realcode-more23 (realcode_thirtyeighth), fills and aranges, pow of a number, bucketize and batch-innermost
    products; then the twenty-first check, realcode-check21, which lives in realcode_thirtyninth, blind to every group
    before it; then realcode-more24 (realcode_fortieth), rolls, narrow-run cats, short-row reductions, the
    distribution kernels, grid_sample and unfold at other shapes than the twenty-first check's; then realcode-more25
    (realcode_fortyfirst), dense copies (a memcpy), repeats and flips; then realcode-more26 (realcode_fortysecond),
    copies out of expanded views in every dtype, small gathers, integer divisions and int64 casts; then realcode-more27
    (realcode_fortythird), batched products of small matrices; then realcode-more28 (realcode_fortyfourth), bicubic
    interpolation of channels-last inputs; then the twenty-second check, realcode-check22, which lives in
    realcode_fortyfifth, blind to every group before it; then realcode-more29 (realcode_fortysixth), batched 16-bit
    products of small matrices, one-row fp32 products in batches and elementwise ops over the columns of narrow rows;
    then realcode-more30 (realcode_fortyseventh), nll_loss, softmaxes over many vocabulary-wide rows, torch.optim's
    foreach kernels and one-op losses; then the twenty-third check, realcode-check23, which lives in
    realcode_fortyeighth, blind to every group before it; then realcode-more31 (realcode_fiftieth), broadcasting
    binaries at streaming sizes, in-place unary ops, fp32 linears of few rows and one-a-row gathers out of wide
    log-probabilities; then the twenty-fourth check, realcode-check24, which lives in realcode_fortyninth, blind to
    every group before it; then realcode-more32 (realcode_fiftyfirst), batch normalisation in training mode on each
    layout its CUDA code tells apart; then the twenty-fifth check, realcode-check25, which lives in
    realcode_fiftysecond, blind to every group before it; then gemm-fp32 (gemm_fp32), a sample of 2-D fp32 products
    in the four layouts real code writes; then realcode-more33 (realcode_fiftythird), cuFFT's transforms and the casts
    Copy.cu does not vectorise; then realcode-more34 (realcode_fiftyfifth), transposing copies over the layouts real
    code permutes; then the twenty-sixth check, realcode-check26, which lives in realcode_fiftyfourth, blind to every
    group before it; then gemm-fp32-large (gemm_fp32), fp32 products of 0.1-1.5 TFLOP; then conv-sweep (conv_sweep), a
    sample of convolutions in every path and dtype cuDNN tells apart; then the twenty-seventh check, realcode-check27,
    which lives in realcode_fiftysixth, blind to every group before it; then reduce-sweep (reduce_sweep), a sample of
    reductions over every layout of dims real code reduces; then tiny-sweep (tiny_sweep), elementwise, copy, index
    and softmax ops at the sizes where a kernel's fixed cost is most of its time; then rare-sweep (rare_sweep), ops
    hetsim has no kernel model for, each at a spread of sizes; then the twenty-eighth check, realcode-check28, which
    lives in realcode_fiftyseventh, blind to every group before it; then library-sweep (library_sweep), the library
    kernels rare-sweep drew at the sizes where their work binds; then scatter-pad-sweep (scatter_sweep), scatters and
    pads at the layouts and sizes the fit held none of; then select-sweep (select_sweep), torch.topk over 8 MB to 1 GB
    of scores; then index-sweep (index_sweep), row gathers, atomic scatters, thin outer scans and transposed
    elementwise reads; then contention-sweep (contention_sweep), int8 products at aligned widths and scatter-adds
    into few bins; then the twenty-ninth check, realcode-check29, which lives in realcode_fiftyeighth, blind to every
    group before it; then interp-sweep (interp_sweep), resizes in every layout and dimension, foreach launches of few
    chunks and unreduced nll_loss; then matvec-sweep (matvec_sweep), fp32 batches of one row or one column an item;
    then the thirtieth check, realcode-check30, which lives in realcode_fiftyninth, blind to every group before it;
    then pool-special-sweep (pool_special_sweep), pools over whole planes and wide windows, adaptive max pools and
    ATen's special functions, the forms the thirtieth check's tail ran; then the thirty-first check, realcode-check31,
    which lives in realcode_sixtieth, blind to every group before it; then longk-sweep (longk_sweep), fp32 products
    over long contractions, row scans, scatters over short rows, fp64 solves and fp32 1 x 1 convolutions, the forms
    the thirty-first check's tail ran; then the thirty-second check, realcode-check32, which lives in
    realcode_sixtyfirst, blind to every group before it; then spatial-softmax-sweep (spatial_softmax_sweep), softmax
    and log_softmax over a dim that is not the last, in each of the kernel's block shapes; then lookup-sweep
    (lookup_sweep), x[idx] through the element index kernel over code books, tables within the L2 and beyond it;
    then the thirty-third check, realcode-check33, which lives in realcode_sixtysecond, blind to every group before
    it; then the thirty-fourth check, realcode-check34, which lives in realcode_sixtythird, blind to every group
    before it; then rowscatter-sweep (rowscatter_sweep), index_copy_ of whole rows over the outermost dim and
    index_select of a few indices over wide rows, the forms the thirty-fourth check's tail ran; then the thirty-fifth
    check, realcode-check35, which lives in realcode_sixtyfourth, blind to every group before it; then the thirty-sixth
    check, realcode-check36, which lives in realcode_sixtyfifth, blind to every group before it; then the
    thirty-seventh check, realcode-check37, which lives in realcode_sixtysixth, blind to every group before it; then
    outer-sweep (outer_sweep), (value, index) and Welford reductions over outer and middle dims, sums over a long outer
    dim into few outputs and maxima over the last dim; then math-sweep (math_sweep), activations and transcendental
    functions one op at a time, for the measured neighbours' tables; then rowbmm-sweep (rowbmm_sweep), 16-bit
    batched products of one to eight rows an item, the forms the thirty-seventh check's multi-LoRA tail ran; then the
    thirty-eighth check, realcode-check38, which lives in realcode_sixtyseventh, blind to every group before it; then
    scan-sweep (scan_sweep), cumsum and cumprod from a few elements to a few million, the scans' small end; then the
    thirty-ninth check, realcode-check39, which lives in realcode_sixtyeighth, blind to every group before it; then
    cat-sweep (cat_sweep), strided cats with one input holding the bytes or inputs alike; then inplace-sweep
    (inplace_sweep), broadcast elementwise ops in place beside their out-of-place twins; then castmix-sweep
    (castmix_sweep), binary ops over contiguous operands of two dtypes into 16-bit and fp32 outputs; then conv-few-sweep
    (conv_sweep), convolutions with one to four input or output channels, RGB patch embeddings and stems among them;
    then gemm-fp32-thin (gemm_fp32), fp32 products over contractions of 2-64; then the fortieth check,
    realcode-check40, which lives in realcode_sixtyninth, blind to every group before it; then casreduce-sweep
    (casreduce_sweep), scatter_reduce by amax, amin and prod, whose float atomics are compare-and-swap loops, and
    16-bit scatter sums)."""
    from hetsim.calibration.gpu_suite import (
        casreduce_sweep,
        castmix_sweep,
        cat_sweep,
        contention_sweep,
        conv_sweep,
        gemm_fp32,
        gemm_shapes,
        index_sweep,
        inplace_sweep,
        interp_sweep,
        library_sweep,
        longk_sweep,
        lookup_sweep,
        math_sweep,
        matvec_sweep,
        outer_sweep,
        pool_special_sweep,
        rare_sweep,
        realcode_eighteenth,
        realcode_eighth,
        realcode_eleventh,
        realcode_fifteenth,
        realcode_fifth,
        realcode_fiftieth,
        realcode_fiftyeighth,
        realcode_fiftyfifth,
        realcode_fiftyfirst,
        realcode_fiftyfourth,
        realcode_fiftyninth,
        realcode_fiftysecond,
        realcode_fiftyseventh,
        realcode_fiftysixth,
        realcode_fiftythird,
        realcode_fortieth,
        realcode_fortyeighth,
        realcode_fortyfifth,
        realcode_fortyfirst,
        realcode_fortyfourth,
        realcode_fortyninth,
        realcode_fortysecond,
        realcode_fortyseventh,
        realcode_fortysixth,
        realcode_fortythird,
        realcode_fourteenth,
        realcode_fourth,
        realcode_more,
        realcode_nineteenth,
        realcode_ninth,
        realcode_seventeenth,
        realcode_seventh,
        realcode_sixteenth,
        realcode_sixth,
        realcode_sixtieth,
        realcode_sixtyeighth,
        realcode_sixtyfifth,
        realcode_sixtyfirst,
        realcode_sixtyfourth,
        realcode_sixtyninth,
        realcode_sixtysecond,
        realcode_sixtyseventh,
        realcode_sixtysixth,
        realcode_sixtythird,
        realcode_tenth,
        realcode_third,
        realcode_thirteenth,
        realcode_thirtieth,
        realcode_thirtyeighth,
        realcode_thirtyfifth,
        realcode_thirtyfirst,
        realcode_thirtyfourth,
        realcode_thirtyninth,
        realcode_thirtysecond,
        realcode_thirtyseventh,
        realcode_thirtysixth,
        realcode_thirtythird,
        realcode_twelfth,
        realcode_twentieth,
        realcode_twentyeighth,
        realcode_twentyfifth,
        realcode_twentyfirst,
        realcode_twentyfourth,
        realcode_twentyninth,
        realcode_twentysecond,
        realcode_twentyseventh,
        realcode_twentysixth,
        realcode_twentythird,
        reduce_sweep,
        rowbmm_sweep,
        rowscatter_sweep,
        scan_sweep,
        scatter_sweep,
        select_sweep,
        spatial_softmax_sweep,
        tiny_sweep,
    )

    return (((REALCODE, REALCODE_CHECK), _realcode_specs),
            ((realcode_more.REALCODE_MORE, realcode_more.REALCODE_CHECK2), realcode_more.specs),
            ((realcode_third.REALCODE_MORE2, realcode_third.REALCODE_CHECK3), realcode_third.specs),
            ((realcode_fourth.REALCODE_MORE3, realcode_fourth.REALCODE_CHECK4), realcode_fourth.specs),
            ((realcode_fifth.REALCODE_CHECK5,), realcode_fifth.specs),
            ((realcode_sixth.REALCODE_MORE4, realcode_sixth.REALCODE_CHECK6), realcode_sixth.specs),
            ((realcode_seventh.REALCODE_MORE5, realcode_seventh.REALCODE_CHECK7), realcode_seventh.specs),
            ((realcode_eighth.REALCODE_CHECK8,), realcode_eighth.specs),
            ((realcode_ninth.REALCODE_CHECK9,), realcode_ninth.specs),
            ((realcode_tenth.REALCODE_MORE6,), realcode_tenth.specs),
            ((realcode_eleventh.REALCODE_MORE7,), realcode_eleventh.specs),
            ((realcode_twelfth.REALCODE_CHECK10,), realcode_twelfth.specs),
            ((realcode_thirteenth.REALCODE_MORE8,), realcode_thirteenth.specs),
            ((gemm_shapes.GEMM_SHAPES,), gemm_shapes.specs),
            ((realcode_fourteenth.REALCODE_CHECK11,), realcode_fourteenth.specs),
            ((realcode_fifteenth.REALCODE_MORE9,), realcode_fifteenth.specs),
            ((realcode_sixteenth.REALCODE_CHECK12,), realcode_sixteenth.specs),
            ((realcode_seventeenth.REALCODE_MORE10,), realcode_seventeenth.specs),
            ((realcode_eighteenth.REALCODE_CHECK13,), realcode_eighteenth.specs),
            ((realcode_nineteenth.REALCODE_MORE11,), realcode_nineteenth.specs),
            ((realcode_twentieth.REALCODE_CHECK14,), realcode_twentieth.specs),
            ((realcode_twentyfirst.REALCODE_MORE12,), realcode_twentyfirst.specs),
            ((realcode_twentysecond.REALCODE_CHECK15,), realcode_twentysecond.specs),
            ((realcode_twentythird.REALCODE_MORE13,), realcode_twentythird.specs),
            ((realcode_twentyfourth.REALCODE_CHECK16,), realcode_twentyfourth.specs),
            ((realcode_twentyfifth.REALCODE_MORE14,), realcode_twentyfifth.specs),
            ((realcode_twentysixth.REALCODE_CHECK17,), realcode_twentysixth.specs),
            ((realcode_twentyseventh.REALCODE_MORE15,), realcode_twentyseventh.specs),
            ((realcode_twentyeighth.REALCODE_MORE16,), realcode_twentyeighth.specs),
            ((realcode_twentyninth.REALCODE_CHECK18,), realcode_twentyninth.specs),
            ((realcode_thirtieth.REALCODE_MORE17,), realcode_thirtieth.specs),
            ((realcode_thirtyfirst.REALCODE_MORE18,), realcode_thirtyfirst.specs),
            ((realcode_thirtysecond.REALCODE_MORE19,), realcode_thirtysecond.specs),
            ((realcode_thirtythird.REALCODE_CHECK19,), realcode_thirtythird.specs),
            ((realcode_thirtyfourth.REALCODE_MORE20,), realcode_thirtyfourth.specs),
            ((realcode_thirtyfifth.REALCODE_MORE21,), realcode_thirtyfifth.specs),
            ((realcode_thirtysixth.REALCODE_CHECK20,), realcode_thirtysixth.specs),
            ((realcode_thirtyseventh.REALCODE_MORE22,), realcode_thirtyseventh.specs),
            ((realcode_thirtyeighth.REALCODE_MORE23,), realcode_thirtyeighth.specs),
            ((realcode_thirtyninth.REALCODE_CHECK21,), realcode_thirtyninth.specs),
            ((realcode_fortieth.REALCODE_MORE24,), realcode_fortieth.specs),
            ((realcode_fortyfirst.REALCODE_MORE25,), realcode_fortyfirst.specs),
            ((realcode_fortysecond.REALCODE_MORE26,), realcode_fortysecond.specs),
            ((realcode_fortythird.REALCODE_MORE27,), realcode_fortythird.specs),
            ((realcode_fortyfourth.REALCODE_MORE28,), realcode_fortyfourth.specs),
            ((realcode_fortyfifth.REALCODE_CHECK22,), realcode_fortyfifth.specs),
            ((realcode_fortysixth.REALCODE_MORE29,), realcode_fortysixth.specs),
            ((realcode_fortyseventh.REALCODE_MORE30,), realcode_fortyseventh.specs),
            ((realcode_fortyeighth.REALCODE_CHECK23,), realcode_fortyeighth.specs),
            ((realcode_fiftieth.REALCODE_MORE31,), realcode_fiftieth.specs),
            ((realcode_fortyninth.REALCODE_CHECK24,), realcode_fortyninth.specs),
            ((realcode_fiftyfirst.REALCODE_MORE32,), realcode_fiftyfirst.specs),
            ((realcode_fiftysecond.REALCODE_CHECK25,), realcode_fiftysecond.specs),
            ((gemm_fp32.GEMM_FP32,), gemm_fp32.specs),
            ((realcode_fiftythird.REALCODE_MORE33,), realcode_fiftythird.specs),
            ((realcode_fiftyfifth.REALCODE_MORE34,), realcode_fiftyfifth.specs),
            ((realcode_fiftyfourth.REALCODE_CHECK26,), realcode_fiftyfourth.specs),
            ((gemm_fp32.GEMM_FP32_LARGE,), gemm_fp32.specs_large),
            ((conv_sweep.CONV_SWEEP,), conv_sweep.specs),
            ((realcode_fiftysixth.REALCODE_CHECK27,), realcode_fiftysixth.specs),
            ((reduce_sweep.REDUCE_SWEEP,), reduce_sweep.specs),
            ((tiny_sweep.TINY_SWEEP,), tiny_sweep.specs),
            ((rare_sweep.RARE_SWEEP,), rare_sweep.specs),
            ((realcode_fiftyseventh.REALCODE_CHECK28,), realcode_fiftyseventh.specs),
            ((library_sweep.LIBRARY_SWEEP,), library_sweep.specs),
            ((scatter_sweep.SCATTER_PAD_SWEEP,), scatter_sweep.specs),
            ((select_sweep.SELECT_SWEEP,), select_sweep.specs),
            ((index_sweep.INDEX_SWEEP,), index_sweep.specs),
            ((contention_sweep.CONTENTION_SWEEP,), contention_sweep.specs),
            ((realcode_fiftyeighth.REALCODE_CHECK29,), realcode_fiftyeighth.specs),
            ((interp_sweep.INTERP_SWEEP,), interp_sweep.specs),
            ((matvec_sweep.MATVEC_SWEEP,), matvec_sweep.specs),
            ((realcode_fiftyninth.REALCODE_CHECK30,), realcode_fiftyninth.specs),
            ((pool_special_sweep.POOL_SPECIAL_SWEEP,), pool_special_sweep.specs),
            ((realcode_sixtieth.REALCODE_CHECK31,), realcode_sixtieth.specs),
            ((longk_sweep.LONGK_SWEEP,), longk_sweep.specs),
            ((realcode_sixtyfirst.REALCODE_CHECK32,), realcode_sixtyfirst.specs),
            ((spatial_softmax_sweep.SPATIAL_SOFTMAX_SWEEP,), spatial_softmax_sweep.specs),
            ((lookup_sweep.LOOKUP_SWEEP,), lookup_sweep.specs),
            ((realcode_sixtysecond.REALCODE_CHECK33,), realcode_sixtysecond.specs),
            ((realcode_sixtythird.REALCODE_CHECK34,), realcode_sixtythird.specs),
            ((rowscatter_sweep.ROWSCATTER_SWEEP,), rowscatter_sweep.specs),
            ((realcode_sixtyfourth.REALCODE_CHECK35,), realcode_sixtyfourth.specs),
            ((realcode_sixtyfifth.REALCODE_CHECK36,), realcode_sixtyfifth.specs),
            ((realcode_sixtysixth.REALCODE_CHECK37,), realcode_sixtysixth.specs),
            ((outer_sweep.OUTER_SWEEP,), outer_sweep.specs),
            ((math_sweep.MATH_SWEEP,), math_sweep.specs),
            ((rowbmm_sweep.ROWBMM_SWEEP,), rowbmm_sweep.specs),
            ((realcode_sixtyseventh.REALCODE_CHECK38,), realcode_sixtyseventh.specs),
            ((scan_sweep.SCAN_SWEEP,), scan_sweep.specs),
            ((realcode_sixtyeighth.REALCODE_CHECK39,), realcode_sixtyeighth.specs),
            ((cat_sweep.CAT_SWEEP,), cat_sweep.specs),
            ((inplace_sweep.INPLACE_SWEEP,), inplace_sweep.specs),
            ((castmix_sweep.CASTMIX_SWEEP,), castmix_sweep.specs),
            ((conv_sweep.CONV_FEW_SWEEP,), conv_sweep.specs_few),
            ((gemm_fp32.GEMM_FP32_THIN,), gemm_fp32.specs_thin),
            ((realcode_sixtyninth.REALCODE_CHECK40,), realcode_sixtyninth.specs),
            ((casreduce_sweep.CASREDUCE_SWEEP,), casreduce_sweep.specs))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite.aten_cases",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=CASES)
    args = ap.parse_args(argv)
    exclude = validation_keys()
    cases = build_cases(exclude=exclude)
    cases += build_method_cases(exclude | composite_keys())
    cases += build_sdpa_cases(exclude)
    cases += build_common_cases(exclude)
    # the real-code groups come last, pair after pair, each dropping any op an earlier group or a composite has: a
    # check stays blind to every case before it (the fit groups included)
    for _, specs in realcode_pairs():
        earlier = {case_key(c["kind"], c["spec"]) for c in cases}
        cases += build_common_cases(exclude | earlier | composite_keys(), specs=specs)
    doc = {"about": "aten sweep cases (hetsim.calibration.gpu_suite.aten_cases); disjoint from " + VALIDATION.name
           + " and from the ops of the composites in " + str(COMPOSITES.relative_to(REPO_ROOT)),
           "traces": [list(t) for t in TRACES], "probes": [list(p) for p in PROBES], "cases": cases}
    text = (json.dumps(doc, indent=None, separators=(",", ":"), default=str) + "\n").encode()
    # mtime 0: the same cases pack to the same bytes, whatever day they were built
    args.out.write_bytes(gzip.compress(text, mtime=0) if args.out.suffix == ".gz" else text)
    print(f"wrote {len(cases)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
