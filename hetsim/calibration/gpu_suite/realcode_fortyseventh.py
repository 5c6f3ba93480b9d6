"""The aten sweep's thirtieth real-code fit group: `realcode-more30`, the losses and optimizer kernels of training
code: nll_loss, softmaxes over many vocabulary-wide rows, torch.optim's foreach kernels and the losses ATen runs as
one op.

Read after scoring realcode-check22 (training-step code) with its kernel profiles: nll_loss_forward (the second half
of every cross-entropy) had no lowering, so the roofline priced it on the whole logits tensor (500-775 us where one
32-thread block reading a logit a row ran 8.5); log_softmax over 2,048-4,096 rows of 100,352-151,936 logits ran
~1 TB/s of its input and output, half what the softmax keys price (their fit saw wide rows only a few at a time);
torch.optim's foreach kernels (_foreach_zero_, _foreach_norm, _foreach_mul_: multi_tensor_apply, launches of up to 110
tensors and 320 blocks of 65,536 elements) and mse_loss had none either. This group times each across rows, widths,
reductions, list lengths and sizes, so the lowerings can be fitted on it (the checks are never fitted).
"""

from __future__ import annotations

REALCODE_MORE30 = "realcode-more30"

# (rows, classes, dtype name, reduction): log-probabilities and the targets nll_loss picks one of a row
NLL = ((64, 1000, "float32", "mean"), (256, 1000, "float32", "mean"), (1024, 32000, "float32", "mean"),
       (4096, 32000, "bfloat16", "mean"), (8192, 32000, "float32", "sum"), (16384, 50272, "bfloat16", "mean"),
       (32768, 1000, "float32", "mean"), (2048, 128256, "float32", "mean"), (4096, 128256, "bfloat16", "none"),
       (65536, 100, "float32", "mean"), (512, 151936, "bfloat16", "sum"), (128, 65536, "float32", "none"))
# (rows, cols, dtype name, log): softmaxes over many rows of a vocabulary's width
WIDE_ROWS = ((256, 32000, "bfloat16", True), (1024, 50272, "float32", True), (2048, 128256, "bfloat16", True),
             (4096, 32000, "float32", True), (512, 151936, "float32", False), (8192, 32000, "bfloat16", True),
             (1024, 100352, "float32", True), (128, 128256, "float32", False), (4096, 65536, "bfloat16", False))
# (tensor shapes, dtype name): parameter lists as a model's layers hold them
LISTS = ((((4096, 4096),) * 8 + ((4096,),) * 8, "float32"),
         (((1024, 1024), (1024,), (4096, 1024), (4096,), (1024, 4096), (1024,)) * 12, "float32"),
         (((768,),) * 150, "float32"),
         (((14336, 4096), (4096, 14336), (4096,)) * 4, "bfloat16"),
         (((320, 320, 3, 3), (320,), (640, 320, 3, 3), (640,)) * 6, "float32"),
         (((50257, 768),), "float32"))
# (shape, dtype name): losses ATen runs as one op (+ a reduction), and the elementwise ones beside them
LOSSES = (((32, 4, 64, 64), "float32"), ((256, 1024), "float32"), ((64, 3, 256, 256), "float32"),
          ((8, 16, 128, 128), "bfloat16"), ((200700, 91), "float32"))


def _more30():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    out = []
    for rows, classes, dt, reduction in NLL:
        out.append(("nll_loss", lambda lp, t, r=reduction: F.nll_loss(lp, t, reduction=r),
                    (m(rows, classes, dt=getattr(torch, dt)), i(rows))))
    for rows, cols, dt, log in WIDE_ROWS:
        fn = (lambda x: F.log_softmax(x, dim=-1)) if log else (lambda x: torch.softmax(x, dim=-1))
        out.append(("wide_softmax", fn, (m(rows, cols, dt=getattr(torch, dt)),)))
    for shapes, dt in LISTS:
        params = tuple(m(*s, dt=getattr(torch, dt)) for s in shapes)
        out.append(("foreach_zero", lambda *ps: torch._foreach_zero_(list(ps)), params))
        out.append(("foreach_norm", lambda *ps: torch._foreach_norm(list(ps), 2.0), params))
        out.append(("foreach_mul", lambda *ps: torch._foreach_mul_(list(ps), 0.999), params))
    for shape, dt in LOSSES:
        dtype = getattr(torch, dt)
        out.append(("mse_loss", lambda x, y: F.mse_loss(x, y), (m(*shape, dt=dtype), m(*shape, dt=dtype))))
        out.append(("bce_with_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y),
                    (m(*shape, dt=dtype), m(*shape, dt=dtype))))
        out.append(("erfinv", lambda x: torch.erfinv(x), (m(*shape, dt=dtype),)))
        out.append(("softshrink", lambda x: F.softshrink(x, 0.01), (m(*shape, dt=dtype),)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE30, _more30()),))
