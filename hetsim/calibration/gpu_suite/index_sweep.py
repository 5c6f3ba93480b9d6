"""The aten sweep's index group: `index-sweep`, the row gathers, atomic scatters, thin outer scans and transposed
elementwise reads of graph, recommender and sequence-model code, at the sizes where the fit held few or no cases.

Checks 1-28 showed these keys' tails with little fit data beside them (trace_fit's fit points, 2026-12-05):
`scatter_add` 3 (GNN aggregations by scatter_add_ and scatter_reduce_ over expanded edge indices, histograms of a few
bins), `gather` 10 (index_select of node rows by an edge list over tables the L2 cannot hold, embedding bags),
`pointwise_transpose` 23 (x + x.mT, an in-place add into a permuted view), and the outer-dim scan of one or a few
columns (a cumsum over dim -2 of [..., T, 1]), whose thread walks every step alone. This group times each at shapes
drawn log-uniform within the bounds real code uses, not taken from any check. The harness draws each index over the
rows it addresses (aten_cases.INDEX_OPS, scatter_reduce and the embedding bags among them from this group on; the
checks before it drew theirs below the smallest float dim). Fitted, never validated against; the builder drops a case
equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

INDEX_SWEEP = "index-sweep"
SEED = 20261211
PER_OP = 10  # draws an op
BYTES_MAX = 1024 * 2**20  # the largest tensor drawn


def _rows(rows: int, width: int, itemsize: int) -> int:
    """`rows` capped so rows x width x itemsize stays within BYTES_MAX."""
    return max(1, min(rows, BYTES_MAX // max(width * itemsize, 1)))


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch
    import torch.nn.functional as F

    def sq(lo, hi):
        return _log(rng, lo, hi)

    out = []
    for _ in range(PER_OP):
        feat = sq(8, 512)
        nodes, edges = sq(1024, 1 << 22), sq(1024, 1 << 22)
        dt = rng.choice((torch.float32, torch.bfloat16))
        reduce = rng.choice(("sum", "mean", "amax", "amin"))
        side, batch = sq(64, 4096), sq(1, 64)
        steps, cols = sq(64, 8192), sq(1, 16)
        out += [
            ("index_select_rows", lambda m, i, f, n=nodes, e=edges, w=feat, dt=dt: (
                lambda x, idx: x.index_select(0, idx),
                (m(_rows(n, w, 4), w, dt=dt), i(_rows(e, w, 4))))),
            ("embedding_bag", lambda m, i, f, n=sq(1000, 1 << 22), d=sq(16, 256), b=sq(256, 65536), k=sq(1, 64),
             mode=rng.choice(("sum", "mean")): (
                lambda w, idx, off: F.embedding_bag(idx, w, off, mode=mode),
                (m(_rows(n, d, 4), d, dt=f), i(_rows(b * k, 1, 8)), i(b)))),
            ("scatter_add_edges", lambda m, i, f, n=nodes, e=edges, w=feat: (
                lambda x, idx, src: x.scatter_add_(0, idx[:, None].expand(-1, w), src),
                (m(_rows(n, w, 4), w, dt=f), i(_rows(e, w, 4)), m(_rows(e, w, 4), w, dt=f)))),
            ("scatter_reduce_edges", lambda m, i, f, n=nodes, e=edges, w=feat, r=reduce, own=rng.random() < 0.5: (
                lambda x, idx, src: x.scatter_reduce_(0, idx[:, None].expand(-1, w), src, r, include_self=own),
                (m(_rows(n, w, 4), w, dt=f), i(_rows(e, w, 4)), m(_rows(e, w, 4), w, dt=f)))),
            ("scatter_add_bins", lambda m, i, f, bins=sq(16, 4096), n=sq(1 << 16, 1 << 26): (
                lambda x, idx, src: x.scatter_add_(0, idx, src), (m(bins, dt=f), i(n), m(n, dt=f)))),
            ("add_transposed", lambda m, i, f, b=batch, s=side, dt=rng.choice((torch.float32, torch.bfloat16)): (
                lambda x: x + x.mT, (m(_rows(b, s * s, 4), s, s, dt=dt),))),
            ("add_into_permuted", lambda m, i, f, b=sq(1, 16), s=sq(32, 512), h=sq(4, 256), dt=dt: (
                lambda x, y: x.permute(0, 2, 1, 3).add_(y),
                (m(b, _rows(s, s * h, 4), s, h, dt=dt), m(b, s, _rows(s, s * h, 4), h, dt=dt)))),
            ("cumsum_thin_columns", lambda m, i, f, b=sq(1, 64), t=steps, c=cols: (
                lambda x: x.cumsum(-2), (m(b, t, c, dt=f),))),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(INDEX_SWEEP, _draws, SEED)
