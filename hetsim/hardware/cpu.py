"""Host CPU timing: a roofline per op class from calibrated rates.

    time(op) = calls x overhead + max(bytes / stream_bw, elements / rate_class(working set))

The CPU runs ops as numpy does (`hetsim calibrate cpu` measures exactly these calls): elementwise
work, copies and reductions stream at the measured copy bandwidth; a gather or scatter-add is
bound by how many random accesses per second the memory system serves, which depends on whether
the array it lands in fits in cache, so those rates are curves over the target's bytes
(interpolated in log2 of the bytes, clamped at the ends of what was measured); a top-k is, per row,
the selection's fixed cost (bm25s.selection.topk on a tiny input, measured as a whole: argpartition,
two takes, argsort of the k, flips and indexing) plus its row scanned at the np.argpartition rate,
a grid measured over row sizes x scored shares (the share of non-zero scores: ties at zero slow
introselect several-fold), interpolated in log2 of the bytes and log10 of the share; a matmul runs
at the measured BLAS rate. Each numpy call costs a fixed Python dispatch.

Without a calibration profile the device file's one figure per class is used (and its provenance
says how good that is); with one, the profile's measured curves replace them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from hetsim.config.schema import CpuSpec
from hetsim.ops import Copy, Elementwise, Gather, Matmul, Op, Reduction, ScatterAdd, Softmax, TopK
from hetsim.provenance import ProvenanceLog
from hetsim.units import GB

Curve = tuple[tuple[float, float], ...]  # (target bytes, rate per second), ascending bytes
Grid = tuple[tuple[float, float, float], ...]  # (row bytes, scored share, elements per second)
MIN_SHARE = 1e-4  # shares below this are priced as this (log interpolation)

OP_CLASSES = ("stream", "gather", "scatter_add", "scatter_add_random", "topk", "matmul")


def interp_log(curve: Curve, x_bytes: float) -> float:
    """A rate at working set `x_bytes` from a measured curve: linear in log2(bytes) between the
    measured points, the end value beyond them."""
    if not curve:
        raise ValueError("empty rate curve")
    if len(curve) == 1 or x_bytes <= curve[0][0]:
        return curve[0][1]
    if x_bytes >= curve[-1][0]:
        return curve[-1][1]
    lx = math.log2(x_bytes)
    for (x0, r0), (x1, r1) in zip(curve, curve[1:], strict=False):
        if x0 <= x_bytes <= x1:
            t = (lx - math.log2(x0)) / (math.log2(x1) - math.log2(x0))
            return r0 + t * (r1 - r0)
    return curve[-1][1]  # unreachable with an ascending curve


def interp_grid(grid: Grid, x_bytes: float, share: float) -> float:
    """A rate from a (bytes x share) grid: per measured size, linear in log10(share) between the
    measured shares (clamped), then linear in log2(bytes) between the sizes (clamped)."""
    sizes = sorted({g[0] for g in grid})
    ls = math.log10(max(share, MIN_SHARE))
    curve = []
    for size in sizes:
        pts = sorted((math.log10(max(sh, MIN_SHARE)), r) for b, sh, r in grid if b == size)
        if ls <= pts[0][0]:
            rate = pts[0][1]
        elif ls >= pts[-1][0]:
            rate = pts[-1][1]
        else:
            rate = next(r0 + (ls - s0) / (s1 - s0) * (r1 - r0)
                        for (s0, r0), (s1, r1) in zip(pts, pts[1:], strict=False) if s0 <= ls <= s1)
        curve.append((size, rate))
    return interp_log(tuple(curve), x_bytes)


@dataclass(frozen=True)
class CpuCalibration:
    """A CPU's measured rates (`hetsim.calibration.cpu_profile` reads them from a profile file)."""

    device: str
    stream_bw: float  # bytes moved per second
    curves: dict[str, Curve] = field(hash=False)  # gather, scatter_add, scatter_add_random: per second
    topk_per_s: float = 0.0  # elements scanned per second (one point; the grid replaces it)
    topk_grid: Grid = field(default=(), hash=False)  # np.argpartition over row bytes x scored share
    topk_call_s: float = 0.0  # a whole selection (bm25s.selection.topk's numpy calls) on a tiny row
    matmul_flops: float = 0.0
    call_overhead_s: float = 0.0
    provenance: dict = field(default_factory=dict, hash=False)
    path: Path | None = None


