"""Each traced aten op as the kernel PyTorch dispatches for it on a GPU, in hetsim's op vocabulary.

One table, `MAPPING`, says for every aten op which regime prices it (the rate key a calibration
profile fits) and how its shapes become a hetsim op; `TABLE` is the same as rows for people (the
README and `hetsim stacks --ops` print it). The GPU model (hetsim/hardware/gpu.py) prices the ops:
a regime the profile fitted uses the fitted rates; any other by roofline from the datasheet,
marked `assumed` under the aten op's name in the run's provenance.

Attention is not read from the trace's CPU op: the SDPA call's arguments (hetsim/tracing/sdpa.py)
decide the CUDA backend as PyTorch does, and the call becomes one fused kernel (cuDNN, flash,
memory-efficient) or the math path's chain of ops. No torch here.

The lowerings live in one module a family (aten_copies, aten_casts, aten_pointwise, aten_reductions, aten_norms,
aten_index, aten_products, aten_attention, aten_convolution, aten_image, aten_library), each importing the shared
helpers (aten_shapes), the lookup (aten_dispatch) and the families it builds on, never this module, which fills the
table and is what callers import.
"""

from __future__ import annotations

from hetsim.stacks.aten_attention import (
    CUDNN_FIRST_ARCHS,
    SDPA_CPU_OPS,
    cudnn_preferred,
    lower_sdpa,
    sdpa_backend,
)
from hetsim.stacks.aten_casts import _to_copy
from hetsim.stacks.aten_convolution import _convolution, cudnn_algo, cudnn_depthwise
from hetsim.stacks.aten_copies import (
    _dense_copy,
    _materialise,
    _packed_copy,
    _repeat_interleave,
    cat_dim,
    dominated_cat,
    narrow_runs,
)
from hetsim.stacks.aten_dispatch import MAPPING, _host, lower_op
from hetsim.stacks.aten_foreach import FOREACH_BASES, _amp_update_scale, _foreach
from hetsim.stacks.aten_image import (
    _adaptive_max_pool,
    _adaptive_pool,
    _diagonal_copy,
    _edge_pad,
    _grid_sample,
    _im2col,
    _pad,
    _pixel_shuffle,
    _pool,
    _roll,
    _upsample,
    _upsample_aa,
)
from hetsim.stacks.aten_index import (
    _embedding,
    _embedding_bag,
    _gather,
    _index,
    _index_add,
    _index_copy,
    _index_fill,
    _index_put,
    _index_select,
    _masked_scatter,
    _nonzero,
    _scatter,
    _scatter_reduce,
    _select,
)
from hetsim.stacks.aten_library import LIBRARY
from hetsim.stacks.aten_losses import _bce_with_logits, _binary_cross_entropy, _mse_loss, _nll_loss, _nll_loss2d
from hetsim.stacks.aten_norms import _batch_norm, _group_norm, _layer_norm, _rms_norm, _softmax
from hetsim.stacks.aten_pointwise import (
    RANDOM_FILLS,
    _diag_embed,
    _draw_or_load,
    _eye,
    _glu,
    _isinf,
    _linspace,
    _masked_fill,
    _pointwise,
    _random,
    _tril,
)
from hetsim.stacks.aten_products import _baddbmm, _bmm, _dot, _euclidean_dist, _mm, _mv
from hetsim.stacks.aten_reductions import (
    SCAN_CHUNK_BYTES,
    SCAN_THREADS,
    _kth_value,
    _logsumexp,
    _multinomial,
    _reduction,
    _scan,
    _searchsorted,
    _sort,
    _topk,
    _trace,
    scan_threads_x,
)
from hetsim.stacks.aten_shapes import hdtype, iteration_dims, nbytes
from hetsim.stacks.aten_spectral import _c2c, _c2r, _r2c
from hetsim.tracing.classify import ELEMENTWISE, VIEW

