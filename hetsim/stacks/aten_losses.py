"""Losses ATen runs as one op: nll_loss (the second half of every cross-entropy), mse_loss and
binary_cross_entropy_with_logits."""

from __future__ import annotations

from dataclasses import replace

from hetsim.hardware import launch
from hetsim.ops import INDEX_BYTES, Op, Pointwise
from hetsim.stacks.aten_dispatch import lower_op
from hetsim.stacks.aten_shapes import SECTOR_BYTES, _name, nbytes
from hetsim.tracing.trace import AtenOp, TensorMeta

# at::Reduction: 0 none, 1 mean, 2 sum
NO_REDUCTION, MEAN_REDUCTION = 0, 1


def _nll_loss(op: AtenOp) -> tuple[Op, ...]:
    # NLLLoss.cu: each row's loss is the log-probability at its target, one element a row of the logits. Reduced (mean
    # or sum), nll_loss_forward_reduce_cuda_kernel_2d runs ONE block (launch.nll_loss_threads) whose threads loop over
    # the rows, a target and then the logit it names a trip, and whose thread 0 then adds the threads' partial sums
    # one after another: `steps` the threads (that serial sum), the work its trips (gpu.compute_work), the bytes a logit
    # and a target a row, never the logits tensor (realcode-check22: 2,048-4,096 rows of 100,352-151,936 logits ran
    # 8.4-8.7 us where the roofline priced the whole tensor at 500-775). Unreduced, an elementwise kernel a thread a row
    # after the output's fill (profiled: realcode-more30)
    x, target = op.inputs[0], op.inputs[1]
    rows = target.numel
    moved = rows * (x.itemsize + INDEX_BYTES)
    if int(op.args.get("reduction", 1)) == NO_REDUCTION:
        out = op.outputs[0]
        return (Pointwise(out.numel, nbytes(out), op.name, "pointwise_fill", name=_name(op)),
                Pointwise(rows, moved + nbytes(out), op.name, "pointwise", name=_name(op)))
    return (Pointwise(rows, moved, op.name, "nll_loss", rows=rows, steps=launch.nll_loss_threads(rows),
                      name=_name(op)),)


