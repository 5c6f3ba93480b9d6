"""How ATen launches a kernel on an H100 / H200, as far as its time depends on it: blocks, waves of blocks over
the GPU, and the bytes one thread reads one after another (its walk).

A kernel whose threads each walk a long share, or whose blocks run in several waves, is bound by that walk and
those waves, not by its bytes; hetsim.hardware.gpu prices the walk at a key's fitted walk rate. The counts here
follow PyTorch 2.11's CUDA sources (Reduce.cuh's setReduceConfig, SoftMax.cu's persistent kernel, TensorTopK.cu's
one block a slice) and the 132 SMs of an H100 SXM / H200: on another GPU a transferred key keeps them (a known
limit: the catalogue's A100 and MI210 get H200 wave counts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SMS = 132  # streaming multiprocessors of an H100 SXM / H200
THREADS_PER_SM = 2048
MAX_BLOCKS_PER_SM = 32
WARP = 32
MAX_BLOCK_THREADS = 1024
SM_L1_BYTES = 256 * 1024  # an SM's L1 and shared memory (H100 SXM / H200)
REDUCE_THREADS = 512  # ATen's reduce kernel: threads per block (mnt_wrapper's MAX_NUM_THREADS)


def tiled(n: int, tile: int) -> int:
    """`n` rounded up to whole tiles of `tile` (a kernel's tile covers its last, partly empty, step whole)."""
    return -(-n // tile) * tile


# nn.EmbeddingBag's forward on CUDA (EmbeddingBag.cu: EmbeddingBag_updateOutputKernel_sum_mean / _max): a fixed grid
# of 1,024 blocks of dim3(32, 8), each warp one chunk of 32 features of one bag at a time in a grid-stride loop, walking
# the bag's indices and loading its chunk of each row
EMBEDDING_BAG_WARPS = 1024 * 8
EMBEDDING_BAG_CHUNK = WARP


def embedding_bag_chunks(features: int) -> int:
    """The warp chunks a bag's row of `features` takes (EMBEDDING_BAG_CHUNK features each)."""
    return -(-features // EMBEDDING_BAG_CHUNK)


def embedding_bag_rounds(bags: int, chunks_per_bag: float) -> int:
    """The grid's rounds over an EmbeddingBag's chunks: each warp starts one chunk a round (its bag's offsets, first
    index and first row loaded one after another); at least one."""
    return max(1, math.ceil(bags * chunks_per_bag / EMBEDDING_BAG_WARPS))


def resident_blocks(threads: int) -> int:
    """Blocks of `threads` threads resident on the GPU at once (the threads an SM holds, at most 32 blocks an SM)."""
    return SMS * min(MAX_BLOCKS_PER_SM, THREADS_PER_SM // threads)


def waves(blocks: int, threads: int) -> int:
    """Waves a launch of `blocks` blocks of `threads` threads runs over the GPU."""
    return math.ceil(blocks / resident_blocks(threads))


@dataclass(frozen=True)
class MapLoop:
    """nll_loss2d_forward_kernel's launch: `blocks` blocks of 1,024 threads, each thread `trips` trips of its loop."""
    blocks: int
    trips: int


def nll_loss2d_loop(batch: int, positions: int) -> MapLoop:
    """The reduced nll_loss2d's launch (NLLLoss2d.cu): blocks_per_sample = GET_BLOCKS(map) / 128 (at least 1) blocks
    of 1,024 threads a sample, each thread stepping the sample's map a blocks_per_sample x 1,024 stride: a map of 2 M
    positions takes 16 blocks a sample whose threads loop 128 times (a 2 x 1 x 2 M map: 32 blocks, 109 us on an
    H100)."""
    per_sample = max(1, positions // max(batch, 1))
    blocks_per_sample = -(-per_sample // MAX_BLOCK_THREADS) // 128 or 1
    return MapLoop(blocks_per_sample * max(batch, 1), -(-per_sample // (blocks_per_sample * MAX_BLOCK_THREADS)))


def dependent_pair_walk(blocks: int, threads: int, trips: int, index_bytes: int, item_bytes: int) -> int:
    """The bytes a thread's loop of dependent pairs reads one after another, over the waves its launch runs: each trip
    an index and then the element it names (torch.gather's element loop, the reduced nll_loss2d's target and pick)."""
    return waves(blocks, threads) * trips * (index_bytes + item_bytes)


def spatial_softmax_steps(outer: int, dim: int, inner: int) -> int:
    """The loads one thread makes one after another in one pass of a softmax over a dim that is not the last
    (SoftMax.cu, cunn_SpatialSoftMaxForward): its block takes up to 1,024 neighbouring inner columns, and, where those
    are at most 64 over a dim of at least 64, as many threads along the dim as fill 1,024
    (SpatialSoftMax_getBlockSize); its grid tiles the inner columns first, then the outer slices, up to the blocks the
    GPU holds at once (SpatialSoftMax_getGridSize), each thread looping over the slices and columns left over. So a
    thread walks its column's dim (or its share of it) for each of its slices and columns: a log_softmax over 8,192
    of [8, 8192, 1024] runs 8 blocks, each thread 8,192 loads a pass (9.1 ms on an H200, realcode-check23)."""
    inner_threads = max(1, min(inner, MAX_BLOCK_THREADS))
    dim_threads = 1
    if inner_threads <= 64 and dim >= 64:
        while inner_threads * dim_threads <= MAX_BLOCK_THREADS and dim_threads <= dim:
            dim_threads *= 2
        dim_threads //= 2
    active = resident_blocks(inner_threads * dim_threads)
    inner_blocks = min(math.ceil(inner / inner_threads), active)
    outer_blocks = max(1, min(math.ceil(active / inner_blocks), outer))
    return (math.ceil(outer / outer_blocks) * math.ceil(inner / (inner_blocks * inner_threads))
            * math.ceil(dim / dim_threads))


# blocks resident at once on an H100 / H200 (132 SMs x 2048 threads / 512): Reduce.cuh's target_grid_size
RESIDENT_BLOCKS = resident_blocks(REDUCE_THREADS)
NORM_BLOCK_THREADS = 128  # vectorized_layer_norm_kernel's block: a row each
# rows a norm kernel runs at once: 132 SMs (H100 SXM, H200) x 16 resident blocks of 128 threads (2,048 threads per SM)
NORM_ROW_SLOTS = resident_blocks(NORM_BLOCK_THREADS)


OUTPUT_VEC = 4  # Reduce.cuh's get_output_vec_size: up to 4 neighbouring outputs per thread's load
# a wave's fixed cost as bytes of a lane's walk, chosen by the fit's error over 0-512 B on the realcode-more group's
# last-dim reductions (its grid of rows x row lengths), never on a validation case
REDUCE_WAVE_FIXED_BYTES = 192
# a global reduction's second stage as waves of the above (chosen the same way over 0-3)
GLOBAL_REDUCE_WAVES = 2
MIN_VALUES, MAX_VALUES = 16, 256  # Reduce.cuh's min_values_per_thread / max_values_per_thread
ACCUMULATE_BYTES = 4  # fp32: the width a reduction or softmax accumulates in (a walk counts elements at it)


def output_vec(inner: int) -> int:
    """Neighbouring outputs a lane of an outer or middle-dim reduction loads at once (get_output_vec_size: up to 4,
    halved until it divides the outputs' extent)."""
    return next(v for v in (OUTPUT_VEC, 2, 1) if inner % v == 0)


def reduce_walk(rows: int, cols: int, itemsize: int, inner: int = 1, sum_like: bool = False) -> float:
    """Bytes each thread of ATen's reduce kernel reads one after another for a reduction of `cols` elements per output
    over a [rows, cols, inner] view, times the waves of blocks, as Reduce.cuh's setReduceConfig lays it out.

    Over the last (contiguous) dim (inner = 1) the block shape comes from the row in load units (`input_vec`: fp32
    rows longer than 128 load 16-byte vectors; a 16-bit sum or mean (`sum_like`) loads 8 elements at rows of 128 and
    more): 32 lanes along a row and up to 16 rows per 512-thread block (fewer rows: wider lanes; a row of fewer than
    32 loads narrower lanes, more rows a block). values_per_thread counts
    elements: a lane left with >= 256 of them, or >= 16 x the block's rows, shares its row with the block's other
    warps (one output a block, `rows` blocks); one still left with >= 256 shares it with more blocks too
    (ctas_per_output, while the grid is below the GPU's resident blocks). So 16 rows of 4096 fp32 leave each lane 128
    elements, 512 B read one after another (~5.5 us on an H200 whatever the rows: measured flat from 16 to 1,024
    rows), where the bytes alone would take 1 us; 16 rows of 8192 give each lane 256 and so share them: 16, 64 B.

    Over an outer or middle dim (inner > 1) the lanes take neighbouring outputs, each loading up to 4 of them at
    once (output vectorisation: `inner` divisible by 4), and walk the reduced dim: a block of 512 / vec threads, 32
    wide; the reduced dim split over its warps and then over blocks by the same rules. So the max over dim 0 of
    1024 x 4544 bf16 runs 36 x 16 blocks of 128 threads, each lane 16 loads of 8 bytes, then a global reduction."""
    if inner > 1:
        vec = output_vec(inner)
        # a load of `vec` outputs' elements, each reduced in fp32: its elements, not their width, set its cost (on an
        # H200 the max over dim 0 of 128 x 4096 fp32 took 4.0 us, of 64 x 768 bf16 5.6)
        load = vec * ACCUMULATE_BYTES
    else:
        vec = input_vec(cols, itemsize, sum_like)
        load = itemsize
    layout = reduce_layout(rows, cols, vec, inner)
    # the blocks' partials written out, a semaphore counting them, the last block reducing them: a chain the first
    # wave's lanes wait on (amax over 1 x 1M fp32: 6.8 us on an H200, 64 B a lane)
    extra = GLOBAL_REDUCE_WAVES if layout.ctas > 1 else 0
    # waves of blocks over the GPU, each its lanes' walk plus a fixed cost (the warp and block reductions, the write):
    # 65,536 rows of 64 bf16 leave a lane 2 elements, yet take 15 us on an H200 (4,096 blocks: 8 waves)
    return float((waves(layout.blocks, layout.threads) + extra) * (layout.values * load + REDUCE_WAVE_FIXED_BYTES))


def input_vec(cols: int, itemsize: int, sum_like: bool = False) -> int:
    """Elements a lane of ATen's reduce kernel loads at once along a contiguous row of `cols` (setReduceConfig's
    "vectorize along input", taken for rows of 128 and more). `sum_like`: a sum or mean of bf16 or fp16, which
    ReduceSumProdKernel.cu's sum_functor and ReduceMomentKernel.cu's mean_kernel_impl instantiate with input_vec_size 8
    (vt0 4): their rows of 128-255 load 16 lanes' worth, so a 512-thread block takes 32 rows, not 16, and the grid half
    the blocks (a bf16 sum of 262,144 rows of 128 ran 35 us on an H100 where amax of the same rows ran 89 and a scalar
    layout priced 79: realcode-check37's Quest page scores). Other reductions load 4 elements, whose block shape over
    rows of 128 and more is the scalar one: 16-byte vectors of fp32 stand for them (rows over 128), scalars for
    narrower types."""
    if sum_like and cols >= 128:
        return SUM16_INPUT_VEC
    return 16 // itemsize if itemsize >= 4 and cols > 128 else 1


SUM16_INPUT_VEC = 8  # sum_functor / mean_kernel_impl's input_vec_size for 16-bit inputs


@dataclass(frozen=True)
class ReduceLayout:
    """Reduce.cuh's launch of one reduction: each lane's values read one after another, the blocks, their threads,
    and the blocks sharing each output (ctas_per_output > 1: a global reduction)."""

    values: int
    blocks: int
    threads: int
    ctas: int
    height: int = 1  # the block's warps along the reduced dim (block_height)


def reduce_layout(rows: int, cols: int, vec: int, inner: int = 1) -> ReduceLayout:
    """setReduceConfig's layout of a reduction of `cols` elements per output over a [rows, cols, inner] view, loading
    `vec` elements at once (along the row over the last dim, neighbouring outputs over another)."""
    if inner > 1:
        dim0, dim1, max_threads = rows * inner // vec, cols, REDUCE_THREADS // vec
    else:
        dim0, dim1, max_threads = cols // vec, rows, REDUCE_THREADS
    width, height = _block_shape(dim0, dim1, max_threads)
    threads = width * height
    resident = resident_blocks(threads)  # Reduce.cuh's target_grid_size
    if inner > 1:
        values, outputs_per_block = cols, width  # lanes split the outputs (output_mult[0])
    else:
        values, outputs_per_block = math.ceil(cols / width), 1  # lanes split the row (input_mult[0])
    split_warps = values >= 16 * height or values >= MAX_VALUES
    if split_warps:
        values = math.ceil(values / height)  # the reduced dim shared by the block's warps
    else:
        outputs_per_block *= height  # each warp its own outputs
    blocks = math.ceil(dim0 / outputs_per_block) if inner > 1 else math.ceil(rows / outputs_per_block)
    ctas = 1
    if split_warps and values >= MAX_VALUES and blocks <= resident:
        ctas = max(min(math.ceil(resident / blocks), math.ceil(values / MIN_VALUES)), math.ceil(values / MAX_VALUES))
        values = math.ceil(values / ctas)  # and by ctas_per_output blocks (a global reduction)
        blocks *= ctas
    return ReduceLayout(values, blocks, threads, ctas, height)


def global_reduce_chain(rows: int, cols: int, inner: int) -> int:
    """The partials one lane of the last block reads one after another in the global reduction of an outer or middle
    dim (Reduce.cuh's global_reduce: the block that finds the semaphore full walks the ctas_per_output partials of its
    outputs, a row of the block's warps a step, before the block's reduction); 0 where no global reduction runs. The
    loop's loads wait on each other's turn, not on bandwidth: each costs about an L2 round trip. So the mean over dim 0
    of 196,608 x 128 fp32 (an MoE load-balancing loss, 100 MB) splits its 196,608 rows over 2,112 blocks and leaves
    the last one 528 partials a lane: 197 us on an H100, where its bytes take 40 (0.28 us a partial; 131,072 x 64 fp32
    1,024 blocks, 128 partials, 38 us: realcode-check34, profiled: one reduce_kernel, a memset for its semaphores)."""
    if inner <= 1:
        return 0  # over the last dim the lanes share the partials along the row too (block_x_reduce): no long chain
    layout = reduce_layout(rows, cols, output_vec(inner), inner)
    return math.ceil(layout.ctas / layout.height) if layout.ctas > 1 else 0


def index_reduce_walk(rows: int, cols: int) -> float:
    """Elements a lane of ATen's (value, index) reduce kernel (argmax, argmin, max.dim, min.dim) walks over the last
    dim of `rows` rows of `cols`, with what its launch adds. Its rows load 4 elements at once whatever their width
    (the arg ops' vt0 = input_vec_size = 4), and each element costs the same at any width: a compare of (value,
    index) pairs, ~97 ns a lane's element on an H200 (1 x 128256 bf16 and 8 x 128256 fp32 both 27 us, 251 elements a
    lane). Where more blocks than SMs run, an SM's blocks walk side by side at a share of one's pace, each with a
    fixed cost; a row split over blocks adds the global reduction's stage (the partials, the semaphore, the memset)."""
    vec = INDEX_REDUCE_VEC if cols > 128 else 1
    layout = reduce_layout(rows, cols, vec)
    shared = max(0.0, layout.blocks / SMS - 1.0)  # blocks beyond one an SM, in SMs' worth
    walk = layout.values * (1.0 + SHARED_LANE_SHARE * shared) + BLOCK_FIXED_ELEMENTS * shared
    return walk + (GLOBAL_REDUCE_ELEMENTS if layout.ctas > 1 else 0.0)


INDEX_REDUCE_VEC = 4
# an SM's further blocks' lanes at this share of a lane's pace each, a block's fixed cost and a global reduction's stage
# in elements of a lane's walk: chosen by least squares over the fit groups' last-dim index reductions
# (experiments/kernel_dispatch/index_reduce.py: 51 cases of common-more, realcode-more6, -more7 and -more23, the last
# with 65 K - 4 M rows, where 0.34 / 18 / 46 from the first three priced KIVI's many short rows 2.2x slow), never on a
# check
SHARED_LANE_SHARE = 0.63
BLOCK_FIXED_ELEMENTS = 8
GLOBAL_REDUCE_ELEMENTS = 49


def _block_shape(dim0: int, dim1: int, max_threads: int) -> tuple[int, int]:
    """ReduceConfig::set_block_dimension: (block_width, block_height), powers of two, 32 wide where dim0 allows."""
    dim0_pow2 = _last_pow2(dim0) if dim0 < max_threads else max_threads
    dim1_pow2 = _last_pow2(dim1) if dim1 < max_threads else max_threads
    width = min(dim0_pow2, WARP)
    height = min(dim1_pow2, max_threads // width)
    return min(dim0_pow2, max_threads // height), height


def _last_pow2(n: int) -> int:
    return 1 << (max(int(n), 1).bit_length() - 1)


# PyTorch's host_softmax (SoftMax.cu): a warp per row while a row has <= 2048 elements of <= 8192 bytes, else a block
SOFTMAX_PERSISTENT_COLS, SOFTMAX_PERSISTENT_BYTES = 2048, 8192
SOFTMAX_BLOCK_THREADS = 128  # dispatch_softmax_forward's threads per block


def softmax_persistent(cols: int, itemsize: int) -> bool:
    """Whether PyTorch runs a softmax over the last dim with its persistent kernel (a warp per row)."""
    return cols <= SOFTMAX_PERSISTENT_COLS and cols * itemsize <= SOFTMAX_PERSISTENT_BYTES


def softmax_threads(cols: int, itemsize: int) -> int:
    """Threads sharing one row: a warp in the persistent kernel (as narrow as the row rounded up to a power of two,
    below 32), else the forward's block (SoftMaxForward_getBlockSize: the row's length rounded up to a warp, up to
    1024)."""
    if softmax_persistent(cols, itemsize):
        return min(next_pow2(cols), WARP)
    return min(WARP * math.ceil(cols / WARP), MAX_BLOCK_THREADS)


def softmax_lane_elements(cols: int, itemsize: int) -> int:
    """Elements each thread of a row walks. The persistent kernel is compiled for the row rounded up to a power of two
    (PersistentSoftmax.cuh: WARP_ITERATIONS = next_power_of_two / WARP_SIZE, the lanes past the row loading -inf and
    still running the max, exp and sum): a row of 577 walks 32 a lane as one of 1024 does. The block kernel walks the
    row's own length over its threads."""
    threads = softmax_threads(cols, itemsize)
    if softmax_persistent(cols, itemsize):
        return next_pow2(cols) // threads
    return math.ceil(cols / threads)


def softmax_rows_per_warp(cols: int, itemsize: int) -> int:
    """Rows one warp of the persistent kernel takes (WARP_BATCH: two where the row rounds up to <= 128 elements,
    each thread walking its share of both), else 1 (a block shares a row)."""
    return 2 if softmax_persistent(cols, itemsize) and next_pow2(cols) <= 128 else 1


def softmax_waves(rows: int, cols: int, itemsize: int) -> int:
    """Waves of blocks a last-dim softmax runs over the GPU. The persistent kernel (dispatch_softmax_forward) gives a
    128-thread block 128 / warp-size warps (a warp narrows to the row's power of two below 32), each a row, or two
    rows where the row rounds up to <= 128 elements (WARP_BATCH); the block kernel (cunn_SoftMaxForward) a block per
    row. 16 x 12 x 197 rows of 197 (ViT's attention) are 9,456 blocks: 5 waves of 2,112 on an H200; 1M rows of 8
    (an MoE router's) 32 rows a block, 16 waves."""
    if softmax_persistent(cols, itemsize):
        warps = SOFTMAX_BLOCK_THREADS // softmax_threads(cols, itemsize)
        return waves(math.ceil(rows / (warps * softmax_rows_per_warp(cols, itemsize))), SOFTMAX_BLOCK_THREADS)
    return waves(rows, softmax_threads(cols, itemsize))


def next_pow2(n: int) -> int:
    """n rounded up to a power of two (1 for n <= 1)."""
    return 1 << max(int(n) - 1, 0).bit_length()


# the single-block top-k (TensorTopK.cu's gatherTopK, with the sort of its k results after it) runs as if an SM held
# ~256 of its threads: an effective figure chosen by the fit's error (median over 32-1024) on the realcode-more2,
# realcode-more, methods and topk groups' top-k cases, never on a validation case; a slice of >= 256 keeps the fitted
# wave of 132 rows (one block an SM), a shorter one runs more blocks an SM
TOPK_THREADS_PER_SM = 256


def topk_blocks_per_sm(n: int) -> int:
    """Single-block top-k blocks resident on an SM for slices of n: the block is n rounded up to a warp (<= 1024
    threads), up to TOPK_THREADS_PER_SM threads and 32 blocks an SM. 2048 rows of 8 (an MoE router's top-2) run
    8 one-warp blocks an SM: 2 waves of 132 x 8 rows, not 16 of 132."""
    threads = min(WARP * math.ceil(n / WARP), MAX_BLOCK_THREADS)
    return max(1, min(MAX_BLOCKS_PER_SM, TOPK_THREADS_PER_SM // threads))


# a reduced nll_loss (Loss.cu's nll_loss_forward_reduce_cuda_kernel_2d): ONE block of nll_loss_threads(rows) =
# clamp(2^round(log2(rows // 16)), 32, 1024) threads, each looping over the rows a block-stride apart (a target, then
# the log-probability it names), then thread 0 adding the threads' partial sums one after another. The rule is torch
# 2.11's, the calibrated profiles' (an older torch ran 32 threads whatever the rows); its rounding shows in the
# timings: 5,600 rows run 256 threads (log2(350) = 8.45), 22 trips each, 11.3 us on an H200 where 512 rows' 16 trips
# took 8.3
NLL_ROWS_A_THREAD, NLL_MIN_THREADS = 16, WARP


def nll_loss_threads(rows: int) -> int:
    """Threads of the one block a reduced nll_loss runs over `rows` rows (torch 2.11's nll_loss_threads)."""
    share = int(rows) // NLL_ROWS_A_THREAD
    if share < 1:
        return NLL_MIN_THREADS
    return min(max(1 << round(math.log2(share)), NLL_MIN_THREADS), MAX_BLOCK_THREADS)


def nll_loss_trips(rows: int, threads: int) -> int:
    """Loop trips of each thread of a reduced nll_loss's block: its rows, one a block-stride apart."""
    return math.ceil(int(rows) / max(int(threads), 1))


# ATen's element-by-element index kernel (IndexKernel.cu gpu_index_kernel: launch_kernel<128, 4>): a 128-thread block
# takes 512 elements, each thread 4 of them one after another, each an index loaded and then the element it names (a
# dependent pair of loads a trip)
INDEX_ELEMENT_THREADS, INDEX_ELEMENT_UNROLL = 128, 4
# indices (tokens, rows) up to which ATen's small-index kernels (Indexing.cu, `numIndices <= 16`) serve index_select,
# embedding and index_add_: a row's threads walk the indices one after another (hetsim.hardware.gpu.few_index_select)
FEW_ROWS = 16


def index_element_trips(elements: int) -> int:
    """Trips of a thread of the element index kernel: its elements, 4 at most (more blocks take the rest). A few dozen
    outputs ran ~1.7 us on an H200, 512 and more ~3.4 (the checks' x[idx] over 1-D tables and narrow rows)."""
    return max(1, min(INDEX_ELEMENT_UNROLL, math.ceil(int(elements) / INDEX_ELEMENT_THREADS)))


# the multi-block top-k (TensorTopK.cu's mbtopk): 256-thread blocks, each thread 4-64 items, as many items a thread as
# the whole input over a wave of 6 blocks an SM (its registers: ~40 a thread) asks for (get_items_per_thread); each
# digit pass's computeDigitCumSum walks a slice's block counts one after another (profiled on an H200, realcode-more21:
# ~1.5 us + ~20 ns a block of the slice: 782 blocks 16.8 us, 128 blocks 3.7 us)
MBTOPK_THREADS, MBTOPK_BLOCKS_PER_SM, MBTOPK_ITEMS = 256, 6, (4, 64)


def mbtopk_blocks_per_slice(rows: int, n: int) -> int:
    """Blocks of the multi-block top-k over one slice of n (rows slices in all): the count each digit pass's cumsum
    over a slice walks."""
    lo, hi = MBTOPK_ITEMS
    items = min(hi, max(lo, math.ceil(rows * n / (SMS * MBTOPK_BLOCKS_PER_SM * MBTOPK_THREADS))))
    return math.ceil(n / (MBTOPK_THREADS * items))


# cuDNN's fused SDPA forward on sm90 (cudnn_generated_..._sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x{64,128},
# profiled on an H200: calibration/e2e/diagnostics/case-kernels-more6-2026-12-02): a block a (sequence, head, tile
# of queries) walking the keys tile by tile; a tile's math grows with the head dim in 64-wide steps (head dims of 80
# ran the 128-wide kernel, profiled). The tile sizes, one block resident an SM and the fixed cost a block pays beside
# its key tiles (its queries' load, the softmax's rescale and the output's write, in key tiles) were chosen by a
# least-squares scan (query and key tiles of 64 / 128, 1-4 blocks an SM, 0-6 fixed tiles) over the cuDNN prefills of
# the realcode-more6, sdpa (cuDNN on) and models' sweeps, 37 calls: these gave the lowest p90, 17 % (median 9 %); never
# on a validation case
SDPA_Q_TILE, SDPA_KV_TILE, SDPA_HEAD_STEP, SDPA_BLOCK_FIXED_TILES = 128, 64, 64, 4
# a key tile's cost beside its head-dim steps (its softmax and rescale), in steps: head dims of 64 ran ~0.7 of 128's
# time a key tile, not half (realcode-more8's joint attention over 4096-16384 tokens). Chosen by the same scan on the
# fit sweeps with realcode-more8 (0-3 in halves, with the fixed tiles 2-8): 0.5 and 4 gave the lowest p90, 16 % (median
# 7 %, from 19 % / 13 % at 0); never on a validation case
SDPA_KV_TILE_FIXED_STEPS = 0.5


# PyTorch's memory-efficient forward (CUTLASS's fmha_cutlassF on sm80+) instantiates head tiles of 64 and 128 (and
# wider ones, in 128s); a head between runs the next tile (heads of 80 the 64x128 kernel), and each key tile costs a
# fixed share beside its head's work (softmax and rescale), taken as cuDNN's (SDPA_KV_TILE_FIXED_STEPS of a 64-wide
# step). Profiled on an H200 (realcode-more8, -more12): heads of 128 ran ~115 TFLOP/s, of 80 ~75, of 64 ~80
EFFICIENT_HEAD_TILES = (64, 128)


def efficient_head_work(head_dim: int) -> float:
    """The head width the memory-efficient kernel's work scales with: the head padded to its kernel's tile, plus a
    key tile's fixed share."""
    padded = next((t for t in EFFICIENT_HEAD_TILES if head_dim <= t), 128 * math.ceil(head_dim / 128))
    return padded + SDPA_KV_TILE_FIXED_STEPS * SDPA_HEAD_STEP


def sdpa_tile_steps(batch: int, heads: int, q_len: int, kv_len: int, head_dim: int, causal: bool) -> float:
    """Key-tile steps of cuDNN's fused SDPA forward, wave after wave of blocks over the GPU: each block's key tiles
    (a causal block only those up to its last query) times the head dim's 64-wide steps and a tile's own fixed share,
    plus the block's fixed cost. Many short sequences cost whole tiles (temporal attention over 14 frames ran 2.5x
    the price of its bytes and flops)."""
    q_tiles = math.ceil(q_len / SDPA_Q_TILE)
    kv_tiles = math.ceil(kv_len / SDPA_KV_TILE)
    if causal:  # query tile i sees the keys up to its last row (is_causal's mask: the diagonal from the top left)
        seen = sum(min(kv_tiles, math.ceil((i + 1) * SDPA_Q_TILE / SDPA_KV_TILE)) for i in range(q_tiles))
        per_block = seen / q_tiles
    else:
        per_block = kv_tiles
    head_steps = math.ceil(head_dim / SDPA_HEAD_STEP)
    return math.ceil(batch * heads * q_tiles / SMS) * (per_block * (head_steps + SDPA_KV_TILE_FIXED_STEPS)
                                                      + SDPA_BLOCK_FIXED_TILES)


# cuBLAS on sm90 splits a GEMM's contraction when its output has too few tiles to fill the GPU and the contraction is
# long: a nvjet ..._splitK kernel writes fp32 partial sums and cublasLt's splitKreduce_kernel adds them (profiled on
# an H200: calibration/e2e/diagnostics/case-kernels-matmul-2026-12-02, -gemm-more-). The two bounds are read off the
# fit groups' kernels (gemm-shapes and the earlier fit groups; no check): no split below a contraction of 2,560, splits
# from 3,072 (the threshold between them); splits up to 64 output tiles of 64 x 64, none from 80 bar one (between).
# The rule matches 196 of the fit groups' 198 16-bit GEMMs run by cuBLAS's sm90 kernels and 109 of the checks' 115.
# cuBLAS's own heuristic weighs more than these two numbers (a 4 x 5120 x 13824 product splits at 80 tiles, an
# 8 x 5120 x 5120 one does not).
SPLITK_MIN_K = 2816
SPLITK_MAX_TILES = 72
SPLITK_TILE = 64


def cublas_splits_k(m: int, n: int, k: int, batch: int) -> bool:
    """Whether cuBLAS splits the contraction of a 16-bit C[m, n] = A[m, k] B[k, n] (one product, not a batch): a
    long contraction over few output tiles, so two kernels (the split product, then the reduction of its parts)."""
    tiles = math.ceil(m / SPLITK_TILE) * math.ceil(n / SPLITK_TILE)
    return batch == 1 and k >= SPLITK_MIN_K and tiles <= SPLITK_MAX_TILES


SKINNY_SIDE = 64  # cuBLAS's nvjet tiles of 8-64 rows or columns: a product this narrow on one side streams the other


def skinny_product(m: int, n: int, batch: int) -> bool:
    """Whether a 16-bit C[m, n] (one product) is narrow enough on one side for cuBLAS's skinny nvjet tiles."""
    return batch == 1 and min(m, n) <= SKINNY_SIDE


CUTLASS_MIN_TILE = 64  # the smallest output tile of CUTLASS's sm75 align1 kernels (64 x 64, profiled)
# products of up to this many rows (or columns) run cuBLAS's gemmSN, not the tiles (profiled: 2 and 4 rows; 6 bf16 rows
# ran gemmSN too and 5 fp16 rows CUTLASS's wmma tiles, so the bound between is cuBLAS's heuristic, 4 taken)
GEMM_SN_MAX_SIDE = 4


def align1_tile_flops(m: int, n: int, k: int, batch: int) -> float:
    """The flops a product's output tiles run: its rows and columns padded to the smallest tile (a tile computes all
    its rows whatever the product fills: 16 rows of an lm head ran the time of 64)."""
    def pad(x: int) -> int:
        return math.ceil(x / CUTLASS_MIN_TILE) * CUTLASS_MIN_TILE

    return 2.0 * pad(m) * pad(n) * k * batch


# cuBLAS's batched fp32 GEMM (sm80_xmma_gemm_f32f32 ..._ffma, profiled on an H200: realcode-more27) computes 32 x 32
# output tiles, one 64-thread block each, stepping 8 along the contraction however little of a tile the product fills:
# its time follows waves of blocks and each block's walk of the contraction, not the flops (262,144 3 x 3 products ran
# 506 us, 131,072 2 x 2 255 us: ~1.95 ns a tile; 96 x 2 tiles walking 2,048 ran 75 us, 0.28 us a step)
FP32_TILE = (32, 32, 8)
# the tile blocks an SM runs at once (a wave is SMS x this): chosen by the fit's error over 2-16 on the fit groups'
# cases (median / p90 10.0 / 27 % at 4, 9.9 / 34 at 8, 15 / 95 at 16), never on a check
FP32_TILE_BLOCKS_PER_SM = 4


# a batch of small 16-bit products (profiled on an H200, realcode-more27 and -more29): nvjet picks a tile that covers
# each item (64 x 8, 64 x 16, 32 x 64, 64 x 64), so one block an item, stepping 16 along the contraction after a
# memset: 32,768 8 x 8 products 103 us, 3.1 ns an item, as 16,384 of 16 x 16 and 4,096 of 32 x 32 (3.2-3.6 ns)
HALF_TILE = (64, 64, 16)
# the rows of nvjet's tiles for a batch of few-row 16-bit products (tst / hsh_256x8 and kin, profiled on an H100:
# rowbmm-sweep): items of up to this many rows (or columns) run one tile row along their wide side
ROW_TILE_ROWS = 8


def tile_waves(m: int, n: int, k: int, batch: int, tile: tuple[int, int, int]) -> tuple[float, float]:
    """(blocks, steps) of a batched product on `tile` (rows, columns, contraction step; FP32_TILE, HALF_TILE): its
    output tiles, each walking its contraction's steps."""
    tm, tn, tk = tile
    return float(batch * math.ceil(m / tm) * math.ceil(n / tn)), float(math.ceil(k / tk))
# the tile blocks an SM runs at once (a wave is SMS x this): chosen by the fit's error over 1-16 on the fit groups'
# 15 cases (median / p90 1.6 / 9.0 % at 8, 3.2 / 15 at 1, 3.6 / 16 at 4, 3.0 / 41 at 16), never on a check
HALF_TILE_BLOCKS_PER_SM = 8
