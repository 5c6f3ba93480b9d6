"""MemAgent's chunked read-and-rewrite as plain PyTorch (hand formulas: hetsim/workloads/memagent.py).

MemAgent has no relevancy or retrieval: its memory processing is the LLM's own forward. For every
chunk the LLM reads [question + memory + chunk] (a prefill) and then decodes the new memory
(`memory_tokens` tokens) that overwrites the old one. One decoder layer of each (hetsim/method_code/
llm.py, eager), the layer the simulator prices once per layer kind:
  phase chunk   (hetsim's 'chunk:i' prefill: Apply)
    pre_attention   norm, QKV, RoPE of the prompt's tokens, K and V written into the cache
    apply           causal attention over the prompt (SDPA)
    post_attention  heads merged, output projection, norm, gated MLP, residuals
  phase memory  (hetsim's 'memory:i' decode: its layers are Prepare, placed on the FPGA in the paper)
    pre_attention   the same for the one new memory token, its K and V appended at the end of the cache
    apply           the token's attention over the cache (the prompt and the memory written so far)
    post_attention  as above
    lm_head         final norm, LM head, greedy choice of the token (the reference samples greedily
                    for the memory)
The prompt is a chunk read after the first, when the memory is full: question + memory + chunk
tokens; the memory token is the last of the memory (the longest cache).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hetsim.method_code import llm
from hetsim.method_code.base import Maker, State


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    chunk = min(int(params.get("chunk_tokens", 5000)), context)
    memory = int(params.get("memory_tokens", 1024))
    prompt = int(params.get("question_tokens", 256)) + memory + chunk
    return {"batch": batch, "context": context, **llm.dims(model, params), "prompt": prompt, "memory": memory,
            "cache": prompt + memory}


def state(s: dict, mk: Maker, phase: str) -> State:
    b, h, hk, d = s["batch"], s["hidden"], s["kv_heads"], s["head_dim"]
    t = s["prompt"] if phase == "chunk" else 1
    cache = s["prompt"] if phase == "chunk" else s["cache"]
    cos, sin = llm.rope_tables(mk, b, t, d)
    out: State = {"s": s, "x": mk.randn(b * t, h), "w": llm.weights(s, mk), "cos": cos, "sin": sin,
                  "cache": (mk.randn(b, hk, cache, d), mk.randn(b, hk, cache, d)),
                  "pos": 0 if phase == "chunk" else cache - 1}  # where the new tokens' K and V go
    if phase == "memory":
        out.update(final_norm=mk.randn(h), lm_head=mk.randn(s["vocab"], h))
    return out


def pre_attention(st: State) -> None:
    s = st["s"]
    st["q"], st["k"], st["v"] = llm.pre_attention(st["x"], st["w"], s, s["batch"], st["cos"], st["sin"], st["cache"],
                                                  st["pos"])


def read_prompt(st: State) -> None:
    st["attn"] = llm.attention(st["q"], st["k"], st["v"])


def attend_cache(st: State) -> None:
    st["attn"] = llm.attention(st["q"], *st["cache"])


def post_attention(st: State) -> None:
    st["out"] = llm.post_attention(st["x"], st["attn"], st["w"])


def next_token(st: State) -> None:
    logits = F.linear(llm.rms_norm(st["out"], st["final_norm"]), st["lm_head"])
    st["token"] = torch.argmax(logits, dim=-1)


STEPS = {
    "chunk": {"pre_attention": pre_attention, "apply": read_prompt, "post_attention": post_attention},
    "memory": {"pre_attention": pre_attention, "apply": attend_cache, "post_attention": post_attention,
               "lm_head": next_token},
}
