"""Host side of each FPGA kernel: random problems, HBM buffer layouts, job descriptors, the
numpy reference, and the kernel's argument list; shared by the csim and pyxrt backends so that
both drive the kernel exactly alike (layouts are documented in each kernel's header file).

A kernel is started once per launch with `n_jobs` job descriptors (fpga_kernels/common/jobs.h):
one launch per token, one job per layer covering the rows (requests) of the batch. A `Problem` is
one row; `Launch` lays several out side by side (each its own region of every item port, its own
record + query in the query buffer and its own on-chip slots), groups them into jobs of
`rows_per_job` rows and builds the descriptor ring.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hetsim.calibration.kernel_params import quantize
from hetsim.fpga_runner.reference import (
    TopKReference,
    bm25_scores,
    bm25_weights,
    inner_product_scores,
    page_minmax_scores,
    pq_lut_scores,
    topk_exact,
)
from hetsim.hardware.fpga_kernels.designs import design_shape
from hetsim.hardware.fpga_kernels.params import KernelParams

MODE_LOAD, MODE_QUERY = 0, 1
STATS_WORDS = 16  # fpga_kernels/common/stats_words.h
JOB_WORDS = 8  # fpga_kernels/common/jobs.h: seq, rows, row0, (LOAD) n, first
ROW_WORDS = 6  # jobs.h: a row's record: n, k, index_beat, chip_first, chip_n, flags
# Words of a stats record (stats_words.h).
ST = {"bram": 0, "uram": 1, "hbm": 2, "rounds": 3, "survivors": 4, "merged": 5, "pe_trips": 6, "hbm_beats": 7,
      "topk_cycles": 8, "levels": 9, "job": 10, "row": 11}
SYSTOLIC_K_MAX = 256  # topk.h: larger k_max builds the radix select


@dataclass
class Problem:
    """One row (one request's query over its region) of size n: `arrays` are the inputs, `items`
    the item rows as the HBM holds them (one row of item_beats x beat bytes per item), `query`
    the row's query beats (bytes)."""

    n: int
    k: int
    arrays: dict[str, np.ndarray]
    items: np.ndarray | None = None
    query: np.ndarray | None = None
    scalars: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    topk: TopKReference
    stats: np.ndarray  # uint32[STATS_WORDS]


@dataclass
class Launch:
    """Rows of one kernel start, grouped into jobs: per-port HBM images (regions side by side),
    the query buffer (each row's record, then its query), the descriptor ring, and where each
    row's region and on-chip slots begin."""

    problems: list[Problem]  # the rows, in order
    port_images: list[np.ndarray]
    query: np.ndarray  # uint8[rows x row_beats x beat bytes]
    jobs: np.ndarray  # uint32[n_jobs x JOB_WORDS]
    index_beats: list[int]
    chip: list[tuple[int, int]]  # (chip_first, chip_n) per row
    row_bytes: int  # bytes of a row in the query buffer (record + query)

    @property
    def n_jobs(self) -> int:
        return self.jobs.size // JOB_WORDS

    @property
    def ks(self) -> list[int]:
        return [pb.k for pb in self.problems]

    def record(self, r: int) -> np.ndarray:
        """Row r's record words (a view into the query buffer: writing it changes the row)."""
        return self.query[r * self.row_bytes: r * self.row_bytes + 4 * ROW_WORDS].view(np.uint32)


class KernelAdapter:
    """What a backend needs to run one kernel. Subclasses fill in the kernel specifics."""

    name: str
    io_args = ("jobs", "query", "out_idx", "out_score", "stats")
    tiered = False  # on-chip BRAM / URAM slots that a LOAD fills

    def __init__(self, kp: KernelParams):
        self.kp = kp
        self.shape = design_shape(kp)  # the build's loop structure (streams, tiers, key lanes)
        self.k_max = kp.int("k_max")
        self.beat_bytes = kp.int("axi_width_bits") // 8

    @property
    def n_ports(self) -> int:
        return len(self.kp.item_ports)

    @property
    def chip_slots(self) -> int:
        """On-chip items of the whole kernel (floor(capacity / streams) slots per stream)."""
        return self.shape.chip_items

    @property
    def ordered(self) -> bool:
        """Results best first (systolic top-k); the radix select writes the set stream by stream."""
        return self.k_max <= SYSTOLIC_K_MAX

    @property
    def topk_streams(self) -> int:
        """Score streams into the top-k (one per port, or per key lane of a port)."""
        return self.shape.topk_streams

    def arg_names(self) -> list[str]:
        """Buffer args of the top function, in signature order (scalars mode, n_jobs follow)."""
        return [*self.kp.item_ports, *self.io_args]

    def check_k(self, k: int) -> None:
        if not 1 <= k <= self.k_max:
            raise ValueError(f"{self.name}: k must be in 1..{self.k_max} (params k_max), got {k}")

    # --- layout of a launch
    @property
    def rows_max(self) -> int:
        """Rows one job can cover (the kernel's on-chip row buffer)."""
        return self.kp.int("rows_max")

    @property
    def row_beats(self) -> int:
        """Beats of a row in the query buffer: its record, then its query (jobs.h)."""
        return self.shape.rec_beats + self.shape.query_beats

    def launch(self, problems: list[Problem], *, chip: bool = True, rows_per_job: int | None = None) -> Launch:
        """Regions side by side on every port (each padded to the busiest port's items), on-chip
        slots handed out in row order while they last (chip=False: everything from HBM); jobs of
        `rows_per_job` rows (default: as many as a job holds, i.e. one job per layer of a batch
        up to rows_max rows)."""
        per_job = rows_per_job or self.rows_max
        if not 1 <= per_job <= self.rows_max:
            raise ValueError(f"{self.name}: a job covers 1..{self.rows_max} rows (params rows_max), got {per_job}")
        p, bb = self.n_ports, self.beat_bytes
        row_bytes = self.row_beats * bb
        rec_bytes = self.shape.rec_beats * bb
        images: list[list[np.ndarray]] = [[] for _ in range(p)]
        query = np.zeros(max(1, len(problems)) * row_bytes, np.uint8)
        index_beats, chips, beat, chip_first = [], [], 0, 0
        for r, pb in enumerate(problems):
            assert pb.items is not None and pb.query is not None
            items = pb.items
            per_port = -(-pb.n // p)
            for port in range(p):
                mine = items[port::p]
                pad = np.zeros((per_port - len(mine), items.shape[1]), items.dtype)
                images[port].append(np.concatenate([mine, pad]).view(np.uint8).reshape(-1))
            chip_n = min(pb.n, self.chip_slots - chip_first) if chip else 0
            q = pb.query.view(np.uint8).reshape(-1)
            if q.size > row_bytes - rec_bytes:
                raise ValueError(f"{self.name}: a query of {q.size} bytes; the kernel reads {row_bytes - rec_bytes}")
            at = r * row_bytes
            query[at: at + 4 * ROW_WORDS].view(np.uint32)[:] = [pb.n, pb.k, beat, chip_first, chip_n,
                                                               pb.scalars.get("flags", 0)]
            query[at + rec_bytes: at + rec_bytes + q.size] = q
            index_beats.append(beat)
            chips.append((chip_first, chip_n))
            beat += per_port * items.shape[1] * items.itemsize // bb
            chip_first += -(-chip_n // p) * p
        n_jobs = -(-len(problems) // per_job)
        jobs = np.zeros((n_jobs, JOB_WORDS), np.uint32)
        for j in range(n_jobs):
            row0 = j * per_job
            jobs[j, :3] = [j + 1, min(per_job, len(problems) - row0), row0]
        ports = [np.concatenate(parts) if parts else np.zeros(bb, np.uint8) for parts in images]
        return Launch(problems, ports, query, jobs.reshape(-1), index_beats, chips, row_bytes)

    def load_jobs(self, launch: Launch, r: int, first: int = 0, n: int | None = None) -> np.ndarray:
        """The one-descriptor ring of a LOAD: items [first, first + n) of row r's region on chip
        (n defaults to the row's on-chip items from `first`)."""
        chip_n = launch.chip[r][1]
        n = max(0, chip_n - first) if n is None else n
        return np.array([1, 1, r, n, first, 0, 0, 0], np.uint32)

    def reference(self, pb: Problem) -> TopKReference:
        want = topk_exact(self.scores(pb), pb.k)
        if self.ordered:
            return want
        # the radix select writes the k best stream by stream: (index % streams, index // streams)
        m = min(pb.k, pb.n)
        idx = want.idx[:m].astype(np.int64)
        order = np.lexsort((idx // self.topk_streams, idx % self.topk_streams))
        return TopKReference(np.concatenate([want.idx[:m][order], want.idx[m:]]),
                             np.concatenate([want.score[:m][order], want.score[m:]]))

    # --- per kernel
    def random_problem(self, n: int, k: int, rng: np.random.Generator, **kw: Any) -> Problem:
        raise NotImplementedError

    def scores(self, pb: Problem) -> np.ndarray:
        raise NotImplementedError

    # --- C-simulation (one row per call unless a launch is given)
    def csim_load(self, lib: Any, pb: Problem) -> Launch:
        launch = self.launch([pb])
        csim_write(lib, launch)
        if self.tiered:
            csim_run(lib, MODE_LOAD, self.load_jobs(launch, 0))
        return launch

    def csim_query(self, lib: Any, pb: Problem, launch: Launch | None = None) -> Result:
        """Row 0 of the launch as one job, asking for pb.k results."""
        self.check_k(pb.k)
        launch = launch or self.launch([pb])
        launch.record(0)[1] = pb.k
        lib.query_write(launch.query)
        jobs = np.array([1, 1, 0, 0, 0, 0, 0, 0], np.uint32)
        return csim_run(lib, MODE_QUERY, jobs, [pb.k], self.k_max)[0]


def csim_write(lib: Any, launch: Launch) -> None:
    for port, image in enumerate(launch.port_images):
        lib.hbm_write(port, image)
    lib.query_write(launch.query)


def csim_run(lib: Any, mode: int, jobs: np.ndarray, ks: list[int] | tuple[int, ...] = (),
             k_max: int = 1) -> list[Result]:
    """One kernel start through the C API over the jobs of `jobs` (LOAD: its one descriptor);
    per row r (ks[r] results wanted) its k_max result slots and stats."""
    jobs = np.ascontiguousarray(jobs, np.uint32)
    n_jobs, rows = jobs.size // JOB_WORDS, len(ks)
    slots = max(rows, 1)
    idx = np.zeros(slots * k_max, np.uint32)
    score = np.zeros(slots * k_max, np.int64)
    stats = np.zeros(slots * STATS_WORDS, np.uint32)
    lib.call("csim_run", _u32(mode), _u32(n_jobs), _u32(rows), _ptr(jobs), _ptr(idx), _ptr(score), _ptr(stats))
    if mode == MODE_LOAD:
        return []
    return [Result(TopKReference(idx[r * k_max: r * k_max + k].copy(), score[r * k_max: r * k_max + k].copy()),
                   stats[r * STATS_WORDS:(r + 1) * STATS_WORDS].copy()) for r, k in enumerate(ks)]


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return a.ctypes.data_as(ctypes.c_void_p)


def _u32(x: int) -> ctypes.c_uint32:
    return ctypes.c_uint32(int(x))


def _rows(blocks: np.ndarray, beats: int, lanes: int) -> np.ndarray:
    """[n, m] elements -> [n, beats x lanes], zero padded."""
    out = np.zeros((blocks.shape[0], beats * lanes), blocks.dtype)
    out[:, : blocks.shape[1]] = blocks
    return out


class InnerProductTopk(KernelAdapter):
    name = "inner_product_topk"
    tiered = True

    def random_problem(self, n: int, k: int, rng: np.random.Generator, *, value_range: int = 3,
                       relu: bool = True) -> Problem:
        self.check_k(k)
        h, d = self.kp.int("heads"), self.kp.int("head_dim")
        keys = rng.integers(-value_range, value_range + 1, size=(n, d), dtype=np.int16)
        query = rng.integers(-value_range, value_range + 1, size=(h, d), dtype=np.int16)
        head_w = rng.integers(-3, 4, size=h, dtype=np.int16) if h > 1 else np.ones(1, np.int16)
        return self.problem(keys, query, head_w, k, relu)

    def problem(self, keys: np.ndarray, query: np.ndarray, head_w: np.ndarray, k: int, relu: bool) -> Problem:
        """keys [n, D], query [H, D], head_w [H] (int16) laid out as the kernel reads them."""
        n, h, d = keys.shape[0], query.shape[0], keys.shape[1]
        lanes = self.beat_bytes // 2
        beats = -(-d // lanes)
        qbuf = np.zeros((h * beats + 1) * lanes, np.int16)
        qbuf[: h * beats * lanes] = _rows(query, beats, lanes).reshape(-1)
        qbuf[h * beats * lanes: h * beats * lanes + h] = head_w
        return Problem(n, k, {"keys": keys, "query": query, "head_w": head_w}, _rows(keys, beats, lanes), qbuf,
                       scalars={"flags": int(relu)})

    def scores(self, pb: Problem) -> np.ndarray:
        a = pb.arrays
        return inner_product_scores(a["keys"], a["query"], a["head_w"], bool(pb.scalars["flags"] & 1))


class PageMinmaxTopk(KernelAdapter):
    name = "page_minmax_topk"
    tiered = True

    def random_problem(self, n: int, k: int, rng: np.random.Generator, *, value_range: int = 3) -> Problem:
        self.check_k(k)
        h, d = self.kp.int("heads"), self.kp.int("head_dim")
        lanes = self.beat_bytes // 2
        half = lanes // 2
        beats = -(-d // half)
        kmin = rng.integers(-value_range, value_range + 1, size=(n, d), dtype=np.int16)
        kmax = (kmin + rng.integers(0, value_range + 1, size=(n, d))).clip(max=32767).astype(np.int16)
        query = rng.integers(-value_range, value_range + 1, size=(h, d), dtype=np.int16)
        # beat b of a page: kmin of channels [b half, (b + 1) half), then kmax of the same channels
        lo = _rows(kmin, beats, half).reshape(n, beats, half)
        hi = _rows(kmax, beats, half).reshape(n, beats, half)
        items = np.concatenate([lo, hi], axis=2).reshape(n, beats * lanes)
        qbuf = np.zeros((h, beats, lanes), np.int16)
        qbuf[:, :, :half] = _rows(query, beats, half).reshape(h, beats, half)
        return Problem(n, k, {"kmin": kmin, "kmax": kmax, "query": query}, items, qbuf.reshape(-1))

    def scores(self, pb: Problem) -> np.ndarray:
        a = pb.arrays
        return page_minmax_scores(a["kmin"], a["kmax"], a["query"])


class Bm25Topk(KernelAdapter):
    name = "bm25_topk"

    def __init__(self, kp: KernelParams):
        super().__init__(kp)
        self.k1_q = quantize(float(kp["k1"]), kp.int("kb_frac_bits"))
        self.b_q = quantize(float(kp["b"]), kp.int("kb_frac_bits"))

    def random_problem(self, n: int, k: int, rng: np.random.Generator, *, n_terms: int = 8,
                       term_pool: int = 200) -> Problem:
        """Documents of distinct terms from the first `term_pool` ids (so queries hit); every
        third document copies an earlier one (ties). The host computes the slot weights."""
        self.check_k(k)
        kp = self.kp
        vocab, slots = kp.int("vocab"), kp.int("doc_slots")
        pool = min(term_pool, vocab)
        if n_terms > kp.int("query_terms_max") or n_terms > pool:
            raise ValueError(f"bm25_topk: at most {kp.int('query_terms_max')} query terms")
        terms = np.zeros((n, slots), np.uint32)
        tf = np.zeros((n, slots), np.uint32)
        for d in range(n):
            if d % 3 == 2:
                terms[d], tf[d] = terms[d - 2], tf[d - 2]
                continue
            m = int(rng.integers(0, min(slots, pool) + 1))
            terms[d, :m] = rng.choice(pool, size=m, replace=False)
            tf[d, :m] = rng.integers(1, 6, size=m)
        query = rng.choice(pool, size=n_terms, replace=False).astype(np.uint32)
        idf = rng.integers(0, 1 << kp.int("idf_bits"), size=vocab, dtype=np.uint16)
        avgdl_q8 = max(1, (int(tf.sum()) << kp.int("kb_frac_bits")) // max(n, 1))
        weights = bm25_weights(tf, avgdl_q8, self.k1_q, self.b_q, kp.int("kb_frac_bits"), kp.int("weight_frac_bits"))
        words = terms | (weights.astype(np.uint32) << kp.int("term_bits"))
        lanes = self.beat_bytes // 4
        beats = -(-slots // lanes)
        qwords = np.zeros(-(-kp.int("query_terms_max") // lanes) * lanes, np.uint32)
        qwords[:n_terms] = query | (idf[query].astype(np.uint32) << kp.int("term_bits"))
        return Problem(n, k, {"terms": terms, "tf": tf, "weights": weights, "query": query, "idf": idf},
                       _rows(words, beats, lanes), qwords, scalars={"avgdl_q8": avgdl_q8, "n_terms": n_terms})

    def scores(self, pb: Problem) -> np.ndarray:
        a = pb.arrays
        return bm25_scores(a["terms"], a["weights"], a["query"], a["idf"])


class PqLutTopk(KernelAdapter):
    """The lookup-table DSA indexer: keys as PQ codes (one byte per subspace), KPB keys a beat;
    per job a table [H, M, C] of int8 entries and H int16 head weights (pq_lut_topk.h)."""

    name = "pq_lut_topk"

    def __init__(self, kp: KernelParams):
        super().__init__(kp)
        self.m, self.c, self.h = kp.int("subspaces"), kp.int("codebook"), kp.int("heads")
        self.kpb = self.shape.items_per_beat
        if kp.int("code_bits") != 8 or kp.int("lut_bits") != 8:
            raise ValueError("pq_lut_topk host layout: one byte per code and per table entry")

    def random_problem(self, n: int, k: int, rng: np.random.Generator, *, value_range: int = 3,
                       relu: bool = True) -> Problem:
        self.check_k(k)
        codes = rng.integers(0, self.c, size=(n, self.m), dtype=np.uint8)
        table = rng.integers(-value_range, value_range + 1, size=(self.h, self.m, self.c), dtype=np.int8)
        head_w = rng.integers(-3, 4, size=self.h, dtype=np.int16) if self.h > 1 else np.ones(1, np.int16)
        return self.problem(codes, table, head_w, k, relu)

    def problem(self, codes: np.ndarray, table: np.ndarray, head_w: np.ndarray, k: int, relu: bool) -> Problem:
        """codes [n, M] uint8, table [H, M, C] int8, head_w [H] int16, laid out as the kernel reads them."""
        n = codes.shape[0]
        groups = -(-n // self.kpb)
        rows = np.zeros((groups * self.kpb, self.m), np.uint8)
        rows[:n] = codes
        items = rows.reshape(groups, self.kpb * self.m)  # a beat: KPB keys of M codes
        bb = self.beat_bytes
        tbytes = -(-table.size // bb) * bb
        qbuf = np.zeros(tbytes + bb, np.uint8)
        qbuf[: table.size] = table.reshape(-1).view(np.uint8)
        qbuf[tbytes: tbytes + 2 * self.h] = head_w.astype(np.int16).view(np.uint8)
        return Problem(n, k, {"codes": codes, "table": table, "head_w": head_w}, items, qbuf,
                       scalars={"flags": int(relu)})

    def scores(self, pb: Problem) -> np.ndarray:
        a = pb.arrays
        return pq_lut_scores(a["codes"], a["table"], a["head_w"], bool(pb.scalars["flags"] & 1))


ADAPTERS: dict[str, type[KernelAdapter]] = {
    cls.name: cls for cls in (InnerProductTopk, PageMinmaxTopk, Bm25Topk, PqLutTopk)
}


def adapter_for(kp: KernelParams) -> KernelAdapter:
    return ADAPTERS[kp.kernel](kp)
