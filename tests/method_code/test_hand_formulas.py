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
from hetsim.ops import Gather, Pointwise  # noqa: E402

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
        exp = price.ops_cost([*want[name], *extra_ops(c, name, sizes)])
        assert _close(got.bytes, exp.bytes), f"{name}: traced {got.bytes:.6g} B, hand {exp.bytes:.6g} B"
        assert _close(got.matrix_flops, exp.matrix_flops), (
            f"{name}: traced matrix FLOPs {got.matrix_flops:.6g}, hand {exp.matrix_flops:.6g}")
        if exp.matrix_flops:
            assert _close(got.flops, exp.flops), f"{name}: traced {got.flops:.6g} FLOPs, hand {exp.flops:.6g}"
