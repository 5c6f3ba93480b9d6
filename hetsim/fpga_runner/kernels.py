"""Host side of each FPGA kernel: random problems, HBM buffer layouts, the numpy reference,
and the kernel's argument list; shared by the csim and pyxrt backends so that both drive the
kernel exactly alike (layouts are documented in each kernel's header file).
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
    inner_product_scores,
    page_minmax_scores,
    topk_exact,
)
from hetsim.hardware.fpga_kernels.params import KernelParams

MODE_LOAD, MODE_QUERY = 0, 1
STATS_WORDS = 8


@dataclass
class Problem:
    """One query of size n: `arrays` are the inputs, `port_images` the streaming HBM buffers
    (one per port, bytes as the HBM holds them), `io` the small input buffers."""

    n: int
    k: int
    arrays: dict[str, np.ndarray]
    port_images: list[np.ndarray] = field(default_factory=list)
    io: dict[str, np.ndarray] = field(default_factory=dict)
    scalars: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Result:
    topk: TopKReference
    stats: np.ndarray  # uint32[STATS_WORDS]


def deal(rows: np.ndarray, ports: int, row_elems: int) -> list[np.ndarray]:
    """Item i to port i % ports, each item padded with zeros to `row_elems` elements."""
    padded = np.zeros((rows.shape[0], row_elems), dtype=rows.dtype)
    padded[:, : rows.shape[1]] = rows
    return [np.ascontiguousarray(padded[p::ports]).reshape(-1) for p in range(ports)]


class KernelAdapter:
    """What a backend needs to run one kernel. Subclasses fill in the kernel specifics."""

    name: str
    port_group: str  # the m_axi group that streams the items
    io_args: tuple[str, ...]  # the gmem_io args, in signature order
    outputs = ("out_idx", "out_score", "stats")

    def __init__(self, kp: KernelParams):
        self.kp = kp
        self.k_max = kp.int("k_max")
        self.elems_per_beat = kp.int("axi_width_bits") // kp.int("data_bits") if "data_bits" in kp.values else 0

    @property
    def n_ports(self) -> int:
        return len(self.kp.ports[self.port_group]["args"])

    def arg_names(self) -> list[str]:
        """Buffer args of the top function, in signature order (scalars follow)."""
        return [*self.kp.ports[self.port_group]["args"], *self.io_args]

    def check_k(self, k: int) -> None:
        if not 1 <= k <= self.k_max:
            raise ValueError(f"{self.name}: k must be in 1..{self.k_max} (params k_max), got {k}")

    # --- per kernel
    def random_problem(self, n: int, k: int, rng: np.random.Generator, **kw: Any) -> Problem:
        raise NotImplementedError

    def reference(self, pb: Problem) -> TopKReference:
        raise NotImplementedError

    def load_scalars(self, pb: Problem) -> list[int]:
        raise NotImplementedError

    def query_scalars(self, pb: Problem) -> list[int]:
        raise NotImplementedError

    def csim_load(self, lib: Any, pb: Problem) -> None:
        raise NotImplementedError

    def csim_query(self, lib: Any, pb: Problem) -> Result:
        raise NotImplementedError


def _out_buffers(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(k, np.uint32), np.zeros(k, np.int64), np.zeros(STATS_WORDS, np.uint32)


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return a.ctypes.data_as(ctypes.c_void_p)


def _u32(x: int) -> ctypes.c_uint32:
    return ctypes.c_uint32(int(x))


class InnerProductTopk(KernelAdapter):
    name = "inner_product_topk"
    port_group = "keys"
    io_args = ("query", "head_w", "out_idx", "out_score", "stats")

    def random_problem(self, n: int, k: int, rng: np.random.Generator, *, value_range: int = 3,
                       relu: bool = True) -> Problem:
        self.check_k(k)
        h, d = self.kp.int("heads"), self.kp.int("head_dim")
        keys = rng.integers(-value_range, value_range + 1, size=(n, d), dtype=np.int16)
        query = rng.integers(-value_range, value_range + 1, size=(h, d), dtype=np.int16)
        head_w = rng.integers(-3, 4, size=h, dtype=np.int16) if h > 1 else np.ones(1, np.int16)
        pb = Problem(n, k, {"keys": keys, "query": query, "head_w": head_w}, scalars={"relu": int(relu)})
        row = -(-d // self.elems_per_beat) * self.elems_per_beat  # KEY_BEATS beats per key
        pb.port_images = deal(keys, self.n_ports, row)
        pb.io = {"query": query.reshape(-1), "head_w": head_w}
        return pb

    def reference(self, pb: Problem) -> TopKReference:
        a = pb.arrays
        return topk_exact(inner_product_scores(a["keys"], a["query"], a["head_w"], bool(pb.scalars["relu"])), pb.k)

    def load_scalars(self, pb: Problem) -> list[int]:  # mode, first, n_keys, k, relu
        return [MODE_LOAD, 0, pb.n, 0, 0]

    def query_scalars(self, pb: Problem) -> list[int]:
        return [MODE_QUERY, 0, pb.n, pb.k, pb.scalars["relu"]]

    def csim_load(self, lib: Any, pb: Problem) -> None:
        for p, image in enumerate(pb.port_images):
            lib.hbm_write(p, image)
        lib.call("csim_load", _u32(0), _u32(pb.n))

    def csim_query(self, lib: Any, pb: Problem) -> Result:
        idx, score, stats = _out_buffers(pb.k)
        q, w = pb.io["query"], pb.io["head_w"]
        lib.call("csim_query", _ptr(q), _ptr(w), _u32(pb.n), _u32(pb.k), _u32(pb.scalars["relu"]),
                 _ptr(idx), _ptr(score), _ptr(stats))
        return Result(TopKReference(idx, score), stats)


class PageMinmaxTopk(KernelAdapter):
    name = "page_minmax_topk"
    port_group = "pages"
    io_args = ("query", "out_idx", "out_score", "stats")

    def random_problem(self, n: int, k: int, rng: np.random.Generator, *, value_range: int = 3) -> Problem:
        self.check_k(k)
        h, d = self.kp.int("heads"), self.kp.int("head_dim")
        kmin = rng.integers(-value_range, value_range + 1, size=(n, d), dtype=np.int16)
        kmax = (kmin + rng.integers(0, value_range + 1, size=(n, d))).clip(max=32767).astype(np.int16)
        query = rng.integers(-value_range, value_range + 1, size=(h, d), dtype=np.int16)
        pb = Problem(n, k, {"kmin": kmin, "kmax": kmax, "query": query})
        row = -(-2 * d // self.elems_per_beat) * self.elems_per_beat  # PAGE_BEATS beats per page
        pb.port_images = deal(np.concatenate([kmin, kmax], axis=1), self.n_ports, row)
        pb.io = {"query": query.reshape(-1)}
        return pb

    def reference(self, pb: Problem) -> TopKReference:
        a = pb.arrays
        return topk_exact(page_minmax_scores(a["kmin"], a["kmax"], a["query"]), pb.k)

    def load_scalars(self, pb: Problem) -> list[int]:  # mode, first, n_pages, k
        return [MODE_LOAD, 0, pb.n, 0]

    def query_scalars(self, pb: Problem) -> list[int]:
        return [MODE_QUERY, 0, pb.n, pb.k]

    def csim_load(self, lib: Any, pb: Problem) -> None:
        for p, image in enumerate(pb.port_images):
            lib.hbm_write(p, image)
        lib.call("csim_load", _u32(0), _u32(pb.n))

    def csim_query(self, lib: Any, pb: Problem) -> Result:
        idx, score, stats = _out_buffers(pb.k)
        lib.call("csim_query", _ptr(pb.io["query"]), _u32(pb.n), _u32(pb.k), _ptr(idx), _ptr(score),
                 _ptr(stats))
        return Result(TopKReference(idx, score), stats)


class Bm25Topk(KernelAdapter):
    name = "bm25_topk"
    port_group = "docs"
    io_args = ("query", "idf", "out_idx", "out_score", "stats")

    def __init__(self, kp: KernelParams):
        super().__init__(kp)
        self.k1_q = quantize(float(kp["k1"]), kp.int("kb_frac_bits"))
        self.b_q = quantize(float(kp["b"]), kp.int("kb_frac_bits"))

    def random_problem(self, n: int, k: int, rng: np.random.Generator, *, n_terms: int = 8,
                       term_pool: int = 200) -> Problem:
        """Documents of distinct terms from the first `term_pool` ids (so queries hit); every
        third document copies an earlier one (ties)."""
        self.check_k(k)
        vocab, slots = self.kp.int("vocab"), self.kp.int("doc_slots")
        pool = min(term_pool, vocab)
        if n_terms > self.kp.int("query_terms_max") or n_terms > pool:
            raise ValueError(f"bm25_topk: at most {self.kp.int('query_terms_max')} query terms")
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
        idf = rng.integers(0, 1 << self.kp.int("idf_bits"), size=vocab, dtype=np.uint16)
        total = int(tf.sum())
        avgdl_q8 = max(1, (total << self.kp.int("kb_frac_bits")) // max(n, 1))
        pb = Problem(n, k, {"terms": terms, "tf": tf, "query": query, "idf": idf},
                     scalars={"avgdl_q8": avgdl_q8, "n_terms": n_terms})
        words = terms | (tf << self.kp.int("term_bits"))
        per_beat = self.kp.int("axi_width_bits") // (self.kp.int("term_bits") + self.kp.int("tf_bits"))
        pb.port_images = deal(words, self.n_ports, -(-slots // per_beat) * per_beat)
        qbuf = np.zeros(self.kp.int("query_terms_max"), np.uint32)
        qbuf[:n_terms] = query
        pb.io = {"query": qbuf, "idf": idf}
        return pb

    def reference(self, pb: Problem) -> TopKReference:
        a, kp = pb.arrays, self.kp
        scores = bm25_scores(a["terms"], a["tf"], a["query"], a["idf"], pb.scalars["avgdl_q8"], self.k1_q,
                             self.b_q, kp.int("kb_frac_bits"), kp.int("weight_frac_bits"))
        return topk_exact(scores, pb.k)

    def load_scalars(self, pb: Problem) -> list[int]:  # mode, n_docs, n_terms, avgdl_q8, k
        return [MODE_LOAD, 0, 0, 1, 0]

    def query_scalars(self, pb: Problem) -> list[int]:
        return [MODE_QUERY, pb.n, pb.scalars["n_terms"], pb.scalars["avgdl_q8"], pb.k]

    def csim_load(self, lib: Any, pb: Problem) -> None:
        for p, image in enumerate(pb.port_images):
            lib.hbm_write(p, image)
        lib.call("csim_load", _ptr(pb.io["idf"]))

    def csim_query(self, lib: Any, pb: Problem) -> Result:
        idx, score, stats = _out_buffers(pb.k)
        lib.call("csim_query", _ptr(pb.io["query"]), _u32(pb.scalars["n_terms"]), _u32(pb.n),
                 _u32(pb.scalars["avgdl_q8"]), _u32(pb.k), _ptr(idx), _ptr(score), _ptr(stats))
        return Result(TopKReference(idx, score), stats)


ADAPTERS: dict[str, type[KernelAdapter]] = {
    cls.name: cls for cls in (InnerProductTopk, PageMinmaxTopk, Bm25Topk)
}


def adapter_for(kp: KernelParams) -> KernelAdapter:
    return ADAPTERS[kp.kernel](kp)
