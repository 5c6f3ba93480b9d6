"""Each method's FLOPs and bytes per step against hand formulas, at two sizes."""

import math

import pytest

from hetsim.workloads import models as llm

BF16 = 2


def totals(ops) -> tuple[float, float]:
    ops = list(ops)
    return sum(o.flops for o in ops), sum(o.bytes for o in ops)


def gpu(work, step):
    return totals(work.step(step).ops["gpu"])


def fused(work):
    (ops,) = work.fused.values()
    return totals(ops)


# ---------------------------------------------------------------- DSA (DeepSeek-V3.2)
H, D, HIDDEN, QLORA, ROPE, HEADS, LATENT = 64, 128, 7168, 1536, 64, 128, 512 + 64


@pytest.mark.parametrize("b, ctx", [(1, 4096), (2, 65536)])
def test_dsa_decode_steps(method, b, ctx):
    m = method("dsa", "DeepSeek-V3.2", context=ctx, batch=b)
    w = m.decode_layer("sparse", b, ctx)
    k = 2048
    # lightning indexer: q.k for 64 heads, ReLU, weighted head sum; every head's scores hit memory
    flops = 2 * b * H * ctx * D + b * H * ctx + 2 * b * ctx * H
    nbytes = BF16 * ((b * H * D + b * ctx * D + b * H * ctx) + 2 * b * H * ctx + (b * H + b * H * ctx + b * ctx))
    assert gpu(w, "relevancy") == (flops, nbytes)
    assert gpu(w, "retrieval") == (b * ctx, b * (ctx * BF16 + k * (BF16 + 8)))
    # absorbed MLA: 128 heads score the 576-wide latent and read its first 512 as value
    assert gpu(w, "apply") == (2 * b * HEADS * k * (576 + 512), BF16 * (b * HEADS * (576 + 512) + b * k * 576))
    # RoPE as eager PyTorch runs it: four multiplies, a subtract and an add over the two rope halves
    prep = 2 * b * (D * HIDDEN + H * D * QLORA + H * HIDDEN) + 8 * b * D + 3 * b * ROPE + 3 * b * H * ROPE
    assert gpu(w, "prepare")[0] == prep
    # FPGA: one pass over the bf16 keys, k ids back
    assert fused(w) == (2 * b * ctx * H * D, b * ctx * D * BF16 + b * k * 4)


@pytest.mark.parametrize("variant, key_bytes, macs", [("fp8", 128 + 4, H * D), ("lut", 16, H * 16)])
def test_dsa_quantised_indexers_shrink_the_index(method, variant, key_bytes, macs):
    m = method("dsa", "DeepSeek-V3.2", context=32768, batch=1, indexer=variant)
    assert m.index_bytes_per_layer(3, 1000) == 3 * 1000 * key_bytes
    (kernel,) = next(iter(m.decode_layer("sparse", 1, 32768).fused.values()))
    assert (kernel.item_bytes, kernel.macs_per_item) == (key_bytes, macs)


def test_dsa_fp8_on_a_gpu_dequantises_the_keys_first(method):
    w = method("dsa", "DeepSeek-V3.2", context=8192, indexer="fp8").decode_layer("sparse", 1, 8192)
    cast = w.step("relevancy").ops["gpu"][0]
    assert cast.name == "index_k_dequant" and cast.bytes == 8192 * D * (1 + 2)


# ---------------------------------------------------------------- SeerAttention-R (Qwen3-8B)
@pytest.mark.parametrize("b, ctx", [(1, 8192), (4, 65536 + 10)])
def test_seer_attention_decode_steps(method, b, ctx):
    m = method("seer_attention", "Qwen3-8B", context=ctx, batch=b, block_size=64, token_budget=4096)
    w = m.decode_layer("layer", b, ctx)
    rows, n, k, g = b * 8, ctx // 64, 4096 // 64, 128
    assert gpu(w, "relevancy") == (2 * rows * n * g + 5 * rows * n,
                                   BF16 * (rows * g + rows * g * n + rows * n) + BF16 * 2 * rows * n)
    assert gpu(w, "retrieval")[0] == rows * n
    attended = k * 64 + ctx % 64
    assert gpu(w, "apply")[0] == 4 * b * 32 * attended * 128
    assert fused(w)[1] == rows * n * g * BF16 + rows * k * 4


def test_seer_attention_threshold_mode_selects_the_expected_fraction(method):
    m = method("seer_attention", "Qwen3-8B", context=65536, mode="threshold", threshold=0.02,
               selected_fraction=0.25)
    w = m.decode_layer("layer", 1, 65536)
    assert gpu(w, "apply")[0] == 4 * 32 * (math.ceil(0.25 * 1024) * 64) * 128
    (kernel,) = next(iter(w.fused.values()))
    assert kernel.k == 0  # ids above the threshold stream out; no top-k unit


