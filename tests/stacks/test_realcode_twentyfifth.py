"""The fourteenth real-code fit group (realcode-more14, in realcode_twentyfifth): depthwise convolutions, the kernels
realcode-check16's tail ran; its structure and its fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

MORE14 = "realcode-more14"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more14_ids.txt"


def test_the_fourteenth_fit_group_is_depthwise_convolutions_after_the_sixteenth_check(assert_appended_block,
                                                                                     committed_cases):
    from hetsim.calibration.gpu_suite import realcode_twentyfifth, realcode_twentyfourth

    mine = assert_appended_block(MORE14, range(4358, 4373), realcode_twentyfifth,
                                 realcode_twentyfourth.REALCODE_CHECK16, 4357, IDS)
    regimes = [committed_cases[i]["regime"] for i in mine]
    # two fp16 cases run cuDNN's depthwise kernels (PyTorch's use_cudnn_depthwise), the rest ATen's
    assert regimes.count("conv_depthwise_cudnn") == 2 and set(regimes) == {"conv_depthwise", "conv_depthwise_cudnn"}


def test_the_group_was_timed_whole_and_fits_atens_depthwise_kernel_in_its_floor_form():
    import pandas as pd

    from hetsim.calibration.gpu_profile import load_profile

    runs = REPO_ROOT / "calibration" / "profiles" / "runs"
    raw = pd.read_parquet(runs / "H200-aten-realcode-more14-2026-12-03.parquet")
    assert sorted(raw["case"]) == list(range(4358, 4373)) and (raw["error"].fillna("") == "").all()
    profile = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    assert any(MORE14 in f for f in profile.provenance["trace_fit"]["cases"])
    rates, fit = profile.rates["conv_depthwise"], profile.notes["conv_depthwise"]["fit"]
    # its 13 ATen cases (the two on cuDNN carry a bias added after: two kernels, not fitted), with realcode-more15's
    # small ones: ~1e11 outputs a second, ~1.3e12 taps a second, a ~2.5 us overhead, in sample within ~20 % (p90)
    mine = {int(c.split(":")[1]) for c in fit["cases"] if c.startswith("H200-aten-realcode-more14")}
    assert set(range(4358, 4373)) - mine == {4362, 4372}
    assert any(c.startswith("H200-aten-realcode-more15") for c in fit["cases"])
    assert 0.7e11 < rates.walk_bw_bytes_per_s < 1.5e11 and 1e12 < rates.flop_rate < 2.5e12 and rates.overhead_s < 4e-6
    assert fit["device_p90_abs_err"] < 0.2


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_twentyfifth
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentyfifth.specs())
    assert {group for group, *_ in specs} == {MORE14}
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label
