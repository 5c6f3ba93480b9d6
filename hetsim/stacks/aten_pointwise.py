"""Elementwise ops on TensorIterator's kernels (vectorised, unrolled with casts, strided), and the kernels that only
store: fills, factories (eye, arange, linspace), random draws; where, masked_fill, glu, isinf, tril / triu."""

from __future__ import annotations

from dataclasses import replace

from hetsim.hardware import launch
from hetsim.ops import Op, Pointwise
from hetsim.stacks.aten_casts import INTEGER_DTYPES, _to_copy
from hetsim.stacks.aten_copies import _dense_copy
from hetsim.stacks.aten_shapes import (
    HALF_BYTES,
    _name,
    expanded,
    iteration_dims,
    iteration_stride,
    nbytes,
    reads_across,
    same_dense_layout,
    span_bytes,
    strided,
)
from hetsim.tracing.classify import MATH_ELEMENTWISE
from hetsim.tracing.trace import AtenOp, TensorMeta


def _glu(op: AtenOp) -> tuple[Op, ...]:
    # F.glu(x, dim) (GluKernel: a * sigmoid(b) over the two halves of `dim`): one elementwise kernel reading both
    # halves as views of x (strided unless dim is the outermost) and writing the half-size output, a sigmoid a element
    x, out = op.inputs[0], op.outputs[0]
    dim = int(op.args.get("dim", -1)) % len(x.shape)
    halves = tuple(TensorMeta(out.shape, x.stride, x.dtype, view=True, contiguous=dim == 0 and not strided(x))
                   for _ in range(2))
    return _pointwise(replace(op, inputs=halves))


def broadcasts(op: AtenOp, out: TensorMeta) -> bool:
    """Whether an elementwise op reads an input through a broadcast or a non-contiguous layout:
    TensorIterator's strided kernel, not the contiguous vectorised one. A one-element tensor broadcast over a larger
    output is such an input (stride 0 along the output: a mask's `cache_position <= position`), a 0-dim one too: a
    Python number reaches the trace as a plain argument, never as a tensor, so a traced 0-dim tensor is a buffer or a
    reduction's result, on the GPU where the model runs (a fake CPU trace cannot tell; a CPU tensor is rare in model
    code), and ATen lifts only CPU scalars into a kernel's arguments (gpu_kernel_with_scalars). Profiled: a div by a
    0-d scale over 16 M elements ran elementwise_kernel<128, 4> in 41 us where the vectorised kernel takes 17;
    torch.where's 0-dim value likewise (realcode-check11, -check13). Operands all dense in one layout, permuted or not
    (two transposed views of the same heads), coalesce to one contiguous dim (TensorIterator reorders and coalesces
    the dims): the vectorised kernel (profiled: realcode-more7's transposed adds)."""
    return any((t.numel > 1 or out.numel > 1) and not same_dense_layout(t, out) for t in op.inputs)


def operands(op: AtenOp) -> int:
    """Tensors an elementwise kernel addresses per element: the output and each input."""
    return 1 + len(op.inputs)


def casts(op: AtenOp, out: TensorMeta) -> bool:
    """Whether an elementwise kernel converts between dtypes as it loads or stores (CUDALoops.cuh's dynamic
    casting: LoadWithCast / StoreWithCast, never vectorised): its tensor operands in more than one dtype, a
    comparison's bool output and a bool condition or mask aside (their functors take them as they are); a 0-dim
    input counts (a GPU tensor, `broadcasts`: its kernel casts its loads)."""
    values = list(op.inputs)
    if op.base.rstrip("_") in MASKED:
        values = [t for t in values if t.dtype != "bool"]  # where's condition, masked_fill's mask
    dtypes = {t.dtype for t in values}
    if op.base.rstrip("_") not in COMPARISONS:
        dtypes.add(out.dtype)
    return len(dtypes) > 1


MASKED = frozenset({"where", "masked_fill"})  # a bool condition or mask beside values of the result's dtype
COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
                         "logical_not", "isnan", "isinf", "isfinite", "signbit"})


