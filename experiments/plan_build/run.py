"""How much does a cuDNN SDPA plan build cost inside transformers' DynamicCache decode, against the two ways
hetsim's calibration times it alone? A diagnostic on a GPU, never fitting data.

    python experiments/plan_build/run.py --out DIR [--layers 32] [--pairs 12]

Llama-3.1-8B from the catalogue (hetsim.calibration.e2e's random_model: random weights, `--layers` decoder
layers) decodes from a DynamicCache
of `context` random tokens. Each pair of steps, back to back (so both fall in the same spell of the host's
speed): a step at a K/V length the process never saw (PyTorch builds a cuDNN graph at the first layer's SDPA
call), then the cache cropped back by one token and the same step again (the graph cached). Their difference is
the build as a model meets it (`in_model`). In the same process and at the same batch and context, interleaved
with the pairs: `hetsim.calibration.gpu_suite.sdpa_plans`' `loop` (32 bare SDPA calls per step, growing vs fixed
length) and `alone` (one call at a new length minus the cached call: host_calls' figure, the profile's
`host_sdpa_plan`). Writes DIR/plan_build.json (every pair, provenance) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hetsim.calibration.e2e.measure import random_dynamic_cache, random_model  # noqa: E402
from hetsim.calibration.e2e.spec import load_spec  # noqa: E402
from hetsim.calibration.gpu_suite.sdpa_plans import alone_cost, loop_cost  # noqa: E402

POINTS = ((1, 4096), (8, 4096), (1, 16384), (32, 2048))


def in_model(model, batch: int, context: int, pairs: int, device: torch.device) -> dict:
    cfg = model.config
    cache = random_dynamic_cache(cfg, batch, context, torch.bfloat16, device)
    ids = torch.randint(0, cfg.vocab_size, (batch, 1), device=device)

    def step() -> float:
        torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        with torch.no_grad():
            model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)
        torch.cuda.synchronize(device)
        return time.perf_counter() - t0

    for _ in range(3):
        step()
    new, cached = [], []
    for _ in range(pairs):
        new.append(step())
        cache.crop(-1)  # the last token off: the same length again, its graph cached
        cached.append(step())
    diffs = [a - b for a, b in zip(new, cached, strict=True)]
    return {"new_step_s": new, "cached_step_s": cached, "build_s": statistics.median(diffs),
            "cached_median_s": statistics.median(cached)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--layers", type=int, default=32)
    ap.add_argument("--pairs", type=int, default=12)
    args = ap.parse_args(argv)
    device = torch.device("cuda")
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    spec = load_spec("Llama-3.1-8B")
    model = random_model(SimpleNamespace(**{**vars(spec), "layers": args.layers}), max(c for _, c in POINTS) + 64,
                         device).eval()
    print(f"model built in {time.perf_counter() - t0:.0f} s", flush=True)
    rows = []
    for batch, context in POINTS:
        m = in_model(model, batch, context, args.pairs, device)
        loop = loop_cost(batch, context + 50_000, device)  # lengths no other call here used
        alone = alone_cost(batch, context + 60_000, device)
        rows.append({"batch": batch, "context": context, "in_model": m, "loop": loop, "alone": alone})
        print(f"B{batch:<3} C{context:<6} in model {m['build_s'] * 1e3:6.1f} ms (cached step "
              f"{m['cached_median_s'] * 1e3:5.1f} ms) | loop {loop['build_per_step_s'] * 1e3:6.1f} ms | alone "
              f"{alone['build_s'] * 1e3:6.1f} ms", flush=True)
        torch.cuda.empty_cache()
    prov = {"source": "measured", "date_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
            "command": "python experiments/plan_build/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
            "device": torch.cuda.get_device_name(device), "torch": torch.__version__,
            "cudnn": torch.backends.cudnn.version(), "host": platform.node(), "layers": args.layers}
    try:
        import transformers

        prov["transformers"] = transformers.__version__
    except ImportError:
        pass
    (args.out / "plan_build.json").write_text(json.dumps({"provenance": prov, "points": rows}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
