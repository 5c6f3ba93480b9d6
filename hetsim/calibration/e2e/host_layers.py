"""Where an eager forward's host time goes, stage by stage: a diagnostic, never fitting data.

The measuring sessions found a short prefill forward (batch 1, 1K-4K tokens) issuing for 41-48 ms
of host time where a decode step of the same model issues for ~21 ms (cuDNN SDPA off, so no plan
builds), with the same aten ops and kernel launches. This times, without a profiler, the host
clock at the boundaries of one forward's stages (forward pre/post hooks): before the first decoder
layer (embedding, rotary, mask), each decoder layer, and after the last (norm, LM head); per
forward also the caching allocator's device allocations and the time the host waited in a
synchronising call (`torch.cuda.set_sync_debug_mode`, counted by the warnings it raises).
Prefill with a fresh cache per forward (as `measure` times it) and decode over a filled cache, both
stacks; each `--reps` forwards after warm-ups, the two kinds interleaved so a host state change
hits both.

Run on the GPU: python -m hetsim.calibration.e2e.host_layers --out host_layers.json [--cudnn-sdpa off]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from typing import Any

import torch

from hetsim.calibration.e2e.measure import random_dynamic_cache, random_model
from hetsim.calibration.e2e.spec import load_spec
from hetsim.calibration.gpu_suite.host_calls import check_out


class StageClock:
    """perf_counter stamps at the model's stage boundaries (forward hooks on the decoder layers)."""

    def __init__(self, model):
        self.stamps: list[tuple[str, float]] = []
        layers = model.model.layers
        for i, layer in enumerate(layers):
            layer.register_forward_pre_hook(lambda *_, i=i: self.stamps.append((f"pre{i}", time.perf_counter())))
            layer.register_forward_hook(lambda *_, i=i: self.stamps.append((f"post{i}", time.perf_counter())))
        self.n = len(layers)

    def split(self, t0: float, t1: float) -> dict[str, float]:
        """Host seconds before the first layer, in the layers (sum and per layer), between layers, after the last."""
        s = dict(self.stamps)
        layers = [s[f"post{i}"] - s[f"pre{i}"] for i in range(self.n)]
        between = sum(s[f"pre{i + 1}"] - s[f"post{i}"] for i in range(self.n - 1))
        return {"before_s": s["pre0"] - t0, "layers_s": sum(layers), "between_s": between,
                "after_s": t1 - s[f"post{self.n - 1}"], "first_layer_s": layers[0],
                "layer_median_s": statistics.median(layers), "total_s": t1 - t0}


def timed_forward(model, clock: StageClock, ids, cache, device) -> dict[str, float]:
    """One forward's host stages, its device time (CUDA events) and its allocations and syncs."""
    torch.cuda.synchronize(device)
    before = torch.cuda.memory_stats(device)
    clock.stamps.clear()
    e0, e1 = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        t0 = time.perf_counter()
        e0.record()
        model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
        e1.record()
        t1 = time.perf_counter()
        torch.cuda.set_sync_debug_mode("default")
    e1.synchronize()
    after = torch.cuda.memory_stats(device)
    row = clock.split(t0, t1)
    row["stream_s"] = e0.elapsed_time(e1) * 1e-3
    row["device_allocs"] = after.get("num_device_alloc", 0) - before.get("num_device_alloc", 0)
    row["allocs"] = after.get("allocation.all.allocated", 0) - before.get("allocation.all.allocated", 0)
    row["syncs"] = sum("synchroniz" in str(w.message) for w in caught)
    return row


def run(model, device, prompts: list[int], context: int, reps: int, warm: int) -> dict[str, Any]:
    from transformers import DynamicCache, StaticCache

    cfg = model.config
    clock = StageClock(model)
    kinds = {}
    for p in prompts:
        ids = torch.randint(0, cfg.vocab_size, (1, p), device=device)
        kinds[f"prefill-dynamic-{p}"] = (ids, lambda: DynamicCache(config=cfg))
        kinds[f"prefill-static-{p}"] = (ids, lambda p=p: StaticCache(config=cfg, max_cache_len=p))
    one = torch.randint(0, cfg.vocab_size, (1, 1), device=device)
    decode_cache = random_dynamic_cache(cfg, 1, context, next(model.parameters()).dtype, device)
    kinds[f"decode-dynamic-{context}"] = (one, lambda: decode_cache)
    rows: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
    with torch.no_grad():
        for rep in range(warm + reps):
            for name, (ids, cache) in kinds.items():  # interleaved: a host state change hits every kind
                row = timed_forward(model, clock, ids, cache(), device)
                if rep >= warm:
                    rows[name].append(row)
            print(f"rep {rep}: " + ", ".join(f"{k} {v[-1]['total_s'] * 1e3:.1f} ms" for k, v in rows.items() if v),
                  flush=True)
    summary = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in rows.items()}
    return {"summary": summary, "reps": rows}


def first_prefills(model, device, prompt: int, reps: int) -> list[dict[str, float]]:
    """The measuring run's order (`measure.measure_prefill`): the first forwards after the model is built, with
    Python's collector off, each a fresh DynamicCache, timed as `measure` times them (no hooks): per forward its host
    issue and stream seconds, to see whether the first prompts' host time is the process's warm-up."""
    import gc

    from transformers import DynamicCache

    from hetsim.calibration.measure import time_calls

    cfg = model.config
    ids = torch.randint(0, cfg.vocab_size, (1, prompt), device=device)
    rows = []
    gc.disable()
    try:
        with torch.no_grad():
            for _ in range(reps):
                cache = DynamicCache(config=cfg)
                t, c = time_calls(lambda cache=cache: model(input_ids=ids, past_key_values=cache, use_cache=True,
                                                            logits_to_keep=1), 1, device)
                rows.append({"stream_s": t, "host_s": c})
    finally:
        gc.enable()
    print("first prefills:", ", ".join(f"{r['host_s'] * 1e3:.1f}/{r['stream_s'] * 1e3:.1f}" for r in rows), flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.e2e.host_layers", description=__doc__)
    ap.add_argument("--model", default="Llama-3.1-8B")
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--prompts", default="256,1024,4096")
    ap.add_argument("--context", type=int, default=1024, help="the decode step's cached tokens")
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--warm", type=int, default=3)
    ap.add_argument("--cudnn-sdpa", choices=("on", "off"), default="on")
    ap.add_argument("--first", type=int, default=0,
                    help="first of all, this many prefills of the second prompt as the measuring run times them")
    args = ap.parse_args(argv)
    check_out(args.out)
    torch.backends.cuda.enable_cudnn_sdp(args.cudnn_sdpa == "on")
    device = torch.device(args.device)
    prompts = [int(x) for x in args.prompts.split(",") if x]
    model = random_model(load_spec(args.model), max(prompts + [args.context + 64]), device)
    first = first_prefills(model, device, prompts[1] if len(prompts) > 1 else prompts[0], args.first) \
        if args.first else []
    res = run(model, device, prompts, args.context, args.reps, args.warm)
    res["first_prefills"] = first
    import transformers

    res.update(device=torch.cuda.get_device_name(device), torch=torch.__version__,
               transformers=transformers.__version__, cudnn_sdpa=args.cudnn_sdpa,
               provenance={"source": "measured (diagnostic)", "command": "python -m hetsim.calibration.e2e.host_layers",
                           "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "reps": args.reps})
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
