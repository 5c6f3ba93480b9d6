"""Fit the regimes of traced ops from the aten sweep: new rate keys in a GPU profile.

    python -m hetsim.calibration.trace_fit --profile calibration/profiles/H200.yaml \\
        --cases calibration/profiles/runs/H200-aten-2026-12-01.parquet \\
        [--cases calibration/profiles/runs/H200-aten-methods-DATE.parquet] \\
        --host-calls calibration/profiles/runs/H200-aten-2026-12-01.host_calls.json \\
        --host-calls calibration/e2e/H200/host_calls.json [--write]

The cases are the aten sweep (hetsim.calibration.gpu_suite.aten_sweep): the aten ops real transformers
models ran, of other models and shapes than the op-level validation cases, each timed as a steady
stream, as host issue time, as a CUDA-graph replay and alone onto an idle GPU. The validation cases
(calibration/e2e/<GPU>/ops.parquet, `hetsim validate ops`) are never fitted: a cases file sharing a
case with them is refused (`--validation`). Nor are the ops of the methods' validation composites
(calibration/methods/<GPU>*/methods.parquet, `hetsim validate methods`; `--composites`, repeatable): the
composites grow after a sweep is measured (a new method may run an op a sweep already timed), so such a
case is left out of the fit, and the count and the files are recorded (each key's `fit.left_out`); so is a case an
op of a blind check group runs (`is_check`: a source of it names the group).
`--cases` may be given several times (the models' sweep and the methods group's, run in different
sessions): each key is fitted on the cases of the first file that has cases of it (`--pooled`: on the
cases of all the files). `--table-cases` (repeatable) names sweeps of the landscape of kernel choices
(conv-sweep, reduce-sweep, tiny-sweep) whose cases only join the tables of measured neighbours an op is corrected
by (`neighbour_tables`, `conv_tables`) and fit no key. Each regime below becomes a rate key of
`hetsim.hardware.gpu` (`rate_keys`), fitted from the cases that key prices:

    pointwise       a traced elementwise aten op (host issue through the dispatcher; bandwidth)
    pointwise_broadcast  one whose input is broadcast or non-contiguous (rotary's cos * q): TensorIterator's
                    strided kernel, ~0.7 us more and ~half the bandwidth of a contiguous one
    pointwise_cast  an elementwise op over contiguous operands of mixed dtypes (fp32 residuals plus bf16 states):
                    TensorIterator's unrolled kernel, a cast per load and store, an element rate beside the bytes
    pointwise_strided_cast  the same through the strided kernel (a broadcast or a slice): an element rate per operand
    cast            _to_copy between dtypes (RMSNorm's and rotary's fp32 chains)
    cast_int        a cast between integers narrower than int64 (int32 words to int8): an element rate beside the bytes
    cast_fp32       a cast up to fp32 from another dtype (about half the bandwidth of a cast down)
    copy_strided    a copy out of non-contiguous views that keep the last dim (rotate_half's cat of two halves, a
                    transpose of heads); the cases of every file
    copy_transpose  a copy whose output's last dim is strided in the input (a sector per element): an element rate
                    beside the bytes (ROOF_KEYS), the cases of every file
    cat_one_input   the batched cat kernel with one non-empty input (DynamicCache's first update): the kernel gives
                    each input 2 x SMs blocks, so one input has half the GPU; its cases are all of one size, so
                    its overhead is copy_strided's and its bandwidth fitted
    copy_expand     a copy out of a broadcast (stride-0) view: repeat_kv's clone of the expanded K/V heads
    copy_cat        cat / clone of contiguous inputs (DynamicCache's growth)
    index_copy      index_copy_ of cache rows (StaticCache's update)
    index_copy_rows index_copy_ of whole rows over the outermost dim (aten_index._row_scatter): the element index
                    kernel over a two-dim iterator, its elements' rate beside the bytes (STEP_ROOF_KEYS, as
                    index_lookup), fitted on rowscatter-sweep
    embedding       nn.Embedding's row gather (its own kernel and dispatch, not index_select's)
    embedding_few   over <= 16 tokens: index_select's small-index kernel walks the rows one by one (per index,
                    as gather_few)
    reduction_last  a traced last-dim reduction (RMSNorm's fp32 mean): the bytes at bw_bytes_per_s or each
                    thread's walk over its share of a row (hetsim.hardware.launch.reduce_walk) at
                    walk_bw_bytes_per_s, whichever is slower (16 to 1,024 rows of 4096 fp32 all take ~7.6 us);
                    fitted on the cases of every file (the models' sweep has the many-row, the methods group
                    the tens-of-rows ones: each alone cannot tell the two terms apart)
    matmul_outer    a matmul with k = 1 (rotary's inv_freq @ positions, fp32): a fixed-cost kernel
    reduction_outer a sum / mean over an outer or middle dim (a query-group sum): TensorIterator's reduce
                    kernel with the outputs contiguous, not the last-dim one: the bytes, or its lanes' walk as
                    Reduce.cuh lays it out (launch.reduce_walk; WALK_KEYS), then its global reduction's chain of
                    partials (launch.global_reduce_chain, item_s each; CHAIN_KEYS)
    reduction_outer_max  amax / amin there (LServe's page min/max, SeerAttention-R's block pooling)
    reduction_outer_pair  max.dim / argmax / var / std there: a (value, index) pair or Welford's moments a partial
    cast_fp8        a cast down to float8_e4m3fn (ATen's float8 copy kernel, DSA's fp8 indexer)
    cast_from_fp8   a cast up from float8_e4m3fn (the fp8 indexer's keys back to bf16): ~3x slower
    layer_norm      native_layer_norm (one vectorised kernel over the rows): its bytes, its Welford updates with a
                    fixed cost a row (a work rate), or one block's walk over a long row (THREE_TERM_KEYS)
    select          torch.nonzero_static over a mask (cub's select: a few launches; torch.nonzero adds a sync)
    topk_select_singleblock  torch.topk's select alone, one block a row (the suite's topk_singleblock timed sorted
                    calls, their sort inside): waves of SM-count rows (fit_waves_key); `topk_select_multiblock` its
                    multi-block radix select (the bytes), `topk_select_multiblock_fp32` over fp32 scores (four digit
                    passes, not two: the bytes, or one row's where that halves the error). Fitted on calls that sort
                    nothing (sorted=False, k = 1) and on sorted calls less their sort (`points_by_key`'s `inner`)
    topk_sort_bitonic / topk_sort_radix  the sort of a sorted top-k's results inside its call (hetsim.hardware.
                    sorting.topk_sort): RESIDUAL_KEYS fitted only on sorted / unsorted twins (TWIN_ONLY_KEYS)
    scan_outer      cumsum over an outer dim (scan_outer_dim: a thread walks each column): the bytes or its walk
    gather_few      index_select of <= 16 indices (ATen's small-index kernel walks them one after another):
                    device_s = overhead_s + item_s x indices (the wave term of OpClassRates, one wave) + the rows'
                    elements at an element rate where enough wide rows were timed (fit_per_index; every file's)
    index_add_few   index_add_ of <= 16 source rows: the same small-index walk, an atomic add per index
    nll_loss        a reduced nll_loss_forward: one block's trips over the rows, then thread 0's serial sum over
                    its threads (overhead_s + threads x wave_s + max(trips / flop_rate, bytes / bw_bytes_per_s),
                    STEP_ROOF_KEYS)
    cast_unrolled   a cast Copy.cu does not vectorise (fp16 <-> bf16, to or from a byte-wide integer): the
                    dynamic-casting kernel's element rate beside the bytes
    pointwise_transpose  an elementwise op with an operand read across its layout (x + y.mT): a sector per element,
                    an element rate beside the bytes
    conv_depthwise  ATen's depthwise convolution (conv_depthwise2d, a thread per output): a fixed cost per output or
                    its taps' work, whichever binds (FLOOR_KEYS); `conv_depthwise_cudnn` cuDNN's fp16 ones the same
    conv_gemm       cuDNN's implicit-GEMM convolution on its Hopper kernels (a group's input channels a multiple of
                    64): the bytes or the tiles' work (gpu.conv_tile_flops: channels and output channels padded to 32,
                    fp32 as TF32 at half rate), fitted on channels-last cases that launch the GEMM alone (ROOF_KEYS);
                    `conv_gemm_sm80` its Ampere-style kernels over few or odd input channels, `conv_gemm_narrow` those
                    into few output channels, `conv_simt` its
                    CUDA-core kernels over NCHW (1-8 input channels: the flops at ~20 TFLOP/s)
    conv_layout     cuDNN's nchwToNhwc / nhwcToNchw kernels around an NCHW convolution's GEMM: never launched alone,
                    fitted on what the NCHW cases leave over their GEMM, measured by their channels-last twins
                    (RESIDUAL_KEYS, residual_points)
    conv_depthwise_nhwc  cuDNN's NHWC depthwise kernel (a channels-last input in 16 bits): the floor form
    batch_norm      F.batch_norm in eval mode (one pass over the input); `upsample_nearest` a thread an output element
                    (an element rate beside the bytes); `upsample_bilinear` / `upsample_bicubic`, a thread an output
                    position walking every (sample, channel) (THREE_TERM_KEYS: the lines its warps move from the
                    L2 as its bytes, the lines one SM looks up as its work, a thread's trips as its walk;
                    aten_image._interpolate); `pool` max / average pooling whose outputs fill the GPU (the floor
                    form); `pool_walk` one whose outputs do not: the bytes, the taps, a thread's walk over its window
                    in waves (THREE_TERM_KEYS); `pool_adaptive_max` adaptive max pooling, its walk once a wave of
                    planes (WALK_KEYS)
    special_digamma  ATen's looping special functions, a key each (`special_polygamma`, `special_lgamma`,
                    `special_igamma`, `special_ndtri`, `special_bessel`): a thread's chain as the fixed cost, an
                    element rate beside the bytes (ELEMENT_RATE_KEYS)
    conv_first_layer  cuDNN's image_first_layer kernel (an fp16 7 x 7 stem at stride 2 over RGB padded to 4 channels),
                    fitted on channels-last stems that launch it alone
    attention_masked  SDPA with an explicit mask (StaticCache decode: every pair of the static length)
    attention_flash_decode  SDPA on PyTorch's flash kernel (cuDNN's switched off: `aten_sweep --cudnn-sdpa off`),
                    a decode step without a mask (DynamicCache, enable_gqa)
    attention_flash_prefill  the same for a causal prefill: the bytes or the flops, whichever is slower (ROOF_KEYS)
    attention_cudnn_wide  cuDNN's forward for heads of 192 / 256 (its wide kernels): tile steps (STEP_KEYS)
    attention_efficient_prefill  SDPA's memory-efficient kernel as a prefill (a mask of fewer than four dims): the bytes
                    or the flops (ROOF_KEYS)
    attention_efficient_decode  SDPA on the memory-efficient kernel (a mask, cuDNN's off: StaticCache decode): the
                    bytes, or one block's walk over its (sequence, head)'s keys (a block each, ~12 GB/s apiece)
    rms_norm        F.rms_norm / nn.RMSNorm on a GPU (_fused_rms_norm: LayerNorm's kernel without the mean, a block per
                    row): the bytes, or the waves of rows each walking its row plus a fixed cost (gpu.walk_bytes)
    gemv            mv / addmv (cuBLAS gemv: a split-K GEMM and its reduce on an H200): bandwidth
    matmul_fp8      torch._scaled_mm (cuBLASLt's fp8 GEMM): the bytes or the flops, whichever is slower (ROOF_KEYS)
    matmul_fp32     an fp32 GEMM (FFMA kernels, no TF32 by default): the bytes or the flops (ROOF_KEYS)
    gather_elements torch.gather (ScatterGatherKernel.cu's element loop): the bytes, or the loop's dependent loads
    scan_device     cumsum of one row (cub's device scan): the bytes
    sort_segmented  sort of >= 128 segments of < 1M keys (cub's segmented radix sort): the bytes, or waves of
                    segments each walked once per 6-bit digit
    pointwise_math  an activation, exp, log or sine (GELU's erf, SiLU's exp): an element rate beside the bytes
    cast_int64      a cast to or from int64: an element rate beside the bytes
    group_norm      native_group_norm: the bytes, or the moments' walk a block per (sample, group) (WALK_KEYS)
    bmm_odd_tokens  a traced 16-bit bmm at a token count not a multiple of 8 (eager attention over 197 tokens):
                    the bytes or the flops (ROOF_KEYS), ~10-65 TFLOP/s
    index_add       index_add_: an atomic add per element (an element rate beside the bytes, whatever the width)
    bmm_fp32        a batched fp32 GEMM (eager fp32 attention): the bytes or the flops (ROOF_KEYS)
    bmm_tiles       a batch of small 16-bit products, one nvjet tile an item (WAVE_FIT_KEYS: blocks an item, steps of 16
                    along the contraction)
    bmm_rows        a batch of few-row 16-bit products (per-token adapters) on nvjet's 8-row tiles: the bytes or the
                    tiles' columns (ELEMENT_RATE_KEYS)
    bmm_fp32_tiles  the same on cuBLAS's FFMA tiles (more than one row, not gemmSN's few rows over a wide output):
                    waves of 32 x 32 tile blocks, each walking the contraction 8 at a time (WAVE_FIT_KEYS)
    The realcode-more5 group (2026-12-02) refits `softmax_warp` and `softmax_last` as STEP_KEYS: the waves' lane
    work (each thread's elements, the persistent kernel's row rounded up to a power of two, gpu.op_steps) beside the
    bytes, where they were the bytes or the lane's walk; and `scatter` at an element rate (ROOF_KEYS; since
    realcode-more20 a THREE_TERM_KEYS key, each thread's chain of up to 8 elements its walk). With
    realcode-more7 the persistent kernel's second term is the elements' math, not the bytes (STEP_ELEMENT_KEYS: bf16
    and fp32 rows of one length ran alike).
    The realcode-more group (2026-12-02) refits several keys in new forms: `sort` as a fixed cost per radix pass
    beside its bytes (STEP_KEYS: overhead + steps x wave_s + bytes / bw), `pointwise_broadcast`, `cast`, `cast_fp32`
    and `tril` with an element rate beside the bytes (ROOF_KEYS, the op's element work, gpu.compute_work: elements,
    for the strided kernel elements x operands; the unvectorised load-with-cast), `layer_norm` with its block-a-row
    walk, and `scan` with its chunks in waves; these and a few keys whose shapes the group spreads are fitted on
    every file's cases (EVERY_FILE_KEYS).
    idle_start      the extra latency of one kernel issued onto an idle GPU (after a sync and a pause)

Harness overhead: the sweep (like the validation cases) called every aten op as
`torch.ops.aten.X.overload(**kw)` from a Python lambda, which costs more host time than a model's own
call (a tensor method / torch binding, or a call from C++ inside another op); SDPA was called as a
model calls it (`F.scaled_dot_product_attention`), so it carries none. The host microbenchmarks
(`host_calls.json`, hetsim.calibration.gpu_suite.host_calls; `--host-calls`, several allowed) time
pairs of calls both ways: a view (`view_method` / `view_opoverload`) and kernels (`mul_*`, and where
measured `cast_*`, `embedding_*`). The overhead per kind is the median of its pairs' differences over
every file given; it is taken out of each case's host issue time before fitting (views: the view
pair; kernels: the kernel pairs; SDPA: nothing) and recorded in `provenance.trace_fit.host_calls`,
where `hetsim validate ops` reads it to add the same figure back to its predictions (like with like).
That a few ops' pairs carry to every kernel op is an assumption (the harness adds the same Python).
The suite's own call (`add_suite_runner` / `add_binding`, an OpRunner around the torch call) is
recorded there too: the primitive keys' dispatch_s carry it.

Lease scaling: the lent hosts run in spells ~1.5x apart (`mul_binding` 6.2-12.5 us over 2026-12-01..05),
and a key is fitted on the cases of one file, timed in one lease. Each case's host issue time (less the
harness) is scaled by the reference host's `mul_binding` (the median over every host_calls file given) over
the one its own run measured (NAME.host_calls.json, the same process; lease_scales), so that every key's
dispatch_s is at one host speed, the one host_state.host_reference names.

Measured host keys (provenance `measured`, the median over the files given, naming them):

    host_module     `module_call`: an nn.Module's __call__ over a plain function call
    host_sdpa_plan  `sdpa_plan_build`: a cuDNN SDPA call at a new K/V length over the same call cached
    host_view       `view_method`: a tensor view as a model calls it (`x.view(...)`, a Python method). The
                    sweep's view cases are all `_unsafe_view` called through `torch.ops.aten` with a size
                    list: less the view pair's harness they leave 4.1 us, 1.8x the method call; a forward's
                    ~1,300 views are method calls (view, transpose, unsqueeze, slicing) or C++-internal, so the
                    method call prices them; the view cases stay validation (`hetsim validate ops`)
    host_sync       `nonzero_sync` (where a file has it): torch.nonzero over torch.nonzero_static on the same
                    small mask, the host's cost of learning a data-dependent count (copy + stream sync)

Per key: device_s = overhead_s + bytes / bw_bytes_per_s, fitted on graph_s by least squares in
relative error; dispatch_s = median host issue time of its cases, lease-scaled (the timer's loops are far shorter
than the launch queue, so a device-bound case's issue time is still the host's); eager_gap_s =
median of stream - graph over its device-bound cases (device >= half the issue time). A key whose
cases cannot identify a field takes it from the key it refines (noted in `fit.notes`). `idle_start`
is fitted on t_idle - cpu - graph of the kernel cases (the harness is in both and cancels; a view
launches nothing, so its idle reading is not a kernel's start). Existing keys are never changed: the
fit adds keys. Deterministic: the same cases and host calls give the same numbers (a test refits).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hetsim.calibration.host_state import HOST_SPEED_FIELD
from hetsim.calibration.paths import REPO_ROOT, repo_relative
from hetsim.calibration.trace_cases import TraceCase, load_cases, lower_case
from hetsim.hardware import launch, residency
from hetsim.hardware.gpu import (
    LIBRARY_KEYS,
    SOLVER_KEYS,
    SPECIAL_KEYS,
    WINDOW_WALK_KEYS,
    OpClassRates,
    compute_work,
    hbm_bytes,
    op_device_s,
    op_steps,
    op_stream_device_s,
    rate_keys,
    walk_bytes,
    wave_shape,
)
from hetsim.hardware.sorting import kernels
from hetsim.ops import HostCall, Op

FIT_KEYS = ("attention_efficient_prefill", "attention_cudnn_wide", "cast_int", "pointwise", "pointwise_broadcast",
            "pointwise_cast", "pointwise_cast_half", "pointwise_inplace_half", "pointwise_strided_cast", "cast",
            "cast_fp32", "copy_strided", "cat_one_input", "copy_expand", "copy_cat", "cat_strided",
            "cat_strided_dominated", "index_elementwise", "index_lookup", "index_copy_rows",
            "attention_cudnn_prefill",
            "attention_masked_prefill", "index_copy",
            "embedding", "embedding_few", "reduction_last", "matmul_outer", "attention_masked",
            "reduction_outer", "reduction_outer_max", "reduction_outer_pair", "cast_fp8", "cast_from_fp8",
            "gather_few", "layer_norm", "select",
            "topk_select_multiblock_fp32", "topk_select_multiblock", "topk_select_singleblock",
            "attention_flash_decode", "attention_flash_prefill", "attention_efficient_decode",
            "index_gather", "index_put", "index_put_accumulate", "scatter", "scatter_add", "sort", "sort_inplace",
            "scan", "scan_outer", "multinomial", "reduction_index", "reduction_welford", "softmax_last", "softmax_warp",
            "tril", "rms_norm", "gemv", "matmul_fp8", "gather_elements", "scan_device", "sort_segmented",
            "matmul_fp32", "copy_transpose", "pointwise_math", "bmm_odd_tokens", "cast_int64", "group_norm",
            "index_add", "bmm_fp32", "pointwise_narrow", "matmul_splitk", "bmm_even_tokens", "matmul_odd_width",
            "matmul_even_width", "gemv_unaligned", "matmul_skinny", "cast_bool",
            "bmm_even_scores", "pointwise_int_div", "cast_unrolled", "index_add_few", "pointwise_transpose",
            "conv_depthwise", "conv_depthwise_cudnn", "conv_gemm", "conv_gemm_sm80", "conv_simt",
            "conv_depthwise_nhwc", "batch_norm", "upsample_nearest", "upsample_bilinear",
            "upsample_bicubic", "pool", "conv_first_layer", "conv_gemm_narrow", "pointwise_fill", "pointwise_arange",
            "searchsorted", "roll", "random", "grid_sample", "cat_unaligned", "reduction_short", "copy_memcpy",
            "copy_repeat", "bmm_fp32_tiles", "nll_loss", "bmm_tiles", "bmm_rows", "fft", "matmul_int8",
            "matmul_int8_unaligned",
            "pad_edge", "index_select", "embedding_bag", "foreach", "pool_walk", "pool_adaptive_max",
            "softmax_spatial", "log_softmax_spatial", *SPECIAL_KEYS,
            *LIBRARY_KEYS, *WINDOW_WALK_KEYS)
# timed per index (a dependent load, an atomic add, each), not per byte
PER_INDEX_KEYS = frozenset({"gather_few", "embedding_few", "index_add_few"})
SAME_SIZE = 1.05  # cases whose bytes lie within this ratio are of one size
# one case cannot tell a key's fixed cost from its rate (the H200's first foreach key: one single-launch case, fitted
# to 0 us and 3.4 TB/s): a key needs two to be fitted
MIN_KEY_POINTS = 2
# No kernel replays faster than the GPU's shortest kernels (a fill, an arange: 0.94-1.07 us on the H200 and the H100).
# A key whose cases all run many times longer cannot tell its fixed cost from its rates, and its fit set it to 0:
# the H200's batched fp32 key (shortest case 7.7 us) priced MoCo's 256 dot products 0.29 us (ran 2.1), the scan key
# (9.2 us) a 42 x 5 cumprod 1.25 us (ran 3.6). Such a key's fixed cost is at least the launch floor, this percentile
# of every kernel case's replayed time. A key with a case within FLOOR_UNSEEN floors keeps its fit: a reduction's
# walk term carries its short rows (fitted 0.04 us + the walk, its shortest case 1.8 us; floored, 22 more of the
# H200's checks missed by over 25 %)
LAUNCH_FLOOR_PERCENTILE = 0.1
FLOOR_UNSEEN = 4.0
FLOOR_SHIFT_MIN = 0.2  # a case's replayed time less the floor, kept at least this share of its time (no case < 0)
WALK_GAIN = 0.5  # a walk term is kept only where it leaves at most this share of the bytes-only fit's error
# bytes or a walk, whichever is slower
WALK_KEYS = frozenset({"reduction_last", "topk_select_multiblock_fp32", "topk_select_multiblock",
                       "attention_efficient_decode", "scan", "softmax_spatial", "log_softmax_spatial",
                       "scan_outer",
                       "reduction_index", "reduction_welford", "index_gather",
                       "rms_norm", "gather_elements", "sort_segmented", "reduction_outer",
                       "reduction_outer_max", "reduction_outer_pair", "group_norm", "embedding",
                       "batch_norm", "grid_sample", "scatter_add", "index_select", "foreach",
                       "pool_adaptive_max"})
# walk keys of ATen's reduce kernel over an outer or middle dim, whose global reduction adds a chain of partials after
# the blocks' pass (fit_walk_chain): the mean over dim 0 of 196,608 x 128 fp32 took 197 us on an H100 where its bytes
# take 40, 0.28 us for each of the 528 partials its last block's lanes read; a (value, index) pair's or Welford's
# partials ~1.2 us each (reduce-sweep's max.dim and var)
CHAIN_KEYS = frozenset({"reduction_outer", "reduction_outer_max", "reduction_outer_pair"})
# walk keys whose walk a profile of their kernels shows, kept wherever it lowers the error at all: the multi-block
# top-k's per-pass cumsum over a slice's blocks (launch.mbtopk_blocks_per_slice; one row of 1M scores ran 16.8 us of it
# a pass, realcode-more21), which the many-row cases the bytes bind leave short of halving the error; the spatial
# softmax's column walks (launch.spatial_softmax_steps: a log_softmax over 8,192 of [8, 8192, 1024] runs 8 blocks,
# 9.9 ms on an H100, one over 49,408 of [128, 49408, 76] 59 ms, realcode-check23 / -check32), which spatial-softmax-
# sweep's many-block cases, bound by their bytes, leave short of halving the error: without it such calls were
# priced -77..-96 %
WALK_KEPT = frozenset({"topk_select_multiblock", "topk_select_multiblock_fp32", "softmax_spatial",
                       "log_softmax_spatial"})
# elementwise kernels whose per-element work binds before the bytes (gpu.compute_work): an element rate beside them
ELEMENT_RATE_KEYS = frozenset({
    # the strided kernel's offsets (a broadcast), a cast's unvectorised load-with-cast (bf16 -> fp32, bool -> bf16:
    # ~340 G elements/s on an H200, profiled), tril's row and column per element, an activation's or exp's math
    # (pointwise_math), a transposing copy's scattered reads (a sector per element: ~140 G elements/s whatever their
    # width, copy_transpose)
    "pointwise_broadcast", "pointwise_inplace_half", "pointwise_transpose", "cast", "cast_fp32", "tril",
    "pointwise_math", "copy_transpose", "cast_int64", "index_add", "scatter",
    # ATen's special functions (aten_pointwise.SPECIAL_FUNCTIONS): a thread's chain as the fixed cost, an element rate
    *SPECIAL_KEYS,
    # the vectorised kernel over one-byte operands (bool masks, uint8 unpacking): 4-element, 4-byte loads
    "pointwise_narrow",
    # ATen's strided copy and the unvectorised batched cat: an offset per element (fp32 permutes ran ~1.7x faster
    # than their bytes at the 16-bit permutes' rate)
    "copy_strided", "cat_strided", "cat_strided_dominated",
    # ATen's float8 cast up: its bit-level conversion per element binds, not the bytes (fp8 to fp32 and to bf16 of the
    # same elements ran alike, realcode-more8); casts between narrow integers likewise
    "cast_from_fp8", "cast_int",
    # TensorIterator's kernels with a cast per load and store (operands of mixed dtypes): the unrolled one over
    # contiguous operands, the strided one otherwise
    "pointwise_cast", "pointwise_cast_half", "pointwise_strided_cast",
    # Copy.cu's dynamic-casting copy to or from bool, and between other dtypes it does not vectorise
    "cast_bool", "cast_unrolled",
    # upsample_nearest2d_out_frame: an output's source index computed per element
    "upsample_nearest",
    # kernels that only store (FillFunctor: 16-bit fills bind on their stores' count, wider ones on their bytes;
    # arange's index kernel), and bucketize's binary search (its element work: the dependent loads of the search)
    "pointwise_fill", "pointwise_arange", "searchsorted",
    # roll_cuda_kernel's source offset an element, a distribution kernel's Philox draws, a batched cat's element
    # stores into runs narrower than its vectors; a last-dim reduction of rows too short for a warp: a thread
    # reduces whole rows, its elements one after another (fp32 and 16-bit rows of 4-25 ran at one element rate,
    # ~150 G a second on an H200, where the bf16-fitted bytes' rate priced fp32 2.3x slow; realcode-check21)
    "roll", "random", "cat_unaligned", "reduction_short",
    # the strided kernel out of an expanded view: its elements bind for narrow dtypes (bool masks and int8 codes
    # expanded and cloned ran ~2x slower than the bytes' rate of bf16 clones; realcode-more26)
    "copy_expand", "copy_repeat",
    # the reflection and replication pads: a thread an output element, its source index reflected or clamped per dim
    "pad_edge",
    # a batch of few-row 16-bit products: the columns of nvjet's 8-row tiles (gpu.row_tile_columns)
    "bmm_rows"})
# bytes or flops, whichever is slower (the element-rate keys: bytes or element work)
ROOF_KEYS = frozenset({"attention_flash_prefill", "attention_efficient_prefill", "matmul_fp8", "matmul_int8",
                       "matmul_int8_unaligned", "matmul_fp32",
                       "bmm_odd_tokens", "bmm_fp32", "matmul_splitk", "bmm_even_tokens", "matmul_odd_width",
                       "matmul_even_width", "matmul_skinny", "bmm_even_scores", "conv_gemm", "conv_gemm_sm80",
                       "conv_simt", "conv_first_layer", "conv_gemm_narrow"}) | ELEMENT_RATE_KEYS
# the corners an element-rate key's roof may take (gpu.roof's p; inf: the max), the one whose fit errs least: a
# kernel both of whose terms near-bind runs longer than either (fp32 broadcasts of 58.7 M elements: 123 us of bytes at
# the bf16-dominated fit's rate, 136 of element work, 168 measured, realcode-check20), its index arithmetic and its
# loads overlapping only in part
CORNERS = (math.inf, 4.0, 3.0, 2.0)
# GEMM keys whose flops are kept wherever they lower the error at all: cuBLAS's align-1 / align-2 kernels run a
# 4096-cube product at ~95 TFLOP/s (gemm-shapes), while the same key's language-model heads over odd vocabularies at a
# few rows (realcode-more20) halve no error of the bytes alone; dropping the flops priced the cube at its bytes, ~10x
# fast. The batched products at odd token counts run the same kernels: the H100's fit cases of that key are eager
# attention's small scores, bytes-bound, so its fit dropped the flops and priced the checks' big ones (a bf16
# 128 x 2048 x 2048 x 273 bmm: 2.9 ms measured, ~100 TFLOP/s) at their bytes, -71 %
FLOPS_KEPT = frozenset({"matmul_odd_width", "bmm_odd_tokens"})
# log10 spans of a second term's rate where a key's differs from fit_walk's / fit_roof's: elements per second, a
# gather's dependent loads
RATE_SPAN = {**dict.fromkeys(ELEMENT_RATE_KEYS, (10.0, 13.0)), "gather_elements": (5.0, 10.0),
             # grid_sample's thread steps through every channel: ~2-5 M steps a second
             "grid_sample": (5.0, 9.0)}
# a fixed cost per step beside the bytes: overhead + steps x wave_s + bytes / bw (a radix sort's passes)
STEP_KEYS = frozenset({"sort", "sort_inplace", "softmax_warp", "softmax_last", "attention_cudnn_prefill",
                       "attention_masked_prefill", "attention_cudnn_wide", "fft", "embedding_bag", "nll_loss",
                       "index_elementwise", "index_lookup", "index_copy_rows", "bmm_fp32", *LIBRARY_KEYS})
# step keys whose second term is the elements' math (gpu.compute_work: gpu.softmax_math), not the bytes: a softmax's
# exp, max and sum per element in fp32 (realcode groups: bf16 and fp32 rows of one length ran the same time a row in
# the persistent kernel, ~0.7 T elements/s on an H200); the block kernel's steps count its 16-byte loads instead of
# its elements (gpu.softmax_lane_work: 16-bit rows of 128256 ran in 19 us where fp32 ones took 29, realcode-more8)
STEP_ELEMENT_KEYS = frozenset({"softmax_warp", "softmax_last", "nll_loss", "index_elementwise", "index_lookup",
                               "index_copy_rows",
                               *(set(LIBRARY_KEYS) - set(SOLVER_KEYS)),
                               # nn.EmbeddingBag: the grid's rounds, its warp steps (Gather.elements) the work
                               "embedding_bag"})
# of those, the block kernel's key also times its bytes where they bind (thousands of vocabulary-wide rows, each read
# three times: gpu.softmax_rereads; realcode-more30): the persistent kernel's rows of one length ran the same time in
# bf16 and fp32, so its bytes never bind
# the library kernels (hetsim.stacks.aten_library: a factorisation's panel steps beside its flops, cdist's outputs
# beside its features) the same: their counted work, or their operands' bytes where those bind
STEP_ROOF_KEYS = frozenset({"softmax_last", "nll_loss", "index_elementwise", "index_lookup", "index_copy_rows",
                            *(set(LIBRARY_KEYS) - set(SOLVER_KEYS))})
# a step-roof key's grid where its rates lie outside the default (log10 of work a second, then of the bytes' lowest):
# a reduced nll_loss's one block runs ~2.4 M trips a second (a dependent pair of loads each, ~0.42 us) and its threads'
# overlapped trips ~19 GB/s (one SM's random loads; realcode-more30, H200 and H100 alike)
STEP_ROOF_DEFAULT_SPAN = ((10.0, 14.0), 11.0)
STEP_ROOF_SPAN = {"nll_loss": ((5.0, 8.0), 8.0)}
STEP_ROOF_NOTES = {"nll_loss": "device_s = overhead_s + threads x wave_s + max(trips / flop_rate, bytes / "
                               "bw_bytes_per_s): one block's threads each loop over their rows (a trip a target and "
                               "the logit it names, launch.nll_loss_threads / nll_loss_trips), at one trip's latency "
                               "or the block's throughput where many threads overlap theirs; then thread 0 adds the "
                               "threads' partial sums one after another (the steps)"}
# a factorisation's or solve's flops run in GEMM updates at the fp32 GEMM's rate (the key it is fitted after: its
# `fallback_chain`); its own cases, all latency-bound, fit only the overhead and a panel step's cost
SOLVER_RATE_FROM = "matmul_fp32"
# a grid-stride kernel whose every output costs a fixed time (its index decomposed, its bounds checked) beside the
# work of its taps: device_s = overhead_s + max(outputs / walk_bw_bytes_per_s, taps x outputs / flop_rate), the
# outputs its walk (Pointwise.walk), the taps its element work (gpu.compute_work); its bytes bind no case (ATen's
# depthwise convolution, realcode-more14: ~1e11 outputs a second for 3-9 taps in bf16 and fp32 alike, ~1.4e12 taps a
# second at 49); cuDNN's fp16 depthwise kernels in the same form
FLOOR_KEYS = frozenset({"conv_depthwise", "conv_depthwise_cudnn", "conv_depthwise_nhwc", "pool"})
# keys of three terms: device_s = overhead_s + max(bytes / bw_bytes_per_s, work / flop_rate, walk /
# walk_bw_bytes_per_s) (fit_three): LayerNorm's bytes, its Welford updates and rows' fixed costs (gpu.compute_work),
# one block's walk over a long row (gpu.walk_bytes); a scatter's bytes, its elements, a thread's chain of up to 8
# (scatter_add is a walk key instead: its walk the contended atomics, aten_index.contended_walk); an antialiased
# resize's and an adaptive pool's bytes, their windows' total and a thread's walk over its windows in every channel
# (hetsim.stacks.aten_image)
THREE_TERM_KEYS = frozenset({"layer_norm", "scatter", "matmul_fp32", "upsample_bilinear", "upsample_bicubic",
                             "pool_walk", *WINDOW_WALK_KEYS})
THREE_TERM_SPANS = ((9.0, 13.0), (10.0, 14.0), (6.0, 12.0))  # log10 of the bytes', the work's and the walk's rates
# keys whose rates lie outside those: the interpolating kernels' bytes are the lines their warps move from the L2
# (~6-8 TB/s on an H200), their work the lines one SM looks up (~1.6 G a second), their walk a thread's trips (~5-7 M
# a second; aten_image._interpolate)
THREE_TERM_KEY_SPANS = dict.fromkeys(("upsample_bilinear", "upsample_bicubic"),
                                     ((10.5, 13.5), (8.0, 11.0), (5.0, 8.0)))
FLOOR_SPAN = (10.0, 14.0)  # log10 of the taps' rate (per second)
FLOOR_OUTPUTS_MAX = 13.0  # log10 of the outputs' highest rate (per second; fit_max's grid starts at 1e9)
# blocks in waves (hetsim.calibration.fit.fit_waves), a wave the blocks the GPU runs at once: torch.topk's single-block
# select (one block a row, one an SM); a batched fp32 GEMM's FFMA tiles (launch.tile_waves: a wave of
# FP32_TILE_BLOCKS_PER_SM an SM, each walking the contraction)
WAVE_FIT_KEYS = {"topk_select_singleblock": launch.SMS,
                 "bmm_fp32_tiles": launch.SMS * launch.FP32_TILE_BLOCKS_PER_SM,
                 "bmm_tiles": launch.SMS * launch.HALF_TILE_BLOCKS_PER_SM}
# keys fitted on the cases of every file: a walk key needs cases where the bytes bind and cases where the walk
# does, which no one sweep file holds (reduction_last: many rows in the models' sweep, tens of rows in the
# reductions groups; topk_multiblock_fp32: two probes in the methods group, the long rows in a later group)
# And the keys a kernel's structure (a second rate, fixed costs per pass) or the real-code groups' spread of shapes
# refit: each file alone holds a few sizes of them (the models' sweep: casts of a model's widths; realcode-more: the
# spread), and a key fitted on the first file's would ignore the rest
EVERY_FILE_KEYS = WALK_KEYS | ROOF_KEYS | STEP_KEYS | FLOOR_KEYS | THREE_TERM_KEYS | set(WAVE_FIT_KEYS) | {
    "scan_device", "copy_cat", "gemv", "multinomial", "batch_norm", "copy_strided", "copy_transpose",
    "topk_select_multiblock", "copy_repeat", "copy_memcpy", "copy_expand", "pointwise_int_div",
    # the small-index kernel's element rate: rowscatter-sweep's wide rows beside the fit's narrow ones
    "gather_few"}
# keys whose fitted ops keep their misses, each op then corrected by its measured neighbours' (hetsim.hardware.
# product_table): cuBLAS's kernel choice for products (fp32 and the trace-fitted 16-bit keys, 2-D and batched), ATen's
# reduce kernel's block shape and split for reductions, and the launch shapes of the traced elementwise, copy, cast,
# gather, scatter and softmax kernels, which their keys' forms follow only on average (checks 1-26: the reductions
# 9.5 -> 7.8 % median, the elementwise family 5.4 -> 4.7 %; the convolutions keep theirs by trace_fit.conv_tables)
# (only keys this fit makes: the suite's own `matmul`, `bmm`, `bmm_unaligned` and `gather` are fitted elsewhere)
PRODUCT_NEIGHBOUR_KEYS = frozenset({"matmul_fp32", "matmul_splitk", "matmul_skinny", "matmul_odd_width",
                                    "matmul_even_width", "bmm_even_scores", "bmm_even_tokens", "bmm_fp32",
                                    "bmm_fp32_tiles", "bmm_odd_tokens", "bmm_tiles", "bmm_rows"})
REDUCTION_NEIGHBOUR_KEYS = frozenset({"reduction_last", "reduction_outer", "reduction_outer_max",
                                      "reduction_outer_pair", "reduction_short",
                                      "reduction_index", "reduction_welford"})
ELEMENT_NEIGHBOUR_KEYS = frozenset({
    "pointwise", "pointwise_broadcast", "pointwise_fill", "pointwise_math", "pointwise_transpose", "pointwise_cast",
    "pointwise_cast_half", "pointwise_inplace_half", "cat_strided_dominated",
    "pointwise_strided_cast", "cast", "cast_fp32", "cast_int64", "cast_unrolled", "copy_strided", "copy_transpose",
    "copy_cat", "copy_expand", "copy_memcpy", "cat_strided", "cat_unaligned", "gather_elements",
    "index_gather", "index_elementwise", "index_lookup", "index_copy_rows", "index_add", "embedding", "scatter",
    "scatter_add",
    "softmax_last",
    "softmax_warp", "pad_edge", "index_select", "foreach",
    # a pool's kernel by its window walk and its warps' sectors, which (outputs, bytes) only roughly tell apart
    "pool", "pool_walk", "pool_adaptive", "pool_adaptive_max", *SPECIAL_KEYS})
NEIGHBOUR_KEYS = PRODUCT_NEIGHBOUR_KEYS | REDUCTION_NEIGHBOUR_KEYS | ELEMENT_NEIGHBOUR_KEYS
# kernels no case launches alone, fitted on what the cases they run in leave over the rest of their ops, measured where
# another case runs that rest alone, else priced by the keys fitted before (RESIDUAL_SHARE: the least share of a
# case's time they must leave): cuDNN's layout kernels run inside an NCHW convolution's call, beside its implicit GEMM
# (`conv_gemm`, fitted on channels-last twins that launch the GEMM alone): device_s = launches x overhead_s + bytes /
# bw_bytes_per_s; torch.topk's sort of its results runs inside its call after the select (`topk_select_*`, fitted on
# twins called with sorted=False): the same, plus steps x wave_s for the radix sort's passes (hetsim.hardware.sorting);
# training BatchNorm's kernels run inside its call beside the running statistics' update: the NCHW statistics and
# transform kernels' bytes or their threads' loops (overhead_s + max(bytes / bw, walk / walk_bw)), the channels-last
# statistics kernel's bytes
RESIDUAL_KEYS = frozenset({"conv_layout", "topk_sort_bitonic", "topk_sort_radix", "batch_norm_train",
                           "batch_norm_stats_cl"})
RESIDUAL_WALK_SPAN = (7.0, 12.0)  # log10 of a residual key's walk rate (bytes a second), where its kernels walk
RESIDUAL_SHARE = 0.2
TWIN_SHARE = 0.1  # the least share where a twin case measured the rest (no pricing error in what is left)
# residual keys fitted only where a twin measured the rest: a top-k's sort is a fifth to a half of its call, so a rest
# priced by the select keys (10-20 % median error) would leave the sort that error several times over
TWIN_ONLY_KEYS = frozenset({"topk_sort_bitonic", "topk_sort_radix"})
HOST_CALLS = "host_calls.json"  # beside the cases: hetsim.calibration.gpu_suite.host_calls on the same GPU
# (key, field of host_calls.json): host costs the op cases cannot identify, taken as measured
MEASURED_KEYS = (("host_module", "module_call"), ("host_sdpa_plan", "sdpa_plan_build"), ("host_view", "view_method"))
# measured by later host_calls runs only: a key where some file has its field
OPTIONAL_MEASURED_KEYS = (("host_sync", "nonzero_sync"),)
# (kind, field timed as a model calls it, field timed as the op cases called it); the first of a kind is required
HARNESS_PAIRS = (("view", "view_method", "view_opoverload"), ("kernel", "mul_binding", "mul_opoverload"),
                 ("kernel", "cast_method", "cast_opoverload"), ("kernel", "embedding_function", "embedding_opoverload"),
                 ("suite", "add_binding", "add_suite_runner"))
REQUIRED_PAIRS = (HARNESS_PAIRS[0], HARNESS_PAIRS[1])
HOST_BOUND = 0.5  # a case is host-bound when its device time is below this share of its issue time
NAMED_FILES = 20  # host_calls files a key's notes name one by one; more are counted
COMMAND = "python -m hetsim.calibration.trace_fit --profile {profile} --cases {cases} --write"


@dataclass(frozen=True)
class Point:
    case: int
    op: Op
    graph_s: float
    stream_s: float
    cpu_s: float
    idle_s: float | None
    single: bool = False  # timed one call per loop (after a sync): its issue time is not a stream's (`host_dispatch`)


@dataclass(frozen=True)
class HostCalls:
    """The host microbenchmarks of one GPU (host_calls.json): raw figures, the file and its digest."""

    values: dict[str, Any]
    path: Path
    sha256: str

    @property
    def provenance(self) -> dict[str, Any]:
        return dict(self.values.get("provenance") or {})

    def pairs(self) -> dict[str, list[float]]:
        """Each kind's measured pair differences (the op cases' call minus a model's), s per call."""
        out: dict[str, list[float]] = {}
        for kind, fast, slow in HARNESS_PAIRS:
            if fast in self.values and slow in self.values:
                out.setdefault(kind, []).append(float(self.values[slow]) - float(self.values[fast]))
        return out

    def harness(self) -> dict[str, float]:
        """Harness overhead per kind (`view`, `kernel`, `suite` where measured): median of its pairs."""
        return {k: statistics.median(v) for k, v in self.pairs().items()}


