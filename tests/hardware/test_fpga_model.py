"""The FPGA model (`hetsim.hardware.fpga`) by hand where the kernel-timing tests do not look: the
card's figures in SI units and the sources they are logged with, dense streamed arithmetic
(memory- or DSP-bound, DSPs per MAC by dtype), a design on the card's own clock with its
initiation interval and efficiency, the on-chip share of an index resident across layers, cached
timings, a design's own checks, and the expected top-k insertions."""

import math

import pytest

from hetsim.hardware.fpga import STREAM_DSP_SHARE, FpgaModel, KernelDesign, expected_inserts
from hetsim.ops import FpgaKernel, FpgaStream
from hetsim.provenance import ProvenanceLog

FIGURES = ("memory_gb", "hbm_pseudo_channels", "hbm_bw_per_pc_gbps", "hbm_efficiency", "bram_bw_gbps",
           "uram_bw_gbps", "kernel_clock_mhz", "invocation_overhead_us", "idle_w", "active_w", "bram36", "uram")
EXACT = 1e-12


@pytest.fixture
def u55c(catalogue):
    return catalogue.devices["U55C"]


def _v(spec, name):
    return float(getattr(spec, name).value)


def test_the_cards_figures_in_si_units_each_logged_with_its_source(u55c):
    log = ProvenanceLog()
    fpga = FpgaModel(u55c, {}, log)
    v = {f: _v(u55c, f) for f in FIGURES}
    assert fpga.memory_bytes == pytest.approx(v["memory_gb"] * 1e9, rel=EXACT)
    assert fpga.n_pcs == int(v["hbm_pseudo_channels"])
    assert fpga.pc_bw == pytest.approx(v["hbm_bw_per_pc_gbps"] * 1e9, rel=EXACT)
    assert fpga.hbm_eff == v["hbm_efficiency"]
    assert (fpga.bram_bw, fpga.uram_bw) == pytest.approx((v["bram_bw_gbps"] * 1e9, v["uram_bw_gbps"] * 1e9), rel=EXACT)
    assert fpga.clock_hz == pytest.approx(v["kernel_clock_mhz"] * 1e6, rel=EXACT)
    assert fpga.invocation_s == pytest.approx(v["invocation_overhead_us"] * 1e-6, rel=EXACT)
    assert fpga.idle_w == v["idle_w"] and fpga.active_w(FpgaStream(1, 1)) == v["active_w"]
    # a BRAM36 holds 36 Kib = 4,608 bytes, a URAM 288 Kib = 36,864 bytes
    assert fpga.bram_bytes == v["bram36"] * 4608 and fpga.uram_bytes == v["uram"] * 36864
    assert log.used == {f"U55C.{f}": getattr(u55c, f).source for f in FIGURES}


@pytest.mark.parametrize("dtype, dsps_per_mac", [("int8", 1), ("fp16", 2), ("fp32", 3), ("int32", 2)])
def test_streamed_arithmetic_is_bound_by_all_pseudo_channels_or_the_dsps(u55c, dtype, dsps_per_mac):
    log = ProvenanceLog()
    fpga = FpgaModel(u55c, {}, log)
    hbm = _v(u55c, "hbm_pseudo_channels") * _v(u55c, "hbm_bw_per_pc_gbps") * 1e9 * _v(u55c, "hbm_efficiency")
    macs_per_s = _v(u55c, "dsps") * STREAM_DSP_SHARE / dsps_per_mac * _v(u55c, "kernel_clock_mhz") * 1e6
    assert STREAM_DSP_SHARE == 0.8
    # 1 ms of HBM traffic and next to no arithmetic: memory-bound, no invocation, no fill
    weights = FpgaStream(1000, int(hbm * 1e-3), dtype)
    t = fpga.stream_timing(weights)
    mem_s = int(hbm * 1e-3) / hbm
    assert (t.total_s, t.invocation_s, t.fill_drain_s) == (pytest.approx(mem_s, rel=EXACT), 0.0, 0.0)
    assert t.segments == ((("hbm", t.total_s, "memory")),)
    # 1e9 MACs over 1 kB: DSP-bound
    dense = fpga.stream_timing(FpgaStream(10**9, 1000, dtype))
    assert dense.total_s == pytest.approx(1e9 / macs_per_s, rel=EXACT) and dense.segments[0][2] == "dsp"
    assert log.used["U55C.dsps"] == u55c.dsps.source and log.used["U55C.stream.dsps_per_mac"] == "assumed"
    # streamed ops go through `timing` too, priced once
    assert fpga.timing(weights) == t and fpga.timing(weights) is fpga.timing(weights)


