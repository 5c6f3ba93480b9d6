"""The aten sweep's twenty-ninth real-code fit group: `realcode-more29`, batched 16-bit products of small matrices,
one-row fp32 products in batches, and elementwise ops over the columns of narrow rows.

Read after scoring (the pooled checks 1-21 with their kernel profiles) and after realcode-more27's fp32 tiles were
fitted: 16-bit batches of small matrices run nvjet's 64 x 8 tiles after a memset, or CUTLASS's 16 x 16 wmma tiles, a
fixed cost per tile (16,384 8 x 8 products 51 us: 3.1 ns a tile, priced 10); one-row fp32 products in batches run
cuBLAS's batched gemv kernels at a cost per item (16,384 items of 32 x 16 27 us, priced 10.5; Informer's 24,576 items
of 25 x 64 180 us, priced 47); an elementwise op over columns of rows of 3 or 4 floats (box coordinates, a Gaussian's
covariance entries) ran 1.5-1.8x faster than the strided spans' bytes price. This group times each across sizes so a
form can be fitted on it (the checks are never fitted).
"""

from __future__ import annotations

REALCODE_MORE29 = "realcode-more29"

# (batch, m, k, n, dtype name): 16-bit batches of small products across items, sides and depths
HALF_PRODUCTS = ((262144, 2, 2, 2, "bfloat16"), (131072, 3, 3, 3, "bfloat16"), (32768, 8, 8, 8, "bfloat16"),
                 (65536, 8, 16, 8, "float16"), (16384, 16, 16, 16, "float16"), (8192, 16, 64, 16, "bfloat16"),
                 (4096, 32, 32, 32, "bfloat16"), (2048, 32, 128, 32, "bfloat16"), (8192, 8, 128, 8, "bfloat16"),
                 (16384, 4, 16, 64, "bfloat16"), (4096, 64, 16, 4, "bfloat16"), (32768, 16, 8, 16, "bfloat16"),
                 (1024, 64, 64, 64, "bfloat16"), (512, 64, 256, 64, "float16"), (65536, 4, 8, 4, "float16"),
                 (2048, 8, 512, 8, "bfloat16"))
# (batch, k, n): one-row fp32 products in batches (a query against each item's keys)
GEMV_PRODUCTS = ((24576, 64, 25), (8192, 64, 50), (32768, 16, 32), (4096, 256, 16), (65536, 32, 8),
                 (1024, 512, 64), (16384, 128, 4), (2048, 32, 256), (8192, 8, 128), (512, 64, 1024))
# (rows, width, dtype name, same): an op over two columns of rows `width` wide, of one tensor or of two
COLUMN_OPS = ((1_000_000, 2, "float32", True), (1_000_000, 3, "float32", True), (1_000_000, 4, "float32", False),
              (4_000_000, 4, "float32", True), (250_000, 4, "float32", True), (1_000_000, 8, "float32", True),
              (1_000_000, 16, "float32", False), (2_000_000, 3, "bfloat16", True), (500_000, 4, "float16", False),
              (4_000_000, 2, "float32", False), (100_000, 4, "float32", True), (1_000_000, 6, "float32", True))


def _more29():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers
    from hetsim.calibration.gpu_suite.realcode_fortythird import batched_products

    m, _ = _meta_makers()
    out = batched_products("bmm_small_half", HALF_PRODUCTS)
    out += batched_products("bmm_row", ((batch, 1, depth, cols, "float32") for batch, depth, cols in GEMV_PRODUCTS))

    def columns_of_one(x):  # e.g. a box's width from its corners: x[:, 2] - x[:, 0], then a product of two columns
        return (x[:, 2 % x.shape[1]] - x[:, 0]) * x[:, 1]

    def columns_of_two(x, y):  # a delta applied to an anchor: x[:, 0] + y[:, 1] * x[:, 1]
        return x[:, 0] + y[:, 1] * x[:, 1]

    for rows, width, dt, same in COLUMN_OPS:
        dtype = getattr(torch, dt)
        if same:
            out.append(("column_ops", columns_of_one, (m(rows, width, dt=dtype),)))
        else:
            out.append(("column_ops", columns_of_two, (m(rows, width, dt=dtype), m(rows, width, dt=dtype))))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE29, _more29()),))
