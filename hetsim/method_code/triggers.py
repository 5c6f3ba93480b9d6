"""The retrieval triggers of single-stage RAG as plain PyTorch on the GPU (hetsim/workloads/rag.py, `trigger`).

Phase `flare`, `dragin` or `fs-rag` (the trigger): the decision after one generated sentence of
`sentence_tokens` tokens, from what the LLM's forward already produced (the sentence's logits, its
tokens, and for DRAGIN the last layer's attention probabilities over the sentence):
  flare   (FLARE, Jiang et al. 2023) confidence: each generated token's probability (softmax over the
          vocabulary, the chosen token's entry gathered); trigger: retrieve if any is below THETA, the
          query is the sentence with the tokens below BETA masked out (masked_fill)
  dragin  (DRAGIN, Su et al. 2024, RIND) confidence: each token's entropy over the vocabulary
          (-sum p log(p + 1e-10)); trigger: the attention the token receives from the later tokens
          (max over queries, mean over heads), times its entropy, times whether it is a content word
          (a per-vocabulary flag table), compared with THRESHOLD, any in the sentence
  fs-rag  a fixed schedule (retrieve after every sentence): nothing to decide; trigger: the sentence's
          tokens copied out as the query
hetsim's rag workload prices none of these ops (it draws the trigger with probability `trigger_prob`);
hetsim/method_code/hand.py states them as ops. The references compute the same on the host: FLARE
from the API's token log-probabilities, DRAGIN with scipy over scores moved to the CPU, after running
the model again with output_attentions=True over the text (an eager-attention forward that neither
hetsim nor this code prices).
"""

from __future__ import annotations

import torch

from hetsim.method_code.base import Maker, State

THETA, BETA = 0.4, 0.4  # FLARE: retrieval and query-masking probability thresholds
THRESHOLD = 1.0  # DRAGIN: hallucination threshold on entropy x attention
MASK_ID = 0


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    trigger = params.get("trigger", "fs-rag")
    if trigger not in STEPS:
        raise ValueError(f"triggers: no code for trigger {trigger!r}; known: {', '.join(STEPS)}")
    return {"batch": batch, "trigger": trigger, "vocab": model["vocab"],
            "heads": model["q_heads"], "sentence": int(params.get("sentence_tokens", 32)), "context": context}


def state(s: dict, mk: Maker, phase: str) -> State:
    b, n, v = s["batch"], s["sentence"], s["vocab"]
    out: State = {"s": s, "tokens": mk.randint(v, b, n)}
    if s["trigger"] in ("flare", "dragin"):
        out["logits"] = mk.randn(b, n, v)
    if s["trigger"] == "dragin":
        out["attn"] = mk.rand(b, s["heads"], n, n, dtype=torch.bfloat16)
        out["content"] = mk.rand(v) > 0.3 if not mk.meta else torch.empty(v, dtype=torch.bool, device="meta")
    if s["trigger"] == "fs-rag":  # the text generated so far, the sentence at its end
        out["generated"] = mk.randint(v, b, s["context"] + n)
    return out


def token_probability(st: State) -> None:
    probs = torch.softmax(st["logits"], dim=-1)
    st["conf"] = torch.gather(probs, -1, st["tokens"].unsqueeze(-1)).squeeze(-1)


def flare_decide(st: State) -> None:
    st["fire"] = (st["conf"] < THETA).any(dim=-1)
    st["query"] = st["tokens"].masked_fill(st["conf"] < BETA, MASK_ID)


def token_entropy(st: State) -> None:
    probs = torch.softmax(st["logits"], dim=-1)
    st["entropy"] = -(probs * torch.log(probs + 1e-10)).sum(dim=-1)


def dragin_decide(st: State) -> None:
    s = st["s"]
    received = st["attn"].amax(dim=2).mean(dim=1)  # (request, token): max over the later queries, mean over heads
    content = st["content"].index_select(0, st["tokens"].view(-1)).view(s["batch"], s["sentence"])
    score = received * st["entropy"] * content
    st["fire"] = (score > THRESHOLD).any(dim=-1)


def sentence_query(st: State) -> None:
    st["query"] = st["generated"][:, -st["s"]["sentence"]:].clone()


# the phase is the trigger (a composite's params name it too: the hand formula reads `trigger` there)
STEPS = {"flare": {"confidence": token_probability, "trigger": flare_decide},
         "dragin": {"confidence": token_entropy, "trigger": dragin_decide},
         "fs-rag": {"trigger": sentence_query}}