def test_streamed_arithmetic_in_an_unknown_dtype_is_refused(u55c):
    with pytest.raises(ValueError):
        FpgaModel(u55c, {}).stream_timing(FpgaStream(10, 10, "fp4"))


def test_a_design_without_its_own_clock_runs_at_the_cards_with_its_ii_and_efficiency(u55c):
    d = KernelDesign("k", pes=4, lanes=8, ii=2, pipeline_depth=10, bram_key_bytes=1 << 20, efficiency=0.5)
    fpga = FpgaModel(u55c, {"k": d})
    op = FpgaKernel(kernel="k", n_items=1000, item_bytes=64, macs_per_item=32, k=0)
    clock = _v(u55c, "kernel_clock_mhz") * 1e6
    # ceil(1000 x 32 / (4 PEs x 8 lanes)) = 1000 cycles, x ii 2, at half efficiency: 4000 cycles
    pe_s = 4000 / clock
    assert 1000 * 64 / (_v(u55c, "bram_bw_gbps") * 1e9) < pe_s  # BRAM keeps up: PE-bound
    timing = fpga.timing(op)
    assert timing.segments == (("bram", pytest.approx(pe_s, rel=EXACT), "pe"),)  # k = 0: no top-k term
    invocation = _v(u55c, "invocation_overhead_us") * 1e-6
    assert timing.invocation_s == pytest.approx(invocation, rel=EXACT)
    assert timing.fill_drain_s == pytest.approx(10 / clock, rel=EXACT)  # pipeline depth, no top-k to drain
    assert timing.total_s == pytest.approx(invocation + 10 / clock + pe_s, rel=EXACT)
    assert fpga.timing(op) is timing and fpga.op_time_s(op) == timing.total_s


def test_the_on_chip_share_is_of_the_whole_resident_index(u55c):
    d = KernelDesign("k", pes=1, lanes=1, bram_key_bytes=1000)
    fpga = FpgaModel(u55c, {"k": d})
    # this invocation's keys are 1,000 bytes, but 4,000 bytes of index are resident across layers:
    # each layer gets its share of the 1,000 on-chip bytes, a quarter
    op = FpgaKernel(kernel="k", n_items=100, item_bytes=10, macs_per_item=1, k=0, resident_bytes=4000)
    assert fpga.tier_split(d, op) == pytest.approx({"bram": 0.25, "uram": 0.0, "hbm": 0.75})
    alone = FpgaKernel(kernel="k", n_items=100, item_bytes=10, macs_per_item=1, k=0)
    assert fpga.tier_split(d, alone) == {"bram": 1.0, "uram": 0.0, "hbm": 0.0}


@pytest.mark.parametrize("field", ["pes", "lanes", "ii", "topk_width", "topk_k_max", "hbm_channels"])
def test_a_design_refuses_a_zero_size(field):
    with pytest.raises(ValueError, match=f"^kernel design d: {field} must be positive$"):
        KernelDesign("d", **{"pes": 1, "lanes": 1, field: 0})


@pytest.mark.parametrize("efficiency", [0.0, 1.5, -0.1])
def test_a_design_refuses_an_efficiency_outside_zero_to_one(efficiency):
    with pytest.raises(ValueError, match=r"^kernel design d: efficiency must be in \(0, 1\]$"):
        KernelDesign("d", pes=1, lanes=1, efficiency=efficiency)
    assert KernelDesign("d", pes=1, lanes=1, efficiency=1.0).efficiency == 1.0


def test_expected_top_k_insertions():
    assert expected_inserts(4, 8) == 4.0  # fewer candidates than k: every one enters
    assert expected_inserts(8, 8) == 8.0
    assert expected_inserts(100, 10) == pytest.approx(10 * (1 + math.log(10)))