@dataclass(frozen=True)
class HostFigures:
    """Several host_calls files of one GPU pooled: each figure the median over the files that have it."""

    files: tuple[HostCalls, ...]

    @property
    def path(self) -> Path:
        return self.files[0].path

    def figure(self, field: str) -> float:
        return statistics.median(float(h.values[field]) for h in self.files if field in h.values)

    def harness(self) -> dict[str, float]:
        pooled: dict[str, list[float]] = {}
        for h in self.files:
            for kind, diffs in h.pairs().items():
                pooled.setdefault(kind, []).extend(diffs)
        return {k: statistics.median(v) for k, v in pooled.items()}

    def names(self) -> str:
        """The files by name and digest, or where there are more than NAMED_FILES their count (every key's notes
        carry this; provenance.trace_fit.host_calls names each file once)."""
        if len(self.files) > NAMED_FILES:
            return f"{len(self.files)} host_calls files (provenance.trace_fit.host_calls)"
        return ", ".join(f"{h.path.name} (sha256 {h.sha256})" for h in self.files)

    def reference(self) -> float | None:
        """The host speed the fit scales every lease's host issue times to (lease_scales): the files' median
        HOST_SPEED_FIELD, or None where none has it."""
        return self.figure(HOST_SPEED_FIELD) if any(HOST_SPEED_FIELD in h.values for h in self.files) else None


