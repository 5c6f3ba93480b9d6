"""The aten sweep's fifteenth real-code fit group: `realcode-more15`, depthwise convolutions small and on cuDNN.

realcode-more14 fitted ATen's depthwise kernel (conv_depthwise2d_forward_kernel, `conv_depthwise`: a fixed cost per
output or the taps' work) on cases of 25-700 us: nothing told its fixed cost, and a decode step's convolution over a
4-token window (Mamba's and gated DeltaNet's conv state, check16's 32 x 8192 x 4: 4.4 us) is all fixed cost. This
group times the small end in bf16 and fp32 (one output per channel over a 4-tap window, short sequences, small
images). And PyTorch sends an fp16 depthwise convolution to cuDNN's own kernels (Convolution.cpp,
use_cudnn_depthwise: conv1d at stride 1, square 1 / 3 / 5 filters at stride 1, some at stride 2), the bias added
after (`conv_depthwise_cudnn`): more14 had two such cases, both with a bias (two kernels, nothing to fit); here fp16
conv1d and conv2d without a bias, so each case is one kernel, at the widths of FastConformer, Mamba in fp16 and
MobileNet-style blocks. And two launches the fit had only large cases of: nn.Embedding over a few-row table at many
lookups (a fixed cost per id), scatter_ of a value at a few indices a row. Fitting data only, never validated
against.
"""

from __future__ import annotations

REALCODE_MORE15 = "realcode-more15"


def _more15():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers
    from hetsim.calibration.gpu_suite.realcode_twentyfifth import conv1d, conv2d

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32

    out = []
    # ATen's kernel, small: a decode step's window (4 taps, one output per channel), short sequences, small images
    out += [("dw_conv1d_window", lambda x, w, b: conv1d(x, w, b), (m(n, c, 4, dt=dt), m(c, 1, 4, dt=dt), m(c, dt=dt)))
            for n, c, dt in ((1, 8192, bf), (8, 8192, bf), (64, 4096, bf), (16, 10240, bf), (4, 3072, f32))]
    out += [("dw_conv1d_short", lambda x, w, b: conv1d(x, w, b, 3), (m(n, c, t, dt=dt), m(c, 1, 4, dt=dt),
                                                                        m(c, dt=dt)))
            for n, c, t, dt in ((1, 4096, 16, bf), (4, 4096, 64, bf), (1, 2048, 256, bf), (2, 8192, 128, f32))]
    out += [("dw_conv2d_small", lambda x, w, b: conv2d(x, w, b), (m(n, c, h, h, dt=dt), m(c, 1, k, k, dt=dt),
                                                                    m(c, dt=dt)))
            for n, c, h, k, dt in ((1, 96, 56, 3, bf), (1, 192, 28, 7, bf), (4, 64, 32, 3, f32), (1, 768, 14, 7, bf))]
    # cuDNN's fp16 depthwise kernels, no bias (one kernel a case): conv1d of 4 and 9 taps, 3 x 3 and 5 x 5 conv2d at
    # stride 1 and 3 x 3 at stride 2 where the heuristic takes cuDNN (batch 1; 512 channels or more)
    out += [("dw_conv1d_fp16", lambda x, w, p=w_taps - 1: conv1d(x, w, None, p), (m(n, c, t, dt=f16),
                                                                                  m(c, 1, w_taps, dt=f16)))
            for n, c, t, w_taps in ((1, 4096, 2048, 4), (8, 512, 512, 9), (2, 1024, 1500, 9), (16, 4096, 64, 4),
                                    (1, 8192, 8, 4))]
    out += [("dw_conv2d_fp16", lambda x, w, s=stride: conv2d(x, w, None, s), (m(n, c, h, h, dt=f16),
                                                                              m(c, 1, k, k, dt=f16)))
            for n, c, h, k, stride in ((2, 256, 64, 3, 1), (4, 128, 56, 5, 1), (16, 64, 112, 3, 1), (1, 256, 56, 3, 2),
                                       (8, 512, 28, 3, 2), (1, 1152, 14, 5, 1))]
    # nn.Embedding over a few-row table at many lookups (T5's relative-position bias, BERT's token types, positions):
    # check16's 512 x 512 bucket ids over T5's 32 x 64 table ran 161 us, ~0.6 ns an id whatever the row, where the
    # bytes say 7 (the index kernel's per-index cost, which x[idx] on a table of rows shows too)
    emb = [((32, 16), (512, 512), bf), ((32, 12), (1024, 1024), f32), ((2, 1024), (64, 512), bf),
           ((2, 768), (8, 512), f32), ((512, 64), (4, 4096), bf), ((128, 32), (2, 65536), bf),
           ((8192, 256), (1, 32768), bf)]
    out += [("embedding_many_ids", lambda ids, w: F.embedding(ids, w), (torch.empty(*shape, dtype=torch.int64,
                                                                                      device="meta"),
                                                                          m(*table, dt=dt)))
            for table, shape, dt in emb]
    # scatter_ of a value at a few indices a row (min-p's and top-k's keep-the-top mask, an expert mask): a launch
    # that writes tens of elements (check9's and check16's 1.5 us, priced at the fitted 4.8 us intercept)
    out += [("scatter_value_few", lambda x, idx: x.scatter_(-1, idx, True), (m(n, v, dt=torch.bool),
                                                                              torch.empty(n, k, dtype=torch.int64,
                                                                                          device="meta")))
            for n, v, k in ((8, 151936, 1), (64, 128256, 1), (1, 32000, 4), (256, 64, 8), (32, 4096, 32))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE15, _more15()),))
