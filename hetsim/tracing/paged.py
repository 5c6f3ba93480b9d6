"""Trace one iteration of transformers' continuous batching: the forward its ContinuousBatchingManager
runs on a packed batch (attn_implementation `paged|sdpa`, PagedAttentionCache), with its sampling.

The engine is transformers' own (generation/continuous_batching): its batch processor is built for
the model, its request states are set to the iteration's shape, and `prepare_batch_tensors` /
`get_model_kwargs` build the inputs exactly as the engine does (packed input ids [1, Q], position
ids, the 4-D additive mask [1, 1, Q, K] sliced out of its [max_batch_tokens, pages + max_batch_tokens]
buffer, read and write indices into the paged cache). Then what `ModelRunner.compute_batch` runs
without CUDA graphs is recorded: `_forward_process_and_sample` (the model forward with
`logits_to_keep` = one row per request, logits cast to fp32, argmax, the copy into the output
buffer). The manager's own host work (scheduling, building those inputs, the output sync and
per-request updates) is not in the trace: it is priced separately (hetsim/serving/stack_cost.py).

An iteration's shape is (Q, K, R): Q query tokens (one per decoding request, a chunk's tokens per
prefilling one), K tokens read from the cache by the attention (the sum over requests of cached +
new tokens; 0 when no request has cached tokens: the engine then only writes the cache and attends
over the new keys), R requests (the LM head runs on one row per request, `logits_indices` being
sized by the requests: a prefill chunk that samples no token still has its row). The traced ops
depend on these totals only, not on how they split over requests (tests/stacks/test_stack_paged.py).

Imports torch and transformers; import this lazily.
"""

from __future__ import annotations

import atexit
from functools import lru_cache
from typing import TYPE_CHECKING

from hetsim.tracing.deps import require, version
from hetsim.tracing.trace import Trace

if TYPE_CHECKING:
    from hetsim.config.schema import ModelSpec

CALL = "ModelRunner._forward_process_and_sample(model, model_kwargs, ...) (paged|sdpa, no CUDA graph)"
# the engine configuration of the serving validation run (calibration/serving/measure_cb.py)
BLOCK_TOKENS = 256
MAX_BATCH_TOKENS = 512
# the cache size the trace is taken with: only the mask buffer's row stride (pages + 512) depends
# on it, and no priced quantity does (a mask's bytes are its Q x K elements)
NUM_BLOCKS = 64


def split(q: int, k: int, r: int) -> list[tuple[int, int, bool]]:
    """(cached, new, samples) per request for an iteration of Q new tokens, K tokens read (0: none
    cached) and R requests: R - 1 single-token decodes and one request with the rest, which holds
    the cached tokens beyond one per decode."""
    if not 1 <= r <= q:
        raise ValueError(f"an iteration needs 1 <= R <= Q, got Q={q}, R={r}")
    if k and k <= q:
        raise ValueError(f"an iteration that reads the cache reads more than its new tokens, got Q={q}, K={k}")
    if not k:
        return [(0, q - r + 1, True)] + [(0, 1, True)] * (r - 1)
    decodes = min(r - 1, k - q)  # decodes with one cached token each
    rest = k - q - decodes
    return [(rest, q - r + 1, True)] + [(1, 1, True)] * decodes + [(0, 1, True)] * (r - 1 - decodes)


