"""GPU timing and power: per rate key, a host-side dispatch cost and a device-side roofline.

    device_s(op)    = overhead_s + roof(flops / flop_rate, bytes / bw_bytes_per_s)
                      [+ waves * (wave_s + item_s * row length), single-block top-k]
    stream_s(op)    = device_s(op) + eager_gap_s
    op_time_s(op)   = max(dispatch_s, stream_s(op))
    ops_time_s(ops) = max(host_mix * sum of kernel ops' dispatch_s + sum of host work's, sum of stream_s)

Eager PyTorch is a two-stage pipeline: the host issues op i+1 (Python, dispatcher, launch:
`dispatch_s`) while the GPU runs op i. A stream of ops therefore takes the longer of the two
stages' sums, and one op repeated takes the longer of its two costs: a small op is host-bound,
a large one device-bound. `device_s` is the GPU's own time (a CUDA-graph replay, no host in the
way); `eager_gap_s` the launch gaps an eager stream adds between the op's kernels. `roof(a, b) =
(a^p + b^p)^(1/p)`: p = inf is the plain roofline max(a, b); a finite p (fitted per key) rounds
the corner where a kernel is neither purely memory- nor compute-bound. `host_mix` (>= 1,
measured on mixed sequences) is the extra host cost of issuing different ops in turn rather
than one op repeatedly; it was measured on kernel launches only (random mixes of the suite's sweep
ops), so it scales the dispatch of ops that launch kernels, not host work (`HostCall`: views,
module calls, syncs, cuDNN plan builds), whose figures are taken as measured or fitted. With
dispatch_s = 0, p = inf and no gap this is the affine Hockney form
`overhead + max(flops/rate, bytes/bw)`, what a device without a profile uses.

Rates are looked up by *rate key*, most specific first (`rate_keys`), the kernel regime PyTorch
picks: `bmm_unaligned` -> `bmm` -> `matmul` for a batched GEMM whose row strides are not 16-byte
aligned, `topk_singleblock` / `topk_multiblock` -> `topk` (PyTorch's own heuristic), decode /
prefill attention, short-row reductions and gathers, host copies per direction. A calibration profile
(`hetsim.calibration.gpu_profile`, handed to the model by its caller) gives fitted, *calibrated*
rates per key; a key it lacks falls back to the next, then to datasheet-derived rates, marked
*assumed* (host copies: the host link type the caller hands over, else a generic PCIe figure).

This module imports neither pydantic nor the catalogue at import time, so the calibration
suite evaluates the same formulas on a machine that has only torch and numpy.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from hetsim.hardware import launch, product_table, residency, sorting
from hetsim.hardware.launch import ACCUMULATE_BYTES, FEW_ROWS
from hetsim.ops import (
    INDEX_BYTES,
    INDEX_REDUCTIONS,
    SUM_LIKE_REDUCTIONS,
    Attention,
    AxisReduction,
    Convolution,
    Copy,
    Gather,
    HostCall,
    IdleStart,
    Matmul,
    Op,
    Pointwise,
    Reduction,
    SdpaAttention,
    Softmax,
    TopK,
    dtype_bytes,
)
from hetsim.units import GB, TERA

if TYPE_CHECKING:
    from hetsim.config.schema import GpuSpec, LinkSpec
    from hetsim.provenance import ProvenanceLog, Source



@dataclass(frozen=True)
class OpClassRates:
    """Achieved rates of one op class (rate key) on one device."""

    overhead_s: float  # device-side fixed cost of the op's kernel(s)
    bw_bytes_per_s: float
    flop_rate: float
    active_w: float | None = None  # power above idle while busy; None: from the device's bound powers
    source: Source = "assumed"
    dispatch_s: float = 0.0  # host-side cost of issuing the op in eager PyTorch; 0: not modelled
    roof_p: float = math.inf  # sharpness of the roofline corner; inf: max()
    dtype: str | None = None  # dtype flop_rate was measured in (matrix ops scale by the spec's peaks)
    eager_gap_s: float = 0.0  # extra device time per op in an eager stream over a CUDA-graph replay
    wave_slots: float = 0.0  # rows run concurrently (one block per row); 0: no wave term
    wave_s: float = 0.0  # fixed time of one wave of rows
    item_s: float = 0.0  # time per item of a row, on a wave's critical path
    walk_bw_bytes_per_s: float = math.inf  # a thread reading its share one load after another (`walk_bytes`)

    def device_time_s(self, flops: float, nbytes: float, rows: float = 1.0, items: float = 0.0,
                      walk: float = 0.0) -> float:
        """GPU time with the host taken out (CUDA-graph replay). `walk`: bytes each thread reads one after
        another (a kernel whose threads each walk a long share is bound by that walk, not by the bytes)."""
        t = self.overhead_s + max(roof(flops / self.flop_rate, nbytes / self.bw_bytes_per_s, self.roof_p),
                                  walk / self.walk_bw_bytes_per_s)
        if self.wave_slots:
            t += math.ceil(rows / self.wave_slots) * (self.wave_s + self.item_s * items)
        return t

    def stream_device_s(self, flops: float, nbytes: float, rows: float = 1.0, items: float = 0.0,
                        walk: float = 0.0) -> float:
        """GPU time of the op inside an eager stream (launch gaps between its kernels included)."""
        return self.device_time_s(flops, nbytes, rows, items, walk) + self.eager_gap_s

    def time_s(self, flops: float, nbytes: float, rows: float = 1.0, items: float = 0.0, walk: float = 0.0) -> float:
        """The op repeated in an eager stream: the slower of host issue and device."""
        return max(self.dispatch_s, self.stream_device_s(flops, nbytes, rows, items, walk))


def _value(figure) -> float:
    """A spec figure's number (a sourced figure's value, or a plain number)."""
    return float(getattr(figure, "value", figure))


def gpu_arch(spec) -> int | None:
    """A GPU spec's CUDA compute capability as 90 for 9.0 (None: an AMD GPU, no CUDA); an NVIDIA GPU
    that does not state one is taken as 9.0, the catalogue's calibrated H100 / H200."""
    if spec.vendor != "nvidia":
        return None
    major, minor = (spec.compute_capability or "9.0").split(".")
    return 10 * int(major) + int(minor)


def roof(compute_s: float, memory_s: float, p: float) -> float:
    """The roofline with a corner of sharpness p: (a^p + b^p)^(1/p), max(a, b) for p = inf."""
    if math.isinf(p):
        return max(compute_s, memory_s)
    hi = max(compute_s, memory_s)
    if hi <= 0.0:
        return 0.0
    # scaled by the larger term so large p cannot overflow
    return hi * ((compute_s / hi) ** p + (memory_s / hi) ** p) ** (1.0 / p)


def wave_shape(op: Op) -> tuple[float, float]:
    """(rows, items per row) of an op whose kernel runs one block per row (single-block top-k):
    its time grows with waves of rows over the GPU and with the row length, not with bytes."""
    if isinstance(op, TopK):
        # waves of `wave_slots` (one 1,024-thread block an SM, as fitted) count rows of shorter slices by the blocks
        # an SM holds of them (launch.topk_blocks_per_sm)
        return float(math.ceil(op.rows / launch.topk_blocks_per_sm(op.n))), float(op.n)
    if isinstance(op, Gather) and few_index_select(op):
        return 1.0, float(op.rows)  # the small-index kernel walks the indices one after another
    if isinstance(op, Matmul) and (fp32_tiles(op) or half_tiles(op)):
        tile = launch.FP32_TILE if op.dtype == "fp32" else launch.HALF_TILE
        return launch.tile_waves(op.m, op.n, op.k, op.batch, tile)
    if isinstance(op, AxisReduction) and op.aten and op.inner > 1:
        # an outer reduction's global stage: the last block's lanes read the other blocks' partials one after another
        # (launch.global_reduce_chain), after the blocks' pass over the bytes, each at an L2 round trip (item_s)
        return 1.0, float(launch.global_reduce_chain(op.rows, op.cols, op.inner))
    if (steps := op_steps(op)) is not None:
        return steps, 0.0
    return 1.0, 0.0


def op_steps(op: Op) -> float | None:
    """The fixed-cost steps of a kernel timed as overhead + steps x wave_s + bytes / bw, else None: a radix sort's
    passes one after another (Pointwise.steps), or a traced softmax's lane work once a wave of blocks: each thread's
    elements of its row(s) plus a fixed cost (its reductions). The persistent kernel's row is rounded up to a power
    of two (launch.softmax_lane_elements); the block kernel's shared by up to 1,024 threads, 2 blocks an SM. Beside
    the bytes, not bounded by them: each lane's max, exp and sum run over its (padded) elements after its loads
    (8 x 16 x 577 rows of 577 fp16 run at 1.9 TB/s on an H200, rows of 512 and 1024 at ~2.6; 4,096 rows of 4096
    fp16, 16 waves of 1,024-thread blocks, 3.6 us a wave where the bytes take 1.1)."""
    if isinstance(op, Pointwise) and op.steps:
        return float(op.steps)
    if isinstance(op, Gather) and op.bags:
        return launch.embedding_bag_rounds(op.bags, op.elements / max(op.rows, 1))
    if isinstance(op, Gather) and op.elementwise and op.elements:
        return float(launch.index_element_trips(op.elements))  # a thread's dependent index-then-element trips
    if isinstance(op, Softmax) and op.aten:
        return softmax_lane_work(op)
    if isinstance(op, SdpaAttention) and op.backend == "cudnn" and not op.decode:
        return launch.sdpa_tile_steps(op.batch, op.q_heads, op.q_len, op.kv_len, op.head_dim, op.causal)
    if batched_fp32_items(op):
        return float(op.batch)
    return None


def batched_fp32_items(op: Op) -> bool:
    """A traced batched fp32 product cuBLAS runs item by item (`bmm_fp32`: one row an item, or a few rows across a
    wide output), not on its FFMA tiles: a fixed cost an item beside the bytes. Dot products of 3-17 an item ran
    ~0.7-1.0 ns an item on an H100 whatever their bytes, a [1, k] x [k, 72] row ~1.6 ns (matvec-sweep)."""
    return (isinstance(op, Matmul) and bool(op.aten) and op.dtype == "fp32" and op.batch > 1 and not op.shared_b
            and op.k >= OUTER_K and not fp32_tiles(op))


def softmax_lane_work(op: Softmax) -> float:
    """A traced softmax's lane work over its waves, in elements: each wave, the thread's elements of its row(s)
    (launch.softmax_lane_elements) plus the wave's fixed cost."""
    size = dtype_bytes(op.dtype)
    lane = launch.softmax_rows_per_warp(op.cols, size) * launch.softmax_lane_elements(op.cols, size)
    if not launch.softmax_persistent(op.cols, size):
        # the block kernel loads 16 bytes at a time (cunn_SoftMaxForward's ILP: 8 16-bit elements, 4 fp32): its lane
        # walks its bytes, counted in fp32-wide elements (16-bit rows of 128256 ran in 19 us, fp32 ones in 29:
        # realcode-more8)
        lane = math.ceil(lane * size / ACCUMULATE_BYTES)
    return float(launch.softmax_waves(op.rows, op.cols, size) * (lane + SOFTMAX_WAVE_FIXED_ELEMENTS))


def code_book(op: Gather) -> bool:
    """Whether the element index kernel looks up a table an SM's L1 holds (a code book: 8-bit Adam's 256-entry map,
    NF4's 16): read once, its lookups stream at the index's and output's pace. lookup-sweep on an H100: tables of up to
    4 KB ran 204-230 G lookups/s, of 40-320 KB 174-198, of 0.46-30 MB 96-129, of 40-220 MB 29-55. x[:, idx] whose
    lookups stay local (Gather.local) runs at the same pace whatever the source's size: 230-260 G elements/s over
    int8 weight columns permuted by act-order, fp32 boxes' columns and bf16 rows of a batch (realcode-check23 to -33,
    profiled on the H100: index_elementwise_kernel, priced -50..-82 % as the vectorised row gather)."""
    return op.local or op.source_rows * op.row_bytes <= launch.SM_L1_BYTES


