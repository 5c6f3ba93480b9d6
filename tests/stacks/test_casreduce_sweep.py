"""casreduce-sweep: the fit group appended after realcode-check40, drawn for the checks' scatter_reduce by amax, amin
and prod (whose float atomics are compare-and-swap loops) beside 16-bit and fp32 sums."""

from __future__ import annotations

from collections import Counter

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def test_the_cas_scatters_are_a_block_after_the_fortieth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import casreduce_sweep, realcode_sixtyninth

    mine = assert_appended_block(casreduce_sweep.CASREDUCE_SWEEP, range(43702, 43798), casreduce_sweep,
                                 realcode_sixtyninth.REALCODE_CHECK40, 43701, IDS / "casreduce_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    ops = Counter(c["aten"] for c in cases)
    assert set(ops) == {"aten.scatter_reduce.two", "aten.scatter_reduce_.two"} and min(ops.values()) >= 40
    reduces = Counter(c["spec"]["args"]["reduce"] for c in cases)
    assert reduces["amax"] >= 30 and reduces["amin"] >= 10 and reduces["prod"] >= 10 and reduces["sum"] >= 30
    # in place, the atomic kernel (priced by the add key until the sweep is timed and fitted); out of place, the clone
    # comes first
    assert {c["regime"] for c in cases if c["aten"].endswith("_.two")} == {"scatter_add"}
    assert {c["regime"] for c in cases if not c["aten"].endswith("_.two")} == {"copy_memcpy"}
    # the sums in both 16-bit floats and fp32, the index broadcast over 1-256 features
    assert {c["spec"]["in"][0][2] for c in cases if c["spec"]["args"]["reduce"] == "sum"} == {
        "bfloat16", "float16", "float32"}
    assert {c["spec"]["in"][0][0][1] for c in cases} >= {1, 8, 256}

