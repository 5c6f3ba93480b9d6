"""The fit recovers known device parameters from synthetic measurements (no torch needed)."""

import math

import numpy as np
import pytest

from hetsim.calibration.fit import FitPoint, fit_host_mix, fit_key, nelder_mead
from hetsim.hardware.gpu import OpClassRates


def synthetic(rates: OpClassRates, shapes, host_s, noise=0.02, seed=0):
    """Measurements a GPU with `rates` would give: eager = max(host, device + gap), graph = device."""
    rng = np.random.default_rng(seed)
    pts = []
    for flops, nbytes, *wave in shapes:
        dev = rates.device_time_s(flops, nbytes, *wave)
        jitter = lambda: 1 + noise * rng.standard_normal()  # noqa: E731
        pts.append(FitPoint(flops, nbytes, max(host_s, dev + rates.eager_gap_s) * jitter(), host_s * jitter(),
                         dev * jitter(), *wave))
    return pts


def test_nelder_mead_finds_the_minimum_of_a_quadratic():
    x = nelder_mead(lambda v: (v[0] - 3) ** 2 + 10 * (v[1] + 1) ** 2, np.array([0.0, 0.0]))
    assert x == pytest.approx([3, -1], abs=1e-3)


def test_roofline_fit_recovers_overhead_bandwidth_flop_rate_and_host_cost():
    truth = OpClassRates(3e-6, 2.8e12, 700e12, dispatch_s=20e-6, eager_gap_s=1e-6)
    # GEMMs from skinny (memory-bound) to square (compute-bound)
    shapes = []
    for m in (1, 8, 64, 512, 2048, 8192):
        for n, k in ((4096, 4096), (14336, 4096)):
            shapes.append((2.0 * m * n * k, 2.0 * (m * k + n * k + m * n)))
    fit = fit_key("matmul", synthetic(truth, shapes, 20e-6), separate_host=True)
    r = fit.rates
    assert r.bw_bytes_per_s == pytest.approx(2.8e12, rel=0.05)
    assert r.flop_rate == pytest.approx(700e12, rel=0.05)
    assert r.overhead_s == pytest.approx(3e-6, rel=0.3)
    assert r.dispatch_s == pytest.approx(20e-6, rel=0.05)
    assert r.eager_gap_s == pytest.approx(1e-6, abs=1.5e-6)
    assert fit.compute_bound_points > 0
    assert fit.median_abs_err < 0.03


def test_memory_bound_class_leaves_the_flop_rate_unclaimed():
    truth = OpClassRates(1.2e-6, 3.0e12, math.inf, dispatch_s=12e-6)
    shapes = [(float(n), 6.0 * n) for n in (2 ** e for e in range(12, 29, 2))]
    fit = fit_key("elementwise", synthetic(truth, shapes, 12e-6), separate_host=True)
    assert math.isinf(fit.rates.flop_rate)
    assert fit.rates.bw_bytes_per_s == pytest.approx(3.0e12, rel=0.05)
    assert any("memory roof only" in n for n in fit.notes)


def test_wave_fit_recovers_per_row_latency_of_single_block_topk():
    truth = OpClassRates(1.5e-6, math.inf, math.inf, dispatch_s=20e-6, wave_slots=132, wave_s=9e-6, item_s=3e-9)
    shapes = [(float(r * n), 2.0 * r * n, float(r), float(n))
              for r in (1, 8, 64, 132, 200, 500, 1000) for n in (256, 1024, 4096, 16384)]
    fit = fit_key("topk_singleblock", synthetic(truth, shapes, 20e-6, noise=0.01), True, wave_slots=132)
    r = fit.rates
    assert r.wave_s == pytest.approx(9e-6, rel=0.1)
    assert r.item_s == pytest.approx(3e-9, rel=0.1)
    # 500 rows of 4096 take ceil(500 / 132) = 4 waves
    assert r.device_time_s(0, 0, 500, 4096) == pytest.approx(1.5e-6 + 4 * (9e-6 + 3e-9 * 4096), rel=0.05)


def test_fit_without_separate_host_times_uses_eager_times_and_no_dispatch():
    truth = OpClassRates(5e-6, 50e9, math.inf)
    shapes = [(0.0, float(b)) for b in (1e4, 1e5, 1e6, 1e7, 1e8)]
    pts = [FitPoint(f, b, truth.device_time_s(f, b)) for f, b in shapes]
    fit = fit_key("copy", pts, separate_host=False)
    assert fit.rates.dispatch_s == 0.0
    assert fit.rates.bw_bytes_per_s == pytest.approx(50e9, rel=0.02)
    assert fit.rates.overhead_s == pytest.approx(5e-6, rel=0.1)


def test_too_few_points_is_an_error():
    with pytest.raises(ValueError, match="usable points"):
        fit_key("softmax", [FitPoint(1.0, 2.0, 1e-5)], separate_host=True)


def test_host_mix_is_the_median_ratio_and_never_below_one():
    assert fit_host_mix([120, 110, 150], [100, 100, 100]) == pytest.approx(1.2)
    assert fit_host_mix([90, 95], [100, 100]) == 1.0
    assert fit_host_mix([], []) == 1.0
