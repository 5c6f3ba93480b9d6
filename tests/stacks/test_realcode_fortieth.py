"""The groups of 2026-12-04's second half: realcode-more23 (realcode_thirtyeighth), the twenty-first blind check
realcode-check21 (realcode_thirtyninth, written by a helper from reference code blind to hetsim's pricing), and the fit
groups made from what its kernels showed, realcode-more24..26 (realcode_fortieth .. realcode_fortysecond): their place
in the cases file, their structure and the check's score."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK21 = "realcode-check21"


def test_each_group_is_one_block_after_the_one_before(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import (
        realcode_fortieth,
        realcode_fortyfirst,
        realcode_fortyfourth,
        realcode_fortysecond,
        realcode_fortythird,
        realcode_thirtyeighth,
        realcode_thirtyninth,
        realcode_thirtyseventh,
    )

    blocks = ((realcode_thirtyeighth.REALCODE_MORE23, range(7852, 7979), realcode_thirtyeighth,
               realcode_thirtyseventh.REALCODE_MORE22, 7851, "more23"),
              (CHECK21, range(7979, 8852), realcode_thirtyninth, realcode_thirtyeighth.REALCODE_MORE23, 7978,
               "check21"),
              (realcode_fortieth.REALCODE_MORE24, range(8852, 8967), realcode_fortieth, CHECK21, 8851, "more24"),
              (realcode_fortyfirst.REALCODE_MORE25, range(8967, 8994), realcode_fortyfirst,
               realcode_fortieth.REALCODE_MORE24, 8966, "more25"),
              (realcode_fortysecond.REALCODE_MORE26, range(8994, 9040), realcode_fortysecond,
               realcode_fortyfirst.REALCODE_MORE25, 8993, "more26"),
              (realcode_fortythird.REALCODE_MORE27, range(9040, 9064), realcode_fortythird,
               realcode_fortysecond.REALCODE_MORE26, 9039, "more27"),
              (realcode_fortyfourth.REALCODE_MORE28, range(9064, 9080), realcode_fortyfourth,
               realcode_fortythird.REALCODE_MORE27, 9063, "more28"))
    for group, ids, module, previous, last, name in blocks:
        assert_appended_block(group, ids, module, previous, last, IDS / f"{name}_ids.txt")
    regimes = [committed_cases[i]["regime"] for i in range(8852, 9040)]
    # each mechanism the check's profiles showed is sampled by the fit groups
    for regime, least in (("roll", 9), ("random", 30), ("cat_unaligned", 15), ("reduction_short", 30),
                          ("grid_sample", 8), ("copy_memcpy", 13), ("copy_repeat", 8), ("copy_expand", 14)):
        assert regimes.count(regime) >= least, regime


def test_the_check_stays_blind_and_spans_regimes(assert_blind, assert_names_its_group):
    assert_blind(CHECK21, 873, "realcode-more26")
    assert_names_its_group(CHECK21, regimes=40)


@pytest.mark.parametrize("module", ["realcode_fortieth", "realcode_fortyfirst", "realcode_fortysecond",
                                    "realcode_fortythird", "realcode_fortyfourth"])
def test_the_fit_groups_trace_on_the_meta_device(module):
    import importlib

    from hetsim.tracing.fake import trace_callable

    specs = list(importlib.import_module(f"hetsim.calibration.gpu_suite.{module}").specs())
    assert len({group for group, *_ in specs}) == 1
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label


def test_the_twenty_first_check_was_timed_and_is_scored(scored_graph):
    # 867 of its 873 cases timed (the rest raised in the replay); scored once, blind, with the code of 6590b9a and
    # the profile refitted on realcode-more23: 8.3 % / 51.5 % over 839 kernel cases (calibration/README.md). Since
    # then realcode-more24..26 were fitted on what its kernels showed: no longer blind, this pins today's score
    graph = scored_graph("H200-aten-realcode-check21-2026-12-04.parquet", range(7979, 8852), timed=867)
    assert graph["n"] == 838
    assert graph["median_abs"] == pytest.approx(0.067, abs=0.01)  # 7.8 % before the element-rate keys' soft corners
    assert 0.24 < graph["p90_abs"] < 0.36  # 30.9 % before gemm-fp32 / realcode-more33


def test_channels_last_bicubic_resizes_were_timed_against_their_nchw_twins_and_are_not_fitted(assert_unfitted):
    """realcode-more28 is measured, not fitted: bicubic resizes of channels-last inputs (a ViT's position embeddings
    permuted to N, C, H, W) ran 3-18x their NCHW twins (UpSampleBicubic2d.cu has no channels-last kernel), by a cost
    per channel that the walk of samples x channels does not follow (2.4-9.6 us a channel across sizes): a later fit
    takes it with a form that does."""
    from hetsim.calibration.trace_cases import load_cases

    run = REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-aten-realcode-more28-2026-12-04.parquet"
    cases = {c.case: c for c in load_cases(run)}
    assert len(cases) == 16
    # pairs (channels last, NCHW twin) in order: every channels-last resize that resamples runs slower than its twin
    slower = [cases[i].measured["graph"] / cases[i + 1].measured["graph"] for i in range(9064, 9080, 2)]
    assert sum(r > 3 for r in slower) >= 6
    assert_unfitted("realcode-more28")
