"""Library kernels timed by the work their shapes say (hetsim.stacks.aten_library), the antialiased resize and the
adaptive pool (aten_image): their counts, their keys fitted on rare-sweep, and the blind checks' calls of them."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.hardware.gpu import LIBRARY_KEYS, SOLVER_KEYS, WINDOW_WALK_KEYS
from hetsim.ops import Pointwise
from hetsim.stacks.aten import MAPPING, lower_op
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"
RARE = RUNS / "H200-aten-rare-sweep-2026-12-05.parquet"


def _one(name: str, inputs, outputs, **args) -> Pointwise:
    ops = lower_op(AtenOp(name, tuple(TensorMeta.dense(s, "float32") for s in inputs),
                          tuple(TensorMeta.dense(s, "float32") for s in outputs), args))
    assert len(ops) == 1 and isinstance(ops[0], Pointwise)
    return ops[0]


def test_a_factorisation_counts_its_columns_and_its_flops():
    qr = _one("aten.linalg_qr.default", [(990, 990)], [(990, 990), (990, 990)])
    assert qr.regime == "solver_qr" and qr.steps == 990
    assert qr.numel == pytest.approx(2 * (2 * 990**3 - 2 * 990**3 / 3), rel=1e-6)  # geqrf, then orgqr
    r_only = _one("aten.linalg_qr.default", [(1776, 10)], [(10, 10)], mode="r")
    assert r_only.steps == 10 and r_only.numel == pytest.approx(2 * 1776 * 100 - 2000 / 3, rel=1e-6)
    chol = _one("aten.linalg_cholesky_ex.default", [(4096, 4096)], [(4096, 4096), ()])
    assert chol.regime == "solver_cholesky" and chol.steps == 4096
    assert chol.numel == pytest.approx(4096**3 / 3, rel=1e-6)
    trsm = _one("aten.linalg_solve_triangular.default", [(4096, 4096), (4096, 1000)], [(4096, 1000)], upper=False)
    assert trsm.steps == 4096 and trsm.numel == 4096 * 4096 * 1000
    lu = _one("aten._linalg_slogdet.default", [(64, 48, 48)], [(64,), (64,), (64, 48, 48), (64, 48)])
    assert lu.regime == "solver_lu" and lu.steps == 48 and lu.numel == pytest.approx(64 * 2 * 48**3 / 3, rel=1e-6)


def test_cdist_counts_a_step_an_output_pair_and_weight_norm_its_rows_over_the_last_dim():
    cd = _one("aten._cdist_forward.default", [(14400, 4), (320, 4)], [(14400, 320)], p=1.0)
    assert cd.regime == "cdist" and cd.steps == 14400 * 320 and cd.numel == 14400 * 320 * 4
    last = _one("aten._weight_norm_interface.default", [(768, 48, 128), (1, 1, 128)], [(768, 48, 128), (1, 1, 128)],
                dim=2)
    first = _one("aten._weight_norm_interface.default", [(256, 256, 3), (256, 1, 1)], [(256, 256, 3), (256, 1, 1)],
                 dim=0)
    assert last.steps == 768 * 48 and first.steps == 0 and first.regime == last.regime == "weight_norm"


def test_the_antialiased_window_grows_with_the_shrink_and_the_adaptive_window_with_the_remainder():
    from hetsim.stacks.aten_image import aa_taps, adaptive_window

    assert aa_taps(1080, 224, 2) == 2 * math.ceil(1080 / 224) + 1 and aa_taps(14, 24, 4) == 5  # upscaling: no growth
    assert adaptive_window(60, 2) == 30 and adaptive_window(102, 7) == 16
    aa = _one("aten._upsample_bicubic2d_aa.default", [(4, 90, 283, 283)], [(4, 90, 10, 10)],
              output_size=[10, 10], align_corners=False)
    taps = aa_taps(283, 10, 4) ** 2
    assert aa.regime == "upsample_aa" and aa.operands == taps and aa.walk == 4 * 90 * taps


def test_every_library_regime_is_a_key_the_gpu_model_knows():
    from hetsim.stacks.aten_library import LIBRARY

    # every row of the library is in the table, and its regimes are exactly the keys the GPU model and the fit know
    assert all(MAPPING[name] == row for name, row in LIBRARY.items())
    # (cholesky_solve's row names its one-column form's key, solver_trsv, after its own)
    named = {row[0].split()[0] for row in LIBRARY.values()}
    assert named | {"solver_trsv"} == set(LIBRARY_KEYS) and "solver_trsv" in LIBRARY["cholesky_solve"][0]
    assert set(SOLVER_KEYS) < set(LIBRARY_KEYS) and not set(WINDOW_WALK_KEYS) & set(LIBRARY_KEYS)


def test_a_profile_without_the_keys_prices_the_counts_by_an_assumed_roofline():
    from hetsim.calibration.predict import gpu_model

    qr = _one("aten.linalg_qr.default", [(512, 512)], [(512, 512), (512, 512)])
    gpu = gpu_model("MI210")  # no profile (the H100's carries the H200's trace-fitted keys over, `transferred`)
    assert "solver_qr" not in gpu.rates
    t = gpu.device_time_s(qr)
    # the datasheet roofline over the counted flops: at least the flops at the vector peak, not the bytes alone
    assert t >= qr.numel / (gpu.spec.vector_tflops.value * 1e12)
    assert any(".aten.aten.linalg_qr.default." in k and v == "assumed" for k, v in gpu.log.used.items())


def test_the_committed_profile_fits_the_library_keys_on_rare_sweep():
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases, validate_ops

    profile = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    assert any("rare-sweep" in f for f in profile.provenance["trace_fit"]["cases"])
    # solver_trsv is fitted on longk-sweep, which only the H100 has timed: the H200 takes the H100's, transferred
    assert "solver_trsv" not in profile.rates and gpu_model("H200").rates["solver_trsv"].source == "transferred"
    for key in {*LIBRARY_KEYS, *WINDOW_WALK_KEYS} - {"solver_trsv"}:
        assert profile.rates[key].source == "calibrated", key
    # a solver's flops at the fp32 GEMM's rate (the sweep's sizes are all latency-bound), its steps fitted
    for key in set(SOLVER_KEYS) - {"solver_trsv"}:
        assert profile.rates[key].flop_rate == profile.rates["matmul_fp32"].flop_rate
        assert profile.rates[key].wave_s > 0
    # the sweep they were fitted on, each op's cases: far nearer than the roofline's 50-100 % (cuSOLVER's triangular
    # solves excepted: trsm's per-row cost moves with the right-hand sides, 46-49 % median)
    by_op: dict[str, list[float]] = {}
    for r in validate_ops(gpu_model("H200"), load_cases(RARE)).results:
        if (e := r.error("graph")) is not None:
            by_op.setdefault(r.aten, []).append(abs(e))
    import statistics

    medians = {op: statistics.median(errs) for op, errs in by_op.items()}
    assert medians["aten._cdist_forward.default"] < 0.05 and medians["aten.affine_grid_generator.default"] < 0.05
    assert all(m < 0.3 for op, m in medians.items() if "solve" not in op and "isin" not in op), medians


def test_the_blind_checks_calls_of_library_kernels_are_priced_from_their_work(scored_case):
    # each missed by 85-100 % at the datasheet roofline (priced 7x to 10,000x fast), never fitted on
    assert abs(scored_case("H200-aten-realcode-check27-2026-12-05.parquet", "detr_l1_box_cost", "cdist")) < 0.1
    assert abs(scored_case("H200-aten-realcode-check26-2026-12-04.parquet", "gp_mll_4096", "solver_cholesky")) < 0.15
    assert abs(scored_case("H200-aten-realcode-check22-2026-12-04.parquet", "lstm_init", "solver_qr")) < 0.2
    assert abs(scored_case("H200-aten-realcode-check27-2026-12-05.parquet", "glow_invconv_1x1", "solver_lu")) < 0.2


@pytest.fixture
def scored_case():
    def score(run: str, idiom: str, regime: str) -> float:
        from hetsim.calibration.predict import gpu_model
        from hetsim.calibration.trace_cases import load_cases, validate_ops

        cases = [c for c in load_cases(RUNS / run) if any(f"/{idiom}/" in s for s in c.sources)]
        rows = [r for r in validate_ops(gpu_model("H200"), cases).results if r.regime == regime]
        assert rows, (run, idiom, regime)
        return max((r.error("graph") for r in rows), key=abs)
    return score


def test_the_library_sweep_is_a_block_after_the_twenty_eighth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import library_sweep, realcode_fiftyseventh

    ids = assert_appended_block(library_sweep.LIBRARY_SWEEP, range(23816, 23960), library_sweep,
                                realcode_fiftyseventh.REALCODE_CHECK28, 23815,
                                REPO_ROOT / "experiments" / "kernel_dispatch" / "library_sweep_ids.txt")
    regimes = {committed_cases[n]["regime"] for n in ids}
    # every library key but the ones rare-sweep's sizes already span (histc, affine_grid, col2im), and int8 products
    # (drawn at multiples of 8: CUTLASS's align4 kernels, gpu._aligned)
    assert regimes >= {*(set(SOLVER_KEYS) - {"solver_trsv"}), "cdist", "weight_norm", *WINDOW_WALK_KEYS,
                       "matmul_int8_unaligned"}


def test_kthvalue_and_median_select_one_block_a_slice_whatever_its_length():
    from hetsim.hardware.gpu import rate_keys
    from hetsim.ops import TopK

    x = TensorMeta.dense((64 * 256 * 56 * 56,), "float32")
    kth = lower_op(AtenOp("aten.kthvalue.default", (x,), (TensorMeta.dense((), "float32"),) * 2, {"k": 1000}))
    assert len(kth) == 1 and isinstance(kth[0], TopK) and kth[0].one_block and (kth[0].rows, kth[0].n) == (1, x.numel)
    # torch.topk over the same slice would take the multi-block radix select; gatherKthValue never does
    assert rate_keys(kth[0])[0].startswith("topk_select_singleblock")
    assert rate_keys(TopK(1, x.numel, 1, "fp32", sorted=False))[0].startswith("topk_select_multiblock")
    blur = lower_op(AtenOp("aten.median.dim", (TensorMeta.dense((8, 3, 512, 512, 9), "float32"),),
                           (TensorMeta.dense((8, 3, 512, 512), "float32"),) * 2, {"dim": -1}))
    assert (blur[0].rows, blur[0].n) == (8 * 3 * 512 * 512, 9)


def test_median_without_a_dim_sorts_the_flattened_tensor():
    # Sorting.cpp median_impl: torch.median(x) sorts x.flatten() (cub's device-wide radix sort), then picks the middle
    # through where(isnan); realcode-check31's SVGD bandwidth (4096 x 4096 fp32) ran 919 us on an H100 so, where one
    # block's select had been priced 73 ms. A dim keeps the select
    from hetsim.ops import TopK

    x, scalar = TensorMeta.dense((4096, 4096), "float32"), TensorMeta.dense((), "float32")
    keys = TensorMeta.dense((x.numel,), "float32")
    sort = lower_op(AtenOp("aten.sort.default", (keys,), (keys, TensorMeta.dense((x.numel,), "int64")), {"dim": 0}))
    median = lower_op(AtenOp("aten.median.default", (x,), (scalar,), {}))
    assert median[0] == replace(sort[0], aten="aten.median.default")
    assert [o.name for o in median[1:]] == ["isnan", "where"] and all(o.numel == 1 for o in median[1:])
    # nanmedian counts the NaNs over every sorted key, then indexes
    nan = lower_op(AtenOp("aten.nanmedian.default", (x,), (scalar,), {}))
    assert nan[0].regime == "sort" and nan[1].name == "isnan" and nan[1].numel == x.numel
    assert any(o.name == "sum" for o in nan) and nan[-1].name == "index"
    # a transposed input is made contiguous first
    t = TensorMeta((4096, 4096), (1, 4096), "float32", contiguous=False)
    assert lower_op(AtenOp("aten.median.default", (t,), (scalar,), {}))[0].name == "clone"
    along = lower_op(AtenOp("aten.median.dim", (x,), (TensorMeta.dense((4096,), "float32"),) * 2, {"dim": 1}))
    assert len(along) == 1 and isinstance(along[0], TopK) and along[0].one_block


def test_cummax_counts_its_indices_beside_its_values():
    x = TensorMeta.dense((64, 1024, 512), "float32")
    values, indices = TensorMeta.dense(x.shape, "float32"), TensorMeta.dense(x.shape, "int64")
    scan = lower_op(AtenOp("aten.cummax.default", (x,), (values, indices), {"dim": 1}))
    total = lower_op(AtenOp("aten.cumsum.default", (x,), (values,), {"dim": 1}))
    assert scan[0].regime == total[0].regime == "scan_outer"
    assert scan[0].nbytes == total[0].nbytes + indices.numel * 8