# the public face: the table and lower_op, the SDPA lowering, and the helpers callers and tests read from here
__all__ = ["CUDNN_FIRST_ARCHS", "MAPPING", "SCAN_CHUNK_BYTES", "SCAN_THREADS", "SDPA_CPU_OPS", "_dense_copy",
           "_to_copy", "cat_dim", "cudnn_algo", "cudnn_depthwise", "cudnn_preferred", "dominated_cat", "hdtype",
           "iteration_dims", "lower_op", "lower_sdpa", "narrow_runs", "nbytes", "scan_threads_x", "sdpa_backend",
           "table_rows"]

# in-place views: a view's metadata changed on the host, no kernel
INPLACE_VIEWS = frozenset({"squeeze_", "unsqueeze_", "transpose_", "t_", "as_strided_", "swapdims_", "swapaxes_"})


COPIES = ("copy_memcpy / copy_cat / cat_dominated / cat_unaligned / copy_strided / copy_transpose / cat_one_input / "
          "cat_strided / copy_expand / copy_repeat (else copy)")
# the table's rows (the dict lives in hetsim.stacks.aten_dispatch, where lower_op reads it)
# a pool's kernel: a thread an output walking its window; pool_walk where the outputs do not fill the GPU
POOL_ROW = "pool / pool_walk (a thread an output, its window)"