def few_index_select(op: Gather) -> bool:
    """index_select (nn.Embedding's lookup inside ATen included) or index_add_ of <= 16 indices: ATen's small-index
    kernels (Indexing.cu, indexSelectSmallIndex / indexFuncSmallIndex, `numIndices <= 16`), whose threads cover one
    row and walk the indices one after another: a dependent load (an atomic add) per index. Profiled on an H200
    (realcode-more12): 1, 4 and 16 indices added into rows of 7168 and 4096 took 1.8, 3.2 and 9.1 us, 16 ids
    looked up in a table of 1024-wide rows 7 us."""
    return op.aten.startswith(SMALL_INDEX_OPS) and op.rows <= FEW_ROWS


def walk_bytes(op: Op) -> float:
    """Bytes one part of the op's kernel must read one after another, where that bounds its time: a traced
    reduction's lane, over the last dim or another (`launch.reduce_walk`; a (value, index) reduction counts
    elements); a multi-block
    top-k's row (its blocks per row are capped, so one long row runs far below the bandwidth many rows
    reach); a traced softmax's thread share of a row; a walk the lowering laid out (Pointwise.walk: a scan's chunks,
    torch.gather's loop, a segmented sort's blocks, a depthwise convolution's outputs, each a fixed cost of its
    grid-stride loop); x[idx]'s indices on a table of rows;
    a memory-efficient attention block's keys; else 0. Only a key with a finite walk_bw_bytes_per_s uses it."""
    if isinstance(op, AxisReduction) and op.aten and (op.inner > 1 or op.cols >= 32):
        if op.aten.startswith(INDEX_REDUCTIONS) and op.inner == 1:
            # a (value, index) pair per element: the lane's time follows its elements, whatever their width
            return ACCUMULATE_BYTES * launch.index_reduce_walk(op.rows, op.cols)
        # over another dim reduce_walk counts each lane's elements at fp32 width already, a (value, index) pair's and
        # Welford's alike (outer-sweep's one-wave pairs: 0.11-0.13 us a value in bf16, fp16 and fp32 alike)
        walk = launch.reduce_walk(op.rows, op.cols, dtype_bytes(op.dtype), op.inner,
                                  sum_like=op.aten.startswith(SUM_LIKE_REDUCTIONS) and op.dtype in ("bf16", "fp16"))
        # a broadcast input's repeats come from the caches, the lane's loads as much sooner (cached_rereads)
        return residency.hbm_equivalent(walk, op.cached_bytes / op.input_bytes) if op.cached_bytes else walk
    if isinstance(op, TopK):
        if multiblock_select(op):
            # each digit pass's cumsum over a slice's blocks: a digit's count (4 bytes) a block, one after another
            return float(ACCUMULATE_BYTES * launch.mbtopk_blocks_per_slice(op.rows, op.n))
        return float(op.n * dtype_bytes(op.dtype))
    if isinstance(op, Softmax) and op.aten:
        # each thread of a row's warp (persistent kernel) or block (cunn_SoftMaxForward) walks its share of the
        # row in fp32 accumulation: its elements, not their width, set the time (on the H200: 8 rows of 128256
        # fp32 take 29 us, 1 row the same; a block's share of 32000 bf16 or fp32 ~9-11 us), once per wave of blocks
        # over the GPU with a fixed cost beside it (many short rows: ViT's 16 x 12 x 197 rows of 197 run 5 waves).
        # The fitted softmax keys price this lane work beside the bytes (op_steps); a profile whose softmax key has a
        # walk rate (an earlier fit's form) prices it as this walk
        return ACCUMULATE_BYTES * softmax_lane_work(op)
    if isinstance(op, Matmul) and op.aten and op.dtype == "fp32" and op.batch == 1 and op.k >= OUTER_K:
        # a traced fp32 product's contraction, which each FFMA tile block walks 8 deep a step: cuBLAS splits it only a
        # few ways (a split-K kernel and its reduction), so few output tiles over a long contraction run at the walk's
        # pace, not the flops' (16 x 1,024 outputs over 1,042 / 4,096 / 8,192 ran 11 / 35 / 68 us on an H200,
        # realcode-check23's profiles)
        return float(op.k * ACCUMULATE_BYTES)
    if isinstance(op, Pointwise) and op.walk:
        # laid out by the lowering from the kernel's launch (hetsim.stacks.aten); a chain of dependent loads runs
        # faster as far as the L2 holds them (residency.WALK_L2_GAIN)
        return residency.hbm_equivalent(float(op.walk), op.walk_share)
    if counts_row_elements(op):
        # one block's row: a few long rows are bound by one block's walk over its row; many rows by the element work
        # (compute_work), whatever the waves
        return float(op.row_bytes)
    if isinstance(op, Pointwise) and op.row_bytes:
        # a norm kernel (one 128-thread block per row, vectorised_layer_norm_kernel) walks its row twice, with two
        # block reductions between: one wave of rows over the GPU takes the row's walk plus a fixed cost
        return math.ceil(op.rows / launch.NORM_ROW_SLOTS) * (op.row_bytes + NORM_ROW_FIXED_BYTES.get(op.regime, 0))
    if isinstance(op, Gather) and op.aten.startswith(ROW_INDEX_GATHERS) and op.row_bytes > INDEX_BYTES:
        # x[idx] on a table of rows: each index costs ~0.6 ns whatever the row's width (32 B to 1 KB on the H200:
        # 65,536 indices 41 us, 4,096 indices 3.8 us), as if the indices were read one after another; a 1-D table
        # (a row of one element) does not (65,536 fp32 in 3.7 us). nn.Embedding's gather alike (realcode-check16: T5's
        # 262,144 bucket ids over a 32 x 64 table in 161 us, where its bytes say 7)
        return float(op.rows * INDEX_BYTES)
    if isinstance(op, SdpaAttention) and op.backend == "efficient":
        # PyTorch's memory-efficient kernel gives a block one (sequence, head) and 32-64 queries and walks all
        # their keys: a decode step over few sequences and heads runs far below the bandwidth (an H200 at
        # ~12 GB/s per block: one sequence of 32 heads over 60K keys took 2.5 ms, 0.4 TB/s)
        per_block = 64 if op.head_dim <= 64 else 32  # queries per block, by head dim (the kernel's two tilings)
        return op.bytes / max(op.batch * op.q_heads * math.ceil(op.q_len / per_block), 1)
    return 0.0


WELFORD_REDUCTIONS = ("aten.var", "aten.std")
INDEX_COPIES = ("aten.index_copy_.", "aten.index_copy.")  # index_copy_'s row scatter (aten_index._row_scatter)
INDEX_GATHERS = ("aten.index.", "aten._unsafe_index.", *INDEX_COPIES)  # x[idx]: ATen's index kernel, as the scatter
EMBEDDING_BAGS = ("aten._embedding_bag",)  # nn.EmbeddingBag's forward (_embedding_bag, _embedding_bag_forward_only)
# kernels paying a fixed cost per index of a table of rows
ROW_INDEX_GATHERS = (*INDEX_GATHERS, "aten.embedding", "aten.index_select")
INDEX_ADDS = ("aten.index_add_.", "aten.index_add.")  # index_add_(dim, index, source): atomics into rows
SMALL_INDEX_OPS = ("aten.index_select", "aten.embedding", *INDEX_ADDS)  # ATen's small-index kernels (few_index_select)
# a softmax wave's fixed cost in elements of a thread's walk (the row's max and sum reductions, the write), chosen by
# the fit's error over 0-512 B (at fp32 width) on the realcode-more2 group's softmaxes over many short rows, never on a
# validation case
SOFTMAX_WAVE_FIXED_ELEMENTS = 4
SOFTMAX_WAVE_FIXED_BYTES = SOFTMAX_WAVE_FIXED_ELEMENTS * ACCUMULATE_BYTES  # the same, as bytes of a walk


def compute_work(op: Op) -> float:
    """The quantity a key's second rate times beside the bytes: the flops, or an elementwise kernel's element work
    (Pointwise.element_work: the strided kernel's operands per element), which its element-rate keys were fitted on."""
    if isinstance(op, Gather) and op.elements:
        return float(op.elements)
    if isinstance(op, Softmax) and op.aten:
        return softmax_math(op)
    if isinstance(op, Convolution) and op.algo != "simt":
        return conv_tile_flops(op)
    if isinstance(op, Matmul) and align1_tiles(op):
        return launch.align1_tile_flops(op.m, op.n, op.k, op.batch)
    if isinstance(op, Matmul) and row_tiles(op):
        return row_tile_columns(op)
    if isinstance(op, SdpaAttention) and op.backend == "efficient" and not op.decode:
        return op.flops * launch.efficient_head_work(op.head_dim) / op.head_dim
    if counts_row_elements(op):
        # a Welford update an element (a reciprocal and two fused multiply-adds in fp32, one after another), and a
        # row's fixed cost in elements
        return float(op.numel + NORM_ROW_ELEMENTS[op.regime] * op.rows)
    if isinstance(op, Pointwise) and op.regime == "nll_loss" and op.steps:
        # a reduced nll_loss's block: each thread's trips, a dependent target-then-logit load each, so its key's second
        # rate is trips a second (the one block's latency), its bytes rate the block's throughput where many threads
        # overlap their trips (aten_losses._nll_loss)
        return float(launch.nll_loss_trips(op.rows, op.steps))
    if isinstance(op, Pointwise) and op.scattered_bytes and op.lines:
        # a scatter's sector writes merge in the L2 as far as it holds the sectors they touch, in a forward as in a
        # replayed case (residency.merged_share): the key's rate, fitted on permutations of destinations the L2 held
        # (realcode-more5's, <= 4 MB), is the L2's, and a destination wider than the L2 pays the HBM's (L2_GAIN, as the
        # bytes do)
        return residency.hbm_equivalent(float(op.lines), op.scattered_share, residency.L2_GAIN)
    return op.element_work if isinstance(op, Pointwise) else op.flops


CONV_TILE = 32  # the output channels and a filter tap's input channels cuDNN's tensor-core tiles take at a time
# an fp32 convolution runs the tensor cores as TF32 (torch.backends.cudnn.allow_tf32 is on by default; profiled:
# sm90_xmma_fprop_implicit_gemm_f32f32_tf32f32), at half the 16-bit dense rate (datasheet: H100 / H200 SXM 495 against
# 989 TFLOP/s): its work counts twice against the 16-bit kernels' fitted rate
TF32_WORK = 2.0
FIRST_LAYER_CHANNELS = 4


# each kernel family cudnn_algo names (Convolution.algo): its own key, then the keys that price it where unfitted
CONV_KEYS: dict[str, tuple[str, ...]] = {
    "implicit_gemm": ("conv_gemm", "matmul"),
    "implicit_gemm_sm80": ("conv_gemm_sm80", "conv_gemm", "matmul"),
    "implicit_gemm_narrow": ("conv_gemm_narrow", "conv_gemm_sm80", "conv_gemm", "matmul"),
    "first_layer": ("conv_first_layer", "conv_gemm_sm80", "conv_gemm", "matmul"),
    "simt": ("conv_simt", "conv_gemm", "matmul"),
}


