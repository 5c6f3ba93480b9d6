"""Kernel designs loaded from params.yaml into the FPGA model, and the device-fit check."""

import pytest

from hetsim.calibration.device_inputs import fpga_designs
from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.errors import ConfigError
from hetsim.hardware.fpga import FpgaModel
from hetsim.hardware.fpga_catalogue import BUILDS
from hetsim.hardware.fpga_kernels.cycles import job_cycles
from hetsim.hardware.fpga_kernels.designs import check_fits, design_from_params, design_shape, item_bytes
from hetsim.hardware.fpga_kernels.resources import bram36_for, estimate_resources, resource_breakdown, uram_for
from hetsim.ops import FpgaKernel


@pytest.fixture(scope="module")
def u55c(catalogue):
    return catalogue.devices["U55C"]


def test_bram36_picks_the_best_aspect_ratio():
    assert bram36_for(2048, 2048) == 114  # 2K x 18 blocks: ceil(2048 / 18) wide, 1 deep
    assert bram36_for(512, 72) == 1
    assert bram36_for(2184, 512) == 40  # 512 x 72: 8 wide, 5 deep
    assert uram_for(4096, 2048) == 29 and uram_for(4097, 72) == 2


def test_default_shapes_follow_the_headers():
    ipt = design_shape(load_kernel_params("inner_product_topk"))
    assert (ipt.streams, ipt.item_beats, ipt.macs_per_beat, ipt.query_beats) == (30, 4, 32, 5)
    assert (ipt.bram_slots, ipt.uram_slots, ipt.queues) == (546, 1092, 8)
    page = design_shape(load_kernel_params("page_minmax_topk"))
    assert (page.item_beats, page.macs_per_beat, page.query_beats, page.queues) == (8, 128, 32, 4)
    bm25 = design_shape(load_kernel_params("bm25_topk"))
    assert (bm25.streams, bm25.item_beats, bm25.macs_per_beat, bm25.query_beats) == (30, 8, 16, 2)


def test_resources_are_counted_per_stream_and_per_port():
    kp = load_kernel_params("inner_product_topk")
    rb = resource_breakdown(kp, design_shape(kp))
    # Each stream: 546 x 4 beats of 512 bits in BRAM (40 blocks), 1092 x 4 in URAM (16 blocks),
    # 32 + 2 DSPs; each of the 31 adapters a 4 x 64-beat read buffer (512 bits wide: 8 BRAM36).
    assert (rb.stream.bram36, rb.stream.uram, rb.stream.dsps) == (40, 16, 34)
    assert (rb.ports, rb.port.bram36) == (31, 8)
    total = estimate_resources(kp, design_shape(kp))
    # the row buffer: 32 rows x (1 record + 5 query beats) of 512 bits = 192 x 512: 8 BRAM36
    assert rb.fixed.bram36 == 8
    assert total.bram36 == 30 * 40 + 31 * 8 + 8 and total.uram == 30 * 16 and total.dsps == 30 * 34
    assert total == rb.total


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_every_build_fits_within_80_percent_of_every_resource(u55c, name):
    kernel, overrides = BUILDS[name]
    used = check_fits(load_kernel_params(kernel, overrides), u55c)
    for resource, n in used.as_dict().items():
        assert n <= 0.8 * float(getattr(u55c, resource).value), resource


@pytest.mark.parametrize(("overrides", "resource"), [
    ({"heads": 16}, "dsps"),  # 30 x (16 x 32 + 32) = 16320 multipliers > 9024
    ({"bram_keys": 65536}, "bram36"),  # 16 MB of keys in BRAM > 70.9 Mbit
    ({"uram_keys": 262144}, "uram"),  # 64 MB of keys in URAM > 270 Mbit
])
def test_over_budget_design_is_rejected_naming_the_resource(u55c, overrides, resource):
    kp = load_kernel_params("inner_product_topk", overrides)
    with pytest.raises(ConfigError) as err:
        check_fits(kp, u55c)
    assert err.value.field == resource
    assert "inner_product_topk/params.yaml" in err.value.file
    used = getattr(estimate_resources(kp, design_shape(kp)), resource)
    assert f"needs {used} {resource} but U55C offers" in err.value.message


def test_fpga_designs_carry_the_kernels_shapes(u55c):
    designs = fpga_designs(u55c)
    assert designs["inner_product_topk"].shape == design_shape(load_kernel_params("inner_product_topk"))
    assert designs["lightning_indexer_topk"].shape.select and designs["lightning_indexer_topk"].pes == 13
    assert {d.hbm_channels for name, d in designs.items() if name != "lightning_indexer_topk"} == {30}
    # the LUT indexer: 4 keys a beat, one score stream each into the radix select; no DSP bound
    assert designs["lightning_indexer_lut"].topk_width == 120


def test_the_select_shares_one_histogram_across_its_streams():
    # a select stream costs its decoder and key compare (256 + 240 LUTs), its score buffer and its
    # list; the 256 shared bins a popcount over the streams and a 24-bit counter each, plus the scan
    kp = load_kernel_params("pq_lut_topk")
    shape = design_shape(kp)
    rb = resource_breakdown(kp, shape)
    assert (rb.topk_units, rb.topk_unit.luts, rb.topk_unit.bram36, rb.topk_unit.uram) == (120, 496, 5, 1)
    assert rb.topk_shared.luts == 256 * (120 + 24) + 256 * 32
    assert rb.topk == rb.topk_unit.times(120) + rb.topk_shared
    # half the streams: the per-stream part halves, the bins' popcounts shrink, the scan stays
    half = load_kernel_params("pq_lut_topk", {"pes": 15})
    rb15 = resource_breakdown(half, design_shape(half))
    assert rb15.topk_units == 60 and rb15.topk_shared.luts == 256 * (60 + 24) + 256 * 32


@pytest.mark.parametrize("kernel", ["inner_product_topk", "page_minmax_topk", "bm25_topk"])
@pytest.mark.parametrize("n", [2_000, 60_000, 1_000_000])
def test_the_simulator_times_one_job_as_the_cycle_model_plus_the_launch_share(u55c, kernel, n):
    kp = load_kernel_params(kernel)
    model = FpgaModel(u55c, {kernel: design_from_params(kp)})
    macs = kp.int("doc_slots") if kernel == "bm25_topk" else design_shape(kp).macs_per_beat
    # the index of 32 layers resident, none of it on chip (a 1-byte share): every item from HBM
    op = FpgaKernel(kernel=kernel, n_items=n, item_bytes=item_bytes(kp), macs_per_item=macs, k=64,
                    resident_bytes=32 * n * item_bytes(kp) * 10**6)
    t = model.timing(op)
    cyc = job_cycles(design_shape(kp), n, 64, chip_n=0, hbm_efficiency=0.89).seconds(300e6)
    assert t.invocation_s == pytest.approx(50e-6 / (32 * 10**6))
    assert t.total_s - t.invocation_s == pytest.approx(cyc, rel=1e-6)


def test_one_launch_per_token_is_shared_by_the_layers(u55c):
    kp = load_kernel_params("page_minmax_topk")
    model = FpgaModel(u55c, {"page_minmax_topk": design_from_params(kp)})
    one_layer = 1000 * item_bytes(kp) * 8
    op = FpgaKernel(kernel="page_minmax_topk", n_items=1000, item_bytes=item_bytes(kp), macs_per_item=128, k=64,
                    rows=8, resident_bytes=32 * one_layer)
    assert model.jobs_per_launch(op) == 32
    assert 32 * model.timing(op).invocation_s == pytest.approx(50e-6)  # <= 2 x 50 us per token at 32 layers
