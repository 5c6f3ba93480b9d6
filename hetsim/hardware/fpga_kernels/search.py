"""The model side of the search over kernel designs: a kernel's parameter space (PEs = HBM
ports, tier sizes, top-k queue grouping, read outstanding, ...), the stated workload a design is
timed at, one design's evaluation (time per token by the loop-level cycle model, resources, fit
under the 80% cap) and the Pareto front of (time per token, LUT, DSP, BRAM36, URAM), all minimised.

The sweep itself runs on the sweep engine (`hetsim.dse.kernel_designs`: executors, results
store). The resources and cycles are the ones `hetsim kernels` prints: derived, until a Vitis
report replaces the assumed coefficients.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hetsim.hardware.fpga_kernels.card import u55c
from hetsim.hardware.fpga_kernels.cycles import DesignShape, job_cycles, jobs_for
from hetsim.hardware.fpga_kernels.designs import UTILIZATION_CAP, design_shape
from hetsim.hardware.fpga_kernels.params import KernelParams
from hetsim.hardware.fpga_kernels.resources import estimate_resources


@dataclass(frozen=True)
class Workload:
    """What one token asks of the kernel: per layer one row of n items (top k) per request of
    the batch, in jobs of up to rows_max rows."""

    n: int
    k: int
    layers: int
    batch: int
    text: str


# The stated workloads: decode at 32K context, batch 8, 32 layers (DSA: 61 layers of
# DeepSeek-V3.2, 16 index heads as built); BM25: one query over 1M documents.
WORKLOADS = {
    "inner_product_topk": Workload(32768 // 64, 64, 32, 8,
                                   "SeerAttention-R: 512 blocks (32K / 64), k=64, 32 layers x batch 8"),
    "page_minmax_topk": Workload(32768 // 16, 64, 32, 8, "LServe: 2048 pages (32K / 16), k=64, 32 layers x batch 8"),
    "bm25_topk": Workload(1_000_000, 64, 1, 1, "BM25: 1M documents, k=64, one query"),
    "pq_lut_topk": Workload(32768, 2048, 61, 8, "DSA LUT indexer: 32K keys, k=2048, 61 layers x batch 8"),
}

_PES = (4, 8, 12, 15, 16, 20, 24, 30)
# parameter -> values searched, per kernel (k_max, data widths and the workload stay fixed)
SPACES: dict[str, dict[str, tuple]] = {
    "inner_product_topk": {"pes": _PES, "bram_keys": (0, 4096, 16384), "uram_keys": (0, 32768),
                           "topk_group": (1, 2, 4, 8), "read_outstanding": (2, 4, 8)},
    "page_minmax_topk": {"pes": _PES, "bram_pages": (0, 1024, 4096), "uram_pages": (0, 4096),
                         "topk_group": (1, 2, 4, 8), "read_outstanding": (2, 4, 8)},
    "bm25_topk": {"cores": _PES, "topk_group": (1, 2, 4, 8), "read_outstanding": (2, 4, 8)},
    "pq_lut_topk": {"pes": _PES, "read_outstanding": (2, 4, 8), "select_items": (65536, 131072)},
}
OBJECTIVES = ("time_per_token_us", "luts", "dsps", "bram36", "uram")


def token_seconds(shape: DesignShape, w: Workload) -> float:
    card = u55c()  # resources, HBM efficiency, XRT start per token
    jobs = [job_cycles(shape, w.n, min(w.k, shape.k_max), rows=rows, pc_bw_bytes_per_s=card.pc_bw_bytes_per_s,
                       hbm_efficiency=card.hbm_efficiency) for rows in jobs_for(shape, w.batch)]
    return card.launch_s + w.layers * sum(j.seconds(shape.clock_mhz * 1e6) for j in jobs)


def evaluate(kp: KernelParams, w: Workload) -> dict[str, Any]:
    shape = design_shape(kp)
    used = estimate_resources(kp, shape).as_dict()
    cap = u55c().resources
    fits = all(v <= UTILIZATION_CAP * cap[r] for r, v in used.items())
    return {"params": dict(kp.overrides), "time_per_token_us": round(token_seconds(shape, w) * 1e6, 2), **used,
            "fits": fits, "max_utilisation": round(max(v / cap[r] for r, v in used.items()), 3)}


def pareto(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows no other row matches or beats on every objective while beating on one."""
    def dominates(a: Mapping, b: Mapping) -> bool:
        return all(a[o] <= b[o] for o in OBJECTIVES) and any(a[o] < b[o] for o in OBJECTIVES)

    front = [r for r in rows if not any(dominates(o, r) for o in rows)]
    unique: dict[tuple, dict[str, Any]] = {}
    for r in front:  # equal points: keep the first (the smallest parameters)
        unique.setdefault(tuple(r[o] for o in OBJECTIVES), r)
    return sorted(unique.values(), key=lambda r: r["time_per_token_us"])


def space_points(kernel: str, space: Mapping[str, tuple] | None = None) -> list[dict[str, Any]]:
    """Every combination of the kernel's space (default SPACES[kernel]) as parameter overrides."""
    space = space or SPACES[kernel]
    names = list(space)
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*(space[n] for n in names))]