MAPPING.update({
    "mm": ("matmul", _mm), "addmm": ("matmul", _mm),
    # addmm_ (x.addmm_(a, b, beta, alpha), center loss' distances): cuBLAS's GEMM accumulating into x with beta
    "addmm_": ("matmul", _mm), "bmm": ("bmm / matmul_outer (k = 1)", _bmm),
    "_scaled_mm": ("matmul_fp8 (else matmul at the fp8 peak)", _mm),
    "_int_mm": ("matmul at the int8 peak (cuBLASLt's int8 GEMM)", _mm),
    "dot": ("gemv (cuBLAS's dot: one row)", _dot), "vdot": ("gemv (cuBLAS's dot: one row)", _dot),
    "trace": ("reduction_last (the diagonal's sum)", _trace),
    "resize_as_": ("host_view (no kernel: the output's metadata)", _host),
    "mv": ("gemv (else matmul)", _mv), "addmv": ("gemv (else matmul)", _mv), "addmv_": ("gemv (else matmul)", _mv),
    "_fused_rms_norm": ("rms_norm (else layer_norm)", _rms_norm),
    "native_group_norm": ("group_norm (moments a block per group, then the scale and shift)", _group_norm),
    "logsumexp": ("reduction_last / reduction_outer(_max) + pointwise(_math): amax, x - max, exp_, sum, log_",
                  _logsumexp),
    "embedding": ("embedding / embedding_few (else gather_narrow / gather)", _embedding),
    "_embedding_bag_forward_only": ("embedding_bag (a warp step a 32-feature chunk of a row, else gather)",
                                    _embedding_bag),
    "_embedding_bag": ("embedding_bag (a warp step a 32-feature chunk of a row, else gather)", _embedding_bag),
    "glu": ("pointwise_broadcast / pointwise_math (a * sigmoid(b) over the halves)", _glu),
    "tril_indices": ("elementwise (its output written)", _pointwise),
    "triu_indices": ("elementwise (its output written)", _pointwise),
    "index_fill_": ("pointwise_broadcast (the selected slices written)", _index_fill),
    "index_fill": ("pointwise_broadcast (the selected slices written)", _index_fill),
    **dict.fromkeys((f"{kind}_pad{d}d" for kind in ("reflection", "replication") for d in (1, 2, 3)),
                    ("pad_edge (a thread an output; else copy_strided)", _edge_pad)),
    "index_select": ("gather_few (<= 16 indices) / gather_narrow / gather", _index_select),
    "index_copy_": ("index_copy (row scatter; else gather_narrow / gather)", _index_copy),
    "index_copy": ("index_copy (row scatter; else gather_narrow / gather)", _index_copy),
    "cat": (COPIES, _materialise),
    "clone": (COPIES, _materialise),
    "contiguous": (COPIES, _materialise),
    "copy_": (COPIES, _materialise),
    "stack": (COPIES, _materialise),
    "split_with_sizes_copy": ("copy_cat (one vectorised copy out of the source)", _packed_copy),
    "_chunk_cat": ("copy_cat (one vectorised copy of the sources' chunks)", _packed_copy),
    "repeat": (COPIES, _materialise),
    "_to_copy": ("cast / cast_fp32 / cast_fp8 / cast_from_fp8 (else elementwise) / copy_h2d + sync", _to_copy),
    "mean": ("reduction_last / reduction_narrow / reduction_outer", _reduction),
    "sum": ("reduction_last / reduction_narrow / reduction_outer", _reduction),
    "amax": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "amin": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "argmax": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "any": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "all": ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction),
    "topk": ("topk_singleblock / topk_multiblock", _topk),
    "linalg_vector_norm": ("reduction_last / reduction_narrow / reduction_outer", _reduction),
    "native_layer_norm": ("layer_norm (else pointwise)", _layer_norm),
    "gather": ("gather_elements (else gather_narrow / gather)", _gather),
    "index_add_": ("index_add (a row scatter-add; else gather_narrow / gather)", _index_add),
    "index_add": ("index_add (a row scatter-add; else gather_narrow / gather)", _index_add),
    "nonzero_static": ("select", _select),
    "nonzero": ("select + sync (the host learns the count)", _nonzero),
    "baddbmm": ("bmm", _baddbmm),
    "index": ("index_gather (x[idx]); a bool mask: select + sync + gather", _index),
    "_unsafe_index": ("index_gather (x[idx]); a bool mask: select + sync + gather", _index),
    "sort": ("sort / sort_segmented / sort_inplace (rows <= 4096)", _sort),
    "argsort": ("sort / sort_segmented / sort_inplace (rows <= 4096)", _sort),
    "cumsum": ("scan / scan_device (one row)", _scan), "cumprod": ("scan / scan_device (one row)", _scan),
    "cummax": ("scan / scan_outer (values and indices)", _scan), "cummin": ("scan / scan_outer (values and indices)",
                                                                           _scan),
    "logcumsumexp": ("scan / scan_outer (a log-add-exp a step)", _scan),
    "kthvalue": ("topk_select_singleblock (one block a slice)", _kth_value),
    "median": ("topk_select_singleblock (one block a slice); without a dim: sort of the flattened tensor", _kth_value),
    "nanmedian": ("topk_select_singleblock (one block a slice); without a dim: sort, isnan, sum", _kth_value),
    "multinomial": ("multinomial", _multinomial),
    "eye": ("elementwise / pointwise_narrow (the fill) + pointwise_broadcast (the diagonal)", _eye),
    "constant_pad_nd": ("pointwise (the fill) + copy_strided (the input into it)", _pad),
    "convolution": ("conv_depthwise(_cudnn / _nhwc) (groups = channels) / conv_layout x 3 + conv_gemm(_sm80 / "
                    "_narrow) / conv_first_layer (cuDNN's implicit GEMM, NHWC) / conv_simt (NCHW, few channels) / "
                    "matmul (2-D 1 x 1), + pointwise_broadcast (the bias)", _convolution),
    "repeat_interleave": ("copy_cat / copy_strided + sync without output_size", _repeat_interleave),
    "tril": ("tril (else pointwise)", _tril), "triu": ("tril (else pointwise)", _tril),
    # in place: the same triu_tril_kernel over the tensor it writes
    "tril_": ("tril (else pointwise)", _tril), "triu_": ("tril (else pointwise)", _tril),
    "masked_scatter": ("copy_cat + copy_expand + scan_device + pointwise (clone, mask, scan, scatter)",
                       _masked_scatter),
    "masked_scatter_": ("copy_expand + scan_device + pointwise (mask, scan, scatter)", _masked_scatter),
    "isinf": ("pointwise(_broadcast) x 2: abs, then == inf", _isinf),
    "native_batch_norm": ("batch_norm (eval); batch_norm_train or batch_norm_stats_cl + a broadcast (training)",
                          _batch_norm),
    "_native_batch_norm_legit_no_training": ("batch_norm", _batch_norm),
    "upsample_nearest2d": ("upsample_nearest", _upsample),
    "upsample_nearest1d": ("upsample_nearest", _upsample),
    "upsample_nearest3d": ("upsample_nearest", _upsample),
    "_upsample_nearest_exact2d": ("upsample_nearest", _upsample),
    "_fft_r2c": ("fft (cuFFT's passes; the batch dims' copy, a normalising multiply)", _r2c),
    "_fft_c2r": ("fft (the input cloned, cuFFT's passes, a normalising multiply)", _c2r),
    "_fft_c2c": ("fft (cuFFT's passes; the batch dims' copy, a normalising multiply)", _c2c),
    "pixel_shuffle": ("copy_transpose / copy_strided (the permuted view made contiguous)", _pixel_shuffle),
    "pixel_unshuffle": ("copy_transpose / copy_strided (the permuted view made contiguous)", _pixel_shuffle),
    "upsample_bilinear2d": ("upsample_bilinear (a thread a position walking the channels)", _upsample),
    "upsample_bicubic2d": ("upsample_bicubic (a thread a position walking the channels)", _upsample),
    "max_pool2d_with_indices": (POOL_ROW, _pool),
    "_upsample_bilinear2d_aa": ("upsample_aa (a thread a position walking the channels over its window)", _upsample_aa),
    "_upsample_bicubic2d_aa": ("upsample_aa (a thread a position walking the channels over its window)", _upsample_aa),
    "_adaptive_avg_pool2d": ("pool_adaptive (a block a plane, a thread its outputs' windows)", _adaptive_pool),
    "upsample_trilinear3d": ("upsample_bilinear (a thread a position walking the channels)", _upsample),
    "upsample_linear1d": ("upsample_bilinear (a thread a position walking the channels)", _upsample),
    "avg_pool2d": (POOL_ROW, _pool),
    # the 3-D pools' kernels are the 2-D ones' over a third window dim (DilatedMaxPool3d.cu, AveragePool3d.cu): a
    # thread an output walking its window
    "max_pool3d_with_indices": (POOL_ROW, _pool),
    "avg_pool3d": (POOL_ROW, _pool),
    "adaptive_max_pool2d": ("pool_adaptive_max (a block a plane, a thread its outputs' windows, in waves of planes)",
                            _adaptive_max_pool),
    "diagonal_copy": ("copy_strided (the diagonal's elements)", _diagonal_copy),
    "_prelu_kernel": ("pointwise_broadcast (the channel weights broadcast)", _pointwise),
    "bucketize": ("searchsorted (a binary search an element)", _searchsorted),
    "searchsorted": ("searchsorted (a binary search an element)", _searchsorted),
    "nll_loss_forward": ("nll_loss (one block walks the rows; unreduced: pointwise_fill + pointwise)", _nll_loss),
    "mse_loss": ("pointwise + reduction (the squared difference written, then its mean)", _mse_loss),
    "binary_cross_entropy": ("pointwise_math + reduction (the loss written, then its mean)", _binary_cross_entropy),
    "binary_cross_entropy_with_logits": ("pointwise x 5 + reduction (its composite's kernels)", _bce_with_logits),
    "nll_loss2d_forward": ("pointwise (unreduced: a sector a position); reduced: gather_elements (a dependent pair a "
                           "trip) between pointwise_fill and pointwise", _nll_loss2d),
    "diag_embed": ("pointwise_fill + copy_strided (zeros, then the diagonal view copied)", _diag_embed),
    "_amp_update_scale_": ("pointwise (one thread)", _amp_update_scale),
    "_euclidean_dist": ("pointwise + reduction + pointwise_fill + copy_cat + bmm_fp32 / matmul_fp32 + pointwise "
                        "(cdist's norms, widened sides, one product, clamp and sqrt)", _euclidean_dist),
})
MAPPING.update(LIBRARY)
for _bases, _row in (
        (("max", "min", "argmin", "prod", "var", "std", "var_mean", "std_mean", "nansum",
          "count_nonzero", "norm", "aminmax"),
         ("reduction_last / reduction_narrow / reduction_outer(_max)", _reduction)),
        (("_softmax", "_safe_softmax", "softmax", "_log_softmax", "log_softmax"),
         ("softmax_warp / softmax_last (last dim) / softmax", _softmax)),
        (("index_put_", "index_put", "_index_put_impl_"),
         ("index_put / index_put_accumulate (x[idx] = v); a bool mask: masked_fill or select + sync", _index_put)),
        (("scatter", "scatter_", "scatter_add", "scatter_add_"),
         ("scatter / scatter_add (an element scatter)", _scatter)),
        (("scatter_reduce", "scatter_reduce_"),
         ("scatter_add (its atomics), after an identity scatter (include_self=False); a mean's count and division",
          _scatter_reduce)),
        (("flip",), ("copy_strided (an offset an element)", _materialise)),
        (("roll",), ("roll a rolled dim (a clone first where strided)", _roll)),
        (tuple(RANDOM_FILLS), ("random (a distribution kernel: stores only)", _random)),
        (("bernoulli_", "normal"), ("random with numbers for p / mean and std (stores only); else elementwise",
                                    _draw_or_load)),
        (("linspace",), ("pointwise_arange (an index kernel: stores only)", _linspace)),
        (("grid_sampler_2d", "grid_sampler_3d"), ("grid_sample (a thread a position walking the channels)",
                                                   _grid_sample)),
        (("im2col",), ("copy_strided (a thread a window)", _im2col)),
        (("log_sigmoid_forward",), ("pointwise_math", _pointwise)),
        (("masked_fill",), ("a copy + pointwise(_broadcast) (a clone, then masked_fill_ on it)", _masked_fill)),
        (("masked_fill_",), ("pointwise / pointwise_broadcast (in place)", _pointwise)),
        (FOREACH_BASES, ("pointwise / pointwise_fill a multi_tensor_apply launch (chunks packed into launches)",
                         _foreach))):
    for _base in _bases:
        MAPPING.setdefault(_base, _row)
