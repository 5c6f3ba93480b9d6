"""The H100's own trace keys: fitted on the H100's timing of the very op cases the H200's fit names, and on nothing
else (no H200 data, no check group); scored on checks it never saw, against the keys carried over from the H200."""

from __future__ import annotations

import pytest
import yaml

from hetsim.calibration.paths import REPO_ROOT

PROFILES = REPO_ROOT / "calibration" / "profiles"
RUNS = PROFILES / "runs"
CHECKS = ("realcode-check27", "realcode-check28", "realcode-check29")
LATER = set(range(9064, 9080))  # realcode-more28's ids: in the H200's fit since 2026-12-05's seventh session
# interp-sweep's and matvec-sweep's ids: timed on an H100 first (2026-12-06), fitted there (interp-sweep's foreach and
# nll_loss rows, interp_sweep.FITTED; every matvec-sweep case)
INTERP = set(range(25197, 25245)) | set(range(25245, 25263))
POOL_SPECIAL = set(range(26184, 26298))  # pool-special-sweep's ids
LONGK = set(range(27729, 27793))  # longk-sweep's ids: timed on an H100 only (2026-12-06), every case fitted
# spatial-softmax-sweep's and lookup-sweep's ids: timed on an H100 only (2026-12-07), every case fitted
SPATIAL_LOOKUP = set(range(29303, 29387))
# rowscatter-sweep's ids: timed on an H100 only (2026-12-07, seventeenth session), every case fitted (index_copy_rows,
# gather_few's element rate)
ROWSCATTER = set(range(32600, 32632))
# outer-sweep's ids: timed on an H100 only (2026-12-07, nineteenth session), every case fitted (the outer pair, chain
# and last-dim keys' forms); math-sweep's feed only the measured neighbours' tables
OUTER = set(range(37560, 37688))
ROWBMM = set(range(37848, 37944))  # rowbmm-sweep's ids: timed on an H100 only (2026-12-07), every case fitted
SCAN = set(range(39626, 39722))  # scan-sweep's ids: timed on an H100 only (2026-12-07, twentieth session), all fitted
# cat-sweep's, inplace-sweep's and castmix-sweep's ids: timed on an H100 only (2026-12-08, twenty-second session), all
# fitted (cat_strided_dominated, pointwise_inplace_half, pointwise_cast_half and their neighbours)
CAT_INPLACE_CASTMIX = set(range(41392, 41675))
# tiny-sweep's x[idx] rows (tiny_sweep.FITTED): the code-book key's fixed cost, taken as cases on the H100 only
TINY_ROWS = RUNS / "H100-SXM-aten-tiny-sweep-index-rows-2026-12-05.parquet"


def _trace_fit(name: str) -> dict:
    return yaml.safe_load((PROFILES / name).read_text())["provenance"]["trace_fit"]


def _case_ids(paths: list[str], timed_only: bool = False) -> set[int]:
    import pandas as pd

    frames = [pd.read_parquet(REPO_ROOT / p, columns=["case", "error"]) for p in paths]
    return {int(r.case) for f in frames for r in f.itertuples() if not (timed_only and r.error)}


def test_the_h100_fit_reads_h100_data_only_and_the_h200_fit_s_cases():
    h100, h200 = _trace_fit("H100-SXM.yaml"), _trace_fit("H200.yaml")
    files = [*h100["cases"], *h100["table_cases"], *(f["file"] for f in h100["host_calls"]["files"]),
             *h100["composites"]]
    assert files and all("H100-SXM" in f for f in files), [f for f in files if "H100-SXM" not in f]
    assert not any(check in f for f in h100["cases"] + h100["table_cases"] for check in CHECKS)
    # the same op cases as the H200's fit (one of them ran out of memory on the H100), the same tables' sweeps; the
    # H200's fit took realcode-more28 (bicubic resizes, once the kernel's lines had a form) after the H100 timed its own
    ours, theirs = _case_ids(h100["cases"]), _case_ids(h200["cases"])
    tiny_rows = _case_ids([str(TINY_ROWS.relative_to(REPO_ROOT))])
    assert len(tiny_rows) == 15 and tiny_rows <= ours and ours & SPATIAL_LOOKUP == SPATIAL_LOOKUP
    h100_only = (INTERP | POOL_SPECIAL | LONGK | SPATIAL_LOOKUP | ROWSCATTER | OUTER | ROWBMM | SCAN
                 | CAT_INPLACE_CASTMIX | tiny_rows)
    assert ours & ROWSCATTER == ROWSCATTER and ours & OUTER == OUTER and ours & ROWBMM == ROWBMM
    assert ours & SCAN == SCAN and ours & CAT_INPLACE_CASTMIX == CAT_INPLACE_CASTMIX
    assert LATER <= theirs and ours - h100_only == theirs - LATER - INTERP
    assert ours & INTERP  # the foreach launches and unreduced nll_loss of interp-sweep (interp_sweep.FITTED)
    # the pools and special functions of pool-special-sweep (pool_special_sweep.FITTED), timed on an H100 only
    assert len(ours & POOL_SPECIAL) == 84
    # longk-sweep's 64 (fp32 products over long contractions, row scans, scatters over short rows, Cholesky solves,
    # fp32 1 x 1 convolutions: the forms check31's tail ran)
    assert ours & LONGK == LONGK
    assert ours - _case_ids(h100["cases"], timed_only=True) == {11233}
    # the same tables' sweeps, pool-special-sweep's controls (its erfc, atan, asinh, erfinv and adaptive average
    # pools, priced by keys fitted elsewhere), timed on an H100 first, math-sweep's activations, and the few-channel
    # convolutions and thin fp32 products (2026-12-08)
    assert [p.split("aten-")[1].rsplit("-2026", 1)[0] for p in h100["table_cases"]] == \
        [p.split("aten-")[1].rsplit("-2026", 1)[0] for p in h200["table_cases"]] + [
            "pool-special-sweep-controls", "math-sweep", "conv-few-sweep", "gemm-fp32-thin"]
    # the id lists the sweep was run from are the H200 fit's cases
    listed = {int(t) for name in ("H100-SXM-aten-fit-2026-12-05.ids.txt",
                                  "H100-SXM-aten-fit-sdpa-cudnn-off-2026-12-05.ids.txt")
              for t in (RUNS / name).read_text().split()}
    assert listed == theirs - LATER - INTERP


def test_the_h100_s_own_keys_score_its_blind_checks_better_than_the_carried_over_ones():
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases, validate_ops

    cases = [c for check in CHECKS for c in load_cases(RUNS / f"H100-SXM-aten-{check}-2026-12-05.parquet")]
    fit_ids = _case_ids(_trace_fit("H100-SXM.yaml")["cases"])
    assert not {c.case for c in cases} & fit_ids
    graph = validate_ops(gpu_model("H100-SXM"), cases).stats("graph")
    # the three checks pooled: 2,571 kernel cases; carried-over keys (profile of 14dfcc4) 7.7 % median, p90 30.9 %
    # (calibration/e2e/diagnostics/realcode-check2{7,8,9}-H100-blind-2026-12-05.txt); own keys 5.7 %, 27.3 %
    assert graph["n"] == 2571
    assert graph["median_abs"] == pytest.approx(0.057, abs=0.008)
    assert graph["p90_abs"] < 0.29


def test_the_h100_has_two_calibrations_and_so_a_band(small_experiment):
    from hetsim.calibration.band import band_note

    assert band_note(small_experiment()) == "2 calibrations of H100-SXM"