def pool(hosts) -> HostFigures | None:
    """`hosts`: None, one HostCalls, or several; pooled as HostFigures."""
    if hosts is None or isinstance(hosts, HostFigures):
        return hosts
    files = (hosts,) if isinstance(hosts, HostCalls) else tuple(hosts)
    return HostFigures(files) if files else None


def load_host_calls(path: Path) -> HostCalls:
    """host_calls.json, checked: measured, with every figure the fit reads (HetsimError naming what is wrong)."""
    from hetsim.errors import ConfigError

    path = Path(path)
    try:
        raw = path.read_bytes()
        values = json.loads(raw)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read host calls: {exc}", file=str(path)) from None
    if (values.get("provenance") or {}).get("source") != "measured":
        raise ConfigError("expected provenance.source: measured", file=str(path), field="provenance.source")
    need = [f for _, a, b in REQUIRED_PAIRS for f in (a, b)] + [f for _, f in MEASURED_KEYS]
    need += [f for _, a, b in HARNESS_PAIRS[2:] for f in (a, b) if f in values]
    need += [f for _, f in OPTIONAL_MEASURED_KEYS if f in values]
    for f in need:
        v = values.get(f)
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
            raise ConfigError(f"expected a time in seconds >= 0, got {v!r}", file=str(path), field=f)
    return HostCalls(values, path, hashlib.sha256(raw).hexdigest()[:16])


