"""The aten sweep's thirteenth real-code fit group: `realcode-more13`, elementwise kernels over strided operands.

The fifteenth check (realcode-check15), looked at after scoring, and the pooled checks' tail priced these off:

- elementwise ops reading an operand across its layout (x + y.mT, a product with a permuted view, an in-place add
  into a transposed view): neighbouring threads load elements a sector or more apart (an add of a transposed
  4096 x 4096 bf16 ran 129 us where the strided binary's rate said 40: realcode-check12), bf16, fp16 and fp32 from
  1 M to 64 M elements;
- elementwise ops over an operand a few elements apart (x[..., ::2], GeGLU's and GPT-J rotary's interleaved halves,
  x[..., ::4] of fp32 and ::8 of bf16): the sectors are read whole (GeGLU's clamp over bf16 halves at stride 2 ran
  ~2.3 TB/s of span, 1.7x its price from the halves' own bytes), from 0.4 M to 64 M elements;
- isinf / isfinite / isnan (TensorCompare.cpp composes the first two of abs and comparisons), dense and strided;
- fills of strided views (a column, a slice, a diagonal; fill_ of a Python number and of a 0-dim tensor, zero_): a
  store-only kernel, ~1.2 us for tens of elements where the strided binary's floor says 1.8.

Fitted, never validated against (the builder drops a case equal to any earlier group's, so the checks stay apart).
"""

from __future__ import annotations

REALCODE_MORE13 = "realcode-more13"


def _more13():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32

    out = []
    # an operand read across its layout: 2-D transposes, 3-D permutes, a unary of a transposed view, torch.where
    out += [("add_transposed", lambda x, y: x + y.mT, (m(n, n, dt=dt), m(n, n, dt=dt)))
            for n, dt in ((1024, bf), (2048, bf), (8192, bf), (1024, f32), (2048, f32), (4096, f32), (3072, f16))]
    out += [("mul_permuted", lambda x, y: x * y.permute(0, 2, 1), (m(b, s, d, dt=dt), m(b, d, s, dt=dt)))
            for b, s, d, dt in ((8, 499, 768, f32), (16, 1024, 1024, bf), (4, 577, 1024, f16), (32, 256, 512, bf))]
    out += [("neg_transposed", lambda x: -x.mT, (m(a, b, dt=dt),))
            for a, b, dt in ((4096, 4096, bf), (2048, 8192, f32), (1024, 1024, bf))]
    out += [("exp_transposed", lambda x: torch.exp(x.mT), (m(4096, 2048, dt=f32),)),
            ("where_transposed", lambda c, x, y: torch.where(c, x.mT, y),
             (m(2048, 2048, dt=torch.bool), m(2048, 2048), m(2048, 2048)))]
    out += [("add_into_transposed", lambda x, y: x.mT.add_(y), (m(b, n, n, dt=bf), m(b, n, n, dt=bf)))
            for b, n in ((1, 2048), (8, 1024))]
    # an operand a few elements apart: interleaved halves (GeGLU's clamps, GPT-J's rotary), x[..., ::4] of fp32
    out += [("clamp_interleaved", lambda x: x[..., ::2].clamp(-20.0, 20.0), (m(t, w, dt=dt),))
            for t, w, dt in ((256, 2880, bf), (2048, 8192, bf), (8192, 8192, bf), (1024, 8192, f32),
                             (4096, 8192, f32))]
    out += [("silu_interleaved", lambda x: F.silu(x[..., ::2]), (m(4096, 14336, dt=bf),)),
            ("product_interleaved", lambda x: x[..., ::2] * x[..., 1::2], (m(2048, 28672, dt=bf),)),
            ("product_interleaved", lambda x: x[..., ::2] * x[..., 1::2], (m(256, 11008, dt=f16),))]

    def rotary_gptj(x, cos, sin):  # GPT-J's rotate_every_two, then the rotary's product and sum
        x1, x2 = x[..., ::2], x[..., 1::2]
        rotated = torch.stack((-x2, x1), dim=-1).flatten(-2)
        return x * cos + rotated * sin

    out += [("rotary_gptj", rotary_gptj, (m(b, h, s, d), m(1, 1, s, d), m(1, 1, s, d)))
            for b, h, s, d in ((1, 16, 2048, 64), (4, 32, 1024, 128), (1, 32, 8192, 128))]
    out += [("neg_stride4", lambda x: -x[..., ::4], (m(4096, 4096, dt=f32),)),
            ("abs_stride8", lambda x: x[..., ::8].abs(), (m(8192, 8192, dt=bf),)),
            ("add_stride2", lambda x, y: x[..., ::2] + y, (m(4096, 8192, dt=f32), m(4096, 4096, dt=f32)))]
    # isinf / isfinite / isnan: a dense tensor, a strided half
    out += [("isinf", torch.isinf, (m(4096, 8192),)),
            ("isinf_half", lambda x: torch.isinf(x[..., ::2]), (m(2048, 8192),)),
            ("isfinite", torch.isfinite, (m(4096, 4096, dt=f32),)),
            ("isfinite", torch.isfinite, (m(64, 128256, dt=f32),)),
            ("isnan", torch.isnan, (m(4096, 8192),))]
    # fills of strided views: a column, a column of a long row, a slice, a diagonal; a 0-dim tensor's value; zero_
    out += [("fill_column", lambda x: x[:, 0].fill_(-1e4), (m(r, w, dt=dt),))
            for r, w, dt in ((64, 32000, f32), (4096, 4096, bf), (256, 151936, f32))]
    out += [("fill_slice", lambda x: x[:, :, : x.shape[-1] // 2].fill_(0.0), (m(b, s, w),))
            for b, s, w in ((1, 64, 128), (8, 4096, 4096), (4, 2048, 1024))]
    out += [("fill_diagonal", lambda x: x.diagonal(dim1=-2, dim2=-1).fill_(1.0), (m(8, 2048, 2048, dt=f32),)),
            ("fill_tensor_column", lambda x, v: x[:, -1].fill_(v), (m(32, 50257, dt=f32), m((), dt=f32))),
            ("fill_tensor_slice", lambda x, v: x[..., 1::2].fill_(v), (m(1024, 4096), m(()))),
            ("zero_rows_tail", lambda x: x[:, 100:].zero_(), (m(16, 4096, dt=f32),)),
            ("zero_columns", lambda x: x[:, :, :64].zero_(), (m(4, 8192, 1024),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE13, _more13()),))
