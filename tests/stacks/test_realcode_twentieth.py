"""The fourteenth blind check of everyday PyTorch inference code (realcode-check14, in realcode_twentieth): written by
a helper from the models' and serving stacks' reference code after realcode-more11, blind to every earlier group; its
structure, and its blind score on the H200 (timed 2026-12-03)."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT

CHECK14 = "realcode-check14"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "check14_ids.txt"


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(CHECK14, regimes=12)


def test_the_fourteenth_realcode_check_shares_no_case_with_any_other_group(assert_blind):
    # every one of its 162 cases distinct (130-170 asked of the helper), and never fitted (the profile's last fit
    # group is realcode-more11)
    assert_blind(CHECK14, 162, "realcode-more11")


def test_the_fourteenth_realcode_check_is_appended_as_one_block_after_every_earlier_group(committed_cases):
    from hetsim.calibration.gpu_suite import realcode_nineteenth, realcode_twentieth, realcode_twentyfirst
    from hetsim.calibration.gpu_suite.aten_cases import realcode_pairs

    cases = committed_cases
    mine = [i for i, c in enumerate(cases) if c.get("group") == CHECK14]
    earlier = [i for i, c in enumerate(cases) if c.get("group") == realcode_nineteenth.REALCODE_MORE11]
    later = [i for i, c in enumerate(cases) if c.get("group") == realcode_twentyfirst.REALCODE_MORE12]
    # after every earlier case (realcode-more11, ids 3176-3229, included), one block (its ids as timed: 3230-3391);
    # the twelfth fit (realcode-more12, written after it was scored) follows it; the sweep's id list names exactly
    # its cases
    assert earlier == list(range(3176, 3230)) and mine == list(range(3230, 3392))
    assert later[0] == mine[-1] + 1
    assert [int(n) for n in IDS.read_text().strip().split(",")] == mine
    order = [groups for groups, _ in realcode_pairs()]
    at = order.index((CHECK14,))
    assert realcode_pairs()[at] == ((CHECK14,), realcode_twentieth.specs)
    assert order[at - 1] == (realcode_nineteenth.REALCODE_MORE11,)
    assert order[at + 1] == (realcode_twentyfirst.REALCODE_MORE12,)
    assert realcode_twentieth.REALCODE_CHECK14 == CHECK14


def test_a_quarter_of_the_check_is_matrix_products_and_the_rest_spans_kernels(product_split):
    regimes, products, others = product_split(CHECK14)
    assert products >= 30 and 0.2 * sum(regimes.values()) <= products <= 0.35 * sum(regimes.values())
    assert len(others) >= 12
    # elementwise, reductions, copies, indexing, norms, sorting and sampling beside the products
    assert any(r.startswith("index_add") for r in others)  # an expert's 16 rows: the small-index kernel
    # (its out-of-place scatter is labelled by its first kernel, the clone: copy_cat)
    assert {"pointwise", "copy_cat", "reduction_last", "index_copy", "index_put", "embedding", "index_select",
            "layer_norm", "sort", "scan", "multinomial"} <= others
    assert any(r.startswith("attention") for r in others) and any(r.startswith("topk") for r in others)


def test_the_check_traces_on_the_meta_device_with_its_sdpa_calls(assert_sdpa_variety):
    from hetsim.calibration.gpu_suite import realcode_twentieth
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentieth.specs())
    assert {group for group, *_ in specs} == {CHECK14}
    assert len({label for _, label, *_ in specs}) == len(specs)  # each case labelled by its shapes
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label
    # with and without masks, causal, and GQA through enable_gqa
    assert_sdpa_variety(CHECK14)


def test_the_fourteenth_check_was_timed_whole_and_is_scored(scored_graph):
    graph = scored_graph("H200-aten-realcode-check14-2026-12-03.parquet", range(3230, 3392))  # every case timed
    # scored once, blind: 7.3 % / 26.9 % over 146 kernel cases with the code and profile of df07b63
    # (calibration/README.md); no longer blind since realcode-more12 was fitted on its tail's kernels: 7.0 / 20.1 %
    assert graph["n"] == 146
    assert graph["median_abs"] == pytest.approx(0.061, abs=0.01)  # 7.1 % before every key kept its neighbours
    assert 0.17 < graph["p90_abs"] < 0.24


def test_torch_eye_is_a_fill_then_a_fill_of_its_diagonal():
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    # profiled (realcode-check14's token-tree mask, eye(64) of bool): FillFunctor over the output, then the strided
    # kernel over the diagonal, storing only (a fill of a strided view); it had no lowering (roofline, assumed: +591 %)
    out = TensorMeta.dense((64, 64), "bool")
    fill, diagonal = aten.lower_op(AtenOp("aten.eye.default", (), (out,), {"n": 64}))
    assert fill.numel == 64 * 64 and fill.regime == "pointwise_narrow"
    assert diagonal.numel == 64 and diagonal.regime == "elementwise" and diagonal.nbytes == 64
    assert {fill.aten, diagonal.aten} == {"aten.eye.default"}


def test_baddbmm_copies_its_input_into_the_output_then_runs_a_gemm_with_beta():
    from hetsim.ops import Matmul
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    # profiled (realcode-check14's Bloom ALiBi baddbmm): the [128, 1, 512] bias expanded into [128, 512, 512] by
    # ATen's copy kernel (72 us), then cuBLAS's `badd` GEMM reading the output back (56 us, the plain bmm 28 us);
    # it had been priced as the bmm alone (-76 %)
    bias = TensorMeta.dense((128, 1, 512))
    q, k = TensorMeta.dense((128, 512, 128)), TensorMeta.dense((128, 128, 512))
    out = TensorMeta.dense((128, 512, 512))
    copy, gemm = aten.lower_op(AtenOp("aten.baddbmm.default", (bias, q, k), (out,), {"beta": 1.0, "alpha": 0.1}))
    assert copy.regime == "copy_expand" and copy.numel == out.numel
    assert isinstance(gemm, Matmul) and gemm.beta and (gemm.batch, gemm.m, gemm.n, gemm.k) == (128, 512, 512, 128)
    plain = Matmul(512, 512, 128, batch=128, shared_b=False)
    assert gemm.bytes == plain.bytes + out.numel * 2  # the output read back
    # an input of the output's shape is a plain copy (one dense layout: a memcpy); beta = 0 ignores the input: the GEMM
    # alone
    same = aten.lower_op(AtenOp("aten.baddbmm.default", (out, q, k), (out,), {}))
    assert [o.regime for o in same[:-1]] == ["copy_memcpy"] and same[-1].beta
    (alone,) = aten.lower_op(AtenOp("aten.baddbmm.default", (bias, q, k), (out,), {"beta": 0}))
    assert not alone.beta and alone.bytes == plain.bytes
