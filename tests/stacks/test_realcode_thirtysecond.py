"""The nineteenth real-code fit group (realcode-more19, in realcode_thirtysecond): LayerNorm over a spread of rows and
widths, transposed convolutions and GLU."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

MORE19 = "realcode-more19"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more19_ids.txt"


def test_the_nineteenth_fit_group_comes_after_the_eighteenth(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_thirtyfirst, realcode_thirtysecond

    mine = assert_appended_block(MORE19, range(6086, 6142), realcode_thirtysecond,
                                 realcode_thirtyfirst.REALCODE_MORE18, 6085, IDS)
    regimes = [committed_cases[i]["regime"] for i in mine]
    assert regimes.count("layer_norm") == 38


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_thirtysecond
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_thirtysecond.specs())
    assert {group for group, *_ in specs} == {MORE19}
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label
