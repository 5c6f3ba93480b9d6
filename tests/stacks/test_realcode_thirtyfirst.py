"""The eighteenth real-code fit group (realcode-more18, in realcode_thirtyfirst): the image ops and convolutions at
the sizes realcode-more17 lacked (small image ops for their fixed costs, Ampere-style convolution kernels over large
inputs, fp16 channels-last stems)."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

MORE18 = "realcode-more18"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more18_ids.txt"


def test_the_eighteenth_fit_group_comes_after_the_seventeenth(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_thirtieth, realcode_thirtyfirst

    mine = assert_appended_block(MORE18, range(6047, 6086), realcode_thirtyfirst, realcode_thirtieth.REALCODE_MORE17,
                                 6046, IDS)
    regimes = [committed_cases[i]["regime"] for i in mine]
    # the stems run alone (channels-last): cuDNN's image_first_layer kernel (the fifth, 64 x 224 x 224, is a case of
    # check18's, so the builder keeps it there)
    assert regimes.count("conv_first_layer") == 4
    assert {"batch_norm", "upsample_nearest", "upsample_bilinear", "upsample_bicubic", "pool", "conv_gemm_narrow",
            "conv_gemm"} <= set(regimes)


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_thirtyfirst
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_thirtyfirst.specs())
    assert {group for group, *_ in specs} == {MORE18}
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label
