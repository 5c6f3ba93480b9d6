"""The GPU model's calibrated form: rate keys per kernel regime, host/device pipelining, waves,
dtype scaling, and the datasheet fallback for keys a profile lacks."""

import math
from types import SimpleNamespace

import pytest

from hetsim.hardware.gpu import ASSUMED_HOST_LINK, GpuModel, OpClassRates, rate_keys, roof, topk_multiblock
from hetsim.ops import Attention, Copy, Elementwise, Gather, Matmul, Reduction, Softmax, TopK


def model(catalogue, host_mix=1.0, **rates):
    prof = SimpleNamespace(rates=rates, host_mix=host_mix, idle_w=100.0, path="mem")
    return GpuModel(catalogue.devices["H100-SXM"], prof)


def test_rate_keys_follow_the_kernel_pytorch_picks():
    assert rate_keys(Matmul(1, 4096, 4096)) == ("matmul",)
    assert rate_keys(Matmul(4, 6250, 128, batch=8, shared_b=False)) == ("bmm_unaligned", "bmm", "matmul")
    assert rate_keys(Matmul(4, 6256, 128, batch=8, shared_b=False)) == ("bmm", "matmul")
    assert rate_keys(Matmul(1, 4096, 1100)) == ("matmul_unaligned", "matmul")
    # the select alone where fitted (a sorted call adds its sort), then the suite's keys of sorted calls
    assert rate_keys(TopK(8, 6250, 64)) == ("topk_select_singleblock", "topk_singleblock", "topk")
    assert rate_keys(TopK(8, 1_500_000, 100)) == ("topk_select_multiblock", "topk_multiblock", "topk")
    assert rate_keys(Attention(1, 32, 8, 1, 4096, 128))[0] == "attention_decode"
    assert rate_keys(Attention(1, 32, 8, 512, 512, 128, causal=True))[0] == "attention_prefill"
    assert rate_keys(Reduction(1000, 4)) == ("reduction_narrow", "reduction")
    assert rate_keys(Gather(10, 64, 100)) == ("gather_narrow", "gather")
    assert rate_keys(Copy(10, "h2d")) == ("copy_h2d",)


@pytest.mark.parametrize("rows,n,multi", [(1, 19999, False), (1, 20000, True), (64, 7999, False),
                                          (64, 8000, True), (384, 1500, False), (5000, 400, True)])
def test_topk_regime_is_pytorchs_multiblock_heuristic(rows, n, multi):
    assert topk_multiblock(rows, n) is multi


def test_roof_sharpness_interpolates_between_sum_and_max():
    assert roof(3.0, 4.0, math.inf) == 4.0
    assert roof(3.0, 4.0, 1.0) == 7.0
    assert roof(3.0, 4.0, 2.0) == pytest.approx(5.0)
    assert roof(0.0, 0.0, 2.0) == 0.0


def test_host_bound_op_takes_its_dispatch_time_and_device_bound_its_device_time(catalogue):
    gpu = model(catalogue, elementwise=OpClassRates(1e-6, 3e12, math.inf, dispatch_s=12e-6, eager_gap_s=0.5e-6))
    tiny, big = Elementwise(4096, 2), Elementwise(1 << 28, 2)
    assert gpu.op_time_s(tiny) == pytest.approx(12e-6)
    assert gpu.device_time_s(tiny) == pytest.approx(1e-6 + tiny.bytes / 3e12)
    assert gpu.op_time_s(big) == pytest.approx(1.5e-6 + big.bytes / 3e12)
    # a host-bound op leaves the GPU idle most of the time: its average power is lower
    assert gpu.active_w(tiny) < 0.2 * gpu.active_w(big)


def test_a_stream_overlaps_host_and_device_and_pays_the_mix_factor(catalogue):
    gpu = model(catalogue, host_mix=1.2,
                elementwise=OpClassRates(1e-6, 3e12, math.inf, dispatch_s=10e-6),
                matmul=OpClassRates(3e-6, 3e12, 700e12, dispatch_s=20e-6, dtype="bf16"))
    small = [Elementwise(4096, 2)] * 5
    assert gpu.ops_time_s(small) == pytest.approx(1.2 * 50e-6)
    assert gpu.ops_time_s(small[:1]) == pytest.approx(10e-6)  # one op: nothing to mix
    heavy = [Matmul(1, 28672, 4096), Elementwise(4096, 2)]
    dev = sum(gpu.device_time_s(o) for o in heavy)
    assert gpu.ops_time_s(heavy) == pytest.approx(dev)  # the device is the slower stage
    assert gpu.ops_time_s(heavy) < sum(gpu.op_time_s(o) for o in heavy)
    assert gpu.graph_time_s(small) == pytest.approx(5 * gpu.device_time_s(small[0]))


def test_single_block_topk_time_grows_in_waves_of_sm_count_rows(catalogue):
    gpu = model(catalogue, topk_singleblock=OpClassRates(10e-6, math.inf, math.inf, wave_slots=132, wave_s=1e-6,
                                                         item_s=3e-9))
    one = gpu.device_time_s(TopK(1, 4000, 64))
    assert gpu.device_time_s(TopK(132, 4000, 64)) == pytest.approx(one)
    assert gpu.device_time_s(TopK(133, 4000, 64)) == pytest.approx(10e-6 + 2 * (1e-6 + 3e-9 * 4000))


def test_other_matmul_dtypes_scale_the_fitted_rate_by_the_spec_peaks(catalogue):
    gpu = model(catalogue, matmul=OpClassRates(0.0, 1e18, 700e12, dtype="bf16"))
    big = Matmul(8192, 8192, 8192, dtype="fp8")
    assert gpu.rates_for(big).flop_rate == pytest.approx(1400e12, rel=1e-3)  # 1979 / 989 dense peaks
    # torch runs fp32 GEMMs without TF32 by default: the vector units' 66.9 TFLOP/s, not TF32's 495
    assert gpu.rates_for(Matmul(8192, 8192, 8192, dtype="fp32")).flop_rate == pytest.approx(700e12 * 66.9 / 989.4)


def test_keys_missing_from_a_profile_fall_back_to_the_datasheet_and_say_so(catalogue):
    gpu = model(catalogue, matmul=OpClassRates(0.0, 2e12, 700e12))
    r = gpu.rates_for(Softmax(4, 4096))
    assert r.source == "assumed" and gpu.log.used["H100-SXM.op_class.softmax"] == "assumed"
    # host copies the profile does not time use the host link type the caller hands over ...
    spec = catalogue.devices["H100-SXM"]
    with_link = GpuModel(spec, gpu.profile, host_link=catalogue.links[spec.host_link])  # PCIe Gen5 x16
    h2d = with_link.rates_for(Copy(1 << 30, "h2d"))
    assert h2d.bw_bytes_per_s == pytest.approx(55e9) and h2d.overhead_s == pytest.approx(14e-6)
    # ... and, with none handed over, a generic PCIe figure marked assumed (the model reads no files)
    d2h = gpu.rates_for(Copy(1 << 30, "d2h"))
    assert (d2h.overhead_s, d2h.bw_bytes_per_s) == ASSUMED_HOST_LINK
    assert gpu.log.used["H100-SXM.host_link.d2h"] == "assumed"
