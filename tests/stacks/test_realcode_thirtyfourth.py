"""The twentieth real-code fit group (realcode-more20, in realcode_thirtyfourth): fp32 products, odd-width heads and
small scatters at the shapes the pooled checks ran."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

MORE20 = "realcode-more20"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more20_ids.txt"


def test_the_twentieth_fit_group_comes_after_the_nineteenth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_thirtyfourth, realcode_thirtythird

    # 36 written; the 6 equal to an earlier check's case (four fp32 linears, two scatters) stay with that check
    mine = assert_appended_block(MORE20, range(6987, 7017), realcode_thirtyfourth,
                                 realcode_thirtythird.REALCODE_CHECK19, 6986, IDS)
    regimes = [committed_cases[i]["regime"] for i in mine]
    assert regimes.count("matmul_fp32") == 10 and regimes.count("scatter") == 10


def test_a_scatters_threads_walk_up_to_eight_elements_each():
    from hetsim.calibration.predict import gpu_model
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    def scatter(rows, picks):
        x = TensorMeta.dense((rows, 30522), "float16")
        (op,) = aten.lower_op(AtenOp("aten.scatter_.value", (x, TensorMeta.dense((rows, picks), "int64")), (x,),
                                     {"dim": 1, "value": 0.0}))
        return op

    assert scatter(1, 256).walk == 2 * 4 and scatter(32, 64).walk == 8 * 4 and scatter(64, 4096).walk == 8 * 4
    model = gpu_model("H200")
    # on an H200 (realcode-more20): 256 positions ~1.5 us, 2,048 ~3.5: each thread's chain, not the bytes
    assert model.device_time_s(scatter(32, 64)) > 1.6 * model.device_time_s(scatter(1, 256))


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_thirtyfourth
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_thirtyfourth.specs())
    assert {group for group, *_ in specs} == {MORE20}
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label