# in-place variants too (silu_, exp_, clamp_: the same kernel writing its input)
for _base in ELEMENTWISE | {f"{b}_" for b in ELEMENTWISE} | {"copy"}:
    MAPPING.setdefault(_base, ("pointwise / pointwise_broadcast / pointwise_math (else elementwise)", _pointwise))
for _base in VIEW | INPLACE_VIEWS | {"view", "t", "transpose", "unsqueeze", "squeeze", "expand", "slice", "select",
                                     "permute", "as_strided", "reshape", "flatten", "unflatten", "split", "chunk",
                                     "narrow", "diagonal",
                                     # the views of a split (torch.split of a grad-free tensor records unsafe_split:
                                     # GRU4Rec's, realcode-check31, priced +19,700 % as an unknown op)
                                     "unsafe_split", "unsafe_split_with_sizes", "split_with_sizes", "unsafe_chunk"}:
    MAPPING.setdefault(_base, ("host_view (no kernel)", _host))


def table_rows() -> list[tuple[str, str]]:
    """(aten op, regime) rows of the mapping, grouped by regime (for `hetsim stacks --ops`)."""
    rows = [(k, v[0]) for k, v in MAPPING.items()]
    rows.append(("scaled_dot_product_attention (SdpaCall)",
                 "cuDNN: attention_decode / attention_prefill (attention_masked with a mask); flash: "
                 "attention_flash_decode / attention_flash_prefill; memory-efficient: attention_efficient_decode; "
                 "math: bmm+softmax (backend by GPU and workload.cudnn_sdpa)"))
    rows.append(("(any other aten op)", "aten_unknown: roofline from the datasheet, assumed"))
    rows.append(("(module call)", "host_module: Python overhead per nn.Module call, assumed"))
    rows.append(("(blocking host->GPU copy)", "host_sync: the host waits for the GPU (serialises host and device)"))
    rows.append(("(SDPA, cuDNN, new shape)", "host_sdpa_plan: cuDNN graph build per new K/V length, assumed"))
    return sorted(rows, key=lambda r: (r[1], r[0]))
