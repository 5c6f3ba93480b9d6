"""The eighth real-code fit group (realcode-more8) and what it fits: SDPA's memory-efficient kernel as a prefill (a
mask of fewer than four dims), cuDNN's wide-head kernels, float8's cast up at an element rate, casts between narrow
integers, and a softmax's math (two exponentials a row element, a log_softmax's one; the block kernel's 16-byte
loads)."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, validate_ops
from hetsim.hardware.gpu import compute_work, rate_keys
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, SdpaCall, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def meta(shape, dtype="bfloat16"):
    return TensorMeta.dense(shape, dtype)


def _sdpa(q, k, mask=None, mask_dtype="bool"):
    return SdpaCall(meta(q), meta(k), meta(k), None if mask is None else meta(mask, mask_dtype), False, False, 0.0,
                    None, 0, 1)


def test_the_window_attention_and_wide_heads_take_their_kernels_keys():
    (window,) = aten.lower_sdpa(_sdpa((1, 16, 4096, 80), (1, 16, 4096, 80), (1, 4096, 4096)), 90, decode=False)
    assert window.backend == "efficient" and rate_keys(window)[0] == "attention_efficient_prefill"
    (wide,) = aten.lower_sdpa(_sdpa((1, 16, 2048, 192), (1, 16, 2048, 192), (1, 1, 2048, 2048)), 90, decode=False)
    assert wide.backend == "cudnn" and rate_keys(wide)[0] == "attention_cudnn_wide"
    model = gpu_model("H200")
    # the memory-efficient prefill's flops bind: a 4096-token window attention over 16 heads of 80 took 1.06 ms on the
    # H200 (fitted), where the decode key's walk said a fraction of that
    assert model.device_time_s(window) == pytest.approx(1.06e-3, rel=0.2)


def test_a_softmax_exponentiates_twice_a_log_softmax_once():
    rows = (meta((32, 32000)),)
    soft, log = (aten.lower_op(AtenOp(f"aten.{name}.default", rows, rows, {"dim": -1, "half_to_float": False}))[0]
                 for name in ("_softmax", "_log_softmax"))
    assert compute_work(soft) > compute_work(log) and soft.flops == log.flops  # the hand formulas' FLOPs stay
    model = gpu_model("H200")
    assert model.device_time_s(soft) > model.device_time_s(log)


def test_float8_up_and_narrow_integer_casts_have_their_own_keys():
    model = gpu_model("H200")
    up32, up16 = (aten.lower_op(AtenOp("aten._to_copy.default", (meta((4096, 7168), "float8_e4m3fn"),),
                                       (meta((4096, 7168), dt),), {"dtype": dt}))[0] for dt in ("float32", "bfloat16"))
    # fp8 to fp32 and to bf16 of the same elements ran alike (90 and 89 us): the conversion per element binds
    assert model.device_time_s(up32) == pytest.approx(model.device_time_s(up16), rel=0.15)
    (narrow,) = aten.lower_op(AtenOp("aten._to_copy.default", (meta((2048, 4096), "int32"),),
                                     (meta((2048, 4096), "int8"),), {"dtype": "int8"}))
    assert narrow.regime == "cast_int" and rate_keys(narrow)[0] == "cast_int"


def test_more8_is_fitted_and_prices_its_kernels():
    model = gpu_model("H200")
    assert any("realcode-more8-2026" in f for f in model.profile.provenance["trace_fit"]["cases"])
    graph = validate_ops(model, load_cases(RUNS / "H200-aten-realcode-more8-2026-12-02.parquet")).stats("graph")
    # in sample: the window attentions were -74 % under the decode key, the fp8 casts up to fp32 +60 % at one rate
    assert graph["median_abs"] <= 0.15 and graph["p90_abs"] <= 0.25


def test_a_key_tile_costs_more_than_its_head_dim_steps():
    # heads of 64 ran ~0.7 of 128's time a key tile over long sequences (realcode-more8's joint attention), not half:
    # each tile carries a share beside its head-dim steps (launch.SDPA_KV_TILE_FIXED_STEPS)
    from hetsim.hardware import launch

    narrow = launch.sdpa_tile_steps(1, 24, 16384, 16384, 64, causal=False)
    wide = launch.sdpa_tile_steps(1, 24, 16384, 16384, 128, causal=False)
    assert 0.55 < narrow / wide < 0.65


def test_a_cat_mostly_of_one_input_gets_no_l2_gain():
    # DynamicCache's append of one token: the batched cat gives each input 2 x SMs blocks, so the cache's copy has half
    # the GPU, enough for the HBM's rate, not the L2's (replayed 8-13 MB appends ran ~3 TB/s like 134 MB ones)
    from hetsim.hardware import residency

    cache, token = meta((8, 4, 1023, 128)), meta((8, 4, 1, 128))
    (append,) = aten.lower_op(AtenOp("aten.cat.default", (cache, token), (meta((8, 4, 1024, 128)),), {"dim": -2}))
    (halves,) = aten.lower_op(AtenOp("aten.cat.default", (cache, cache), (meta((8, 4, 2046, 128)),), {"dim": -2}))
    assert (append.regime, halves.regime) == ("cat_dominated", "copy_cat")
    l2 = 60 * 2**20
    (hot_append,), (hot_halves,) = residency.replayed((append,), l2), residency.replayed((halves,), l2)
    assert hot_append.l2_share == 0.0 and hot_halves.l2_share > 0.0
