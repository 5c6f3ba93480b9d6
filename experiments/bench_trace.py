"""How long tracing takes: a fresh process per case (imports counted apart), then a cached read.

    python experiments/bench_trace.py
Target (issue 10): a 32-layer Llama-3.1-8B decode-step trace in <= 5 s on a 2-core machine.
Prints a table: import of torch + transformers, model build + fake weights + recording (the trace),
the whole cold process, and reading the same trace back from the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

CASES = [("Llama-3.1-8B", "decode", 8, 32768, "hf-static"), ("Llama-3.1-8B", "decode", 8, 32768, "hf-dynamic"),
         ("Llama-3.1-8B", "prefill", 1, 8192, "hf-dynamic"), ("Qwen3-8B", "decode", 8, 32768, "hf-static")]

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import torch, transformers  # noqa: F401
from transformers import LlamaForCausalLM, StaticCache  # noqa: F401  (what a trace imports)
t1 = time.perf_counter()
from hetsim.tracing.hf import trace_model
model, phase, batch, context, stack = json.loads(sys.argv[1])
t2 = time.perf_counter()
tr = trace_model(model, phase, batch, context, stack=stack)
t3 = time.perf_counter()
tr2 = trace_model(model, phase, batch, context, stack=stack)
t4 = time.perf_counter()
assert tr2 == tr
print(json.dumps({"import_s": t1 - t0, "trace_s": t3 - t2, "cached_s": t4 - t3, "ops": len(tr.ops)}))
"""


def main() -> None:
    print(f"{'case':44s} {'import s':>9s} {'trace s':>8s} {'process s':>10s} {'cache read s':>13s} {'ops':>6s}")
    for case in CASES:
        with tempfile.TemporaryDirectory() as cache:
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(case)], capture_output=True, text=True,
                                 env={**os.environ, "HETSIM_TRACE_CACHE": cache}, check=True)
            wall = time.perf_counter() - start
        r = json.loads(out.stdout.strip().splitlines()[-1])
        name = f"{case[0]} {case[1]} b{case[2]} ctx{case[3]} {case[4]}"
        print(f"{name:44s} {r['import_s']:9.2f} {r['trace_s']:8.2f} {wall:10.2f} {r['cached_s']:13.3f} {r['ops']:6d}")


if __name__ == "__main__":
    main()
