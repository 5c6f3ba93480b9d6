"""The GPU model (`hetsim.hardware.gpu`) by hand where the other GPU tests do not look: the spec's
figures and the sources they are logged with, a profile's host mix and idle power, host copies
on the GPU's host link (or the assumed one), the busy power of memory- and compute-bound ops,
the edges of PyTorch's multi-block top-k rule, GEMM alignment, the rounded roofline below one
second, the wave term's defaults, and the module-level stream formula."""

import math
from types import SimpleNamespace

import pytest

from hetsim.hardware.gpu import (
    ASSUMED_FRACTIONS,
    ASSUMED_HOST_LINK,
    GpuModel,
    OpClassRates,
    op_stream_device_s,
    rate_keys,
    roof,
    stream_time_s,
    topk_multiblock,
)
from hetsim.ops import Attention, Copy, Elementwise, FpgaStream, Gather, Matmul, Reduction, TopK
from hetsim.provenance import ProvenanceLog, Sourced

SPEC_FIGURES = ("memory_gb", "idle_w", "memory_bound_w", "compute_bound_w", "hbm_bw_gbps", "hbm_efficiency",
                "launch_overhead_us")
EXACT = 1e-12


@pytest.fixture
def h100(catalogue):
    return catalogue.devices["H100-SXM"]


def _v(spec, name):
    return float(getattr(spec, name).value)


def test_the_specs_figures_are_read_once_with_their_sources(h100):
    log = ProvenanceLog()
    gpu = GpuModel(h100, None, log)
    assert log.used == {f"H100-SXM.{f}": getattr(h100, f).source for f in SPEC_FIGURES}
    assert gpu.memory_bytes == pytest.approx(_v(h100, "memory_gb") * 1e9, rel=EXACT)
    assert (gpu.idle_w, gpu.memory_bound_w, gpu.compute_bound_w) == (
        _v(h100, "idle_w"), _v(h100, "memory_bound_w"), _v(h100, "compute_bound_w"))
    assert gpu.profile is None and gpu.host_mix == 1.0 and gpu.rates == {}
    # an op the spec times: launch overhead, then the assumed share of HBM bandwidth x efficiency
    op = Elementwise(1 << 24, 1)
    bw = _v(h100, "hbm_bw_gbps") * 1e9 * _v(h100, "hbm_efficiency") * ASSUMED_FRACTIONS["elementwise"][0]
    assert gpu.device_time_s(op) == pytest.approx(_v(h100, "launch_overhead_us") * 1e-6 + op.bytes / bw, rel=EXACT)
    assert gpu.dispatch_s(op) == 0.0  # nothing to issue without a profile
    assert log.used["H100-SXM.op_class.elementwise"] == "assumed"


def test_a_profile_brings_its_rates_host_mix_and_measured_idle_power(h100):
    rates = {"elementwise": OpClassRates(1e-6, 1e12, math.inf, dispatch_s=5e-6)}
    log = ProvenanceLog()
    profile = SimpleNamespace(rates=rates, host_mix=1.25, idle_w=61.0)
    gpu = GpuModel(h100, profile, log)
    assert gpu.profile is profile and gpu.host_mix == 1.25 and gpu.idle_w == 61.0
    assert log.used["H100-SXM.idle_w"] == "measured" and log.used["H100-SXM.profile.elementwise"] == "calibrated"
    assert gpu.dispatch_s(Elementwise(10, 1)) == 5e-6
    # a profile without a host mix or an idle reading keeps 1.0 and the spec's idle power
    plain = GpuModel(h100, SimpleNamespace(rates=rates, host_mix=None, idle_w=None), ProvenanceLog())
    assert plain.host_mix == 1.0 and plain.idle_w == _v(h100, "idle_w")


def test_two_ops_in_a_stream_pay_the_host_mix(h100):
    rates = {"elementwise": OpClassRates(0.0, 1e12, math.inf, dispatch_s=4e-6)}
    gpu = GpuModel(h100, SimpleNamespace(rates=rates, host_mix=1.5, idle_w=None))
    a, b = Elementwise(1000, 1), Elementwise(2000, 1)  # 4 kB and 8 kB: nanoseconds on the device
    assert gpu.ops_time_s([a, b]) == pytest.approx(1.5 * 8e-6)
    assert gpu.ops_time_s([a]) == pytest.approx(4e-6)  # one op alone: no mix
    assert stream_time_s([a, b], gpu.rates_for, 1.5) == gpu.ops_time_s([a, b])
    assert stream_time_s([a], gpu.rates_for, 1.5) == pytest.approx(4e-6)
    # device-bound: the device's sum wins
    slow = {"elementwise": OpClassRates(1e-3, 1e12, math.inf, dispatch_s=4e-6)}
    assert stream_time_s([a, b], GpuModel(h100, SimpleNamespace(rates=slow, host_mix=1.5, idle_w=None)).rates_for,
                         1.5) == pytest.approx(2e-3 + (a.bytes + b.bytes) / 1e12)


