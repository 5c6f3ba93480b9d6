"""The kernels PyTorch's CUDA sorts launch, as ops a GPU model prices: torch.sort / argsort along a dim, and the sort
torch.topk runs after its select when asked for sorted results (its default).

Sort.cpp sorts a row of up to 4,096 keys in place, a block a row (sortKeyValueInplace, Sort.cu): a bitonic sort in
registers up to 32 keys (not stable), else cub's block radix sort in shared memory (radixSortKVInPlace, a pass per
4-bit digit of the key; profiled on an H200 with torch 2.11: no warp merge sort at 33-128 keys, realcode-more21).
Longer rows take one of SortStable.cu's three paths (`_long_sort`).

torch.topk (TensorTopK.cpp) selects the k largest of each row unordered (its radix select: the `TopK` op), then, if
`sorted` and the k results hold more than one value, sorts them: in place when k <= 4,096; else by the long-row sort
into new tensors, a torch.gather of the indices through the sorted order and two copies back. k = 1 sorts nothing.
"""

from __future__ import annotations

import math
from dataclasses import replace

from hetsim.hardware.launch import next_pow2
from hetsim.ops import INDEX_BYTES, Copy, Op, Pointwise, TopK, dtype_bytes

SMALL_SORT = 4096  # Sort.cpp's should_use_small_sort: a row this short sorts in one block's shared memory
# threads of radixSortKVInPlace resident at once over an H200, an effective figure (its blocks hold 2-32 keys a thread
# in registers and shared memory, so few fit an SM): chosen by the error of the sort keys' fits over 8-32K on the
# realcode-more21 sorts and top-k twins, never on a check (4,096 rows of 128 fp32 keys ran ~11 waves of one row's time)
RADIX_SORT_THREADS = 16384
BITONIC_SORT = 32  # sortKeyValueInplace: up to this many keys, a bitonic sort (unstable)
BLOCK_SORT_DIGIT_BITS = 4  # cub::BlockRadixSort's default RADIX_BITS
SEGMENTED_SORT_FROM, LARGE_SEGMENT = 128, 1_000_000  # SortStable.cu's launch_stable_sort_kernel heuristics
ONESWEEP_DIGIT_BITS, SEGMENTED_DIGIT_BITS = 8, 6  # cub's radix digits: device-wide onesweep, segmented sort
SORT_BLOCKS = 132  # a segmented sort's blocks resident at once on an H100 / H200 (one per SM: its tiles)


