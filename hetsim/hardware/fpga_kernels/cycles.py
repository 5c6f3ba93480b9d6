"""Cycle counts of the three kernels, from their parameters and the structure of their source.

Per stream (a PE or a BM25 core), items arrive fastest tier first; an item costs
  on chip (BRAM/URAM): chunks x II cycles (the PE consumes `lanes` elements per cycle),
  from HBM:            max(chunks x II, beats (one AXI beat per cycle per port),
                           beats x beat_bytes x f / (PC bandwidth x HBM efficiency)),
since each port streams one pseudo-channel at a time. The kernel's steady state is its
slowest stream, or the top-k unit when insertions dominate (rounds + survivors x insert_ii).
Fill and drain add the query broadcast, the first read's latency, the PE pipeline depth, the
odd-even sort (k_max stages) and writing k results. Pipeline depths and insert_ii are assumed
in params.yaml until csynth reports replace them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from hetsim.hardware.fpga_kernels.params import KernelParams

PC_BW_BYTES_PER_S = 14.375e9  # U55C HBM pseudo-channel (UG1393)


def dealt(n: int, streams: int, s: int) -> int:
    """Items of n dealt round-robin that stream s receives (as `dealt_count` in topk.h)."""
    return (n - 1 - s) // streams + 1 if n > s else 0


def expected_survivors(n: int, k: int) -> float:
    """Candidates that enter the top-k tree for scores in random order: the first k, then
    candidate i > k with probability k / i (sum ~ k ln(n / k))."""
    if n <= k:
        return float(n)
    return k + k * (math.log(n / k))


@dataclass(frozen=True)
class CycleEstimate:
    tier_items: dict[str, int]  # items of the whole problem in each tier
    steady: float  # cycles of the slowest stream
    topk: float  # cycles of the top-k unit (rounds + insertion stalls)
    fill: int  # fill + drain cycles
    bound: str  # "pe", "hbm" or "topk"

    @property
    def total(self) -> float:
        return self.fill + max(self.steady, self.topk)

    def seconds(self, clock_hz: float, efficiency: float = 1.0) -> float:
        return self.total / (clock_hz * efficiency)


def _beats(elems: int, elem_bits: int, axi_bits: int) -> int:
    return -(-elems * elem_bits // axi_bits)


def kernel_cycles(kp: KernelParams, n: int, k: int, *, pc_bw_bytes_per_s: float = PC_BW_BYTES_PER_S,
                  hbm_efficiency: float = 1.0, clock_hz: float | None = None,
                  survivors: float | None = None) -> CycleEstimate:
    """Cycles of one query over n items keeping the k best (survivors: measured count of
    top-k insertions if known, else the random-order expectation)."""
    clock = clock_hz or kp["clock_mhz"] * 1e6
    axi = kp.int("axi_width_bits")
    beat_s = axi / 8 / (pc_bw_bytes_per_s * hbm_efficiency)  # one beat from one pseudo-channel
    ii = kp.int("pe_ii")
    surv = expected_survivors(n, k) if survivors is None else survivors
    topk_cycles = lambda streams: -(-n // streams) + surv * kp.int("insert_ii")  # noqa: E731

    if kp.kernel == "bm25_topk":
        cores = kp.int("cores")
        doc_beats = _beats(kp.int("doc_slots"), kp.int("term_bits") + kp.int("tf_bits"), axi)
        per_beat = max(ii, beat_s * clock)
        steady = max(dealt(n, cores, c) * doc_beats * per_beat for c in range(cores))
        fill = (kp.int("query_terms_max") + kp.int("hbm_latency_cycles") + doc_beats + kp.int("pe_depth_cycles")
                + kp.int("k_max") + k)
        topk = topk_cycles(cores)
        return CycleEstimate({"bram": 0, "uram": 0, "hbm": n}, steady, topk, fill,
                             "topk" if topk > steady else ("hbm" if per_beat > ii else "pe"))

    pes, lanes, d, heads = kp.int("pes"), kp.int("lanes"), kp.int("head_dim"), kp.int("heads")
    chunks = -(-d // lanes)
    if kp.kernel == "inner_product_topk":
        bram, uram, elems = kp.int("bram_keys"), kp.int("uram_keys"), d
        query_cycles = heads * chunks * lanes + heads  # query then head weights, one element per cycle
    else:
        bram, uram, elems = kp.int("bram_pages"), kp.int("uram_pages"), 2 * d
        query_cycles = heads * chunks * lanes
    onchip = chunks * ii
    hbm = max(onchip, _beats(elems, kp.int("data_bits"), axi) * max(1.0, beat_s * clock))
    streams = []
    for p in range(pes):
        count = dealt(n, pes, p)
        on = min(count, dealt(bram + uram, pes, p))  # on-chip items of this PE, any tier
        streams.append(on * onchip + (count - on) * hbm)
    steady = max(streams)
    tiers = {"bram": min(n, bram), "uram": min(max(n - bram, 0), uram), "hbm": max(n - bram - uram, 0)}
    latency = max([kp.int(f"{t}_latency_cycles") for t, c in tiers.items() if c] or [0])
    fill = query_cycles + latency + kp.int("pe_depth_cycles") + kp.int("k_max") + k
    topk = topk_cycles(pes)
    bound = "topk" if topk > steady else ("hbm" if tiers["hbm"] and hbm > onchip else "pe")
    return CycleEstimate(tiers, steady, topk, fill, bound)
