"""Invalid method parameters and impossible placements: one ConfigError naming the field."""

import pytest

from hetsim.errors import ConfigError

CASES = [  # (method, model, context, params, field, words in the message)
    ("dsa", "DeepSeek-V3.2", 8192, {"top_k": 16384}, "top_k", "exceeds the 8192-token context"),
    ("dsa", "DeepSeek-V3.2", 8192, {"layers": 99}, "layers", "61 layers"),
    ("dsa", "DeepSeek-V3.2", 8192, {"indexer": "lut", "pq_subspaces": 7}, "pq_subspaces", "do not divide"),
    ("dsa", "DeepSeek-V3.2", 8192, {"indexer": "int4"}, "indexer", "bf16"),
    ("seer_attention", "Qwen3-8B", 8192, {"token_budget": 16384}, "token_budget", "exceed"),
    ("seer_attention", "Qwen3-8B", 8192, {"token_budget": 1000}, "token_budget", "multiple of block_size"),
    ("seer_attention", "Qwen3-8B", 8192, {"mode": "threshold", "threshold": 0.0}, "threshold", "(0, 1]"),
    ("seer_attention", "Qwen3-8B", 8192, {"mode": "threshold", "threshold": 1.5}, "threshold", "(0, 1]"),
    ("seer_attention", "Qwen3-8B", 8192, {"selected_fraction": 0}, "selected_fraction", "(0, 1]"),
    ("seer_attention", "Qwen3-8B", 8192, {"block_size": 10_000, "token_budget": 10_000}, "token_budget", "exceed"),
    ("rag", "Llama-2-7B", 64, {"corpus_docs": 1000, "top_k": 2000}, "top_k", "exceeds the corpus"),
    ("rag", "Llama-2-7B", 64, {"trigger": "flare", "trigger_prob": 0}, "trigger_prob", "(0, 1]"),
    ("rag", "Llama-2-7B", 64, {"trigger_prob": 1.5}, "trigger_prob", "(0, 1]"),
    ("rag", "Llama-2-7B", 64, {"index": "inverted", "term_doc_fraction": 0.5}, "term_doc_fraction", "outnumber"),
    ("rag", "Llama-2-7B", 64, {"trigger": "sometimes"}, "trigger", "fs-rag"),
    ("rag", "Llama-2-7B", 64, {"topk": 3}, "topk", "unknown field"),
    ("rag_two_stage", "Llama-2-7B", 64, {"candidates": 8, "top_k": 10}, "top_k", "8 reranked candidates"),
    ("rag_two_stage", "Llama-2-7B", 64, {"corpus_docs": 50, "candidates": 64}, "candidates", "exceed the corpus"),
    ("rag_two_stage", "Llama-2-7B", 64, {"first_stage": "ivf", "nlist": 16, "nprobe": 32}, "nprobe", "exceeds nlist"),
    ("rag_two_stage", "Llama-2-7B", 64, {"first_stage": "ivf", "corpus_docs": 1000, "nlist": 2000}, "nlist",
     "exceed the corpus"),
    ("memagent", "Qwen2.5-7B", 8192, {"chunk_tokens": 10_000}, "chunk_tokens", "exceeds the 8192-token context"),
    ("memagent", "Qwen2.5-7B", 8192, {"fpga_decode_max_batch": 0}, "fpga_decode_max_batch", "greater than 0"),
    ("memory_as_context", "Llama-2-7B", 8192, {"segment_tokens": 16384}, "segment_tokens", "exceeds"),
    ("memory_as_context", "Llama-2-7B", 8192, {"summary_tokens": 2048}, "summary_tokens", "exceeds segment_tokens"),
    ("memory_as_context", "Llama-2-7B", 8192, {"retrieval": "top_k", "top_k": 64}, "top_k", "memory embeddings"),
    ("ttt", "Llama-3.1-8B", 8192, {"chunk_tokens": 16384}, "chunk_tokens", "exceeds"),
    ("ttt", "Llama-3.1-8B", 8192, {"fw_heads": 3}, "fw_heads", "do not divide"),
]


@pytest.mark.parametrize("name, model, context, params, field, words", CASES,
                         ids=[f"{c[0]}-{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_bad_parameter_names_its_field(experiment, name, model, context, params, field, words):
    with pytest.raises(ConfigError) as err:
        experiment(name, model, context=context, params=params)
    assert err.value.field == f"workload.params.{field}"
    assert words in err.value.message


def test_dsa_needs_a_latent_attention_model(experiment):
    with pytest.raises(ConfigError, match="needs an MLA model"):
        experiment("dsa", "Llama-3.1-8B")


@pytest.mark.parametrize("name, model, step", [("ttt", "Llama-3.1-8B", "prepare"), ("dsa", "DeepSeek-V3.2", "apply"),
                                               ("rag", "Llama-2-7B", "prepare")])
def test_a_step_placed_where_it_cannot_run(experiment, name, model, step):
    with pytest.raises(ConfigError) as err:
        experiment(name, model, context=8192, placements=[{"name": "x", step: "fpga0"}])
    assert err.value.field == "placements[0]"
    assert f"step {step} of method {name} cannot run on a fpga" in err.value.message


def test_request_level_methods_run_one_micro_batch(experiment):
    with pytest.raises(ConfigError) as err:
        experiment("rag", "Llama-2-7B", context=64, batch=2,
                   placements=[{"name": "x", "relevancy": "fpga0", "retrieval": "fpga0", "micro_batches": 2}])
    assert err.value.field == "placements[0].micro_batches"


@pytest.mark.parametrize("name, model, params, field", [
    ("rag", "Llama-2-7B", {"top_k": 100, "corpus_docs": 10_000}, "top_k"),
    ("dsa", "DeepSeek-V3.2", {"top_k": 4096, "layers": 1}, "top_k"),
    ("rag_two_stage", "Llama-2-7B", {"candidates": 128, "corpus_docs": 10_000}, "candidates"),
])
def test_a_top_k_beyond_the_fpga_kernels_top_k_unit(experiment, name, model, params, field):
    """Refused when the scenario is resolved (what `hetsim check` runs), not midway through a run."""
    dsa = name == "dsa"  # two micro-batches in its paper placement
    with pytest.raises(ConfigError) as err:
        experiment(name, model, context=8192 if dsa else 64, batch=2 if dsa else 1, params=params,
                   placements=["paper"])
    assert err.value.field == f"workload.params.{field}"
    assert "keeps at most the top" in err.value.message