def conv_tile_flops(op: Convolution) -> float:
    """The math cuDNN's tensor-core implicit GEMM does: each tile step takes one filter tap's input channels 32 at a
    time and the output channels 32 at a time, however few there are (profiled on an H200, realcode-more16: a patch
    embedding over RGB ran CUTLASS's fprop kernel for 3 channels padded to 8, then a 32-wide step a tap: 16 x 16
    patches over 224 x 224 images took 154 us where the 3-channel flops say 3.7 GFLOP; a 3-channel output's GEMM ran
    ~15 TFLOP/s of its own flops)."""
    channels = op.k // max(op.taps, 1)
    tf32 = TF32_WORK if op.dtype == "fp32" else 1.0
    # cuDNN's image_first_layer kernel pads an RGB input to 4 channels only (its k64c4r7s7 tiles)
    lanes = FIRST_LAYER_CHANNELS if op.algo == "first_layer" else launch.tiled(channels, CONV_TILE)
    return tf32 * 2.0 * op.batch * op.m * launch.tiled(op.n, CONV_TILE) * lanes * op.taps


def align1_tiles(op: Matmul) -> bool:
    """A traced 16-bit product of an odd width that runs CUTLASS's sm75 align1 tensor-op kernels (profiled on an H200:
    s1688 tiles of 64 x 64 to 256 x 128 for anything over 4 rows; cuBLAS's gemmSN / gemv kernels take up to 4 rows
    and a decode step's one-row products)."""
    return (bool(op.aten) and not isinstance(op, Convolution) and dtype_bytes(op.dtype) == 2 and not _aligned(op, 4)
            and min(op.m, op.n) > launch.GEMM_SN_MAX_SIDE)


def half_tiles(op: Matmul) -> bool:
    """A traced batch of small aligned 16-bit products, each one of nvjet's tiles (both sides up to
    launch.HALF_TILE's sides, more than gemmSN's few rows: CUTLASS's wmma kernels take those; profiled on an H200,
    realcode-more27 and -more29). One row an item over an aligned side of 8 or more is one too: nvjet's 64 x 8 / 8 x 64
    tiles walking the contraction (profiled on an H100, rowbmm-sweep: a token's adapter down-projection, 1 x 14336 x 8
    an item, 0.17 us a 64-deep step a wave)."""
    tile_rows, tile_cols, _ = launch.HALF_TILE
    return (_nvjet_batch(op) and launch.GEMM_SN_MAX_SIDE < max(op.m, op.n) and op.m <= tile_rows
            and op.n <= tile_cols and (min(op.m, op.n) > 1 or max(op.m, op.n) >= launch.ROW_TILE_ROWS))


def row_tiles(op: Matmul) -> bool:
    """A traced batch of aligned 16-bit products one to launch.ROW_TILE_ROWS rows (or columns) an item across a side
    wider than nvjet's small tiles (half_tiles takes the narrower ones): its 8-row tiles, 64-512 wide, along the wide
    side (profiled on an H100, rowbmm-sweep and realcode-check37's multi-LoRA tail: tst / hsh_256x8, 384x8 and 512x8
    over a wide output)."""
    return (_nvjet_batch(op) and min(op.m, op.n) <= launch.ROW_TILE_ROWS
            and max(op.m, op.n) > launch.HALF_TILE[1])


def _nvjet_batch(op: Matmul) -> bool:
    """A traced batch of aligned 16-bit products, each with its own second operand and a contraction: what nvjet's
    small and row tiles (half_tiles, row_tiles) are chosen among."""
    return (bool(op.aten) and dtype_bytes(op.dtype) == 2 and op.batch > 1 and not op.shared_b and op.k >= OUTER_K
            and _aligned(op))


def row_tile_columns(op: Matmul) -> float:
    """A few-row batch's work (row_tiles): the columns its 8-row tiles compute, rows padded to the tile's, items
    times the wide side. Wide outputs over an adapter's rank ran ~40-57 G columns a second whatever their 1-8 rows
    and 8-32 deep contraction (2,048 items of 1 x 8 x 4,096 in 216 us; realcode-check37, rowbmm-sweep), a tile's
    fixed cost, where their bytes said ~4x faster."""
    rows = math.ceil(min(op.m, op.n) / launch.ROW_TILE_ROWS)
    return float(op.batch * rows * max(op.m, op.n))


def fp32_tiles(op: Matmul) -> bool:
    """A traced batched fp32 product cuBLAS runs on its FFMA tiles (launch.FP32_TILE): not one row nor one column
    (batched gemv kernels: a [b, 16, 16] x [b, 16, 1] ran gemvx in launches of 65,535 items, realcode-check31's MACE
    contraction on an H100) nor a few rows across a wide output (gemmSN works a row at a time: 32 x 4 x 32 by
    32 x 16,384 streamed at ~2 TB/s)."""
    return (bool(op.aten) and op.dtype == "fp32" and op.batch > 1 and not op.shared_b and op.k >= OUTER_K
            and op.m > 1 and op.n > 1 and not (op.m <= launch.GEMM_SN_MAX_SIDE < op.n))


def softmax_math(op: Softmax) -> float:
    """A traced softmax's math, in operations an element (its key's second rate times it): ATen's softmax
    exponentiates twice, summing and writing (cunn_SoftMaxForward's epilogue, the persistent kernel alike), a
    log_softmax once (its write subtracts the log of the sum): the same shape ran ~1.35x a log_softmax's time
    (realcode-more8 against common-more). Not the FLOPs a method's hand formula counts (Softmax.flops)."""
    per_element = SOFTMAX_LOG_MATH if "log_softmax" in op.aten else SOFTMAX_MATH
    return per_element * op.rows * op.cols


SOFTMAX_MATH, SOFTMAX_LOG_MATH = 7.0, 4.0  # max, sub, exp, sum, exp, div, (write); max, sub, exp, sum


def hbm_bytes(op: Op) -> float:
    """The op's bytes as its key's bandwidth times them: the share the L2 serves (Op.l2_share) at the L2's rate. A
    walk (walk_bytes) is not shortened: the norms' row walks, fitted with it, ran worse (lane latency and block
    reductions bind them more than the loads), though GroupNorm's moments ran 1.9x faster from the L2. A batched
    product's broadcast operand adds its re-reads (broadcast_rereads), an outer reduction its narrow loads' share
    (narrow_load_bytes)."""
    rereads = (broadcast_rereads(op) + softmax_rereads(op) + cached_rereads(op) + sector_extra_bytes(op)
               + narrow_load_bytes(op))
    if not op.l2_share:
        return op.bytes + rereads
    # an outer product (k <= OUTER_K) has no math for its loads to overlap, a skinny one little: it streams like an
    # elementwise op
    matrix = op.uses_matrix_units and not (isinstance(op, Matmul) and (op.k <= OUTER_K or skinny_streams(op)))
    gain = residency.L2_GAIN_MATRIX if matrix else residency.L2_GAIN
    return residency.hbm_equivalent(op.bytes, op.l2_share, gain) + rereads


def sector_extra_bytes(op: Op) -> float:
    """HBM bytes an op touching sectors in part moves beyond its own (Pointwise.sector_extra: a copy's partial writes
    read and written back whole, a gather's picks read a sector each), as far as the L2 does not hold the sectors
    (scattered_share: there the writes merge and the picks hit)."""
    extra = getattr(op, "sector_extra", 0)
    return extra * (1.0 - op.scattered_share) if extra else 0.0


def cached_rereads(op: Op) -> float:
    """HBM-equivalent bytes of a reduction's input read again from the L2 (AxisReduction.cached_bytes: a broadcast
    input's repeats) at an elementwise kernel's gain (residency.L2_GAIN). Profiled on an H100: the norms of a K cache
    expanded 8x over the query heads ran 72 us where the same shape unexpanded ran 253 (realcode-check33), one of
    [3000, 504, 256] fp32 expanded 504x or 3000x 256 and 408 us for 1.5 GB logical (realcode-check27)."""
    return op.cached_bytes / residency.L2_GAIN if isinstance(op, AxisReduction) else 0.0


def narrow_load_bytes(op: Op) -> float:
    """HBM-equivalent bytes an outer or middle-dim reduction's narrow loads cost beyond its bytes: a lane loads its
    `vec` neighbouring outputs' elements at once (launch.output_vec), a few loads in flight, so a lane's bytes in
    flight, and with them the memory's pace (Little's law), shrink with the load: the bytes over a rate that grows with
    it, in series with the key's (outer-sweep, reduce-sweep and the fit's outer reductions of >= 64 MB over two or
    more waves ran 0.9, 1.5, 1.9, 2.2 and 2.8 TB/s at 1-, 2-, 4-, 8- and 16-byte loads on an H100)."""
    if not (isinstance(op, AxisReduction) and op.aten and op.inner > 1):
        return 0.0
    load = launch.output_vec(op.inner) * dtype_bytes(op.dtype)
    return (op.input_bytes - op.cached_bytes) * NARROW_LOAD_BYTES / load


# the load width (bytes) at which a lane's loads in flight halve the memory's pace (narrow_load_bytes): chosen by the
# H100 fit's error at 0, 1, 2 and 3 on its outer reductions' own cases (the three keys' median, summed: 0.360, 0.349,
# 0.338, 0.358), never on a check
NARROW_LOAD_BYTES = 2.0


def softmax_rereads(op: Op) -> float:
    """HBM-equivalent bytes of a block softmax's second and third reads of a row too long for shared memory
    (Softmax.reads: its max, its sum, then its output, each from global memory), which the block makes soon after its
    first, so from the L2 at its re-read rate (residency.L2_GAIN_REREAD): 2,048 rows of 128,256 bf16 ran at 1 TB/s of
    one read and a write (realcode-more30, realcode-check22's cross-entropies)."""
    if isinstance(op, Softmax) and op.reads > 1:
        return (op.reads - 1) * op.rows * op.cols * dtype_bytes(op.dtype) / residency.L2_GAIN_REREAD
    return 0.0


def broadcast_rereads(op: Op) -> float:
    """HBM-equivalent bytes of a traced bmm's second operand read again by every batch item after the first: one
    weight broadcast over the batch (stride 0; torch.matmul of a non-contiguous 3-D input and a 2-D weight expands
    the weight) is one HBM read (Matmul.bytes), but cuBLAS runs the batch as separate products and each reads the whole
    weight: from the L2 at its rate (residency.L2_GAIN_REREAD) as far as the L2 holds the weight (Matmul.reread_share,
    with_reread_share), from HBM beyond. Profiled: 1024 items of 2 rows against a 5.3 MB weight ran nvjet's 384 x 8
    tiles for 545 us, 5.4 GB at ~10 TB/s, priced 18 us from the bytes once (realcode-check13); realcode-more11's
    0.5-17 MB weights over 16-1024 items ran their re-reads at 9-16 TB/s. A vocabulary projection's 0.2-2 GB weight
    over 4-128 last tokens ran each item's pass at the HBM's rate (nvjet's 256-512 x 8 tiles, realcode-check34 on an
    H100: 8 x 788 MB in 2.0 ms, priced -47 % with every re-read from the L2). The term fades as rows per item grow:
    the math then binds."""
    share = op.reread_share if isinstance(op, Matmul) else 1.0
    rereads = broadcast_reread_bytes(op)
    return rereads * share / residency.L2_GAIN_REREAD + rereads * (1.0 - share)


def with_reread_share(op: Op, l2) -> Op:
    """`op` with the share of its broadcast weight's re-reads an L2 (`l2`: its bytes or a residency.L2) serves: the
    weight held as far as residency.l2_share holds a working set of its bytes; other ops unchanged."""
    if not broadcast_reread_bytes(op):
        return op
    return replace(op, reread_share=residency.l2_share(op.k * op.n * dtype_bytes(op.dtype), l2))


def broadcast_reread_bytes(op: Op) -> float:
    """The bytes a traced bmm's items after the first read again of one weight broadcast over the batch (0 for any
    other op): what broadcast_rereads prices and hetsim.calibration.l2_fit.reread_gain fits the rate of."""
    if isinstance(op, Matmul) and op.shared_b and op.batch > 1 and op.aten.startswith(TRACED_BMM):
        return float((op.batch - 1) * op.k * op.n * dtype_bytes(op.dtype))
    return 0.0