def _mse_loss(op: AtenOp) -> tuple[Op, ...]:
    # Loss.cpp mse_loss: the squared difference written by TensorIterator's binary kernel into a full-size tensor,
    # then mean / sum over it (profiled: an elementwise kernel, a memset and reduce_kernel, realcode-more30)
    x, y = op.inputs[0], op.inputs[1]
    diff = TensorMeta.dense(x.shape, x.dtype)
    square = lower_op(AtenOp("aten.sub.Tensor", (x, y), (diff,), {}, module=op.module))
    if int(op.args.get("reduction", 1)) == NO_REDUCTION:
        return tuple(replace(o, aten=op.name) for o in square)
    reduce = lower_op(AtenOp("aten.mean.default", (diff,), op.outputs, {}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in (*square, *reduce))


def _binary_cross_entropy(op: AtenOp) -> tuple[Op, ...]:
    # Loss.cu binary_cross_entropy: the loss an element by TensorIterator's binary kernel (its two logs clamped at
    # -100) into a full-size tensor, a weight multiplied in place, then mean / sum over it as mse_loss's
    x, target, *weight = op.inputs
    loss = TensorMeta.dense(x.shape, x.dtype)
    steps = lower_op(AtenOp("aten.xlogy.Tensor", (x, target), (loss,), {}, module=op.module))
    if weight:
        steps += lower_op(AtenOp("aten.mul_.Tensor", (loss, weight[0]), (loss,), {}, module=op.module))
    if int(op.args.get("reduction", 1)) != NO_REDUCTION:
        steps += lower_op(AtenOp("aten.mean.default", (loss,), op.outputs, {}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in steps)


def _nll_loss2d(op: AtenOp) -> tuple[Op, ...]:
    # nll_loss over a map (NLLLoss2d.cu: [N, C, H, W] log-probabilities, [N, H, W] targets), two kernels by reduction.
    x, target = op.inputs[0], op.inputs[1]
    positions = target.numel
    reduction = int(op.args.get("reduction", 1))
    if reduction == NO_REDUCTION:
        # nll_loss2d_forward_no_reduce_kernel: a thread a position, its index split batch-fastest (b = index % N, then
        # h, then w), so neighbouring threads read their targets, picks and outputs a plane or a row apart, a 32-byte
        # sector each (on an H100: 2-8 x 19 x 512 x 1024 maps ran 36-161 us, ~27 G positions a second, where the
        # picked elements' bytes priced 3-11; realcode-check24, -25 and -31's segmentation losses)
        per_position = INDEX_BYTES + 2 * x.itemsize if coalesced_map(target) else 3 * SECTOR_BYTES
        return (Pointwise(positions, positions * per_position, op.name, "pointwise", name=_name(op)),)
    # Reduced (mean or sum): the loss and its total weight zeroed, then nll_loss2d_forward_kernel: blocks_per_sample
    # blocks a sample, each thread looping over the map a block width times that apart, a target load and then the
    # log-probability it names a trip, one after another (torch.gather's dependent pair: the gather_elements key and its
    # walk); then the partial sums added atomically and, for a mean, one thread divides
    loop = launch.nll_loss2d_loop(target.shape[0] if target.shape else 1, positions)
    walk = launch.dependent_pair_walk(loop.blocks, launch.MAX_BLOCK_THREADS, loop.trips, INDEX_BYTES, x.itemsize)
    pick = Pointwise(positions, positions * (x.itemsize + INDEX_BYTES), op.name, "gather_elements", walk=walk,
                     name=_name(op))
    zeros = tuple(Pointwise(t.numel, nbytes(t), op.name, "pointwise_fill", name=_name(op)) for t in op.outputs)
    mean = ((Pointwise(1, 2 * nbytes(op.outputs[0]), op.name, "pointwise", name=_name(op)),)
            if reduction == MEAN_REDUCTION else ())
    return (*zeros, pick, *mean)


def coalesced_map(target: TensorMeta) -> bool:
    """Whether the no-reduce kernel's neighbouring threads read neighbouring targets: only a batch of one over maps
    one element wide steps the target, the output and a class plane's picks with stride 1 (their own bytes then)."""
    return len(target.shape) == 3 and target.shape[0] == 1 and target.shape[2] == 1


def _bce_with_logits(op: AtenOp) -> tuple[Op, ...]:
    # Loss.cpp binary_cross_entropy_with_logits, composite on CUDA: log_sigmoid(input); (1 - target) as a filled tensor
    # minus the target; .mul_(input); .sub_(log_sigmoid) (profiled on an H200, realcode-check22: log_sigmoid_forward,
    # FillFunctor, add twice, mul: five full-size elementwise kernels where the roofline priced one pass); a weight
    # multiplied in place, a pos_weight's (pos_weight - 1) * target + 1 scaling the log-sigmoid first; then the
    # reduction (mean / sum) as mse_loss's
    x, target, *extra = op.inputs
    # the optional tensors the call passed, in schema order (a trace records None for one it left out)
    weight = extra.pop(0) if extra and op.args.get("weight", x) is not None else None
    pos_weight = extra.pop(0) if extra else None
    full = TensorMeta.dense(x.shape, x.dtype)

    def run(name: str, *inputs: TensorMeta, args: dict | None = None) -> tuple[Op, ...]:
        return lower_op(AtenOp(name, inputs, (full,), args or {}, module=op.module))

    steps = run("aten.log_sigmoid_forward.default", x)
    if pos_weight is not None:
        scale = TensorMeta.dense(pos_weight.shape, pos_weight.dtype)
        steps += lower_op(AtenOp("aten.sub.Tensor", (pos_weight,), (scale,), {"other": 1}, module=op.module))
        steps += run("aten.mul.Tensor", scale, target) + run("aten.add_.Tensor", full, args={"other": 1})
        steps += run("aten.mul_.Tensor", full, full)
    steps += run("aten.fill_.Scalar", full, args={"value": 1}) + run("aten.sub.Tensor", full, target)
    steps += run("aten.mul_.Tensor", full, x) + run("aten.sub_.Tensor", full, full)
    if weight is not None:
        steps += run("aten.mul_.Tensor", full, weight)
    if int(op.args.get("reduction", 1)) != NO_REDUCTION:
        steps += lower_op(AtenOp("aten.mean.default", (full,), op.outputs, {}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in steps)
