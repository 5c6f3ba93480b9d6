"""The aten sweep's twenty-first real-code fit group: `realcode-more21`, torch.topk sorted and not, the short sorts
after it, scans over an outer dim, GNN-sized index_add_ and embedding bags of few rows.

The pooled blind checks (realcode-check .. realcode-check19), looked at after scoring, priced these off:
- torch.topk with sorted=True (the default): after the select PyTorch sorts each row's k results in place
  (TensorTopK.cpp: sortKeyValueInplace up to 4,096, else a sort, a gather and two copies), which the top-k keys, fitted
  on the suite's sorted calls, held only on average: k of 250-512 ran 31-64 us priced 19-40, sorted=False cases were
  priced 1.2-2x high. Timed here as twins, sorted and not, at the same shapes (and k = 1, which sorts nothing);
- the in-place sort itself has three kernels by row length (Sort.cu: a bitonic sort up to 32 keys, a warp merge sort
  up to 128, a block radix sort up to 4,096), which a torch.sort of short rows runs too: rows of 16-4,096 keys;
- cumsum over an outer or middle dim (scan_outer_dim, a thread a column walking the rows);
- index_add_ of GNN message passing (tens of thousands of nodes, hundreds of thousands of edges) and embedding bags of
  one to four rows a bag.
"""

from __future__ import annotations

REALCODE_MORE21 = "realcode-more21"

# (rows, n, k) of the top-k twins: one block a row (waves of rows), the multi-block select (DSA's top-2048 over a long
# context, a retriever's top-100 over a corpus), k past 4,096 (the sort, gather and copies path) and k = 1
TOPK_SHAPES = ((64, 4096, 8), (64, 4096, 32), (64, 4096, 100), (64, 4096, 256), (64, 4096, 1024), (512, 2048, 64),
               (512, 2048, 512), (1024, 1000, 16), (16, 8000, 400), (2048, 4096, 2048), (1, 131072, 2048),
               (4, 65536, 2048), (1, 1000000, 100), (8, 262144, 1024), (2, 200000, 5000), (1, 65536, 8192),
               (256, 32000, 1), (32, 128256, 50))


def _more21():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32

    out = []
    for rows, n, k in TOPK_SHAPES:
        for dt in (bf, f32):
            out.append(("topk_sorted", lambda x, k=k: torch.topk(x, k, dim=-1), (m(rows, n, dt=dt),)))
            if k > 1:
                out.append(("topk_unsorted", lambda x, k=k: torch.topk(x, k, dim=-1, sorted=False),
                            (m(rows, n, dt=dt),)))
    # short rows sorted in place: the bitonic (<= 32), warp merge (<= 128) and block radix (<= 4,096) kernels
    for rows, n, dt in ((4096, 16, f32), (65536, 32, bf), (4096, 32, f32), (4096, 64, bf), (16384, 100, f32),
                        (4096, 128, f32), (2048, 200, bf), (1024, 512, f32), (512, 2048, bf), (256, 4096, f32)):
        out.append(("sort_short", lambda x: torch.sort(x, dim=-1, descending=True), (m(rows, n, dt=dt),)))
    out.append(("sort_short_stable", lambda x: torch.sort(x, dim=-1, stable=True), (m(8192, 32, dt=f32),)))
    # scans over an outer or middle dim (Mamba-2's segment sums, cumulative counts over tokens)
    for shape, dim, dt in (((4096, 1024), 0, f32), ((8, 2048, 512), 1, f32), ((1, 16384, 128), 1, f32),
                           ((32, 256, 64), 1, bf), ((2, 8, 4096, 64), 2, f32), ((512, 8192), 0, f16)):
        out.append(("cumsum_outer", lambda x, dim=dim: torch.cumsum(x, dim=dim), (m(*shape, dt=dt),)))
    # GNN message passing: messages of E edges added into N nodes
    for nodes, edges, width in ((10000, 200000, 64), (2708, 10556, 16), (100000, 1000000, 8)):
        out.append(("index_add_gnn", lambda x, idx, src: x.index_add_(0, idx, src),
                    (m(nodes, width, dt=f32), i(edges), m(edges, width, dt=f32))))
    # embedding bags of one to four rows a bag (recommenders' sparse features)
    for bags, per, rows, width in ((4096, 1, 100000, 64), (4096, 4, 1000000, 32), (16384, 2, 50000, 128)):
        out.append(("embedding_bag_few", lambda idx, w: torch.nn.functional.embedding_bag(idx, w, mode="sum"),
                    (i(bags, per), m(rows, width, dt=f32))))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE21, _more21()),))
