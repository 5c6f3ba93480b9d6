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


def test_transposed_convolutions_run_cudnns_dgrad_gemm_between_its_layout_kernels():
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases, lower_case
    from hetsim.ops import Convolution

    model = gpu_model("H200")
    run = load_cases(REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-aten-realcode-more19-2026-12-03.parquet")
    transposed = [c for c in run if "conv_transpose" in str(c.sources)]
    assert len(transposed) == 15  # 16 written: one equals a check18 case, which the builder keeps there
    errors = []
    for case in transposed:
        ops = lower_case(case, l2_bytes=model.l2_bytes)
        (gemm,) = [o for o in ops if isinstance(o, Convolution)]
        # profiled: nchwToNhwc for the input and the weight, the dgrad GEMM, nhwcToNchw, the bias add
        assert [getattr(o, "regime", "") for o in ops].count("conv_layout") == 3
        assert gemm.algo in ("implicit_gemm", "implicit_gemm_sm80")
        errors.append(sum(model.device_time_s(o) for o in ops) / case.measured["graph"] - 1.0)
    errors.sort(key=abs)
    # in sample (this group's residuals fitted conv_layout beside the forward convolutions'): within 25 %
    assert abs(errors[-1]) < 0.25


def test_glu_reads_both_halves_of_its_input_through_the_strided_kernel():
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    x = TensorMeta.dense((4, 750, 2048), "bfloat16")
    (glu,) = aten.lower_op(AtenOp("aten.glu.default", (x,), (TensorMeta.dense((4, 750, 1024), "bfloat16"),),
                                  {"dim": -1}))
    assert glu.regime == "pointwise_broadcast" and glu.nbytes == x.numel * 2 + x.numel
    assert glu.operands == 4  # two halves and the output, a sigmoid's math as one more
