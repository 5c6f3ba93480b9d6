"""Trace one step of a Hugging Face transformers model built from a catalogue ModelSpec.

The model is built on the meta device (no weights, no init), given fake parameters, and run once
under the recorder. The call is the one a hand-written generation loop makes, and the one an
end-to-end run must make to be compared with the trace:

    model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)

with no attention mask and no position ids (the model derives them from the cache). A 2-D mask
of ones is left out on purpose: transformers can skip building a 4-D mask only after checking the
mask's values (`padding_mask.all()`, a host sync), which fake tensors cannot answer, so passing one
would trace a mask path a real run skips. StaticCache builds its 4-D mask over the whole static
length in either case.

- decode: `context` tokens are already cached (DynamicCache filled with fake keys/values, so the
  step runs the real `torch.cat`; StaticCache allocated and advanced, so the step runs the real
  `index_copy_`), and `tokens` new tokens (default 1) are processed.
- prefill: an empty cache and a prompt of `tokens` tokens (default: `context`). A StaticCache is
  allocated inside the step, as the first forward of a generation does (its zero fill is traced).
Imports torch and transformers; import this lazily.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from hetsim.errors import ConfigError
from hetsim.tracing import cache as trace_cache
from hetsim.tracing.deps import require, version
from hetsim.tracing.hfspec import FAMILIES, config_kwargs, family, model_spec
from hetsim.tracing.trace import Trace

if TYPE_CHECKING:
    from hetsim.config.load import Catalogue
    from hetsim.config.schema import ModelSpec

STACKS = ("hf-dynamic", "hf-static")
PHASES = ("prefill", "decode")
CALL = "model(input_ids=ids, past_key_values=cache, use_cache=True, logits_to_keep=1)"


@dataclass(frozen=True)
class Step:
    """One forward to trace: `cached` tokens already in the cache, `new` tokens processed now."""

    phase: str
    batch: int
    cached: int
    new: int
    stack: str
    cache_len: int | None  # StaticCache length; None for DynamicCache


def make_step(phase: str, batch: int, context: int, tokens: int | None = None, stack: str = "hf-dynamic",
              cache_len: int | None = None) -> Step:
    """Check a step's sizes and say what is wrong in one line."""
    if phase not in PHASES:
        raise ConfigError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)}", field="phase")
    if stack not in STACKS:
        raise ConfigError(f"unknown stack {stack!r}; expected one of {', '.join(STACKS)}", field="stack")
    for name, value, low in (("batch", batch, 1), ("context", context, 0 if phase == "decode" else 1),
                             ("tokens", tokens, 1)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
            raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}", field=name)
    if phase == "decode":
        cached, new = context, tokens or 1
    else:
        cached, new = 0, tokens or context
    if stack == "hf-dynamic":
        if cache_len is not None:
            raise ConfigError("cache_len applies to hf-static only (DynamicCache grows)", field="cache_len")
        return Step(phase, batch, cached, new, stack, None)
    length = cache_len if cache_len is not None else cached + new
    if isinstance(length, bool) or not isinstance(length, int) or length < cached + new:
        raise ConfigError(f"cache_len must be an integer >= cached + new tokens ({cached + new}), got {cache_len!r}",
                          field="cache_len")
    return Step(phase, batch, cached, new, stack, length)


def trace_key(spec: ModelSpec, step: Step) -> str:
    return trace_cache.content_key({
        "source": "hf", "model": spec.model_dump(mode="json"), "step": asdict(step), "call": CALL,
        "torch": version("torch"), "transformers": version("transformers"),
    })


def build(spec: ModelSpec, positions: int, device: str = "meta"):
    """The causal LM for `spec` in eval mode; parameters in the spec's dtype, buffers as transformers makes them."""
    torch, transformers = require()
    fam = family(spec)
    config_cls, model_cls = (getattr(transformers, n) for n in FAMILIES[fam])
    try:
        config = config_cls(**config_kwargs(spec, positions))
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}[spec.dtype]
        with torch.device(device):
            model = model_cls._from_config(config, dtype=dtype)
    except (ValueError, TypeError) as exc:  # transformers' own config checks
        raise ConfigError(f"transformers {transformers.__version__} cannot build {spec.name!r}: "
                          f"{' '.join(str(exc).split())}", field="model") from None
    return model.eval()


def step_inputs(model, step: Step, device: str, host: str | None = None) -> dict[str, Any]:
    """The forward's keyword arguments, with the cache filled as `step` says.

    Under the fake mode, `host` names the device that stands in for the host (see below); a real
    run on a GPU leaves it None.
    """
    import torch
    from transformers import DynamicCache, StaticCache

    config = model.config
    dtype = next(model.parameters()).dtype
    kv = (step.batch, config.num_key_value_heads, step.cached, config.head_dim)
    if step.stack == "hf-static":
        cache = StaticCache(config=config, max_cache_len=step.cache_len)
        if not step.cached and host:
            # The cache's position counter starts on the host and the first update moves it to the
            # GPU (a `_to_copy`). The fake "cpu" device stands in for the GPU, so the counter is put
            # on `host` ("meta"), standing in for the host, to keep that copy in the trace.
            for layer in cache.layers:
                layer.cumulative_length = torch.zeros((), dtype=torch.long, device=host)
        elif step.cached:
            cache.early_initialization(step.batch, config.num_key_value_heads, config.head_dim, dtype,
                                       torch.device(device))
            for layer in cache.layers:
                layer.cumulative_length.add_(step.cached)
    else:
        cache = DynamicCache(config=config)
        if step.cached:
            for i in range(config.num_hidden_layers):
                keys, values = (torch.empty(kv, dtype=dtype, device=device) for _ in range(2))
                cache.update(keys, values, i)
    ids = torch.zeros((step.batch, step.new), dtype=torch.long, device=device)
    return {"input_ids": ids, "past_key_values": cache, "use_cache": True, "logits_to_keep": 1}


def trace_model(model: str | ModelSpec, phase: str, batch: int, context: int, tokens: int | None = None,
                stack: str = "hf-dynamic", cache_len: int | None = None, *, cache: bool = True,
                catalogue: Catalogue | None = None) -> Trace:
    """The aten trace of one prefill or decode step of `model` (a catalogue name or a ModelSpec).

    With `cache`, a trace with the same content key is read from the trace cache (without
    importing torch) and a new one is written there.
    """
    spec = model_spec(model, catalogue) if isinstance(model, str) else model
    step = make_step(phase, batch, context, tokens, stack, cache_len)
    fam = family(spec)
    key = trace_key(spec, step) if cache else None
    if key and (hit := trace_cache.load(key)) is not None:
        return hit
    require()
    from hetsim.tracing import fake, recorder

    model_ = build(spec, step.cached + step.new)
    mode = fake.new_mode()
    fake.fake_module(model_, mode)
    with mode:
        kwargs = step_inputs(model_, step, fake.DEVICE, host="meta")
        meta = {"source": "hf", "model": spec.name, "family": fam, **asdict(step),
                "torch": version("torch"), "transformers": version("transformers"), "call": CALL,
                "attn_implementation": "sdpa", "dtype": spec.dtype, "device": fake.DEVICE, "key": key}
        trace = recorder.record(lambda: model_(**kwargs), meta, model_)
    if key:
        trace_cache.store(trace, key)
    return trace