def _pointwise(op: AtenOp) -> tuple[Op, ...]:
    ops = _elementwise(op)
    if op.inplace and op.outputs and len(ops) == 1 and isinstance(ops[0], Pointwise) and loads_output(op):
        # an in-place op (a += b, x.exp_(), an optimizer's update) writes the buffer it read: its output is held once,
        # so a replayed op's working set is its inputs' (residency.working_bytes): 4864 x 896 fp32 add_ ran 6.6 TB/s
        # of its three tensors' bytes where two of them fit the L2 (realcode-check22, realcode-more29)
        return (replace(ops[0], reread=ops[0].reread + nbytes(op.outputs[0])),)
    return ops


def loads_output(op: AtenOp) -> bool:
    """Whether an in-place op's kernel loads the buffer it writes: every in-place elementwise op but a fill (fill_,
    zero_: stores only, or the value copied in) or a draw (uniform_, exponential_: Philox numbers stored), whose
    buffer is in its working set once already."""
    return bool(op.inputs) and op.base not in STORES_IN_PLACE


def _elementwise(op: AtenOp) -> tuple[Op, ...]:
    out = op.outputs[0] if op.outputs else (op.inputs[0] if op.inputs else None)
    if out is None:
        return ()
    if op.name == "aten.pow.Scalar" and op.inputs:
        # torch.pow(number, tensor) (Pow.cpp pow_Scalar_out): the number stored into a 0-dim GPU tensor (a double, a
        # long for an integer), then the tensor-tensor pow with it broadcast (profiled on an H200, realcode-check20:
        # FillFunctor 0.75 us, then pow_tensor_tensor_kernel's unvectorised kernel 1.6 us); a base of 1 is a fill
        if op.args.get("self") == 1:
            return (_stores(out, op.name, _name(op)),)
        base = TensorMeta((), (), "int64" if isinstance(op.args.get("self"), int) else "float64")
        power = _pointwise(replace(op, name="aten.pow.Tensor_Tensor", inputs=(base, *op.inputs), args={}))
        return (_stores(base, op.name, _name(op)), *(replace(o, aten=op.name) for o in power))
    if stores_only(op, out):
        # a factory or a dense fill that loads nothing (FillFunctor's vectorised kernel, 16-byte stores; arange's
        # elementwise_kernel_with_index): no load to wait on, so a few elements run ~0.7 us of kernel where a kernel
        # that loads first runs ~1 (profiled on an H200, the checks: ~0.95-1.05 us a CUDA-graph replay, priced 1.2 by
        # the loading kernels' floor); 16-bit fills bind on their stores' count (~1.6 G elements a ms), wider ones on
        # their bytes; arange's index kernel runs far below both (151,552 int64 in 2.2 us): keys of their own
        return (_stores(out, op.name, _name(op), "pointwise_arange" if op.base == "arange" else "pointwise_fill"),)
    if op.base in FILLS:
        # ones_like / zeros_like / full_like take a tensor for its shape only: ATen's fill kernel writes the output
        # (FillFunctor, vectorised; profiled: realcode-more9), whatever the input's dtype
        narrow = out.itemsize == 1
        return (Pointwise(out.numel, nbytes(out), op.name, "pointwise_narrow" if narrow else "elementwise",
                          operands=1 if narrow else 0, name=_name(op)),)
    if op.base in ("fill_", "zero_") and not same_dense_layout(out, out):
        # a fill of a strided view (logits[:, banned] = -inf's rows, a mask's column): the value (a 0-dim tensor,
        # fill_.Tensor, goes through copy_) stored through the strided kernel, nothing loaded per element: a store-only
        # kernel's latency, ~1.2-1.3 us for tens of elements on an H200 where the strided binary's fitted floor says
        # 1.8 (profiled: elementwise_kernel<128, 4> of direct_copy, realcode-check15; six checks alike)
        return (Pointwise(out.numel, nbytes(out), op.name, "elementwise", operands=0, name=_name(op)),)
    if op.base.rstrip("_") == "where" and casts(op, out):
        # torch.where of two dtypes casts the other value to the result's dtype first (where_self_out's .to: a
        # cast kernel, then where on one dtype; profiled: realcode-more7)
        ops: tuple[Op, ...] = ()
        inputs = [op.inputs[0]]
        for t in op.inputs[1:]:
            if t.dtype != out.dtype:  # a 0-dim value too (where_self_out's .to takes every tensor)
                cast = replace(t, dtype=out.dtype)  # .to keeps a dense layout's strides
                ops += _to_copy(AtenOp("aten._to_copy.default", (t,), (cast,), {}, module=op.module))
                t = cast
            inputs.append(t)
        return (*ops, *_pointwise(replace(op, inputs=tuple(inputs))))
    read = sum(nbytes(t) for t in op.inputs)
    write = nbytes(out)
    mixed = casts(op, out)
    loads = len(op.inputs)  # the tensors it loads: which measured neighbours it is like (Pointwise.tensor_inputs)
    # up to a warp of outputs is one warp's round trip whatever its operands' layout: priced as the contiguous
    # kernels (the strided keys' fixed costs are fitted at streaming sizes; a lone warp over 2 x 1 strided elements
    # ran 1.1-1.3 us on both GPUs where they say 1.65-1.7)
    if broadcasts(op, out) and out.numel > launch.WARP:
        # an operand stepping a few elements apart along the output's fastest dim (x[..., ::2], GeGLU's and GPT-J
        # rotary's interleaved halves) loads every sector it spans, the skipped elements too: its bytes are its span
        # (GeGLU's clamp over 4 x 1024 x 14336 bf16 halves read at stride 2 ran 154 us, ~2.3 TB/s of span where the
        # strided kernel streams ~2.6; priced from the halves' own bytes it was 92: realcode-check15)
        steps = [iteration_stride(t, out) for t in op.inputs]
        read = sum(span_bytes(t, step) for t, step in zip(op.inputs, steps, strict=True))
        # rotary's cos * q, RMSNorm's weight * x: TensorIterator's strided kernel, its own regime where fitted; its
        # per-element work (an offset and a load or store per operand) grows with the operands: torch.where's four
        # (out, cond, a, b) against a binary's three. Operands of mixed dtypes add a cast per load and store
        # (`pointwise_strided_cast`: fp32 weights times bf16 states ran ~1.6x the same-dtype kernel's price)
        count = operands(op)
        if math_op(op):
            # an activation's math per element (GELU's erf, SiLU's exp, in fp32) costs what one more operand's offset
            # and access does: GELU over a sliced half of 4096 x 32768 bf16 ran 101 us, priced 56 as a unary
            # (realcode-more7); SwiGLU's and GeGLU's activation and product over the same halves ran alike
            count += 1
        regime = "pointwise_strided_cast" if mixed else "pointwise_broadcast"
        if not mixed and any(reads_across(t, step) for t, step in zip(op.inputs, steps, strict=True)):
            # an operand read across its layout (x + y.mT, an in-place op on a permuted view): neighbouring threads
            # load elements a sector or more apart, a sector each, as a transposing copy does (an add of a
            # transposed 4096 x 4096 bf16 ran 129 us where the strided binary's rate says 40: realcode-check12):
            # its own regime where fitted
            regime = "pointwise_transpose"
        elif regime == "pointwise_broadcast" and op.base.endswith("_") and out.itemsize == HALF_BYTES:
            # in place over 16-bit elements (x.add_(bias), scores.masked_fill_(mask, v) and masked_fill's own after its
            # clone): the checks ran these ~17 % under the out-of-place kernel's rate (~310-335 G elements a second
            # against ~385 on an H100), fp32 ones alike to theirs; its own key where fitted (inplace-sweep's twins)
            regime = "pointwise_inplace_half"
        return (Pointwise(out.numel, read + write, op.name, regime, operands=count, dims=iteration_dims(op, out),
                          tensor_inputs=loads, name=_name(op)),)
    if mixed:
        # contiguous operands of mixed dtypes (fp32 residuals plus bf16 states, `1.0 - mask` of an int64 mask):
        # TensorIterator's unrolled kernel with a cast per load and store, never vectorised (profiled:
        # unrolled_elementwise_kernel, ~2.6 TB/s where the vectorised kernel streams ~4): `pointwise_cast`
        # into a 16-bit output (an int8 weight times its fp16 scale, a bool mask times bf16 scores) the kernel ran
        # below the fp32 outputs' element rate the key was fitted on (-33 % on an H100): its own key where fitted
        # (castmix-sweep)
        regime = "pointwise_cast_half" if out.itemsize == HALF_BYTES else "pointwise_cast"
        return (Pointwise(out.numel, read + write, op.name, regime, tensor_inputs=loads, name=_name(op)),)
    if max([t.itemsize for t in op.inputs if t.shape] + [out.itemsize]) == 1:
        # every operand one byte wide (a bool mask's logic, uint8 unpacking: w >> 4, w & 15): the vectorised kernel
        # loads 4 elements at a time (vectorized_elementwise_kernel<4, ...>, profiled: realcode-more9), 4-byte loads,
        # so its elements, not its bytes, set the pace: an element rate per operand (uint8 shifts over 16-96 M
        # elements ran ~1.5 T elements/s, ~3 TB/s of bytes)
        return (Pointwise(out.numel, read + write, op.name, "pointwise_narrow", operands=operands(op),
                          name=_name(op)),)
    if op.base.rstrip("_") in INTEGER_DIVISIONS and out.dtype == "int64":
        # int64 floor division and remainder (a flat top-k index back to its row and column): a long software
        # division per element, so a thread's few elements cost ~1 us more than a plain kernel's whatever the size
        # (2.2-2.7 us from 3,000 to 262,144 elements on an H200, the bytes' rate beyond; realcode-more9, the checks):
        # its own regime where fitted
        return (Pointwise(out.numel, read + write, op.name, "pointwise_int_div", tensor_inputs=loads,
                          name=_name(op)),)
    if special := SPECIAL_FUNCTIONS.get(op.base.rstrip("_")):
        return (Pointwise(out.numel, read + write, op.name, special, tensor_inputs=loads, name=_name(op)),)
    if math_op(op):
        # an exp, an erf polynomial or a log per element (in fp32 for 16-bit inputs): its own regime, an element rate
        # beside the bytes where fitted (GELU over 1500 x 5120 fp16 ran 0.8 G elements a ms on an H200, where the
        # bytes alone say twice that)
        return (Pointwise(out.numel, read + write, op.name, "pointwise_math", tensor_inputs=loads,
                          name=_name(op)),)
    # a binary with a number (x / 2.0) passes it as a kernel argument and loads one tensor, with a tensor it loads two:
    # at a few thousand elements 1.2 us against 1.4-1.9 (tiny-sweep), the same op to its neighbours' table
    return (Pointwise(out.numel, read + write, op.name, tensor_inputs=loads, name=_name(op)),)


