"""Does a fake-tensor CPU trace show what a real CUDA forward dispatches? Record both and compare.

On a GPU machine (real weights, real tensors, nothing faked):
    python experiments/trace_vs_cuda.py record --device cuda --out cuda.json
Here (fake tensors on CPU, as `hetsim trace` records):
    python experiments/trace_vs_cuda.py record --device fake --out fake.json
    python experiments/trace_vs_cuda.py compare fake.json cuda.json
The model is Llama-3.1-8B cut to 2 layers (full width), at batch 2 with 256 tokens cached or prompted.
`compare` prints, per case, whether the op sequences match outside SDPA calls, and what each side
dispatched inside them (the CPU op vs the CUDA backend PyTorch chose).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CASES = [("decode", "hf-dynamic"), ("decode", "hf-static"), ("prefill", "hf-dynamic"), ("prefill", "hf-static")]
BATCH, TOKENS, LAYERS = 2, 256, 2


def record(device: str) -> dict:
    from types import SimpleNamespace

    import torch

    from hetsim.tracing import hf, recorder

    # Llama-3.1-8B's catalogue shapes, cut to LAYERS layers; spelled out so that the GPU side needs
    # no pydantic (the GPU image has torch and transformers, not hetsim's dependencies)
    spec = SimpleNamespace(name="Llama-3.1-8B", layers=LAYERS, hidden=4096, q_heads=32, kv_heads=8, head_dim=128,
                           intermediate=14336, vocab=128256, dtype="bf16", max_position_embeddings=131072,
                           mla=None, moe=None, indexer=None)
    out = {"torch": torch.__version__, "device": device, "cases": {}}
    if device == "cuda":
        out["gpu"] = torch.cuda.get_device_name()
        out["sdpa_probe"] = probe(device)
    for phase, stack in CASES:
        step = hf.make_step(phase, BATCH, TOKENS, stack=stack)
        if device == "fake":
            trace = hf.trace_model(spec, phase, BATCH, TOKENS, stack=stack, cache=False)
        else:
            model = hf.build(spec, step.cached + step.new, device=device)
            kwargs = hf.step_inputs(model, step, device)
            trace = recorder.record(lambda m=model, k=kwargs: m(**k), {"device": device}, model)
            if device == "cuda":
                torch.cuda.synchronize()
            del model, kwargs
        out["cases"][f"{phase}/{stack}"] = trace.to_json()
    return out


# SDPA argument patterns seen in transformers (decode with GQA, with repeated heads and a mask, the
# query group folded into the query length, prefill): which aten ops does each dispatch?
PROBES = {
    "decode gqa, no mask": dict(q=(8, 32, 1, 128), k=(8, 8, 4096, 128), gqa=True),
    "decode repeated heads, bool mask": dict(q=(8, 32, 1, 128), k=(8, 32, 4097, 128), mask=(8, 1, 1, 4097)),
    "decode group folded, bool mask": dict(q=(8, 8, 4, 128), k=(8, 8, 4097, 128), mask=(8, 1, 1, 4097)),
    "decode gqa, bool mask": dict(q=(8, 32, 1, 128), k=(8, 8, 4097, 128), mask=(8, 1, 1, 4097), gqa=True),
    "prefill causal gqa": dict(q=(1, 32, 4096, 128), k=(1, 8, 4096, 128), causal=True, gqa=True),
    "prefill causal, repeated heads": dict(q=(1, 32, 4096, 128), k=(1, 32, 4096, 128), causal=True),
    "fp32 decode gqa": dict(q=(8, 32, 1, 128), k=(8, 8, 4096, 128), gqa=True, dtype="float32"),
}


def probe(device: str) -> dict:
    import torch
    import torch.nn.functional as F

    from hetsim.tracing import recorder

    out = {}
    for name, p in PROBES.items():
        dtype = getattr(torch, p.get("dtype", "bfloat16"))
        q = torch.randn(p["q"], dtype=dtype, device=device)
        k = torch.randn(p["k"], dtype=dtype, device=device)
        mask = torch.ones(p["mask"], dtype=torch.bool, device=device) if "mask" in p else None
        trace = recorder.record(lambda q=q, k=k, m=mask, p=p: F.scaled_dot_product_attention(
            q, k, k, attn_mask=m, is_causal=p.get("causal", False), enable_gqa=p.get("gqa", False)), {})
        out[name] = [o.name.removeprefix("aten.") for o in trace.ops]
    return out


def _key(op: dict) -> tuple:
    return op["op"], tuple(tuple(t[0]) for t in op["in"]), tuple(tuple(t[0]) for t in op["out"])


def compare(a_path: Path, b_path: Path) -> int:
    a, b = json.loads(a_path.read_text()), json.loads(b_path.read_text())
    print(f"{a['device']} (torch {a['torch']}) vs {b['device']} (torch {b['torch']}, {b.get('gpu', '')})")
    bad = 0
    for case in a["cases"]:
        ta, tb = a["cases"][case], b["cases"][case]

        def outside(t):
            spans = [(s["first_op"], s["end_op"]) for s in t["sdpa"]]
            return [_key(o) for i, o in enumerate(t["ops"]) if not any(f <= i < e for f, e in spans)]

        def inside(t):
            s = t["sdpa"][0]
            return [o["op"].removeprefix("aten.") for o in t["ops"][s["first_op"]:s["end_op"]]]

        oa, ob = outside(ta), outside(tb)
        same = oa == ob
        bad += not same
        print(f"{case:20s} ops {len(ta['ops']):5d} vs {len(tb['ops']):5d}; outside SDPA identical: {same}")
        if not same:
            import difflib
            for line in list(difflib.unified_diff([str(x) for x in oa], [str(x) for x in ob], lineterm=""))[:20]:
                print("    ", line)
        print(f"{'':20s} SDPA call: {ta['sdpa'][0]['query'][0]} x {ta['sdpa'][0]['key'][0]} mask "
              f"{ta['sdpa'][0]['attn_mask'] and ta['sdpa'][0]['attn_mask'][0]} causal {ta['sdpa'][0]['is_causal']} "
              f"gqa {ta['sdpa'][0]['enable_gqa']}")
        print(f"{'':20s}   {a['device']}: {inside(ta)}")
        print(f"{'':20s}   {b['device']}: {inside(tb)}")
    for name, ops in b.get("sdpa_probe", {}).items():
        print(f"probe {name:34s} {b['device']}: {ops}")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("--device", choices=("cuda", "cpu", "fake"), required=True)
    rec.add_argument("--out", type=Path, required=True)
    cmp_ = sub.add_parser("compare")
    cmp_.add_argument("a", type=Path)
    cmp_.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.cmd == "record":
        args.out.write_text(json.dumps(record(args.device)))
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    raise SystemExit(main())
