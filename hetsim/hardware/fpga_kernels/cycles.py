"""Cycle counts of the kernels, loop by loop as their source runs (trip count x II + depth).

A launch serves jobs (one per layer, `fpga_kernels/common/jobs.h`), each covering `rows` rows
(the requests of a batch, up to rows_max); a job is
  job head      one uncached read of its descriptor (doorbell_cycles), then one burst over the io
                port of every row's record and query (rows x (REC_BEATS + QUERY_BEATS) beats at
                the pseudo-channel's rate, after one HBM latency) into the on-chip row buffer
  then per row, one after another:
  query         QUERY_BEATS beats broadcast from the row buffer to the PEs
  streams       per stream (PE = HBM port): its on-chip beats (one per cycle, after the tier's
                read latency), then one flat burst over its HBM region: the port's first-beat
                latency once (outstanding bursts hide the rest), then a beat every
                max(1, beat bytes / (PC bandwidth x efficiency) x f) cycles. The PE consumes one
                beat per cycle (II = pe_ii), so a stream takes max(fetch, PE trips x II) cycles;
                the top-k queues take one candidate per cycle (their round count bounds them
                too). The job's steady state is its busiest stream.
  tail          PE depth, then the top-k after the last score: systolic: KCAP - 1 (drain) +
                QUEUES x k + KCAP - 1 (merge) + k (write); radix select: levels x (rounds + 256)
                + rounds (gather) + k; then k results written at II = 2 (index and score share
                the io bundle) and the stats record.
The trip counts (`JobCycles.trips`) are the ones the kernel's own counters report (stats words
rounds, pe_trips, hbm_beats, topk_cycles, levels), so a C-simulation checks them; II, depths
and latencies stay `derived` / `assumed` in params.yaml until a csynth / hw_emu report
replaces them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PC_BW_BYTES_PER_S = 14.375e9  # U55C HBM pseudo-channel (UG1393)
SEL_BINS = 256  # radix-select digit (topk_select.h)
STATS_CYCLES = 16  # the stats record, one word a cycle
RESULT_II = 2  # assumed: out_idx and out_score written on one bundle each iteration (csynth to confirm)


def dealt(n: int, streams: int, s: int) -> int:
    """Items of n dealt round-robin that stream s receives (as `dealt_count` in topk.h)."""
    return (n - 1 - s) // streams + 1 if n > s else 0


def expected_inserts(n: int, k: int) -> float:
    """Candidates that enter a running top-k over n scores in random order: the first k, then
    the i-th with probability k / i, so about k (1 + ln(n / k))."""
    return float(n) if n <= k else k * (1.0 + math.log(n / k))


def expected_levels(n: int, k: int) -> int:
    """Radix-select passes for scores spread over their range: a pass divides the candidates
    left in the boundary bin by 256 until it holds exactly the ones still needed."""
    if n <= k:
        return 0
    return max(1, math.ceil(math.log(max(n, 2)) / math.log(SEL_BINS)) + 1)


@dataclass(frozen=True)
class DesignShape:
    """The loop structure of one kernel build: what the cycle count of a job depends on."""

    kernel: str
    streams: int  # PEs = item ports
    item_beats: int  # beats per item (key, page, document)
    beat_bytes: int
    macs_per_beat: int  # multiply-accumulates (BM25: slots) a PE does per beat
    pe_ii: int
    pe_depth: int
    query_beats: int
    bram_slots: int  # on-chip items per stream in BRAM, then URAM
    uram_slots: int
    bram_latency: int
    uram_latency: int
    hbm_latency: int
    doorbell: int
    k_max: int
    topk_group: int  # streams per systolic queue
    clock_mhz: float
    items_per_beat: int = 1  # items a beat holds (pq_lut_topk: 4 keys), each lane its own score stream
    rows_max: int = 1  # rows (requests) one job covers (the on-chip row buffer)
    rec_beats: int = 1  # beats of a row's record before its query in the query buffer

    @property
    def topk_streams(self) -> int:
        return self.streams * self.items_per_beat

    @property
    def select(self) -> bool:
        return self.k_max > 256

    @property
    def queues(self) -> int:
        return -(-self.streams // self.topk_group)

    @property
    def chip_items(self) -> int:
        return self.streams * (self.bram_slots + self.uram_slots)

    @property
    def item_bytes(self) -> int:
        return self.item_beats * self.beat_bytes


@dataclass(frozen=True)
class JobCycles:
    """One job of `rows` equal rows: the job head once, then per row head + stream + tail."""

    trips: dict[str, int]  # loop trip counts the kernel's stats report (per row)
    stream: float  # cycles of a row's busiest stream (fetch / PE / queue intake)
    hbm: float  # of which its HBM burst (first-beat latency + beats at the pseudo-channel's rate)
    head: int  # a row's query broadcast from the row buffer
    tail: int  # a row's PE depth + top-k after the last score + results + stats
    bound: str  # "hbm", "pe" or "topk" (what the busiest stream waits on)
    job_head: float = 0.0  # doorbell + the row burst (records and queries of every row)
    rows: int = 1

    @property
    def row(self) -> float:
        """Cycles of one row after the job head."""
        return self.head + self.stream + self.tail

    @property
    def total(self) -> float:
        return self.job_head + self.rows * self.row

    def seconds(self, clock_hz: float, efficiency: float = 1.0) -> float:
        return self.total / (clock_hz * efficiency)


def hbm_cycles_per_beat(shape: DesignShape, pc_bw_bytes_per_s: float = PC_BW_BYTES_PER_S,
                        hbm_efficiency: float = 1.0, clock_hz: float | None = None) -> float:
    clock = clock_hz or shape.clock_mhz * 1e6
    return max(1.0, shape.beat_bytes / (pc_bw_bytes_per_s * hbm_efficiency) * clock)


def job_head_cycles(shape: DesignShape, rows: int, pc_bw_bytes_per_s: float = PC_BW_BYTES_PER_S,
                    hbm_efficiency: float = 1.0, clock_hz: float | None = None) -> tuple[float, float]:
    """(overhead, query) cycles of a job's head: overhead = doorbell + the row burst's first-beat
    latency + the rows' record beats; query = the rows' query beats of the same burst."""
    per = hbm_cycles_per_beat(shape, pc_bw_bytes_per_s, hbm_efficiency, clock_hz)
    return (shape.doorbell + shape.hbm_latency + rows * shape.rec_beats * per, rows * shape.query_beats * per)


def job_cycles(shape: DesignShape, n: int, k: int, *, rows: int = 1, chip_n: int | None = None,
               pc_bw_bytes_per_s: float = PC_BW_BYTES_PER_S, hbm_efficiency: float = 1.0,
               clock_hz: float | None = None, levels: int | None = None,
               beats_per_item: int | None = None) -> JobCycles:
    """Cycles of one job of `rows` rows (at most rows_max), each over n items keeping the k best.
    chip_n: items a row reads from the on-chip slots (default: as many as fit, as a single-row
    LOAD leaves them); levels: radix-select passes if known (else expected); beats_per_item: PE
    cycles per item when a problem needs more than the design's beats (more heads than built:
    several passes over each item)."""
    if not 1 <= rows <= shape.rows_max:
        raise ValueError(f"{shape.kernel}: a job covers 1..{shape.rows_max} rows, asked for {rows}")
    p = shape.streams
    ib = beats_per_item or shape.item_beats
    chip_total = min(n, shape.chip_items) if chip_n is None else min(chip_n, n, shape.chip_items)
    per_hbm = hbm_cycles_per_beat(shape, pc_bw_bytes_per_s, hbm_efficiency, clock_hz)
    stream, hbm_part, bound, hbm_beats_max, pe_trips_max = 0.0, 0.0, "pe", 0, 0
    ipb = shape.items_per_beat
    for s in range(p):
        # a stream's items; several a beat: its beats (lane 0's share of the top-k streams)
        count = dealt(n, p, s) if ipb == 1 else dealt(n, p * ipb, s * ipb)
        chip = min(count, dealt(chip_total, p, s))
        hbm_items = count - chip
        fetch = burst = 0.0
        if chip:
            latency = shape.bram_latency if chip <= shape.bram_slots else shape.uram_latency
            fetch += latency + chip * shape.item_beats
        if hbm_items:
            burst = shape.hbm_latency + hbm_items * shape.item_beats * per_hbm
        fetch += burst
        pe = count * ib * shape.pe_ii
        cycles = max(fetch, pe)
        if cycles > stream:
            stream, hbm_part, bound = cycles, burst, ("hbm" if fetch > pe else "pe")
        hbm_beats_max = max(hbm_beats_max, hbm_items * shape.item_beats)
        pe_trips_max = max(pe_trips_max, count * ib)
    ts = shape.topk_streams
    queue_items = sum(dealt(n, ts, s) for s in range(min(shape.topk_group, ts)))  # queue 0: the busiest
    if shape.select:
        rounds = dealt(n, ts, 0)
        lv = expected_levels(n, k) if levels is None else levels
        topk_tail = lv * (rounds + SEL_BINS) + rounds + k
        trips = {"rounds": rounds, "topk_cycles": topk_tail, "levels": lv}
    else:
        rounds = queue_items
        if rounds > stream:
            stream, bound = float(rounds), "topk"
        kcap = shape.k_max
        topk_tail = (kcap - 1) + (shape.queues * k + kcap - 1) + k
        trips = {"rounds": rounds, "topk_cycles": rounds + topk_tail, "levels": 0}
    trips.update({"pe_trips": pe_trips_max, "hbm_beats": hbm_beats_max})
    overhead, query = job_head_cycles(shape, rows, pc_bw_bytes_per_s, hbm_efficiency, clock_hz)
    tail = shape.pe_depth + topk_tail + RESULT_II * k + STATS_CYCLES
    return JobCycles(trips, stream, hbm_part, shape.query_beats, tail, bound, overhead + query, rows)


def jobs_for(shape: DesignShape, rows: int) -> list[int]:
    """Rows of each job when `rows` rows (a layer's batch) are split into jobs of rows_max."""
    full, rest = divmod(rows, shape.rows_max)
    return [shape.rows_max] * full + ([rest] if rest else [])


def token_head_cycles(shape: DesignShape, batch: int, layers: int, *, rows_per_job: int | None = None,
                      pc_bw_bytes_per_s: float = PC_BW_BYTES_PER_S, hbm_efficiency: float = 1.0,
                      clock_hz: float | None = None) -> tuple[float, float]:
    """(overhead, query) cycles the job heads of one token cost: `layers` layers of `batch` rows,
    in jobs of `rows_per_job` rows (default rows_max; 1: a job per request, the design before
    rows). Overhead: doorbells, row-burst latencies and record beats; query: the query beats."""
    per_job = rows_per_job or shape.rows_max
    full, rest = divmod(batch, per_job)
    heads = [job_head_cycles(shape, rows, pc_bw_bytes_per_s, hbm_efficiency, clock_hz)
             for rows in [per_job] * full + ([rest] if rest else [])]
    return layers * sum(h[0] for h in heads), layers * sum(h[1] for h in heads)
