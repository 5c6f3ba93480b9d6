"""FPGA timing from a streaming dataflow kernel's structure.

A relevancy(+top-k) kernel streams candidates (keys, pages, documents) through processing
elements (PEs), one per HBM port. A design built from a kernel's parameter file carries its
loop structure (`DesignShape`) and is timed loop by loop (`hetsim.hardware.fpga_kernels.cycles`):
per job (one layer, covering up to rows_max rows: the requests of the batch) a doorbell and one
burst of every row's record and query, then per row its query broadcast, every stream's on-chip
beats and one flat HBM burst at the slower of a beat per cycle and its pseudo-channel, then the
pipeline depth and the top-k tail. The kernel is launched once per token and fed its layers'
jobs through a descriptor queue, so an op (one layer's invocation) is charged the launch
overhead divided by the layers that share the launch.

A design without a shape (a what-if typed by hand) keeps the roofline form: per tier, a segment
flows at the slower of the PE array (items * macs_per_item / (pes * lanes) * ii cycles) and the
tier's bandwidth; the top-k unit runs beside them (items / topk_width cycles plus
`topk_insert_ii` stall cycles per expected insertion); fill/drain and one launch per op added.
`efficiency` and `clock_mhz` are what calibration fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from hetsim.config.schema import FpgaSpec
from hetsim.hardware.fpga_kernels.cycles import DesignShape, expected_inserts, job_cycles, jobs_for
from hetsim.ops import FpgaKernel, FpgaStream, Op, dtype_bytes
from hetsim.provenance import ProvenanceLog, Source
from hetsim.units import GB

# DSP48E2 slices per multiply-accumulate per cycle for dense streamed arithmetic (FpgaStream).
# Assumed: one int8/int16 MAC per DSP (hardware.md s1.8, without the unverified int8 packing);
# a half-precision MAC from the Vitis HLS floating-point cores takes about two DSPs, fp32 three
# (hardware.md: "FP16/FP32 need several DSPs per operator"; csynth reports should replace these).
DSPS_PER_MAC = {"int8": 1, "int16": 1, "fp8": 1, "fp16": 2, "bf16": 2, "fp32": 3}
# Share of the DSPs a streamed datapath may use (the shell and routing need the rest); the same
# cap as the kernels' resource check (`hetsim.hardware.fpga_kernels.designs.UTILIZATION_CAP`). Assumed.
STREAM_DSP_SHARE = 0.8


@dataclass(frozen=True)
class KernelDesign:
    """A compiled relevancy(+top-k) kernel: the numbers its HLS source is built from."""

    name: str
    pes: int  # chained processing elements
    lanes: int  # multiply-accumulates per cycle per PE
    ii: int = 1  # initiation interval of the PE loop
    pipeline_depth: int = 64  # cycles to fill and drain the PE chain
    topk_width: int = 16  # scores per cycle the comparator tree accepts
    topk_k_max: int = 64
    topk_insert_ii: int = 0  # cycles the min-replacement tree stalls per insertion
    hbm_channels: int = 8  # pseudo-channels the key ports are mapped to
    bram_key_bytes: int = 0  # on-chip capacity given to keys
    uram_key_bytes: int = 0
    clock_mhz: float | None = None  # achieved clock; None: the card's kernel clock
    efficiency: float = 1.0  # calibrated factor on the steady-state cycle count
    source: Source = "derived"
    shape: DesignShape | None = None  # the kernel's loop structure (built designs); None: roofline form
    max_items: int = 0  # items one job can score (a radix select's on-chip buffers); 0: no bound (streaming top-k)

    def __post_init__(self) -> None:
        for f in ("pes", "lanes", "ii", "topk_width", "topk_k_max", "hbm_channels"):
            if getattr(self, f) <= 0:
                raise ValueError(f"kernel design {self.name}: {f} must be positive")
        if not 0 < self.efficiency <= 1:
            raise ValueError(f"kernel design {self.name}: efficiency must be in (0, 1]")


@dataclass(frozen=True)
class KernelTiming:
    total_s: float
    invocation_s: float
    fill_drain_s: float
    segments: tuple[tuple[str, float, str], ...]  # (tier, seconds, what bounds it); "topk": its excess


class FpgaModel:
    kind = "fpga"

    def __init__(self, spec: FpgaSpec, designs: dict[str, KernelDesign], log: ProvenanceLog | None = None):
        self.spec = spec
        self.name = spec.name
        self.designs = designs
        self.log = log or ProvenanceLog()
        lg, p = self.log, f"{spec.name}."
        self.memory_bytes = lg.use(p + "memory_gb", spec.memory_gb) * GB
        self.n_pcs = int(lg.use(p + "hbm_pseudo_channels", spec.hbm_pseudo_channels))
        self.pc_bw = lg.use(p + "hbm_bw_per_pc_gbps", spec.hbm_bw_per_pc_gbps) * GB
        self.hbm_eff = lg.use(p + "hbm_efficiency", spec.hbm_efficiency)
        self.bram_bw = lg.use(p + "bram_bw_gbps", spec.bram_bw_gbps) * GB
        self.uram_bw = lg.use(p + "uram_bw_gbps", spec.uram_bw_gbps) * GB
        self.clock_hz = lg.use(p + "kernel_clock_mhz", spec.kernel_clock_mhz) * 1e6
        self.invocation_s = lg.use(p + "invocation_overhead_us", spec.invocation_overhead_us) * 1e-6
        self.idle_w = lg.use(p + "idle_w", spec.idle_w)
        self._active_w = lg.use(p + "active_w", spec.active_w)
        self.bram_bytes = lg.use(p + "bram36", spec.bram36) * 36 * 1024 / 8
        self.uram_bytes = lg.use(p + "uram", spec.uram) * 288 * 1024 / 8
        self._cache: dict[Op, KernelTiming] = {}

    def design(self, kernel: str) -> KernelDesign:
        try:
            d = self.designs[kernel]
        except KeyError:
            raise ValueError(
                f"{self.name} has no kernel {kernel!r} (built kernels: {sorted(self.designs)})"
            ) from None
        self.log.note(f"{self.name}.kernel.{kernel}", d.source)
        return d

    def hbm_bw(self, design: KernelDesign) -> float:
        return min(design.hbm_channels, self.n_pcs) * self.pc_bw * self.hbm_eff

    def tier_split(self, design: KernelDesign, op: FpgaKernel) -> dict[str, float]:
        """Fraction of every layer's index in each tier: keys go fastest-tier-first by token
        id, and every layer/request gets the same share of the on-chip capacity."""
        resident = max(op.resident_bytes, op.rows * op.n_items * op.item_bytes, 1)
        bram = min(design.bram_key_bytes, self.bram_bytes) / resident
        uram = min(design.uram_key_bytes, self.uram_bytes) / resident
        f_bram = min(1.0, bram)
        f_uram = min(1.0 - f_bram, uram)
        return {"bram": f_bram, "uram": f_uram, "hbm": max(0.0, 1.0 - f_bram - f_uram)}

    def stream_timing(self, op: FpgaStream) -> KernelTiming:
        """Dense arithmetic streamed from HBM over every pseudo-channel: the slower of the HBM
        (all pseudo-channels at the card's efficiency) and the DSP array. No invocation overhead:
        it runs inside a kernel that is already started (a persistent decoder, a fused stage)."""
        lg, p = self.log, f"{self.name}."
        dsps = lg.use(p + "dsps", self.spec.dsps)
        lg.note(p + "stream.dsps_per_mac", "assumed")
        dtype_bytes(op.dtype)  # an unknown dtype is an error, not a default
        macs_per_s = dsps * STREAM_DSP_SHARE / DSPS_PER_MAC.get(op.dtype, 2) * self.clock_hz
        mem_s = op.nbytes / (self.n_pcs * self.pc_bw * self.hbm_eff)
        pe_s = op.macs / macs_per_s
        bound, t = ("memory", mem_s) if mem_s >= pe_s else ("dsp", pe_s)
        return KernelTiming(t, 0.0, 0.0, (("hbm", t, bound),))

    def timing(self, op: Op) -> KernelTiming:
        if isinstance(op, FpgaStream):
            if op not in self._cache:
                self._cache[op] = self.stream_timing(op)
            return self._cache[op]
        if not isinstance(op, FpgaKernel):
            raise ValueError(f"an FPGA runs only its built kernels, not a {op.op_class} op")
        if op in self._cache:
            return self._cache[op]
        d = self.design(op.kernel)
        if op.k > d.topk_k_max:
            raise ValueError(f"kernel {d.name} keeps at most k={d.topk_k_max}, asked for k={op.k}")
        if d.shape is not None:
            timing = self.job_timing(d, op)
            self._cache[op] = timing
            return timing
        clock = (d.clock_mhz * 1e6) if d.clock_mhz else self.clock_hz
        tier_bw = {"bram": self.bram_bw, "uram": self.uram_bw, "hbm": self.hbm_bw(d)}
        items = op.rows * op.n_items
        segments = []
        for tier, frac in self.tier_split(d, op).items():
            if frac <= 0:
                continue
            n = items * frac
            pe_s = math.ceil(n * op.macs_per_item / (d.pes * d.lanes)) * d.ii / clock / d.efficiency
            mem_s = n * op.item_bytes / tier_bw[tier]
            segments.append((tier, max(pe_s, mem_s), "pe" if pe_s >= mem_s else "memory"))
        stream_s = sum(t for _, t, _ in segments)
        topk_s = 0.0
        if op.k:
            inserts = op.rows * expected_inserts(op.n_items, op.k)
            topk_s = (math.ceil(items / d.topk_width) + inserts * d.topk_insert_ii) / clock
        if topk_s > stream_s:
            segments.append(("topk", topk_s - stream_s, "topk"))
        fill = (d.pipeline_depth + op.k * op.rows) / clock
        total = self.invocation_s + fill + max(stream_s, topk_s)
        timing = KernelTiming(total, self.invocation_s, fill, tuple(segments))
        self._cache[op] = timing
        return timing

    @staticmethod
    def jobs_per_launch(op: FpgaKernel) -> int:
        """Invocations (layers) that share one launch: the layers whose index the card holds,
        i.e. its resident bytes over one invocation's (at least 1: a retrieval over a corpus)."""
        one = op.rows * op.n_items * op.item_bytes
        return max(1, round(op.resident_bytes / one)) if one else 1

    def job_timing(self, d: KernelDesign, op: FpgaKernel) -> KernelTiming:
        """One invocation as the built kernel runs it: op.rows rows in jobs of up to rows_max
        (one job for a batch that fits), each row timed loop by loop."""
        assert d.shape is not None
        clock = (d.clock_mhz * 1e6) if d.clock_mhz else self.clock_hz
        shape = d.shape
        mem_beats = max(1, -(-op.item_bytes // shape.beat_bytes))
        per_item = shape.macs_per_beat // shape.items_per_beat  # a beat's lookups/MACs per item it holds
        pe_beats = max(mem_beats, -(-op.macs_per_item // per_item))  # more heads than built: passes
        shape = replace(shape, item_beats=mem_beats)
        split = self.tier_split(d, op)
        chip_n = int((split["bram"] + split["uram"]) * op.n_items)
        heads = [job_cycles(shape, op.n_items, op.k, rows=rows, chip_n=chip_n, pc_bw_bytes_per_s=self.pc_bw,
                            hbm_efficiency=self.hbm_eff, clock_hz=clock, beats_per_item=pe_beats)
                 for rows in jobs_for(shape, max(op.rows, 1))]
        job = heads[0]  # every row of every job is the same row
        per_cycle = 1.0 / (clock * d.efficiency)
        stream_s = op.rows * job.stream * per_cycle
        hbm_s = op.rows * job.hbm * per_cycle
        fill_s = (op.rows * (job.head + job.tail) + sum(j.job_head for j in heads)) * per_cycle
        invocation = self.invocation_s / self.jobs_per_launch(op)
        total = invocation + stream_s + fill_s
        # the busiest stream's time: on-chip beats (or PE-bound passes), then its HBM burst
        segments = tuple((tier, t, job.bound) for tier, t in (("onchip", stream_s - hbm_s), ("hbm", hbm_s)) if t > 0)
        return KernelTiming(total, invocation, fill_s, segments)

    def op_time_s(self, op: Op) -> float:
        return self.timing(op).total_s

    def active_w(self, op: Op) -> float:
        return self._active_w
