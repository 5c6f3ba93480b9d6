"""The methods' code added after the first H200 run, on a CPU: SeerAttention-R's threshold mode, the
LLM layer MemAgent and HMT run (against transformers' own decoder layer), the RAG triggers, and the
runner over their composites (tiny) and their traces at the GPU sizes."""

from __future__ import annotations

import importlib
import json
import math

import pytest

torch = pytest.importorskip("torch")
pd = pytest.importorskip("pandas")

from hetsim.method_code import llm, memagent, memory_as_context, seer_attention, trace, triggers  # noqa: E402
from hetsim.method_code.base import Maker, model_dims  # noqa: E402
from hetsim.method_code.composites import SIZES, TINY_DIMS, tiny  # noqa: E402
from hetsim.method_code.run import main  # noqa: E402
from hetsim.tracing.trace import Trace  # noqa: E402

NEW = ("mode=threshold", "memagent/", "memory_module=backbone", "rag/flare", "rag/dragin", "rag/fs-rag")
THRESHOLD = {"mode": "threshold", "threshold": 0.002, "selected_fraction": 0.1}


def new_composites():
    return [c for c in SIZES if any(p in c.name for p in NEW)]


# ---------------------------------------------------------------- the runner and the traces
def test_runner_times_the_new_composites_and_keeps_their_traces(tmp_path):
    assert main(["--out", str(tmp_path), "--device", "cpu", "--tiny", "--match", ",".join(NEW),
                 "--budget-s", "600"]) == 0
    df = pd.read_parquet(tmp_path / "methods.parquet")
    assert set(df["composite"]) == {tiny(c).name for c in new_composites()}
    assert (df["error"] == "").all() and (df["t_stream_s"] > 0).all()
    for row in df[df["step"] != "all"].itertuples():
        tr = Trace.from_json(json.loads(row.trace))
        assert tr.ops, (row.composite, row.step)
        if "mode=threshold" in row.composite and row.step == "retrieval":
            # the data-dependent count the trace assumed is named, and is the one the nonzero records (as the
            # aten.nonzero the code runs, whose host waits for the count)
            assumed = json.loads(row.sizes)["assumed_selected"]
            assert tr.meta["assumed_selected"] == assumed
            (nz,) = [op for op in tr.ops if op.base == "nonzero"]
            assert nz.outputs[0].shape == (assumed, 2)


@pytest.mark.parametrize("c", new_composites(), ids=lambda c: c.name)
def test_gpu_sizes_trace(c):
    """What the runner traces before it builds a composite on the GPU works at the GPU sizes."""
    mod = importlib.import_module(f"hetsim.method_code.{c.module}")
    sizes = mod.sizes(model_dims(c.model), c.params, c.batch, c.context)
    steps = trace.step_traces(mod, c.phase, sizes)
    assert list(steps) == list(mod.STEPS[c.phase]) and all(t.ops for t in steps.values())


# ---------------------------------------------------------------- SeerAttention-R, threshold mode
def _seer_decode(batch: int, context: int, params: dict, upto: str | None = None):
    s = seer_attention.sizes(model_dims("Qwen3-8B"), params, batch, context)
    st = seer_attention.state(s, Maker("cpu", seed=1), "decode")
    for name, fn in seer_attention.STEPS["decode"].items():
        if name == upto:
            break
        fn(st)
    return s, st


