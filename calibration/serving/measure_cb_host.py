"""Op-level measurements of transformers' continuous batching on the GPU machine, for hetsim's
`hf-paged` serving stack (hetsim/serving/stack_cost.py). Nothing here replays the validation
trace (requests.csv): the scenarios are fixed batches, so nothing is fitted to the end-to-end run.

  A. manager: the ContinuousBatchingManager's own per-iteration host work (input queue, scheduling,
     block allocation, building the packed inputs, the 4-D mask and the read/write indices, the
     output sync and per-request updates) with the model call stubbed: every iteration of
     `_generation_loop_body` timed, with its shape (requests, query tokens, KV tokens read).
  B. sdpa: the paged SDPA call alone at the engine's argument layout (q/k/v [1, 32, Q|K, 128],
     an additive bf16 mask sliced out of the engine's [512, pages + 512] buffer): a call at a
     (Q, K) never seen before vs the same call repeated (PyTorch's cuDNN graph cache).
  C. forward (diagnosis only, never fitted): the real forward of each iteration of a few fixed
     batches, timed as the engine runs it (first call) and once more at the same shapes.

Runs with torch + transformers (hetsim from this checkout for its stdlib-only host info; nothing installed):
    python calibration/serving/measure_cb_host.py OUT_DIR [--manager-only]
On a machine without a GPU it runs a small smoke test (tiny model, few iterations); with
--manager-only, part A's full scenarios on that machine's CPU (tiny model).
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import torch
import transformers
from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM
from transformers.generation.configuration_utils import ContinuousBatchingConfig

# the repository's hetsim package (stdlib-only parts): the device runs this script from a checkout, uninstalled
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from hetsim.calibration.hostinfo import cpu_model_name  # noqa: E402

# as measure_cb.py: Llama-3.1-8B shapes, the validation run's engine configuration
SHAPES = dict(num_hidden_layers=32, hidden_size=4096, num_attention_heads=32, num_key_value_heads=8, head_dim=128,
              intermediate_size=14336, vocab_size=128256, max_position_embeddings=131072, rope_theta=500000.0)
CB = dict(block_size=256, max_batch_tokens=512, use_cuda_graph=False, allow_block_sharing=False,
          scheduler_type="fifo")
# (requests added at once, prompt tokens, output tokens): decode batches of several sizes at
# short and long contexts, chunked prefills of long prompts, prefill chunks mixed with decodes
SCENARIOS = [(1, 64, 40), (1, 1200, 30), (2, 300, 40), (4, 300, 40), (8, 300, 40), (16, 300, 40), (32, 200, 30),
             (8, 1000, 30), (3, 700, 20)]
FORWARD_SCENARIOS = [(1, 300, 12), (4, 300, 12), (16, 300, 10), (2, 1100, 8), (8, 1000, 8)]
PROFILED = (1, 6)  # (forward scenario, iteration): its repeated forward is profiled kernel by kernel




def profiled(fn) -> str:
    from torch.profiler import ProfilerActivity, profile

    acts = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
    with profile(activities=acts) as prof:
        fn()
        sync()
    key = "cuda_time_total" if torch.cuda.is_available() else "cpu_time_total"
    return prof.key_averages().table(sort_by=key, row_limit=30)


def sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


class Engine:
    """transformers' manager with its batch processor driven from this thread, one loop body at a time."""

    def __init__(self, shapes: dict, cb: dict, device: str) -> None:
        torch.manual_seed(0)
        torch.set_default_dtype(torch.bfloat16)
        with torch.device(device):
            self.model = LlamaForCausalLM(LlamaConfig(**shapes, torch_dtype="bfloat16")).eval()
        gen = GenerationConfig(max_new_tokens=256, do_sample=False, eos_token_id=-1, pad_token_id=0)
        self.mgr = self.model.init_continuous_batching(generation_config=gen,
                                                       continuous_batching_config=ContinuousBatchingConfig(**cb))
        self.bp = self.mgr.batch_processor = self.mgr._create_batch_processor()
        self.mgr.current_batch = 0  # what _run_generation_loop sets before its first loop body
        self.vocab = shapes["vocab_size"]
        self.shape: tuple[int, int, int] | None = None
        io = self.bp.inputs_and_outputs
        prepare = io.prepare_batch_tensors

        def recorded(*args, **kwargs):
            out = prepare(*args, **kwargs)
            requests = kwargs["requests_in_batch"] if "requests_in_batch" in kwargs else args[0]
            q = sum(fs.query_length for fs in requests)
            self.shape = (len(requests), q, int(io.true_read_sizes[0]))
            return out

        io.prepare_batch_tensors = recorded
        self.real_compute = self.bp.model_runner.compute_batch
        self.n = 0
        self.profile, self.profiled = False, None

    def add(self, count: int, prompt: int, out: int) -> None:
        g = torch.Generator().manual_seed(self.n)
        for _ in range(count):
            ids = torch.randint(10, min(100000, self.vocab), (prompt,), generator=g).tolist()
            self.mgr.add_request(ids, request_id=f"q{self.n}", max_new_tokens=out)
            self.n += 1

    def body(self) -> bool:
        return self.mgr._generation_loop_body(self.bp, bootstrapping=False)

    def timed_body(self) -> float | None:
        """One loop body, synchronised on both sides: its seconds, or None once no batch was built."""
        self.shape = None
        sync()
        t = time.perf_counter()
        self.body()
        sync()
        dt = time.perf_counter() - t
        return None if self.shape is None else dt

    def drain(self) -> None:
        while self.mgr.output_router.output_queue.qsize():
            self.mgr.output_router.output_queue.get_nowait()