def skinny_streams(op: Matmul) -> bool:
    """A traced, aligned 16-bit product of few rows or columns (launch.skinny_product; nvjet's skinny tiles, split or
    not): its tiles stream the wide operand with little math to hide the loads behind, so the L2 serves them near an
    elementwise op's gain (l2-residency: 16-row linears over 16-40 MB ran their bytes ~1.6-1.8x faster replayed; the
    256-row ones ~1.1-1.2x, which L2_GAIN_MATRIX pools with them). cuBLAS's gemv (mv / addmv) and CUTLASS's odd- or
    even-width kernels keep the tensor cores' gain their keys were fitted with."""
    return (bool(op.aten) and not isinstance(op, Convolution) and not op.aten.startswith(GEMV_ATEN)
            and dtype_bytes(op.dtype) == 2 and _aligned(op)
            and launch.skinny_product(op.m, op.n, op.batch))


def op_device_s(rates: OpClassRates, op: Op) -> float:
    return rates.device_time_s(compute_work(op), hbm_bytes(op), *wave_shape(op), walk_bytes(op))


def op_stream_device_s(rates: OpClassRates, op: Op) -> float:
    return rates.stream_device_s(compute_work(op), hbm_bytes(op), *wave_shape(op), walk_bytes(op))


def multiblock_select(op: TopK) -> bool:
    """Whether a top-k's select is the multi-block radix select (torch.topk's heuristic; kthvalue's and median's
    select is always one block a row)."""
    return not op.one_block and topk_multiblock(op.rows, op.n)


def topk_multiblock(rows: int, n: int) -> bool:
    """Whether torch.topk on CUDA takes its multi-block radix select (PyTorch's heuristic in
    aten/src/ATen/native/cuda/TensorTopK.cu, `should_use_multiblock`), else one block per row."""
    return ((rows <= 20 and n >= 20000) or (20 < rows <= 40 and n >= 10000) or (40 < rows <= 80 and n >= 8000)
            or (80 < rows < 200 and n >= 5000) or (200 <= rows < 800 and n >= 3000)
            or (800 <= rows <= 4000 and n >= 800) or (rows > 4000 and n >= 400))


# a norm kernel's wave's fixed cost as bytes of its walk (its rows run launch.NORM_ROW_SLOTS at once), chosen by the
# fit's error over 0-8 KB on the realcode group's rms_norm cases (4 KB: 2,048 bf16 elements), never on a validation
# case
NORM_ROW_FIXED_BYTES = {"rms_norm": 4096}
# a row's fixed cost in elements of a norm key's element work (compute_work; hetsim.calibration.trace_fit's
# THREE_TERM_KEYS): LayerNorm's block launch, its two Welford reductions and the mean and rstd it writes cost what ~768
# of its row's elements do. Its time follows its rows and elements, not waves of rows: 65,536 rows of 256 bf16 ran 86 us
# and 16,384 of 1,024 41 us, the same bytes; 2,000 rows of 1,024 (one wave) 6.6 us and 1,028 4.4. Chosen by the fit's
# error over 512-1,024 on realcode-more's and realcode-more19's 53 cases (fit 4.1 / 13.7 % at 768), never on a check
NORM_ROW_ELEMENTS = {"layer_norm": 768}


def counts_row_elements(op: Op) -> bool:
    """A norm kernel priced by its elements and rows (NORM_ROW_ELEMENTS), one block's row its walk."""
    return isinstance(op, Pointwise) and bool(op.row_bytes) and op.regime in NORM_ROW_ELEMENTS
GEMV_ATEN = ("aten.mv.", "aten.addmv.", "aten.addmv_.")  # the aten matrix-vector ops (a Matmul's `aten`)
TRACED_BMM = ("aten.bmm.", "aten.baddbmm.")  # the aten batched GEMMs (a Matmul's `aten`)


def _aligned(op: Matmul, to: int = 16) -> bool:
    # cuBLAS/cuBLASLt fast kernels (TMA, vector loads) need 16-byte aligned row strides; a product of one output column
    # (a score head: x @ w[1, k]^T) has no output row stride to align (it ran cuBLAS's sm90 kernels, profiled)
    e = dtype_bytes(op.dtype)
    return (op.k * e) % to == 0 and ((op.n * e) % to == 0 or op.n == 1)


