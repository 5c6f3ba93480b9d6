"""longk-sweep: the forms realcode-check31's tail ran that no fit case has, appended after the check so the check stays
blind to it."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT


def test_the_longk_sweep_is_a_block_after_the_thirty_first_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import longk_sweep, realcode_sixtieth

    mine = assert_appended_block(longk_sweep.LONGK_SWEEP, range(27729, 27793), longk_sweep,
                                 realcode_sixtieth.REALCODE_CHECK31, 27728,
                                 REPO_ROOT / "experiments" / "kernel_dispatch" / "longk_sweep_ids.txt")
    names = {committed_cases[n]["aten"] for n in mine}
    assert {"aten.cumsum.default", "aten.scatter.src", "aten.cholesky_solve.default",
            "aten.convolution.default"} <= names
    # no draw falls back to the roofline
    assert all(committed_cases[n]["regime"] != "aten_unknown" for n in mine)


def test_its_fp32_products_contract_over_more_than_gemm_fp32_drew(committed_cases):
    # gemm-fp32 drew contractions of up to 16,384; check31's M-step contracted 1M rows into 128 x 64 outputs
    from hetsim.calibration.gpu_suite.gemm_fp32 import MAX_BYTES

    products = [c for c in committed_cases if c.get("group") == "longk-sweep"
                and c["aten"] in ("aten.mm.default", "aten.addmm.default")]
    assert len(products) == 32
    depths = []
    for case in products:
        (rows, depth), (depth_b, cols) = case["spec"]["in"][-2][0], case["spec"]["in"][-1][0]
        assert depth == depth_b and rows <= 512 and cols <= 512  # few output tiles
        assert 4 * depth * (rows + cols) <= MAX_BYTES
        depths.append(depth)
    assert min(depths) >= 1 << 13 and max(depths) >= 1 << 20