def manager_rows(eng: Engine, scenarios) -> list[dict]:
    """A: the loop body with the model call stubbed (nothing runs on the GPU for the forward)."""
    eng.bp.model_runner.compute_batch = lambda model, batch_data: None
    rows = []
    for sc, (count, prompt, out) in enumerate(scenarios):
        eng.add(count, prompt, out)
        while (dt := eng.timed_body()) is not None:
            rows.append(dict(scenario=sc, requests=eng.shape[0], q_tokens=eng.shape[1], kv_read=eng.shape[2], s=dt))
        eng.drain()
    eng.bp.model_runner.compute_batch = eng.real_compute
    return rows


def forward_rows(eng: Engine, scenarios) -> list[dict]:
    """C: each iteration's forward as the engine runs it, then again at the same shapes."""
    step = eng.bp._generation_step
    times: dict[str, float] = {}

    def timed_step(model):
        sync()
        t = time.perf_counter()
        step(model)
        sync()
        times["first"] = time.perf_counter() - t
        batch = eng.bp.inputs_and_outputs.get_model_kwargs(use_padding=False)
        t = time.perf_counter()
        eng.bp.model_runner.compute_batch(model, batch)
        eng.bp.inputs_and_outputs.retrieve_device_outputs()
        sync()
        times["again"] = time.perf_counter() - t
        if eng.profile:
            try:
                eng.profiled = dict(shape=eng.shape, table=profiled(lambda: eng.bp.model_runner.compute_batch(
                    model, batch)))
            except Exception as exc:  # a diagnosis only: never lose the measurements to it
                eng.profiled = dict(shape=eng.shape, error=repr(exc))

    eng.bp._generation_step = timed_step
    rows = []
    for sc, (count, prompt, out) in enumerate(scenarios):
        eng.add(count, prompt, out)
        it = 1
        eng.profile = (sc, it) == PROFILED
        while (dt := eng.timed_body()) is not None:
            it += 1
            eng.profile = (sc, it) == PROFILED
            rows.append(dict(scenario=sc, requests=eng.shape[0], q_tokens=eng.shape[1], kv_read=eng.shape[2],
                             iteration_s=dt - times["again"], forward_first_s=times["first"],
                             forward_again_s=times["again"]))
        eng.drain()
    eng.bp._generation_step = step
    return rows


def sdpa_rows(eng: Engine, device: str) -> tuple[list[dict], str]:
    """B: the paged SDPA call at new and at repeated (Q, K); the CUDA kernel it ran."""
    import torch.nn.functional as F

    cfg = eng.model.config
    mask_buf = eng.bp.inputs_and_outputs.attention_mask["full_attention"]
    h, d = cfg.num_attention_heads, cfg.head_dim
    rows = []
    shapes = [(1, 300 + 7 * i) for i in range(8)] + [(16, 5000 + 16 * i) for i in range(6)] + \
             [(512, 512 + 300 + 3 * i) for i in range(4)]
    if device == "cpu":
        shapes = shapes[:3]
    for q_len, k_len in shapes:
        q = torch.randn(1, h, q_len, d, device=device)
        k = torch.randn(1, h, k_len, d, device=device)
        v = torch.randn(1, h, k_len, d, device=device)
        mask = mask_buf[..., :q_len, :k_len]
        for rep in range(3):
            sync()
            t = time.perf_counter()
            F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=d ** -0.5)
            sync()
            rows.append(dict(q_len=q_len, kv_len=k_len, call=rep, s=time.perf_counter() - t))
    kernels = ""
    if device == "cuda":
        q_len, k_len = 7, 777
        q, k, v = (torch.randn(1, h, n, d, device=device) for n in (q_len, k_len, k_len))
        try:
            kernels = profiled(lambda: F.scaled_dot_product_attention(q, k, v, attn_mask=mask_buf[..., :q_len, :k_len],
                                                                      scale=d ** -0.5))
        except Exception as exc:
            kernels = repr(exc)
    return rows, kernels


