"""The shipped templates, instantiated without torch: per-layer op counts by hand, what each
stack's attention reads, and how a decode step grows with the context."""

from collections import Counter

import pytest

from hetsim.ops import HostCall, Matmul, SdpaAttention
from hetsim.stacks import templates
from hetsim.stacks.lower import StackOps

CATALOGUE = ("Llama-2-7B", "Llama-3.1-8B", "Qwen2.5-7B", "Qwen3-8B")


def layer_counts(model: str, stack: str, phase: str, **sizes) -> Counter:
    tpl = templates.load(model, stack, phase)
    values = {"B": 4, "T": 64, "C": 300, "L": 2048, **sizes}
    first, end = tpl.sections["layer"]
    return Counter(tpl.op(i, values).base for i in range(first, end))


def test_every_catalogue_model_ships_both_stacks_and_phases():
    assert templates.shipped_models() == sorted(CATALOGUE)
    for model in CATALOGUE:
        for stack, phase in templates.SYMBOLS:
            assert templates.path_for(model, stack, phase).is_file()


@pytest.mark.parametrize("stack", ["hf-dynamic", "hf-static"])
@pytest.mark.parametrize("phase", ["prefill", "decode"])
def test_llama_layer_has_seven_projections_two_rmsnorms_one_attention(stack, phase):
    n = layer_counts("Llama-3.1-8B", stack, phase)
    assert n["mm"] == 7  # q, k, v, o, gate, up, down
    assert n["mean"] == 2 and n["rsqrt"] == 2 and n["pow"] == 2  # input and post-attention RMSNorm
    assert n["_scaled_dot_product_flash_attention_for_cpu"] == 1
    assert n["silu"] == 1
    assert n["neg"] == 2  # rotate_half of q and of k


def test_qwen2_projects_qkv_with_bias_and_qwen3_normalises_q_and_k():
    qwen2 = layer_counts("Qwen2.5-7B", "hf-dynamic", "decode")
    assert qwen2["addmm"] == 3 and qwen2["mm"] == 4
    qwen3 = layer_counts("Qwen3-8B", "hf-dynamic", "decode")
    assert qwen3["mm"] == 7 and qwen3["mean"] == 4  # q_norm and k_norm on top of the two layer norms


def test_dynamic_decode_attends_over_the_cache_plus_the_new_token():
    tpl = templates.load("Llama-3.1-8B", "hf-dynamic", "decode")
    for cached in (100, 5000):
        (call,) = tpl.sdpa({"B": 8, "C": cached})
        assert call.key.shape == (8, 8, cached + 1, 128)
        assert call.attn_mask is None and call.enable_gqa  # native GQA, no mask


def test_dynamic_decode_cat_copies_grow_with_the_context():
    ops = StackOps("Llama-3.1-8B", "hf-dynamic", 0)
    small = [o for o in ops.attention("decode", 8, 1, 1000) if getattr(o, "regime", "") == "cat_dominated"]
    large = [o for o in ops.attention("decode", 8, 1, 9000) if getattr(o, "regime", "") == "cat_dominated"]
    assert len(small) == len(large) == 2  # torch.cat of K and of V onto the whole layer cache
    per_token = 8 * 8 * 128 * 2  # batch x kv heads x head dim x bf16
    assert large[0].bytes - small[0].bytes == 2 * 8000 * per_token  # read and written again, every step


def test_static_decode_attends_over_the_static_length_with_a_mask_and_repeated_heads():
    tpl = templates.load("Llama-3.1-8B", "hf-static", "decode")
    (call,) = tpl.sdpa({"B": 8, "C": 100, "L": 4096})
    assert call.key.shape == (8, 32, 4096, 128)  # 8 K/V heads repeated to the 32 query heads
    assert call.attn_mask is not None and call.attn_mask.shape == (8, 1, 1, 4096)
    ops = StackOps("Llama-3.1-8B", "hf-static", 4096)
    attn = ops.attention("decode", 8, 1, 100)
    assert attn == ops.attention("decode", 8, 1, 3000)  # the same work at any filled length
    (sdpa,) = [o for o in attn if isinstance(o, SdpaAttention)]
    assert (sdpa.kv_len, sdpa.kv_heads, sdpa.backend, sdpa.decode) == (4096, 32, "cudnn", True)
    assert sdpa.mask_bytes == 4096 and not sdpa.causal  # a bool mask expanded over the batch: stored once
    clones = [o for o in attn if getattr(o, "regime", "") == "copy_expand"]  # a copy out of the expand
    # repeat_kv materialises K and V: the cache read once, the repeated heads written
    assert [o.nbytes for o in clones] == [8 * (8 + 32) * 4096 * 128 * 2] * 2


def test_decode_pre_and_post_are_the_layer_without_attention():
    pre, post = StackOps("Llama-3.1-8B", "hf-static", 2048).pre_post("decode", 8, 1)
    mms = [o for o in (*pre, *post) if isinstance(o, Matmul)]
    assert [(o.m, o.n, o.k) for o in mms] == [(8, 4096, 4096), (8, 1024, 4096), (8, 1024, 4096),
                                              (8, 4096, 4096), (8, 14336, 4096), (8, 14336, 4096),
                                              (8, 4096, 14336)]
    modules = Counter(o.aten for o in (*pre, *post) if isinstance(o, HostCall) and o.kind == "module")
    assert modules["Linear"] == 7 and modules["LlamaRMSNorm"] == 2 and modules["LlamaDecoderLayer"] == 1


def test_template_fails_loudly_without_a_size_it_needs():
    tpl = templates.load("Llama-3.1-8B", "hf-static", "decode")
    with pytest.raises(ValueError, match="needs sizes L"):
        tpl.trace({"B": 2, "C": 5})
