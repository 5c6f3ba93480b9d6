"""The aten sweep's eleventh real-code fit group: `realcode-more11`, the kernels realcode-check13's tail ran.

The thirteenth check (realcode-check13), looked at after scoring, priced these off:

- small products of unaligned widths: rows of 4, 6, 10, 12, 50, 100 or 1002 bf16 elements (even, but not 16-byte
  aligned: Gemma-3n's AltUp coefficients, routers of a few experts, LoRA and adapter widths), and odd widths of 3 to
  2047 (a 3-way head, an odd hidden size): cuBLAS runs CUTLASS's wmma, sm80 and sm75 align2 / align1 tiles there, not
  its nvjet kernels; F.linear (the weight transposed), x @ w, and batched over AltUp's four streams with the first
  operand a permuted view; from about 1 us to about 30 us;
- batched products whose second operand is one weight broadcast over the batch (stride 0 on the batch dim), as
  torch.matmul of a transposed 3-D input and a 2-D weight gives it, or torch.bmm(x, w.expand(B, k, n)): batches of
  16 to 1024, 1 to 64 rows a batch item, weights of 0.5 to 17 MB re-read from L2 for every item, the input sometimes
  a seq-first view ([1024, 2, 1152] with strides (1152, 1179648, 1));
- elementwise ops with a 0-d device tensor (a registered scale buffer): div, mul, add, sub of bf16 and fp32 tensors
  by a 0-d tensor of their dtype and of fp32 under bf16, from 16 K to 64 M elements; a comparison with it and
  torch.where over it;
- torch.stack along the last dim and torch.cat of small inner slices (rotary pairs interleaved, GPT-J's
  rotate_every_two over strided halves), and a stack of 2-D tensors along dim 1.

Fitted, never validated against (the builder drops a case equal to any earlier group's, so the checks stay apart).
"""

from __future__ import annotations

REALCODE_MORE11 = "realcode-more11"


def _more11():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, _ = _meta_makers()
    linear = _layer_makers(1e-6)[0]
    bf, f32, b8 = torch.bfloat16, torch.float32, torch.bool

    def mask(*shape):
        return torch.empty(*shape, dtype=b8, device="meta")

    def scalar(dt=f32):  # a 0-d buffer (a scale registered as a tensor)
        return m((), dt=dt)

    def matmul(x, w):
        return x @ w

    def rotate_every_two(x):  # GPT-J's rotate_every_two: the strided halves stacked along the last dim, flattened
        x1 = x[:, :, :, ::2]
        x2 = x[:, :, :, 1::2]
        return torch.stack((-x2, x1), dim=-1).flatten(-2)

    out = []
    # small products of even widths that are not 16-byte aligned: rows of 4 to 1002 bf16 elements (F.linear's
    # weight transposed; x @ w)
    out += [("narrow_linear", linear, (m(rows, k), m(n, k))) for rows, n, k in ((8, 4, 2048), (4, 6, 2048),
                                                                                (512, 12, 2048))]
    out += [("narrow_matmul", matmul, (m(rows, k), m(k, n))) for rows, k, n in ((8, 4, 16), (16, 4, 2048),
                                                                                (32, 10, 10), (128, 50, 4096),
                                                                                (64, 100, 512), (4096, 100, 4096),
                                                                                (256, 1002, 256), (1024, 1002, 2048))]
    # batched over small even widths: AltUp's predict over a prompt (the four streams permuted last, times the 4 x 4
    # coefficients of each token), a stream-major input permuted, heads of 6
    out += [("altup_streams", lambda h, c: torch.matmul(h.permute(1, 2, 3, 0), c), (m(4, 1, 512, 2048),
                                                                                    m(1, 512, 4, 4))),
            ("streams_bmm", lambda h, c: torch.bmm(h.permute(1, 2, 0), c), (m(4, 8, 2048), m(8, 4, 4))),
            ("narrow_bmm", torch.bmm, (m(32, 64, 6), m(32, 6, 64)))]
    # odd widths: a 3-way head, odd inner widths
    out += [("odd_matmul", matmul, (m(rows, k), m(k, n))) for rows, k, n in ((8, 3, 64), (32, 1023, 64),
                                                                             (4, 2047, 512), (64, 7, 4096))]
    out += [("odd_linear", linear, (m(16, 4096), m(3, 4096)))]
    # one weight broadcast over the batch (stride 0): torch.bmm over the weight expanded, and torch.matmul of a
    # seq-first input transposed to batch-first and a 2-D weight (which does not fold into one mm)
    out += [("bmm_shared_weight", lambda x, w: torch.bmm(x, w.expand(x.shape[0], -1, -1)), (m(b, rows, k), m(k, n)))
            for b, rows, k, n in ((16, 1, 512, 512), (1024, 1, 512, 512), (1024, 8, 512, 512), (1024, 64, 512, 512),
                                  (128, 1, 1152, 2304), (128, 64, 1152, 2304), (16, 64, 2048, 4096),
                                  (1024, 1, 2048, 4096))]
    out += [("seq_first_matmul", lambda x, w: torch.matmul(x.transpose(0, 1), w), (m(rows, b, k), m(k, n)))
            for rows, b, k, n in ((2, 1024, 1152, 2304), (8, 128, 1152, 2304), (2, 16, 2048, 4096),
                                  (8, 128, 2048, 4096))]
    # elementwise with a 0-d device tensor: a registered scale (its dtype, or fp32 under a bf16 tensor)
    out += [("div_scale", lambda x, s: x / s, (m(*shape, dt=dt), scalar(sdt)))
            for shape, dt, sdt in (((1 << 14,), bf, bf), ((8, 1 << 20), bf, f32), ((4096, 4096), f32, f32))]
    out += [("mul_scale", lambda x, s: x * s, (m(*shape, dt=dt), scalar(sdt)))
            for shape, dt, sdt in (((2, 1024, 4096), bf, bf), ((64, 1 << 20), f32, f32), ((1 << 16,), bf, f32))]
    out += [("add_scale", lambda x, s: x + s, (m(1 << 16, dt=f32), scalar(f32))),
            ("sub_scale", lambda x, s: x - s, (m(16, 4096, 1024), scalar(f32)))]
    out += [("gt_scale", lambda x, s: x > s, (m(*shape, dt=dt), scalar(dt)))
            for shape, dt in (((4096, 4096), bf), ((1 << 20,), f32))]
    out += [("where_scale", lambda c, x, s: torch.where(c, x, s), (mask(*shape), m(*shape, dt=dt), scalar(dt)))
            for shape, dt in (((8, 2048, 2048), bf), ((1 << 22,), f32))]
    # stacks and cats of small inner slices: rotary pairs interleaved (heads of 32 and 64 over two 700-token
    # prompts), GPT-J's rotate_every_two, 2-D tensors stacked along dim 1
    out += [("rope_pair_stack", lambda a, b: torch.stack([a, b], dim=-1), (m(2, 32, 700, d), m(2, 32, 700, d)))
            for d in (32, 64)]
    out += [("rope_pair_cat", lambda a, b: torch.cat([a, b], dim=-1), (m(2, 32, 700, d), m(2, 32, 700, d)))
            for d in (32, 64)]
    out += [("rotate_every_two", rotate_every_two, (m(2, 700, 16, 64),))]
    out += [("stack_mid", lambda a, b: torch.stack([a, b], dim=1), (m(*s, dt=dt), m(*s, dt=dt)))
            for s, dt in (((8192, 128), bf), ((2048, 1024), f32))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE11, _more11()),))