class CpuModel:
    kind = "cpu"

    def __init__(self, spec: CpuSpec, profile: CpuCalibration | None = None, log: ProvenanceLog | None = None):
        self.spec = spec
        self.name = spec.name
        self.profile = profile
        self.log = log or ProvenanceLog()
        lg, p, r = self.log, f"{spec.name}.", spec.rates
        self.cores = spec.cores
        self.memory_bytes = lg.use(p + "memory_gb", spec.memory_gb) * GB
        self.idle_w = lg.use(p + "idle_w", spec.idle_w)
        self._active_w = lg.use(p + "active_w", spec.active_w)
        if profile is None:
            ws = lg.use(p + "llc_mb", spec.llc_mb) * 1e6 * 4  # beyond the LLC: the DRAM rate
            self.stream_bw = lg.use(p + "rates.stream_bw_gbps", r.stream_bw_gbps) * GB
            self.curves = {"gather": ((ws, lg.use(p + "rates.gather_m_per_s", r.gather_m_per_s) * 1e6),),
                           "scatter_add": ((ws, lg.use(p + "rates.scatter_add_m_per_s", r.scatter_add_m_per_s) * 1e6),)}
            self.topk_per_s = lg.use(p + "rates.topk_m_per_s", r.topk_m_per_s) * 1e6
            self.matmul_flops = lg.use(p + "rates.matmul_gflops", r.matmul_gflops) * 1e9
            self.overhead_s = lg.use(p + "rates.call_overhead_us", r.call_overhead_us) * 1e-6
            self.topk_grid: Grid = ()
            self.topk_call_s = 4 * self.overhead_s  # argpartition, then sorting the k: a few calls
            lg.note(f"{p}topk_call (4 call overheads)", "assumed")
        else:
            for key in ("stream_bw", "topk", "matmul", "call_overhead", *profile.curves):
                lg.note(f"{p}profile.{key}", "measured")
            self.stream_bw = profile.stream_bw
            self.curves = dict(profile.curves)
            self.topk_per_s = profile.topk_per_s
            self.matmul_flops = profile.matmul_flops
            self.overhead_s = profile.call_overhead_s
            self.topk_grid = profile.topk_grid
            self.topk_call_s = profile.topk_call_s or 4 * self.overhead_s  # older profiles: 4 calls
            # the selection call is measured only where the profile has it; older ones are a guess
            lg.note(f"{p}profile.topk_call" if profile.topk_call_s else f"{p}topk_call (4 call overheads)",
                    "measured" if profile.topk_call_s else "assumed")
        self._cache: dict[Op, float] = {}

    def rate(self, op_class: str, target_bytes: float) -> float:
        """Accesses per second of a gather or scatter-add whose target holds `target_bytes`."""
        curve = self.curves.get(op_class)
        if curve is None and op_class == "scatter_add_random":
            curve = self.curves.get("gather")  # no random scatter measured: a random access each
        if curve is None:
            raise ValueError(f"{self.name} has no {op_class} rate")
        return interp_log(curve, target_bytes)

    def topk_rate(self, row_bytes: float, scored_share: float) -> float:
        """Elements per second np.argpartition scans in a row of `row_bytes` with this share scored."""
        return interp_grid(self.topk_grid, row_bytes, scored_share) if self.topk_grid else self.topk_per_s

    def active_w(self, op: Op) -> float:
        return self._active_w

    def op_time_s(self, op: Op) -> float:
        t = self._cache.get(op)
        if t is None:
            t = self._cache[op] = self._time(op)
        return t

    def ops_time_s(self, ops) -> float:
        return sum(self.op_time_s(op) for op in ops)

    def _time(self, op: Op) -> float:
        stream = op.bytes / self.stream_bw
        if isinstance(op, ScatterAdd):
            cls = "scatter_add" if op.sorted_index else "scatter_add_random"
            return self.overhead_s + max(stream, op.elements / self.rate(cls, op.target_rows * op.value_bytes))
        if isinstance(op, Gather):
            return self.overhead_s + max(stream, op.rows / self.rate("gather", op.source_rows * op.row_bytes))
        if isinstance(op, TopK):
            # per row: the selection's fixed calls, then one np.argpartition over its n scores
            per_row = max(op.n / self.topk_rate(op.n * 4, op.scored_share), op.n * 4 / self.stream_bw)
            return op.rows * (self.topk_call_s + per_row)
        if isinstance(op, Matmul):
            return self.overhead_s + max(stream, op.flops / self.matmul_flops)
        if isinstance(op, Elementwise | Reduction | Softmax | Copy):
            return self.overhead_s + stream
        raise ValueError(f"a CPU ({self.name}) does not run {op.op_class} ops ({op.name or type(op).__name__})")
