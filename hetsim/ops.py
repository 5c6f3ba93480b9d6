"""The primitive-op vocabulary: what every step of every method is built from.

One op, three views (after LLMCompass): this module gives an op's *cost* (FLOPs and bytes
moved through device memory); `hetsim.hardware` gives its *time* on a device model; the
calibration suite (`hetsim.calibration.torch_ops`) gives its *real implementation*, so the op
that is simulated and the op that is measured cannot drift apart.

Ops are frozen dataclasses: hashable, so device models cache their durations. `name` labels
an op inside a step and does not take part in equality.

Bytes count each input read once and each output written once (the fewest bytes a kernel
must move); inefficiency beyond that is the device model's business, not the op's.

The GPU vocabulary (`PRIMITIVE_OPS`, the names a cases file uses; calibration/README.md has
the table with each op's fields and its PyTorch implementation):

    matmul       linear / GEMV (`shared_b`) or bmm        F.linear, torch.bmm
    elementwise  unary, binary, ternary, broadcasting     mul, add, addcmul / lerp
    reduction    sum / max / min over the last dim        torch.sum, amax, amin
    softmax      softmax over the last dim                torch.softmax
    topk         k largest per row                        torch.topk
    gather       index_select of rows                     torch.index_select
    attention    SDPA with GQA, decode or causal prefill  F.scaled_dot_product_attention
    copy         d2d, pinned h2d, pinned d2h              Tensor.copy_(non_blocking=True)
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar

DTYPE_BYTES: dict[str, int] = {
    "fp32": 4, "bf16": 2, "fp16": 2, "fp8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
}
INDEX_BYTES = 8  # torch index tensors are int64
# reductions that return where each output's value lies (an int64 index an output): max.dim / min.dim with the values
INDEX_REDUCTIONS = ("aten.max.dim", "aten.min.dim", "aten.argmax", "aten.argmin")
VALUE_INDEX_REDUCTIONS = ("aten.max.dim", "aten.min.dim")
# reductions ATen runs through sum_functor / mean_kernel_impl, whose 16-bit inputs load 8 elements at once
SUM_LIKE_REDUCTIONS = ("aten.sum.", "aten.mean.")


def dtype_bytes(dtype: str) -> int:
    try:
        return DTYPE_BYTES[dtype]
    except KeyError:
        raise ValueError(f"unknown dtype {dtype!r}; known: {sorted(DTYPE_BYTES)}") from None


@dataclass(frozen=True)
class Op:
    op_class: ClassVar[str] = "op"
    name: str = field(default="", compare=False, kw_only=True)
    # the share of the op's bytes read from the GPU's L2 (hetsim.hardware.residency: an op case replayed on its own
    # buffers); 0: from HBM, as a forward reads its weights
    l2_share: float = field(default=0.0, kw_only=True, metadata={"omit_default": True})

    @property
    def flops(self) -> float:
        raise NotImplementedError

    @property
    def bytes(self) -> float:
        raise NotImplementedError

    @property
    def intensity(self) -> float:
        """Arithmetic intensity, FLOP per byte."""
        return self.flops / self.bytes if self.bytes else float("inf")

    @property
    def uses_matrix_units(self) -> bool:
        return False

    def to_dict(self) -> dict[str, Any]:
        """The op as a cases-file entry: `op` (its vocabulary name), its fields, and `name` if set."""
        out: dict[str, Any] = {"op": type(self).__name__.lower()}
        for f in fields(self):
            if f.name != "name" and not (f.metadata.get("omit_default") and getattr(self, f.name) == f.default):
                out[f.name] = getattr(self, f.name)
        if self.name:
            out["name"] = self.name
        return out


@dataclass(frozen=True)
class Matmul(Op):
    """C[batch, m, n] = A[batch, m, k] @ B[k, n]. `shared_b`: B is one weight matrix for the
    whole batch (a linear layer), read once; otherwise B has a batch dimension (bmm)."""

    op_class: ClassVar[str] = "matmul"
    m: int
    n: int
    k: int
    batch: int = 1
    dtype: str = "bf16"
    shared_b: bool = True
    aten: str = field(default="", metadata={"omit_default": True})  # the traced op (mv: cuBLAS gemv; bmm)
    beta: bool = field(default=False, metadata={"omit_default": True})  # C = A @ B + beta C: C read as well
    # a traced 2-D product's operand layouts, A's then B's: "n" row-major, "t" transposed (nn.Linear's weight: "nt");
    # cuBLAS picks its kernel by them (hetsim.hardware.product_table); "": not traced or not 2-D
    layout: str = field(default="", metadata={"omit_default": True})
    # the share of a broadcast weight's re-reads by the batch's later items that the L2 serves
    # (hetsim.hardware.gpu.broadcast_rereads): set by a GPU model from the weight's bytes and its L2; 1 where unset
    reread_share: float = field(default=1.0, metadata={"omit_default": True})

    @property
    def flops(self) -> float:
        return 2.0 * self.batch * self.m * self.n * self.k

    @property
    def bytes(self) -> float:
        b_copies = 1 if self.shared_b else self.batch
        c_passes = 2 if self.beta else 1
        return dtype_bytes(self.dtype) * (
            self.batch * self.m * self.k + b_copies * self.k * self.n + c_passes * self.batch * self.m * self.n
        )

    @property
    def uses_matrix_units(self) -> bool:
        return True


@dataclass(frozen=True)
class Elementwise(Op):
    """out = f(in_1, ..., in_n) over `numel` output elements; broadcast inputs count fully
    only if `broadcast_numel` is not given for them."""

    op_class: ClassVar[str] = "elementwise"
    numel: int
    inputs: int = 1
    dtype: str = "bf16"
    flops_per_element: float = 1.0
    broadcast_numel: int = 0  # elements of one extra input that is broadcast (read once)

    @property
    def flops(self) -> float:
        return self.flops_per_element * self.numel

    @property
    def bytes(self) -> float:
        return dtype_bytes(self.dtype) * (self.numel * (self.inputs + 1) + self.broadcast_numel)


@dataclass(frozen=True)
class Reduction(Op):
    """Sum / max / min over the last dim of a [rows, cols] tensor."""

    op_class: ClassVar[str] = "reduction"
    rows: int
    cols: int
    dtype: str = "bf16"
    kind: str = "sum"

    @property
    def flops(self) -> float:
        return float(self.rows * self.cols)

    @property
    def bytes(self) -> float:
        return dtype_bytes(self.dtype) * (self.rows * self.cols + self.rows)


@dataclass(frozen=True)
class Softmax(Op):
    """Softmax over the last dim of a [rows, cols] tensor (one fused kernel)."""

    op_class: ClassVar[str] = "softmax"
    rows: int
    cols: int
    dtype: str = "bf16"
    # the traced aten op (aten._softmax / _log_softmax: its own regime, hetsim.hardware.gpu.rate_keys)
    aten: str = field(default="", metadata={"omit_default": True})
    # times the kernel reads each row: once where a row fits a block's shared memory, else once for its max, once for
    # its sum and once for the output (cunn_SoftMaxForward without shared memory: hetsim.hardware.gpu.softmax_rereads)
    reads: int = field(default=1, metadata={"omit_default": True})

    @property
    def flops(self) -> float:
        return 5.0 * self.rows * self.cols  # max, sub, exp, sum, div

    @property
    def bytes(self) -> float:
        return dtype_bytes(self.dtype) * 2 * self.rows * self.cols


@dataclass(frozen=True)
class TopK(Op):
    """k largest of each of `rows` rows of length n; values and int64 indices out. `scored_share`:
    the expected share of the n scores that are non-zero (a sparse scoring leaves the rest tied at
    zero, which slows a CPU's np.argpartition several-fold); GPU and FPGA models ignore it.
    `sorted`: the k results ordered, as torch.topk returns them by default (on a GPU a sort of the
    results after the select: hetsim.hardware.sorting.topk_sort); False: in the select's order.
    `one_block`: the select runs one block a row whatever its length (ATen's gatherKthValue /
    gatherMedian for kthvalue and median), never torch.topk's multi-block radix select."""

    op_class: ClassVar[str] = "topk"
    rows: int
    n: int
    k: int
    dtype: str = "bf16"
    scored_share: float = field(default=1.0, metadata={"omit_default": True})
    sorted: bool = field(default=True, metadata={"omit_default": True})
    one_block: bool = field(default=False, metadata={"omit_default": True})

    def __post_init__(self) -> None:
        if not 0 < self.k <= self.n:
            raise ValueError(f"top-k needs 0 < k <= n, got k={self.k}, n={self.n}")
        if not 0.0 <= self.scored_share <= 1.0:
            raise ValueError(f"top-k scored_share must be in [0, 1], got {self.scored_share}")

    @property
    def flops(self) -> float:
        return float(self.rows * self.n)  # one comparison per candidate

    @property
    def bytes(self) -> float:
        return self.rows * (self.n * dtype_bytes(self.dtype) + self.k * (dtype_bytes(self.dtype) + INDEX_BYTES))


@dataclass(frozen=True)
class Gather(Op):
    """index_select of `rows` rows of `row_bytes` each out of a source of `source_rows` rows. More rows than the
    source holds repeat its rows (a fan-out: MoE dispatch to the top-k experts), each read from HBM once."""

    op_class: ClassVar[str] = "gather"
    rows: int
    row_bytes: int
    source_rows: int
    # the traced aten op (aten.embedding.default: its own regime, hetsim.hardware.gpu.rate_keys)
    aten: str = field(default="", metadata={"omit_default": True})
    # elements moved one by one (index_add_'s atomic adds, whatever their width; index_select's element kernel over
    # rows not of whole 16-byte vectors; 0: not counted): an element-rate
    # key's work (hetsim.hardware.gpu.compute_work)
    elements: int = field(default=0, metadata={"omit_default": True})
    # x[idx] through ATen's element-by-element index kernel (index_elementwise_kernel: a 1-D table, rows not a multiple
    # of 16 bytes, several index tensors) instead of its vectorised row gather
    elementwise: bool = field(default=False, metadata={"omit_default": True})
    # nn.EmbeddingBag's bags (its output rows: each sums its rows into one; 0: a plain gather, a row written a row read)
    bags: int = field(default=0, metadata={"omit_default": True})
    # x[:, idx] (an index over a dim past the first): each slice before the indexed dim looks its elements up in its
    # own slice of the source, in whole-sector runs or densely within a slice an SM's L1 holds, so the element kernel
    # streams them at a code book's pace (hetsim.hardware.gpu.code_book)
    local: bool = field(default=False, metadata={"omit_default": True})
    # the index elements read from memory where fewer than the rows (x[:, idx]: one index for every slice); 0: one a row
    index_numel: int = field(default=0, metadata={"omit_default": True})

    def __post_init__(self) -> None:
        if self.rows < 0 or self.source_rows < 1:
            raise ValueError(f"gather of {self.rows} rows from a source of {self.source_rows}: expected rows >= 0 "
                             "and a source of at least one row")

    @property
    def flops(self) -> float:
        return 0.0

    @property
    def bytes(self) -> float:
        # a repeated row is read again from the L2 (x[idx] over 1,000 rows into 8,000 ran at the output's write rate,
        # realcode checks), so the reads are at most the source's rows
        written = self.bags or self.rows
        index = (self.index_numel or self.rows) * INDEX_BYTES
        return (min(self.rows, self.source_rows) + written) * self.row_bytes + index


@dataclass(frozen=True)
class Attention(Op):
    """Scaled-dot-product attention with grouped KV heads (GQA), flash-style: scores never
    touch memory. `causal` applies when q_len > 1 (prefill); the last q row sees kv_len keys."""

    op_class: ClassVar[str] = "attention"
    batch: int
    q_heads: int
    kv_heads: int
    q_len: int
    kv_len: int
    head_dim: int
    dtype: str = "bf16"
    causal: bool = False

    def __post_init__(self) -> None:
        if self.q_heads % self.kv_heads:
            raise ValueError(f"q_heads {self.q_heads} not a multiple of kv_heads {self.kv_heads}")

    @property
    def pairs(self) -> float:
        """(query, key) pairs scored per head."""
        if self.causal:
            # rows see kv_len - q_len + 1 ... kv_len keys
            return self.q_len * (self.kv_len - self.q_len) + self.q_len * (self.q_len + 1) / 2
        return float(self.q_len * self.kv_len)

    @property
    def flops(self) -> float:
        return 4.0 * self.batch * self.q_heads * self.pairs * self.head_dim  # QK^T and PV

    @property
    def bytes(self) -> float:
        e = dtype_bytes(self.dtype)
        q_and_out = 2 * self.batch * self.q_heads * self.q_len * self.head_dim
        k_and_v = 2 * self.batch * self.kv_heads * self.kv_len * self.head_dim
        return e * (q_and_out + k_and_v)

    @property
    def uses_matrix_units(self) -> bool:
        return True


@dataclass(frozen=True)
class Copy(Op):
    """A memory copy: d2d (read + write device memory), h2d or d2h (pinned host memory)."""

    op_class: ClassVar[str] = "copy"
    nbytes: int
    direction: str = "d2d"

    def __post_init__(self) -> None:
        if self.direction not in ("d2d", "h2d", "d2h"):
            raise ValueError(f"copy direction must be d2d, h2d or d2h, got {self.direction!r}")

    @property
    def flops(self) -> float:
        return 0.0

    @property
    def bytes(self) -> float:
        return 2.0 * self.nbytes if self.direction == "d2d" else float(self.nbytes)

    @property
    def crosses_host(self) -> bool:
        """h2d or d2h: the bytes move over the host link, not through the GPU's memory."""
        return self.direction != "d2d"


@dataclass(frozen=True)
class FpgaKernel(Op):
    """One invocation of a streaming relevancy (+ top-k) kernel on an FPGA.

    n_items candidates (keys, pages, documents) are scored, each costing `macs_per_item`
    multiply-accumulates over `item_bytes` of stored index; `k` > 0 keeps the top k in the
    on-chip top-k unit (0: the scores stream out). `resident_bytes` is the whole index the
    card holds across layers and requests, which decides how much of it sits on chip.
    """

    op_class: ClassVar[str] = "fpga_kernel"
    kernel: str
    n_items: int
    item_bytes: int
    macs_per_item: int
    k: int
    rows: int = 1  # independent problems in one invocation (requests x heads)
    resident_bytes: int = 0
    out_bytes: int = 0

    @property
    def flops(self) -> float:
        return 2.0 * self.rows * self.n_items * self.macs_per_item

    @property
    def bytes(self) -> float:
        return float(self.rows * self.n_items * self.item_bytes + self.out_bytes)


# Ops for model shapes and devices beyond the calibrated GPU vocabulary. They are timed with the
# rates of the op they specialise (a GPU model sees a Matmul or an Attention), so they are not in
# PRIMITIVE_OPS: a cases file cannot name them until the calibration suite implements them.


@dataclass(frozen=True)
class GroupedMatmul(Matmul):
    """Mixture-of-experts linear: `m` routed (token, expert) rows, each multiplied by the weight of
    its expert, `experts` distinct weights of [k, n] read once (a grouped GEMM, as vLLM's fused MoE).
    `batch` and `shared_b` keep their Matmul defaults."""

    experts: int = 1

    @property
    def bytes(self) -> float:
        return dtype_bytes(self.dtype) * (self.m * self.k + self.experts * self.k * self.n + self.m * self.n)


@dataclass(frozen=True)
class Convolution(Matmul):
    """A convolution as cuDNN runs it, an implicit GEMM: `m` = samples x output positions, `n` = output channels and
    `k` = input channels x taps (a group's; `batch` = groups), its input read as it lies (`input_bytes`, never the
    m x k patches an im2col would write). `algo`, the kernel family cuDNN runs (hetsim.stacks.aten.cudnn_algo):
    "implicit_gemm", its Hopper tensor-core kernels over channels-last tensors; "implicit_gemm_sm80" and
    "implicit_gemm_narrow", its Ampere-style ones over few input or into few output channels; "first_layer", its
    image_first_layer kernel for an fp16 RGB stem; "simt", its CUDA-core kernels over NCHW (an input of a few
    channels)."""

    input_bytes: int = 0
    algo: str = "implicit_gemm"
    taps: int = 1  # the filter's positions (k = a group's input channels x taps)
    # the path the traced convolution takes ("2d nchw": between cuDNN's layout kernels, "2d nhwc", "1d as-is": no
    # layout kernels, "2d dgrad"): the class its measured neighbours correct it within (hardware.product_table); not
    # part of the op's identity, so a channels-last twin still runs "the same GEMM" as an NCHW case
    family: str = field(default="", compare=False, metadata={"omit_default": True})

    @property
    def bytes(self) -> float:
        return self.input_bytes + dtype_bytes(self.dtype) * self.batch * (self.k * self.n + self.m * self.n)


@dataclass(frozen=True)
class LatentAttention(Attention):
    """Multi-head latent attention (DeepSeek MLA) in its absorbed, MQA form: every query head scores
    one shared latent cache row of `head_dim` (kv_lora_rank + rope dims) and takes its first `v_dim`
    entries as the value, so the cache is read once, not as separate K and V."""

    v_dim: int = 512

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kv_heads != 1 or self.v_dim > self.head_dim:
            raise ValueError(f"latent attention needs kv_heads 1 and v_dim <= head_dim, got "
                             f"kv_heads {self.kv_heads}, v_dim {self.v_dim}, head_dim {self.head_dim}")

    @property
    def flops(self) -> float:
        return 2.0 * self.batch * self.q_heads * self.pairs * (self.head_dim + self.v_dim)

    @property
    def bytes(self) -> float:
        e = dtype_bytes(self.dtype)
        q_and_out = self.batch * self.q_heads * self.q_len * (self.head_dim + self.v_dim)
        return e * (q_and_out + self.batch * self.kv_len * self.head_dim)


@dataclass(frozen=True)
class Cast(Op):
    """Tensor.to(dst_dtype) over `numel` elements (e.g. dequantising an fp8 cache on a GPU without
    fp8 matrix units): timed as an elementwise op, bytes at each side's width."""

    op_class: ClassVar[str] = "elementwise"
    numel: int
    src_dtype: str
    dst_dtype: str

    @property
    def flops(self) -> float:
        return float(self.numel)

    @property
    def bytes(self) -> float:
        return float(self.numel * (dtype_bytes(self.src_dtype) + dtype_bytes(self.dst_dtype)))


@dataclass(frozen=True)
class FpgaStream(Op):
    """Dense arithmetic on an FPGA whose operands stream from its HBM: an LLM decode layer with
    its weights resident in FPGA memory (MemAgent), or a projection / weighted sum inside a fused
    memory kernel. `macs` multiply-accumulates over `nbytes` read from HBM; the device model
    bounds it by the HBM pseudo-channels and the DSP slices (`hetsim.hardware.fpga`)."""

    op_class: ClassVar[str] = "fpga_stream"
    macs: int
    nbytes: int
    dtype: str = "bf16"

    @property
    def flops(self) -> float:
        return 2.0 * self.macs

    @property
    def bytes(self) -> float:
        return float(self.nbytes)


# Ops read off an aten trace (hetsim/stacks/aten.py maps each aten op onto one of them). They say
# what the dispatched kernel does where the calibrated vocabulary cannot: exact bytes of mixed
# dtypes and broadcast inputs, a reduction over an outer or middle dimension, a materialised
# copy, an SDPA call with its mask and backend, host work that launches no kernel. `aten` names
# the traced op, so a price that rests on an assumed rate can say which aten op it was.


@dataclass(frozen=True)
class Pointwise(Op):
    """An elementwise kernel (unary, broadcasting binary, cast, fill) over `numel` output elements
    moving `nbytes`: each input read once at its own width (a broadcast input once), output written."""

    op_class: ClassVar[str] = "elementwise"
    numel: int
    nbytes: int
    aten: str = ""
    regime: str = "elementwise"  # "aten_unknown": an aten op the mapping does not know, priced by roofline
    # rows the kernel gives a block each and walks one after another (a norm kernel's rows; 0: none)
    rows: int = field(default=0, metadata={"omit_default": True})
    # bytes of one input row a block walks (a norm kernel's row: `rms_norm`; 0: none)
    row_bytes: int = field(default=0, metadata={"omit_default": True})
    # bytes the kernel's critical path reads one after another, as the lowering lays out its launch (a scan's
    # chunks, torch.gather's per-thread loop, a segmented sort's blocks; 0: none), priced at the key's walk rate
    walk: int = field(default=0, metadata={"omit_default": True})
    # launches or passes run one after another, each with a fixed cost (a radix sort's digit passes; 0: none)
    steps: int = field(default=0, metadata={"omit_default": True})
    # tensors the strided kernel addresses per element (inputs and output; 0: not counted): its element work
    operands: int = field(default=0, metadata={"omit_default": True})
    # dims the strided kernel's offset calculator divides each element's index by (aten.iteration_dims; 0: not
    # counted), each adding to its element work as an operand does
    dims: int = field(default=0, metadata={"omit_default": True})
    # bytes of `nbytes` the kernel reads a second time (GroupNorm's input: once for its moments, once for the scale
    # and shift): moved twice, held once, so not in the working set an L2 holds (residency.working_bytes)
    reread: int = field(default=0, metadata={"omit_default": True})
    # the share of the walk's loads the L2 serves (residency.replayed; 0: from HBM): a walk of dependent loads
    # waits on each, so it runs at the latency of where its bytes lie, whatever its key's bandwidth
    walk_share: float = field(default=0.0, metadata={"omit_default": True})
    # the 128-byte lines its warps' loads touch, summed over the kernel (a transposing copy: 32 a warp where each load
    # is a stride apart, a few where the input's contiguous dim lies a few outputs away; 0: not counted): the element
    # work of a key that times its loads' lines (aten_copies.warp_lines); a scatter's: the 32-byte sectors its writes
    # touch (aten_index.scatter_write_sectors)
    lines: int = field(default=0, metadata={"omit_default": True})
    # bytes of the destination a scatter's writes touch, and the share of them the L2 holds while the kernel runs
    # (residency.merged_share; 0: none): its sector writes merge there, and write back to HBM sector by sector beyond
    scattered_bytes: int = field(default=0, metadata={"omit_default": True})
    scattered_share: float = field(default=0.0, metadata={"omit_default": True})
    # sectors an op touches in part, whose HBM cost depends on whether the L2 holds them (a stack's input interleaved
    # into its output's sectors, a gather's random picks from a wide source): the bytes the L2 must hold for the cheap
    # path, and what the memory moves beyond `nbytes` where it does not (sectors read and written back whole, or
    # read whole for one element); the L2's share of the span is `scattered_share` (residency.merged_share)
    sector_span: int = field(default=0, metadata={"omit_default": True})
    sector_extra: int = field(default=0, metadata={"omit_default": True})
    # tensors a traced elementwise op loads (a Python number is a kernel argument, a 0-dim GPU tensor is loaded; 0: not
    # counted): which of its measured neighbours it is like (product_table.product_class), nothing it is timed by
    tensor_inputs: int = field(default=0, metadata={"omit_default": True})

    @property
    def flops(self) -> float:
        return float(self.numel)

    @property
    def element_work(self) -> float:
        """What an element-rate key times: the strided kernel's access per operand and element (a binary's three:
        numel x 3), else one per element, and its offset calculator's division of the element's index by each dim it
        walks (`dims`): the same elements over 3 or 4 dims ran 12-20 % slower than the operands alone said, over one
        13 % faster (pooled checks and fit groups; realcode-more16 timed 2-4 dims for the fit). Where the lowering
        counted its loads' cache lines (`lines`), those."""
        if self.lines:
            return float(self.lines)
        return float(self.numel * (max(self.operands, 1) + self.dims))

    @property
    def bytes(self) -> float:
        return float(self.nbytes)


@dataclass(frozen=True)
class AxisReduction(Reduction):
    """A reduction of `cols` elements per output over a [rows, cols, inner] view: `inner` == 1 is
    a last-dim reduction (one row per block); `inner` > 1 reduces an outer or middle dimension,
    where neighbouring threads read neighbouring outputs' inputs (coalesced, near full bandwidth)."""

    inner: int = 1
    aten: str = ""
    # reduced dims that do not lie together (x.sum((0, 3)) of a 4-D tensor, kept dims between them): Reduce.cuh
    # walks both strides, ~3x the time of the [rows, cols, inner] view's (reduce-sweep). Only which measured
    # neighbours correct it (product_table.product_class), not its key's price
    split: bool = field(default=False, metadata={"omit_default": True})
    # the input's bytes read again from the caches: an input broadcast over a dim (an expanded K cache's heads) is read
    # from HBM once, its repeats from the L2 (hetsim.hardware.gpu.cached_rereads); not in `bytes`
    cached_bytes: int = field(default=0, metadata={"omit_default": True})

    @property
    def flops(self) -> float:
        return float(self.rows * self.cols * self.inner)

    @property
    def bytes(self) -> float:
        outputs = self.rows * self.inner
        written = dtype_bytes(self.dtype) * outputs
        if self.aten.startswith(INDEX_REDUCTIONS):
            # the int64 indices written beside the values (argmax / argmin: the indices alone); over a short dim they
            # outweigh the read (max.dim over 3 fp32 channels writes 4 bytes of values and 8 of indices an output)
            written = (written if self.aten.startswith(VALUE_INDEX_REDUCTIONS) else 0) + INDEX_BYTES * outputs
        return self.input_bytes - self.cached_bytes + written

    @property
    def input_bytes(self) -> float:
        """The input's elements as the kernel reads them, a broadcast one's repeats included."""
        return dtype_bytes(self.dtype) * self.rows * self.cols * self.inner


@dataclass(frozen=True)
class Materialise(Op):
    """A device copy that materialises a tensor (cat, clone of an expanded view, a strided copy):
    `read_bytes` of stored input (a broadcast dimension once), `write_bytes` of output."""

    op_class: ClassVar[str] = "copy"
    read_bytes: int
    write_bytes: int
    aten: str = ""

    @property
    def flops(self) -> float:
        return 0.0

    @property
    def bytes(self) -> float:
        return float(self.read_bytes + self.write_bytes)


@dataclass(frozen=True)
class SdpaAttention(Attention):
    """F.scaled_dot_product_attention as one fused kernel of `backend` (cudnn, flash, efficient):
    `kv_heads` are the heads the call passes (query heads when K/V were repeated before the call),
    `mask_bytes` an explicit mask read (the kernel then scores every pair: `causal` is False),
    `decode` a single new token per sequence (the query group folded into q_len included)."""

    backend: str = "flash"
    mask_bytes: int = 0
    decode: bool = False

    @property
    def bytes(self) -> float:
        return super().bytes + self.mask_bytes


@dataclass(frozen=True)
class HostCall(Op):
    """Host work that launches no kernel: an aten view/reshape/allocation dispatched from Python
    (`kind` "view"), or an nn.Module call's Python overhead (`kind` "module"). Eager only: the
    GPU does nothing, a CUDA graph does not replay it."""

    op_class: ClassVar[str] = "host"
    kind: str
    aten: str = ""

    @property
    def flops(self) -> float:
        return 0.0

    @property
    def bytes(self) -> float:
        return 0.0


@dataclass(frozen=True)
class IdleStart(Op):
    """`op` issued onto an idle GPU (the first kernel of a forward, after the host synchronised):
    the GPU waits for the host to issue it, so its issue time is not hidden behind earlier work."""

    op_class: ClassVar[str] = "idle_start"
    op: Op

    @property
    def flops(self) -> float:
        return self.op.flops

    @property
    def bytes(self) -> float:
        return self.op.bytes

    @property
    def uses_matrix_units(self) -> bool:
        return self.op.uses_matrix_units


PRIMITIVE_OPS: dict[str, type[Op]] = {
    cls.__name__.lower(): cls
    for cls in (Matmul, Elementwise, Reduction, Softmax, TopK, Gather, Attention, Copy)
}


def op_fields(cls: type[Op]) -> dict[str, Any]:
    """Constructor fields of an op class -> default (`dataclasses.MISSING` where required)."""
    return {f.name: f.default for f in fields(cls) if f.name != "name"}


def op_from_dict(entry: dict[str, Any]) -> Op:
    """Build a primitive op from a cases-file entry (`Op.to_dict` read back).

    Raises KeyError for an unknown op name, TypeError for unknown or missing fields and
    ValueError for inconsistent values; `hetsim.calibration.cases` turns them into ConfigErrors
    that name the file and the entry.
    """
    entry = dict(entry)
    kind = entry.pop("op", None)
    if kind not in PRIMITIVE_OPS:
        raise KeyError(f"unknown op {kind!r}; known: {', '.join(sorted(PRIMITIVE_OPS))}")
    cls = PRIMITIVE_OPS[kind]
    known = op_fields(cls)
    unknown = sorted(set(entry) - set(known) - {"name"})
    if unknown:
        raise TypeError(f"{kind} has no field {', '.join(map(repr, unknown))}; fields: {', '.join(known)}")
    missing = [k for k, default in known.items() if default is MISSING and k not in entry]
    if missing:
        raise TypeError(f"{kind} needs field {', '.join(map(repr, missing))}")
    types = {f.name: f.type for f in fields(cls)}
    for key, value in entry.items():
        _check_field(kind, key, value, types[key], required=known.get(key, None) is MISSING)
    return cls(**entry)


def _check_field(kind: str, key: str, value: Any, type_: Any, required: bool) -> None:
    # annotations are strings here (postponed evaluation), hence the comparison by name
    want = type_ if isinstance(type_, str) else getattr(type_, "__name__", str(type_))
    ok = {
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "str": isinstance(value, str),
    }.get(want, True)
    if not ok:
        article = "an" if want == "int" else "a"
        raise ValueError(f"{kind}.{key} must be {article} {want}, got {value!r}")
    if want in ("int", "float") and (value < 0 or (required and value == 0)):
        raise ValueError(f"{kind}.{key} must be {'> 0' if required else '>= 0'}, got {value!r}")
    if key == "dtype":
        dtype_bytes(value)


@dataclass(frozen=True)
class ScatterAdd(Op):
    """out[idx[i]] += val[i] for `elements` (index, value) pairs into a `target_rows`-row fp32
    array (np.add.at, torch.index_add_): an inverted index's postings accumulated into per-document
    scores. `sorted_index`: the indices of one call rise (a posting list is sorted by document), so
    the accesses sweep the target in order rather than jump about it."""

    op_class: ClassVar[str] = "scatter_add"
    elements: int
    target_rows: int
    value_bytes: int = 4
    index_bytes: int = 4
    sorted_index: bool = True

    @property
    def flops(self) -> float:
        return float(self.elements)

    @property
    def bytes(self) -> float:
        # index and value read once; the target element read and written per update
        return float(self.elements * (self.index_bytes + 3 * self.value_bytes))