def rate_keys(op: Op) -> tuple[str, ...]:
    """The rate keys an op is timed by, most specific first: the kernel regime PyTorch picks
    (alignment of a GEMM, top-k's single- or multi-block select, a reduction over a short
    row), then the op class."""
    if isinstance(op, IdleStart):
        return rate_keys(op.op)
    if isinstance(op, HostCall):
        return (f"host_{host_kind(op)[0]}",)
    if isinstance(op, Pointwise) and op.regime != "elementwise":
        # a regime of a traced op (hetsim/stacks/aten.py) fitted from op cases, else the class it refines
        return (op.regime, *REGIME_FALLBACK.get(op.regime, ()))
    if isinstance(op, Pointwise) and op.aten:
        return ("pointwise", "elementwise")  # a traced elementwise op: host cost fitted on aten calls
    if isinstance(op, AxisReduction) and op.inner > 1:
        # an outer/middle-dim reduction is a different kernel from the last-dim one the class was fitted on;
        # amax / amin (MaxOps / MinOps, NaN-propagating compares) run ~1.5x slower there than a sum (measured:
        # the aten sweep's methods group, 2.3 vs 3.5 TB/s at 70-290 MB)
        own = ("reduction_outer_max", "reduction_outer") if op.kind in ("max", "min") else ("reduction_outer",)
        if op.aten.startswith((*INDEX_REDUCTIONS, *WELFORD_REDUCTIONS)):
            # a (value, index) pair or Welford's moments an output: four times a sum's partial a lane, whose global
            # reduction's chain costs ~1.2 us a step on an H100 where a sum's costs ~0.3 (reduce-sweep's max.dim and
            # var over outer dims, launch.global_reduce_chain)
            return ("reduction_outer_pair", *own)
        return own
    if isinstance(op, AxisReduction) and op.aten and op.cols >= 32 and op.aten.startswith(INDEX_REDUCTIONS):
        # max.dim / argmax and kin carry an index beside each value through the reduce (a pair per lane)
        return ("reduction_index", "reduction_last", "reduction")
    if isinstance(op, AxisReduction) and op.aten and op.cols >= 32 and op.aten.startswith(WELFORD_REDUCTIONS):
        # var / std: Welford's mean and M2 per lane, merged across lanes and warps
        return ("reduction_welford", "reduction_last", "reduction")
    if isinstance(op, Softmax) and op.aten:
        # a traced (log_)softmax over the last dim: PyTorch's persistent kernel (a warp per row, `softmax_warp`) up to
        # 2048 elements of <= 8 KB, else a block per row (cunn_SoftMaxForward, `softmax_last`); both walk their
        # thread's share of a row (`walk_bytes`), which bounds few long rows far below the bandwidth
        warp = launch.softmax_persistent(op.cols, dtype_bytes(op.dtype))
        return ("softmax_warp", "softmax_last", "softmax") if warp else ("softmax_last", "softmax")
    if isinstance(op, AxisReduction) and op.aten and op.cols >= 32:
        # a traced last-dim reduction (RMSNorm's fp32 mean), fitted on traced ops where measured: the bytes,
        # or each thread's walk over its share of a row (`walk_bytes`), whichever is slower
        return ("reduction_last", "reduction")
    if isinstance(op, Gather) and op.aten.startswith(INDEX_GATHERS):
        # x[idx]: ATen's index kernel (one thread per output element through the index), not index_select's
        own: tuple[str, ...] = ()
        if op.elementwise:  # a thread an element, not the vectorised rows
            # over a table an SM's L1 holds (a code book) its lookups stream: a key of their own before the kernel's
            own = ("index_lookup", "index_elementwise") if code_book(op) else ("index_elementwise",)
            if op.aten.startswith(INDEX_COPIES):
                # index_copy_'s row scatter (aten_index._row_scatter): the same kernel over a two-dim iterator, a key
                # of its own where fitted (rowscatter-sweep), else the code book's pace
                own = ("index_copy_rows", *own)
        return (*own, "index_gather", *rate_keys(replace(op, aten="")))
    if isinstance(op, Gather) and op.aten.startswith(INDEX_ADDS):
        # index_add_: an atomic add per element into the destination's rows (BM25's scatter-add, MoE's combine),
        # fitted on its own cases where measured (bf16 rows of 2048 at ~0.17 T elements/s on an H200); <= 16 source
        # rows run the small-index kernel, an index after another (`index_add_few`, timed per index)
        few = ("index_add_few",) if few_index_select(op) else ()
        return (*few, "index_add", *rate_keys(replace(op, aten="")))
    if isinstance(op, Gather) and few_index_select(op) and op.aten.startswith("aten.index_select"):
        # fitted on the aten sweep's few-index cases where measured (time per index, not per byte)
        return ("gather_few", *rate_keys(replace(op, aten="")))
    if isinstance(op, Gather) and op.aten.startswith("aten.index_select") and not op.elements:
        # gather's vectorised kernel (aten_index._index_select): rows of whole 16-byte vectors at ~0.6 ns a row
        # whatever the table's size (a GNN's 1.3 M edges over 169,343 x 128 fp32 nodes: 813 us), the bytes beyond
        # (x[idx]'s walk, walk_bytes), its own key where fitted. Other rows (an element a thread, Gather.elements)
        # keep the row gather's keys: a key of their own, tried, fitted its eager gap on three long kernels (29 us)
        return ("index_select", *rate_keys(replace(op, aten="")))
    if isinstance(op, Gather) and op.bags:
        # nn.EmbeddingBag's warp steps and rounds (launch.embedding_bag_rounds), its own key where fitted
        return ("embedding_bag", "gather")
    if isinstance(op, Gather) and op.aten.startswith("aten.embedding"):
        # PyTorch's index_select walks <= 16 indices one after another (indexSelectSmallIndex): per index too
        few = ("embedding_few",) if few_index_select(op) else ()
        return (*few, "embedding", *rate_keys(replace(op, aten="")))
    if isinstance(op, SdpaAttention):
        if op.backend == "efficient":
            # the memory-efficient kernel: a block per (sequence, head, 32-64 queries) walks all the keys; fitted on
            # decode steps, it prices a packed call with a few queries per head too (the paged engine's masked call:
            # its blocks are counted by `walk_bytes`); a prefill's flops bind (fmha_cutlassF at ~80-130 TFLOP/s on an
            # H200: realcode-more8's window attention), its own key where fitted
            own = () if op.decode else ("attention_efficient_prefill",)
            return (*own, "attention_efficient_decode", "attention_efficient")
        if op.backend == "flash":
            # PyTorch's FlashAttention-2 (half cuDNN's prefill rate on an H200); the cuDNN-fitted keys after it
            own = "attention_flash_decode" if op.decode else "attention_flash_prefill"
            return (own, "attention_decode", "attention") if op.decode else (own, "attention_prefill", "attention")
        base = ("attention_decode", "attention") if op.decode else ("attention_prefill", "attention")
        if not op.decode:
            # cuDNN's fused forward as waves of query-tile blocks walking key tiles (launch.sdpa_tile_steps), fitted on
            # traced calls where measured; with an explicit mask its own key (the mask's loads in every tile)
            own = "attention_masked_prefill" if op.mask_bytes else "attention_cudnn_prefill"
            if op.head_dim > CUDNN_NARROW_HEAD_DIM and op.mask_bytes:
                # heads of 160 to 256 run the kernel's wide variants (..._64x128x192 / x256, profiled); through a mask
                # (its bias tile loaded beside each key tile) ~3x the time the same call takes without one, their own
                # key where fitted. Without a mask they keep the narrow kernels' pace a 64-wide head step (the tile
                # steps count the padded head: realcode-more12's causal and plain calls over heads of 160-256)
                return ("attention_cudnn_wide", own, *REGIME_FALLBACK[own])
            return (own, *REGIME_FALLBACK[own])
        # an explicit mask: every pair scored and the mask read; fitted on traced calls where measured
        return ("attention_masked", *base) if op.mask_bytes else base
    if isinstance(op, Convolution):
        # cuDNN's own kernels, not cuBLAS's (profiled on an H200: sm90_xmma_fprop_implicit_gemm and CUTLASS's fprop
        # over channels-last tensors, Hopper's or Ampere-style; implicit_convolve_sgemm over NCHW for an input of a
        # few channels); each its own key where fitted, a GEMM of the same sizes otherwise
        return CONV_KEYS[op.algo]
    if isinstance(op, Matmul):
        base = ("bmm", "matmul") if (op.batch > 1 and not op.shared_b) else ("matmul",)
        aligned = _aligned(op)
        keys = base if aligned else (f"{base[0]}_unaligned", *base)
        if not aligned and op.aten and dtype_bytes(op.dtype) == 2:
            # a traced 16-bit product whose row strides are not 16-byte aligned: cuBLAS leaves its sm90 kernels for
            # CUTLASS's older ones, by the alignment the strides allow (profiled on an H200: case-kernels-matmul and
            # -gemm-more-2026-12-02). An odd width (2-byte loads: sm75 s1688 kernels) runs at ~50-100 TFLOP/s and
            # ~1 TB/s; an even one (4- or 8-byte loads: sm80 s16816 kernels) at ~150-175 TFLOP/s and ~2 TB/s. A bmm
            # at an odd token count (eager attention's scores and values over ViT's 197 or BLIP's 577 tokens) or an
            # even one (Whisper's 1500); each fitted on its cases where measured (a hand formula's product keeps
            # bmm_unaligned / matmul_unaligned)
            even = _aligned(op, 4)
            if op.aten.startswith(TRACED_BMM):
                keys = ("bmm_even_tokens" if even else "bmm_odd_tokens", *keys)
                if even and op.m > 1 and (op.n * dtype_bytes(op.dtype)) % 16:
                    # eager attention's scores over an even token count (Whisper's 1500 frames): the sm80 kernel's
                    # 4-byte aligned stores of the L x L output run at ~1 TB/s where the values product reads the same
                    # matrix at ~2.2 (profiled: realcode-more10); its own key where fitted
                    keys = ("bmm_even_scores", *keys)
            elif op.m == 1 and op.batch == 1:
                # one row: cuBLAS runs its transposed gemv kernel (gemv2T, profiled: 1 x 49155 x 2048 at ~3 TB/s, below
                # an aligned mv's ~4), not CUTLASS's; its own key where fitted
                keys = ("gemv_unaligned", *keys)
            else:
                keys = ("matmul_even_width" if even else "matmul_odd_width", *keys)
        if op.dtype == "fp8":
            # torch._scaled_mm (cuBLASLt's fp8 GEMM), fitted on fp8 cases where measured
            keys = ("matmul_fp8", *keys)
        if op.dtype == "int8":
            # torch._int_mm (cuBLASLt's int8 GEMM), fitted on int8 cases where measured; else the bf16 GEMM's
            # efficiency at the spec's int8 peak
            keys = ("matmul_int8", *keys)
            if not _aligned(op, 16):
                # CUTLASS's align4 int8 kernels where the contraction or the output's width is no multiple of 16: 2-4x
                # slower than its align16 ones (profiled on an H200: 145-375 TOP/s against 760-920 for 4096-28672
                # wide quantised linears; calibration/e2e/diagnostics/case-kernels-int8-2026-12-05); its own key
                keys = ("matmul_int8_unaligned", *keys)
        if op.dtype == "fp32" and op.k >= OUTER_K:
            # an fp32 GEMM: no TF32 by default, so FFMA kernels (cuBLAS's sm80 SIMT GEMMs, a split-K reduce beside
            # them at small m, profiled on an H200); fitted on fp32 cases where measured. A batched one (eager fp32
            # attention's scores and values: sm80_xmma_gemm_f32f32 64x64 tiles, profiled) on its own where fitted
            keys = ("matmul_fp32", *keys)
            if op.batch > 1 and not op.shared_b:
                keys = ("bmm_fp32", *keys)
                if fp32_tiles(op):
                    # cuBLAS's FFMA tiles in waves of blocks, each walking the contraction (launch.tile_waves);
                    # its own key where fitted
                    keys = ("bmm_fp32_tiles", *keys)
            elif op.aten and op.batch == 1 and 1 in (op.m, op.n) and not op.aten.startswith(GEMV_ATEN):
                # one row in fp32 (a vision tower's pooled token through a linear), or one column (a score head, x @
                # w[k, 1]: gemv2T_kernel_val over 29,376 x 128, realcode-check23): cuBLAS's gemv kernels (gemvx,
                # gemv2T; profiled, realcode-check12), not the SIMT GEMMs: priced as an mv where the gemv key is fitted
                keys = ("gemv", *keys)
        if op.aten and dtype_bytes(op.dtype) == 2 and keys[0] == "matmul" and launch.cublas_splits_k(
                op.m, op.n, op.k, op.batch):
            # a traced 16-bit product cuBLAS splits along its contraction (few output tiles, a long contraction):
            # the split product and a reduction kernel, a second fixed cost (launch.cublas_splits_k); fitted on
            # those cases where measured. A hand formula's product (a serving engine's own GEMMs) keeps matmul
            keys = ("matmul_splitk", *keys)
        elif op.aten and dtype_bytes(op.dtype) == 2 and keys[0] == "matmul" and launch.skinny_product(op.m, op.n,
                                                                                                     op.batch):
            # a traced 16-bit product of few rows (a decode step's linear) or few columns that cuBLAS does not split:
            # its nvjet kernels of 8- to 64-wide tiles stream the wide operand near the HBM's rate (profiled on an
            # H200: 1-64 rows over 8-50 MB weights at 3.6-4.9 TB/s replayed); fitted on those cases where measured.
            # A hand formula's product keeps matmul
            keys = ("matmul_skinny", *keys)
        if op.aten.startswith(GEMV_ATEN):
            # mv / addmv: cuBLAS gemv (a matrix times a vector), fitted on its own cases where measured
            keys = ("gemv", *keys)
        if half_tiles(op) and keys[0] == "bmm":
            # a batch of small 16-bit products: nvjet runs one tile an item (64 x 8 to 64 x 64) after a memset, a fixed
            # cost a tile in waves (launch.tile_waves); its own key where fitted
            keys = ("bmm_tiles", *keys)
        elif row_tiles(op) and keys[0] == "bmm":
            # a batch of few-row 16-bit products (a multi-LoRA server's per-token adapters): nvjet's 8-row tiles along
            # the wide side, each a fixed cost whatever its rows fill (row_tile_columns); its own key where fitted
            keys = ("bmm_rows", *keys)
        # an outer product (rotary's inv_freq @ positions, k = 1): fitted on traced ops where measured
        return ("matmul_outer", *keys) if op.k < OUTER_K else keys
    if isinstance(op, Attention):
        return ("attention_decode", "attention") if op.q_len == 1 else ("attention_prefill", "attention")
    if isinstance(op, Copy):
        return ("copy",) if op.direction == "d2d" else (f"copy_{op.direction}",)
    if isinstance(op, TopK):
        base = "topk_multiblock" if multiblock_select(op) else "topk_singleblock"
        # fp32 scores (BM25's): the radix select walks 32-bit keys in four 8-bit digit passes, 16-bit ones in
        # two; its own key where the aten sweep fitted one (bytes or a row's walk, whichever is slower)
        fp32 = (f"{base}_fp32",) if base == "topk_multiblock" and op.dtype == "fp32" else ()
        # the select alone, fitted on calls that sort nothing (sorted=False, k = 1): a sorted call adds its sort's
        # kernels (hetsim.hardware.sorting.topk_sort); then the keys the suite fitted on torch.topk's default sorted
        # calls, the sort inside them (a profile without select keys prices a sorted call by those alone)
        select = tuple(k.replace("topk_", TOPK_SELECT, 1) for k in (*fp32, base))
        return (*select, *fp32, base, "topk")
    if isinstance(op, Reduction) and op.cols < 32:
        # a traced last-dim reduction of rows too short for a warp: a thread reduces whole rows, element after element
        # (fp32 and 16-bit rows of 4-25 ran at one element rate, ~150 G a second on an H200, where the primitive
        # suite's bf16 bytes' rate priced fp32 2.3x slow; realcode-check21): its own key, fitted on traced ops
        traced = isinstance(op, AxisReduction) and bool(op.aten)
        return ("reduction_short", "reduction_narrow", "reduction") if traced else ("reduction_narrow", "reduction")
    if isinstance(op, Gather) and op.row_bytes < 512 and not op.aten.startswith(EMBEDDING_BAGS):
        # index_select moves short rows far below bandwidth; nn.EmbeddingBag's kernel does not (a warp a bag walks its
        # rows: 64-wide fp32 rows ran at the 128-wide rows' rate, where the narrow key priced them 2.3-5.6x slow;
        # realcode-check19 / -check20 / -check24)
        return ("gather_narrow", "gather")
    return (op.op_class,)


# Regimes of traced ops (hetsim/stacks/aten.py) and the fitted class each refines: a profile
# without op cases from traces (hetsim.calibration.trace_fit) prices them by that class, as before.
# ATen's special functions, a regime each (hetsim.stacks.aten_pointwise.SPECIAL_FUNCTIONS)
SPECIAL_KEYS = ("special_digamma", "special_polygamma", "special_lgamma", "special_igamma", "special_ndtri",
                "special_bessel")

