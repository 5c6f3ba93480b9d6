"""Software stacks: which code runs the LLM layers, and so which ops a GPU executes.

`fused` is hetsim's own lowering (hetsim/workloads/models.py: one idealised op list per layer, as a
fused serving engine runs it). The `hf-*` stacks are Hugging Face transformers' eager PyTorch code:
their per-layer ops come from symbolic traces shipped in hetsim/stacks/traces (templates.py),
instantiated at the step's sizes and priced aten op by aten op (aten.py). No torch here.
"""

from __future__ import annotations

STACKS: dict[str, str] = {
    "fused": "hetsim's own lowering: one fused op list per layer, as a serving engine runs it (default)",
    "hf-dynamic": "Hugging Face transformers, DynamicCache (its default; the cache grows by torch.cat), eager",
    "hf-static": "Hugging Face transformers, StaticCache (attends over the static length with a mask, K/V heads "
                 "repeated); eager, or CUDA-graph replay with simulation.gpu_execution: graph",
    "hf-paged": "Hugging Face transformers' continuous batching (ContinuousBatchingManager, paged|sdpa), eager; "
                "serving runs only",
}
