"""The aten sweep's seventh real-code fit group: `realcode-more7`, the TensorIterator paths and reduce layouts the
ninth check's tail ran.

TensorIterator (CUDALoops.cuh) picks one of four loops for an elementwise op, by two facts the earlier groups did not
separate, each measured here at a spread of sizes:

- whether its operands coalesce to one contiguous dim (every operand dense in one and the same layout, permuted or
  not: the vectorised loop) or need an offset per element (a broadcast, a slice, layouts that differ);
- whether it casts in the kernel (operands of mixed dtypes: fp32 residuals added to bf16 states, a bf16 cache scaled
  in place by fp32 factors, an int64 mask turned fp32 by `1 - mask`): LoadWithCast without vectorisation, contiguous
  or strided.

Beside them: argmax, argmin and max.dim over rows of 1 to 256 and widths of 1,000 to 500,000, 16- and 32-bit, on both
sides of Reduce.cuh's split of a row over several blocks (the thread's values one after another bind: bf16 and fp32
rows of 128,256 took the same 27 us); and LayerNorm, RMSNorm and softmax fed a non-contiguous input (an expanded
or sliced view), which their kernels first copy contiguous.

Fitted, never validated against (the blind checks stay apart: the builder drops a case equal to any earlier group's).
"""

from __future__ import annotations

REALCODE_MORE7 = "realcode-more7"


def _more7():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, i32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.int32, torch.bool

    def add(a, b):
        return a + b

    def mul(a, b):
        return a * b

    def mul_(a, b):  # a bf16 cache scaled in place by fp32 factors: the product cast back on store
        return a.mul_(b)

    def one_minus(mask):  # an int64 mask inverted into fp32 (`1.0 - mask`)
        return 1.0 - mask

    def where_mixed(c, a, b):
        return torch.where(c, a, b)

    def heads_t(x):  # (B, T, H, D) -> (B, H, T, D) as a view: its strides not contiguous
        return x.transpose(1, 2)

    def add_t(a, b):  # two transposed views of one layout: TensorIterator coalesces them
        return heads_t(a) + heads_t(b)

    def mul_t(a, b):
        return heads_t(a) * heads_t(b)

    def silu_t(a):
        return F.silu(heads_t(a))

    def half_gelu(x):  # the first half of a chunk (GeGLU's gate): a slice, one offset per element
        return F.gelu(x[..., : x.shape[-1] // 2])

    def half_mul(x):
        h = x.shape[-1] // 2
        return x[..., :h] * x[..., h:]

    out = []
    # contiguous, mixed dtypes: LoadWithCast, unvectorised
    for n in (65536, 1 << 20, 1 << 23, 1 << 25):
        out += [("add_fp32_bf16", add, (m(n // 4096 or 1, 4096, dt=f32), m(n // 4096 or 1, 4096)))]
    for s in ((16, 128, 64, 128), (4, 4096, 4096), (512, 4096)):
        out += [("mul_bf16_fp32", mul, (m(*s), m(*s, dt=f32))), ("add_f16_fp32", add, (m(*s, dt=f16), m(*s, dt=f32)))]
    for s in ((4, 1, 16384), (2048, 4096), (8, 32, 2048, 128)):
        out += [("mul_inplace_fp32", mul_, (m(*s), m(*s, dt=f32)))]
    out += [("mul_int64_int32", mul, (i(*s), torch.empty(*s, dtype=i32, device="meta")))
            for s in ((16, 1000), (64, 32768), (1024, 8192))]
    out += [("one_minus_mask", one_minus, (i(*s),)) for s in ((8, 2048), (4, 1, 1024, 1024), (32, 1, 2048, 2048))]
    out += [("where_mixed", where_mixed, (torch.empty(*s, dtype=b8, device="meta"), m(*s), m(*s, dt=f32)))
            for s in ((64, 32000), (8, 16, 1024, 1024))]
    # strided, mixed dtypes: the offset loop with a cast per operand
    out += [("mul_bf16_rows_fp32", mul, (m(*s), m(*s[:-1], 1, dt=f32))) for s in ((16, 512, 768), (4, 4096, 4096))]
    out += [("mul_fp32_weight_bf16", mul, (m(s[-1], dt=f32), m(*s))) for s in ((2048, 4096), (8, 1024, 5120))]
    out += [("add_fp32_bias_int64", add, (m(*s, dt=f32), i(s[0], 1, 1, s[-1])))
            for s in ((4, 1, 1024, 1024), (2, 1, 4096, 4096))]
    # one layout, permuted: coalesced, the vectorised loop
    for s in ((1, 2048, 16, 32), (4, 1024, 32, 128), (2, 4096, 24, 64)):
        out += [("add_transposed", add_t, (m(*s), m(*s))), ("mul_transposed_fp32", mul_t, (m(*s, dt=f32),) * 2)]
    out += [("silu_transposed", silu_t, (m(8, 1024, 16, 128),))]
    # slices: one offset per element, math or not
    out += [("gelu_half", half_gelu, (m(*s, dt=dt),)) for s, dt in (((16, 512, 2304), f16), ((4096, 16384), bf))]
    out += [("mul_halves", half_mul, (m(*s),)) for s in ((16, 512, 2304), (4096, 28672))]
    # index reductions over the last dim: the lane's values one after another, split over blocks past 256 of them
    for rows, cols, dt in ((1, 32000, bf), (1, 128256, bf), (2, 128256, f32), (16, 128256, bf), (64, 128256, bf),
                           (4, 50000, f16), (16, 100000, bf), (32, 131072, bf), (128, 32000, bf), (256, 32000, f32),
                           (256, 4096, bf), (1024, 1000, f32), (8, 200000, bf), (4, 16384, f32), (64, 152064, bf),
                           (1, 524288, f32)):
        out += [("argmax_rows", lambda x: x.argmax(-1), (m(rows, cols, dt=dt),))]
    out += [("argmin_rows", lambda x: x.argmin(-1), (m(32, 65536, dt=f32),))]
    out += [("max_dim", lambda x: x.max(-1), (m(r, c),)) for r, c in ((32, 8192), (512, 1024), (8, 100000))]
    out += [("argmax_int32", lambda x: x.argmax(-1), (torch.empty(r, c, dtype=i32, device="meta"),))
            for r, c in ((4, 4096), (16, 2048))]
    # norms and softmax over a non-contiguous input: a contiguous copy first
    out += [("ln_expanded", lambda x, w, b: F.layer_norm(x.expand(32, -1, -1), (768,), w, b),
             (m(1, 257, 768, dt=f16), m(768, dt=f16), m(768, dt=f16)))]
    out += [("ln_half", lambda x, w, b: F.layer_norm(x[..., :1024], (1024,), w, b),
             (m(8, 1024, 2048), m(1024), m(1024)))]
    out += [("rms_half", lambda x, w: F.rms_norm(x[..., :2048], (2048,), w, 1e-6), (m(2048, 4096), m(2048)))]
    out += [("softmax_transposed", lambda x: torch.softmax(x.transpose(-1, -2), -1), (m(8, 16, 1024, 512),)),
            ("softmax_half", lambda x: torch.softmax(x[..., :1000], -1), (m(64, 32, 2048, dt=f32),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE7, _more7()),))