REGIME_FALLBACK: dict[str, tuple[str, ...]] = {
    "cast": ("elementwise",),  # _to_copy between dtypes (RMSNorm's and rotary's fp32 chains)
    # cholesky_solve of one right-hand side: cuSOLVER's potrs runs two trsv (a profile without them: the trsm's key)
    "solver_trsv": ("solver_cholesky_solve",),
    "copy_strided": ("copy",),  # a copy out of an expanded / non-contiguous view (repeat_kv, rotate_half's cat)
    "cat_one_input": ("copy_strided", "copy"),  # the batched cat kernel with one non-empty input: half the grid
    "cat_strided": ("copy_strided", "copy"),  # the batched cat kernel over strided inputs, unvectorised
    "cat_strided_dominated": ("cat_strided", "copy_strided", "copy"),  # the same, one input holding the bytes
    "copy_expand": ("copy_strided", "copy"),  # a copy out of a broadcast (stride-0) view: repeat_kv's expand+clone
    "copy_cat": ("copy",),  # cat / clone of contiguous inputs
    "cat_dominated": ("copy_cat", "copy"),  # a batched cat mostly of one input: half the grid, no L2 gain
    "copy_transpose": ("copy_strided", "copy"),  # a copy whose output's last dim is strided in the input
    "index_copy": ("gather_narrow", "gather"),  # index_copy_ of cache rows (a row scatter)
    "layer_norm": ("pointwise", "elementwise"),  # native_layer_norm: one vectorised kernel over the rows
    "rms_norm": ("layer_norm", "pointwise", "elementwise"),  # _fused_rms_norm: LayerNorm's kernel without the mean
    "select": ("pointwise", "elementwise"),  # nonzero(_static): cub's select over a mask (several launches)
    "cast_fp32": ("cast", "elementwise"),  # a cast up to fp32 (bf16 / int -> fp32): half the bandwidth
    "cast_int64": ("cast", "elementwise"),  # a cast to or from int64 (a mask or an index to long)
    "cast_bool": ("cast", "elementwise"),  # to or from bool: the unrolled dynamic-casting copy
    "cast_unrolled": ("cast_bool", "cast", "elementwise"),  # the same kernel between other dtypes (fp16 <-> bf16, u8)
    "pointwise_int_div": ("pointwise", "elementwise"),  # int64 floor division / remainder: a software division
    "cast_int": ("cast_int64", "cast", "elementwise"),  # between narrower integers (int32 words to int8)
    "group_norm": ("layer_norm", "pointwise", "elementwise"),  # native_group_norm: moments a block per group, apply
    "cast_fp8": ("cast", "elementwise"),  # to float8_e4m3fn (ATen's float8 copy kernel)
    "cast_from_fp8": ("cast", "elementwise"),  # from float8_e4m3fn up to a wider dtype: ~3x slower than down
    "pointwise_broadcast": ("pointwise", "elementwise"),  # an input broadcast or non-contiguous (strided kernel)
    "pointwise_transpose": ("pointwise_broadcast", "pointwise", "elementwise"),  # an input read across its layout
    "conv_depthwise": ("pointwise_broadcast", "pointwise", "elementwise"),  # ATen's depthwise conv: per output or tap
    # cuDNN's layout kernels around its implicit GEMM (nchwToNhwc, nhwcToNchw): a tiled transpose, its tiles padded
    "conv_layout": ("copy",),
    # image ops (hetsim/stacks/aten.py): BatchNorm in eval mode, upsampling, pooling (fitted on realcode-more17)
    "batch_norm": ("pointwise_broadcast", "pointwise", "elementwise"),
    # training mode: the NCHW statistics and transform kernels (their threads' loops), or the channels-last statistics
    "batch_norm_train": ("batch_norm", "pointwise_broadcast", "pointwise", "elementwise"),
    "batch_norm_stats_cl": ("reduction_outer", "reduction"),
    "upsample_nearest": ("pointwise_broadcast", "pointwise", "elementwise"),
    "upsample_bilinear": ("pointwise_broadcast", "pointwise", "elementwise"),
    "upsample_bicubic": ("upsample_bilinear", "pointwise_broadcast", "pointwise", "elementwise"),
    # grid_sample: a thread a position gathering its taps channel after channel (an interpolating upsample's walk)
    "grid_sample": ("upsample_bilinear", "pointwise_broadcast", "pointwise", "elementwise"),
    "reduction_short": ("reduction_narrow", "reduction"),  # a traced last-dim reduction of rows under a warp's width
    "copy_memcpy": ("copy_cat", "copy"),  # a dense copy of one layout and dtype: cudaMemcpyAsync device to device
    "fft": ("copy",),  # cuFFT's passes, each reading and writing the transform's data (hetsim.stacks.aten_spectral)
    "copy_repeat": ("copy_expand", "copy_strided", "copy"),  # Tensor.repeat: its views, then a copy of the expanded one
    "roll": ("copy_strided", "copy"),  # roll_cuda_kernel: an element copy with its source offset, a rolled dim a pass
    # ReflectionPad.cu / ReplicationPadding.cu: a thread an output element, its mirrored or clamped source computed;
    # priced as ATen's strided copy until a profile fits the key (scatter-pad-sweep times it)
    "pad_edge": ("copy_strided", "copy"),
    "random": ("pointwise_fill", "pointwise", "elementwise"),  # a distribution kernel: Philox draws, stored
    "cat_unaligned": ("cat_strided", "copy_strided", "copy"),  # a batched cat writing runs of a few bytes
    "pool": ("conv_depthwise", "pointwise_broadcast", "pointwise", "elementwise"),
    # a pool whose threads do not fill the GPU, each walking its window (hetsim.stacks.aten_image._pool)
    "pool_walk": ("pool", "conv_depthwise", "pointwise_broadcast", "pointwise", "elementwise"),
    # adaptive_max_pool2d: a block a plane, its threads' walks in waves of planes (hetsim.stacks.aten_image)
    "pool_adaptive_max": ("pool_adaptive", "pointwise_broadcast", "pointwise", "elementwise"),
    # cuDNN's NHWC depthwise kernel (conv2d_c1_k1_nhwc_specialized) over a channels-last input
    "conv_depthwise_nhwc": ("conv_depthwise_cudnn", "pointwise_broadcast", "pointwise", "elementwise"),
    # cuDNN's fp16 depthwise kernels (fitted on realcode-more15; a profile without them: the strided kernel's key)
    "conv_depthwise_cudnn": ("pointwise_broadcast", "pointwise", "elementwise"),
    "pointwise_math": ("pointwise", "elementwise"),  # an activation, exp, log or sine: math per element
    # ATen's special functions (hetsim.stacks.aten_pointwise.SPECIAL_FUNCTIONS): a profile without them, the math's key
    **dict.fromkeys(SPECIAL_KEYS, ("pointwise_math", "pointwise", "elementwise")),
    "pointwise_fill": ("pointwise", "elementwise"),  # a factory or dense fill: stores only (FillFunctor)
    "pointwise_arange": ("pointwise_fill", "pointwise", "elementwise"),  # arange's index kernel: stores only
    "searchsorted": ("pointwise", "elementwise"),  # bucketize / searchsorted: a binary search an element
    # torch._foreach_* through multi_tensor_apply: a block a chunk of 65,536 elements (aten_foreach.chunk_walk)
    "foreach": ("pointwise", "elementwise"),
    "pointwise_narrow": ("pointwise", "elementwise"),  # every operand one byte wide: 4-element loads, an element rate
    "pointwise_cast": ("cast", "pointwise", "elementwise"),  # mixed dtypes, contiguous: unrolled, a cast per load
    "pointwise_cast_half": ("pointwise_cast", "cast", "pointwise", "elementwise"),  # the same into a 16-bit output
    # the strided kernel in place over 16-bit elements
    "pointwise_inplace_half": ("pointwise_broadcast", "pointwise", "elementwise"),
    "pointwise_strided_cast": ("pointwise_broadcast", "pointwise", "elementwise"),  # mixed dtypes, strided
    "index_put": ("index_copy", "gather_narrow", "gather"),  # x[idx] = v: the index kernel writing rows
    "index_elementwise": ("index_gather", "gather"),  # x[idx] a thread an element (1-D tables, x[b, t])
    "index_lookup": ("index_elementwise", "index_gather", "gather"),  # the same over a table within an SM's L1
    # index_copy_ of whole rows over the outermost dim: the element kernel over a two-dim iterator
    "index_copy_rows": ("index_lookup", "index_elementwise", "index_gather", "gather"),
    "index_gather": ("gather",),  # x[idx]: the index kernel reading rows (Gather with aten index, any row size)
    "scatter": ("gather_narrow", "gather"),  # an element scatter (scatter_): one element per index, anywhere
    "scatter_add": ("scatter", "gather_narrow", "gather"),  # the same with an atomic add per element
    "index_put_accumulate": ("gather_narrow", "gather"),  # x[idx] += v: the indices sorted first, then added
    "sort": ("topk",),  # torch.sort / argsort of rows > 4096: cub's segmented radix sort
    "sort_inplace": ("sort", "topk"),  # rows of <= 4096 keys: one block's shared memory each
    # torch.topk's sort of its results (hetsim.hardware.sorting.topk_sort), priced only where the profile has these
    # keys (GpuModel._price): a bitonic sort in registers (k <= 32), cub's block radix sort in place (k <= 4,096)
    "topk_sort_bitonic": ("topk",),
    "topk_sort_radix": ("topk",),
    "scan": ("reduction",),  # cumsum / cumprod: a scan reads and writes each element once
    "scan_outer": ("scan", "reduction"),  # over an outer dim: a thread walks each column (scan_outer_dim)
    "tril": ("pointwise", "elementwise"),  # tril / triu: an index computed per element
    "reduction_index": ("reduction_last", "reduction"),  # max.dim / argmax: a value and its index per lane
    "reduction_welford": ("reduction_last", "reduction"),  # var / std: Welford's running moments
    "softmax_last": ("softmax",),  # a traced (log_)softmax over the last dim: a block per row
    "softmax_warp": ("softmax_last", "softmax"),  # the persistent kernel: a warp per row (<= 2048 elements)
    # softmax over a dim that is not the last (cunn_SpatialSoftMaxForward: three passes, each thread's loads a walk)
    "softmax_spatial": ("softmax",),
    "log_softmax_spatial": ("softmax_spatial", "softmax"),
    "multinomial": ("reduction",),  # torch.multinomial: a block per row normalises and samples it
    "gather_elements": ("gather_narrow", "gather"),  # torch.gather: ScatterGatherKernel.cu's element loop
    "embedding_bag": ("gather",),  # nn.EmbeddingBag's warp steps (launch.embedding_bag_rounds)
    "scan_device": ("scan", "reduction"),  # cumsum of one row: cub's device scan
    "sort_segmented": ("sort", "topk"),  # >= 128 segments of < 1M keys: cub's segmented radix sort
    # not Pointwise regimes, listed for trace_fit's fallback (hetsim.calibration.trace_fit.fallback_rates)
    "embedding": ("gather",),  # nn.Embedding's row gather (Gather with aten embedding; model rows >= 512 B)
    "embedding_few": ("embedding", "gather"),  # <= FEW_ROWS tokens: rows one after another
    "reduction_last": ("reduction",),  # a traced last-dim reduction (AxisReduction with aten, inner 1)
    "attention_cudnn_prefill": ("attention_prefill", "attention"),  # cuDNN's forward: waves of tile blocks
    "attention_masked_prefill": ("attention_cudnn_prefill", "attention_masked", "attention_prefill", "attention"),
    "attention_cudnn_wide": ("attention_masked_prefill", "attention_cudnn_prefill", "attention_masked",
                             "attention_prefill", "attention"),  # cuDNN's forward for heads of 192 / 256
    "matmul_outer": ("matmul_unaligned", "matmul"),  # k < OUTER_K
    "matmul_splitk": ("matmul",),  # a traced 16-bit product cuBLAS splits along k: the product, then a reduction
    "topk_multiblock_fp32": ("topk_multiblock", "topk"),  # fp32 scores: four radix passes, not two
    # torch.topk's select without the sort after it (rate_keys; the suite's keys timed sorted calls)
    "topk_select_singleblock": ("topk_singleblock", "topk"),
    "topk_select_multiblock": ("topk_multiblock", "topk"),
    "topk_select_multiblock_fp32": ("topk_select_multiblock", "topk_multiblock_fp32", "topk_multiblock", "topk"),
    "matmul_fp32": ("matmul",),  # an fp32 GEMM on the FFMA units
    "bmm_fp32_tiles": ("bmm_fp32", "matmul_fp32", "matmul"),  # a batched fp32 GEMM's FFMA tiles in waves
    "bmm_tiles": ("bmm", "matmul"),  # a batch of small 16-bit products, a tile an item in waves
    "bmm_rows": ("bmm", "matmul"),  # a batch of few-row 16-bit products on nvjet's 8-row tiles
    "bmm_fp32": ("matmul_fp32", "matmul"),  # a batched fp32 GEMM (eager fp32 attention's scores and values)
    "index_add": ("gather_narrow", "gather"),  # index_add_: an atomic add per element into rows
    "bmm_odd_tokens": ("bmm_unaligned", "bmm", "matmul"),  # a traced 16-bit bmm whose row strides are 2-byte aligned
    "bmm_even_tokens": ("bmm_odd_tokens", "bmm_unaligned", "bmm", "matmul"),  # 4- or 8-byte aligned, not 16
    "gemv_unaligned": ("matmul_unaligned", "matmul"),  # a traced one-row product over an unaligned width: gemv2T
    "matmul_odd_width": ("matmul_unaligned", "matmul"),  # a traced 16-bit product of 2-byte aligned row strides
    "matmul_even_width": ("matmul_odd_width", "matmul_unaligned", "matmul"),  # 4- or 8-byte aligned, not 16
    "nll_loss": ("pointwise", "elementwise"),  # a reduced nll_loss: one block's trips over the rows, a serial sum
    "gather_few": ("gather_narrow", "gather"),  # index_select of <= FEW_ROWS indices (the small-index kernel)
    "index_select": ("gather",),  # index_select over rows of whole 16-byte vectors: vectorized_gather_kernel
    "index_add_few": ("index_add", "gather"),  # index_add_ of <= FEW_ROWS source rows (the small-index kernel)
}
CUDNN_NARROW_HEAD_DIM = 128  # cuDNN's forward kernels up to this head dim walk their key tiles at one pace
OUTER_K = 2  # a matmul with a shorter contraction (k = 1, all that was measured) is an outer product