class _Engine:
    """transformers' batch processor for one model (weights fake: nothing is computed)."""

    def __init__(self, spec: ModelSpec) -> None:
        require()
        from transformers import GenerationConfig
        from transformers.generation.configuration_utils import ContinuousBatchingConfig
        from transformers.generation.continuous_batching import cache as cb_cache

        from hetsim.tracing import fake, hf

        self.model = hf.build(spec, 1 << 16)
        self.mode = fake.new_mode()
        fake.fake_module(self.model, self.mode)
        gen = GenerationConfig(max_new_tokens=16, do_sample=False, eos_token_id=-1, pad_token_id=0)
        cb = ContinuousBatchingConfig(block_size=BLOCK_TOKENS, max_batch_tokens=MAX_BATCH_TOKENS,
                                      num_blocks=NUM_BLOCKS, use_cuda_graph=False, allow_block_sharing=False,
                                      scheduler_type="fifo")
        # the cache is sized from the device's free memory; the fake "cpu" device has none to ask
        sizer = cb_cache.PagedAttentionMemoryHandler.get_available_memory
        cb_cache.PagedAttentionMemoryHandler.get_available_memory = lambda self: 1 << 40
        try:
            manager = self.model.init_continuous_batching(generation_config=gen, continuous_batching_config=cb)
            self.bp = manager._create_batch_processor()
        finally:
            cb_cache.PagedAttentionMemoryHandler.get_available_memory = sizer
        self.spec = spec

    def trace(self, requests: list[tuple[int, int, bool]]) -> Trace:
        """The iteration of `requests`: (cached, new, samples) each."""
        from transformers.generation.continuous_batching.requests import (
            FutureRequestState,
            RequestState,
            RequestStatus,
        )

        from hetsim.tracing import recorder

        cache, io, runner = self.bp.cache, self.bp.inputs_and_outputs, self.bp.model_runner
        q = sum(new for _, new, _ in requests)
        cached_any = any(cached for cached, _, _ in requests)
        k = sum(cached + new for cached, new, _ in requests) if cached_any else 0
        r = len(requests)
        futures = []
        try:
            for i, (cached, new, samples) in enumerate(requests):
                state = RequestState(request_id=f"r{i}", initial_tokens=[0] * (cached + new), max_new_tokens=4)
                state._status = RequestStatus.DECODING if new == 1 and cached else RequestStatus.PREFILLING
                state.tokens_to_process = [0] * new
                state.position_offset = cached
                if cache.allocate_blocks(-(-(cached + new) // BLOCK_TOKENS), state.request_id, 0) is None:
                    raise ValueError(f"iteration Q={q} K={k} does not fit the traced cache of {NUM_BLOCKS} blocks")
                futures.append(FutureRequestState(state, has_new_token=samples, complete_blocks=0,
                                                  query_length=new))
            io.prepare_batch_tensors(futures, self.bp.logit_processor, False, q, max(k - q, 0), use_padding=False)
            kwargs = io.get_model_kwargs(use_padding=False)
            carry, prev, out = io.get_cb_kwargs()
            if runner.supports_logits_to_keep(self.model):
                kwargs["logits_to_keep"] = kwargs["logits_indices"]
            meta = {"source": "hf-paged", "model": self.spec.name, "q_tokens": q, "kv_read": k, "requests": r,
                    "torch": version("torch"), "transformers": version("transformers"), "call": CALL,
                    "attn_implementation": str(self.model.config._attn_implementation), "dtype": self.spec.dtype,
                    "block_tokens": BLOCK_TOKENS, "max_batch_tokens": MAX_BATCH_TOKENS, "num_blocks": NUM_BLOCKS}
            with self.mode:
                return recorder.record(lambda: runner._forward_process_and_sample(self.model, kwargs, carry, prev, out),
                                       meta, self.model)
        finally:
            for f in futures:
                cache.free_blocks(f.state.request_id)


@lru_cache(maxsize=4)
def _engine(spec_json: str) -> _Engine:
    from hetsim.config.schema import ModelSpec

    if not _engine.cache_info().currsize:
        # transformers' batch processor cleans up in __del__ with torch: drop it before interpreter teardown
        atexit.register(_engine.cache_clear)
    return _Engine(ModelSpec.model_validate_json(spec_json))


def trace_iteration(spec: ModelSpec, q_tokens: int, kv_read: int, sampled: int) -> Trace:
    """The aten trace of one continuous-batching iteration of `spec` (one engine per model, reused)."""
    return trace_requests(spec, split(q_tokens, kv_read, sampled))


def trace_requests(spec: ModelSpec, requests: list[tuple[int, int, bool]]) -> Trace:
    """The iteration of `requests`, (cached, new, samples) each, as the engine packs them."""
    return _engine(spec.model_dump_json()).trace(requests)
