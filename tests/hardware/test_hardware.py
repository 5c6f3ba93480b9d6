"""Device and link models against hand computations."""

import math

import pytest

from hetsim.hardware.fpga import FpgaModel, KernelDesign
from hetsim.hardware.gpu import GpuModel
from hetsim.hardware.link import LinkModel
from hetsim.ops import Elementwise, FpgaKernel, Matmul
from hetsim.provenance import ProvenanceLog
from hetsim.scenario import load_experiment
from hetsim.sim.machine import Machine


def test_gpu_memory_bound_op_is_overhead_plus_bytes_over_bandwidth(catalogue):
    spec = catalogue.devices["H100-SXM"]
    gpu = GpuModel(spec)
    op = Elementwise(1 << 28, inputs=1, dtype="bf16")
    bw = 3350e9 * 0.88 * 0.90  # peak x measured efficiency x assumed elementwise fraction
    assert gpu.op_time_s(op) == pytest.approx(14e-6 + op.bytes / bw)
    assert gpu.memory_bound(op)


def test_gpu_large_gemm_is_compute_bound(catalogue):
    gpu = GpuModel(catalogue.devices["H100-SXM"])
    op = Matmul(8192, 8192, 8192)
    assert not gpu.memory_bound(op)
    assert gpu.op_time_s(op) == pytest.approx(14e-6 + op.flops / (989.4e12 * 0.80))
    # the bound power above idle over the op's working time (its 14 us launch overhead draws nothing)
    assert gpu.active_w(op) == pytest.approx((650 - 73) * (1 - 14e-6 / gpu.op_time_s(op)))


def test_link_time_is_latency_plus_bytes_over_directional_bandwidth(catalogue):
    link = LinkModel.build("l", catalogue.links["pcie_gen5_x16"], "host", "gpu0", ProvenanceLog())
    assert link.transfer_s(55e9, "host", "gpu0") == pytest.approx(14e-6 + 1.0)
    assert link.transfer_s(46e9, "gpu0", "host") == pytest.approx(14e-6 + 1.0)
    small, large = 4096, 256 << 20
    assert small / link.transfer_s(small, "host", "gpu0") < 0.01 * large / link.transfer_s(large, "host", "gpu0")
    with pytest.raises(ValueError):
        link.bw("gpu0", "gpu1")


def test_p2p_is_one_hop_host_staging_is_two_segments_switch_is_cut_through(catalogue):
    direct = Machine(load_experiment(None, catalogue, {"system": "h100_u55c"}))
    assert [len(s) for s in direct.route("gpu0", "fpga0")] == [1]
    staged = Machine(load_experiment(None, catalogue, {"system": "h100_u55c_staged"}))
    segs = staged.route("gpu0", "fpga0")
    assert [[(h.src, h.dst) for h in s] for s in segs] == [[("gpu0", "host")], [("host", "fpga0")]]
    switch = Machine(load_experiment(None, catalogue, {"system": "2xh100_u55c_switch"}))
    (seg,) = switch.route("gpu1", "fpga0")
    assert [(h.src, h.dst) for h in seg] == [("gpu1", "sw0"), ("sw0", "fpga0")]
    # cut-through: latencies add, the slowest hop (Gen3 into the FPGA) sets the bandwidth
    t = Machine.segment_time_s(seg, 11e9)
    assert t == pytest.approx(14e-6 + 5.7e-6 + 1.0)


def _u55c(catalogue, design):
    return FpgaModel(catalogue.devices["U55C"], {"k": design})


def test_fpga_keys_that_fit_on_chip_are_read_from_bram_only(catalogue):
    d = KernelDesign("k", pes=4, lanes=64, pipeline_depth=10, topk_width=16, topk_k_max=16,
                     hbm_channels=8, bram_key_bytes=1 << 20, uram_key_bytes=1 << 22, clock_mhz=250)
    fpga = _u55c(catalogue, d)
    op = FpgaKernel(kernel="k", n_items=1000, item_bytes=256, macs_per_item=128, k=8)
    timing = fpga.timing(op)
    assert [s[0] for s in timing.segments] == ["bram"]
    # PE-bound: ceil(1000 * 128 / (4 * 64)) = 500 cycles at 250 MHz; fill = 10 + 8 cycles
    assert timing.segments[0][1] == pytest.approx(500 / 250e6)
    assert timing.segments[0][2] == "pe"
    assert timing.total_s == pytest.approx(50e-6 + 18 / 250e6 + 500 / 250e6)


def test_fpga_keys_spill_bram_then_uram_then_hbm(catalogue):
    d = KernelDesign("k", pes=8, lanes=256, bram_key_bytes=100 * 256, uram_key_bytes=300 * 256,
                     hbm_channels=4, clock_mhz=300, topk_k_max=64)
    fpga = _u55c(catalogue, d)
    op = FpgaKernel(kernel="k", n_items=1000, item_bytes=256, macs_per_item=128, k=0)
    split = fpga.tier_split(d, op)
    assert split == pytest.approx({"bram": 0.1, "uram": 0.3, "hbm": 0.6})
    timing = fpga.timing(op)
    hbm = dict((s[0], s) for s in timing.segments)["hbm"]
    hbm_bw = 4 * 14.375e9 * 0.89
    assert hbm[2] == "memory"
    assert hbm[1] == pytest.approx(600 * 256 / hbm_bw)


def test_fpga_rejects_ops_it_has_no_kernel_for(catalogue):
    fpga = _u55c(catalogue, KernelDesign("k", pes=1, lanes=1))
    with pytest.raises(ValueError, match="built kernels"):
        fpga.timing(FpgaKernel(kernel="other", n_items=1, item_bytes=1, macs_per_item=1, k=0))
    with pytest.raises(ValueError, match="runs only its built kernels"):
        fpga.timing(Matmul(1, 1, 1))
    with pytest.raises(ValueError, match="at most k"):
        fpga.timing(FpgaKernel(kernel="k", n_items=100, item_bytes=1, macs_per_item=1, k=1000))


def test_hbm_bandwidth_is_capped_by_the_channels_the_ports_reach(catalogue):
    few = _u55c(catalogue, KernelDesign("k", pes=1, lanes=1, hbm_channels=2))
    assert few.hbm_bw(few.designs["k"]) == pytest.approx(2 * 14.375e9 * 0.89)
    assert math.isclose(few.hbm_bw(KernelDesign("k", pes=1, lanes=1, hbm_channels=64)), 32 * 14.375e9 * 0.89)
