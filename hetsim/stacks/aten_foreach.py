"""torch._foreach_* ops (torch.optim's default path on CUDA, clip_grad_norm_, zero_grad, GradScaler's unscale): ATen's
multi_tensor_apply packs the lists' chunks into launches, each an elementwise kernel over its share."""

from __future__ import annotations

import math
from typing import NamedTuple

from hetsim.hardware.launch import ACCUMULATE_BYTES, SMS
from hetsim.ops import Op, Pointwise
from hetsim.stacks.aten_shapes import _name, nbytes
from hetsim.tracing.trace import AtenOp, TensorMeta

# MultiTensorApply.cuh: a block takes a chunk of 65,536 elements; a launch holds up to 320 blocks and, by how many lists
# the kernel reads and writes (its depth), up to 110 / 64 / 48 / 36 / 30 tensors (profiled on an H200, realcode-more30:
# 8 x 4096 x 4096 fp32 zeroed in 7 launches of ~20 us, 150 tensors of 768 in 2)
CHUNK = 65536
MAX_BLOCKS = 320
MAX_TENSORS = (110, 64, 48, 36, 30)
# the lists a foreach op reads beside its first (lerp's end and weight, addcmul's two factors), by its base and
# overload; the rest read one list, `.List` overloads two
SECOND_LISTS = {("addcmul_", "Scalar"): 2, ("addcdiv_", "Scalar"): 2, ("addcmul_", "ScalarList"): 2,
                ("addcdiv_", "ScalarList"): 2, ("addcmul_", "Tensor"): 2, ("addcdiv_", "Tensor"): 2,
                ("lerp_", "List"): 2, ("lerp_", "Scalar"): 1, ("lerp_", "ScalarList"): 1,
                # _foreach_copy_(self, src): the sources a second list (FSDP2's all-gather copy-in)
                ("copy_", "default"): 1}
STORES_ONLY = frozenset({"zero_"})
# the foreach ops torch.optim, clip_grad_norm_ and GradScaler call (each in place and out of place)
FOREACH_BASES = tuple(f"_foreach_{b}{s}" for b in ("add", "sub", "mul", "div", "addcmul", "addcdiv", "lerp", "sqrt",
                                                   "maximum", "neg", "copy", "clamp_min", "clamp_max", "sign", "abs",
                                                   "exp", "reciprocal", "pow", "zero")
                      for s in ("", "_")) + ("_foreach_norm", "_amp_foreach_non_finite_check_and_unscale_")
NORMS = frozenset({"norm"})


class Launch(NamedTuple):
    """One multi_tensor_apply launch: its elements, its blocks (a chunk each) and the widest chunk a block walks."""

    elements: int
    blocks: int
    widest: int


def foreach_blocks(numels: list[int], depth: int) -> list[Launch]:
    """The launches multi_tensor_apply makes of tensors of `numels` at `depth` lists (its packing loop: a launch when
    its blocks reach MAX_BLOCKS or its tensors the depth's limit at a tensor's last chunk)."""
    max_tensors = MAX_TENSORS[min(depth, len(MAX_TENSORS)) - 1]
    launches, blocks, tensors, elements, widest = [], 0, 0, 0, 0
    for numel in numels:
        if numel == 0:
            continue
        tensors += 1
        chunks = math.ceil(numel / CHUNK)
        for chunk in range(chunks):
            blocks += 1
            share = min(CHUNK, numel - chunk * CHUNK)
            elements, widest = elements + share, max(widest, share)
            last = chunk == chunks - 1
            if (tensors == max_tensors and last) or blocks == MAX_BLOCKS:
                launches.append(Launch(elements, blocks, widest))
                blocks, elements, widest, tensors = 0, 0, 0, 0 if last else 1
    if blocks:
        launches.append(Launch(elements, blocks, widest))
    return launches


def foreach_launches(numels: list[int], depth: int) -> list[int]:
    """The elements of each launch multi_tensor_apply makes (foreach_blocks)."""
    return [launch.elements for launch in foreach_blocks(numels, depth)]


def chunk_walk(launch: Launch) -> int:
    """What a launch's slowest SM walks one step after another, as fp32 words: a block walks its chunk, 512 threads
    taking 4 elements a step (a load of each list, then the store), and a launch of more blocks than SMs queues them
    in waves. A few chunks are bound by that walk, not their bytes, and by its steps whatever the lists or the dtype:
    on an H100 (interp-sweep) a block's 65,536 elements ran 9.5-12.9 us in place over one list or two, 28,912 5.0 us,
    where the bytes at the HBM's rate take 1-2 us."""
    return int(math.ceil(launch.blocks / SMS) * launch.widest * ACCUMULATE_BYTES)


def _foreach(op: AtenOp) -> tuple[Op, ...]:
    base = op.base.removeprefix("_foreach_").removeprefix("_amp_foreach_")
    overload = op.name.rsplit(".", 1)[-1]
    tensors = [t for t in op.inputs if t.shape]  # a 0-dim tensor is a scalar argument (a lr, a found_inf flag)
    lists = 1 + SECOND_LISTS.get((base, overload), 1 if overload == "List" else 0)
    first = tensors[:max(len(tensors) // lists, 1)]
    writes = op.outputs if op.outputs and not base.endswith("_") else ()
    depth = lists + (1 if writes and base not in NORMS else 0)
    numels = [t.numel for t in first]
    per_element = _moved_per_element(base, lists, first[0].itemsize if first else 4, writes, max(sum(numels), 1))
    # a fill stores at the bandwidth a fill reaches; a norm's launches reduce (the lpnorm kernel), which the
    # elementwise walk of a chunk does not time
    regime = "pointwise_fill" if base in STORES_ONLY else "pointwise" if base in NORMS else "foreach"
    ops = [Pointwise(launch.elements, int(launch.elements * per_element), op.name, regime, name=_name(op),
                     walk=chunk_walk(launch) if regime == "foreach" else 0)
           for launch in foreach_blocks(numels, depth)]
    if base in NORMS:
        # the per-chunk partial norms summed a tensor at a time after the launches (lpnorm_cleanup), their buffer
        # zeroed before them
        partials = TensorMeta.dense((len(first),), "float32")
        ops = [Pointwise(len(first), nbytes(partials), op.name, "pointwise_fill", name=_name(op)), *ops,
               Pointwise(len(first), 2 * nbytes(partials), op.name, "pointwise", name=_name(op))]
    return tuple(ops)


def _moved_per_element(base: str, lists: int, itemsize: int, writes: tuple[TensorMeta, ...], total: int) -> float:
    """Bytes a foreach op moves an element of its first list."""
    if base in STORES_ONLY:
        return itemsize  # stores only
    if base == "copy_":
        return 2 * itemsize  # the source read, the destination written (never read)
    if base in NORMS:
        return itemsize * lists  # read once; the partial sums are apart
    if writes:
        return itemsize * lists + sum(nbytes(t) for t in writes) / total  # out of place: its outputs written
    return itemsize * (lists + 1)  # each list read, the first written back in place


def _amp_update_scale(op: AtenOp) -> tuple[Op, ...]:
    # GradScaler's scale update (amp_update_scale_cuda_kernel): one thread reads the found-inf flag and the growth
    # tracker and writes the scale back, a few bytes
    return (Pointwise(1, sum(nbytes(t) for t in op.inputs), op.name, "pointwise", name=_name(op)),)
