"""The aten sweep's twenty-seventh real-code fit group: `realcode-more27`, batched products of small matrices, measured
for the pricing of cuBLAS's per-item kernels.

The pooled checks' worst products (read after scoring, with their kernel profiles) are batches of small matrices:
1 M 3 x 3 fp32 products ran 1.9 ms in 32 x 32 xmma tiles (priced 40 us by flops and bytes), a row per item through
cuBLAS's batched gemv kernels (gemvx, gemv2N: ~7.5 ns an item), and 16-bit ones through nvjet's 64 x 8 tiles after a
memset (-70..-80 %). What binds there is the count of tiles or items and each one's fixed cost, which the bmm keys'
roofline cannot say. This group times such batches across items, sides and depths, in fp32 and bf16, so that a
per-item form can be fitted (the pooled checks are never fitted).
"""

from __future__ import annotations

REALCODE_MORE27 = "realcode-more27"

# (batch, m, k, n, dtype name)
PRODUCTS = ((262144, 3, 3, 3, "float32"), (65536, 4, 4, 4, "float32"), (16384, 9, 9, 9, "float32"),
            (4096, 1, 64, 32, "float32"), (16384, 1, 32, 16, "float32"), (2048, 1, 128, 64, "float32"),
            (512, 1, 256, 256, "float32"), (64, 8, 8, 4096, "float32"), (256, 16, 16, 16, "float32"),
            (1024, 33, 64, 32, "float32"), (96, 33, 2048, 32, "float32"), (32, 4, 32, 16384, "float32"),
            (131072, 2, 2, 2, "float32"), (8192, 16, 8, 16, "float32"),
            (16384, 8, 64, 8, "bfloat16"), (8192, 8, 8, 64, "bfloat16"), (2048, 1, 32, 128, "bfloat16"),
            (96, 1, 32, 4096, "bfloat16"), (64, 1, 2048, 16, "bfloat16"), (256, 64, 64, 1, "bfloat16"),
            (64, 4, 32, 16384, "bfloat16"), (65536, 4, 4, 4, "bfloat16"), (4096, 16, 16, 16, "bfloat16"),
            (1024, 1, 512, 64, "bfloat16"))


def batched_products(label: str, products) -> list:
    """A torch.bmm case of each (batch, m, k, n, dtype name) of `products`, labelled `label`."""
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    out = []
    for batch, rows, depth, cols, dt in products:
        dtype = getattr(torch, dt)
        out.append((label, lambda a, b: torch.bmm(a, b), (m(batch, rows, depth, dt=dtype),
                                                          m(batch, depth, cols, dt=dtype))))
    return out


def _more27():
    return batched_products("bmm_small", PRODUCTS)


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE27, _more27()),))
