"""Each method's PyTorch code, traced on fake tensors, against the method's hand formulas (issue 11).

Per step: bytes within 1% and the matrix FLOPs (matmul, attention) within 1%; total FLOPs within 1%
where the hand formula counts any. Elementwise FLOPs are a counting convention (a hand op says
8 FLOPs an element for a LayerNorm, a traced kernel 1), so a step without matrix work is checked on
bytes. Where plain PyTorch must run more than the method's own kernel (a gather of the selected pages,
rows or blocks before attention; the scores of sparse MLA written and read back), the extra ops are
written out here, so the difference is a stated formula, not a tolerance.
"""

from __future__ import annotations

import importlib

import pytest

pytest.importorskip("torch")

from hetsim.method_code import hand, price, trace  # noqa: E402
from hetsim.method_code.base import model_dims  # noqa: E402
from hetsim.method_code.composites import TEST_SIZES, Composite  # noqa: E402
from hetsim.ops import Cast, Elementwise, Gather, Matmul, Pointwise, Reduction, Softmax  # noqa: E402
from hetsim.workloads.common import byte_copy  # noqa: E402

TOL = 0.01
BF16, ID = 2, 8


def traced(c: Composite) -> dict:
    mod = importlib.import_module(f"hetsim.method_code.{c.module}")
    sizes = mod.sizes(model_dims(c.model), c.params, c.batch, c.context)
    return sizes, trace.step_traces(mod, c.phase, sizes)


def extra_ops(c: Composite, step: str, s: dict) -> list:
    """What the plain-PyTorch step runs beyond the method kernel the hand formula models."""
    if step != "apply":
        return []
    if c.method == "lserve":  # the selected pages of K and V gathered; page ids + per-row offsets (int64 add)
        heads = s["batch"] * s["kv_heads"]
        rows = heads * s["top_k"]
        page = s["page_size"] * s["head_dim"] * BF16
        return [Gather(rows, page, heads * s["pages"])] * 2 + [Pointwise(rows, (2 * rows + heads) * ID)]
    if c.method == "seer_attention":  # the selected blocks and the block being filled, K and V
        heads = s["batch"] * s["kv_heads"]
        rows = heads * (s["top_k"] + 1)
        block = s["block_size"] * s["head_dim"] * BF16
        return [Gather(rows, block, heads * (s["blocks"] + 1))] * 2 + [
            Pointwise(heads * s["top_k"], (2 * heads * s["top_k"] + heads) * ID),  # block ids + offsets
            Pointwise(rows, 2 * rows * ID)]  # cat with the block being filled
    if c.method == "dsa":  # latent rows gathered; the scores leave the chip; the values read a second time
        b, k = s["batch"], s["top_k"]
        scores = b * s["q_heads"] * k * BF16
        return [Gather(b * k, s["latent"] * BF16, b * s["context"]), Pointwise(b * k, (2 * b * k + b) * ID),
                Pointwise(0, 4 * scores),  # written by the first bmm, read + written by softmax, read by the second
                Pointwise(0, b * k * s["kv_lora"] * BF16)]  # the second bmm reads the rows' first kv_lora dims
    return []


def eager_rmsnorm(t: int, h: int) -> list:
    """transformers' RMSNorm over t rows of h: cast up, pow, mean, add eps, rsqrt, multiply, cast down,
    times the weight (eight kernels) where the fused stack runs one."""
    th = t * h
    return [Cast(th, "bf16", "fp32"), Elementwise(th, 1, "fp32"), Reduction(t, h, "fp32"),
            *[Elementwise(t, 1, "fp32")] * 2, Elementwise(th, 1, "fp32", broadcast_numel=t), Cast(th, "fp32", "bf16"),
            Elementwise(th, 1, "bf16", broadcast_numel=h)]