def _eye(op: AtenOp) -> tuple[Op, ...]:
    # torch.eye on a GPU (TensorFactories.cpp eye_out: result.zero_(), then result.diagonal().fill_(1)): a fill of the
    # output, then a fill of its diagonal, a view a row plus one apart (the strided kernel)
    out = op.outputs[0]
    n = min(out.shape) if len(out.shape) == 2 else 0
    ops = _pointwise(AtenOp("aten.zeros_like.default", (out,), (out,), {}, module=op.module))
    if n:
        diagonal = TensorMeta((n,), (out.stride[0] + out.stride[1],), out.dtype, view=True, contiguous=False)
        ops += _pointwise(AtenOp("aten.fill_.Scalar", (diagonal,), (diagonal,), {"value": 1}, module=op.module))
    return tuple(replace(o, aten=op.name) for o in ops)


def _diag_embed(op: AtenOp) -> tuple[Op, ...]:
    # torch.diag_embed (TensorShape.cpp: zeros of the output, then its diagonal view copied from the input): a fill,
    # then the strided copy kernel into a view a row plus one apart (profiled: realcode-check23's Glow and orthogonal
    # features, ~2.2-2.7 us where the roofline priced 14)
    x, out = op.inputs[0], op.outputs[0]
    ops = _pointwise(AtenOp("aten.zeros_like.default", (out,), (out,), {}, module=op.module))
    if len(out.shape) >= 2:
        diagonal = TensorMeta(x.shape, (*out.stride[:-2], out.stride[-2] + out.stride[-1]), out.dtype, view=True,
                              contiguous=False)
        ops += _pointwise(AtenOp("aten.copy_.default", (diagonal, x), (diagonal,), {}, inplace=True,
                                 module=op.module))
    return tuple(replace(o, aten=op.name) for o in ops)


