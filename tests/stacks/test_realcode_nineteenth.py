"""The eleventh real-code fit group (realcode-more11, in realcode_nineteenth): the kernels realcode-check13's tail ran
(small products of unaligned widths, batched products over one broadcast weight, elementwise ops with a 0-d device
tensor, stacks and cats of small inner slices); its structure."""

from __future__ import annotations

from collections import Counter

import pytest

from hetsim.calibration.paths import REPO_ROOT

MORE11 = "realcode-more11"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more11_ids.txt"


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(MORE11, regimes=5)


def test_the_eleventh_fit_group_shares_no_case_with_any_other_group(assert_disjoint):
    assert_disjoint(MORE11, range(40, 61))


def test_the_eleventh_fit_group_is_appended_after_every_earlier_group_as_one_block(committed_cases):
    from hetsim.calibration.gpu_suite import realcode_eighteenth, realcode_nineteenth, realcode_twentieth
    from hetsim.calibration.gpu_suite.aten_cases import realcode_pairs

    cases = committed_cases
    mine = [i for i, c in enumerate(cases) if c.get("group") == MORE11]
    earlier = [i for i, c in enumerate(cases) if c.get("group") == realcode_eighteenth.REALCODE_CHECK13]
    later = [i for i, c in enumerate(cases) if c.get("group") == realcode_twentieth.REALCODE_CHECK14]
    # after every earlier case (realcode-check13, ids 3010-3175, included), one block (its ids as timed: 3176-3229);
    # the fourteenth check (realcode-check14, written after it, ids 3230-3391) follows it; the sweep's id list names
    # exactly its cases
    assert earlier[-1] == 3175 and mine[0] == 3176
    assert mine == list(range(3176, 3230)) and mine[-1] + 1 == later[0]
    assert later == list(range(3230, 3392))
    assert [int(n) for n in IDS.read_text().strip().split(",")] == mine
    order = [groups for groups, _ in realcode_pairs()]
    at = order.index((MORE11,))
    assert realcode_pairs()[at] == ((MORE11,), realcode_nineteenth.specs)
    assert order[at - 1] == (realcode_eighteenth.REALCODE_CHECK13,)
    assert order[at + 1] == (realcode_twentieth.REALCODE_CHECK14,)
    assert realcode_nineteenth.REALCODE_MORE11 == MORE11


def test_the_group_covers_the_tails_kernels(committed_cases):
    cases = [c for c in committed_cases if c.get("group") == MORE11]
    regimes = Counter(c["regime"] for c in cases)
    assert regimes["matmul_even_width"] >= 8 and regimes["matmul_odd_width"] >= 4
    assert sum(n for r, n in regimes.items() if r.startswith("pointwise")) >= 10
    assert regimes["copy_cat"] >= 4

    def tensors(c):  # (shape, stride, dtype) of each tensor input of the case's spec
        return [tuple(t[:3]) for t in c["spec"]["in"] if isinstance(t, list) and len(t) == 5]

    # a weight broadcast over the batch (stride 0 on its batch dim), some with a seq-first first operand
    bmm = [tensors(c) for c in cases if c["aten"] == "aten.bmm.default"]
    shared = [(x, w) for x, w in bmm if w[1][0] == 0]
    assert len(shared) >= 10
    assert {w[0][0] for _, w in shared} >= {16, 128, 1024}
    assert any(x[1][1] > x[1][0] for x, _ in shared)
    # elementwise ops with a 0-d tensor operand, of the big tensor's dtype and of fp32 under bf16
    scaled = [c for c in cases if any(shape == [] for shape, *_ in tensors(c))]
    assert len(scaled) >= 10
    assert {(big[2], s[2]) for c in scaled for big, s in [tensors(c)[-2:]]} >= {
        ("bfloat16", "bfloat16"), ("float32", "float32"), ("bfloat16", "float32")}
    assert {c["aten"] for c in scaled} >= {"aten.div.Tensor", "aten.mul.Tensor", "aten.add.Tensor",
                                           "aten.sub.Tensor", "aten.gt.Tensor", "aten.where.self"}


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_nineteenth
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_nineteenth.specs())
    assert {group for group, *_ in specs} == {MORE11}
    assert len({label for _, label, *_ in specs}) == len(specs)  # each case labelled by its shapes
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label