def host_kind(op: HostCall) -> tuple[str, int]:
    """(kind, share) of host work: kind `X/N` is one N-th of one `X` event (a once-per-forward
    stall spread over the N layers' tasks, so it overlaps device work as in a steady eager loop)."""
    kind, _, share = op.kind.partition("/")
    return kind, int(share) if share else 1


def is_sync(op: Op) -> bool:
    """A host-device synchronisation (a blocking copy from pageable host memory, `.item()`): the
    host waits there until the GPU has run everything issued before it."""
    return isinstance(op, HostCall) and host_kind(op)[0] == "sync"


def stream_time_s(ops, rates_for: Callable[[Op], OpClassRates], host_mix: float = 1.0) -> float:
    """Ops issued back to back on one stream: the host issues while the device runs, so the
    slower stage's sum is the time (steady state of a two-stage pipeline). `host_mix` scales
    the host's sum where the ops differ (issuing different ops costs more than repeating one)."""
    ops = list(ops)
    mix = host_mix if len(ops) > 1 else 1.0
    total = 0.0
    for seg in _segments(ops):  # a sync ends a segment: host and device meet there
        host = _mixed_host(((rates_for(op).dispatch_s, isinstance(op, HostCall)) for op in seg), mix)
        device = sum((op_stream_device_s(rates_for(op), op) for op in seg), 0.0)
        total += max(host, device)
    return total


def _mixed_host(items, mix: float) -> float:
    """The host stage of a segment from (dispatch_s, is host work) pairs: `mix` scales the kernel
    launches only (what the host mix was measured on), host work is added as it is."""
    kernels = work = 0.0
    for dispatch, is_work in items:
        if is_work:
            work += dispatch
        else:
            kernels += dispatch
    return mix * kernels + work


def _segments(items: list, sync: Callable = is_sync) -> list[list]:
    """`items` cut after each sync (the sync belongs to the segment it ends)."""
    out: list[list] = [[]]
    for x in items:
        out[-1].append(x)
        if sync(x):
            out.append([])
    return [seg for seg in out if seg]


TOPK_SELECT = "topk_select_"  # the prefix of torch.topk's select keys (fitted without a sort after the select)
# torch.topk priced in parts (its select, the sort of its results: the select keys and these), and the suite's keys
# that time a sorted call whole
TOPK_PARTS, TOPK_WHOLE = (TOPK_SELECT, "topk_sort_"), ("topk_singleblock", "topk_multiblock")


def rate_key(op: Op, available: set[str] | dict) -> str | None:
    """The first of `rate_keys(op)` present in `available`, else None."""
    return next((k for k in rate_keys(op) if k in available), None)


# the regimes of library kernels timed by the work their shapes say (hetsim.stacks.aten_library): cuSOLVER's
# factorisations and solves (SOLVER_KEYS), ATen's one-off kernels
SOLVER_KEYS = ("solver_qr", "solver_cholesky", "solver_triangular", "solver_cholesky_solve", "solver_trsv", "solver_lu")
LIBRARY_KEYS = (*SOLVER_KEYS, "cdist", "histc", "weight_norm", "affine_grid", "col2im")
# image kernels a thread of which walks a window over every channel (hetsim.stacks.aten_image): no profile has them
WINDOW_WALK_KEYS = ("upsample_aa", "pool_adaptive")

# Fractions of (achievable bandwidth, peak FLOP rate) per op class, used when no profile is
# present. Assumed, from common experience with eager PyTorch on datacenter GPUs: streaming
# ops near the copy bandwidth; torch.topk (multi-pass radix select) and row gathers far below
# it; flash attention ~60% of matrix peak; cuBLAS ~80%.
ASSUMED_FRACTIONS: dict[str, tuple[float, float]] = {
    "matmul": (0.90, 0.80),
    "attention": (0.80, 0.60),
    "elementwise": (0.90, 0.50),
    "reduction": (0.85, 0.50),
    "softmax": (0.80, 0.50),
    "topk": (0.25, 0.50),
    "gather": (0.50, 1.0),
    "copy": (1.00, 1.0),
    # regimes of traced aten ops (hetsim/stacks/aten.py) no profile has fitted yet
    "reduction_outer": (0.85, 0.50),  # coalesced across outputs: near the copy bandwidth
    "reduction_outer_max": (0.85, 0.50),
    "reduction_outer_pair": (0.85, 0.50),
    "attention_efficient": (0.60, 0.40),
    "aten_unknown": (0.50, 0.50),
    # library kernels no profile has fitted: the unknown op's roofline over the work their lowering counts
    **dict.fromkeys((*LIBRARY_KEYS, *WINDOW_WALK_KEYS), (0.50, 0.50)),
}
# Host time of work that launches no kernel, for a GPU whose profile lacks the `host_*` key: an aten
# view/reshape, an nn.Module call (__call__, hooks, the forward's own Python). `sync`: the host's own
# cost of a blocking copy / stream synchronisation (the wait is the serialisation in `stream_time_s`,
# not this figure). `sdpa_plan`: PyTorch's cuDNN SDPA builds a cuDNN graph per new (shape, stride)
# key (aten/src/ATen/native/cudnn/MHA.cpp, `MHAGraphCache`): a cache whose length grows every step
# misses every step; the op cases cannot see it (each is timed at one shape after a warm-up). A
# profile with op cases carries `host_view` (fitted, harness taken out), `host_module` and
# `host_sdpa_plan` (measured by hetsim.calibration.gpu_suite.host_calls; H200: 1.52 us, 51.6 ms), so
# these figures price only GPUs without one (H100 today). `module` 6 us and `view` 1.5 us are
# guesses; `sdpa_plan` 42 ms is pytorch/pytorch#191576 (cuDNN varlen rebuilding its graph each call:
# 42.2 ms -> 0.25 ms once cached); `sync` 10 us a guess.
ASSUMED_HOST_S: dict[str, float] = {"view": 1.5e-6, "module": 6.0e-6, "sync": 10.0e-6, "sdpa_plan": 42.0e-3}
ASSUMED_HOST_LINK = (10e-6, 25 * GB)  # latency, bandwidth when the host link type is not found


@dataclass(frozen=True)
class StreamSegment:
    """Ops an eager stream issues up to (and including) a sync: what the host spends issuing
    them, and each op's GPU time in the stream (`GpuModel.stream_segments`)."""

    ops: tuple[Op, ...]
    host_s: float
    device_s: tuple[float, ...]
    ends_in_sync: bool
    lead_s: float = 0.0  # host time until the first op that runs on the GPU is issued


class GpuCalibration(Protocol):
    """What the model reads of a calibration profile (`hetsim.calibration.gpu_profile.GpuProfile`)."""

    rates: dict[str, OpClassRates]
    host_mix: float

    @property
    def idle_w(self) -> float | None: ...


