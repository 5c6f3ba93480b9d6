"""GPU timing and power: a roofline per op class with an efficiency and a per-op overhead.

    time(op) = overhead_s + max(flops / flop_rate, bytes / bw)

`flop_rate` is a fraction of the matrix-unit peak (matmul, attention) or of the vector peak
(everything else); `bw` a fraction of the achievable HBM bandwidth. This affine form is what
makes small ops slow: its effective bandwidth bytes / time rises with size toward `bw`
(the Hockney model), the size-dependent efficiency eager PyTorch shows.

Without a calibration profile the per-class fractions below are *assumed*; a profile
(`hetsim.calibration.profile`) replaces them with fitted, *calibrated* values per op class.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hetsim.config.schema import GpuSpec
from hetsim.ops import Op
from hetsim.provenance import ProvenanceLog, Source

GB = 1e9
TERA = 1e12


@dataclass(frozen=True)
class OpClassRates:
    """Achieved rates of one op class on one device."""

    overhead_s: float
    bw_bytes_per_s: float
    flop_rate: float
    active_w: float | None = None  # power above idle; None: from the device's bound powers
    source: Source = "assumed"


# Fractions of (achievable bandwidth, peak FLOP rate) per op class, used when no profile is
# present. Assumed, from common experience with eager PyTorch on datacenter GPUs: streaming
# ops near the copy bandwidth; torch.topk (multi-pass radix select) and row gathers far below
# it; flash attention ~60% of matrix peak; cuBLAS ~80%.
ASSUMED_FRACTIONS: dict[str, tuple[float, float]] = {
    "matmul": (0.90, 0.80),
    "attention": (0.80, 0.60),
    "elementwise": (0.90, 0.50),
    "reduction": (0.85, 0.50),
    "softmax": (0.80, 0.50),
    "topk": (0.25, 0.50),
    "gather": (0.50, 1.0),
    "copy": (1.00, 1.0),
}


class GpuModel:
    """Times and powers ops on one GPU; `rates` per op class come from a profile or the spec."""

    kind = "gpu"

    def __init__(self, spec: GpuSpec, profile=None, log: ProvenanceLog | None = None):
        self.spec = spec
        self.name = spec.name
        self.log = log or ProvenanceLog()
        log_ = self.log
        p = f"{spec.name}."
        self.memory_bytes = log_.use(p + "memory_gb", spec.memory_gb) * GB
        self.idle_w = log_.use(p + "idle_w", spec.idle_w)
        self.memory_bound_w = log_.use(p + "memory_bound_w", spec.memory_bound_w)
        self.compute_bound_w = log_.use(p + "compute_bound_w", spec.compute_bound_w)
        self.profile = profile
        self.rates: dict[str, OpClassRates] = dict(profile.rates) if profile is not None else {}
        if profile is not None:
            for cls in self.rates:
                log_.note(f"{p}profile.{cls}", "calibrated")
        self._spec_bw = log_.use(p + "hbm_bw_gbps", spec.hbm_bw_gbps) * GB * log_.use(
            p + "hbm_efficiency", spec.hbm_efficiency
        )
        self._launch_s = log_.use(p + "launch_overhead_us", spec.launch_overhead_us) * 1e-6
        self._time = lru_cache(maxsize=65536)(self._time_uncached)

    # -- rates -------------------------------------------------------------------------
    def _peak_flops(self, op: Op) -> float:
        if op.uses_matrix_units:
            dtype = getattr(op, "dtype", "bf16")
            table = self.spec.matrix_tflops
            if dtype not in table:
                raise ValueError(f"{self.name} has no matrix peak for dtype {dtype} (has {sorted(table)})")
            return self.log.use(f"{self.name}.matrix_tflops.{dtype}", table[dtype]) * TERA
        return self.log.use(f"{self.name}.vector_tflops", self.spec.vector_tflops) * TERA

    def rates_for(self, op: Op) -> OpClassRates:
        cls = op.op_class
        if cls in self.rates:
            return self.rates[cls]
        if cls not in ASSUMED_FRACTIONS:
            raise ValueError(f"a GPU cannot run op class {cls!r}")
        bw_frac, flop_frac = ASSUMED_FRACTIONS[cls]
        self.log.note(f"{self.name}.op_class.{cls}", "assumed")
        return OpClassRates(self._launch_s, self._spec_bw * bw_frac, self._peak_flops(op) * flop_frac)

    # -- time and power ----------------------------------------------------------------
    def _time_uncached(self, op: Op) -> float:
        r = self.rates_for(op)
        return r.overhead_s + max(op.flops / r.flop_rate, op.bytes / r.bw_bytes_per_s)

    def op_time_s(self, op: Op) -> float:
        return self._time(op)

    def memory_bound(self, op: Op) -> bool:
        r = self.rates_for(op)
        return op.bytes / r.bw_bytes_per_s >= op.flops / r.flop_rate

    def active_w(self, op: Op) -> float:
        """Power above idle while `op` runs."""
        r = self.rates_for(op)
        if r.active_w is not None:
            return r.active_w
        busy = self.memory_bound_w if self.memory_bound(op) else self.compute_bound_w
        return max(busy - self.idle_w, 0.0)