def test_host_copies_use_the_host_link_each_way_or_the_assumed_link(h100, catalogue):
    link = catalogue.links["pcie_gen5_x16"]
    log = ProvenanceLog()
    gpu = GpuModel(h100, None, log, host_link=link)
    lat = _v(link, "latency_us") * 1e-6
    assert gpu.device_time_s(Copy(10**6, "h2d")) == pytest.approx(lat + 1e6 / (_v(link, "downstream_gbps") * 1e9))
    assert gpu.device_time_s(Copy(10**6, "d2h")) == pytest.approx(lat + 1e6 / (_v(link, "upstream_gbps") * 1e9))
    for f in ("latency_us", "downstream_gbps", "upstream_gbps"):
        assert log.used[f"pcie_gen5_x16.{f}"] == getattr(link, f).source
    r = gpu.rates_for(Copy(10, "h2d"))
    assert r.source == "assumed" and r.flop_rate == math.inf
    log = ProvenanceLog()
    bare = GpuModel(h100, None, log)
    latency, bw = ASSUMED_HOST_LINK
    assert bare.device_time_s(Copy(10**6, "d2h")) == pytest.approx(latency + 1e6 / bw)
    assert log.used["H100-SXM.host_link.d2h"] == "assumed"


def test_busy_power_is_the_bound_power_above_idle_times_the_busy_share(h100):
    gpu = GpuModel(h100)
    memory = Elementwise(1 << 26, 1)  # streams bytes: memory-bound
    compute = Matmul(4096, 4096, 4096)
    assert gpu.memory_bound(memory) and not gpu.memory_bound(compute)
    idle = _v(h100, "idle_w")

    def working(op):  # the share of the op's time it streams or computes: its fixed overhead draws nothing
        return (gpu.device_time_s(op) - gpu.rates_for(op).overhead_s) / gpu.op_time_s(op)

    assert 0.8 < working(memory) < 1 and 0.8 < working(compute) < 1
    assert gpu.active_w(memory) == pytest.approx((_v(h100, "memory_bound_w") - idle) * working(memory))
    assert gpu.active_w(compute) == pytest.approx((_v(h100, "compute_bound_w") - idle) * working(compute))
    # a card idling above its busy powers draws nothing more when busy
    hot = h100.model_copy(update={"idle_w": Sourced(value=800.0, source="assumed", ref="test")})
    assert GpuModel(hot).active_w(memory) == 0.0


def test_a_matrix_op_in_a_dtype_without_a_peak_is_refused(h100):
    with pytest.raises(ValueError, match=r"^H100-SXM has no matrix peak for dtype int16 \(has \['bf16', 'fp16', "
                                         r"'fp32', 'fp8', 'int8'\]\)$"):
        GpuModel(h100).device_time_s(Matmul(64, 64, 64, dtype="int16"))
    log = ProvenanceLog()
    GpuModel(h100, None, log).device_time_s(Matmul(64, 64, 64, dtype="fp8"))
    assert log.used["H100-SXM.matrix_tflops.fp8"] == h100.matrix_tflops["fp8"].source
    GpuModel(h100, None, log).device_time_s(Elementwise(64, 1))
    assert log.used["H100-SXM.vector_tflops"] == h100.vector_tflops.source


# PyTorch's should_use_multiblock: (rows, n) at each edge of each band, both sides
EDGES = [(20, 20000, True), (20, 19999, False), (21, 10000, True), (21, 9999, False), (40, 10000, True),
         (41, 8000, True), (41, 7999, False), (80, 8000, True), (81, 5000, True), (81, 4999, False),
         (199, 5000, True), (200, 3000, True), (200, 2999, False), (799, 3000, True), (800, 800, True),
         (800, 799, False), (4000, 800, True), (4001, 400, True), (4001, 399, False), (4000, 799, False),
         (21, 19999, True), (199, 4999, False), (799, 2999, False), (20, 10000, False), (40, 8000, False),
         (80, 5000, False), (4000, 500, False)]


@pytest.mark.parametrize("rows, n, multi", EDGES)
def test_topk_multiblock_at_the_edges_of_pytorchs_bands(rows, n, multi):
    assert topk_multiblock(rows, n) is multi


