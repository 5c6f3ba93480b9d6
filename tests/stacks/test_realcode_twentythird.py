"""The thirteenth real-code fit group (realcode-more13, in realcode_twentythird): elementwise kernels over strided
operands (read across their layout, a few elements apart), isinf / isfinite, fills of strided views; its structure,
and the lowering rules read off its kernels."""

from __future__ import annotations

from collections import Counter

from hetsim.calibration.paths import REPO_ROOT

MORE13 = "realcode-more13"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more13_ids.txt"


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(MORE13, regimes=4)


def test_the_thirteenth_fit_group_shares_no_case_with_any_other_group(assert_disjoint):
    assert_disjoint(MORE13, range(60, 71))


def test_the_thirteenth_fit_group_is_appended_after_the_fifteenth_check_as_one_block(assert_appended_block):
    from hetsim.calibration.gpu_suite import realcode_twentysecond, realcode_twentythird

    # after every earlier case (realcode-check15, ids 3458-3628, included), one block (its ids as timed: 3629-3694);
    # the sweep's id list names exactly its cases
    assert_appended_block(MORE13, range(3629, 3695), realcode_twentythird, realcode_twentysecond.REALCODE_CHECK15,
                          3628, IDS)


def test_the_group_covers_strided_operands_and_fills(committed_cases):
    cases = [c for c in committed_cases if c.get("group") == MORE13]
    regimes = Counter(c["regime"] for c in cases)
    assert regimes["pointwise_transpose"] >= 12 and regimes["pointwise_broadcast"] >= 12
    atens = Counter(c["aten"] for c in cases)
    assert atens["aten.fill_.Scalar"] + atens["aten.fill_.Tensor"] + atens["aten.zero_.default"] >= 8
    # isinf as traced; isfinite traces as its composed ops (== itself, abs, != inf, and)
    assert atens["aten.isinf.default"] >= 2 and atens["aten.ne.Scalar"] >= 2


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_twentythird
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentythird.specs())
    assert {group for group, *_ in specs} == {MORE13}
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label


def _lowered(name, inputs, out, **args):
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp

    return aten.lower_op(AtenOp(name, inputs, (out,), args))


def test_an_operand_a_few_elements_apart_is_read_over_its_span():
    from hetsim.tracing.trace import TensorMeta

    # x[..., ::2] of 4 x 1024 x 28672 bf16 (GeGLU's half): every sector it spans is loaded (profiled, realcode-check15:
    # the clamp ran ~2.3 TB/s of span, 154 us, where the halves' own bytes said 92)
    half = TensorMeta((4, 1024, 14336), (29360128, 28672, 2), "bfloat16", view=True, contiguous=False)
    out = TensorMeta.dense((4, 1024, 14336))
    (op,) = _lowered("aten.clamp.default", (half,), out)
    assert op.regime == "pointwise_broadcast" and op.nbytes == 3 * out.numel * 2
    # a stride whose elements lie a sector apart or more reads across the layout: its own regime, its own bytes
    rows = TensorMeta((4096, 4096), (1, 4096), "bfloat16", view=True, contiguous=False)
    (op,) = _lowered("aten.add.Tensor", (TensorMeta.dense((4096, 4096)), rows), TensorMeta.dense((4096, 4096)))
    assert op.regime == "pointwise_transpose" and op.nbytes == 3 * 4096 * 4096 * 2
    # the output's fastest dim decides: an in-place op on a permuted view with an operand laid out like it coalesces
    view = TensorMeta((4096, 4096), (1, 4096), "bfloat16", view=True, contiguous=False)
    (op,) = _lowered("aten.mul_.Tensor", (view, rows), view)
    assert op.regime == "elementwise"  # the plain vectorised kernel


def test_isinf_runs_the_kernels_tensorcompare_composes():
    from hetsim.tracing.trace import TensorMeta

    x, mask = TensorMeta.dense((4096, 8192)), TensorMeta.dense((4096, 8192), "bool")
    inf = _lowered("aten.isinf.default", (x,), mask)
    # abs into a dense tensor, then == inf
    assert len(inf) == 2 and all(op.aten == "aten.isinf.default" for op in inf)
    assert inf[0].nbytes == 2 * x.numel * 2 and inf[1].nbytes == x.numel * (2 + 1)
    # an integer tensor is never infinite: a fill of the output
    (fill,) = _lowered("aten.isinf.default", (TensorMeta.dense((1024,), "int64"),), TensorMeta.dense((1024,), "bool"))
    assert fill.nbytes == 1024


def test_a_fill_of_a_strided_view_stores_only():
    from hetsim.tracing.trace import TensorMeta

    # logits[:, eos] = -inf over 32 rows of 100352 (fill_.Tensor of a 0-dim value): a store-only kernel (profiled
    # ~1.2-1.3 us where the strided binary's floor said 1.8)
    column = TensorMeta((32,), (100352,), "float32", view=True, contiguous=False)
    (op,) = _lowered("aten.fill_.Tensor", (column, TensorMeta((), (), "float32")), column)
    assert op.regime == "elementwise" and op.nbytes == 32 * 4 and op.operands == 0
    # a dense fill stays the vectorised kernel it was
    dense = TensorMeta.dense((4096,), "float32")
    (op,) = _lowered("aten.fill_.Scalar", (dense,), dense, value=0.0)
    assert op.regime != "elementwise" or op.nbytes > 4096 * 4
