"""A catalogue ModelSpec as a transformers config: which architecture, which fields. No torch here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hetsim.errors import ConfigError

if TYPE_CHECKING:  # the catalogue needs pydantic; building a config from a spec-like object does not
    from hetsim.config.load import Catalogue
    from hetsim.config.schema import ModelSpec

# family -> (config class, causal-LM class) in transformers; the catalogue names the family in the model name
FAMILIES = {
    "llama": ("LlamaConfig", "LlamaForCausalLM"),
    "qwen2": ("Qwen2Config", "Qwen2ForCausalLM"),
    "qwen3": ("Qwen3Config", "Qwen3ForCausalLM"),
}


def model_spec(name: str, catalogue: Catalogue | None = None) -> ModelSpec:
    from hetsim.config.errors import did_you_mean
    from hetsim.config.load import Catalogue

    models = (catalogue or Catalogue.load()).models
    if name not in models:
        raise ConfigError(f"unknown model {name!r}{did_you_mean(name, sorted(models))} "
                          f"(known: {', '.join(sorted(models))})", field="model")
    return models[name]


def family(spec: ModelSpec) -> str:
    if spec.mla or spec.moe or spec.indexer:
        raise ConfigError(f"model {spec.name!r} uses MLA/MoE, which tracing cannot build yet; "
                          f"trace a dense model ({', '.join(sorted(FAMILIES))} families)", field="model")
    lowered = spec.name.lower()
    for fam in FAMILIES:
        if lowered.startswith(fam):
            return fam
    raise ConfigError(f"model {spec.name!r}: no transformers architecture is known for it; tracing builds "
                      f"models whose name starts with one of {', '.join(sorted(FAMILIES))}", field="model")


def config_kwargs(spec: ModelSpec, positions: int) -> dict[str, Any]:
    """The transformers config fields that fix every traced shape; the rest keep transformers' defaults.

    `positions` is the longest sequence the traced step needs; rotary tables do not depend on it
    in the forward, so a step longer than the checkpoint's limit still traces at its real shapes.
    """
    return {
        "num_hidden_layers": spec.layers, "hidden_size": spec.hidden, "num_attention_heads": spec.q_heads,
        "num_key_value_heads": spec.kv_heads, "head_dim": spec.head_dim, "intermediate_size": spec.intermediate,
        "vocab_size": spec.vocab, "max_position_embeddings": max(spec.max_position_embeddings or 0, positions),
        "tie_word_embeddings": False, "attn_implementation": "sdpa",
    }