def case_harness_kind(case: TraceCase, key: str) -> str:
    """Which harness a case's host time carries: a view's, a kernel launch's, or none (SDPA: the
    cases call it as a model does)."""
    if case.kind == "sdpa":
        return "none"
    return "view" if key == "host_view" else "kernel"


def harness_kind(key: str) -> str:
    """The harness kind of a key's aten cases (SDPA-only keys: none)."""
    return "view" if key == "host_view" else ("none" if key.startswith("attention_") else "kernel")


# regimes priced by another key's rates, its cases fitted with that key's: a batched cat mostly of one input is
# copy_cat's kernel and host path, only without the L2 gain (hetsim.hardware.residency.NO_L2_GAIN)
SHARED_RATES = {"cat_dominated": "copy_cat"}


def points_by_key(cases: list[TraceCase], harness: dict[str, float] | None = None,
                  l2_bytes: float = 0.0, inner: dict[str, OpClassRates] | None = None,
                  host_scale: float = 1.0) -> dict[str, list[Point]]:
    """The cases each new key prices (a case lowered to one op: a fused kernel or host work). `harness`:
    overhead per kind (HostFigures.harness) taken out of each case's host issue time (floored at 0), which is then
    scaled by `host_scale` (the reference host over the host of the lease that timed the cases: lease_scales).
    `l2_bytes`: the L2 of the GPU the cases ran on (each case's op reads its share from it: lower_case). `inner`:
    rates of kernels an op runs inside its call after its own (a sorted top-k's sort, sorting.kernels): a case of such
    an op is a point of its first kernel's key, with those kernels' device times taken out of its replayed and stream
    times."""
    harness = harness or {}
    inner = inner or {}
    out: dict[str, list[Point]] = {}
    for c in cases:
        ops = [op for op in lower_case(c, l2_bytes=l2_bytes) if not (isinstance(op, HostCall) and op.kind == "sync")]
        if len(ops) != 1 or "graph" not in c.measured:
            continue
        first, *after = kernels(ops[0])
        if any(rate_keys(k)[0] not in inner for k in after):
            continue
        inside = sum(op_device_s(inner[rate_keys(k)[0]], k) for k in after)
        graph, stream = c.measured["graph"] - inside, c.measured["stream"] - inside
        key = rate_keys(first)[0]
        key = SHARED_RATES.get(key, key)
        if key in FIT_KEYS and graph > 0:
            cpu = max(0.0, c.measured["host"] - harness.get(case_harness_kind(c, key), 0.0)) * host_scale
            out.setdefault(key, []).append(Point(c.case, first, graph, stream, cpu, c.measured.get("idle"),
                                                 c.inner == 1))
    return out


def fit_affine(points: list[Point], max_bw: float = math.inf) -> tuple[float, float]:
    """(overhead_s, bw_bytes_per_s) minimising the relative error of overhead + bytes / bw against graph_s.
    No bandwidth signal (all cases tiny): bw = inf (the caller takes it from the refined key). A bandwidth above
    `max_bw` (the HBM's: the bytes are HBM-equivalent already) is held at it and the overhead refitted."""
    import numpy as np

    over, bw = _affine(points)
    if bw > max_bw and math.isfinite(bw):
        g = np.array([p.graph_s for p in points])
        return _overhead(g, np.array([hbm_bytes(p.op) for p in points]) / max_bw), max_bw
    return over, bw


def _overhead(g, m) -> float:
    """The fixed cost minimising the relative error of overhead + m against g (closed form, floored at 0)."""
    import numpy as np

    return max(0.0, float(np.sum((g - m) / g**2) / np.sum(1.0 / g**2)))


def _affine(points: list[Point]) -> tuple[float, float]:
    import numpy as np

    g = np.array([p.graph_s for p in points])
    b = np.array([hbm_bytes(p.op) for p in points])
    a = np.stack([1.0 / g, b / g], axis=1)
    sol, *_ = np.linalg.lstsq(a, np.ones_like(g), rcond=None)
    over, inv_bw = float(sol[0]), float(sol[1])
    if inv_bw <= 0:
        return float(statistics.median(g)), math.inf
    if over < 0:  # a negative intercept: refit the slope alone
        inv_bw = float(np.sum(b / g) / np.sum((b / g) ** 2))
        over = 0.0
    return over, 1.0 / inv_bw


def fit_walk(points: list[Point], span: tuple[float, float] = (7.0, 12.0),
             max_bw: float = math.inf, gain: float = WALK_GAIN) -> tuple[float, float, float]:
    """(overhead_s, bw_bytes_per_s, walk_bw_bytes_per_s) minimising the relative error of
    overhead + max(bytes / bw, walk / walk_bw) against graph_s (`fit_max`). Where the walk binds no case at
    the optimum, or halves no error the bytes alone leave (`WALK_GAIN`), the cases cannot tell its rate:
    walk_bw = inf, and the bandwidth is fitted alone (`fit_affine`)."""
    return fit_max(points, [walk_bytes(p.op) for p in points], span, gain, max_bw)[1:]


def fit_walk_chain(points: list[Point], span: tuple[float, float] = (7.0, 12.0), max_bw: float = math.inf,
                   gain: float = WALK_GAIN) -> tuple[float, float, float, float]:
    """(overhead_s, bw_bytes_per_s, walk_bw_bytes_per_s, item_s) minimising the relative error of overhead +
    max(bytes / bw, walk / walk_bw) + item_s x chain against graph_s (CHAIN_KEYS): `fit_walk`'s form with an outer
    reduction's global stage after it, the partials the last block's lanes read one after another (gpu.wave_shape:
    launch.global_reduce_chain), each at item_s. The overhead and item_s solved in closed form at each pair of rates
    (floored at 0); the walk kept as `fit_walk` keeps it (`gain`)."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    b = np.array([hbm_bytes(p.op) for p in points])
    w = np.array([walk_bytes(p.op) for p in points])
    c = np.array([wave_shape(p.op)[1] for p in points])

    def solve(m):
        # least squares of (overhead + item_s x chain) against what the rates leave, each case weighted by its
        # time (relative error); a coefficient that comes out negative is held at 0 and the other refitted
        a, r = np.stack([1.0 / g, c / g], axis=1), (g - m) / g
        over, item = np.linalg.lstsq(a, r, rcond=None)[0] if np.any(c) else (_overhead(g, m), 0.0)
        if item < 0:
            over, item = _overhead(g, m), 0.0
        elif over < 0:
            over, item = 0.0, max(0.0, float(np.sum(c / g * r) / np.sum((c / g) ** 2)))
        return float(np.sum(((over + m + item * c) / g - 1.0) ** 2)), (float(over), float(item))

    hi_b = math.log10(max_bw) if math.isfinite(max_bw) else 14.0
    err, over, item, bw, walk_bw = _grid_max(g, b, w, span, hi_b, solve=solve)
    bytes_only = _grid_max(g, b, np.zeros_like(w), span, hi_b, solve=solve)
    if not np.any(w / walk_bw > b / bw) or err > gain * bytes_only[0]:
        _, over, item, bw, _ = bytes_only
        walk_bw = math.inf
    return over, bw, walk_bw, item


def fit_roof(points: list[Point], span: tuple[float, float] = (12.0, 16.0),
             gain: float = WALK_GAIN, max_bw: float = math.inf,
             corners: tuple[float, ...] = (math.inf,)) -> tuple[float, float, float, float]:
    """(overhead_s, bw_bytes_per_s, flop_rate, roof_p) of overhead + roof(bytes / bw, flops / flop_rate; roof_p), as
    `fit_walk` with the op's flops for its walk (a flop rate in 1e12-1e16 per second unless `span` says otherwise),
    the corner's sharpness the one of `corners` whose fit errs least (inf: the max, kept on a tie)."""
    work = [compute_work(p.op) for p in points]
    fits = [(*fit_max(points, work, span, gain, max_bw, p), p) for p in corners]
    return min(fits, key=lambda f: (f[0], -f[-1]))[1:]


def fit_floor(points: list[Point]) -> tuple[float, float, float]:
    """(overhead_s, walk_bw_bytes_per_s, flop_rate) minimising the relative error of overhead + max(walk / walk_bw,
    flops / flop_rate) against graph_s (FLOOR_KEYS: the outputs' fixed cost or the taps' work, whichever binds),
    on fit_max's log grid."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    _, over, walk_bw, rate = _grid_max(g, np.array([walk_bytes(p.op) for p in points]),
                                       np.array([compute_work(p.op) for p in points]), FLOOR_SPAN,
                                       FLOOR_OUTPUTS_MAX)
    return over, walk_bw, rate


def fit_three(points: list[Point], max_bw: float = math.inf,
              spans: tuple[tuple[float, float], ...] = THREE_TERM_SPANS) -> tuple[float, float, float, float]:
    """(overhead_s, bw_bytes_per_s, flop_rate, walk_bw_bytes_per_s) minimising the relative error of overhead +
    max(bytes / bw, work / flop_rate, walk / walk_bw) against graph_s (THREE_TERM_KEYS): a log grid over the three
    rates (`spans`: THREE_TERM_SPANS unless the key has its own, the bandwidth up to `max_bw`), refined twice around the
    best, the overhead solved in closed form at each. Deterministic."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    terms = [np.array([hbm_bytes(p.op) for p in points]), np.array([compute_work(p.op) for p in points]),
             np.array([walk_bytes(p.op) for p in points])]
    spans = [list(s) for s in spans]
    spans[0][1] = min(spans[0][1], math.log10(max_bw))
    top = spans[0][1]
    best = (math.inf, 0.0, (1e12, 1e12, 1e9))
    inv_g2 = 1.0 / g**2
    for _ in range(3):
        axes = [np.linspace(lo, hi, 25) for lo, hi in spans]
        rb, rw, rv = np.meshgrid(*(10.0**a for a in axes), indexing="ij")
        m = np.maximum(np.maximum(terms[0] / rb[..., None], terms[1] / rw[..., None]), terms[2] / rv[..., None])
        over = np.maximum(0.0, np.sum((g - m) * inv_g2, axis=-1) / np.sum(inv_g2))
        err = np.sum(((over[..., None] + m) / g - 1.0) ** 2, axis=-1)
        i = np.unravel_index(int(np.argmin(err)), err.shape)
        if err[i] < best[0]:
            best = (float(err[i]), float(over[i]), (float(rb[i]), float(rw[i]), float(rv[i])))
        steps = [(hi - lo) / 24 * 3 for lo, hi in spans]
        spans = [[math.log10(r) - st, math.log10(r) + st] for r, st in zip(best[2], steps, strict=True)]
        spans[0][1] = min(spans[0][1], top)
    err, over, (bw, rate, walk_bw) = best
    # where no case's bytes bind, the grid's first best is the least bandwidth the cases allow, a bound and not a
    # rate: the HBM's instead, so a case whose bytes do bind (a scatter that writes a few sectors a warp) meets the
    # kernel's stream and not the slowest pace the fit's work-bound cases happened to leave room for
    if math.isfinite(top_bw := 10.0**top) and bw < top_bw:
        m = np.maximum(np.maximum(terms[0] / top_bw, terms[1] / rate), terms[2] / walk_bw)
        top_over = max(0.0, float(np.sum((g - m) * inv_g2) / np.sum(inv_g2)))
        if float(np.sum(((top_over + m) / g - 1.0) ** 2)) <= err * (1.0 + 1e-9) + 1e-15:
            over, bw = top_over, top_bw
    return over, bw, rate, walk_bw


def fit_steps(points: list[Point], per_element: bool = False) -> tuple[float, float, float]:
    """(overhead_s, step_s, rate) minimising the relative error of overhead + steps x step_s + bytes / rate against
    graph_s (least squares; a negative term refitted without it); `per_element`: the op's element work
    (gpu.compute_work) in place of its bytes, the rate a flop_rate."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    cols = [np.ones_like(g), np.array([op_steps(p.op) or 0.0 for p in points]),
            np.array([compute_work(p.op) if per_element else hbm_bytes(p.op) for p in points])]
    coef = nonnegative_fit(cols, g, [0, 1, 2])
    inv_bw = coef.get(2, 0.0)
    return coef.get(0, 0.0), coef.get(1, 0.0), (1.0 / inv_bw if inv_bw > 0 else math.inf)


def fit_steps_at_rate(points: list[Point], rate: float) -> tuple[float, float]:
    """(overhead_s, step_s) minimising the relative error of overhead + steps x step_s + work / rate against graph_s,
    the rate given (least squares, each floored at 0)."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    steps = np.array([op_steps(p.op) or 0.0 for p in points])
    work = np.array([compute_work(p.op) for p in points])
    sol, *_ = np.linalg.lstsq(np.stack([1.0 / g, steps / g], axis=1), 1.0 - work / rate / g, rcond=None)
    return max(float(sol[0]), 0.0), max(float(sol[1]), 0.0)


