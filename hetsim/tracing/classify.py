"""A first cut of aten ops into classes, with FLOPs and bytes from shapes and dtypes alone.

Classes: matmul, attention, elementwise, reduction, copy (cat, index, gather, casts),
view (no kernel: views, reshapes without a copy, empty allocations) and other (everything not
named here, host syncs included, so an unknown op is visible rather than silently priced).
Bytes are what a kernel must move at least: every input read once (a broadcast dimension once),
every output written once; index/gather ops read only the rows they fetch. FLOPs count a
multiply-add as 2; elementwise and reduction ops count one per element. This is for summaries
and a roofline; the time model that prices each op's regime is separate (issue 10, item 3).
No torch here.
"""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.tracing.trace import AtenOp, TensorMeta

CLASSES = ("matmul", "attention", "elementwise", "reduction", "copy", "view", "other")

MATMUL = frozenset({"mm", "addmm", "bmm", "baddbmm", "addbmm", "mv", "addmv", "dot", "_scaled_mm", "_int_mm",
                    "matmul", "linear"})
REDUCTION = frozenset({"sum", "mean", "amax", "amin", "max", "min", "argmax", "argmin", "prod", "var", "std",
                       "var_mean", "std_mean", "_softmax", "softmax", "_log_softmax", "log_softmax", "_safe_softmax",
                       "logsumexp", "norm", "linalg_vector_norm", "any", "all", "cumsum", "cumprod", "topk", "sort",
                       "argsort", "count_nonzero", "nansum", "_fused_rms_norm", "native_layer_norm", "rms_norm",
                       "aminmax"})
GATHER = frozenset({"embedding", "index_select", "gather", "index", "_unsafe_index", "take", "masked_select"})
SCATTER = frozenset({"index_copy_", "index_copy", "index_put_", "index_put", "_index_put_impl_", "scatter",
                     "scatter_", "scatter_add", "scatter_add_", "index_add_", "index_add", "slice_scatter",
                     "select_scatter", "masked_scatter", "masked_scatter_", "copy_"})
COPY = frozenset({"_to_copy", "clone", "cat", "stack", "repeat", "repeat_interleave", "constant_pad_nd", "flip",
                  "roll", "narrow_copy", "contiguous", "_copy_from", "_copy_from_and_resize", "tril", "triu"}
                 | GATHER | SCATTER)
# reshapes that never copy although their schema does not say they alias
VIEW = frozenset({"_unsafe_view", "empty", "empty_strided", "empty_like", "new_empty", "new_empty_strided",
                  "lift_fresh", "detach", "alias", "_reshape_alias", "resize_"})
# ATen's elementwise kernels whose math per element is a transcendental or special function (its series, recurrences
# or iterations per element): a gpu_kernel each, like sin and exp
MATH_ELEMENTWISE = frozenset({
    "atan", "asin", "acos", "tan", "sinh", "cosh", "asinh", "acosh", "atanh", "erfc", "lgamma", "digamma",
    "polygamma", "igamma", "igammac", "logit", "sinc", "i0", "hypot", "gcd", "lcm", "celu", "special_i0e",
    "special_i1", "special_i1e", "special_ndtri", "special_erfcx", "special_entr", "special_log_ndtr",
    "special_xlog1py", "special_zeta",
    # torch.polar (polar_kernel: abs * cos(angle), abs * sin(angle) into a complex output, a rotary table's cis)
    "polar",
})
ELEMENTWISE = frozenset({
    "add", "sub", "mul", "div", "pow", "rsqrt", "sqrt", "neg", "exp", "exp2", "log", "log1p", "expm1", "abs",
    "sin", "cos", "tanh", "sigmoid", "silu", "gelu", "relu", "erf", "reciprocal", "sign", "floor", "ceil", "round",
    "trunc", "clamp", "clamp_min", "clamp_max", "minimum", "maximum", "where", "masked_fill", "lerp", "addcmul",
    "addcdiv", "fmod", "remainder", "bitwise_and", "bitwise_or", "bitwise_not", "bitwise_xor", "logical_and",
    "logical_or", "logical_not", "eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "fill", "zero", "zeros",
    "zeros_like", "ones", "ones_like", "full", "full_like", "new_zeros", "new_ones", "new_full", "arange",
    "scalar_tensor", "rand", "randn", "rand_like", "randn_like", "uniform", "normal", "bernoulli", "softplus",
    "hardtanh", "leaky_relu", "elu", "mish", "hardswish", "rsub", "true_divide", "floor_divide", "_masked_scale",
    "erfinv", "softshrink", "hardshrink",  # weight init's truncated normal, shrink activations (realcode-more30)
    "exponential",  # Tensor.exponential_ (a sampler's race: q.exponential_(), probs / q): philox and a log per element
    # integer shifts and masks (a packed weight's unpacking: w >> 4, w & 15): ATen's vectorised elementwise kernel
    "__rshift__", "__lshift__", "bitwise_left_shift", "bitwise_right_shift", "__and__", "__or__", "__xor__",
    # autograd's activation gradients (grad_out, x) -> grad_in: one elementwise kernel each (TTT's inner step)
    "silu_backward", "gelu_backward", "sigmoid_backward", "tanh_backward", "threshold_backward",
    # more activations and math: MobileNetV3's hard sigmoid, log-mel's log10, a log-sum-exp merge, NaN cleanup
    "hardsigmoid", "log10", "log2", "logaddexp", "nan_to_num",
    # kl_div's target * log(target) (F.kl_div, a distillation loss): one elementwise kernel with its log
    "xlogy",
    # DimeNet's triplet angles (atan2 of a cross product's norm and a dot): one elementwise kernel each
    "atan2", "linalg_cross",
    # the rest of ATen's unary and binary TensorIterator kernels (UnaryOpsKernel / BinaryOpsKernel, one gpu_kernel an
    # op, no reduction): inverse and hyperbolic trigonometry, special functions, sign and float-bit tests
    *MATH_ELEMENTWISE,
    "deg2rad", "rad2deg", "sgn", "frac", "copysign", "heaviside", "fmax", "fmin", "nextafter", "signbit",
    "logical_xor", "isneginf", "isposinf", "threshold", "angle",
    # torch.complex(real, imag): complex_kernel, a binary writing both parts of each complex element
    "complex",
})