def stores_only(op: AtenOp, out: TensorMeta) -> bool:
    """Whether the op's kernel stores its output and loads nothing: a factory (zeros, full, arange, ones_like), or a
    fill of a whole dense tensor in place (fill_ with a number, zero_). A bool output stays with the one-byte kernels
    (`pointwise_narrow`: 4-element stores), a fill_ with a tensor value copies it (copy_'s broadcasting kernel)."""
    if out.dtype == "bool" or not out.numel:
        return False
    if op.base in FACTORIES:
        return True
    return op.name in ("aten.fill_.Scalar", "aten.zero_.default") and same_dense_layout(out, out)


def _stores(out: TensorMeta, aten: str, name: str, regime: str = "pointwise_fill") -> Pointwise:
    """A kernel that stores `out` whole and loads nothing (its element work: the stores)."""
    return Pointwise(out.numel, nbytes(out), aten, regime, operands=1, name=name)


# factories that store every element of their output and read nothing (FillFunctor, arange's index kernel)
FACTORIES = frozenset({"zeros", "ones", "full", "scalar_tensor", "arange", "zeros_like", "ones_like", "full_like",
                       "new_zeros", "new_ones", "new_full"})
# ops that take a tensor for its shape and dtype only and write the output (a fill)
FILLS = frozenset({"ones_like", "zeros_like", "full_like", "new_ones", "new_zeros", "new_full",
                   # factories that write their output whole (torch.tril_indices' coordinates)
                   "tril_indices", "triu_indices"})