def fit_steps_roof(points: list[Point], max_bw: float = math.inf, span: tuple[tuple[float, float], float] =
                   STEP_ROOF_DEFAULT_SPAN) -> tuple[float, float, float, float]:
    """(overhead_s, step_s, rate, bw) of overhead + steps x step_s + max(work / rate, bytes / bw) against graph_s:
    fit_max's log grid over the two rates, the overhead and step time solved by least squares in relative error at
    each; the element form (fit_steps, per_element: bw = inf) where the bytes lower no error. `span`: the grid's log10
    range of the work rate and the bandwidth's lowest (STEP_ROOF_SPAN). Deterministic."""
    import numpy as np

    over, step, rate = fit_steps(points, per_element=True)
    g = np.array([p.graph_s for p in points])
    steps = np.array([op_steps(p.op) or 0.0 for p in points])
    work = np.array([compute_work(p.op) for p in points])
    lhs = np.stack([1.0 / g, steps / g], axis=1)

    def solve(m) -> tuple[float, tuple[float, float]]:
        sol, *_ = np.linalg.lstsq(lhs, 1.0 - m / g, rcond=None)
        o, w = max(float(sol[0]), 0.0), max(float(sol[1]), 0.0)
        return float(np.sum(((o + steps * w + m) / g - 1.0) ** 2)), (o, w)

    element = (float(np.sum(((over + steps * step + work / rate) / g - 1.0) ** 2)), over, step, math.inf, rate)
    top = math.log10(max_bw) if math.isfinite(max_bw) else 13.5
    (work_span, lo_b) = span
    _, over, step, bw, rate = _grid_max(g, np.array([hbm_bytes(p.op) for p in points]), work, work_span, top,
                                        lo_b=lo_b, points=41, solve=solve, best=element)
    return over, step, rate, bw


def nonnegative_fit(cols: list, target, keep: list[int]) -> dict[int, float]:
    """{column: coefficient} of target ~ sum of coefficient x column over the columns in `keep`, least squares in
    relative error; a column whose coefficient comes out negative is dropped and the rest refitted (floored at 0)."""
    import numpy as np

    keep = list(keep)
    while True:
        a = np.stack([cols[i] / target for i in keep], axis=1)
        sol, *_ = np.linalg.lstsq(a, np.ones_like(target), rcond=None)
        if all(v >= 0 for v in sol) or len(keep) == 1:
            break
        keep.pop(int(np.argmin(sol)))
    return dict(zip(keep, (max(float(v), 0.0) for v in sol), strict=True))


def fit_row_waves(points: list[Point], slots: float) -> tuple[float, float, float]:
    """(overhead_s, wave_s, item_s) of a key whose blocks run in waves of `slots` against the cases' replayed times:
    the suite's form of the single-block top-k (hetsim.calibration.fit.fit_waves)."""
    import numpy as np

    from hetsim.calibration.fit import fit_waves

    shapes = np.array([wave_shape(p.op) for p in points], dtype=float)
    return fit_waves(shapes[:, 0], shapes[:, 1], np.array([p.graph_s for p in points]), slots)


