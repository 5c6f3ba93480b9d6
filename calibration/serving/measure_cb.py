"""Measure transformers' own continuous batching (ContinuousBatchingManager, paged attention) on a
seeded request set: each request of requests.csv is added at its arrival time, and every token's
timestamp is recorded. Llama-3.1-8B shapes with random weights (timing does not depend on the
weights; eos disabled so each request makes exactly its output_tokens).

Runs on the GPU machine with torch + transformers only (no hetsim):
    python calibration/serving/measure_cb.py calibration/serving/requests.csv OUT_DIR [cudnn-off]

`cudnn-off`: cuDNN's SDPA switched off (torch.backends.cuda.enable_cudnn_sdp(False), a process-wide flag the
engine's thread reads too), so the engine's masked call runs the memory-efficient kernel, as on PyTorch <= 2.10.
"""

from __future__ import annotations

import csv
import json
import platform
import sys
import threading
import time
from pathlib import Path

import torch
import transformers
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM
from transformers.generation.configuration_utils import ContinuousBatchingConfig

# configs/models/Llama-3.1-8B.yaml (config.json of meta-llama/Llama-3.1-8B)
SHAPES = dict(num_hidden_layers=32, hidden_size=4096, num_attention_heads=32, num_key_value_heads=8, head_dim=128,
              intermediate_size=14336, vocab_size=128256, max_position_embeddings=131072, rope_theta=500000.0)
CB = dict(block_size=256, max_batch_tokens=512, use_cuda_graph=False, allow_block_sharing=False,
          scheduler_type="fifo")


def main(csv_path: str, out: str, software: str = "") -> None:
    if software not in ("", "cudnn-off"):
        raise SystemExit(f"unknown option {software!r} (cudnn-off, or nothing)")
    cudnn = software != "cudnn-off"
    torch.backends.cuda.enable_cudnn_sdp(cudnn)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    reqs = [dict(arrival_s=float(r["arrival_s"]), prompt_tokens=int(r["prompt_tokens"]),
                 output_tokens=int(r["output_tokens"])) for r in csv.DictReader(open(csv_path))]
    torch.manual_seed(0)
    shapes, device, cb = SHAPES, "cuda", dict(CB)
    if not torch.cuda.is_available():  # a smoke test of this script on a CPU: a tiny model, four requests
        shapes = {**SHAPES, "num_hidden_layers": 2, "hidden_size": 256, "intermediate_size": 512,
                  "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64, "vocab_size": 1000}
        device, reqs = "cpu", reqs[:4]
        cb["num_blocks"] = 64  # no GPU memory to size the cache from
    cfg = LlamaConfig(**shapes, torch_dtype="bfloat16")
    t = time.perf_counter()
    torch.set_default_dtype(torch.bfloat16)
    with torch.device(device):
        model = LlamaForCausalLM(cfg)
    model.eval()
    init_s = time.perf_counter() - t
    gen = GenerationConfig(max_new_tokens=256, do_sample=False, eos_token_id=-1, pad_token_id=0)
    manager = model.init_continuous_batching(generation_config=gen,
                                             continuous_batching_config=ContinuousBatchingConfig(**cb))
    manager.start()
    g = torch.Generator().manual_seed(1)

    def ids(n: int) -> list[int]:
        return torch.randint(10, min(100000, shapes['vocab_size']), (n,), generator=g).tolist()

    # warm-up, untimed: a few requests of the sizes ahead
    for i, n in enumerate((64, 300, 1200, 32)):
        manager.add_request(ids(n), request_id=f"warm{i}", max_new_tokens=16)
    for _ in range(4):
        if manager.get_result(timeout=90) is None:
            raise SystemExit("warm-up produced no result: the continuous batching loop is not running")
    added: dict[str, float] = {}
    t0 = time.perf_counter() + 0.5

    def drive() -> None:
        for i, r in enumerate(reqs):
            prompt = ids(r["prompt_tokens"])
            delay = t0 + r["arrival_s"] - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            added[f"r{i}"] = time.perf_counter()
            manager.add_request(prompt, request_id=f"r{i}", max_new_tokens=r["output_tokens"], record_timestamps=True)

    th = threading.Thread(target=drive)
    th.start()
    results = {}
    while len(results) < len(reqs):
        res = manager.get_result(timeout=30)
        if res is None:
            if not manager.is_running() or not th.is_alive() and time.perf_counter() > t0 + reqs[-1]["arrival_s"] + 120:
                break
            continue
        if res.request_id.startswith("r"):
            results[res.request_id] = res
    th.join()
    manager.stop(block=True)
    rows = []
    for i, r in enumerate(reqs):
        res = results.get(f"r{i}")
        if res is None:
            continue
        ts = res.timestamps or []
        rows.append(dict(rid=i, **r, generated=len(res.generated_tokens), error=res.error,
                         added_s=added[f"r{i}"] - t0, first_token_s=(ts[0] - t0) if ts else None,
                         last_token_s=(ts[-1] - t0) if ts else None,
                         ttft_s=(ts[0] - added[f"r{i}"]) if ts else None,
                         tpot_s=((ts[-1] - ts[0]) / (len(ts) - 1)) if len(ts) > 1 else None,
                         timestamps_s=[x - t0 for x in ts]))
    (out_dir / "cb_requests.json").write_text(json.dumps(rows))
    prov = dict(what="transformers ContinuousBatchingManager on a seeded request set (requests.csv)",
                when=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                gpu=torch.cuda.get_device_name(0) if device == "cuda" else "cpu (smoke test)",
                torch=torch.__version__, cuda=torch.version.cuda, transformers=transformers.__version__,
                cudnn=torch.backends.cudnn.version() if device == "cuda" else None,
                python=platform.python_version(), model_shapes=shapes, weights="random (torch.manual_seed 0)",
                continuous_batching_config=cb, generation_config=dict(do_sample=False, eos_token_id=-1),
                attn_implementation=str(getattr(model.config, "_attn_implementation", None)),
                init_s=init_s, requests=len(reqs), completed=len(rows), sdpa_cudnn=cudnn,
                command="python calibration/serving/measure_cb.py calibration/serving/requests.csv $OUT"
                + ("" if cudnn else " cudnn-off"))
    (out_dir / "provenance.json").write_text(json.dumps(prov, indent=2))
    print(json.dumps(prov, indent=1))
    ok = [x for x in rows if x["ttft_s"] is not None]
    if ok:
        import statistics
        print("median TTFT", statistics.median(x["ttft_s"] for x in ok),
              "median TPOT", statistics.median(x["tpot_s"] for x in ok if x["tpot_s"]))


if __name__ == "__main__":
    main(*sys.argv[1:4])