# ---------------------------------------------------------------- LServe / Quest (Llama-3.1-8B)
@pytest.mark.parametrize("b, ctx", [(1, 8192), (8, 131072)])
def test_lserve_relevancy(method, b, ctx):
    w = method("lserve", "Llama-3.1-8B", context=ctx, batch=b).decode_layer("sparse", b, ctx)
    rows, pages = b * 8, ctx // 16
    flops = 2 * b * 32 * 128 + 2 * (2 * rows * 4 * pages * 128) + b * 32 * pages + rows * pages * 4
    assert gpu(w, "relevancy")[0] == flops


# ---------------------------------------------------------------- RAG
@pytest.mark.parametrize("b, n", [(1, 100_000), (2, 20_000_000)])
def test_bm25_forward_index_on_gpu_and_fpga(method, b, n):
    m = method("rag", "Llama-2-7B", context=64, batch=b, corpus_docs=n, query_terms=16)
    w = m.search_work(b)
    slots = b * n * 128
    # isin against 16 terms, masked weight, per-document sum
    assert gpu(w, "relevancy") == (slots * 16 + slots + slots,
                                   2 * 2 * slots + 2 * 16 + 2 * 3 * slots + 2 * (slots + b * n))
    assert gpu(w, "retrieval")[0] == b * n
    # the kernel streams 128 (term, tf) slots of 4 bytes per document, per query
    assert fused(w) == (2 * b * n * 128, b * n * 512 + b * 3 * 4)
    assert gpu(w, "apply")[1] == 2 * b * 3 * 128 * 4 + b * 3 * 8


@pytest.mark.parametrize("b, n", [(1, 100_000), (4, 20_000_000)])
def test_bm25_inverted_index_reads_postings_only(method, b, n):
    m = method("rag", "Llama-2-7B", context=64, batch=b, corpus_docs=n, index="inverted", query_terms=16,
               term_doc_fraction=0.01)
    postings = b * 16 * math.ceil(0.01 * n)
    # concatenate (int64 id + bf16 weight), zero fp32 scores, cast the weights to fp32 (index_add_ needs one
    # dtype), scatter-add (id, read + write an fp32 score)
    assert gpu(m.search_work(b), "relevancy")[1] == (2 * 10 * postings + 4 * b * n + (2 + 4) * postings
                                                     + (8 + 2 * 4) * postings)


@pytest.mark.parametrize("n", [1_000_000, 20_000_000])
def test_two_stage_flat_and_ivf_first_stage(method, n):
    flat = method("rag_two_stage", "Llama-2-7B", context=64, corpus_docs=n, first_stage="flat").first_stage_work(1)
    assert gpu(flat, "relevancy") == (2 * n * 768, BF16 * (768 + n * 768 + n))
    ivf = method("rag_two_stage", "Llama-2-7B", context=64, corpus_docs=n, first_stage="ivf", nlist=4096,
                 nprobe=32).first_stage_work(1)
    scan = math.ceil(n * 32 / 4096)
    assert gpu(ivf, "relevancy")[0] == 2 * 4096 * 768 + 4096 + 2 * scan * 768


@pytest.mark.parametrize("c", [16, 64])
def test_cross_encoder_rerank(method, c):
    w = method("rag_two_stage", "Llama-2-7B", context=64, candidates=c, top_k=3).rerank_work(1)
    s, t, h, i = c, 32 + 128, 768, 3072
    per_layer = s * t * 2 * h * (3 * h + h + 2 * i) + 4 * 12 * s * t * t * 64 + s * t * (18 * h + 8 * i)
    assert gpu(w, "prepare")[0] == 12 * per_layer + 2 * c * h + c


# ---------------------------------------------------------------- MemAgent
def test_memagent_fpga_decode_is_bound_by_weights_then_by_dsps(method, experiment):
    from hetsim.sim.machine import Machine

    machine = Machine(experiment("memagent", "Qwen2.5-7B", context=16384, params={"fpga_decode_max_batch": 64}))
    m = method("memagent", "Qwen2.5-7B", context=16384)
    weights = llm.weight_bytes(m.model) - BF16 * 152064 * 3584  # every weight but the embedding table
    hbm = 32 * 14.375e9 * 0.89  # U55C: every pseudo-channel at the measured efficiency
    assert m.decode_token_s(machine, "fpga0", 1) == pytest.approx(weights / hbm, rel=0.005)
    macs_per_s = 9024 * 0.8 / 2 * 300e6  # bf16: two DSPs per MAC, 80% of the DSPs, 300 MHz
    assert m.decode_token_s(machine, "fpga0", 64) == pytest.approx(64 * weights / 2 / macs_per_s, rel=0.01)


