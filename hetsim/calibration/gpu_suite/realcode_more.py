"""The aten sweep's second pair of real-code groups (hetsim.calibration.gpu_suite.aten_cases builds them last).

`realcode-more` fits the kernels the first blind check (`realcode-check`) showed priced by the wrong regime or on
too few cases, each at a spread of shapes that follows the kernel PyTorch dispatches: LayerNorm (the same
one-block-a-row kernel as rms_norm), torch.gather along a dim (ScatterGatherKernel.cu's element kernel, not
index_select's), cumsum over one row (cub's device scan) and over many, sort along each of Sort.cu's three paths
(one segment or >= 1M keys: a device radix sort per segment; < 128 segments: one radix sort of them all; more: cub's
segmented sort), top-k and multinomial over vocabularies, last-dim reductions over a grid of rows x row lengths
(ATen's Reduce.cuh: a warp a row, a block a row, blocks a row), outer and middle-dim reductions, broadcasting
binaries (TensorIterator's strided kernel at 2-4 dims), casts up to fp32 and down from it, fp32 and small fp16
GEMMs (no TF32 by default), tril / triu, index_select of many rows, cat / stack of contiguous inputs, small gemvs.

`realcode-check2` is a second blind check of everyday inference code at models the suite never traced (Phi-3,
Mixtral, Falcon, OPT, BERT-large, ViT-B, Whisper, Gemma-2 widths): never fitted, and no case of it equals a case of
any other group (`realcode-more` included), so a key refitted on `realcode-more` is checked on shapes it never saw.
"""

from __future__ import annotations

REALCODE_MORE, REALCODE_CHECK2 = "realcode-more", "realcode-check2"


