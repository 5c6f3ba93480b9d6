"""The aten sweep's twentieth real-code fit group: `realcode-more20`, fp32 products, odd-width heads and small
scatters at the shapes the pooled checks ran.

The pooled blind checks (realcode-check .. realcode-check19), looked at after scoring, priced these off:
- fp32 products (F.linear with and without a bias, x @ W over retrieval corpora, recommenders' and time-series MLPs):
  44 check cases 15 % low in the median, both layouts; the fit held few of them at real widths;
- language-model and reranker heads over odd vocabularies (49,155, 58,101, 151,669) and classifier heads of 3-19
  outputs: cuBLAS's align-1 / align-2 kernels, 30-86 % low;
- scatter_ of a value or a source over a few hundred to a few thousand positions (a repetition penalty, a top-k
  mask, a router's one-hot): ~3.3-4.9 us where ~1.8 was priced.
Timed here at those shapes and others around them.
"""

from __future__ import annotations

REALCODE_MORE20 = "realcode-more20"


def _more20():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32

    out = []
    linear = lambda x, w, b: F.linear(x, w, b)  # noqa: E731
    linear_bare = lambda x, w: F.linear(x, w)  # noqa: E731
    # fp32 linears with a bias: (rows, in, out)
    for rows, k, n in ((25088, 96, 384), (3248, 1024, 4096), (2428, 768, 2304), (5992, 512, 1024),
                       (4096, 64, 80), (32768, 768, 6), (64, 2048, 1280), (8192, 256, 512), (1024, 4096, 4096),
                       (16384, 128, 128)):
        out.append(("linear_fp32", linear, (m(rows, k, dt=f32), m(n, k, dt=f32), m(n, dt=f32))))
    # fp32 products without a bias: scores against a corpus, a projection
    for rows, k, n in ((128, 768, 100000), (64, 1024, 16384), (8192, 50, 65536), (512, 384, 4096),
                       (2048, 128, 256)):
        out.append(("linear_fp32_bare", linear_bare, (m(rows, k, dt=f32), m(n, k, dt=f32))))
    # heads over odd vocabularies and a few classes (16-bit)
    for rows, k, n, dt in ((1, 1536, 49155, bf), (24, 1536, 49155, bf), (8, 2048, 49155, bf), (64, 512, 58101, f16),
                           (64, 2560, 151669, bf), (512, 2560, 151669, bf), (8, 2304, 122753, bf),
                           (32, 4096, 32001, f16), (16, 4096, 19, bf), (64, 4096, 19, bf), (128, 1024, 3, f16),
                           (8, 1024, 3, f16), (256, 768, 6, f16), (2048, 1024, 5, bf)):
        out.append(("head_odd", linear_bare, (m(rows, k, dt=dt), m(n, k, dt=dt))))
    # small scatters: a value or a source over a few positions of each row
    for rows, cols, picks, dt in ((4, 49152, 1500, f32), (32, 30522, 64, f16), (2048, 16, 1, bf), (1024, 8, 2, f32),
                                  (16, 151936, 20, f32), (1, 32000, 256, f32)):
        out.append(("scatter_value", lambda x, idx: x.scatter_(1, idx, 0.0), (m(rows, cols, dt=dt), i(rows, picks))))
        out.append(("scatter_src", lambda x, idx, src: x.scatter_(1, idx, src),
                    (m(rows, cols, dt=dt), i(rows, picks), m(rows, picks, dt=dt))))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE20, _more20()),))
