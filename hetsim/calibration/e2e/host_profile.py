"""Where an eager decode step's host time goes: a diagnostic, never fitting data.

Runs a few decode steps of the real transformers model (random weights, as `measure` builds it)
under torch.profiler with CPU activity only, per stack (DynamicCache, StaticCache), and writes
per aten op its call count and self CPU time per step, with the step's wall time. It answers
questions such as "how much of a DynamicCache step is the first layer's SDPA call (the cuDNN plan
build)?" with numbers; the model's own figures come from op-level measurements (the suite,
host_calls.py, sdpa_plans.py), not from this.

Run on the GPU: python -m hetsim.calibration.e2e.host_profile --out host_profile.json
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from typing import Any

import torch

from hetsim.calibration.e2e.spec import load_spec
from hetsim.calibration.gpu_suite.host_calls import check_out
from hetsim.tracing.hf import build

STEPS = 4


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _caches(model, batch: int, context: int):
    from transformers import DynamicCache, StaticCache

    cfg, dtype, dev = model.config, next(model.parameters()).dtype, next(model.parameters()).device
    dyn = DynamicCache(config=cfg)
    shape = (batch, cfg.num_key_value_heads, context, cfg.head_dim)
    for i in range(cfg.num_hidden_layers):
        dyn.update(torch.randn(shape, dtype=dtype, device=dev), torch.randn(shape, dtype=dtype, device=dev), i)
    static = StaticCache(config=cfg, max_cache_len=context + 2 * STEPS + 8)
    static.early_initialization(batch, cfg.num_key_value_heads, cfg.head_dim, dtype, dev)
    for layer in static.layers:
        layer.keys.normal_()
        layer.values.normal_()
        layer.cumulative_length.fill_(context)
    return {"hf-dynamic": dyn, "hf-static": static}


def _profiled(call) -> dict[str, Any]:
    """`call` twice untimed (plans, allocator), then STEPS times under the CPU profiler."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    with torch.no_grad():
        for _ in range(2):
            call()
        _sync()
        walls = []
        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            for _ in range(STEPS):
                t0 = time.perf_counter()
                call()
                _sync()
                walls.append(time.perf_counter() - t0)
    ops: dict[str, dict[str, float]] = defaultdict(lambda: {"calls": 0.0, "self_cpu_s": 0.0, "cpu_s": 0.0})
    for e in prof.key_averages():
        row = ops[e.key]
        row["calls"] += e.count / STEPS
        row["self_cpu_s"] += e.self_cpu_time_total * 1e-6 / STEPS
        row["cpu_s"] += e.cpu_time_total * 1e-6 / STEPS
    sdpa = [ev.cpu_time_total * 1e-6 for ev in prof.events() if ev.name == "aten::scaled_dot_product_attention"]
    return {"wall_s": walls, "ops": dict(sorted(ops.items(), key=lambda kv: -kv[1]["self_cpu_s"])),
            "sdpa_call_cpu_s": sdpa}


def profile(model, batch: int, context: int) -> dict[str, Any]:
    """Decode steps at (batch, context), per stack, each step one token longer."""
    out: dict[str, Any] = {}
    ids = torch.randint(0, model.config.vocab_size, (batch, 1), device=next(model.parameters()).device)
    for stack, cache in _caches(model, batch, context).items():
        out[stack] = _profiled(lambda cache=cache: model(input_ids=ids, past_key_values=cache, use_cache=True,
                                                         logits_to_keep=1))
        print(stack, batch, context, [round(w * 1e3, 2) for w in out[stack]["wall_s"]], flush=True)
    return out


def profile_prefill(model, prompt: int) -> dict[str, Any]:
    """Prefill forwards of one prompt length, a fresh cache each, as `measure` times them: does a
    repeated prompt length rebuild anything (the hf-dynamic 1K prompt measured as slow as 2K)?"""
    from transformers import DynamicCache, StaticCache

    cfg = model.config
    ids = torch.randint(0, cfg.vocab_size, (1, prompt), device=next(model.parameters()).device)
    caches = {"hf-dynamic": lambda: DynamicCache(config=cfg), "hf-static": lambda: StaticCache(config=cfg,
                                                                                              max_cache_len=prompt)}
    out: dict[str, Any] = {}
    for stack, fresh in caches.items():
        out[stack] = _profiled(lambda fresh=fresh: model(input_ids=ids, past_key_values=fresh(), use_cache=True,
                                                         logits_to_keep=1))
        print("prefill", stack, prompt, [round(w * 1e3, 2) for w in out[stack]["wall_s"]], flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.e2e.host_profile", description=__doc__)
    ap.add_argument("--model", default="Llama-3.1-8B")
    ap.add_argument("--out", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--points", default="1x1024,8x1024", help="batch x context, comma-separated")
    ap.add_argument("--prefill", default="", help="prompt lengths, comma-separated (none by default)")
    args = ap.parse_args(argv)
    check_out(args.out)
    model = build(load_spec(args.model), 4096, device=args.device)
    with torch.no_grad():
        for p in model.parameters():
            if p.dim() >= 2:
                p.normal_(0.0, 0.02)
    points = [tuple(int(x) for x in p.split("x")) for p in args.points.split(",")]
    prompts = [int(x) for x in args.prefill.split(",") if x]
    res = {"points": [{"batch": b, "context": c, **profile(model, b, c)} for b, c in points],
           "prefill": [{"prompt": n, **profile_prefill(model, n)} for n in prompts],
           "device": torch.cuda.get_device_name() if args.device == "cuda" else args.device, "torch": torch.__version__,
           "provenance": {"source": "measured (diagnostic)", "command": "python -m hetsim.calibration.e2e.host_profile",
                          "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "steps": STEPS}}
    import transformers

    res["transformers"] = transformers.__version__
    with open(args.out, "w") as f:
        json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