@dataclass(frozen=True)
class OpCost:
    op_class: str
    flops: float
    bytes: float


def op_class(op: AtenOp) -> str:
    base = op.base
    if base.startswith(("_scaled_dot_product", "scaled_dot_product", "_flash_attention", "_efficient_attention",
                        "_cudnn_attention")):
        return "attention"
    if base in MATMUL:
        return "matmul"
    if base in COPY:
        return "copy"
    if op.alias or base in VIEW:
        return "view"
    if base in REDUCTION:
        return "reduction"
    if base in ELEMENTWISE or base.rstrip("_") in ELEMENTWISE:
        return "elementwise"
    return "other"


def _bytes(t: TensorMeta) -> int:
    return t.stored_numel * t.itemsize


def _matmul_flops(op: AtenOp) -> float:
    base = op.base
    a = op.inputs[1] if base in ("addmm", "baddbmm", "addbmm", "addmv") else op.inputs[0]
    out = op.outputs[0] if op.outputs else None
    k = a.shape[-1] if a.shape else 1
    outputs = out.numel if out is not None else 1
    return 2.0 * outputs * k + (outputs if base.startswith("add") or base == "baddbmm" else 0)


def _attention_flops(op: AtenOp) -> float:
    q, k, v = op.inputs[:3]
    lq, lk, d, dv = q.shape[-2], k.shape[-2], q.shape[-1], v.shape[-1]
    heads_batch = q.numel // (lq * d) if lq * d else 0
    pairs = lq * lk
    if op.args.get("is_causal") and len(op.inputs) == 3:  # a mask, when given, makes the kernel score every pair
        # SDPA's is_causal is aligned top-left: query i sees keys 0..i
        pairs = lq * (lq + 1) // 2 if lq <= lk else lk * (lk + 1) // 2 + (lq - lk) * lk
    return 2.0 * heads_batch * pairs * (d + dv)


def cost(op: AtenOp) -> OpCost:
    cls = op_class(op)
    if cls == "view":
        return OpCost(cls, 0.0, 0.0)
    written = sum(_bytes(t) for t in op.outputs)
    read = sum(_bytes(t) for t in op.inputs)
    base = op.base
    if base in GATHER:
        # the table (embedding weight, gathered source) is read only where indexed
        index_bytes = sum(_bytes(t) for t in op.inputs if t.dtype in ("int64", "int32"))
        return OpCost(cls, 0.0, index_bytes + 2.0 * written)
    if base in SCATTER and len(op.inputs) >= 2:
        # writes the source's worth of rows into the destination, whose other rows stay untouched
        src = op.inputs[-1]
        index_bytes = sum(_bytes(t) for t in op.inputs[1:-1] if t.dtype in ("int64", "int32"))
        return OpCost(cls, 0.0, index_bytes + 2.0 * _bytes(src))
    if op.inplace and op.inputs:
        written = _bytes(op.inputs[0])  # the output is the mutated first input: written once, not twice
    if cls == "matmul":
        return OpCost(cls, _matmul_flops(op), read + written)
    if cls == "attention":
        return OpCost(cls, _attention_flops(op), read + written)
    if cls == "reduction":
        return OpCost(cls, float(op.inputs[0].numel) if op.inputs else 0.0, read + written)
    if cls == "elementwise":
        return OpCost(cls, float(max((t.numel for t in op.outputs), default=0)), read + written)
    return OpCost(cls, 0.0, read + written)