class GpuModel:
    """Times and powers ops on one GPU; rates per rate key come from a profile or the spec.
    `host_link`: the GPU's host link type, for host copies the profile does not time (None:
    ASSUMED_HOST_LINK)."""

    kind = "gpu"

    def __init__(self, spec: GpuSpec, profile: GpuCalibration | None = None, log: ProvenanceLog | None = None, *,
                 host_link: LinkSpec | None = None):
        if log is None:
            # pydantic (which provenance needs) is absent where the GPU suite imports this module
            from hetsim.provenance import ProvenanceLog

            log = ProvenanceLog()
        self.spec = spec
        self.name = spec.name
        self.log = log
        p = f"{spec.name}."
        self.memory_bytes = log.use(p + "memory_gb", spec.memory_gb) * GB
        self.idle_w = log.use(p + "idle_w", spec.idle_w)
        self.memory_bound_w = log.use(p + "memory_bound_w", spec.memory_bound_w)
        self.compute_bound_w = log.use(p + "compute_bound_w", spec.compute_bound_w)
        self.profile = profile
        self.rates: dict[str, OpClassRates] = dict(profile.rates) if profile is not None else {}
        self._transferred: set[str] = set()
        self.host_mix = float(getattr(profile, "host_mix", 1.0) or 1.0)
        # keys whose fit kept each fitted product's miss: a product is corrected by its measured neighbours'
        self._neighbours: dict[str, product_table.ProductTable] = {}
        if profile is not None:
            notes = getattr(profile, "notes", None) or {}
            self._neighbours = {key: product_table.ProductTable.from_entry(note["neighbours"])
                                for key, note in notes.items() if isinstance(note, dict) and "neighbours" in note}
            for key in self.rates:
                note = notes.get(key)
                if isinstance(note, dict) and "transferred_from" in note:
                    # carried over from another GPU (device_inputs.supplemented): named where an op uses it
                    self._transferred.add(key)
                    continue
                # a host figure taken as measured (hetsim.calibration.trace_fit: `measured` in its notes)
                measured = isinstance(note, dict) and "measured" in note
                log.note(f"{p}profile.{key}", "measured" if measured else "calibrated")
            if any(k in self.rates and k not in self._transferred for k in TOPK_WHOLE):
                # this GPU's own keys of torch.topk's sorted calls (the suite's) price a call whole; another GPU's
                # select and sort keys carried over (device_inputs.supplemented carries every key a profile lacks)
                # would displace a measurement of this one
                for key in [k for k in self._transferred if k.startswith(TOPK_PARTS)]:
                    del self.rates[key]
                    self._transferred.discard(key)
            idle = getattr(profile, "idle_w", None)
            if idle is not None:  # read on the board during calibration
                self.idle_w = idle
                log.note(p + "idle_w", "measured")
        self._host_link = host_link
        self._spec_bw = log.use(p + "hbm_bw_gbps", spec.hbm_bw_gbps) * GB * log.use(
            p + "hbm_efficiency", spec.hbm_efficiency
        )
        self._launch_s = log.use(p + "launch_overhead_us", spec.launch_overhead_us) * 1e-6
        # the L2 an op case's working set sits in (l2_bytes; recorded in the provenance where it is read)
        self._l2_bytes = _value(spec.l2_mb) * 2**20
        self._rates_for = lru_cache(maxsize=65536)(self._rates_uncached)
        # lowering prices every op of every step; ops are frozen (hashable) and most repeat
        # from step to step (the weights' matmuls, norms), so each is priced once
        self._price = lru_cache(maxsize=65536)(self._price_uncached)
        self._active = lru_cache(maxsize=65536)(self._active_uncached)

    # -- rates -------------------------------------------------------------------------
    def _matrix_peak(self, dtype: str) -> float:
        table = self.spec.matrix_tflops
        if dtype not in table:
            raise ValueError(f"{self.name} has no matrix peak for dtype {dtype} (has {sorted(table)})")
        return self.log.use(f"{self.name}.matrix_tflops.{dtype}", table[dtype]) * TERA

    def _torch_peak(self, dtype: str) -> float:
        """The peak eager PyTorch can reach in a dtype: fp32 matmuls run without TF32 by default
        (torch.backends.cuda.matmul.allow_tf32 is off), so on the vector units."""
        if dtype == "fp32":
            return self.log.use(f"{self.name}.vector_tflops", self.spec.vector_tflops) * TERA
        return self._matrix_peak(dtype)

    def _peak_flops(self, op: Op) -> float:
        if op.uses_matrix_units:
            return self._matrix_peak(getattr(op, "dtype", "bf16"))
        return self.log.use(f"{self.name}.vector_tflops", self.spec.vector_tflops) * TERA

    def _host_copy_rates(self, direction: str) -> OpClassRates:
        link = self._host_link
        if link is None:
            self.log.note(f"{self.name}.host_link.{direction}", "assumed")
            lat, bw = ASSUMED_HOST_LINK
        else:
            lp = f"{link.name}."
            lat = self.log.use(lp + "latency_us", link.latency_us) * 1e-6
            field = link.downstream_gbps if direction == "h2d" else link.upstream_gbps
            bw = self.log.use(lp + ("downstream_gbps" if direction == "h2d" else "upstream_gbps"), field) * GB
        return OpClassRates(lat, bw, math.inf, source="assumed")

    def _rates_uncached(self, op: Op) -> OpClassRates:
        if isinstance(op, IdleStart):
            return self.rates_for(op.op)
        key = rate_key(op, self.rates)
        if key is not None:
            if key in self._transferred:
                self.log.note(f"{self.name}.profile.{key}", "transferred")
            r = self.rates[key]
            if isinstance(op, HostCall) and host_kind(op)[1] > 1:
                r = replace(r, dispatch_s=r.dispatch_s / host_kind(op)[1])
            dtype = getattr(op, "dtype", None)
            if op.uses_matrix_units and r.dtype and dtype and dtype != r.dtype and math.isfinite(r.flop_rate):
                # fitted in one dtype; other dtypes keep the fitted efficiency of the spec's peak
                r = replace(r, flop_rate=r.flop_rate * self._torch_peak(dtype) / self._torch_peak(r.dtype))
            return r
        if isinstance(op, Copy) and op.crosses_host:
            return self._host_copy_rates(op.direction)
        if isinstance(op, HostCall):
            kind, share = host_kind(op)
            if kind not in ASSUMED_HOST_S:
                raise ValueError(f"unknown host work {op.kind!r}")
            self.log.note(f"{self.name}.host.{kind}", "assumed")
            return OpClassRates(0.0, math.inf, math.inf, dispatch_s=ASSUMED_HOST_S[kind] / share)
        cls = op.op_class
        regime = rate_keys(op)[0]
        key = regime if regime in ASSUMED_FRACTIONS else cls
        if key not in ASSUMED_FRACTIONS:
            raise ValueError(f"a GPU cannot run op class {cls!r}")
        bw_frac, flop_frac = ASSUMED_FRACTIONS[key]
        aten = getattr(op, "aten", "")
        # a traced op names itself, so the run's provenance lists the aten ops priced by assumed roofline
        if aten:
            self.log.note(f"{self.name}.aten.{aten}.{key}", "assumed")
        else:
            self.log.note(f"{self.name}.op_class.{cls}" if key == cls else f"{self.name}.regime.{key}", "assumed")
        # the host still issues it: the class's fitted issue time where there is one
        dispatch = self.rates[cls].dispatch_s if cls in self.rates else 0.0
        return OpClassRates(self._launch_s, self._spec_bw * bw_frac, self._peak_flops(op) * flop_frac,
                            dispatch_s=dispatch)

    def rates_for(self, op: Op) -> OpClassRates:
        return self._rates_for(op)

    @property
    def l2_bytes(self) -> float:
        """The GPU's L2 (the spec's l2_mb), for ops that find their bytes in it (hetsim.hardware.residency)."""
        self.log.use(f"{self.name}.l2_mb", self.spec.l2_mb)
        return self._l2_bytes

    @property
    def l2(self) -> residency.L2:
        """The GPU's L2 with its own residency ramp where one was fitted (residency.RAMPS), else the H200's."""
        return residency.l2_of(self.name, self.l2_bytes)

    @property
    def hbm_bw(self) -> float:
        """The HBM's streaming rate, bytes/s: the datasheet's bandwidth x the measured efficiency."""
        return self._spec_bw

    # -- time and power ----------------------------------------------------------------
    def _price_uncached(self, op: Op) -> tuple[float, float, float, float]:
        """(device_s, stream_device_s, dispatch_s, op_time_s) of the op."""
        if isinstance(op, IdleStart):
            # the GPU idles while the host issues the op, then runs it: issue and run do not overlap;
            # `idle_start` (fitted on ops launched onto an idle GPU) adds the wake-up latency measured there
            dev, stream, dispatch, _ = self._price(op.op)
            idle = self.rates["idle_start"].overhead_s if "idle_start" in self.rates else 0.0
            if "idle_start" in self._transferred:
                self.log.note(f"{self.name}.profile.idle_start", "transferred")
            return dev, dispatch + idle + stream, dispatch, dispatch + idle + stream
        if len(parts := sorting.kernels(op)) > 1 and all(rate_key(k, self.rates) == rate_keys(k)[0] for k in parts):
            # torch.topk's select, then the sort of its results inside the same call: one dispatch, the kernels'
            # device times added. Priced apart only where the profile fitted each kernel (the select on calls that
            # sort nothing); else the suite's keys, fitted on sorted calls, hold the sort
            prices = [self._price(k) for k in parts]
            dev, stream = sum(p[0] for p in prices), sum(p[1] for p in prices)
            return dev, stream, prices[0][2], max(prices[0][2], stream)
        r = self.rates_for(op)
        if broadcast_reread_bytes(op):
            # only an op that re-reads a broadcast weight asks for the L2 (whose use the run's provenance records)
            op = with_reread_share(op, self.l2)
        if residency.merged_sectors(op) and not op.scattered_share:
            # a forward's scatter (a replayed case's already holds its share): its writes merge in the L2 all the same
            op = residency.merged_share(op, self.l2)
        if op.l2_share:  # only a bandwidth-bound kernel reads faster from the L2
            self.log.note(f"{self.name}.l2_residency",
                          "calibrated" if self.name in residency.RAMPS else "transferred")
            op = replace(op, l2_share=residency.bound_share(op.l2_share, r.bw_bytes_per_s, self.hbm_bw))
        stream, device = op_stream_device_s(r, op), op_device_s(r, op)
        if math.isinf(r.bw_bytes_per_s) and (floor := hbm_bytes(op) / self.hbm_bw) > device:
            # a key whose form prices no bytes (the persistent softmax's lanes, the small-index walk) still streams
            # them no faster than the HBM: 0.1-1 GB fp32 softmaxes ran at ~360 G elements/s, the HBM's rate for a read
            # and a write, where the lanes' math alone priced them -24..-38 % (H100 checks)
            stream, device = stream + floor - device, floor
        if (factor := self.neighbour_factor(op)) != 1.0:
            # the kernel choice (cuBLAS's, cuDNN's, ATen's launch shapes), read off the measured ops nearest this one
            # (product_table): the device time scaled, the eager gap after it kept
            self.log.note(f"{self.name}.product_neighbours", "calibrated")
            stream, device = stream + device * (factor - 1.0), device * factor
        return device, stream, r.dispatch_s, max(r.dispatch_s, stream)

    def neighbour_factor(self, op: Op) -> float:
        """What the table of measured neighbours of the op's key multiplies its device time by (1: no table, or no
        fitted op near this one)."""
        if not self._neighbours or (table := self._neighbours.get(rate_key(op, self.rates) or "")) is None:
            return 1.0
        return table.factor(op)

    def _active_uncached(self, op: Op) -> float:
        total = self.op_time_s(op)
        return self.energy_j(op, self.stream_device_s(op)) / total if total > 0 else 0.0

    def energy_j(self, op: Op, seconds: float) -> float:
        """Energy above idle of the op running `seconds` on the GPU. The busy power is the op's
        key's measured figure, else the spec's memory- or compute-bound board power; both are of
        ops that stream data (or do math) all their time. An op's fixed overhead and launch gaps
        move no data, so it draws that power only for its working time (its device time less the
        fixed overhead): dynamic energy follows the work (a small, overhead-bound kernel draws
        little above idle). Likewise a kernel whose time a walk sets (a few blocks or lanes reading
        one after another, `walk_bytes`) draws the busy power only for the time its bytes and flops
        would take at the key's full rates: the GPU's other units idle meanwhile (a StaticCache decode
        on memory-efficient attention over 32 heads at 4K keys drew ~195 W above idle on an H200
        against ~440 W for a bandwidth-bound step)."""
        r = self.rates_for(op)
        if r.active_w is not None:
            busy = r.active_w
        else:
            busy = max((self.memory_bound_w if self.memory_bound(op) else self.compute_bound_w) - self.idle_w, 0.0)
        working = r.device_time_s(compute_work(op), op.bytes, *wave_shape(op)) - r.overhead_s  # no walk
        return busy * min(seconds, max(working, 0.0))

    def device_time_s(self, op: Op) -> float:
        """GPU-side time of the op (what a CUDA-graph replay of it takes)."""
        return self._price(op)[0]

    def stream_device_s(self, op: Op) -> float:
        """GPU-side time of the op inside an eager stream."""
        return self._price(op)[1]

    def dispatch_s(self, op: Op) -> float:
        """Host-side time to issue the op in eager PyTorch."""
        return self._price(op)[2]

    def op_time_s(self, op: Op) -> float:
        """Time of the op in a stream of eager ops like it: the slower of host and device."""
        return self._price(op)[3]

    def ops_time_s(self, ops) -> float:
        """Ops issued back to back on one stream: host and device overlap, the slower stage wins
        (`stream_time_s`, summed in the same order from the cached prices)."""
        return sum((max(seg.host_s, sum(seg.device_s, 0.0)) for seg in self.stream_segments(ops)), 0.0)

    def stream_segments(self, ops, staged: bool = False) -> list[StreamSegment]:
        """The ops as the eager pipeline's two stages, cut after each sync (the host waits for
        the GPU there): per segment, the host's issue time and each op's GPU time in the stream.
        `staged`: the device stage starts once the host stage has issued the segment, so an idle
        start's GPU time (dispatch + wake-up + run) drops the dispatch the host stage holds."""
        ops = list(ops)
        mix = self.host_mix if len(ops) > 1 else 1.0
        out = []
        for seg in _segments(ops):
            prices = [self._price(op) for op in seg]
            host = _mixed_host(((p[2], isinstance(op, HostCall)) for p, op in zip(prices, seg, strict=True)), mix)
            if staged:
                prices = [(p[0], p[1] - p[2], *p[2:]) if isinstance(op, IdleStart) else p
                          for p, op in zip(prices, seg, strict=True)]
            # the GPU can start once the first op that runs on it is issued
            lead = next((i + 1 for i, p in enumerate(prices) if p[1] > 0), len(seg))
            first = _mixed_host(((p[2], isinstance(op, HostCall)) for p, op in zip(prices[:lead], seg, strict=False)),
                                mix)
            out.append(StreamSegment(tuple(seg), host, tuple(p[1] for p in prices), is_sync(seg[-1]), min(first, host)))
        return out

    def graph_time_s(self, ops) -> float:
        """Ops replayed as one CUDA graph: no host in the way, the device's times add up."""
        return sum((self._price(op)[0] for op in ops), 0.0)

    def memory_bound(self, op: Op) -> bool:
        r = self.rates_for(op)
        return op.bytes / r.bw_bytes_per_s >= compute_work(op) / r.flop_rate

    def active_w(self, op: Op) -> float:
        """Power above idle averaged over `op_time_s(op)`: the busy power of its class times the
        fraction of that time the GPU is busy (a host-bound op leaves it idle in between)."""
        return self._active(op)

