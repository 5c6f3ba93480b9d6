"""The sixth real-code fit group (realcode-more6) and the kernels it fits: ATen's strided copy at an element rate,
the batched cat over strided inputs, x[idx]'s element kernel, constant_pad_nd as a fill and a copy, cuDNN's SDPA
forward as waves of tile blocks."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, lower_case
from hetsim.hardware import launch
from hetsim.hardware.gpu import rate_keys

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def test_more6_is_fitted_and_its_kernels_have_their_own_keys():
    model = gpu_model("H200")
    fit_files = model.profile.provenance["trace_fit"]["cases"]
    assert any("realcode-more6-2026" in f for f in fit_files)
    rates = model.profile.rates
    # fp32 permutes ran ~1.7x faster than their bytes at the 16-bit permutes' rate: the strided copy has an element rate
    assert rates["copy_strided"].flop_rate < float("inf")
    # the unvectorised batched cat is slower than the strided copy of a permute (priced on 32 M bf16 elements, their
    # element work and bytes: each key's roof), the element kernel of x[idx] costs more a launch than the vectorised
    # row gather: one trip of a thread (an index, then the element it names) beside the launch, a few hundred ns a trip
    # like a reduced nll_loss's dependent pair of loads
    n = 32 * 2**20
    assert rates["cat_strided"].device_time_s(3.0 * n, 4.0 * n) > rates["copy_strided"].device_time_s(3.0 * n, 4.0 * n)
    element = rates["index_elementwise"]
    assert element.overhead_s + element.wave_s > rates["index_gather"].overhead_s
    assert 0.2e-6 < element.wave_s < 1e-6
    # cuDNN's forward: tile steps carry its time (no bytes term beside them)
    assert rates["attention_cudnn_prefill"].wave_s > 0 and rates["attention_cudnn_prefill"].bw_bytes_per_s == float(
        "inf")


def test_cudnn_tiles_count_whole_tiles_for_short_sequences_and_half_the_keys_when_causal():
    full = launch.sdpa_tile_steps(1, 32, 4096, 4096, 128, causal=False)
    causal = launch.sdpa_tile_steps(1, 32, 4096, 4096, 128, causal=True)
    assert 0.45 * full < causal < 0.6 * full
    # 14 tokens cost a whole 128-query tile and a 64-key tile: as much as 64 tokens
    assert launch.sdpa_tile_steps(18432, 5, 14, 14, 64, False) == launch.sdpa_tile_steps(18432, 5, 64, 64, 64, False)
    # a head dim of 80 takes the 128-wide kernel's steps
    assert launch.sdpa_tile_steps(8, 16, 1024, 1024, 80, False) == launch.sdpa_tile_steps(8, 16, 1024, 1024, 128, False)


@pytest.mark.parametrize(("label", "tolerance"), [("sdpa_temporal", 0.15), ("sdpa_pad_mask", 0.15)])
def test_the_tiles_price_the_eighth_checks_attention_it_was_not_fitted_on(label, tolerance):
    # realcode-check8's temporal attention over 14 frames (18432 x 5 heads) and a padded-mask call: -60 % and -70 %
    # under the suite's bytes-and-flops key, the tiles' price within 15 % (a check case, never fitted)
    model = gpu_model("H200")
    (case,) = [c for c in load_cases(RUNS / "H200-aten-realcode-check8-2026-12-02.parquet")
               if c.kind == "sdpa" and f"/{label}/" in c.sources[0]]
    (op,) = lower_case(case, l2_bytes=model.l2_bytes)
    assert rate_keys(op)[0] in ("attention_cudnn_prefill", "attention_masked_prefill")
    assert model.device_time_s(op) == pytest.approx(case.measured["graph"], rel=tolerance)