def _more():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool

    def ln(x, w, b):
        return F.layer_norm(x, (x.shape[-1],), w, b)

    out = [("layer_norm", ln, (m(r, c, dt=dt), m(c, dt=dt), m(c, dt=dt)))
           for r, c, dt in ((1, 768, f16), (8, 1024, bf), (64, 2048, bf), (256, 4096, f16), (2048, 768, f32),
                            (4096, 4096, bf), (16384, 1024, bf), (1, 8192, f32), (32, 16384, bf), (65536, 256, bf),
                            (512, 1280, f32))]
    out += [("gather", lambda x, idx: torch.gather(x, -1, idx), (m(*xs, dt=dt), i(*js)))
            for xs, js, dt in (((1, 32000), (1, 50), bf), ((16, 128256), (16, 64), f32), ((128, 4096), (128, 64), bf),
                               ((4, 8, 8192), (4, 8, 1024), bf), ((1024, 1024), (1024, 1), f32),
                               ((8192, 256), (8192, 16), f32), ((2, 32, 16384), (2, 32, 256), bf),
                               ((64, 4096), (64, 4096), f32))]
    out += [("gather_dim0", lambda x, idx: torch.gather(x, 0, idx), (m(50000, 64), i(4096, 64)))]
    cum = lambda x: torch.cumsum(x, dim=-1)  # noqa: E731
    out += [("cumsum", cum, (m(r, n, dt=dt),))
            for r, n, dt in ((1, 2048, f32), (1, 32768, f32), (1, 500000, f32), (1, 16000000, f32), (1, 65536, bf),
                             (2, 128256, f32), (64, 32000, f32), (512, 512, f32), (32, 4096, bf), (100000, 16, f32))]
    srt = lambda x: torch.sort(x, dim=-1, descending=True)  # noqa: E731
    out += [("sort", srt, (m(r, n, dt=dt),))
            for r, n, dt in ((1, 8192, f32), (1, 32000, f32), (1, 262144, f32), (1, 4000000, f32), (1, 128256, bf),
                             (2, 128256, f32), (16, 32000, bf), (64, 8192, f32), (200, 8192, f32), (512, 8192, bf),
                             (4096, 64, f32), (2, 1000000, f32))]
    out += [("topk", lambda x, k=k: torch.topk(x, k, dim=-1), (m(r, n, dt=dt),))
            for r, n, k, dt in ((1, 32000, 50, f32), (1, 128256, 50, bf), (1, 151936, 20, f32), (1, 50257, 40, f32),
                                (4, 128256, 50, bf), (16, 32000, 50, bf), (32, 50257, 50, f32), (128, 32000, 64, bf),
                                (1, 4096, 8, bf), (256, 4096, 64, bf), (2048, 8192, 16, bf))]
    out += [("multinomial", lambda x: torch.multinomial(x, 1), (m(r, n, dt=f32),))
            for r, n in ((1, 32000), (1, 50257), (1, 152064), (4, 128256), (16, 50257), (128, 32000), (256, 4096))]
    for r in (1, 16, 256, 4096, 65536):
        for c in (64, 256, 1024, 4096, 32768):
            if r * c <= 64 << 20:
                out += [("sum_last", lambda x: x.sum(-1), (m(r, c, dt=dt),)) for dt in (bf, f32)]
    out += [("norm", lambda x: x.norm(dim=-1), (m(r, c, dt=dt),))
            for r, c, dt in ((65536, 64, bf), (16384, 128, f32), (1024, 1024, bf), (8, 4096, f32), (4096, 4096, bf))]
    out += [("amax", lambda x: x.amax(-1), (m(r, c, dt=dt),))
            for r, c, dt in ((65536, 128, bf), (1, 1000000, f32), (1024, 32000, bf))]
    out += [("sum_dim0", lambda x: x.sum(0), (m(r, c, dt=dt),))
            for r, c in ((16, 1024), (256, 64), (256, 16384), (4096, 1024), (4096, 64)) for dt in (bf, f32)]
    out += [("mean_mid", lambda x: x.mean(1), (m(*s, dt=dt),))
            for s, dt in (((4, 4096, 4096), bf), ((32, 128, 1024), f32), ((2, 64, 8192), bf), ((256, 16, 256), f32))]
    out += [("mul_bcast_mid", lambda x, y: x * y, (m(32, 512, 1024), m(32, 1, 1024))),
            ("add_bcast_lead", lambda x, y: x + y, (m(16, 2048, 2048, dt=f32), m(1, 2048, 2048, dt=f32))),
            ("mul_bcast_col", lambda x, y: x * y, (m(4096, 4096), m(4096, 1))),
            ("div_bcast_col", lambda x, y: x / y, (m(64, 128256, dt=f32), m(64, 1, dt=f32))),
            ("add_bcast_row", lambda x, y: x + y, (m(8192, 4096, dt=f16), m(4096, dt=f16))),
            ("mul_bcast_4d", lambda x, y: x * y, (m(8, 32, 512, 128), m(1, 1, 512, 128))),
            ("mul_bcast_4d_mid", lambda x, y: x * y, (m(4, 32, 1024, 128), m(4, 1, 1024, 128))),
            ("add_bcast_mask", lambda x, y: x + y, (m(8, 16, 1024, 1024), m(8, 1, 1, 1024))),
            ("masked_fill", lambda x, k: x.masked_fill(k, 0.0), (m(8, 32, 128, 1024), m(8, 1, 128, 1024, dt=b8))),
            ("masked_fill_row", lambda x, k: x.masked_fill(k, float("-inf")), (m(16, 8, 1, 8192),
                                                                               m(16, 1, 1, 8192, dt=b8))),
            ("where", lambda c, a, b: torch.where(c, a, b), (m(1, 1, 4096, 4096, dt=b8), m(4, 8, 4096, 4096),
                                                             m(4, 8, 4096, 4096)))]
    out += [("cast", lambda x, d=d: x.to(d), (m(*s, dt=a),))
            for s, a, d in (((1024, 1024), bf, f32), ((4096, 4096), bf, f32), ((16384, 4096), bf, f32),
                            ((4096, 4096), f16, f32), ((1024, 1024), f32, bf), ((16384, 8192), f32, bf),
                            ((2, 64, 1024), bf, f32), ((8192, 1024), f32, f16))]
    out += [("cast_int", lambda x: x.float(), (i(1000000),)),
            ("cast_bool", lambda x: x.to(bf), (m(8192, 8192, dt=b8),))]

    def linear(x, w, b=None):
        return F.linear(x, w, b)

    out += [("linear", linear, (m(t, k, dt=dt), m(n, k, dt=dt)))
            for t, k, n, dt in ((1, 4096, 4096, f32), (8, 4096, 4096, f32), (32, 1024, 4096, f32),
                                (128, 512, 512, f32), (256, 1024, 1024, f32), (1024, 1024, 1024, f32),
                                (2048, 4096, 4096, f32), (64, 768, 3072, f32), (4096, 4096, 1024, f32),
                                (8, 768, 768, f16), (32, 1024, 1024, f16), (1, 4096, 4096, f16), (16, 2048, 512, bf))]
    out += [("linear_bias", linear, (m(t, k, dt=f32), m(n, k, dt=f32), m(n, dt=f32)))
            for t, k, n in ((16, 768, 768), (512, 1024, 4096))]
    out += [("tril", lambda x: torch.tril(x), (m(n, n, dt=dt),))
            for n, dt in ((1024, b8), (4096, b8), (8192, b8), (512, bf), (4096, f32))]
    out += [("triu", lambda x: torch.triu(x, 1), (m(8192, 8192),))]
    out += [("index_select", lambda x, idx: x.index_select(0, idx), (m(*t, dt=dt), i(n)))
            for t, n, dt in (((50000, 1024), 256, bf), ((32000, 4096), 4096, bf), ((1000000, 64), 100000, f32),
                             ((128256, 4096), 64, bf), ((8192, 128), 8192, bf))]
    out += [("stack", lambda a, b: torch.stack([a, b]), (m(r, c), m(r, c))) for r, c in ((256, 4096), (4096, 4096))]
    out += [("cat4", lambda a, b, c, d: torch.cat([a, b, c, d]), tuple(m(1024, 1024) for _ in range(4))),
            ("cat_last", lambda a, b: torch.cat([a, b], -1), (m(2048, 2048), m(2048, 2048))),
            ("stack8", lambda *xs: torch.stack(xs), tuple(m(1, 4096) for _ in range(8)))]
    out += [("mv", torch.mv, (m(r, c, dt=dt), m(c, dt=dt)))
            for r, c, dt in ((512, 512, bf), (1024, 4096, bf), (4096, 1024, bf), (2048, 8192, bf), (256, 4096, f32))]
    return out