# integer divisions (int64 operands: a software division per element)
INTEGER_DIVISIONS = frozenset({"floor_divide", "remainder", "div"})
# elementwise ops whose math per element can bind before their bytes (activations, exp / log, trigonometry)
MATH_OPS = frozenset({"gelu", "silu", "sigmoid", "tanh", "exp", "exp2", "expm1", "erf", "log", "log1p", "sin", "cos",
                      "log_sigmoid_forward", "atan2",
                      "softplus", "elu", "mish", "log10", "log2", "logaddexp", "glu", "sqrt", "xlogy",
                      # autograd's activation gradients (test-time training's inner step): the activation recomputed
                      "silu_backward", "gelu_backward", "sigmoid_backward", "tanh_backward",
                      # inverse and hyperbolic trigonometry, special functions (tracing.classify)
                      *MATH_ELEMENTWISE})


# ATen's special functions whose CUDA code loops or chains series (digamma's recurrence up to x >= 10 and its
# reflection, trigamma's to x >= 6, igamma's series and continued fraction of up to 2,000 terms, lgamma's and ndtri's
# rational approximations, the Bessel functions' Chebyshev series), each its own regime: a thread's chain sets a fixed
# cost far above an activation's (an H100 ran 5,664 igammas in 42 us, 11,281 digammas in 9.8 us, 18,024 lgammas in
# 3.9 us) and its element rate lies 2-25x below pointwise_math's (pool-special-sweep: digamma -86 %, igamma -96 %
# priced as pointwise_math). The rest of MATH_ELEMENTWISE stays pointwise_math (erfc, asinh, atan within 20 % there).
# (torch.special's aliases, gammaln, psi, gammainc, decompose to these before a trace records them)
SPECIAL_FUNCTIONS = {
    "digamma": "special_digamma", "polygamma": "special_polygamma", "special_zeta": "special_polygamma",
    "lgamma": "special_lgamma", "igamma": "special_igamma", "igammac": "special_igamma",
    "special_ndtri": "special_ndtri", "i0": "special_bessel", "special_i0e": "special_bessel",
    "special_i1": "special_bessel", "special_i1e": "special_bessel",
}


# exponents pow_tensor_scalar_kernel runs as products or a reciprocal (PowKernel.cu); any other is powf per element,
# or sqrt / rsqrt for 0.5 / -0.5 (profiled fp32 x ** 0.7 over 97 M elements at ~1 TB/s, x ** 4 over 42 M at 2.5: the
# checks, -41..-52 % as a plain elementwise kernel)
POW_PRODUCTS = frozenset({1, 2, 3, -1, -2})


def math_op(op: AtenOp) -> bool:
    """Whether an elementwise op's math per element can bind before its bytes: MATH_OPS, and a power of a tensor by a
    number pow_tensor_scalar_kernel does not run as products."""
    base = op.base.rstrip("_")
    if base == "pow" and op.name.endswith("Tensor_Scalar"):
        return op.args.get("exponent") not in POW_PRODUCTS
    return base in MATH_OPS


