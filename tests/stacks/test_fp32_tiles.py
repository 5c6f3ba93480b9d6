"""A batched fp32 product on cuBLAS's FFMA tiles (launch.tile_waves): its time follows waves of 32 x 32 tile
blocks and each block's walk of the contraction, not the flops, so a million 3 x 3 products cost what a tile costs a
million times; one-row and one-column products (gemv) and a few rows over a wide output (gemmSN) keep the bmm_fp32
roofline."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.hardware import launch
from hetsim.hardware.gpu import rate_keys, wave_shape
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta

RUN = REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-aten-realcode-more27-2026-12-04.parquet"


def bmm(batch, m, k, n, dtype="float32"):
    a, b = TensorMeta.dense((batch, m, k), dtype), TensorMeta.dense((batch, k, n), dtype)
    (op,) = aten.lower_op(AtenOp("aten.bmm.default", (a, b), (TensorMeta.dense((batch, m, n), dtype),), {}, None))
    return op


def test_tiles_and_steps_count_what_a_product_fills_padded_to_the_tile():
    assert launch.tile_waves(3, 3, 3, 1_000_000, launch.FP32_TILE) == (1_000_000, 1)  # one tile, one step each
    assert launch.tile_waves(33, 32, 2048, 96, launch.FP32_TILE) == (192, 256)  # two row tiles, 2,048 / 8 steps
    assert launch.tile_waves(4096, 4096, 256, 8, launch.FP32_TILE) == (8 * 128 * 128, 32)


def test_only_the_tile_kernels_products_take_the_tile_key():
    tiny = bmm(262144, 3, 3, 3)
    assert rate_keys(tiny)[:2] == ("bmm_fp32_tiles", "bmm_fp32") and wave_shape(tiny) == (262144, 1)
    for op in (bmm(4096, 1, 64, 32), bmm(524288, 16, 16, 1), bmm(32, 4, 32, 16384), bmm(4096, 3, 3, 3, "bfloat16")):
        # a row or a column at a time (gemv: realcode-check31's [b, 16, 16] x [b, 16, 1] ran gemvx), gemmSN's few rows
        # over a wide output, a 16-bit product: not the FFMA tiles
        assert "bmm_fp32_tiles" not in rate_keys(op)


def test_the_fitted_waves_price_the_tiny_products_by_their_tiles():
    """The profile's key is the wave form at the tile blocks an SM holds, fitted on realcode-more27 among others:
    262,144 products of 3 x 3 (506 us measured) and 131,072 of 2 x 2 (255 us) within 10 %, where the flops' roofline
    priced them ~50x fast."""
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases

    model = gpu_model("H200")
    rates = model.rates_for(bmm(262144, 3, 3, 3))
    assert rates.wave_slots == launch.SMS * launch.FP32_TILE_BLOCKS_PER_SM and rates.item_s > 0
    cases = {c.case: c for c in load_cases(RUN)}
    for case, op in ((9040, bmm(262144, 3, 3, 3)), (9052, bmm(131072, 2, 2, 2))):
        assert model.device_time_s(op) == pytest.approx(cases[case].measured["graph"], rel=0.10), case


def test_a_batch_of_small_16_bit_products_runs_a_tile_an_item():
    """nvjet runs one tile an item over a batch of small bf16 / fp16 products (64 x 8 up to 64 x 64, after a memset):
    32,768 8 x 8 products ran 103 us, 3.1 ns an item (realcode-more29), where the bmm roofline priced 5 us; items of up
    to 4 a side run CUTLASS's wmma kernels instead and larger ones the usual tiles."""
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases

    small = bmm(32768, 8, 8, 8, "bfloat16")
    assert rate_keys(small)[:2] == ("bmm_tiles", "bmm") and wave_shape(small) == (32768, 1)
    assert wave_shape(bmm(2048, 8, 512, 8, "bfloat16")) == (2048, 32)  # 512 / 16 steps
    # one row an item across 64 columns is a tile too (nvjet's 64 x 8, profiled on an H100: rowbmm-sweep); across two
    # columns, cuBLAS's gemv kernels
    assert rate_keys(bmm(256, 1, 64, 64, "bfloat16"))[0] == "bmm_tiles"
    for op in (bmm(65536, 4, 8, 4, "float16"), bmm(64, 128, 64, 128, "bfloat16"), bmm(578, 1, 3328, 2, "bfloat16")):
        assert "bmm_tiles" not in rate_keys(op)
    model = gpu_model("H200")
    run = REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-aten-realcode-more29-2026-12-04.parquet"
    cases = {c.case: c for c in load_cases(run)}
    assert model.rates_for(small).wave_slots == launch.SMS * launch.HALF_TILE_BLOCKS_PER_SM
    assert model.device_time_s(small) == pytest.approx(cases[9879].measured["graph"], rel=0.15)


def test_an_fp32_product_of_one_column_runs_cuBLAS_gemv():
    # x @ w[k, 1] (a score head, EGNN's coordinate weight): gemv2T_kernel_val, not the SIMT tiles (realcode-check23)
    x, w = TensorMeta.dense((29376, 128), "float32"), TensorMeta.dense((128, 1), "float32")
    out = TensorMeta.dense((29376, 1), "float32")
    (op,) = aten.lower_op(AtenOp("aten.mm.default", (x, w), (out,), {}, None))
    assert rate_keys(op)[0] == "gemv"
    w = TensorMeta.dense((128, 2), "float32")
    (two,) = aten.lower_op(AtenOp("aten.mm.default", (x, w), (TensorMeta.dense((29376, 2), "float32"),), {}, None))
    assert rate_keys(two)[0] != "gemv"
