"""Tracing a transformers model built from a ModelSpec: op counts derived by hand from the Llama
architecture, prefill vs decode shapes, the cache update each stack runs, no memory allocated,
the trace cache, and the trace matching what a real forward dispatches (CPU here, CUDA recorded)."""

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from hetsim.tracing import hf, recorder  # noqa: E402
from hetsim.tracing.classify import op_class  # noqa: E402

B, C = 2, 10


def trace(spec, phase, stack, context=C, **kw):
    return hf.trace_model(spec, phase, B, context, stack=stack, cache=False, **kw)


def ops_in(tr, module_type):
    """The ops of each call of modules of one class, one list per call."""
    return [tr.ops[m.first_op:m.end_op] for m in tr.modules if m.type == module_type]


@pytest.mark.parametrize("phase", ["prefill", "decode"])
@pytest.mark.parametrize("stack", ["hf-dynamic", "hf-static"])
def test_op_counts_follow_the_architecture(tiny, phase, stack):
    tr = trace(tiny, phase, stack)
    # per layer q, k, v, o, gate, up, down; plus the LM head: each Linear runs exactly one matmul
    linears = ops_in(tr, "Linear")
    assert len(linears) == 2 * 7 + 1
    assert all(sum(op_class(o) == "matmul" for o in ops) == 1 for ops in linears)
    # RMSNorm before attention and MLP in each layer, and the final norm: x * rsqrt(mean(x^2) + eps)
    norms = ops_in(tr, "LlamaRMSNorm")
    assert len(norms) == 2 * 2 + 1
    for ops in norms:
        names = Counter(o.base for o in ops)
        assert names["pow"] == names["mean"] == names["rsqrt"] == 1
        mean = next(o for o in ops if o.base == "mean")
        assert mean.dims == (2,) and mean.inputs[0].dtype == "float32"  # hidden dim, computed in fp32
    assert len(tr.sdpa) == 2 and [tr.modules[s.module].type for s in tr.sdpa] == ["LlamaAttention"] * 2
    assert {tr.modules[s.module].path for s in tr.sdpa} == {"model.layers.0.self_attn", "model.layers.1.self_attn"}
    assert sum(o.base == "silu" for o in tr.ops) == 2


def test_prefill_shapes(tiny):
    tr = trace(tiny, "prefill", "hf-dynamic")
    s = tr.sdpa[0]
    assert s.query.shape == (B, 4, C, 16) and s.key.shape == (B, 2, C, 16)
    assert s.is_causal and s.enable_gqa and s.attn_mask is None
    # logits only for the last position, as generate asks (logits_to_keep=1)
    lm_head = next(m for m in tr.modules if m.path == "lm_head")
    assert tr.ops[lm_head.end_op - 1].outputs[0].shape[-2:] == (1, 100)


def test_dynamic_decode_grows_the_cache_by_cat(tiny):
    tr = trace(tiny, "decode", "hf-dynamic")
    s = tr.sdpa[0]
    assert s.query.shape == (B, 4, 1, 16)
    assert s.key.shape == (B, 2, C + 1, 16)  # C cached + the new token, K/V heads not repeated
    assert s.enable_gqa and not s.is_causal and s.attn_mask is None
    grows = [o for o in tr.ops if o.base == "cat" and o.outputs[0].shape == (B, 2, C + 1, 16)]
    assert len(grows) == 2 * 2  # keys and values, per layer
    assert [i.shape for i in grows[0].inputs] == [(B, 2, C, 16), (B, 2, 1, 16)]
    assert not any(o.base == "index_copy_" for o in tr.ops)


def test_static_decode_writes_in_place_and_attends_over_the_whole_cache(tiny):
    tr = trace(tiny, "decode", "hf-static", cache_len=64)
    writes = [o for o in tr.ops if o.base == "index_copy_"]
    assert len(writes) == 2 * 2 and all(o.inplace and o.args["dim"] == 2 for o in writes)
    assert writes[0].inputs[0].shape == (B, 2, 64, 16) and writes[0].inputs[-1].shape == (B, 2, 1, 16)
    assert not any(o.base == "cat" and o.outputs[0].shape[2] in (C + 1, 64) for o in tr.ops)
    s = tr.sdpa[0]
    assert s.query.shape == (B, 4, 1, 16)
    # a mask over the static length, so transformers repeats K/V heads (materialised) instead of enable_gqa
    assert s.key.shape == (B, 4, 64, 16) and not s.enable_gqa
    assert s.attn_mask.shape == (B, 1, 1, 64) and s.attn_mask.dtype == "bool"
    assert sum(o.base == "clone" and o.outputs[0].shape == (B, 2, 2, 64, 16) for o in tr.ops) == 2 * 2