def sort_kernels(numel: int, n: int, itemsize: int, nbytes: int, aten: str, name: str,
                 stable: bool = False) -> tuple[Op, ...]:
    """The kernels torch.sort runs over `numel` keys of `itemsize` bytes in rows of `n`, with their int64 indices,
    moving `nbytes` in and out (the keys read, the sorted keys and indices written). A row of <= 4,096 keys:
    `sort_inplace`, the copies into the outputs (the keys, an index row broadcast) and the in-place sort as one: the
    radix sort's passes (`radix_steps`) one after another bind, not the bytes; the bitonic sort has none."""
    if n <= SMALL_SORT:
        steps = 0 if n <= BITONIC_SORT and not stable else radix_steps(numel // max(n, 1), n, itemsize)
        return (Pointwise(numel, nbytes, aten, "sort_inplace", steps=steps, name=name),)
    return (_long_sort(numel, n, itemsize, nbytes, aten, name),)


def radix_steps(rows: int, n: int, itemsize: int) -> int:
    """radixSortKVInPlace's serial work over `rows` rows of n keys of `itemsize` bytes: a pass per 4-bit digit, each
    walking the keys a thread holds (radix_items), once per wave of blocks (a block a row, of n / radix_items
    threads rounded up to the configuration's, RADIX_SORT_THREADS of them at once over the GPU)."""
    block = max(1, radix_size(n) // radix_items(n))
    waves = math.ceil(rows * block / RADIX_SORT_THREADS)
    return math.ceil(8 * itemsize / BLOCK_SORT_DIGIT_BITS) * radix_items(n) * waves


def radix_size(n: int) -> int:
    """The configuration's row length: n rounded up to a power of two, at least 32, the 256-1,024 ones run as 1,024."""
    size = max(32, next_pow2(n))
    return 1024 if 256 <= size <= 1024 else size


def radix_items(n: int) -> int:
    """Keys each thread of radixSortKVInPlace holds for a row of n (MediumRadixSort's configurations by n rounded up
    to a power of two: (32 keys, 2 a thread), (128, 4), (1,024, 32) for 256-1,024, (2,048, 32), (4,096, 32)): its
    passes' serial work (a warp sorting a row of 1,024 walks 32 keys a thread each pass)."""
    size = radix_size(n)
    return 2 if size <= 32 else 4 if size <= 128 else 32


def _long_sort(numel: int, n: int, itemsize: int, nbytes: int, aten: str, name: str) -> Pointwise:
    # rows of more than 4,096 keys take one of SortStable.cu's three paths:
    # - one segment, or segments of >= 1M keys: cub's device radix sort of (key, int64 index) pairs per segment, one
    #   after another: a histogram pass, then a pass per 8-bit digit (fp32 four, bf16 two), each with a fixed cost
    #   (its look-back chain: ~9.7 us for 128K keys on an H200, profiled) beside its bytes;
    # - fewer than 128 segments: one such sort of every key with (segment, index) pairs, a sort of those by segment
    #   over ceil(log2 segments) bits, and a gather (sort_postprocess_kernel);
    # - more: cub's segmented radix sort, a block per segment walking it once per 6-bit digit (six passes of fp32,
    #   three of bf16): waves of segments over the SMs (`sort_segmented`).
    # `sort`: a fixed cost per pass (`steps`) plus the passes' bytes; the bytes of the first two paths are each digit
    # pass's pairs read and written
    segments = numel // max(n, 1)
    bits = 8 * itemsize
    pairs = numel * (itemsize + INDEX_BYTES)
    if segments >= SEGMENTED_SORT_FROM and n < LARGE_SEGMENT:
        passes = math.ceil(bits / SEGMENTED_DIGIT_BITS)
        walk = passes * math.ceil(segments / SORT_BLOCKS) * n * (itemsize + INDEX_BYTES)
        return Pointwise(numel, nbytes + 2 * passes * pairs, aten, "sort_segmented", walk=walk, name=name)
    digits = math.ceil(bits / ONESWEEP_DIGIT_BITS)
    if segments == 1 or n >= LARGE_SEGMENT:
        steps = segments * (digits + 1)
    else:
        steps = digits + 1 + math.ceil(max(1, math.ceil(math.log2(segments))) / ONESWEEP_DIGIT_BITS) + 1 + 1
    return Pointwise(numel, nbytes + 2 * digits * pairs, aten, "sort", steps=steps, name=name)


def topk_sort(op: TopK) -> tuple[Op, ...]:
    """The kernels torch.topk runs after its select to order each row's k results (none where it was asked for
    unsorted ones, or the results hold one value per row and so nothing to order)."""
    if not op.sorted or op.k <= 1:
        return ()
    size = dtype_bytes(op.dtype)
    numel = op.rows * op.k
    pairs = numel * (size + INDEX_BYTES)
    name = f"{op.name or 'topk'}.sort"
    if op.k <= BITONIC_SORT:
        # in place over the values and their indices, both read and written: a bitonic sort in registers
        return (Pointwise(numel, 2 * pairs, "aten.topk", "topk_sort_bitonic", name=name),)
    if op.k <= SMALL_SORT:
        # cub's block radix sort in shared memory: a pass per 4-bit digit, each walking the thread's keys
        return (Pointwise(numel, 2 * pairs, "aten.topk", "topk_sort_radix", steps=radix_steps(op.rows, op.k, size),
                          name=name),)
    # the long-row sort into new tensors, the indices gathered through the sorted order (an index read, an index
    # gathered and written a result), then both results copied back into topk's outputs
    return (*sort_kernels(numel, op.k, size, 2 * pairs, "aten.topk", name),
            Pointwise(numel, 3 * numel * INDEX_BYTES, "aten.gather", "gather_elements", name=f"{name}.gather"),
            Copy(numel * INDEX_BYTES, name=f"{name}.copy_indices"), Copy(numel * size, name=f"{name}.copy_values"))


def kernels(op: Op) -> tuple[Op, ...]:
    """The op as the kernels a GPU runs for it, where they are priced apart: a sorted top-k's select, then its sort."""
    if isinstance(op, TopK) and (after := topk_sort(op)):
        return (replace(op, sorted=False), *after)
    return (op,)
