"""scan-sweep: the fit group appended after realcode-check38, cumsum and cumprod from a few elements up, the small end
the scan keys' fit cases (3 K chunk steps and more) never reached."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def test_the_scan_sweep_is_a_block_after_the_thirty_eighth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_sixtyseventh, scan_sweep

    mine = assert_appended_block(scan_sweep.SCAN_SWEEP, range(39626, 39722), scan_sweep,
                                 realcode_sixtyseventh.REALCODE_CHECK38, 39625, IDS / "scan_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    # every scan kernel ATen picks: rows over the last dim, one row (cub's device scan), an outer dim
    regimes = [c["regime"] for c in cases]
    assert {"scan", "scan_device", "scan_outer"} == set(regimes)
    assert min(regimes.count(r) for r in ("scan", "scan_device", "scan_outer")) >= 16
    assert {c["aten"] for c in cases} == {"aten.cumsum.default", "aten.cumprod.default"}
    # no cast kernel before the scan: the input's dtype is the output's
    assert all(c["spec"]["in"][0][2] == c["spec"]["out"][0][2] for c in cases)
    sizes = sorted(c["spec"]["in"][0][0][0] * (c["spec"]["in"][0][0][1] if len(c["spec"]["in"][0][0]) > 1 else 1)
                   for c in cases)
    assert sizes[0] < 256 and sizes[len(sizes) // 4] < 1 << 14 and sizes[-1] > 1 << 20  # the small end most of all
