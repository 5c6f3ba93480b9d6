"""Kernel designs loaded from params.yaml into the FPGA model, and the device-fit check."""

import math

import pytest

from hetsim.calibration.device_inputs import fpga_designs
from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.errors import ConfigError
from hetsim.hardware.fpga import FpgaModel
from hetsim.hardware.fpga_kernels.cycles import kernel_cycles
from hetsim.hardware.fpga_kernels.designs import check_fits, design_from_params, item_bytes
from hetsim.hardware.fpga_kernels.resources import bram36_for, estimate_resources, uram_for
from hetsim.ops import FpgaKernel


@pytest.fixture(scope="module")
def u55c(catalogue):
    return catalogue.devices["U55C"]


def test_bram36_picks_the_best_aspect_ratio():
    assert bram36_for(2048, 2048) == 114  # 2K x 18 blocks: ceil(2048 / 18) wide, 1 deep
    assert bram36_for(65536, 16) == 32  # the BM25 idf table: 2K x 18, 32 deep
    assert bram36_for(512, 72) == 1
    assert uram_for(4096, 2048) == 29 and uram_for(4097, 72) == 2


def test_default_designs_use_the_resources_their_arrays_imply():
    ipt = estimate_resources(load_kernel_params("inner_product_topk"))
    # 8 PEs x (2048 keys x 2048 bits) in BRAM = 8 x 114; 8 x (4096 x 2048 bits) in URAM = 8 x 29.
    assert (ipt.bram36, ipt.uram) == (912, 232)
    assert ipt.dsps == 8 * 1 * 128 + 8 * 1 * 2
    page = estimate_resources(load_kernel_params("page_minmax_topk"))
    assert page.dsps == 2 * 5 * 4 * 32


def test_fpga_designs_map_params_onto_the_model(u55c):
    designs = fpga_designs(u55c)
    ipt, page, bm25 = designs["inner_product_topk"], designs["page_minmax_topk"], designs["bm25_topk"]
    assert (ipt.pes, ipt.lanes, ipt.topk_width, ipt.hbm_channels) == (8, 128, 8, 8)
    assert ipt.bram_key_bytes == 16384 * 256 and ipt.uram_key_bytes == 32768 * 256
    assert (page.pes, page.lanes, page.hbm_channels) == (5, 256, 5)
    assert (bm25.pes, bm25.lanes, bm25.bram_key_bytes) == (4, 16, 0)
    assert all(d.source == "derived" and d.clock_mhz == 300 for d in designs.values())


def test_fpga_model_times_a_small_design_as_computed_by_hand(u55c):
    kp = load_kernel_params("inner_product_topk", {"pes": 2, "compare_width": 2, "head_dim": 8, "lanes": 4,
                                                   "heads": 1, "bram_keys": 4, "uram_keys": 0})
    design = design_from_params(kp)
    model = FpgaModel(u55c, {"inner_product_topk": design})
    op = FpgaKernel(kernel="inner_product_topk", n_items=4, item_bytes=16, macs_per_item=8, k=1,
                    resident_bytes=64)
    t = model.timing(op)
    # All 4 keys in BRAM: PE bound ceil(4 x 8 / (2 x 4)) = 4 cycles at 300 MHz.
    assert t.segments[0] == ("bram", pytest.approx(4 / 300e6), "pe")
    # The top-k unit: ceil(4 / 2) rounds + insertion stalls 7 x (1 + ln 4) = 18.70 cycles > 4.
    topk = 2 + 7 * (1 + math.log(4))
    assert t.segments[1] == ("topk", pytest.approx((topk - 4) / 300e6), "topk")
    # fill = pipeline depth (query 8 + 1, HBM latency 100, PE 12, sort 64) + k = 1.
    assert design.pipeline_depth == 9 + 100 + 12 + 64
    assert t.fill_drain_s == pytest.approx((185 + 1) / 300e6)
    assert t.total_s == pytest.approx(50e-6 + 186 / 300e6 + topk / 300e6)


@pytest.mark.parametrize("kernel", ["inner_product_topk", "page_minmax_topk", "bm25_topk"])
@pytest.mark.parametrize("n", [2_000, 60_000, 400_000])
def test_simulator_model_agrees_with_the_kernels_cycle_model(u55c, kernel, n):
    """The simulator's generic dataflow model, fed the design from params.yaml, and the
    kernel-level cycle model of the same source agree for one query."""
    kp = load_kernel_params(kernel)
    design = design_from_params(kp)
    model = FpgaModel(u55c, {kernel: design})
    if kernel == "bm25_topk":
        macs = kp.int("doc_slots")
    else:
        macs = (2 if kernel == "page_minmax_topk" else 1) * kp.int("heads") * kp.int("head_dim")
    op = FpgaKernel(kernel=kernel, n_items=n, item_bytes=item_bytes(kp), macs_per_item=macs, k=64)
    sim = model.timing(op).total_s - model.invocation_s
    cyc = kernel_cycles(kp, n, 64, pc_bw_bytes_per_s=14.375e9, hbm_efficiency=0.89).seconds(300e6)
    assert sim == pytest.approx(cyc, rel=0.15)


@pytest.mark.parametrize(("overrides", "resource"), [
    ({"heads": 16, "lanes": 128}, "dsps"),  # 8 x 16 x 128 = 16384 multipliers > 9024
    ({"bram_keys": 65536}, "bram36"),  # 16 MB of keys in BRAM > 70.9 Mbit
    ({"uram_keys": 262144}, "uram"),  # 64 MB of keys in URAM > 270 Mbit
])
def test_over_budget_design_is_rejected_naming_the_resource(u55c, overrides, resource):
    kp = load_kernel_params("inner_product_topk", overrides)
    with pytest.raises(ConfigError) as err:
        check_fits(kp, u55c)
    assert err.value.field == resource
    assert "inner_product_topk/params.yaml" in err.value.file
    assert f"needs {getattr(estimate_resources(kp), resource)} {resource} but U55C offers" in err.value.message


def test_designs_fit_the_u55c(u55c):
    for name in ("inner_product_topk", "page_minmax_topk", "bm25_topk"):
        used = check_fits(load_kernel_params(name), u55c)
        assert used.bram36 <= 0.8 * 2016 and used.dsps <= 0.8 * 9024
