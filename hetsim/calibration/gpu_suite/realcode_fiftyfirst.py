"""The aten sweep's thirty-second real-code fit group: `realcode-more32`, batch normalisation in training mode (batch
statistics) on the layouts its CUDA code tells apart.

Read off realcode-check24's kernel profiles after scoring it: native_batch_norm with training=True had no lowering
(roofline, assumed), and Normalization.cu runs one of three paths by the input's layout. A contiguous NCHW input:
batch_norm_collect_statistics_kernel, one block a channel walking its N x H x W elements (64 channels of 524,288 fp16
elements 417 us, 32 of 524,288 fp32 408: ~0.8 ns an element on one block's walk), then
batch_norm_transform_input_kernel over the (sample, channel) planes (128 planes of 262,144 fp16 212 us). A 2-D input or
a channels-last one: the channels-last statistics and transform kernels (~6 and ~3-4 us at a few MB). Any other layout
(a BatchNorm1d over a transposed sequence): var_mean by TensorIterator's reduction, then an elementwise kernel. Each
path beside the running statistics' update (a small kernel over the channels). This group times the three across
channels, planes, batch sizes and dtypes, so their forms can be fitted on it (the checks are never fitted).
"""

from __future__ import annotations

REALCODE_MORE32 = "realcode-more32"

# (shape, dtype name, channels last): inputs of F.batch_norm in training mode
BATCH_NORMS = (((2, 64, 512, 512), "bfloat16", False), ((8, 32, 256, 256), "float32", False),
               ((32, 64, 112, 112), "float16", False), ((64, 256, 56, 56), "float32", False),
               ((128, 512, 28, 28), "bfloat16", False), ((256, 1024, 14, 14), "float16", False),
               ((16, 2048, 7, 7), "float32", False), ((4, 16, 1024, 1024), "float32", False),
               ((1, 128, 128, 128), "float32", False), ((64, 32, 32, 32), "float32", False),
               ((512, 64, 8, 8), "float32", False), ((8, 96, 64, 64), "float32", False),
               ((32, 64, 112, 112), "float16", True), ((64, 256, 56, 56), "float32", True),
               ((16, 512, 28, 28), "bfloat16", True), ((1024, 512), "float32", False),
               ((65536, 128), "float32", False), ((4096, 2048), "bfloat16", False),
               ((64, 128, 500), "float32", False), ((256, 64, 1000), "float16", False))
# (batch, channels, length, dtype name): BatchNorm1d over a (batch, length, channels) sequence transposed to its
# (batch, channels, length) view, as a time-series or speech model calls it
TRANSPOSED = ((1024, 128, 42, "float32"), (32, 512, 500, "float32"), (256, 64, 336, "bfloat16"),
              (8, 256, 4096, "float32"))


def _more32():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()

    def train_bn(x, w, b, rm, rv):
        return F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.1, eps=1e-5)

    out = []
    for shape, dt, last in BATCH_NORMS:
        dtype = getattr(torch, dt)
        x = m(*shape, dt=dtype)
        if last:
            x = x.to(memory_format=torch.channels_last)
        c = shape[1]
        out.append(("train_batch_norm", train_bn, (x, *(m(c, dt=torch.float32) for _ in range(4)))))
    for batch, channels, length, dt in TRANSPOSED:
        dtype = getattr(torch, dt)
        out.append(("train_batch_norm_1d_transposed",
                    lambda x, w, b, rm, rv: train_bn(x.transpose(1, 2), w, b, rm, rv),
                    (m(batch, length, channels, dt=dtype), *(m(channels, dt=torch.float32) for _ in range(4)))))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE32, _more32()),))
