"""The tenth blind check of everyday PyTorch inference code (realcode-check10, in realcode_twelfth): written by a
helper from the models' and serving stacks' reference code after realcode-more7 was fitted, timed on an H200 and
scored once, after the fit; never fitted."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, validate_ops

CHECK10 = "realcode-check10"
RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def test_the_tenth_realcode_check_is_blind(assert_blind):
    # no case equal to any other group's, and the committed profile fitted on realcode-more7, never on this check
    assert_blind(CHECK10, 159, "realcode-more7")


def test_the_tenth_realcode_check_is_scored():
    cases = load_cases(RUNS / "H200-aten-realcode-check10-2026-12-02.parquet")
    # 149 of 159 timed: the other ten hit the sweep's RNG offset error after a random op's capture (the note)
    assert len(cases) == 149
    graph = validate_ops(gpu_model("H200"), cases).stats("graph")
    # scored once, blind: 8.9 % / 46.3 % with the code and profile of commit 38f3c6a, 7.7 % / 46.3 % after
    # realcode-more7 (84e07c5), 7.6 % / 46.3 % with the softmax keys' element term: the median within the <= 10 %
    # target, the p90 not within 25 % (kernels no group has: the note). Not blind after: 7.1 % / 40.4 % with its tail's
    # int64 block sorts, short-stride copies and exponential_ priced, 6.8 % / 40.0 % after realcode-more8; 6.9 % /
    # 24.8 % after gemm-shapes, realcode-more9 and realcode-more10 (its even-token score products, fan-out gathers and
    # bool casts among the kernels they fitted)
    # (5.7 % / 21.0 % on 2026-12-08, the in-place 16-bit key falling back to the broadcast one's form on the H200)
    assert graph["median_abs"] == pytest.approx(0.057, abs=0.01)
    assert graph["p90_abs"] < 0.27


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(CHECK10)


def test_a_second_lease_times_every_case_and_repeats_the_first():
    # the sweep rerun with the cases' inputs drawn from a generator of their own: all 159 timed; the 149 both runs
    # timed agree to 1.0 % median (3.9 % p90), so the model's error is not the measurement's
    first = {c.case: c.measured["graph"] for c in load_cases(RUNS / "H200-aten-realcode-check10-2026-12-02.parquet")
             if "graph" in c.measured}
    second = load_cases(RUNS / "H200-aten-realcode-check10-2026-12-02b.parquet")
    assert len(second) == 159
    both = [abs(c.measured["graph"] / first[c.case] - 1.0) for c in second if c.case in first and "graph" in c.measured]
    both.sort()
    assert len(both) >= 140 and both[len(both) // 2] < 0.03

