"""FPGA resources a kernel design uses, counted per stream (PE) and per port, from its parameters.

Memories are exact arithmetic on the arrays of the source (depth x width, mapped onto BRAM36
aspect ratios or 4K x 72 URAM blocks): each stream's on-chip tiers, each m_axi adapter's read
buffer (outstanding bursts x burst beats x width), the radix select's buffers and lists. DSPs
count one DSP48E2 per 16 x 16 product and two per wider product. LUTs are a rough model (one LUT
per adder bit, half a LUT per comparator bit, two per multiplexed bit, one per bit of a 64-deep
LUTRAM FIFO, a fixed cost per m_axi adapter): the coefficients are assumed and should be
replaced by csynth / place-and-route reports when Vitis is at hand.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from hetsim.hardware.fpga_kernels.cycles import SEL_BINS, DesignShape
from hetsim.hardware.fpga_kernels.params import KernelParams

SEL_COUNT_BITS = 24  # the radix select's shared bin counters (topk_select.h)
# (depth, width) configurations of one BRAM36 block (UG573).
BRAM36_SHAPES = ((32768, 1), (16384, 2), (8192, 4), (4096, 9), (2048, 18), (1024, 36), (512, 72))
URAM_DEPTH, URAM_WIDTH = 4096, 72  # one URAM288 block (UG573)
LUT_PER_AXI_PORT = 2000  # assumed: HLS m_axi adapter (address generation, handshakes)
LUT_CONTROL = 5000  # assumed: s_axilite registers, dataflow handshakes, FSMs, the job loop


@dataclass(frozen=True)
class Resources:
    bram36: int
    uram: int
    dsps: int
    luts: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def __add__(self, other: Resources) -> Resources:
        return Resources(*(a + b for a, b in zip(asdict(self).values(), asdict(other).values(), strict=True)))

    def times(self, n: int) -> Resources:
        return Resources(*(n * v for v in asdict(self).values()))


ZERO = Resources(0, 0, 0, 0)


def bram36_for(depth: int, width: int) -> int:
    if depth <= 0 or width <= 0:
        return 0
    return min(math.ceil(width / w) * math.ceil(depth / d) for d, w in BRAM36_SHAPES)


def uram_for(depth: int, width: int) -> int:
    if depth <= 0 or width <= 0:
        return 0
    return math.ceil(width / URAM_WIDTH) * math.ceil(depth / URAM_DEPTH)


def _fifo_luts(depth: int, width: int) -> int:
    return width * math.ceil(depth / 64)


@dataclass(frozen=True)
class ResourceBreakdown:
    """What one item port, one stream (fetch + PE), one top-k queue and the rest cost."""

    port: Resources  # one m_axi adapter
    ports: int  # adapters: item ports + the io bundle
    stream: Resources  # one stream: its tiers, FIFOs and PE
    streams: int
    topk_unit: Resources  # one systolic queue, or the select's share of one score stream
    topk_units: int  # queues (+ the merge queue), or score streams
    topk_shared: Resources  # what the units share (the select's histogram bins and scan)
    fixed: Resources  # control and the job's row buffer (rows_max rows' records and queries)

    @property
    def topk(self) -> Resources:
        """The whole top-k unit."""
        return self.topk_unit.times(self.topk_units) + self.topk_shared

    @property
    def total(self) -> Resources:
        return self.port.times(self.ports) + self.stream.times(self.streams) + self.topk + self.fixed


def _pe(kp: KernelParams, shape: DesignShape) -> Resources:
    lanes_bits = kp.int("axi_width_bits")
    if kp.kernel == "bm25_topk":
        lanes, qmax, tb = shape.macs_per_beat, kp.int("query_terms_max"), kp.int("term_bits")
        idf = kp.int("idf_bits")
        lane = qmax * (tb // 2) + qmax * idf // 2 + 2 * kp.int("score_bits")  # compares, priority mux, adder
        return Resources(0, 0, lanes, lanes * lane + kp.int("score_bits"))
    if kp.kernel == "pq_lut_topk":
        # per key lane and table row one LUTRAM read port (a LUT6 per entry bit per 64 entries),
        # an adder tree over the subspaces per head, one DSP per head weighting, the head sum
        heads, m, kpb = kp.int("heads"), kp.int("subspaces"), shape.items_per_beat
        lut_bits, sum_bits, score = kp.int("lut_bits"), kp.int("lut_bits") + 8, kp.int("score_bits")
        lookups = kpb * heads * m * lut_bits * math.ceil(kp.int("codebook") / 64)
        adders = kpb * heads * ((m - 1) * sum_bits + sum_bits + score)  # tree, ReLU mux, head sum
        return Resources(0, 0, kpb * heads, lookups + adders)
    heads, bits = kp.int("heads"), kp.int("data_bits")
    macs = shape.macs_per_beat
    adder = 2 * bits + int(math.log2(max(macs, 2)))
    if kp.kernel == "inner_product_topk":
        dsps = macs + 2 * heads  # products; acc x weight (40 x 16: 2 DSPs)
        luts = macs * adder + heads * kp.int("acc_bits") * 2
    else:
        dsps = macs  # q x kmin and q x kmax
        luts = macs // 2 * (adder + bits + 2 * bits)  # adder tree + max (compare + mux)
    query_regs = heads * shape.item_beats * lanes_bits // 2 // 64  # the beat-indexed query rows (LUTRAM)
    return Resources(0, 0, dsps, luts + query_regs)


def _stream(kp: KernelParams, shape: DesignShape) -> Resources:
    width = kp.int("axi_width_bits")
    bram = bram36_for(shape.bram_slots * shape.item_beats, width)
    uram = uram_for(shape.uram_slots * shape.item_beats, width)
    fifo = _fifo_luts(kp.int("max_read_burst"), width) + shape.items_per_beat * _fifo_luts(8, kp.int("score_bits") + 33)
    return Resources(bram, uram, 0, fifo) + _pe(kp, shape)


def _topk(kp: KernelParams, shape: DesignShape) -> tuple[Resources, int, Resources]:
    """(one unit, units, shared): systolic queues of KCAP cells, or the radix select's per-stream
    part (score buffer, selected list, digit decoder, key compare) and its shared histogram."""
    cand = kp.int("score_bits") + 33  # score, index, valid
    kcap = shape.k_max
    ts = shape.topk_streams
    if shape.select:
        slots = kp.int("select_items") // ts
        decode = SEL_BINS  # the digit, one-hot: a wire per bin
        compare = 96 // 2 + 96 * 2  # key compare, prefix match, min/max
        per_stream = Resources(bram36_for(kcap, cand), uram_for(slots, kp.int("score_bits")), 0, decode + compare)
        bins = SEL_BINS * (ts + SEL_COUNT_BITS)  # per bin: popcount over the streams, counter adder
        scan = SEL_BINS * 32
        return per_stream, ts, Resources(0, 0, 0, bins + scan)
    cell = cand // 2 + 3 * cand  # comparator; keep/pass and shift multiplexers
    return Resources(0, 0, 0, kcap * cell), shape.queues + 1, ZERO


def resource_breakdown(kp: KernelParams, shape: DesignShape) -> ResourceBreakdown:
    width = kp.int("axi_width_bits")
    read_buf = bram36_for(kp.int("max_read_burst") * kp.int("read_outstanding"), width)
    port = Resources(read_buf, 0, 0, LUT_PER_AXI_PORT)
    rowbuf = bram36_for(shape.rows_max * (shape.rec_beats + shape.query_beats), width)
    return ResourceBreakdown(port, shape.streams + 1, _stream(kp, shape), shape.streams, *_topk(kp, shape),
                             Resources(rowbuf, 0, 0, LUT_CONTROL))


def estimate_resources(kp: KernelParams, shape: DesignShape) -> Resources:
    return resource_breakdown(kp, shape).total