def main(out: str, manager_only: bool = False) -> None:
    """`manager_only`: part A alone, on whatever device is here (on a CPU: the tiny model, with the
    full scenarios: the manager's host work does not depend on the model's widths)."""
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    shapes, device, cb = SHAPES, "cuda", dict(CB)
    scenarios, fwd = SCENARIOS, FORWARD_SCENARIOS
    if not torch.cuda.is_available():  # a CPU: tiny model, small cache (smoke test: few iterations)
        shapes = {**SHAPES, "num_hidden_layers": 2, "hidden_size": 256, "intermediate_size": 512,
                  "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 64, "vocab_size": 1000}
        device, cb["num_blocks"] = "cpu", 64
        from transformers.generation.continuous_batching import cache as cb_cache

        # without psutil transformers sees no host memory to size the cache from
        cb_cache.PagedAttentionMemoryHandler.get_available_memory = lambda self: 1 << 33
        if not manager_only:
            scenarios, fwd = [(2, 300, 4), (3, 40, 3)], [(2, 100, 3)]
    else:
        cb["max_memory_percent"] = 0.8  # headroom for part B's tensors and cuDNN workspaces (0.9 ran out)
    t0 = time.perf_counter()
    eng = Engine(shapes, cb, device)
    cache = eng.bp.cache
    prov = dict(what="transformers ContinuousBatchingManager: per-iteration host work with the model stubbed (A), "
                     "the paged SDPA call at new vs repeated shapes (B), per-iteration forward (C, diagnosis)",
                when=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                gpu=torch.cuda.get_device_name(0) if device == "cuda" else "none (cpu)",
                cpu=cpu_model_name(), cpu_count=os.cpu_count(), torch=torch.__version__, cuda=torch.version.cuda,
                transformers=transformers.__version__, python=platform.python_version(), model_shapes=shapes,
                continuous_batching_config=cb, num_blocks=cache.num_blocks, max_batch_tokens=cache.max_batch_tokens,
                attn_implementation=str(eng.model.config._attn_implementation), init_s=time.perf_counter() - t0,
                scenarios=scenarios, forward_scenarios=[] if manager_only else fwd,
                command="python calibration/serving/measure_cb_host.py $OUT" + (" --manager-only" * manager_only))
    data: dict = dict(provenance=prov)

    def save() -> None:  # after each part: a later failure keeps what was measured
        (out_dir / "cb_host.json").write_text(json.dumps(data, indent=1))

    # warm-up, untimed: requests through prefill and decode, model stubbed (and real)
    manager_rows(eng, [(2, 600, 4)])
    stamp = time.perf_counter()
    data["manager"] = manager_rows(eng, scenarios)
    prov["manager_s"] = time.perf_counter() - stamp
    save()
    if not manager_only:
        data["sdpa"], data["sdpa_kernels"] = sdpa_rows(eng, device)
        save()
        if device == "cuda":
            torch.cuda.empty_cache()
        forward_rows(eng, [(2, 600, 4)])
        stamp = time.perf_counter()
        data["forward"] = forward_rows(eng, fwd)
        prov["forward_s"] = time.perf_counter() - stamp
        data["forward_profile"] = eng.profiled
        save()
    print(json.dumps(prov, indent=1))
    print(data.get("sdpa_kernels", ""))
    if eng.profiled:
        print(eng.profiled["shape"], eng.profiled.get("table", eng.profiled.get("error")))
    print("manager iterations", len(data["manager"]), "forward iterations", len(data.get("forward", [])))
    for r in data.get("forward", [])[:40]:
        print(r)


if __name__ == "__main__":
    main(sys.argv[1], "--manager-only" in sys.argv[2:])