def fit_max(points: list[Point], second: list[float], span: tuple[float, float],
            gain: float = WALK_GAIN, max_bw: float = math.inf, corner: float = math.inf) -> tuple[float, ...]:
    """(overhead_s, bw_bytes_per_s, rate) minimising the relative error of overhead + max(bytes / bw,
    second / rate) against graph_s: a log grid over the two rates (`span`: log10 of the second's), refined
    twice around the best, the overhead solved in closed form at each (floored at 0). Deterministic. Where
    the second term binds no case at the optimum, or halves no error the bytes alone leave (`WALK_GAIN`):
    rate = inf, and the bandwidth is fitted alone (`fit_affine`). `max_bw`: the HBM's rate, which the bandwidth
    may not pass (the bytes are HBM-equivalent already: residency.hbm_equivalent); a fit above it is redone below it
    (a compute-bound key whose bytes term binds no case would otherwise drift up the grid). `corner`: the sharpness
    of the two terms' roof (gpu.roof; inf: their max). Returns (error, overhead_s, bw_bytes_per_s, rate), the error
    the relative errors' sum of squares."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    b = np.array([hbm_bytes(p.op) for p in points])
    w = np.array(second, dtype=float)
    best = _grid_max(g, b, w, span, 14.0, corner=corner)
    if best[2] > max_bw:
        best = _grid_max(g, b, w, span, math.log10(max_bw), corner=corner)
    err, over, bw, rate = best
    a_over, a_bw = fit_affine(points, max_bw)
    affine = float(np.sum(((a_over + b / a_bw) / g - 1.0) ** 2))
    if not np.any(w / rate > b / bw) or err > gain * affine:
        return affine, a_over, a_bw, math.inf
    return err, over, bw, rate


def _grid_max(g, b, w, span: tuple[float, float], hi_b: float, lo_b: float = 9.0, points: int = 61, solve=None,
              best: tuple | None = None, corner: float = math.inf) -> tuple:
    """(error, *params, bw, rate) of the best fit of the fixed terms (`solve`) beside max(b / bw, w / rate), over a log
    grid of the two rates refined twice around the best, the bandwidth from 10^lo_b up to 10^hi_b. `solve(m)` ->
    (error, params): by default fit_max's overhead in closed form. `best`: a form the grid must beat (an infinite
    bandwidth: none did, no refining)."""
    import numpy as np

    if solve is None:
        def solve(m):
            over = _overhead(g, m)
            return float(np.sum(((over + m) / g - 1.0) ** 2)), (over,)

    best = best or (math.inf, 0.0, 1e12, 1e9)
    top, (lo_w, hi_w), cells = hi_b, span, points - 1  # log10 of bytes (and the second's units) per second
    for _ in range(3):
        for lb in np.linspace(lo_b, hi_b, points):
            for lw in np.linspace(lo_w, hi_w, points):
                err, params = solve(_roof(b / 10.0**lb, w / 10.0**lw, corner))
                if err < best[0]:
                    best = (err, *params, float(10.0**lb), float(10.0**lw))
        if not math.isfinite(best[-2]):
            break
        step_b, step_w = (hi_b - lo_b) / cells * 3, (hi_w - lo_w) / cells * 3
        lb, lw = math.log10(best[-2]), math.log10(best[-1])
        lo_b, hi_b, lo_w, hi_w = lb - step_b, min(lb + step_b, top), lw - step_w, lw + step_w
    return best


def _roof(a, b, p: float):
    """gpu.roof over arrays: the max for p = inf, else the p-norm of the two terms."""
    import numpy as np

    if math.isinf(p):
        return np.maximum(a, b)
    hi = np.maximum(np.maximum(a, b), 1e-300)
    return hi * ((a / hi) ** p + (b / hi) ** p) ** (1.0 / p)


# a per-index key fits an element rate beside its indices only where this many of its cases walk at least
# PER_INDEX_ELEMENTS_SEEN elements (rowscatter-sweep's wide few-index selects); else its rows' elements go unpriced, as
# its cases cannot tell their time
PER_INDEX_ELEMENT_CASES, PER_INDEX_ELEMENTS_SEEN = 3, 1 << 20


def fit_per_index(points: list[Point]) -> tuple[float, float, float]:
    """(overhead_s, item_s, element_s) minimising the relative error of overhead + item_s x rows + element_s x
    elements (gpu.compute_work: the rows' elements the small-index kernel walks) against graph_s; element_s is 0 where
    too few cases walk enough elements to tell it (PER_INDEX_ELEMENT_CASES), or where it fits below 0."""
    import numpy as np

    g = np.array([p.graph_s for p in points])
    n = np.array([float(p.op.rows) for p in points])
    e = np.array([compute_work(p.op) for p in points])
    if int(np.sum(e >= PER_INDEX_ELEMENTS_SEEN)) >= PER_INDEX_ELEMENT_CASES:
        sol, *_ = np.linalg.lstsq(np.stack([1.0 / g, n / g, e / g], axis=1), np.ones_like(g), rcond=None)
        if min(sol) >= 0:
            return float(sol[0]), float(sol[1]), float(sol[2])
    sol, *_ = np.linalg.lstsq(np.stack([1.0 / g, n / g], axis=1), np.ones_like(g), rcond=None)
    over, item = float(sol[0]), float(sol[1])
    if item < 0:
        return float(statistics.median(g)), 0.0, 0.0
    if over < 0:
        return 0.0, float(np.sum(n / g) / np.sum((n / g) ** 2)), 0.0
    return over, item, 0.0


def _abs_errs(pred: list[float], meas: list[float]) -> list[float]:
    return sorted(abs(p / m - 1.0) for p, m in zip(pred, meas, strict=True) if m > 0)


def _quality(errs: list[float]) -> dict[str, float]:
    if not errs:
        return {}
    return {"median_abs_err": round(statistics.median(errs), 4),
            "p90_abs_err": round(errs[min(len(errs) - 1, int(round(0.9 * (len(errs) - 1))))], 4),
            "max_abs_err": round(errs[-1], 4)}


LOOPED_MIN = 3  # cases timed back to back that a key's dispatch_s needs before it leaves the single calls out


def looped_first(points: list[Point]) -> list[Point]:
    """The cases timed back to back where there are LOOPED_MIN of them, else all: one call after a sync
    starts on an idle GPU, so its stream time less its graph replay is a start, not a stream's gap."""
    looped = [p for p in points if not p.single]
    return looped if len(looped) >= LOOPED_MIN else points


def host_dispatch(points: list[Point], notes: list[str]) -> float:
    """A key's dispatch_s: the median host issue time of its cases, the loops never filling the launch queue.
    An op slower than the timer's loop is timed one call after a sync, and that call's issue time grows with
    the op's device time (the SDPA sweep: ~11% of it for memory-efficient attention, 82-470 us against 49 us
    for the calls timed back to back): where a key has LOOPED_MIN cases timed back to back, those alone."""
    looped = looped_first(points)
    if len(looped) < len(points):
        notes.append(f"dispatch_s and eager_gap_s from the {len(looped)} cases timed back to back (the "
                     f"{len(points) - len(looped)} timed one call after a sync issue slower, with their device time)")
    return statistics.median(p.cpu_s for p in looped)


# key -> the fitted key whose flop_rate bounds it: no memory-efficient attention case was compute-bound, yet the
# paged engine's packed prefill chunks run that kernel over hundreds of queries; FlashAttention-2's measured rate is
# taken as its compute bound (the memory-efficient kernel is not faster), noted in the key's fit
FLOP_BOUND_FROM = {"attention_efficient_decode": "attention_flash_prefill",
                   # the same CUTLASS sm80 s16816 align2 kernels (profiled): where a key's cases leave its flops
                   # unbound (the fit said inf), the even-width products' rate bounds them
                   "bmm_even_tokens": "matmul_even_width", "bmm_even_scores": "matmul_even_width"}


def bound_flops(out: dict[str, tuple[OpClassRates, dict]]) -> None:
    """Give each FLOP_BOUND_FROM key the flop_rate of the key it borrows from, where both were fitted."""
    from dataclasses import replace

    for key, src in FLOP_BOUND_FROM.items():
        if key in out and src in out and math.isinf(out[key][0].flop_rate):
            rates, notes = out[key]
            notes["fit"]["notes"].append(f"flop_rate from {src} (no compute-bound case of this key): a compute bound")
            out[key] = (replace(rates, flop_rate=out[src][0].flop_rate), notes)


def fit_key(key: str, points: list[Point], base: OpClassRates | None, source: str,
            max_bw: float = math.inf) -> tuple[OpClassRates, dict]:
    """The rates of one key and the notes that say how they were fitted (`max_bw`: the HBM's rate, a bound on a
    two-rate fit's bandwidth)."""
    notes: list[str] = []
    host_bound = [p for p in points if p.graph_s < HOST_BOUND * p.cpu_s]
    dev_bound = [p for p in points if p not in host_bound]
    if key == "host_view":
        dispatch = statistics.median(p.cpu_s for p in points)
        rates = OpClassRates(0.0, math.inf, math.inf, source="calibrated", dispatch_s=dispatch)
        fit = {"points": len(points), "host_points": len(points),
               **{f"host_{k}": v for k, v in _quality(_abs_errs([dispatch] * len(points),
                                                                [p.cpu_s for p in points])).items()}}
    elif key in PER_INDEX_KEYS:
        over, item, element = fit_per_index(points)
        dispatch = statistics.median(p.cpu_s for p in points)
        gaps = [max(0.0, p.stream_s - p.graph_s) for p in dev_bound]
        gap = statistics.median(gaps) if gaps else (base.eager_gap_s if base else 0.0)
        if not gaps:
            notes.append("no device-bound case: eager_gap_s from the key it refines")
        if element:
            notes.append("device_s = overhead_s + item_s x indices (one wave of one row) + the rows' elements / "
                         "flop_rate (an offset an element), bytes not counted")
        else:
            notes.append("device_s = overhead_s + item_s x indices (one wave of one row), bytes not counted (too few "
                         f"cases of >= {PER_INDEX_ELEMENTS_SEEN:,} elements to fit an element rate)")
        rates = OpClassRates(over, math.inf, 1.0 / element if element else math.inf, source="calibrated",
                             dispatch_s=dispatch, eager_gap_s=gap, wave_slots=1.0, item_s=item)
        dev = [op_device_s(rates, p.op) for p in points]
        fit = {"points": len(points), "device_points": len(points), "host_points": len(points),
               "host_bound_points": len(host_bound), "device_bound_points": len(dev_bound),
               **{f"device_{k}": v for k, v in _quality(_abs_errs(dev, [p.graph_s for p in points])).items()},
               **{f"host_{k}": v for k, v in _quality(
                   _abs_errs([dispatch] * len(points), [p.cpu_s for p in points])).items()}}
    else:
        sizes = [p.op.bytes for p in points]
        flop_rate = roof_p = math.inf
        waves = {}
        if key in WAVE_FIT_KEYS:
            slots = WAVE_FIT_KEYS[key]
            over, wave, item = fit_row_waves(points, slots)
            bw = walk_bw = math.inf
            waves = {"wave_slots": float(slots), "wave_s": wave, "item_s": item}
            notes.append(f"device_s = overhead_s + ceil(blocks / {slots}) x (wave_s + item_s x a block's steps) "
                         "(hetsim.hardware.gpu.wave_shape); bytes not counted")
        elif (base is not None and key not in WALK_KEYS | ROOF_KEYS | STEP_KEYS | THREE_TERM_KEYS
                and max(sizes) <= SAME_SIZE * min(sizes)):
            # cases of one size cannot tell a fixed cost from a bandwidth: the refined key's overhead, the bandwidth
            # that leaves each case its time
            over, walk_bw = base.overhead_s, math.inf
            bw = statistics.median(hbm_bytes(p.op) / max(p.graph_s - over, 1e-9) for p in points)
            notes.append("cases of one size: overhead_s from the key it refines, bw_bytes_per_s fitted")
        elif key in SOLVER_KEYS and base is not None and math.isfinite(base.flop_rate):
            flop_rate, bw, walk_bw = base.flop_rate, math.inf, math.inf
            over, step_s = fit_steps_at_rate(points, flop_rate)
            notes.append(f"device_s = overhead_s + steps x wave_s + flops / flop_rate, flop_rate {SOLVER_RATE_FROM}'s "
                         "(a blocked factorisation's GEMM updates); the overhead and a step's cost fitted")
        elif key in STEP_ELEMENT_KEYS:
            if key in STEP_ROOF_KEYS:
                over, step_s, flop_rate, bw = fit_steps_roof(points, max_bw,
                                                             STEP_ROOF_SPAN.get(key, STEP_ROOF_DEFAULT_SPAN))
            else:
                (over, step_s, flop_rate), bw = fit_steps(points, per_element=True), math.inf
            walk_bw = math.inf
            notes.append(STEP_ROOF_NOTES[key] if key in STEP_ROOF_NOTES else
                         "device_s = overhead_s + steps x wave_s + flops / flop_rate (a fixed cost per wave, the "
                         "elements' math beside it, whatever their width)" if not math.isfinite(bw) else
                         "device_s = overhead_s + steps x wave_s + max(flops / flop_rate, bytes / bw_bytes_per_s) (the "
                         "elements' math, or the bytes where they bind: a row too long for shared memory read three "
                         "times, gpu.softmax_rereads)")
        elif key in THREE_TERM_KEYS:
            over, bw, flop_rate, walk_bw = fit_three(points, max_bw, THREE_TERM_KEY_SPANS.get(key, THREE_TERM_SPANS))
            notes.append("device_s = overhead_s + max(bytes / bw_bytes_per_s, work / flop_rate, walk / "
                         "walk_bw_bytes_per_s) (hetsim.hardware.gpu.compute_work, walk_bytes)")
            if math.isfinite(max_bw) and bw >= max_bw * (1.0 - 1e-9):
                notes.append("the bytes bind no case at any bandwidth the grid holds: bw_bytes_per_s the HBM's (a "
                             "bound, not a fit)")
        elif key in FLOOR_KEYS:
            over, walk_bw, flop_rate = fit_floor(points)
            bw = max_bw
            notes.append("device_s = overhead_s + max(walk / walk_bw_bytes_per_s, flops / flop_rate): the walk the "
                         "kernel's outputs (a fixed cost each), the flops its taps' work; the bytes bind no case "
                         "(bw_bytes_per_s the HBM's)")
        elif key in STEP_KEYS:
            over, step_s, bw = fit_steps(points)
            walk_bw = math.inf
            notes.append("device_s = overhead_s + steps x wave_s + bytes / bw_bytes_per_s (a fixed cost per pass)")
        elif key in ROOF_KEYS:
            # an element rate the kernel's code shows (the profiled unvectorised casts, the strided kernel) is kept
            # wherever it lowers the error: the bytes-only fit mixes cases the L2 held with ones streamed from HBM
            over, bw, flop_rate, roof_p = fit_roof(points, RATE_SPAN.get(key, (12.0, 16.0)),
                                                   1.0 if key in ELEMENT_RATE_KEYS | FLOPS_KEPT else WALK_GAIN,
                                                   max_bw, CORNERS if key in ELEMENT_RATE_KEYS else (math.inf,))
            walk_bw = math.inf
            if not math.isfinite(flop_rate):
                notes.append("the flops bind no case or halve no error of the bytes alone: flop_rate = inf")
            elif math.isinf(roof_p):
                notes.append("device_s = overhead_s + max(bytes / bw_bytes_per_s, flops / flop_rate)")
            else:
                notes.append(f"device_s = overhead_s + roof(bytes / bw_bytes_per_s, flops / flop_rate; roof_p = "
                             f"{roof_p:g}): where both near-bind, the element work and the loads overlap only in part")
        elif key in CHAIN_KEYS:
            over, bw, walk_bw, item = fit_walk_chain(points, RATE_SPAN.get(key, (7.0, 12.0)), max_bw,
                                                     1.0 if key in WALK_KEPT else WALK_GAIN)
            waves = {"wave_slots": 1.0, "wave_s": 0.0, "item_s": item}
            notes.append("device_s = overhead_s + max(bytes / bw_bytes_per_s, walk / walk_bw_bytes_per_s) + item_s x "
                         "the global reduction's partials a lane reads one after another (hetsim.hardware.launch."
                         "global_reduce_chain)")
        else:
            over, bw, walk_bw = (fit_walk(points, RATE_SPAN.get(key, (7.0, 12.0)), max_bw,
                                          1.0 if key in WALK_KEPT else WALK_GAIN) if key in WALK_KEYS
                                 else (*fit_affine(points, max_bw), math.inf))
        if key in WALK_KEYS:
            notes.append("device_s = overhead_s + max(bytes / bw_bytes_per_s, walk / walk_bw_bytes_per_s), walk the "
                         "bytes one lane or row reads one after another (hetsim.hardware.gpu.walk_bytes)"
                         if math.isfinite(walk_bw) else "the walk binds no case or halves no error of the bytes alone: "
                         "walk_bw_bytes_per_s = inf")
        if math.isinf(bw) and key in STEP_KEYS:
            # the steps carry the time (cuDNN's tiles load their bytes inside them): no bytes term to add
            notes.append("the bytes add nothing beside the steps: bw_bytes_per_s = inf")
        elif math.isinf(bw) and not waves:
            bw = base.bw_bytes_per_s if base else math.inf
            notes.append("no case moves enough bytes to fit a bandwidth: bw_bytes_per_s from the key it refines")
        dispatch = host_dispatch(points, notes)
        gaps = [max(0.0, p.stream_s - p.graph_s) for p in looped_first(dev_bound)]
        gap = statistics.median(gaps) if gaps else (base.eager_gap_s if base else 0.0)
        if not gaps:
            notes.append("no device-bound case: eager_gap_s from the key it refines")
        steps = {"wave_slots": 1.0, "wave_s": step_s} if key in STEP_KEYS else waves
        rates = OpClassRates(over, bw, flop_rate, source="calibrated", dispatch_s=dispatch, eager_gap_s=gap,
                             walk_bw_bytes_per_s=walk_bw, roof_p=roof_p, **steps)
        fit = {"points": len(points), "device_points": len(points), "host_points": len(points),
               "host_bound_points": len(host_bound), "device_bound_points": len(dev_bound),
               **_device_quality(rates, points),
               **{f"host_{k}": v for k, v in _quality(
                   _abs_errs([dispatch] * len(points), [p.cpu_s for p in points])).items()}}
    fit["cases"] = [p.case for p in points]
    fit["source"] = source
    fit["notes"] = notes
    return rates, {"fit": fit}


def launches_kernel(case: TraceCase) -> bool:
    """Whether a case runs anything on the GPU (a view only aliases: nothing to replay or to start)."""
    return any(not isinstance(op, HostCall) for op in lower_case(case))


def fit_idle(cases: list[TraceCase], source: str) -> tuple[OpClassRates, dict]:
    """`idle_start`: the latency a kernel issued onto an idle GPU adds over its issue and device times
    (t_idle - cpu - graph, median over the kernel cases; the spread says how steady it is)."""
    lat = sorted(c.measured["idle"] - c.measured["host"] - c.measured["graph"] for c in cases
                 if {"idle", "host", "graph"} <= set(c.measured) and launches_kernel(c))
    q = statistics.quantiles(lat, n=10)
    med = max(0.0, statistics.median(lat))
    fit = {"points": len(lat), "p10_s": round(q[0], 9), "p90_s": round(q[-1], 9), "source": source,
           "notes": ["t_idle_s - cpu_s - graph_s per kernel case: CUDA events around one op after a sync and a "
                     "3 ms host pause (hetsim/calibration/e2e/opcases.py); GpuModel adds it to an IdleStart op; "
                     "views left out (no kernel starts)"]}
    return OpClassRates(med, math.inf, math.inf, source="calibrated"), {"fit": fit}


def fallback_chain(key: str) -> tuple[str, ...]:
    """The keys `key` refines, nearest first (hetsim.hardware.gpu's fallback order)."""
    from hetsim.hardware.gpu import REGIME_FALLBACK

    # reduction_outer falls back to no key in pricing (the assumed roofline); its fit borrows only what its
    # cases cannot identify (a bandwidth, an eager gap) from the class it is a kernel of
    return {"pointwise": ("elementwise",), "attention_masked": ("attention_decode",),
            "reduction_outer": ("reduction",), "reduction_outer_max": ("reduction_outer", "reduction"),
            "reduction_outer_pair": ("reduction_outer", "reduction"),
            **dict.fromkeys(SOLVER_KEYS, (SOLVER_RATE_FROM,))}.get(key, REGIME_FALLBACK.get(key, ()))


def fallback_rates(profile, key: str, fitted: dict | None = None) -> OpClassRates | None:
    """The rates of the key `key` refines: as fitted in this run (`fitted`: key -> (rates, notes)), else as in
    `profile` (so that a refit of a profile gives the same numbers as the fit that wrote it)."""
    fitted = fitted or {}
    for k in fallback_chain(key):
        if k in fitted:
            return fitted[k][0]
        if k in profile.rates:
            return profile.rates[k]
    return None


def fit_order(keys) -> list[str]:
    """`keys` with every key after the keys it refines (their fits are its fallback), then by name."""
    keys = set(keys)

    def depth(k: str, seen=()) -> int:
        parents = [p for p in fallback_chain(k) if p in keys and p not in seen]
        return 1 + max((depth(p, (*seen, k)) for p in parents), default=0)

    return sorted(keys, key=lambda k: (depth(k), k))


def measured_keys(host) -> dict[str, tuple[OpClassRates, dict]]:
    """The host keys taken as measured from the host_calls files: dispatch_s = the median figure, nothing fitted."""
    host = pool(host)
    out = {}
    optional = [(k, f) for k, f in OPTIONAL_MEASURED_KEYS if any(f in h.values for h in host.files)]
    for key, field in (*MEASURED_KEYS, *optional):
        value = host.figure(field)
        each = [{"file": h.path.name, "sha256": h.sha256, "value_s": float(h.values[field]),
                 "command": h.provenance.get("command", ""), "date": h.provenance.get("date", ""),
                 "device": h.provenance.get("device", h.values.get("device", "")),
                 "software": h.provenance.get("torch_cuda_transformers", h.values.get("torch", ""))}
                for h in host.files if field in h.values]
        note = {"measured": {"field": field, "value_s": value, "files": each},
                "fit": {"points": len(each), "source": f"measured: {host.names()}, field {field}",
                        "notes": ["taken as measured (seconds per call), the median over the files; no fit"]}}
        out[key] = (OpClassRates(0.0, math.inf, math.inf, source="measured", dispatch_s=value), note)
    return out


def lease_scales(paths: list[Path], host) -> list[float]:
    """Per cases file, the reference host's speed over its lease's: the pooled files' median `mul_binding` over the
    one its own host_calls file (timed in the same process) measured; 1 where either is missing. The lent hosts run
    ~1.5x apart from lease to lease (6.2-12.5 us for the same call over 2026-12-01..05), and a key is fitted on the
    first file that has cases of it: unscaled, each key's dispatch_s carried the host of whichever lease timed it."""
    host = pool(host)
    if host is None or (reference := host.reference()) is None:
        return [1.0] * len(paths)
    out = []
    for path in paths:
        own = default_host_calls(path)
        value = json.loads(own.read_text()).get(HOST_SPEED_FIELD) if own.is_file() else None
        out.append(reference / float(value) if isinstance(value, int | float) and value > 0 else 1.0)
    return out


def default_host_calls(cases_path: Path) -> Path:
    """The host calls of the run that measured the cases: NAME.host_calls.json (aten sweep) or host_calls.json."""
    cases_path = Path(cases_path)
    own = cases_path.with_name(cases_path.stem + "." + HOST_CALLS)
    return own if own.exists() else cases_path.parent / HOST_CALLS


def case_keys(path: Path) -> set[str]:
    """The identities of a cases file's cases (as hetsim.calibration.e2e.opcases keys them)."""
    import pandas as pd

    from hetsim.calibration.gpu_suite.aten_cases import case_key

    rows = pd.read_parquet(path, columns=["kind", "spec"])
    return {case_key(k, json.loads(s)) for k, s in zip(rows["kind"], rows["spec"], strict=True)}


def default_composites(device: str) -> list[Path]:
    """The methods' validation composites measured on `device`: calibration/methods/<device>*/methods.parquet."""
    root = REPO_ROOT / "calibration" / "methods"
    return sorted(p for p in root.glob(f"{device}*/methods.parquet")
                  if p.parent.name == device or p.parent.name[len(device)] == "-")


def composite_ops(paths) -> set[str]:
    """The case identities of every op of the composites in `paths` (never fitted)."""
    from hetsim.calibration.gpu_suite.aten_cases import composite_keys

    keys: set[str] = set()
    for p in paths or ():
        keys |= composite_keys(Path(p))
    return keys


def check_disjoint(cases_path: Path, validation: Path | None) -> None:
    """ConfigError if the cases to fit share a case with the validation cases (those are never fitted)."""
    from hetsim.errors import ConfigError

    if validation is None or not Path(validation).is_file():
        return
    if Path(cases_path).resolve() == Path(validation).resolve():
        raise ConfigError("these are the op-level validation cases: fit on the aten sweep instead "
                          "(python -m hetsim.calibration.gpu_suite.aten_sweep)", file=str(cases_path))
    shared = case_keys(cases_path) & case_keys(validation)
    if shared:
        raise ConfigError(f"{len(shared)} case(s) also in the validation cases {validation}: they are never fitted",
                          file=str(cases_path))


def case_paths(cases_path) -> list[Path]:
    """One cases file or several, as a list of paths."""
    return [Path(cases_path)] if isinstance(cases_path, str | Path) else [Path(p) for p in cases_path]


def device_memory(device: str) -> tuple[residency.L2 | float, float]:
    """The catalogue GPU's (L2, HBM bytes/s) as its GpuModel reads them (its L2 with its residency ramp); (0, 0) for a
    device not in the catalogue: every case's bytes from HBM."""
    from hetsim.calibration.device_inputs import catalogue_gpus
    from hetsim.hardware.gpu import GpuModel

    spec = catalogue_gpus().get(device)
    if spec is None:
        return 0.0, 0.0
    gpu = GpuModel(spec)
    return gpu.l2, gpu.hbm_bw


def launch_floor(by_key: dict[str, list[Point]]) -> float:
    """The GPU's launch floor: LAUNCH_FLOOR_PERCENTILE of the replayed times of every device key's cases."""
    import numpy as np

    times = [p.graph_s for key, points in by_key.items() if not key.startswith("host_") for p in points
             if p.graph_s > 0]
    return float(np.percentile(times, LAUNCH_FLOOR_PERCENTILE)) if times else 0.0


def _device_quality(rates: OpClassRates, points: list[Point]) -> dict[str, float]:
    dev = [op_device_s(rates, p.op) for p in points]
    stream = [max(rates.dispatch_s, op_stream_device_s(rates, p.op)) for p in points]
    return {**{f"device_{k}": v for k, v in _quality(_abs_errs(dev, [p.graph_s for p in points])).items()},
            **_quality(_abs_errs(stream, [p.stream_s for p in points]))}


def fit_bound_key(key: str, points: list[Point], base: OpClassRates | None, source: str,
                  hbm_bw: float, l2: residency.L2 | None = None, floor: float = 0.0) -> tuple[OpClassRates, dict]:
    """fit_key, with each case's L2 share bounded by the fitted rate as a GpuModel bounds it
    (residency.bound_share): fitted on the full shares, then refitted twice on the shares the rate leaves. `l2`:
    the GPU's L2, whose ramp the notes name (default: the H200's). `floor`: the GPU's launch floor
    (`launch_floor`); a device key whose fitted fixed cost lies below it, and whose cases all run FLOOR_UNSEEN floors
    or longer, is refitted on its cases' times less the floor, the floor then added to its fixed cost."""
    from dataclasses import replace

    rates, notes = _fit_bound_key(key, points, base, source, hbm_bw, l2)
    if key.startswith("host_") or rates.overhead_s >= floor or min(p.graph_s for p in points) < FLOOR_UNSEEN * floor:
        return rates, notes
    shifted = []
    for p in points:
        g = max(p.graph_s - floor, FLOOR_SHIFT_MIN * p.graph_s)
        shifted.append(replace(p, graph_s=g, stream_s=p.stream_s - (p.graph_s - g)))
    low = rates.overhead_s
    rates, notes = _fit_bound_key(key, shifted, base, source, hbm_bw, l2)
    rates = replace(rates, overhead_s=rates.overhead_s + floor)
    notes["fit"].update(_device_quality(rates, points))
    notes["fit"]["notes"].append(
        f"its fixed cost fitted {low * 1e6:.2f} us, under the GPU's launch floor ({floor * 1e6:.2f} us, the "
        f"{LAUNCH_FLOOR_PERCENTILE:g}th percentile of every kernel case's replayed time), which its cases (all "
        f"{FLOOR_UNSEEN:g} floors or longer) cannot tell from its rates: refitted on the cases' times less the "
        "floor, the floor added to the fixed cost")
    return rates, notes


def _fit_bound_key(key: str, points: list[Point], base: OpClassRates | None, source: str,
                   hbm_bw: float, l2: residency.L2 | None = None) -> tuple[OpClassRates, dict]:
    from dataclasses import replace

    l2 = l2 or residency.L2(0.0)

    cap = math.inf if key in residency.L2_TRAFFIC else (hbm_bw or math.inf)  # L2 traffic: no HBM bound
    rates, notes = fit_key(key, points, base, source, cap)
    if not hbm_bw or not any(p.op.l2_share for p in points):
        return rates, notes
    for _ in range(2):
        bounded = [replace(p, op=replace(p.op, l2_share=residency.bound_share(p.op.l2_share, rates.bw_bytes_per_s,
                                                                                hbm_bw))) for p in points]
        rates, notes = fit_key(key, bounded, base, source, cap)
    notes["fit"]["notes"].append(
        f"cases timed on their own buffers: each case's bytes read from the L2 as far as its working set fits "
        f"(hetsim.hardware.residency: all up to {l2.hot_share} of the L2, none from "
        f"{l2.cold_share}, {residency.L2_GAIN}x the rate, {residency.L2_GAIN_MATRIX}x on the tensor cores, "
        f"scaled by this key's rate over the HBM's)")
    return rates, notes


def fit_profile(profile, cases_path, host_calls=None, composites=None,
                pooled: bool = False, table_cases=None) -> dict[str, tuple[OpClassRates, dict]]:
    """Every key the cases identify, plus the measured host keys: {key: (rates, notes)}. `cases_path`: one
    aten sweep Parquet or several: each key is fitted on the cases of the first file that has cases of it
    (a later sweep group adds the keys it was made for and leaves the earlier ones as they were; `idle_start`
    from the first file), or on the cases of all files (`pooled`). `host_calls`: a path or a
    list of paths of host microbenchmarks (default: the ones beside the cases files; none there: no harness
    correction and no measured keys, said in each key's notes). `composites`: methods.parquet files whose
    ops are left out of the fit (`left_out`). `table_cases`: sweeps of the landscape of kernel choices (every
    convolution path, every reduction layout) that feed only the tables of measured neighbours (`neighbour_tables`,
    `conv_tables`) and fit no key: a key's few-term form, fitted across such a sweep, averages kernels it cannot
    tell apart and prices the ops near its earlier cases worse (conv-sweep pooled into `conv_simt`: 14 -> 39 %
    median over its own cases; the checks' patch embeddings +5 % -> -85 %), while a table corrects an op only
    within ~2x of measured ones."""
    from hetsim.calibration.gpu_suite.aten_cases import case_key

    paths_in = case_paths(cases_path)
    never = composite_ops(composites)
    per_file = [load_cases(p) for p in paths_in]

    def why_left(c: TraceCase) -> str | None:
        return "check" if is_check(c) else "composite" if case_key(c.kind, c.op.to_json()) in never else None

    def unseen(cs: list[TraceCase]) -> list[TraceCase]:
        return [c for c in cs if why_left(c) is None]

    left = [why for cs in per_file for c in cs if (why := why_left(c))]
    checks, left_out = left.count("check"), len(left)
    kept = [unseen(cs) for cs in per_file]
    cases = [c for cs in kept for c in cs]
    tables_only = [unseen(load_cases(p)) for p in case_paths(table_cases)] if table_cases else []
    source = "op cases from traces: " + ", ".join(
        f"{p.name} (sha256 {hashlib.sha256(p.read_bytes()).hexdigest()[:16]})" for p in paths_in
    ) + ", hetsim.calibration.trace_fit"
    if host_calls is None:
        paths = [p for c in paths_in if (p := default_host_calls(c)).exists()]
    else:
        paths = [host_calls] if isinstance(host_calls, str | Path) else list(host_calls)
    host = pool([load_host_calls(p) for p in paths])
    harness = host.harness() if host else {}
    l2, hbm = device_memory(profile.device)
    # kernels that run inside another op's call after it, measured by twins that do not run them (a top-k's sort):
    # fitted first, so that the cases running them fit the op's own key with them taken out
    twins = {key: fit_residual(key, points, fallback_rates(profile, key),
                               f"op cases from traces: {', '.join(names)} (each beside a twin case that runs the "
                               "rest of its kernels alone), hetsim.calibration.trace_fit")
             for key, (points, names) in residual_points(profile, {}, kept, paths_in, l2, twin_only=True).items()}
    inner = {k: r for k, (r, _) in twins.items()}
    scales = lease_scales(paths_in, host)
    out = {}
    if pooled or len(kept) == 1:
        by_key, sources = {}, dict.fromkeys(FIT_KEYS, source)
        for cs, scale in zip(kept, scales, strict=True):
            for key, points in points_by_key(cs, harness, l2, inner, scale).items():
                by_key.setdefault(key, []).extend(points)
    else:
        by_key, sources = {}, {}
        files: dict[str, list[str]] = {}  # an every-file key's cases, as file:case (ids repeat across files)
        for path, cs, scale in zip(paths_in, kept, scales, strict=True):
            digest = None  # the file's, read once where it is the first with cases of some key
            for key, points in points_by_key(cs, harness, l2, inner, scale).items():
                if key in EVERY_FILE_KEYS:
                    by_key.setdefault(key, []).extend(points)
                    files.setdefault(key, []).extend(f"{path.name}:{p.case}" for p in points)
                elif key not in by_key:
                    by_key[key] = points
                    digest = digest or hashlib.sha256(path.read_bytes()).hexdigest()[:16]
                    sources[key] = (f"op cases from traces: {path.name} (sha256 {digest}; the first of {len(kept)} "
                                    "files with cases of this key), hetsim.calibration.trace_fit")
        for key, cases in files.items():
            named = ", ".join(sorted({c.split(":")[0] for c in cases}))
            sources[key] = (f"op cases from traces: {named} (every file with cases of this key), "
                            "hetsim.calibration.trace_fit")
    # the host files' names and reference speed, as every key's notes state them
    host_names = host.names() if host else ""
    scaled_to = (f", then scaled to the reference host ({HOST_SPEED_FIELD} {ref * 1e6:.2f} us, the files' median) by "
                 "the lease's own (lease_scales)" if host and (ref := host.reference()) else "")
    floor = launch_floor(by_key)
    for key in fit_order(by_key):
        if len(by_key[key]) < MIN_KEY_POINTS:
            continue  # priced by another GPU's key, transferred, or the key it refines, until more cases are timed
        rates, notes = fit_bound_key(key, by_key[key], fallback_rates(profile, key, out), sources[key], hbm,
                                     l2 or None, floor)
        if not (pooled or len(kept) == 1) and key in files:
            notes["fit"]["cases"] = files[key]
        kind = harness_kind(key)
        if kind == "none":
            notes["fit"]["harness_overhead_s"] = 0.0
            notes["fit"]["notes"].append("SDPA cases call F.scaled_dot_product_attention as a model does: no harness")
        elif host:
            notes["fit"]["harness_overhead_s"] = harness[kind]
            notes["fit"]["notes"].append(
                f"host issue time of each case less the op cases' harness overhead ({harness[kind] * 1e6:.2f} us, "
                f"median of the {kind} pairs of {host_names}" + (", assumed to carry to this op)"
                                                                  if kind == "kernel" else ")") + scaled_to)
        else:
            notes["fit"]["notes"].append("no host_calls.json: host issue times include the op cases' harness")
        out[key] = (rates, notes)
    bound_flops(out)
    extra = points_by_key([c for cs in tables_only for c in cs], harness, l2, inner)
    for key, table in neighbour_tables(profile, out, {k: by_key[k] + extra.get(k, [])
                                                     for k in NEIGHBOUR_KEYS & set(out)}).items():
        out[key][1]["neighbours"] = table.to_entry()
    out.update(twins)
    for key, (points, names) in residual_points(profile, out, kept, paths_in, l2).items():
        out[key] = fit_residual(key, points, fallback_rates(profile, key, out),
                                f"op cases from traces: {', '.join(names)} (every file with cases running this key's "
                                "kernels), hetsim.calibration.trace_fit")
    for key, table in conv_tables(profile, out, kept + tables_only, l2).items():
        out[key][1]["neighbours"] = table.to_entry()
    first = f"op cases from traces: {paths_in[0].name} (the first file), hetsim.calibration.trace_fit"
    out["idle_start"] = fit_idle(cases if pooled else kept[0], source if pooled or len(kept) == 1 else first)
    if host:
        out.update(measured_keys(host))
    if left_out:
        names = ", ".join(repo_relative(p) for p in composites or ())
        composites_left = left_out - checks
        said = [f"{composites_left} case(s) that are ops of the methods' composites ({names})"] if composites_left \
            else []
        said += [f"{checks} case(s) that ops of a blind check group also run (is_check)"] if checks else []
        for _, notes in out.values():
            notes["fit"]["left_out"] = "; ".join(said)
    return out


CHECK_GROUP = re.compile(r"(^|-)check\d*$")  # realcode-check, realcode-check12, common-check: blind, never fitted


def is_check(case: TraceCase) -> bool:
    """Whether an op of a blind check group runs this case (a source of it names such a group): never fitted. A
    fit list of case ids can name a check's case where the cases were renumbered after it was written (the H100's
    fit timed ids 1196-1213 of the H200's, realcode-more3's there and realcode-check4's by then)."""
    return any(CHECK_GROUP.search(s.split("/", 1)[0]) for s in case.sources)


def neighbour_tables(profile, fitted: dict, points: dict[str, list[Point]]) -> dict:
    """{key: the misses of its fitted ops} (product_table.build): each point's replayed time against its price by
    the fitted rates alone (no table yet), as GpuModel prices it (its L2 share bound as there); one model for all."""
    from hetsim.hardware import product_table

    if (model := fitted_model(profile, fitted)) is None:
        return {}
    return {key: product_table.build((p.op, p.graph_s, model.device_time_s(p.op)) for p in ps)
            for key, ps in points.items()}


def conv_tables(profile, fitted: dict, per_file: list[list[TraceCase]], l2_bytes: float) -> dict:
    """{key: the misses of the fitted convolutions it prices} (product_table.build, a class a convolution path and
    dtype): every fitted case that runs one convolution, whatever else its call launches (cuDNN's layout kernels
    around an NCHW one, a copy of a strided input, the bias added after). cuDNN picks its kernels by shape, as cuBLAS
    does, and no form per key follows it (the fitted keys err 11-25 % median on their own cases); the case's whole
    miss is taken as its convolution's: measured less the price of the rest, over the convolution's price (floored
    at CONV_FLOOR of it, where the rest's price alone exceeds the measurement), so a convolution near measured ones
    is priced, call and all, as they ran. Priced by the fitted keys, every key's product table but no convolution's
    (a refit starts from the same prices)."""
    from hetsim.hardware import product_table
    from hetsim.hardware.gpu import rate_key
    from hetsim.ops import Convolution

    if (model := fitted_model(profile, fitted)) is None:
        return {}
    rates = model.rates
    points: dict[str, list] = {}
    for cases in per_file:
        for c in cases:
            if c.kind != "aten" or c.op.base != "convolution":
                continue  # only aten.convolution lowers to a Convolution: no other case is lowered again
            ops = tuple(o for o in lower_case(c, l2_bytes=l2_bytes) if not isinstance(o, HostCall))
            convs = [o for o in ops if isinstance(o, Convolution)]
            if len(convs) != 1 or "graph" not in c.measured or product_table.product_class(convs[0]) is None:
                continue
            (conv,) = convs
            rest = tuple(o for o in ops if o is not conv)
            other = model.graph_time_s(rest) if rest else 0.0
            priced = model.graph_time_s(ops) - other
            key = rate_key(conv, rates)
            if priced <= 0 or key not in fitted:
                continue
            left = max(c.measured["graph"] - other, CONV_FLOOR * priced)
            points.setdefault(key, []).append((conv, left, priced))
    return {key: product_table.build(ps) for key, ps in sorted(points.items())}


CONV_FLOOR = 0.2  # the least share of its price a convolution is taken to cost, its call's other kernels aside


def fitted_model(profile, fitted: dict):
    """The GPU model of `profile` with `fitted`'s rates, correcting by the neighbour tables this fit made (`fitted`'s
    notes) and never by the profile's own, so that a refit from its own output prices every case as the first fit
    did; None for a device the catalogue lacks."""
    import dataclasses

    from hetsim.calibration.device_inputs import catalogue_gpus
    from hetsim.hardware.gpu import GpuModel

    spec = catalogue_gpus().get(profile.device)
    if spec is None:
        return None
    notes = {k: {f: v for f, v in n.items() if f != "neighbours"} if isinstance(n, dict) else n
             for k, n in profile.notes.items()}
    notes.update({k: n for k, (_, n) in fitted.items() if "neighbours" in n})
    rates = {**profile.rates, **{k: r for k, (r, _) in fitted.items()}}
    return GpuModel(spec, dataclasses.replace(profile, rates=rates, notes=notes))


@dataclass(frozen=True)
class ResidualPoint:
    """A case's time left to a residual key's kernels: `launches` of them moving `nbytes` (HBM-equivalent), with
    `steps` fixed-cost passes one after another (a radix sort's; gpu.op_steps) and `walk` bytes one block reads one
    after another (gpu.walk_bytes: training BatchNorm's statistics, a block a channel)."""

    case: str  # file:case
    launches: int
    nbytes: float
    residual_s: float
    graph_s: float
    steps: float = 0.0
    walk: float = 0.0


def residual_points(profile, fitted: dict, per_file: list[list[TraceCase]], paths: list[Path],
                    l2_bytes: float, twin_only: bool = False) -> dict[str, tuple[list[ResidualPoint], list[str]]]:
    """{key: (points, files)} of each residual key: every case whose lowering runs kernels of one residual key beside
    ops that keys fitted on their own cases price (the profile's and `fitted`), leaving those kernels at least
    RESIDUAL_SHARE of its replayed time. `twin_only`: the TWIN_ONLY_KEYS, each case's rest measured by its twin (no
    key prices it), else the other residual keys."""
    import dataclasses

    from hetsim.hardware.gpu import rate_key

    if (model := fitted_model(profile, fitted)) is None:
        return {}
    rates = model.rates

    def same(ops: list[Op]) -> tuple:
        return tuple(dataclasses.replace(o, l2_share=0.0) for o in ops)

    # each timed case's kernels, lowered once
    lowered = [(path, c, [k for o in lower_case(c, l2_bytes=l2_bytes) if not isinstance(o, HostCall)
                          for k in kernels(o)])
               for path, cases in zip(paths, per_file, strict=True) for c in cases if "graph" in c.measured]
    # where another case runs exactly the rest of a case's ops (a channels-last twin runs an NCHW convolution's GEMM
    # alone), its measured time is what the rest costs, not the rest's price
    alone = {same(ops): c.measured["graph"] for _, c, ops in lowered
             if ops and not any(rate_keys(o)[0] in RESIDUAL_KEYS for o in ops)}
    out: dict[str, tuple[list[ResidualPoint], list[str]]] = {}
    for path, c, ops in lowered:
        mine = [o for o in ops if rate_keys(o)[0] in RESIDUAL_KEYS]
        keys = {rate_keys(o)[0] for o in mine}
        rest = [o for o in ops if o not in mine]
        if len(keys) != 1 or (keys <= TWIN_ONLY_KEYS) != twin_only:
            continue
        twin = alone.get(same(rest))
        if twin is None and (twin_only or any(rate_key(o, rates) != rate_keys(o)[0] for o in rest)):
            continue
        left = c.measured["graph"] - (twin if twin is not None else model.graph_time_s(rest))
        if left < (TWIN_SHARE if twin is not None else RESIDUAL_SHARE) * c.measured["graph"]:
            continue
        points, names = out.setdefault(keys.pop(), ([], []))
        points.append(ResidualPoint(f"{path.name}:{c.case}", len(mine), sum(hbm_bytes(o) for o in mine), left,
                                    c.measured["graph"], sum(op_steps(o) or 0.0 for o in mine),
                                    sum(walk_bytes(o) for o in mine)))
        if path.name not in names:
            names.append(path.name)
    return out


def fit_residual(key: str, points: list[ResidualPoint], base: OpClassRates | None,
                 source: str) -> tuple[OpClassRates, dict]:
    """launches x overhead_s (+ steps x wave_s, where its kernels run passes) + bytes / bw_bytes_per_s against each
    point's residual time, least squares in relative error (nonnegative_fit); host issue and eager gaps from the key it
    refines (the kernels run inside another op's call, whose dispatch the host pays)."""
    import numpy as np

    r = np.array([p.residual_s for p in points])
    if any(p.walk for p in points):
        # a block's walk beside the bytes, whichever binds (fit_max's log grid; one launch a case)
        _, over, bw, walk_bw = _grid_max(r, np.array([p.nbytes for p in points]),
                                         np.array([p.walk for p in points]), RESIDUAL_WALK_SPAN, 14.0)
        rates = OpClassRates(float(over), bw, math.inf, source="calibrated", dispatch_s=0.0,
                             eager_gap_s=base.eager_gap_s if base else 0.0, walk_bw_bytes_per_s=walk_bw)
        pred = [rates.device_time_s(0.0, p.nbytes, walk=p.walk) for p in points]
        form = "overhead_s + max(bytes / bw_bytes_per_s, walk / walk_bw_bytes_per_s)"
    else:
        cols = [np.array([p.launches for p in points]), np.array([p.steps for p in points]),
                np.array([p.nbytes for p in points])]
        coef = nonnegative_fit(cols, r, [0, 1, 2] if any(p.steps for p in points) else [0, 2])
        over, step_s, inv_bw = coef.get(0, 0.0), coef.get(1, 0.0), coef.get(2, 0.0)
        bw = 1.0 / inv_bw if inv_bw > 0 else math.inf
        steps = {"wave_slots": 1.0, "wave_s": step_s} if step_s else {}
        rates = OpClassRates(float(over), bw, math.inf, source="calibrated", dispatch_s=0.0,
                             eager_gap_s=base.eager_gap_s if base else 0.0, **steps)
        pred = [p.launches * rates.overhead_s + p.steps * step_s + p.nbytes / rates.bw_bytes_per_s for p in points]
        form = ("overhead_s + steps x wave_s + bytes / bw_bytes_per_s" if step_s
                else "overhead_s + bytes / bw_bytes_per_s")
    notes = [f"device_s = {form} a launch, fitted on what {len(points)} cases leave "
             "over their other ops (measured where a twin case runs them alone, else priced by keys fitted on their "
             f"own cases; at least {RESIDUAL_SHARE:.0%} of a "
             "case's replayed time): the kernels run inside another op's call, so dispatch_s = 0 (the call's host "
             "cost is its other op's) and eager_gap_s is the key's it refines"]
    fit = {"points": len(points), "device_points": len(points),
           **{f"device_{k}": v for k, v in _quality(_abs_errs(pred, [p.residual_s for p in points])).items()},
           "cases": [p.case for p in points], "source": source, "notes": notes}
    return rates, {"fit": fit}


def host_calls_provenance(host) -> dict[str, Any]:
    """What provenance.trace_fit records of the host microbenchmarks (`hetsim validate ops` reads
    `harness_overhead_s` from here to add the same figures back)."""
    host = pool(host)
    files = [{"file": repo_relative(h.path) if h.path.resolve().is_relative_to(REPO_ROOT) else h.path.name,
              "sha256": h.sha256,
              **{k: h.provenance.get(k, "") for k in ("command", "date", "device", "torch_cuda_transformers")},
              "pairs_s": {k: [round(x, 12) for x in v] for k, v in h.pairs().items()}} for h in host.files]
    return {"files": files, "harness_overhead_s": host.harness(),
            "measured_keys": {k: f for k, f in MEASURED_KEYS},
            "kinds": {"view": "aten views (host_view)", "kernel": "aten kernel ops (torch.ops.aten.X.overload)",
                      "suite": "the calibration suite's OpRunner call (primitive keys' dispatch_s)",
                      "none": "SDPA, called as a model calls it"},
            "assumption": "the measured kernel pairs' overhead carries to every kernel op case"}


def add_to_profile(profile, fitted: dict[str, tuple[OpClassRates, dict]], command: str, host=None,
                   cases: Path | None = None, pooled: bool = False, composites=None, table_cases=None):
    """A copy of `profile` with the fitted keys added (or replaced, if a previous trace fit wrote them);
    a key the primitive suite fitted is never touched."""
    import dataclasses

    rates, notes = dict(profile.rates), dict(profile.notes)
    ours = set(profile.provenance.get("trace_fit", {}).get("keys", []))
    for key, (r, n) in fitted.items():
        if key in rates and key not in ours:
            raise ValueError(f"{key!r} is already fitted by the primitive suite; the trace fit only adds keys")
        rates[key], notes[key] = r, n
    # a previous trace fit's keys this fit no longer makes go with it (it only ever adds its own)
    for key in ours - set(fitted):
        rates.pop(key, None)
        notes.pop(key, None)
    prov = dict(profile.provenance)
    cases = case_paths(cases) if cases else []
    data = f"aten sweep {', '.join(p.name for p in cases)}" if cases else "aten op cases"
    prov["trace_fit"] = {"keys": sorted(fitted), "command": command,
                         "data": f"{data}: traced aten ops timed on the GPU, disjoint from the op-level validation "
                                 "cases (calibration/e2e/*/ops.parquet), the ops of the methods' composites left out "
                                 "(calibration/methods/*/methods.parquet), never the end-to-end points"}
    if cases and all(p.resolve().is_relative_to(REPO_ROOT) for p in cases):
        # where a suite refit (hetsim.calibration.gpu_suite.refit) finds the cases to fit these keys again
        rel = [str(p.resolve().relative_to(REPO_ROOT)) for p in cases]
        prov["trace_fit"]["cases"] = rel[0] if len(rel) == 1 else rel
    if table_cases:
        prov["trace_fit"]["table_cases"] = [repo_relative(p) for p in case_paths(table_cases)]
    if pooled:  # how a suite refit fits these keys again
        prov["trace_fit"]["pooled"] = True
    if composites:
        prov["trace_fit"]["composites"] = [repo_relative(p) for p in composites]
    if host is not None:
        prov["trace_fit"]["host_calls"] = host_calls_provenance(host)
    return dataclasses.replace(profile, rates=rates, notes=notes, provenance=prov)


def main(argv: list[str] | None = None) -> int:
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.errors import HetsimError

    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.trace_fit", description=__doc__.splitlines()[0])
    ap.add_argument("--profile", type=Path, required=True, help="GPU profile to add the keys to")
    ap.add_argument("--cases", type=Path, action="append", required=True,
                    help="aten sweep Parquet of that GPU (python -m hetsim.calibration.gpu_suite.aten_sweep), "
                         "repeatable: each key from the first file with cases of it (--pooled: from all)")
    ap.add_argument("--host-calls", type=Path, action="append", default=None,
                    help="host microbenchmarks of that GPU, repeatable (default: the ones beside the cases)")
    ap.add_argument("--validation", type=Path, default=None,
                    help="op-level validation cases never to fit (default: calibration/e2e/<device>/ops.parquet)")
    ap.add_argument("--composites", type=Path, action="append", default=None,
                    help="the methods' validation composites, whose ops are left out of the fit, repeatable "
                         "(default: calibration/methods/<device>*/methods.parquet)")
    ap.add_argument("--pooled", action="store_true",
                    help="fit every key on the cases of all --cases files (default: each key on the first file "
                         "with cases of it)")
    ap.add_argument("--table-cases", type=Path, action="append", default=None,
                    help="aten sweep Parquet whose cases feed only the tables of measured neighbours, no key's fit "
                         "(a sweep of the landscape of kernel choices), repeatable")
    ap.add_argument("--write", action="store_true", help="write the profile (else print the fitted keys)")
    args = ap.parse_args(argv)
    try:
        profile = load_profile(args.profile)
        validation = args.validation or REPO_ROOT / "calibration" / "e2e" / profile.device / "ops.parquet"
        composites = args.composites or default_composites(profile.device)
        for cases in [*args.cases, *(args.table_cases or [])]:
            check_disjoint(cases, validation)
        paths = args.host_calls or [p for c in args.cases if (p := default_host_calls(c)).exists()]
        host = pool([load_host_calls(p) for p in paths])
        fitted = fit_profile(profile, args.cases, paths, composites, pooled=args.pooled, table_cases=args.table_cases)
    except HetsimError as exc:
        print(f"error: {exc.render()}", file=sys.stderr)
        return 2
    for key, (r, n) in fitted.items():
        f = n["fit"]
        print(f"{key:17} overhead {r.overhead_s * 1e6:8.2f} us  bw {r.bw_bytes_per_s / 1e12:6.2f} TB/s  "
              f"dispatch {r.dispatch_s * 1e6:6.2f} us  gap {r.eager_gap_s * 1e6:5.2f} us  n={f['points']}  "
              + " ".join(f"{k}={v}" for k, v in f.items() if k.endswith("_err")))
    left = next((n["fit"]["left_out"] for _, n in fitted.values() if "left_out" in n["fit"]), None)
    if left:
        print(f"left out of the fit: {left}")
    if host:
        print("harness overhead taken out of op-case host times: "
              + ", ".join(f"{k} {v * 1e6:.2f} us" for k, v in host.harness().items()) + f" ({host.names()})")
    if args.write:
        command = COMMAND.format(profile=args.profile, cases=" --cases ".join(map(str, args.cases)))
        command += " --pooled" if args.pooled else ""
        command += "".join(f" --host-calls {p}" for p in (args.host_calls or []))
        command += "".join(f" --composites {p}" for p in (args.composites or []))
        command += "".join(f" --table-cases {p}" for p in (args.table_cases or []))
        write_added(args.profile, add_to_profile(profile, fitted, command, host, args.cases, args.pooled, composites,
                                                 args.table_cases), fitted)
        print(f"wrote {args.profile}")
    return 0


def write_added(path: Path, profile, fitted: dict) -> None:
    """Write `profile` (the file's profile plus `fitted`) so that the file changes by additions only:
    the fitted keys go at the end of `op_classes`, `provenance.trace_fit` at the end of `provenance`
    (a previous trace fit's entries are replaced). The result is read back and checked against `profile`."""
    import yaml

    from hetsim.calibration.gpu_profile import _plain, _rates_entry, load_profile, profile_to_dict, write_profile

    lines = Path(path).read_text().splitlines(keepends=True)

    def tops() -> list[int]:
        return [i for i, line in enumerate(lines) if line[:1] not in (" ", "#", "\n", "") and ":" in line]

    def block(name: str) -> tuple[int, int]:
        top = tops()
        start = next(i for i in top if lines[i].startswith(f"{name}:"))
        return start, next((i for i in top if i > start), len(lines))

    def drop(name: str, keys: set[str]) -> None:
        # remove a previous fit's entries (the block's two-space keys) so that a refit replaces them
        start, end = block(name)
        i = start + 1
        while i < end:
            key = lines[i][2:].split(":", 1)[0] if lines[i].startswith("  ") and lines[i][2:3] != " " else None
            if key in keys:
                j = i + 1
                while j < end and lines[j].startswith("    "):
                    j += 1
                del lines[i:j]
                end -= j - i
            else:
                i += 1

    def append(name: str, d: dict) -> None:
        body = yaml.safe_dump(_plain(d), sort_keys=False, width=120)
        _, end = block(name)
        lines[end:end] = ["  " + ln if ln.strip() else ln for ln in body.splitlines(keepends=True)]

    if not any(lines[i].startswith("op_classes:") for i in tops()):
        write_profile(path, profile)  # not a file the suite wrote: write it whole
        return
    # a previous trace fit's keys go too (add_to_profile dropped the ones this fit no longer makes)
    previous = "".join(lines)
    before = ((yaml.safe_load(previous).get("provenance") or {}).get("trace_fit") or {}).get("keys", [])
    drop("op_classes", set(fitted) | set(before))
    append("op_classes", {k: _rates_entry(r, n) for k, (r, n) in fitted.items()})
    drop("provenance", {"trace_fit"})
    append("provenance", {"trace_fit": profile.provenance["trace_fit"]})
    Path(path).write_text("".join(lines))
    try:
        same = profile_to_dict(load_profile(Path(path))) == profile_to_dict(profile)
    except BaseException:
        Path(path).write_text(previous)  # never leave a half-written profile
        raise
    if not same:
        Path(path).write_text(previous)
        raise RuntimeError(f"{path}: the written profile does not read back as the fitted one")


if __name__ == "__main__":
    raise SystemExit(main())
