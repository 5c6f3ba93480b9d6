"""The aten sweep's thirty-first real-code fit group: `realcode-more31`, broadcasting binaries at streaming sizes,
in-place unary ops the L2 holds, fp32 linears of few rows over long contractions, and one-per-row gathers out of
vocabulary-wide log-probabilities, and transposing binaries and permuted copies from a few elements up.

Read after scoring the pooled checks 1-23 with their kernel profiles: a broadcasting binary runs TensorIterator's
strided kernel, whose element work and loads both near-bind at streaming sizes (fp32 divisions by a row's norm or a
0-dim tensor of 58.7 M elements: 123 us of bytes and 136 of element work at the fitted rates, 168 measured), while
the fit had few such cases beside many bf16 ones; an in-place unary op (x.exp_()) reads and writes one buffer, held
once; cuBLAS splits an fp32 product's contraction only a few ways, so 16 rows over 8,192 ran 68 us where the flops and
bytes price 24; torch.gather of one log-probability a row out of 8 x 1,024 x 152,064 fp32 ran 18.7 us where a few
thousand elements price 4.6; a binary over a transposed operand of a few elements ran ~1.2 us where its key's
fitted floor says 2.8 (its fit had no tiny case), permuted copies (patchify, channels-last) 1.4-2.9x faster than
priced. This group times each across sizes and dtypes so their forms can be fitted on it (the
checks are never fitted).
"""

from __future__ import annotations

REALCODE_MORE31 = "realcode-more31"

# (shape, other's shape (): a 0-dim tensor), op, dtype name, in place): a binary whose other operand broadcasts
BROADCASTS = (
    ((65536, 1024), (65536, 1), "div", "float32", False), ((16384, 4096), (16384, 1), "mul", "bfloat16", False),
    ((8192, 8192), (8192, 1), "sub", "float32", False), ((32768, 2048), (2048,), "add", "float32", False),
    ((4096, 14336), (14336,), "mul", "bfloat16", False), ((4096, 8192), (), "div", "float32", False),
    ((16384, 4096), (), "mul", "bfloat16", False), ((64, 3, 512, 512), (1, 3, 1, 1), "sub", "float32", False),
    ((32, 256, 64, 64), (1, 256, 1, 1), "mul", "bfloat16", False), ((32768, 1024), (32768, 1), "div", "float32", True),
    ((24576, 4096), (), "div", "float32", True), ((1024, 2048), (1024, 1), "mul", "float32", False),
    ((2048, 1024), (), "mul", "bfloat16", False), ((512, 4096), (4096,), "add", "float32", False),
    ((8, 32, 1024, 128), (8, 32, 1024, 1), "mul", "float32", False),
    ((2, 16, 4096, 4096), (2, 16, 4096, 1), "sub", "bfloat16", False),
    ((256, 3, 224, 224), (1, 3, 1, 1), "div", "float16", True), ((200000, 256), (200000, 1), "mul", "float32", False),
    ((4096, 4096), (), "sub", "float16", False), ((128, 50257), (128, 1), "div", "float32", False))
# (shape, op, dtype name): unary ops in place, at sizes the L2 holds and past it
INPLACE = (((1024, 4096), "exp_", "float32"), ((2048, 2048), "sigmoid_", "bfloat16"), ((4096, 1024), "mul_", "float32"),
           ((1024, 1024), "clamp_", "float32"), ((512, 4096), "neg_", "bfloat16"), ((2048, 4096), "sqrt_", "float32"),
           ((8192, 8192), "exp_", "float32"), ((16384, 4096), "mul_", "bfloat16"))
# (rows, contraction, outputs, bias): fp32 linears of few rows, and a few square-ish ones beside them
LINEARS = tuple((rows, k, n, True) for rows in (2, 8, 16, 32, 64)
                for k, n in ((512, 2048), (2048, 512), (4096, 4096), (8192, 1024), (1536, 256))) + (
    (16, 3072, 768, False), (48, 3072, 768, False), (384, 384, 128, True), (100, 300, 600, True),
    (1000, 64, 64, True), (128, 16384, 128, False), (24, 12288, 3072, True), (4, 1024, 30000, False))
# (shape, dtype name): a binary of a matrix and another's transpose (the strided kernel), tiny to streaming
TRANSPOSED = (((4, 2), "float32"), ((16, 16), "float32"), ((64, 64), "bfloat16"), ((128, 256), "float32"),
              ((384, 384), "float32"), ((1024, 1024), "bfloat16"), ((2048, 2048), "float32"),
              ((4096, 4096), "bfloat16"))
# (shape, permutation, dtype name): a permuted view made contiguous (patchify, channels-last, a full transpose)
PERMUTED = (((4096, 4096), (1, 0), "float32"), ((8192, 8192), (1, 0), "bfloat16"),
            ((8, 3, 14, 16, 14, 16), (0, 2, 4, 1, 3, 5), "float32"),
            ((64, 3, 14, 16, 14, 16), (0, 2, 4, 1, 3, 5), "float16"),
            ((32, 64, 56, 56), (0, 2, 3, 1), "float32"), ((16, 256, 32, 32), (0, 2, 3, 1), "float16"),
            ((2, 256, 50, 76), (0, 2, 3, 1), "float32"), ((256, 197, 12, 64), (0, 2, 1, 3), "float32"))
# (rows, vocabulary, dtype name): log-probabilities, one gathered a row (a policy's or reference model's token logps)
SELECTIVE = ((4096, 32000, "bfloat16"), (2048, 128256, "float32"), (8192, 152064, "bfloat16"),
             (512, 50257, "float32"), (16384, 32000, "float32"), (1024, 152064, "float32"))


def _more31():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    out = []
    for shape, other, op, dt, inplace in BROADCASTS:
        dtype = getattr(torch, dt)
        y = torch.empty(other, dtype=dtype, device="meta")
        name = op + "_" if inplace else op
        out.append((f"broadcast_{name}", lambda a, b, f=name: getattr(a, f)(b), (m(*shape, dt=dtype), y)))
    for shape, op, dt in INPLACE:
        if op == "mul_":
            fn = lambda x: x.mul_(0.5)  # noqa: E731
        elif op == "clamp_":
            fn = lambda x: x.clamp_(min=0.0)  # noqa: E731
        else:
            fn = lambda x, f=op: getattr(x, f)()  # noqa: E731
        out.append((f"inplace_{op}", fn, (m(*shape, dt=getattr(torch, dt)),)))
    for rows, k, n, bias in LINEARS:
        f32 = torch.float32
        if bias:
            out.append(("fp32_linear", lambda x, w, b: F.linear(x, w, b), (m(rows, k, dt=f32), m(n, k, dt=f32),
                                                                           m(n, dt=f32))))
        else:
            out.append(("fp32_linear", lambda x, w: F.linear(x, w), (m(rows, k, dt=f32), m(n, k, dt=f32))))
    for shape, dt in TRANSPOSED:
        dtype = getattr(torch, dt)
        out.append(("transposed_add", lambda a, b: a + b.mT, (m(*shape, dt=dtype), m(*shape[::-1], dt=dtype))))
    for shape, perm, dt in PERMUTED:
        out.append(("permuted_copy", lambda x, p=perm: x.permute(*p).contiguous(), (m(*shape, dt=getattr(torch, dt)),)))
    for rows, vocab, dt in SELECTIVE:
        out.append(("selective_gather", lambda lp, t: torch.gather(lp, -1, t),
                    (m(rows, vocab, dt=getattr(torch, dt)), i(rows, 1))))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE31, _more31()),))