def _check2():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, b8, fp8 = torch.bfloat16, torch.float16, torch.float32, torch.bool, torch.float8_e4m3fn

    linear, rms, ln = _layer_makers(1e-5)

    one = lambda: torch.empty((), dtype=f32, device="meta")  # noqa: E731
    out = [("linear", linear, (m(1, 3072), m(8192, 3072))), ("linear", linear, (m(5, 4096), m(14336, 4096))),
           ("linear", linear, (m(64, 4544), m(4672, 4544))), ("linear", linear, (m(1, 1280, dt=f16), m(51865, 1280,
                                                                                                        dt=f16))),
           ("linear_bias", linear, (m(197, 768, dt=f16), m(2304, 768, dt=f16), m(2304, dt=f16))),
           ("linear_bias", linear, (m(384, 1024, dt=f32), m(4096, 1024, dt=f32), m(4096, dt=f32))),
           ("linear_bias", linear, (m(1500, 1280, dt=f16), m(5120, 1280, dt=f16), m(5120, dt=f16))),
           ("scaled_mm", lambda a, b, sa, sb: torch._scaled_mm(a, b, sa, sb, out_dtype=bf),
            (m(64, 3072, dt=fp8), m(8192, 3072, dt=fp8).t(), one(), one()))]
    out += [("layer_norm", ln, (m(r, c, dt=dt), m(c, dt=dt), m(c, dt=dt)))
            for r, c, dt in ((197, 768, f32), (1500, 1280, f16), (1, 4544, bf), (384, 1024, f32))]
    out += [("rms_norm", rms, (m(r, c), m(c))) for r, c in ((5, 3072), (64, 2304), (8192, 96))]
    out += [("gelu", F.gelu, (m(1500, 5120, dt=f16),)), ("softcap", lambda x: torch.tanh(x / 30.0) * 30.0,
                                                         (m(8, 256000, dt=f32),)),
            ("silu", F.silu, (m(5, 14336),)), ("relu", F.relu, (m(64, 16384, dt=f16),))]
    out += [("softmax", lambda x: torch.softmax(x, -1), (m(16, 12, 197, 197, dt=f16),)),
            ("softmax", lambda x: torch.softmax(x, -1), (m(1, 32, 1, 2000),)),
            ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(4, 51865, dt=f32),))]
    out += [("topk", lambda x: torch.topk(x, 50, -1), (m(1, 51865, dt=f32),)),
            ("topk", lambda x: torch.topk(x, 64, -1), (m(4, 256000, dt=f32),)),
            ("topk", lambda x: torch.topk(x, 2, -1), (m(2048, 8, dt=f32),)),
            ("sort", lambda x: torch.sort(x, -1, descending=True), (m(1, 51865, dt=f32),)),
            ("sort", lambda x: torch.sort(x, -1, descending=True), (m(8, 32064),)),
            ("cumsum", lambda x: x.cumsum(-1), (m(1, 51865, dt=f32),)),
            ("cumsum", lambda x: x.cumsum(-1), (m(4, 32064, dt=f32),)),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(1, 51865, dt=f32),)),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(8, 32064, dt=f32),)),
            ("argmax", lambda x: x.argmax(-1), (m(8, 51865, dt=f16),))]
    out += [("gather", lambda x, idx: torch.gather(x, -1, idx), (m(16, 51865, dt=f32), i(16, 1))),
            ("gather", lambda x, idx: torch.gather(x, -1, idx), (m(4, 8, 2048), i(4, 8, 256))),
            ("embedding", F.embedding, (i(1, 1500), m(51865, 1280, dt=f16))),
            ("index_select", lambda x, idx: x.index_select(0, idx), (m(256000, 2304), i(8))),
            ("index", lambda x, idx: x[idx], (m(65536, 4544), i(2048)))]
    out += [("mean_tokens", lambda x: x.mean(1), (m(16, 197, 768, dt=f32),)),
            ("sum_last", lambda x: x.sum(-1), (m(384, 1024, dt=f32),)),
            ("amax", lambda x: x.amax(-1), (m(8, 256000, dt=f32),)),
            ("norm", lambda x: x.norm(dim=-1), (m(8192, 96),)),
            ("var", lambda x: x.var(-1), (m(1500, 1280, dt=f32),)),
            ("max_dim0", lambda x: x.amax(0), (m(1024, 4544),)),
            ("mean_all", lambda x: x.mean(), (m(4096, 3072, dt=f32),))]
    out += [("add_mask", lambda x, y: x + y, (m(16, 12, 197, 197, dt=f16), m(16, 1, 1, 197, dt=f16))),
            ("add_bias", lambda x, y: x + y, (m(1500, 5120, dt=f16), m(5120, dt=f16))),
            ("rotary_mul", lambda x, y: x * y, (m(1, 32, 512, 96), m(1, 1, 512, 96))),
            ("div_rows", lambda x, y: x / y, (m(8, 256000, dt=f32), m(8, 1, dt=f32))),
            ("mul_scale", lambda x: x * 0.125, (m(8, 32, 1024, 96),)),
            ("masked_fill", lambda x, k: x.masked_fill(k, float("-inf")), (m(4, 32, 2048, 2048),
                                                                           m(1, 1, 2048, 2048, dt=b8))),
            ("where", lambda c, a, b: torch.where(c, a, b), (m(4544, dt=b8), m(64, 4544), m(64, 4544)))]
    out += [("to_fp32", lambda x: x.float(), (m(1500, 1280, dt=f16),)),
            ("to_bf16", lambda x: x.to(bf), (m(4096, 3072, dt=f32),)),
            ("to_long", lambda x: x.long(), (m(8, 4096, dt=b8),)),
            ("to_fp32", lambda x: x.float(), (m(64, 256000),))]
    out += [("cat_kv", lambda a, b: torch.cat([a, b], 2), (m(1, 32, 2047, 96), m(1, 32, 1, 96))),
            ("cat_tokens", lambda a, b: torch.cat([a, b], 1), (m(16, 1, 768, dt=f32), m(16, 196, 768, dt=f32))),
            ("transpose_contiguous", lambda x: x.transpose(1, 2).contiguous(), (m(16, 197, 12, 64, dt=f16),)),
            ("repeat_kv", lambda x: x[:, :, None].expand(1, 8, 4, 4096, 128).reshape(1, 32, 4096, 128),
             (m(1, 8, 4096, 128),)),
            ("permute_contiguous", lambda x: x.permute(0, 2, 1, 3).contiguous(), (m(4, 2048, 32, 96),))]
    out += [("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(16, 12, 197, 64, dt=f16),
                                                                  m(16, 12, 197, 64, dt=f16))),
            ("einsum_decode", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), (m(8, 32, 1, 96),
                                                                                   m(8, 32, 4096, 96))),
            ("mv", torch.mv, (m(4544, 4544), m(4544))),
            ("tril", lambda x: torch.tril(x), (m(1024, 1024),)),
            ("triu_mask", lambda x: torch.triu(x, 1), (m(2048, 2048, dt=b8),)),
            ("pad", lambda x: F.pad(x, (0, 0, 3, 0)), (m(4, 509, 3072),)),
            ("clamp", lambda x: x.clamp(min=-65504.0, max=65504.0), (m(1500, 5120, dt=f16),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of both groups, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE, _more()), (REALCODE_CHECK2, _check2())))
