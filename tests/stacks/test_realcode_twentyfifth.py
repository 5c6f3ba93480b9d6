"""The fourteenth real-code fit group (realcode-more14, in realcode_twentyfifth): depthwise convolutions, the kernels
realcode-check16's tail ran; timed, not yet fitted; its structure."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

MORE14 = "realcode-more14"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more14_ids.txt"


def test_the_fourteenth_fit_group_is_depthwise_convolutions_after_the_sixteenth_check(assert_appended_block,
                                                                                     committed_cases):
    from hetsim.calibration.gpu_suite import realcode_twentyfifth, realcode_twentyfourth

    mine = assert_appended_block(MORE14, range(4358, 4373), realcode_twentyfifth,
                                 realcode_twentyfourth.REALCODE_CHECK16, 4357, IDS)
    assert {committed_cases[i]["regime"] for i in mine} == {"conv_depthwise"}


def test_the_group_was_timed_whole_and_is_not_in_the_profiles_fit():
    import pandas as pd

    from hetsim.calibration.gpu_profile import load_profile

    runs = REPO_ROOT / "calibration" / "profiles" / "runs"
    raw = pd.read_parquet(runs / "H200-aten-realcode-more14-2026-12-03.parquet")
    assert sorted(raw["case"]) == list(range(4358, 4373)) and (raw["error"].fillna("") == "").all()
    fit_files = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml").provenance["trace_fit"]["cases"]
    assert not any(MORE14 in f for f in fit_files)


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_twentyfifth
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentyfifth.specs())
    assert {group for group, *_ in specs} == {MORE14}
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label