def test_memagent_plans_a_prefill_and_a_memory_decode_per_chunk(method):
    m = method("memagent", "Qwen2.5-7B", context=12000, decode=8, chunk_tokens=5000, memory_tokens=100,
               question_tokens=50)
    phases = m.plan(None)
    assert [(type(p).__name__, p.tokens, p.context) for p in phases] == [
        ("Prefill", 5050, 0), ("Decode", 100, 5050),
        ("Prefill", 5150, 0), ("Decode", 100, 5150),
        ("Prefill", 50 + 100 + 2000, 0), ("Decode", 100, 2150),
        ("Prefill", 150, 0), ("Decode", 8, 150)]
    assert [getattr(p, "role", "") for p in phases[1::2]] == ["prepare", "prepare", "prepare", "model"]


# ---------------------------------------------------------------- Memory as Context
@pytest.mark.parametrize("b, slots", [(1, 10), (2, 300)])
def test_memory_as_context_steps(method, b, slots):
    m = method("memory_as_context", "Llama-2-7B", context=32768, batch=b, memory_module="mlp", memory_layers=2,
               summary_tokens=512)
    w = m.memory_work(b, slots)
    d, s = 4096, 512
    assert gpu(w, "prepare")[0] == 2 * b * s * (d * d + d * d) + 2 * 4 * b * s * d + b * d * s
    assert gpu(w, "relevancy")[0] == 2 * (2 * b * d * d) + 2 * b * slots * d
    assert gpu(w, "retrieval")[0] == 5 * b * slots + 2 * b * d * slots  # softmax, weighted sum
    assert gpu(w, "apply") == (0, 2 * b * (1024 + 1) * d * BF16)  # append one embedding to the segment


def test_hmt_summary_is_a_backbone_pass_over_the_summary_tokens(method):
    m = method("memory_as_context", "Llama-2-7B", context=8192, memory_module="backbone", summary_tokens=512)
    flops = gpu(m.memory_work(1, 5), "prepare")[0]
    params = llm.weight_bytes(m.model) / 2 - 2 * 32000 * 4096  # without embeddings and LM head
    attention = 32 * 4 * 32 * (512 * 513 / 2) * 128
    assert flops == pytest.approx(2 * 512 * params + attention, rel=0.01)


# ---------------------------------------------------------------- TTT / LaCT
@pytest.mark.parametrize("b, steps", [(1, 5), (2, 0)])
def test_ttt_update_and_loss_over_one_chunk(method, b, steps):
    m = method("ttt", "Llama-3.1-8B", context=8192, batch=b, chunk_tokens=2048, fw_heads=4, muon_steps=steps)
    w = m.decode_layer("layer", b, 8192)  # 8192 = 4 chunks: this token completes one
    c, d, h, rows = 2048, 1024, 1024, b * 4
    grads = 4 * 2 * c * d * h * rows + rows * c * d + 8 * rows * c * h
    muon = steps * 2 * 3 * rows * (d * d * h + d * d * d + d * h * d)
    # Muon's eager elementwise work: b A, c A^2, their sum (d x d), a X and the sum (d x h); the gradient
    # normalised first (norm, divide), the updated weights renormalised (a divide)
    muon_elementwise = steps * 3 * rows * (3 * d * d + 2 * d * h) + 2 * 3 * rows * d * h + 3 * rows * d * h
    assert gpu(w, "prepare")[0] == grads + muon + muon_elementwise + 2 * 3 * rows * d * h + 3 * rows * d * h
    assert gpu(w, "relevancy")[0] == 3 * 2 * c * d * h * rows + 5 * rows * c * h + 2 * b * c * 4096
    assert m.decode_layer("layer", b, 8191).step("prepare") is None  # between chunks: no update


# ---------------------------------------------------------------- models
def test_model_shapes_from_their_configs(catalogue):
    ds = catalogue.models["DeepSeek-V3.2"]
    assert llm.weight_bytes(ds) / 2 == pytest.approx(671e9, rel=0.002)
    assert llm.kv_bytes_per_token(ds) == 2 * 61 * (512 + 64)
    assert llm.weight_bytes(catalogue.models["Qwen2.5-7B"]) / 2 == pytest.approx(7.62e9, rel=0.002)
    assert llm.weight_bytes(catalogue.models["Llama-2-7B"]) / 2 == pytest.approx(6.74e9, rel=0.002)
    assert llm.weight_bytes(catalogue.models["Qwen3-8B"]) / 2 == pytest.approx(8.19e9, rel=0.002)


@pytest.mark.parametrize("tokens, experts", [(1, 8), (4096, 256)])
def test_moe_reads_the_experts_its_tokens_touch(catalogue, tokens, experts):
    ds = catalogue.models["DeepSeek-V3.2"]
    assert llm.active_experts(ds, tokens) == experts
    (up,) = [op for op in llm.moe_ops(ds, tokens) if op.name == "experts_gate_up"]
    assert up.flops == 2 * tokens * 8 * 4096 * 7168
    assert up.bytes == BF16 * (tokens * 8 * 7168 + experts * 7168 * 4096 + tokens * 8 * 4096)
