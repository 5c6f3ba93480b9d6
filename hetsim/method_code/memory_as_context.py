"""Memory as Context as plain PyTorch (hand formulas: hetsim/workloads/memory_as_context.py), with
Titans' neural memory module (`memory_module: mlp`) or HMT's (`backbone`: the LLM itself).

Per segment, before the LLM reads it:
  prepare    the memory module over the segment's first `summary_tokens` embeddings. mlp:
             `memory_layers` linear layers with SiLU, mean-pooled over the tokens into one query
             embedding. backbone (HMT): the LLM's decoder layers over them, every layer, eager
             (hetsim/method_code/llm.py; causal, no KV cache kept), and the final norm of the last
             position: the segment's summary, HMT's memory query
  relevancy  the query projected, the key of the embedding the previous segment added projected, and the
             query's inner product with every cached memory key (a batched GEMV). backbone: as HMT's
             reference (CrossAttentionMemory) runs it, the keys of every memory embedding are projected
             anew each segment (a linear over request x slot rows; hetsim's hand formula caches them and
             projects one: the tests state the difference) and the scores divided by sqrt(dim)
  retrieval  weighted_sum: softmax over the slots (backbone: in fp32, cast back, as HMT) and the weighted
             sum of the memory embeddings (bmm); top_k: the k best slots and their embeddings gathered
             (index_select)
  apply      the retrieved embeddings appended to the segment's embeddings (torch.cat)
HMT's reference also keeps the memory on the host, moving it to the GPU and back every segment, and
copies the argmax of the scores to the host (a histogram): neither is written here.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hetsim.method_code import llm
from hetsim.method_code.base import Maker, State


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    module = params.get("memory_module", "backbone")
    seg = int(params.get("segment_tokens", 1024))
    retrieval = params.get("retrieval", "weighted_sum")
    segments = -(-context // seg)
    out = {"batch": batch, "context": context, "module": module, "hidden": model["hidden"],
           "dim": int(params.get("memory_dim") or model["hidden"]), "segment": seg,
           "summary": int(params.get("summary_tokens", 512)), "layers": int(params.get("memory_layers", 2)),
           # the last segment's memory: every earlier segment added one embedding, up to memory_slots
           "slots": min(segments - 1, int(params.get("memory_slots", 300))), "retrieval": retrieval,
           "appended": 1 if retrieval == "weighted_sum" else int(params.get("top_k", 4))}
    if module == "backbone":  # the LLM's layers; the summary is as wide as its hidden state
        out.update(llm.dims(model, params))
        out["dim"] = out["hidden"]
    elif module != "mlp":
        raise ValueError(f"memory_as_context: no code for memory_module {module!r} (backbone, mlp)")
    return out


def state(s: dict, mk: Maker, phase: str) -> State:
    b, dim, hidden = s["batch"], s["dim"], s["hidden"]
    out: State = {
        "s": s,
        "segment": mk.randn(b, s["segment"], hidden),
        "wq": mk.randn(dim, dim), "wk": mk.randn(dim, dim), "last_added": mk.randn(b, dim),
        "mem_keys": mk.randn(b, s["slots"], dim), "mem_values": mk.randn(b * s["slots"], dim),
        "slot_base": mk.arange(b, s["slots"]).view(b, 1),
    }
    if s["module"] == "backbone":
        cos, sin = llm.rope_tables(mk, b, s["summary"], s["head_dim"])
        out.update(layers=[llm.weights(s, mk) for _ in range(s["layers"])], final_norm=mk.randn(hidden), cos=cos,
                   sin=sin)
    else:
        out["layers"] = [mk.randn(dim, hidden if i == 0 else dim) for i in range(s["layers"])]
    return out


def memory_query(st: State) -> None:
    s = st["s"]
    x = st["segment"][:, :s["summary"]]
    if s["module"] == "backbone":
        for w in st["layers"]:
            x = llm.layer(x, w, s, s["batch"], st["cos"], st["sin"])
        st["query"] = llm.rms_norm(x[:, -1], st["final_norm"])
        return
    for w in st["layers"]:
        x = F.silu(F.linear(x, w))
    st["query"] = x.mean(dim=1)


def memory_scores(st: State) -> None:
    s = st["s"]
    q = F.linear(st["query"], st["wq"])
    if s["module"] == "backbone":  # HMT's CrossAttentionMemory: every memory embedding's key projected anew
        keys = F.linear(st["mem_values"].view(s["batch"], s["slots"], s["dim"]), st["wk"])
        st["scores"] = torch.bmm(q.unsqueeze(1), keys.transpose(1, 2)) / math.sqrt(s["dim"])
        return
    st["new_key"] = F.linear(st["last_added"], st["wk"])  # joins the keys for the next segment
    st["scores"] = torch.bmm(q.unsqueeze(1), st["mem_keys"].transpose(1, 2))  # (request, 1, slot)


def read_memory(st: State) -> None:
    s = st["s"]
    b, slots, dim = s["batch"], s["slots"], s["dim"]
    if s["retrieval"] == "weighted_sum":
        scores = st["scores"]
        # HMT softmaxes in fp32 and casts back
        probs = (torch.softmax(scores.float(), dim=-1).to(scores.dtype) if s["module"] == "backbone"
                 else torch.softmax(scores, dim=-1))
        st["retrieved"] = torch.bmm(probs, st["mem_values"].view(b, slots, dim))
        return
    ids = torch.topk(st["scores"].view(b, slots), s["appended"], dim=-1).indices
    st["retrieved"] = st["mem_values"].index_select(0, (ids + st["slot_base"]).view(-1)).view(b, -1, dim)


def append_memory(st: State) -> None:
    st["inputs"] = torch.cat((st["segment"], st["retrieved"]), dim=1)


STEPS = {"memory": {"prepare": memory_query, "relevancy": memory_scores, "retrieval": read_memory,
                    "apply": append_memory}}