def eager_rope(n: int, table: int) -> list:
    """Rotate-half RoPE of n elements, cos and sin of `table` elements broadcast over the heads: x * cos,
    the second half negated, concatenated with the first, times sin, added (five kernels for one)."""
    return [Elementwise(n, 1, "bf16", broadcast_numel=table), Elementwise(n // 2, 1, "bf16"),
            byte_copy(2 * n, "rotate_half_cat"), Elementwise(n, 1, "bf16", broadcast_numel=table),
            Elementwise(n, 2, "bf16")]


def as_eager(c: Composite, ops, s: dict) -> list:
    """An LLM layer's hand ops (a fused stack: hetsim/workloads/models.py) as the eager PyTorch of
    hetsim/method_code/llm.py runs them: RMSNorm, RoPE and SiLU-and-mul unfused; the KV cache written by
    copy_ (as priced); HMT's summary keeps no KV cache. HMT's memory recall as its reference runs it
    (modeling_rmt/long_mem_cross_attn.py): every slot's key projected, scores scaled, softmax in fp32.
    (Merging the heads before the output projection is a view: RoPE's output keeps the QKV projection's
    token-major layout and SDPA's output follows it.)"""
    backbone = c.method == "memory_as_context" and c.params.get("memory_module") == "backbone"
    if c.module != "memagent" and not backbone:
        return list(ops)
    hq, hk, d = s["q_heads"], s["kv_heads"], s["head_dim"]
    out: list = []
    for op in ops:
        if op.name in ("rmsnorm", "final_norm", "summary_norm"):
            out += eager_rmsnorm(op.numel // op.broadcast_numel, op.broadcast_numel)
        elif op.name == "rope":
            tokens = op.numel // ((hq + hk) * d)
            out += eager_rope(tokens * hq * d, tokens * d) + eager_rope(tokens * hk * d, tokens * d)
        elif op.name == "silu_mul":
            out += [Elementwise(op.numel, 1, "bf16"), Elementwise(op.numel, 2, "bf16")]
        elif backbone and op.name == "key_proj":  # HMT projects every memory embedding's key, each segment,
            rows = s["batch"] * s["slots"]  # and scales the scores; hetsim caches the keys and projects one
            out += [Matmul(rows, op.n, op.k, dtype=op.dtype, name="key_proj_every_slot"),
                    Elementwise(rows, 1, "bf16", name="score_scale")]
        elif backbone and op.name == "memory_softmax":  # HMT: softmax in fp32, cast back
            n = op.rows * op.cols
            out += [Cast(n, "bf16", "fp32"), Softmax(op.rows, op.cols, "fp32"), Cast(n, "fp32", "bf16")]
        elif op.name == "kv_append":
            if not backbone:  # K and V copied into the cache slice (copy_): hetsim/stacks/aten.py prices a
                # copy_ as reading its destination too, 3 x the bytes of the elements where the hand has 2 x
                out.append(Pointwise(op.numel, 3 * op.numel * BF16, name="kv_append_copy_"))
        else:
            out.append(op)
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= TOL * max(abs(a), abs(b))


@pytest.mark.parametrize("c", TEST_SIZES, ids=lambda c: c.name)
def test_traced_steps_match_hand_formulas(c: Composite):
    sizes, steps = traced(c)
    want = hand.hand_steps(c.method, c.phase, c.model, c.params, c.batch, c.context)
    assert set(steps) <= set(want), f"traced steps {sorted(steps)} not in the hand formula's {sorted(want)}"
    assert steps, "nothing traced"
    for name, tr in steps.items():
        got = price.step_cost(tr)
        exp = price.ops_cost([*as_eager(c, want[name], sizes), *extra_ops(c, name, sizes)])
        assert _close(got.bytes, exp.bytes), f"{name}: traced {got.bytes:.6g} B, hand {exp.bytes:.6g} B"
        assert _close(got.matrix_flops, exp.matrix_flops), (
            f"{name}: traced matrix FLOPs {got.matrix_flops:.6g}, hand {exp.matrix_flops:.6g}")
        if exp.matrix_flops:
            assert _close(got.flops, exp.flops), f"{name}: traced {got.flops:.6g} FLOPs, hand {exp.flops:.6g}"