def _masked_fill(op: AtenOp) -> tuple[Op, ...]:
    # out-of-place masked_fill is two kernels on a GPU (TensorAdvancedIndexing.cpp masked_fill: the input cloned
    # contiguous, then masked_fill_ in place on the clone), where the trace records one op: a mask of another shape
    # makes the fill TensorIterator's strided kernel
    x, out = op.inputs[0], op.outputs[0]
    if x.shape != out.shape:
        # the mask broadcasts the input (expand_outplace before the clone): the clone reads the expanded view
        x = expanded(x, out.shape)
    fill = AtenOp("aten.masked_fill_.Scalar", (TensorMeta.dense(out.shape, out.dtype), *op.inputs[1:]), (out,),
                  {}, module=op.module)
    return (*_dense_copy(x, op), *_pointwise(fill))


def _tril(op: AtenOp) -> tuple[Op, ...]:
    # tril / triu: ATen's triu_tril_kernel (each thread computes its element's row and column): 1.8-2.7 TB/s on an
    # H200 (fitted 2.7) where a plain elementwise kernel moves ~5.8: regime `tril`
    x, out = op.inputs[0], op.outputs[0]
    return (Pointwise(out.numel, nbytes(x) + nbytes(out), op.name, "tril", name=_name(op)),)


def _isinf(op: AtenOp) -> tuple[Op, ...]:
    """isinf as TensorCompare.cpp composes it for a float tensor: `self.abs() == inf`, a kernel each (profiled:
    isinf over a strided bf16 half ran the abs into a dense tensor, 139 us, then the comparison, 43:
    realcode-check15); an integer tensor is never infinite (a fill). (isfinite is composite-implicit: a trace records
    its ops.)"""
    x, out = op.inputs[0], op.outputs[0]
    if x.dtype in INTEGER_DTYPES or x.dtype == "bool":
        return _pointwise(AtenOp("aten.zeros_like.default", (x,), (out,), {}, module=op.module))
    magnitude = TensorMeta.dense(x.shape, x.dtype)
    steps = (AtenOp("aten.abs.default", (x,), (magnitude,), {}, module=op.module),
             AtenOp("aten.eq.Scalar", (magnitude,), (out,), {}, module=op.module))
    return tuple(replace(o, aten=op.name) for step in steps for o in _pointwise(step))


def _random(op: AtenOp) -> tuple[Op, ...]:
    """A tensor of random numbers (torch.rand / randn / randint, uniform_ / normal_ / random_ / exponential_ in
    place): ATen's distribution kernel draws Philox numbers a thread at a time and stores them, reading nothing
    (`random`: the stores, or the draws' element work, whichever binds). exponential_'s log a draw does not make it an
    activation: priced as one (pointwise_math), a sampler's race over 0.5-2.4 M fp32 noise ran -37..-52 % (the checks;
    math-sweep's exponential_ alike)."""
    return (_stores(op.outputs[0], op.name, _name(op), "random"),)


def _draw_or_load(op: AtenOp) -> tuple[Op, ...]:
    """bernoulli_(p) with a number and torch.normal(mean, std, size) with numbers are distribution kernels that store
    draws and read nothing (`random`; profiled: timm's drop_path mask, 128 elements, ~2 us like torch.rand's); with a
    tensor of probabilities or means they load it per element (elementwise)."""
    if op.name in ("aten.bernoulli_.float", "aten.normal.float_float"):
        return _random(op)
    return _pointwise(op)


def _linspace(op: AtenOp) -> tuple[Op, ...]:
    # torch.linspace: an index kernel like arange's (a start plus a step times the index, stored; nothing read)
    return (_stores(op.outputs[0], op.name, _name(op), "pointwise_arange"),)


# torch's random fills (the distribution kernels): each stores its output and reads nothing
RANDOM_FILLS = frozenset({"rand", "randn", "randint", "rand_like", "randn_like", "randint_like", "uniform_",
                          "normal_", "random_", "exponential_", "geometric_", "log_normal_", "cauchy_"})
# in-place ops whose kernel stores without loading the buffer it writes: fills and the distribution kernels' draws
STORES_IN_PLACE = frozenset({"fill_", "zero_"}) | RANDOM_FILLS