def test_a_huge_context_allocates_nothing(tiny):
    # 8 x 8 heads x 10M tokens x 128 x 2 bytes = 164 GB per layer for K alone: only fake tensors survive this
    big = tiny.model_copy(update={"name": "Llama-big", "layers": 1, "hidden": 4096, "q_heads": 32, "kv_heads": 8,
                                  "head_dim": 128, "intermediate": 14336, "vocab": 128256})
    tr = hf.trace_model(big, "decode", 8, 10_000_000, stack="hf-static", cache=False)
    assert tr.sdpa[0].key.shape == (8, 32, 10_000_001, 128)


def test_second_call_reads_the_cache(tiny, trace_cache, monkeypatch):
    first = hf.trace_model(tiny, "decode", B, C, stack="hf-static")
    assert list(trace_cache.glob("*.json.gz"))

    def boom(*a, **k):
        raise AssertionError("traced again instead of reading the cache")

    monkeypatch.setattr(recorder, "record", boom)
    assert hf.trace_model(tiny, "decode", B, C, stack="hf-static") == first
    with pytest.raises(AssertionError, match="traced again"):
        hf.trace_model(tiny, "decode", B, C + 1, stack="hf-static")  # other sizes, other key


def test_fake_trace_equals_a_real_cpu_forward(tiny):
    """Fake tensors must not change what transformers and PyTorch dispatch (strides decide matmul folding)."""
    import torch

    # (static prefill differs on purpose: the trace keeps the host-to-GPU copy of the cache's counter that a
    # CPU run has no reason to make; the H200 test below checks it)
    for phase, stack in [("decode", "hf-dynamic"), ("decode", "hf-static"), ("prefill", "hf-dynamic")]:
        faked = trace(tiny, phase, stack)
        step = hf.make_step(phase, B, C, stack=stack)
        model = hf.build(tiny, step.cached + step.new, device="cpu")
        kwargs = hf.step_inputs(model, step, "cpu")
        for layer in getattr(kwargs["past_key_values"], "layers", []):  # real memory: give the cache values
            for name in ("keys", "values"):
                if isinstance(getattr(layer, name, None), torch.Tensor):
                    getattr(layer, name).zero_()
        real = recorder.record(lambda m=model, k=kwargs: m(**k), {}, model)
        key = [(o.name, [i.shape for i in o.inputs], [x.shape for x in o.outputs]) for o in real.ops]
        assert [(o.name, [i.shape for i in o.inputs], [x.shape for x in o.outputs]) for o in faked.ops] == key
        assert [m.path for m in faked.modules] == [m.path for m in real.modules]


def test_matches_a_real_cuda_forward_outside_attention():
    """A 2-layer Llama-3.1-8B recorded on an H200 (experiments/trace_vs_cuda.py) against the fake trace here."""
    import transformers

    data = json.loads(gzip.open(Path(__file__).parent / "data" / "h200_llama31_2layers.json.gz", "rt").read())
    if transformers.__version__ != "5.17.0":
        pytest.skip("the H200 trace was recorded with transformers 5.17.0")
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "experiments"))
    import trace_vs_cuda as exp

    mine = exp.record("fake")
    for case, cuda in data["cases"].items():
        fake = mine["cases"][case]

        def outside(tr):
            spans = [(s["first_op"], s["end_op"]) for s in tr["sdpa"]]
            return [exp._key(o) for i, o in enumerate(tr["ops"]) if not any(f <= i < e for f, e in spans)]

        assert outside(fake) == outside(cuda), case
        assert [m[0] for m in fake["modules"]] == [m[0] for m in cuda["modules"]], case


@pytest.mark.parametrize("name", ["Qwen2.5-7B", "Qwen3-8B"])
def test_other_families_build(name, catalogue):
    spec = catalogue.models[name].model_copy(update={"layers": 1})
    tr = hf.trace_model(spec, "decode", 1, 16, cache=False)
    assert len(tr.sdpa) == 1 and tr.sdpa[0].query.shape == (1, spec.q_heads, 1, spec.head_dim)
    if name.startswith("Qwen2"):  # q/k/v projections carry biases: addmm
        assert sum(o.base == "addmm" for o in tr.ops) == 3
