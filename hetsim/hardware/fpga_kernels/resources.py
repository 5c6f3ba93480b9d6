"""FPGA resources a kernel design uses, from its parameters.

Memories are exact arithmetic on the arrays of the source (depth x width per PE, mapped onto
BRAM36 aspect ratios or 4K x 72 URAM blocks). DSPs count one DSP48E2 per 16 x 16 product and
two per wider product. LUTs are a rough model (one LUT per adder bit, half a LUT per
comparator bit, a fixed cost per m_axi adapter, a divider of num x den bits): the coefficients
are assumed and should be replaced by csynth / place-and-route reports when Vitis is at hand.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from hetsim.hardware.fpga_kernels.params import KernelParams

# (depth, width) configurations of one BRAM36 block (UG573).
BRAM36_SHAPES = ((32768, 1), (16384, 2), (8192, 4), (4096, 9), (2048, 18), (1024, 36), (512, 72))
URAM_DEPTH, URAM_WIDTH = 4096, 72  # one URAM288 block (UG573)
LUT_PER_AXI_PORT = 2000  # assumed: HLS m_axi adapter with burst buffers
LUT_CONTROL = 5000  # assumed: s_axilite registers, dataflow handshakes, FSMs


@dataclass(frozen=True)
class Resources:
    bram36: int
    uram: int
    dsps: int
    luts: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def bram36_for(depth: int, width: int) -> int:
    if depth <= 0 or width <= 0:
        return 0
    return min(math.ceil(width / w) * math.ceil(depth / d) for d, w in BRAM36_SHAPES)


def uram_for(depth: int, width: int) -> int:
    if depth <= 0 or width <= 0:
        return 0
    return math.ceil(width / URAM_WIDTH) * math.ceil(depth / URAM_DEPTH)


def _topk_luts(kp: KernelParams, streams: int) -> int:
    cand = kp.int("score_bits") + 32 + 1  # score, index, valid
    kcap = kp.int("k_max")
    tree = (kcap - 1) * (cand // 2 + 2 * int(math.log2(kcap)))  # worst-slot comparators + index muxes
    sort = kcap // 2 * (cand // 2 + 2 * cand)  # one layer of compare-swaps, reused per stage
    return streams * cand // 2 + tree + sort + kcap * cand  # filter + write-enable muxes


def _tiered(kp: KernelParams, item_width: int, bram_items: int, uram_items: int) -> tuple[int, int]:
    """BRAM36 and URAM of the per-PE chunk arrays (depth items x chunks, width one chunk)."""
    pes, chunks = kp.int("pes"), -(-kp.int("head_dim") // kp.int("lanes"))
    bram_depth = -(-bram_items // pes) * chunks
    uram_depth = (-(-(bram_items + uram_items) // pes) - bram_items // pes) * chunks
    return pes * bram36_for(bram_depth, item_width), pes * uram_for(uram_depth if uram_items else 0, item_width)


def estimate_resources(kp: KernelParams) -> Resources:
    ports = sum(len(p["args"]) if p["bundle"] is None else 1 for p in kp.ports.values())
    fixed = LUT_CONTROL + ports * LUT_PER_AXI_PORT
    if kp.kernel == "bm25_topk":
        cores, lanes, qmax = kp.int("cores"), kp.int("lanes"), kp.int("query_terms_max")
        bram = bram36_for(kp.int("vocab"), kp.int("idf_bits"))  # the idf table
        dsps = cores * lanes * 2 + cores * 4  # idf x weight per lane; K_d per core
        num_bits = kp.int("tf_bits") + 11 + 2 * kp.int("weight_frac_bits") - kp.int("kb_frac_bits")
        den_bits = kp.int("tf_bits") + kp.int("weight_frac_bits") + 17
        lane = qmax * 6 + kp.int("idf_bits") * qmax // 4 + num_bits * den_bits + kp.int("score_bits")
        return Resources(bram, 0, dsps, fixed + cores * lanes * lane + _topk_luts(kp, cores))

    pes, lanes, heads, bits = kp.int("pes"), kp.int("lanes"), kp.int("heads"), kp.int("data_bits")
    adder = 2 * bits + int(math.log2(max(lanes, 2)))
    if kp.kernel == "inner_product_topk":
        bram, uram = _tiered(kp, lanes * bits, kp.int("bram_keys"), kp.int("uram_keys"))
        dsps = pes * heads * lanes + pes * heads * 2  # products; acc x weight (40 x 16: 2 DSPs)
        pe = heads * (lanes * adder + kp.int("acc_bits"))
    else:
        bram, uram = _tiered(kp, 2 * lanes * bits, kp.int("bram_pages"), kp.int("uram_pages"))
        dsps = 2 * pes * heads * lanes  # q x kmin and q x kmax
        pe = heads * lanes * (adder + 2 * bits // 2 + 2 * bits)  # adder tree + max (compare + mux)
    return Resources(bram, uram, dsps, fixed + pes * pe + _topk_luts(kp, pes))
