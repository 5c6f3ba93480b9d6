"""The aten sweep's twenty-third real-code fit group: `realcode-more23`, the kernels that write without reading (fills
and aranges), torch.pow of a number, torch.bucketize / searchsorted and batched products over batch-innermost views.

The pooled blind checks (realcode-check .. realcode-check20), looked at after scoring, priced these off:
- a fill or an arange of a few elements ran ~0.9-1.05 us on an H200 as a CUDA-graph replay where the elementwise keys'
  floor (fitted on kernels that load before they store) says 1.2: ATen's FillFunctor kernel (vectorised, 16-byte
  stores) and arange's elementwise_kernel_with_index store only. Large fills bind on their stores (16-bit ones at
  ~1.6 G elements a ms, 32- and 64-bit ones at their bytes); an arange's index kernel runs far below that (151,552
  int64 in 2.2 us). Timed here from one element to 256 M, 16-, 32- and 64-bit, every factory and in-place form;
- torch.pow(number, tensor) (a rotary table's base ** exponents): ATen fills a 0-dim GPU tensor with the number, then
  runs the tensor-tensor pow with it broadcast (two kernels, profiled: 0.75 + 1.6 us);
- torch.bucketize / searchsorted (searchsorted_cuda_kernel: a thread an element, a binary search over the boundaries,
  a dependent load a step): elements and boundaries across their spread;
- (value, index) reductions (max.dim, argmin) over the last dim of hundreds of thousands to millions of short rows
  (KIVI's per-group min / max ran 2.2x faster than priced): the fit groups had at most a few thousand rows;
- a bmm whose operands step their batch fastest (AlphaFold's triangle multiplication as an einsum over a channels-last
  pair tensor): cuBLAS takes neither a row- nor a column-major matrix there, so ATen copies each operand contiguous
  first (Blas.cpp, prepare_batch_matrix_for_cublas; profiled: two direct copies of 131 us before a 33 us GEMM).
"""

from __future__ import annotations

REALCODE_MORE23 = "realcode-more23"

# elements of the fills and aranges: a few (the launch floor) to 256 M (the stores' rate)
FILL_SIZES = (1, 64, 4096, 65536, 1 << 20, 1 << 22, 1 << 24, 1 << 26)
ARANGE_SIZES = (16, 2048, 65536, 262144, 1 << 20, 1 << 22, 1 << 24)
# (elements, boundaries) of torch.bucketize: short and long searches over few and many elements
BUCKETS = ((4096, 16), (65536, 64), (1 << 20, 255), (1 << 20, 4095), (1 << 22, 64), (1 << 22, 65535),
           (1 << 24, 1023), (262144, 100000))

# (rows, cols, dtype name) of the last-dim (value, index) reductions
INDEX_ROWS = ((1 << 16, 32, "float16"), (1 << 20, 32, "float16"), (1 << 22, 32, "float16"), (1 << 18, 64, "float32"),
              (1 << 20, 128, "bfloat16"), (1 << 14, 256, "float32"), (1 << 16, 1024, "float32"),
              (1 << 18, 1024, "float32"))


def _fills(m, i):
    import torch

    bf, f16, f32, i64 = torch.bfloat16, torch.float16, torch.float32, torch.int64
    # each factory sized by a bool tensor's length (the case's label carries it)
    out = []
    for n in FILL_SIZES:
        for dt in (bf, f32, i64):
            out.append((f"zeros_{str(dt).split('.')[-1]}", lambda x, dt=dt: torch.zeros(x.shape[0], dtype=dt),
                        (m(n, dt=torch.bool),)))
        out.append(("full_fp16", lambda x: torch.full((x.shape[0],), -65504.0, dtype=torch.float16),
                    (m(n, dt=torch.bool),)))
        out.append(("ones_like", lambda x: torch.ones_like(x), (m(n, dt=f32),)))
        out.append(("zeros_like_bf16", lambda x: torch.zeros_like(x), (m(n, dt=bf),)))
        out.append(("new_zeros_int64", lambda x: x.new_zeros(x.shape), (i(n),)))
        out.append(("fill_", lambda x: x.fill_(0.5), (m(n, dt=f16),)))
        out.append(("zero_", lambda x: x.zero_(), (m(n, dt=f32),)))
    for n in ARANGE_SIZES:
        out.append(("arange", lambda x: torch.arange(x.shape[0]), (m(n, dt=torch.bool),)))
        out.append(("arange_fp32", lambda x: torch.arange(0, x.shape[0], 1, dtype=torch.float32),
                    (m(n, dt=torch.bool),)))
        out.append(("arange_int32", lambda x: torch.arange(x.shape[0], dtype=torch.int32), (m(n, dt=torch.bool),)))
    return out


def _more23():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f32 = torch.bfloat16, torch.float32
    out = _fills(m, i)
    # a number to the power of a tensor (rotary and ALiBi tables: base ** (arange / dim))
    for n, dt in ((64, f32), (4096, f32), (1 << 20, f32), (1 << 22, bf), (1 << 24, f32)):
        out.append(("pow_scalar_base", lambda x: torch.pow(10000.0, x), (m(n, dt=dt),)))
    for n, b in BUCKETS:
        out.append(("bucketize", lambda x, edges: torch.bucketize(x, edges), (m(n, dt=f32), m(b, dt=f32))))
    # one sorted row per input row (searchsorted over a batch of CDFs: NeRF's importance sampling)
    for rows, n, b in ((4096, 128, 64), (65536, 32, 16), (1024, 1024, 1024)):
        out.append(("searchsorted_rows", lambda cdf, u: torch.searchsorted(cdf, u, right=True),
                    (m(rows, b, dt=f32), m(rows, n, dt=f32))))
    # products over channels-last pair tensors, the batch (channels) innermost: each operand copied contiguous first
    for n, c, dt in ((128, 64, bf), (256, 128, bf), (192, 32, f32), (320, 128, bf)):
        out.append(("einsum_batch_innermost", lambda a, b: torch.einsum("bikc,bjkc->bijc", a, b),
                    (m(1, n, n, c, dt=dt), m(1, n, n, c, dt=dt))))
    out.append(("bmm_batch_innermost", lambda a, b: torch.bmm(a.permute(2, 0, 1), b.permute(2, 0, 1)),
                (m(512, 256, 64, dt=bf), m(256, 512, 64, dt=bf))))
    # (value, index) reductions over the last dim of many short rows (KIVI's per-group min / max, a k-means
    # assignment's argmin): hundreds of thousands of blocks, where the fit groups had at most a few thousand
    for rows, cols, dt in INDEX_ROWS:
        x = m(rows, cols, dt=getattr(torch, dt))
        out.append(("max_dim_rows", lambda x: torch.max(x, dim=-1), (x,)))
        out.append(("argmin_rows", lambda x: torch.argmin(x, dim=-1), (x,)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE23, _more23()),))