def test_threshold_mode_selects_the_blocks_above_the_threshold():
    s, st = _seer_decode(2, 8192 + 5, THRESHOLD)
    rows, k = s["kv_heads"] * 2, math.ceil(0.1 * (8192 // 64))
    probs = st["probs"].float()
    above = probs > s["threshold"]
    assert s["top_k"] == k and above.sum(dim=-1).tolist() == [k] * rows  # the synthetic gate's promise
    assert torch.equal(st["block_ids"], above.nonzero()[:, 1].view(rows, k))
    # the same blocks budget mode's top-k of the probabilities would pick
    assert torch.equal(st["block_ids"], torch.topk(probs, k, dim=-1).indices.sort(dim=-1).values)
    assert st["out"].shape == (2, s["q_heads"], 1, s["head_dim"]) and torch.isfinite(st["out"].float()).all()


def test_threshold_mode_refuses_a_count_it_was_not_written_for():
    s, st = _seer_decode(1, 4096, THRESHOLD, upto="retrieval")
    st["probs"] = torch.zeros_like(st["probs"])  # nothing above the threshold
    with pytest.raises(RuntimeError, match="selected 0 blocks"):
        seer_attention.select_blocks(st)
    with pytest.raises(ValueError, match="cannot all exceed threshold"):  # 41 blocks above 2% each: > 1 in all
        seer_attention.sizes(model_dims("Qwen3-8B"), {**THRESHOLD, "threshold": 0.02}, 1, 4096 * 4)


# ---------------------------------------------------------------- the LLM layer (MemAgent, HMT)
def test_llm_layer_is_transformers_llama_decoder_layer():
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaDecoderLayer, LlamaRotaryEmbedding

    torch.manual_seed(0)
    cfg = LlamaConfig(hidden_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                      intermediate_size=96, rms_norm_eps=llm.EPS, attn_implementation="sdpa")
    ref = LlamaDecoderLayer(cfg, layer_idx=0).eval()
    with torch.no_grad():
        for norm in (ref.input_layernorm, ref.post_attention_layernorm):
            norm.weight.uniform_(0.5, 1.5)
    a, m = ref.self_attn, ref.mlp
    w = {"in_norm": ref.input_layernorm.weight, "post_norm": ref.post_attention_layernorm.weight,
         "qkv": torch.cat((a.q_proj.weight, a.k_proj.weight, a.v_proj.weight)), "o": a.o_proj.weight,
         "gate_up": torch.cat((m.gate_proj.weight, m.up_proj.weight)), "down": m.down_proj.weight}
    s = {"hidden": 64, "q_heads": 4, "kv_heads": 2, "head_dim": 16}
    x = torch.randn(2, 7, 64)
    pos = torch.arange(7).expand(2, 7)
    cos, sin = LlamaRotaryEmbedding(cfg)(x, pos)
    with torch.no_grad():
        want = ref(x, position_ids=pos, position_embeddings=(cos, sin))
        want = want[0] if isinstance(want, tuple) else want
        got = llm.layer(x, w, s, 2, cos.unsqueeze(1), sin.unsqueeze(1))
    torch.testing.assert_close(got, want, rtol=1e-4, atol=1e-4)


def test_memagent_memory_token_attends_the_cache_with_its_own_key():
    params = {"chunk_tokens": 64, "memory_tokens": 16, "question_tokens": 8, "dims": TINY_DIMS}
    s = memagent.sizes(model_dims("Qwen2.5-7B"), params, 2, 256)
    assert (s["prompt"], s["cache"]) == (8 + 16 + 64, 8 + 16 + 64 + 16)
    st = memagent.state(s, Maker("cpu"), "memory")
    for fn in memagent.STEPS["memory"].values():
        fn(st)
    k_cache = st["cache"][0]
    assert torch.equal(k_cache[:, :, -1:], st["k"])  # the new memory token's key, last in the cache
    want = torch.nn.functional.scaled_dot_product_attention(st["q"], k_cache, st["cache"][1], enable_gqa=True)
    assert torch.equal(st["attn"], want)
    assert st["token"].shape == (2,) and int(st["token"].max()) < TINY_DIMS["vocab"]


def test_hmt_summary_reads_only_the_summary_tokens():
    params = {"memory_module": "backbone", "segment_tokens": 32, "summary_tokens": 8, "dims": TINY_DIMS}
    s = memory_as_context.sizes(model_dims("Llama-2-7B"), params, 2, 256)
    assert s["dim"] == TINY_DIMS["hidden"] and s["layers"] == TINY_DIMS["layers"]
    st = memory_as_context.state(s, Maker("cpu"), "memory")
    memory_as_context.memory_query(st)
    first = st["query"].clone()
    st["segment"][:, 8:] += 1  # the rest of the segment does not reach the summary
    memory_as_context.memory_query(st)
    assert torch.equal(st["query"], first) and first.shape == (2, TINY_DIMS["hidden"])
    st["segment"][:, :8] += 1  # the summary tokens do
    memory_as_context.memory_query(st)
    assert not torch.equal(st["query"], first)


def test_hmt_recall_projects_the_keys_of_the_memory_embeddings_themselves():
    """HMT's CrossAttentionMemory: scores = wq(summary) . wk(memory) / sqrt(dim), softmax, sum of the memory."""
    params = {"memory_module": "backbone", "segment_tokens": 32, "summary_tokens": 8, "dims": TINY_DIMS}
    s = memory_as_context.sizes(model_dims("Llama-2-7B"), params, 2, 256)
    st = memory_as_context.state(s, Maker("cpu"), "memory")
    st["query"] = torch.randn(2, s["dim"]).to(torch.bfloat16)
    memory_as_context.memory_scores(st)
    memory = st["mem_values"].view(2, s["slots"], s["dim"]).float()
    q, k = st["query"].float() @ st["wq"].float().T, memory @ st["wk"].float().T
    want = torch.einsum("bd,bsd->bs", q, k) / math.sqrt(s["dim"])
    torch.testing.assert_close(st["scores"].view(2, -1).float(), want, rtol=3e-2, atol=3e-2 * want.abs().max().item())
    memory_as_context.read_memory(st)
    probs = torch.softmax(st["scores"].float(), dim=-1)
    torch.testing.assert_close(st["retrieved"].float(), probs @ memory, rtol=3e-2, atol=3e-2)


# ---------------------------------------------------------------- the RAG triggers
def _trigger(kind: str, batch: int = 2, tokens: int = 4):
    s = triggers.sizes({"vocab": 1000, "q_heads": 2}, {"trigger": kind, "sentence_tokens": tokens}, batch, 64)
    return s, triggers.state(s, Maker("cpu"), kind)


def test_flare_retrieves_when_a_generated_token_is_unsure_and_masks_it():
    s, st = _trigger("flare")
    st["logits"].zero_()  # request 1: every token at 1/1000, below theta
    st["logits"][0].scatter_(-1, st["tokens"][0].unsqueeze(-1), 20.0)  # request 0: each token near-certain
    for fn in triggers.STEPS["flare"].values():
        fn(st)
    assert st["fire"].tolist() == [False, True]
    assert torch.equal(st["query"][0], st["tokens"][0]) and (st["query"][1] == triggers.MASK_ID).all()


def test_dragin_scores_entropy_times_attention_received_for_content_words():
    import numpy as np

    s, st = _trigger("dragin")
    st["attn"][0].zero_()  # request 0: no token receives attention, nothing can fire
    st["attn"][1].fill_(1.0)  # request 1: every token fully attended, entropy ~ log(vocab) >> THRESHOLD
    st["content"].fill_(1)
    for fn in triggers.STEPS["dragin"].values():
        fn(st)
    assert st["fire"].tolist() == [False, True]
    p = np.exp(st["logits"].double().numpy())
    p /= p.sum(-1, keepdims=True)
    entropy = -(p * np.log(p + 1e-10)).sum(-1)  # DRAGIN's numpy form
    np.testing.assert_allclose(st["entropy"].double().numpy(), entropy, rtol=2e-2)
    received = st["attn"].double().amax(dim=2).mean(dim=1).numpy()
    content = st["content"].numpy()[st["tokens"].numpy()]
    score = received * entropy * content
    fire = (score > triggers.THRESHOLD).any(-1)
    near = np.abs(score - triggers.THRESHOLD) < 0.05 * triggers.THRESHOLD  # bf16 rounding could flip these
    assert st["fire"].tolist() == fire.tolist() or near.any()
    st["content"].zero_()  # no content words: nothing fires
    triggers.dragin_decide(st)
    assert not st["fire"].any()


# ---------------------------------------------------------------- FLOPs beyond the matrix ones
@pytest.mark.parametrize("trigger", ["flare", "dragin", "fs-rag"])
def test_trigger_flops_match_their_hand_formulas_too(trigger):
    """Matrix-free steps are checked on bytes by test_hand_formulas; here every op's counting convention
    (softmax 5 an element, elementwise and reductions 1) agrees, so the FLOPs must match as well."""
    from hetsim.method_code import hand, price
    from hetsim.method_code.composites import TEST_SIZES

    sizes = [c for c in TEST_SIZES if c.module == "triggers" and c.phase == trigger]
    assert len(sizes) == 2
    for c in sizes:
        mod = importlib.import_module(f"hetsim.method_code.{c.module}")
        steps = trace.step_traces(mod, c.phase, mod.sizes(model_dims(c.model), c.params, c.batch, c.context))
        want = hand.hand_steps(c.method, c.phase, c.model, c.params, c.batch, c.context)
        for name, tr in steps.items():
            assert price.step_cost(tr).flops == pytest.approx(price.ops_cost(want[name]).flops, rel=1e-9), name