def test_gemm_alignment_is_of_the_row_strides_in_bytes():
    # bf16: 8 elements are 16 bytes (aligned), 4 are 8 bytes (not)
    assert rate_keys(Matmul(1, 8, 8)) == ("matmul",)
    assert rate_keys(Matmul(1, 8, 4)) == ("matmul_unaligned", "matmul")
    assert rate_keys(Matmul(1, 4, 8)) == ("matmul_unaligned", "matmul")
    # fp32: 4 elements are 16 bytes (aligned); its own FFMA key first
    assert rate_keys(Matmul(1, 4, 4, dtype="fp32")) == ("matmul_fp32", "matmul")
    assert rate_keys(Matmul(4, 8, 8, batch=2, shared_b=False)) == ("bmm", "matmul")
    assert rate_keys(Matmul(4, 8, 8, batch=2, shared_b=True)) == ("matmul",)  # one B for the batch: a GEMM
    assert rate_keys(Matmul(4, 8, 8, batch=1, shared_b=False)) == ("matmul",)
    assert rate_keys(Copy(8)) == ("copy",)


def test_a_rounded_roofline_below_one_second():
    assert roof(0.3, 0.4, 2.0) == pytest.approx(0.5)
    assert roof(0.5, 0.0, 3.0) == pytest.approx(0.5)


def test_the_wave_term_defaults_to_one_row_of_no_items_and_streams_keep_it():
    r = OpClassRates(1e-6, 1e12, math.inf, wave_slots=4, wave_s=2e-6, item_s=1e-9, eager_gap_s=3e-6)
    assert r.device_time_s(0.0, 1e6) == pytest.approx(1e-6 + 1e-6 + 2e-6)  # one wave, no items
    # 10 rows over 4 slots: 3 waves of (2 us + 1,000 items x 1 ns)
    assert r.device_time_s(0.0, 1e6, 10, 1000) == pytest.approx(2e-6 + 3 * 3e-6)
    assert r.stream_device_s(0.0, 1e6, 10, 1000) == pytest.approx(2e-6 + 3 * 3e-6 + 3e-6)
    assert r.stream_device_s(0.0, 1e6) == pytest.approx(4e-6 + 3e-6)
    topk = TopK(10, 1000, 8)  # a single-block top-k: rows and row length from the op
    assert op_stream_device_s(r, topk) == pytest.approx(1e-6 + topk.bytes / 1e12 + 3 * 3e-6 + 3e-6)
    assert op_stream_device_s(r, Elementwise(8, 1)) == pytest.approx(1e-6 + 32 / 1e12 + 2e-6 + 3e-6)
    assert r.time_s(0.0, 1e6, 10, 1000) == pytest.approx(2e-6 + 3 * 3e-6 + 3e-6)
    issued = OpClassRates(0.0, 1e12, math.inf, dispatch_s=1e-3)
    assert issued.time_s(0.0, 1e6) == 1e-3  # host-bound


def test_regime_edges_and_the_class_each_regime_falls_back_to():
    assert rate_keys(Reduction(10, 31)) == ("reduction_narrow", "reduction")
    assert rate_keys(Reduction(10, 32)) == ("reduction",)  # a row of 32 is no longer narrow
    assert rate_keys(Gather(1, 511, 4)) == ("gather_narrow", "gather")
    assert rate_keys(Gather(1, 512, 4)) == ("gather",)
    assert rate_keys(Attention(1, 32, 8, 1, 4096, 128)) == ("attention_decode", "attention")
    assert rate_keys(Attention(1, 32, 8, 64, 4096, 128)) == ("attention_prefill", "attention")


def test_an_unaligned_gemm_without_a_profile_is_priced_as_a_gemm(h100):
    log = ProvenanceLog()
    gpu = GpuModel(h100, None, log)
    flops_rate = float(h100.matrix_tflops["bf16"].value) * 1e12 * ASSUMED_FRACTIONS["matmul"][1]
    op = Matmul(4096, 4100, 4100)  # 4,100 bf16 elements are 8,200 bytes: not 16-byte aligned
    assert rate_keys(op)[0] == "matmul_unaligned"
    assert gpu.device_time_s(op) == pytest.approx(_v(h100, "launch_overhead_us") * 1e-6 + op.flops / flops_rate)
    assert log.used["H100-SXM.op_class.matmul"] == "assumed"


def test_a_gpu_refuses_an_op_of_a_class_it_cannot_run(h100):
    with pytest.raises(ValueError, match=r"^a GPU cannot run op class 'fpga_stream'$"):
        GpuModel(h100).device_time_s(FpgaStream(10, 10))


def test_a_stream_without_a_host_mix_adds_the_host_times_as_they_are():
    r = OpClassRates(0.0, 1e12, math.inf, dispatch_s=4e-6)
    assert stream_time_s([Elementwise(8, 1)] * 3, lambda op: r) == pytest.approx(12e-6)