def test_a_bmm_over_one_broadcast_weight_reads_the_weight_once_per_batch_item_from_the_l2():
    from hetsim.calibration.predict import gpu_model
    from hetsim.hardware import residency
    from hetsim.hardware.gpu import broadcast_rereads, hbm_bytes
    from hetsim.ops import Matmul
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    # SigLIP-2's pooling head as traced (realcode-check13): a seq-first input times one weight expanded over the batch
    x = TensorMeta((1024, 2, 1152), (1152, 1179648, 1), "bfloat16", view=True, contiguous=False)
    w = TensorMeta((1024, 1152, 2304), (0, 2304, 1), "bfloat16", view=True, contiguous=False)
    (op,) = aten.lower_op(AtenOp("aten.bmm.default", (x, w), (TensorMeta.dense((1024, 2, 2304)),), {}))
    weight = 1152 * 2304 * 2
    assert op.shared_b and broadcast_rereads(op) == 1023 * weight / residency.L2_GAIN_REREAD
    assert hbm_bytes(op) == op.bytes + broadcast_rereads(op)
    # measured 545 us (nvjet's 384 x 8 tiles: ~10 TB/s of weight re-reads); the weight once would say ~18 us
    assert 400e-6 < gpu_model("H200").device_time_s(op) < 700e-6
    # a hand formula's batched linear (a serving engine folds the batch into one product) and a bmm whose second
    # operand has its own batch take no re-read term
    assert broadcast_rereads(Matmul(2, 2304, 1152, batch=1024)) == 0.0
    own = TensorMeta.dense((1024, 1152, 2304))
    (plain,) = aten.lower_op(AtenOp("aten.bmm.default", (x, own), (TensorMeta.dense((1024, 2, 2304)),), {}))
    assert not plain.shared_b and broadcast_rereads(plain) == 0.0


def test_the_l2_reread_gain_is_what_realcode_more11_measured():
    from hetsim.calibration import l2_fit
    from hetsim.hardware import residency

    assert l2_fit.reread_gain() == pytest.approx(residency.L2_GAIN_REREAD)
    assert residency.L2_GAIN_REREAD > residency.L2_GAIN  # the tensor cores' tile loads outrun the elementwise kernels'


def test_a_cat_the_batched_kernel_does_not_take_copies_each_input_into_its_slice():
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    half = TensorMeta.dense((2, 32, 700, 32))
    # a stack of 4-D rotary halves on the last dim makes five dims: two strided copies (profiled: 2 x 3.7 us,
    # realcode-check13), where the batched cat kernel takes four dims in one launch
    pair = aten.lower_op(AtenOp("aten.stack.default", (half, half), (TensorMeta.dense((2, 32, 700, 32, 2)),),
                                {"dim": -1}))
    assert [op.regime for op in pair] == ["copy_strided"] * 2
    assert sum(op.bytes for op in pair) == 2 * 2 * half.numel * 2
    # stacked on a new outermost dim each input's slice is contiguous: two contiguous copies
    outer = aten.lower_op(AtenOp("aten.stack.default", (half, half), (TensorMeta.dense((2, 2, 32, 700, 32)),),
                                 {"dim": 0}))
    assert [op.regime for op in outer] == ["copy_cat"] * 2
    (batched,) = aten.lower_op(AtenOp("aten.cat.default", (half, half), (TensorMeta.dense((2, 32, 700, 64)),),
                                      {"dim": -1}))
    assert batched.regime == "copy_cat"  # four dims: CatArrayBatchedCopy, one kernel
