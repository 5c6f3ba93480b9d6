"""The FPGA model of a fused relevancy + top-k kernel, by hand, with several rows (requests x
KV heads) in one invocation: every row drains its own k results."""

import math

import pytest

from hetsim.hardware.fpga import FpgaModel, KernelDesign
from hetsim.hardware.fpga_kernels.cycles import job_cycles
from hetsim.ops import FpgaKernel
from hetsim.sim.machine import Machine

US = 1e-6
GB = 1e9


def _inserts(n, k):
    # candidates entering a running top-k of random-order scores: the first k, then k/i each
    return float(n) if n <= k else k * (1 + math.log(n / k))


def _by_hand(fpga_spec, d, op):
    """The model's formula written out for a kernel whose keys all sit in BRAM."""
    clock = d.clock_mhz * 1e6
    items = op.rows * op.n_items
    pe_s = math.ceil(items * op.macs_per_item / (d.pes * d.lanes)) * d.ii / clock / d.efficiency
    mem_s = items * op.item_bytes / (float(fpga_spec.bram_bw_gbps.value) * GB)
    topk_s = (math.ceil(items / d.topk_width) + op.rows * _inserts(op.n_items, op.k) * d.topk_insert_ii) / clock
    drain_s = (d.pipeline_depth + op.k * op.rows) / clock
    return float(fpga_spec.invocation_overhead_us.value) * US + drain_s + max(pe_s, mem_s, topk_s), drain_s


@pytest.mark.parametrize("rows", [1, 4, 32])
def test_hand_built_design_drains_k_results_per_row(catalogue, rows):
    spec = catalogue.devices["U55C"]
    d = KernelDesign("k", pes=4, lanes=64, pipeline_depth=40, topk_width=8, topk_k_max=64, topk_insert_ii=3,
                     hbm_channels=8, bram_key_bytes=1 << 22, uram_key_bytes=0, clock_mhz=250)
    fpga = FpgaModel(spec, {"k": d})
    op = FpgaKernel(kernel="k", n_items=512, item_bytes=256, macs_per_item=256, k=32, rows=rows)
    timing = fpga.timing(op)
    total, drain = _by_hand(spec, d, op)
    assert timing.fill_drain_s == pytest.approx(drain)
    assert timing.total_s == pytest.approx(total)


def test_lserve_page_kernel_with_many_rows_by_hand(small_experiment):
    # the design the paper placement runs, as read from the kernel's params.yaml: one job covers
    # the rows (request x KV head); it pays one doorbell and one burst of the rows' records and
    # queries, then every row its query broadcast, fill and drain
    machine = Machine(small_experiment())
    fpga = machine.models["fpga0"]
    d = fpga.design("page_minmax_topk")
    # 2 requests x 8 KV heads, 64 pages of 2 x 128 int16 min/max, top 32 pages, GQA group 4;
    # the whole index on chip
    rows, pages, dim, k = 16, 64, 128, 32
    op = FpgaKernel(kernel="page_minmax_topk", n_items=pages, item_bytes=2 * dim * 2, macs_per_item=2 * dim * 4,
                    k=k, rows=rows)
    split = fpga.tier_split(d, op)
    assert split["hbm"] == 0
    timing = fpga.timing(op)
    kw = dict(chip_n=pages, pc_bw_bytes_per_s=fpga.pc_bw, hbm_efficiency=fpga.hbm_eff)
    job = job_cycles(d.shape, pages, k, rows=rows, **kw)
    clock = d.clock_mhz * 1e6
    assert timing.fill_drain_s == pytest.approx((job.job_head + rows * (job.head + job.tail)) / clock)
    assert timing.total_s == pytest.approx(50e-6 + job.total / clock)
    # an extra row adds its head and tail and its beats of the job's burst, not a doorbell
    one = fpga.timing(FpgaKernel(kernel="page_minmax_topk", n_items=pages, item_bytes=op.item_bytes,
                                 macs_per_item=op.macs_per_item, k=k, rows=1))
    burst = job.job_head - job_cycles(d.shape, pages, k, rows=1, **kw).job_head
    assert burst == pytest.approx((rows - 1) * (d.shape.rec_beats + d.shape.query_beats) * fpga.clock_hz * 64
                                  / (fpga.pc_bw * fpga.hbm_eff))
    assert timing.fill_drain_s - one.fill_drain_s == pytest.approx(((rows - 1) * (job.head + job.tail) + burst) / clock)


def test_rows_beyond_a_jobs_row_buffer_take_a_second_job(small_experiment):
    # 40 rows with 32 a job: two doorbells and two row bursts (32 + 8 rows), the rows' own work alike
    fpga = Machine(small_experiment()).models["fpga0"]
    d = fpga.design("page_minmax_topk")
    assert d.shape.rows_max == 32

    def op(rows):
        return FpgaKernel(kernel="page_minmax_topk", n_items=64, item_bytes=512, macs_per_item=1024, k=32, rows=rows)

    kw = dict(chip_n=64, pc_bw_bytes_per_s=fpga.pc_bw, hbm_efficiency=fpga.hbm_eff)
    full, rest = job_cycles(d.shape, 64, 32, rows=32, **kw), job_cycles(d.shape, 64, 32, rows=8, **kw)
    clock = d.clock_mhz * 1e6
    t40 = fpga.timing(op(40))
    assert t40.fill_drain_s == pytest.approx((full.job_head + rest.job_head + 40 * (full.head + full.tail)) / clock)
    assert t40.total_s == pytest.approx(50e-6 + (full.total + rest.total) / clock)
