"""Host cost of cuDNN SDPA plan builds, measured as transformers' attention calls them.

PyTorch's cuDNN SDPA builds one cuDNN graph per (shape, stride) key and caches it
(aten/src/ATen/native/cudnn/MHA.cpp). A DynamicCache grows its K/V by one token per decode step,
so the first layer's SDPA call of every step has a new key: the host builds a graph there, and
the 31 other layers hit the cache. `host_calls.py` times one build alone; here the build is timed
the way a decode loop meets it, per call pattern of the shipped traces (query/key shapes and
strides, mask, causal, GQA; `patterns` below, written from hetsim.stacks' templates):

- `loop`: steps of `layers` SDPA calls at one K/V length, the length growing by one per step,
  against the same loop at a fixed length; host time per step (perf_counter around the calls,
  the GPU synchronised between steps). The difference is the build's cost per step in a loop.
- `alone`: the first call at a new length minus a cached call (host_calls.py's figure).
- `repeat`: a prefill-shaped call on fresh tensors at one shape, called again and again (a new
  DynamicCache per forward): whether anything is rebuilt per call once the shape was seen.

Each figure is the median over steps or calls, in seconds. No pydantic here (the device image
lacks it). Run: python -m hetsim.calibration.gpu_suite.sdpa_plans --out sdpa_plans.json
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import torch
import torch.nn.functional as F

from hetsim.calibration.gpu_suite.host_calls import check_out, emit

DYNAMIC_DECODE = {"stack": "hf-dynamic", "phase": "decode", "heads": 32, "kv_heads": 8, "d": 128, "gqa": True}
DYNAMIC_PREFILL = {"stack": "hf-dynamic", "phase": "prefill", "heads": 32, "kv_heads": 8, "d": 128, "gqa": True,
                   "causal": True}
LAYERS = 32


def _sync(dev) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def _query(batch: int, heads: int, q_len: int, d: int, dev) -> torch.Tensor:
    # transformers projects to (B, T, H, D) and transposes: a prefill query is not contiguous
    return torch.randn(batch, q_len, heads, d, device=dev, dtype=torch.bfloat16).transpose(1, 2)


def _kv(batch: int, kv_heads: int, length: int, d: int, dev) -> torch.Tensor:
    return torch.randn(batch, kv_heads, length, d, device=dev, dtype=torch.bfloat16)


def loop_cost(batch: int, context: int, dev, steps: int = 12, layers: int = LAYERS) -> dict[str, float]:
    """Host seconds per decode step of `layers` SDPA calls: K/V length growing vs fixed."""
    p = DYNAMIC_DECODE
    q = _query(batch, p["heads"], 1, p["d"], dev)
    full = _kv(batch, p["kv_heads"], context + 2 * steps + 4, p["d"], dev)

    def step(length: int) -> float:
        k = full[:, :, :length].contiguous()  # a DynamicCache holds one contiguous tensor per layer
        _sync(dev)
        t0 = time.perf_counter()
        for _ in range(layers):
            F.scaled_dot_product_attention(q, k, k, enable_gqa=p["gqa"])
        host = time.perf_counter() - t0
        _sync(dev)
        return host

    step(context)  # the fixed length's plan, and warm-up
    fixed = [step(context) for _ in range(steps)]
    grow = [step(context + 1 + i) for i in range(steps)]
    return {"fixed_step_s": statistics.median(fixed), "growing_step_s": statistics.median(grow),
            "build_per_step_s": statistics.median(grow) - statistics.median(fixed)}


def alone_cost(batch: int, context: int, dev, n: int = 5) -> dict[str, float]:
    p = DYNAMIC_DECODE
    q = _query(batch, p["heads"], 1, p["d"], dev)
    builds, cached = [], []
    for i in range(n):
        k = _kv(batch, p["kv_heads"], context + 1000 + i, p["d"], dev)
        _sync(dev)
        t0 = time.perf_counter()
        F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
        builds.append(time.perf_counter() - t0)
        _sync(dev)
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            F.scaled_dot_product_attention(q, k, k, enable_gqa=True)
            times.append(time.perf_counter() - t0)
            _sync(dev)
        cached.append(statistics.median(times))
    return {"first_call_s": statistics.median(builds), "cached_call_s": statistics.median(cached),
            "build_s": statistics.median(builds) - statistics.median(cached)}


def repeat_cost(prompt: int, dev, calls: int = 10) -> dict[str, Any]:
    """A prefill call on fresh tensors of one shape, again and again: host seconds per call."""
    p = DYNAMIC_PREFILL
    times = []
    for _ in range(calls):
        q = _query(1, p["heads"], prompt, p["d"], dev)
        k, v = _kv(1, p["kv_heads"], prompt, p["d"], dev), _kv(1, p["kv_heads"], prompt, p["d"], dev)
        _sync(dev)
        t0 = time.perf_counter()
        F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        times.append(time.perf_counter() - t0)
        _sync(dev)
    return {"first_s": times[0], "later_median_s": statistics.median(times[1:]), "calls_s": times}


def measure(dev, small: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"loop": [], "alone": [], "repeat": []}
    points = ((1, 64),) if small else ((1, 1024), (8, 1024), (64, 1024), (1, 16384), (8, 16384), (32, 4096))
    for batch, context in points:
        out["loop"].append({"batch": batch, "context": context, **loop_cost(batch, context, dev)})
        print("loop", out["loop"][-1], flush=True)
    for batch, context in points[:1] if small else ((1, 1024), (8, 4096)):
        out["alone"].append({"batch": batch, "context": context, **alone_cost(batch, context, dev)})
        print("alone", out["alone"][-1], flush=True)
    for prompt in (64,) if small else (1024, 4096):
        out["repeat"].append({"prompt": prompt, **repeat_cost(prompt, dev)})
        print("repeat", out["repeat"][-1], flush=True)
    out["patterns"] = {"decode": DYNAMIC_DECODE, "prefill": DYNAMIC_PREFILL, "layers": LAYERS}
    out["device"] = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    out["torch"] = torch.__version__
    out["cudnn"] = torch.backends.cudnn.version() if dev.type == "cuda" else None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.gpu_suite.sdpa_plans", description=__doc__)
    ap.add_argument("--out", help="JSON file to write (default: print)")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--small", action="store_true", help="tiny sizes (a smoke test on a CPU)")
    args = ap.parse_args(argv)
    check_out(args.out)
    res = measure(torch.device(args.device), small=args.small)
    res["provenance"] = {"source": "measured", "command": "python -m hetsim.calibration.gpu_suite.sdpa_plans",
                         "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "units": "seconds"}
    emit(res, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
