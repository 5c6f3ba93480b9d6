"""The file formats a user writes: devices, links, systems, LLM models, workloads, placements,
experiments. Pydantic v2 models; units are in the field names and converted at the edge
(`hetsim.hardware`), never here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from hetsim.outdir import NAME_PATTERN, NAME_RULE
from hetsim.provenance import Sourced

STEPS: tuple[str, ...] = ("prepare", "relevancy", "retrieval", "apply")
# YAML's `true` is not a number: integers are strict (pydantic would otherwise read it as 1)
PositiveInt = Annotated[StrictInt, Field(gt=0)]
NonNegativeInt = Annotated[StrictInt, Field(ge=0)]


def _name(value: str) -> str:
    """A name that becomes a file or folder name, or a resource key (`gpu0:stream`)."""
    if not NAME_PATTERN.match(value):
        raise ValueError(f"expected a name of {NAME_RULE}; got {value!r}")
    return value


SafeName = Annotated[str, AfterValidator(_name)]


def _bounded(low: float, high: float | None, low_open: bool, expect: str):
    def check(v: Sourced) -> Sourced:
        x = v.value
        ok = (x > low if low_open else x >= low) and (high is None or x <= high)
        if not ok:
            raise ValueError(f"value must be {expect}, got {x:g}")
        return v

    return AfterValidator(check)


# hardware figures: a zero bandwidth or a negative power is a typo, not a device
Positive = Annotated[Sourced, _bounded(0.0, None, True, "> 0")]
NonNegative = Annotated[Sourced, _bounded(0.0, None, False, ">= 0")]
Fraction = Annotated[Sourced, _bounded(0.0, 1.0, True, "in (0, 1]")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- devices
class GpuSpec(Strict):
    kind: Literal["gpu"]
    name: str
    vendor: Literal["nvidia", "amd"]
    memory_gb: Positive
    hbm_bw_gbps: Positive = Field(description="peak HBM bandwidth")
    hbm_efficiency: Fraction = Field(description="fraction of peak a streaming kernel reaches")
    matrix_tflops: dict[Literal["bf16", "fp16", "fp8", "int8", "fp32"], Positive] = Field(
        description="dense matrix-unit peak per dtype"
    )
    vector_tflops: Positive = Field(description="fp32 vector peak (elementwise and reduction math)")
    l2_mb: NonNegative
    compute_capability: str | None = Field(
        default=None, pattern=r"^\d+\.\d+$",
        description="CUDA compute capability (9.0: H100, H200; 8.0: A100): which SDPA backend PyTorch picks "
                    "(default: 9.0 for an NVIDIA GPU, none for AMD)")
    launch_overhead_us: NonNegative = Field(description="per-op gap in eager execution (launch + sync)")
    idle_w: NonNegative
    memory_bound_w: NonNegative = Field(description="board power while a memory-bound kernel runs")
    compute_bound_w: NonNegative = Field(description="board power while a compute-bound kernel runs")
    tdp_w: Positive
    host_link: str = Field(description="link type of its host connection, from configs/links")
    profile: str | None = Field(default=None, description="calibration profile in calibration/profiles (default: "
                                "the one made for this device's name; `none`: datasheet figures only)")


class FpgaSpec(Strict):
    kind: Literal["fpga"]
    name: str
    vendor: Literal["amd"] = "amd"
    memory_gb: Positive
    hbm_pseudo_channels: Positive
    hbm_bw_per_pc_gbps: Positive
    hbm_efficiency: Fraction
    bram36: NonNegative
    uram: NonNegative
    dsps: NonNegative
    luts: NonNegative
    ffs: NonNegative
    bram_bw_gbps: Positive = Field(description="aggregate on-chip BRAM bandwidth")
    uram_bw_gbps: Positive = Field(description="aggregate on-chip URAM bandwidth")
    kernel_clock_mhz: Positive
    invocation_overhead_us: NonNegative = Field(description="host-side kernel start to finish overhead")
    idle_w: NonNegative
    active_w: NonNegative = Field(description="power above idle while a kernel runs")
    host_link: str
    profile: str | None = None


class CpuRates(Strict):
    """Per-op-class rates of a CPU as numpy runs them on all its cores (a calibration profile
    replaces them where it has a measurement): `hetsim.hardware.cpu` times an op by the slower of
    its bytes over `stream_bw_gbps` and its elements over its class rate, plus one call overhead."""

    stream_bw_gbps: Positive = Field(description="bytes moved (read + write) per second by a streaming copy")
    gather_m_per_s: Positive = Field(description="random row gathers per second, target beyond the last-level cache")
    scatter_add_m_per_s: Positive = Field(description="np.add.at updates per second (sorted indices, target in cache)")
    topk_m_per_s: Positive = Field(description="elements per second a partial selection (np.argpartition) scans")
    matmul_gflops: Positive = Field(description="fp32 matmul rate (BLAS)")
    call_overhead_us: NonNegative = Field(description="per numpy call (Python dispatch)")


class CpuSpec(Strict):
    """The host CPU as a device: it sits at the system's host node (its data is host memory), so a
    transfer between it and a GPU or FPGA takes that device's host link. A system lists it among
    its devices (e.g. `cpu0: host-cpu-2c`) without a link of its own."""

    kind: Literal["cpu"]
    name: str
    vendor: str
    cores: PositiveInt
    memory_gb: Positive
    mem_bw_gbps: Positive = Field(description="peak DRAM bandwidth (channels x transfer rate x 8 B)")
    llc_mb: Positive = Field(description="last-level cache; a random access beyond it goes to DRAM")
    rates: CpuRates
    idle_w: NonNegative = Field(description="package power at rest (the share this host's cores draw)")
    active_w: NonNegative = Field(description="power above idle while the cores run an op")
    host_link: None = Field(default=None, description="none: the CPU is the host")
    profile: str | None = Field(default=None, description="calibration profile in calibration/profiles (default: "
                                "the one made for this device's name; `none`: the device file's rates only)")


DeviceSpec = Annotated[GpuSpec | FpgaSpec | CpuSpec, Field(discriminator="kind")]


# ----------------------------------------------------------------------------- links
class LinkSpec(Strict):
    """A link type. `downstream` is from the first endpoint named in a system (host or switch
    side) to the second; `upstream` the reverse."""

    name: str
    kind: Literal["pcie", "p2p", "nvlink"]
    latency_us: NonNegative
    downstream_gbps: Positive
    upstream_gbps: Positive
    energy_pj_per_bit: NonNegative | None = None


# ----------------------------------------------------------------------------- systems
class LinkInstance(Strict):
    type: str
    between: tuple[str, str]


class SystemSpec(Strict):
    """A topology: a host, devices, PCIe switches, and the links between them.

    A transfer takes the path with the fewest hops. Passing through the host means staging in
    host memory (store and forward: one hop after the other); passing through a switch is
    cut-through (all hops held at once, at the slowest hop's bandwidth).
    """

    name: str
    description: str = ""
    host: SafeName = "host"
    devices: dict[SafeName, str] = Field(min_length=1, description="device id -> catalogue device name")
    switches: list[SafeName] = Field(default_factory=list)
    links: list[LinkInstance] = Field(min_length=1)

    @model_validator(mode="after")
    def _endpoints_known(self) -> SystemSpec:
        for sw in self.switches:
            if sw == self.host or sw in self.devices:
                raise ValueError(f"switches: {sw!r} is also the host's or a device's id; every node needs its own id")
            if self.switches.count(sw) > 1:
                raise ValueError(f"switches: {sw!r} is listed twice")
        if self.host in self.devices:
            raise ValueError(f"devices: {self.host!r} is the host's id; give the device another id")
        nodes = {self.host, *self.devices, *self.switches}
        for i, link in enumerate(self.links):
            a, b = link.between
            if a == b:
                raise ValueError(f"links[{i}] joins {a!r} to itself; a link joins two different nodes")
            for end in link.between:
                if end not in nodes:
                    raise ValueError(
                        f"links[{i}] names endpoint {end!r}, which is not the host, a device or a "
                        f"switch of this system (known: {', '.join(sorted(nodes))})"
                    )
        return self


# ----------------------------------------------------------------------------- LLM models
class MlaSpec(Strict):
    """Multi-head latent attention (DeepSeek-V2/V3): queries and keys/values through low-rank
    latents; the cache holds kv_lora_rank + qk_rope_head_dim values per token and layer."""

    q_lora_rank: PositiveInt
    kv_lora_rank: PositiveInt
    qk_nope_head_dim: PositiveInt
    qk_rope_head_dim: PositiveInt
    v_head_dim: PositiveInt


class MoeSpec(Strict):
    """Mixture-of-experts MLP: `experts` routed experts of which `experts_per_token` serve a token,
    plus `shared_experts` every token uses; the first `dense_layers` layers keep a dense MLP."""

    experts: PositiveInt
    experts_per_token: PositiveInt
    shared_experts: NonNegativeInt = 0
    intermediate: PositiveInt = Field(description="hidden size of one expert (moe_intermediate_size)")
    dense_layers: NonNegativeInt = Field(default=0, description="leading dense-MLP layers (first_k_dense_replace)")


class IndexerSpec(Strict):
    """The DeepSeek sparse attention (DSA) lightning indexer the checkpoint was trained with."""

    heads: PositiveInt
    head_dim: PositiveInt
    topk: PositiveInt


class ModelSpec(Strict):
    name: str
    layers: PositiveInt
    hidden: PositiveInt
    q_heads: PositiveInt
    kv_heads: PositiveInt
    head_dim: PositiveInt
    intermediate: PositiveInt
    vocab: PositiveInt
    dtype: Literal["bf16", "fp16"] = "bf16"
    source: str = Field(min_length=1, description="where the shapes come from (model card / config.json)")
    max_position_embeddings: PositiveInt | None = Field(
        default=None, description="longest context the checkpoint supports; longer runs are simulated with a warning")
    mla: MlaSpec | None = None
    moe: MoeSpec | None = None
    indexer: IndexerSpec | None = None

    @model_validator(mode="after")
    def _gqa(self) -> ModelSpec:
        if self.q_heads % self.kv_heads:
            raise ValueError(f"q_heads ({self.q_heads}) must be a multiple of kv_heads ({self.kv_heads})")
        if self.moe and self.moe.experts_per_token > self.moe.experts:
            raise ValueError(f"moe.experts_per_token ({self.moe.experts_per_token}) exceeds moe.experts "
                             f"({self.moe.experts})")
        return self


# ----------------------------------------------------------------------------- workloads
class WorkloadSpec(Strict):
    method: str = Field(description="memory-processing method; see `hetsim methods`")
    model: str
    context_tokens: PositiveInt = Field(description="tokens in the memory (prompt/KV cache) at decode start")
    batch: PositiveInt
    decode_tokens: PositiveInt
    params: dict = Field(default_factory=dict, description="method parameters")
    stack: str = Field(default="fused", description="software stack running the LLM layers; see `hetsim stacks` "
                                                     "(fused: hetsim's own lowering; hf-dynamic, hf-static: "
                                                     "Hugging Face transformers, priced from shipped traces)")
    cudnn_sdpa: Literal["auto", "off"] = Field(
        default="auto",
        description="which backend an hf stack's F.scaled_dot_product_attention runs: auto, as PyTorch >= 2.11 "
                    "picks (cuDNN first on compute capability 9.0 / 10.x GPUs: a graph build per new K/V length); "
                    "off, as PyTorch 2.5.1-2.10 wheels, TORCH_CUDNN_SDPA_DEPRIORITIZED=1 or "
                    "torch.backends.cuda.enable_cudnn_sdp(False) pick (flash, memory-efficient where a mask is "
                    "passed)")

    @field_validator("cudnn_sdpa", mode="before")
    @classmethod
    def _yaml_off(cls, value):
        # YAML 1.1 reads an unquoted `off` as false: `cudnn_sdpa: off` means the string
        return "off" if value is False else value


class PlacementSpec(Strict):
    """Which device runs each of the four steps; `model` runs the LLM layers themselves.

    `micro_batches` splits the batch so devices overlap (one micro-batch's FPGA work under
    another's GPU work); each micro-batch re-reads the weights, so it only pays across devices.
    `pipelined_batches` instead runs that many independent request batches of the full batch
    size through the devices at once (one batch's FPGA work under another's GPU work): no batch
    is split, so each reads the weights once per token as the batch alone would; the price is
    more requests in flight (KV cache, latency of each), see `hetsim.placement`.
    """

    name: SafeName
    micro_batches: PositiveInt = 1
    pipelined_batches: PositiveInt = Field(default=1, description="independent request batches of `workload.batch` "
                                           "each, pipelined through the devices (1: one batch)")
    model: str | None = Field(default=None, description="device id; default: the first GPU")
    prepare: str | None = None
    relevancy: str | None = None
    retrieval: str | None = None
    apply: str | None = None


# ----------------------------------------------------------------------------- experiments
class Outputs(Strict):
    dir: str = "results"
    trace_decode_steps: NonNegativeInt = Field(default=2, description="decode steps kept op by op in trace")
    write: StrictBool = True


class Simulation(Strict):
    memory_check: Literal["error", "warn"] = "error"
    idle_power: Literal["used", "all"] = Field(
        default="used",
        description="used: a run pays idle power for the devices it uses (the LLM's, its steps', any that moves "
                    "data), so a GPU-only run is priced as a system without the FPGA; all: every device of the "
                    "system idles for the whole run (an installed machine whose cards stay powered)")
    gpu_execution: Literal["eager", "graph"] = Field(
        default="eager",
        description="eager: ops issued one by one from Python (host and GPU overlap, the slower wins), as the "
                    "methods' PyTorch implementations run; graph: replayed as CUDA graphs, as serving engines "
                    "run decode (GPU time only)")


class ExperimentSpec(Strict):
    name: SafeName = Field(description="names the results folder (outputs.dir/NAME)")
    description: str = ""
    system: str | SystemSpec
    workload: WorkloadSpec
    placements: list[str | PlacementSpec] = Field(min_length=1)
    baseline: str | None = Field(default="dense", description="method run GPU-only as a reference row")
    gpu_baseline: str | None = Field(default=None, description="the GPU software the runs assume: paper | efficient "
                                     "| a name in configs/baselines/ (stack, GPU execution, where the reference "
                                     "retrieves, efficiencies of kernels that cannot be traced); null: as written")
    seed: NonNegativeInt = Field(default=0, description="seed of every draw the runs make (numpy's generators take "
                                 "no negative seed)")
    outputs: Outputs = Field(default_factory=Outputs)
    simulation: Simulation = Field(default_factory=Simulation)
    serving: ServingSpec | None = Field(default=None, description="a request stream served by the placements "
                                        "(hetsim.serving) instead of one static batch")

    @model_validator(mode="after")
    def _placement_names_unique(self) -> ExperimentSpec:
        # each run's results (its trace file, its column) are keyed by the placement's name
        names = [p if isinstance(p, str) else p.name for p in self.placements]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"placements[{i}]: the name {name!r} is used twice; every placement needs "
                                 "its own name")
        return self


# ----------------------------------------------------------------------------- serving (hetsim.serving)
NonNegativeFloat = Annotated[float, Field(ge=0)]
PositiveFloat = Annotated[float, Field(gt=0)]


class LengthSpec(Strict):
    """A distribution of token counts. fixed: `value`; uniform: `low`..`high`; lognormal: median
    `median` and log-space spread `sigma`, clipped to `low`..`high`; empirical: resampled from
    the column of a CSV trace (`trace`)."""

    dist: Literal["fixed", "uniform", "lognormal", "empirical"] = "fixed"
    value: PositiveInt | None = None
    low: PositiveInt = 1
    high: PositiveInt | None = None
    median: PositiveFloat | None = None
    sigma: NonNegativeFloat = 1.0
    trace: str | None = Field(default=None, description="CSV trace whose column is resampled (empirical)")

    @model_validator(mode="after")
    def _fields_for_dist(self) -> LengthSpec:
        need = {"fixed": "value", "lognormal": "median", "empirical": "trace", "uniform": "high"}[self.dist]
        if getattr(self, need) is None:
            raise ValueError(f"dist {self.dist!r} needs `{need}`")
        if self.high is not None and self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self


class PrefixSpec(Strict):
    """Shared prompt prefixes (system prompts, few-shot examples): each request joins one of
    `groups` groups at random and its prompt starts with the group's `tokens` tokens."""

    groups: PositiveInt = 1
    tokens: PositiveInt = 512


class ArrivalSpec(Strict):
    """When requests arrive. poisson: exponential gaps at `rate_per_s`; gamma: gamma gaps of mean
    1/rate and coefficient of variation `cv` (cv > 1: bursty); fixed: evenly spaced; all-at-once:
    every request at t = 0."""

    process: Literal["poisson", "gamma", "fixed", "all-at-once"] = "poisson"
    rate_per_s: PositiveFloat | None = None
    cv: PositiveFloat = 1.0

    @model_validator(mode="after")
    def _rate(self) -> ArrivalSpec:
        if self.process != "all-at-once" and self.rate_per_s is None:
            raise ValueError(f"process {self.process!r} needs `rate_per_s`")
        return self


class RequestsSpec(Strict):
    count: PositiveInt = 100
    arrivals: ArrivalSpec = Field(default_factory=lambda: ArrivalSpec(process="all-at-once"))
    prompt_tokens: LengthSpec = Field(default_factory=lambda: LengthSpec(value=512))
    output_tokens: LengthSpec = Field(default_factory=lambda: LengthSpec(value=128))
    prefix: PrefixSpec | None = None
    priorities: PositiveInt = Field(default=1, description="priority classes drawn uniformly (0 is served first)")
    trace: str | None = Field(default=None, description="CSV trace (arrival_s, prompt_tokens, output_tokens, "
                              "optional prefix_group, prefix_tokens, priority) replacing the generators")


class SchedulerSpec(Strict):
    """static: today's batches (one batch prefilled, decoded in lockstep, then the next);
    continuous: iteration-level batching, a new prompt prefilled whole in its own iteration
    (decodes wait); chunked: Sarathi-Serve stall-free batching, every running decode plus prefill
    chunks up to `token_budget` tokens per iteration."""

    policy: Literal["static", "continuous", "chunked"] = "chunked"
    max_batch: PositiveInt = 256
    max_tokens: PositiveInt = Field(default=8192, description="tokens one iteration may process")
    token_budget: PositiveInt = Field(default=512, description="chunked: tokens per iteration (decodes + chunks)")
    order: Literal["fcfs", "priority"] = "fcfs"
    preemption: Literal["recompute", "swap"] = "recompute"


class KvSpec(Strict):
    block_tokens: PositiveInt = 16
    memory_frac: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.9, description="share of the device memory the engine may use (weights + KV blocks)")
    blocks: PositiveInt | None = Field(default=None, description="cap on the KV blocks (default: all that fit)")


class SloSpec(Strict):
    ttft_s: PositiveFloat = 1.0
    tpot_s: PositiveFloat = 0.1
    attainment: Annotated[float, Field(gt=0, le=1)] = Field(
        default=0.9, description="share of requests that must meet both for a rate to pass the capacity search")


class CapacitySpec(Strict):
    """Search for the highest arrival rate whose requests meet the SLO: the bounds first, then
    `iterations` rounds that each probe `probes_per_round` rates spaced evenly in log space
    inside the bracket (1: binary search) in parallel on the sweep executors, the bracket
    narrowing to the interval where attainment first falls below the SLO's."""

    low_per_s: PositiveFloat = 0.1
    high_per_s: PositiveFloat = 100.0
    iterations: PositiveInt = Field(default=8, description="rounds after the bounds")
    probes_per_round: PositiveInt = Field(default=3, description="rates probed at once per round (k-section)")
    workers: PositiveInt | None = Field(default=1, description="local processes running probes (1: in this "
                                        "process; null: every CPU), as `hetsim sweep --workers`")
    ray: str | None = Field(default=None, description="run the probes on Ray: 'auto' or a head's HOST:PORT, as "
                            "`hetsim sweep --ray`")
    store: str | None = Field(default=None, description="folder keeping each probe as a sweep point (a sweep "
                              "store: a rerun reuses the probes it holds); default: none kept")


class DecodeRetrievalSpec(Strict):
    """When a served request of a RAG method retrieves again during its decode (FLARE / DRAGIN /
    FS-RAG): it pauses, its search queues on the device running the retrieval steps, and the
    retrieved passages (the method's top_k x doc_tokens) are prefilled as a chunk after what it
    generated before it decodes on. method: the method's own trigger (fs-rag: every
    `sentence_tokens`; dragin: each token with probability `trigger_prob`; flare: at the end of
    each look-ahead sentence of `sentence_tokens` holding a low-confidence token (each token with
    probability `trigger_prob`), the sentence then generated again; once: never); every: after every
    `every_tokens` generated tokens; probability: after each generated token with probability
    `per_token_prob`; none: only the search before the prefill. Draws are seeded per request."""

    trigger: Literal["method", "every", "probability", "none"] = "method"
    every_tokens: PositiveInt | None = None
    per_token_prob: Annotated[float, Field(gt=0, le=1)] | None = None

    @model_validator(mode="after")
    def _fields_for_trigger(self) -> DecodeRetrievalSpec:
        need = {"every": "every_tokens", "probability": "per_token_prob"}.get(self.trigger)
        if need and getattr(self, need) is None:
            raise ValueError(f"trigger {self.trigger!r} needs `{need}`")
        return self


class ExpertParallelSpec(Strict):
    """Expert parallelism of an MoE model (`hetsim.serving.expert_parallel`): its routed experts
    spread over `gpus` GPUs (the tensor-parallel ones), tokens sent to them and back by all-to-all
    on the system's links; `comet` overlaps that communication with the expert GEMMs in tiles."""

    gpus: PositiveInt = Field(description="GPUs the routed experts are spread over (= serving.tensor_parallel)")
    imbalance: NonNegativeFloat = Field(default=0.0, description="log-space sigma of a seeded lognormal expert "
                                        "popularity (0: uniform routing)")
    comet: StrictBool = Field(default=False, description="overlap dispatch/combine with the expert GEMMs in tiles "
                              "(Comet, MLSys 2025)")
    comm_sm_share: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=20 / 132, description="comet: share of the SMs driving the communication, lost to the GEMMs "
                                      "(assumed: DeepSeek-V3's 20 of 132 SMs for its all-to-all kernels)")
    tile_rows: PositiveInt = Field(default=128, description="comet: token-expert rows per tile (a GEMM M-tile)")


class ServingSpec(Strict):
    requests: RequestsSpec = Field(default_factory=RequestsSpec)
    scheduler: SchedulerSpec = Field(default_factory=SchedulerSpec)
    kv: KvSpec = Field(default_factory=KvSpec)
    prefix_cache: StrictBool = False
    slo: SloSpec = Field(default_factory=SloSpec)
    capacity_search: CapacitySpec | None = None
    decode_retrievals: DecodeRetrievalSpec = Field(default_factory=DecodeRetrievalSpec,
                                                   description="RAG methods: retrievals during decode")
    memory_groups: PositiveInt = Field(
        default=2, description="request groups per iteration whose memory steps off the GPU (FPGA, CPU) run "
                               "while other groups' GPU work runs, the weights read once for all "
                               "(hetsim.serving.memory_pipeline); 1: no overlap (the placement's micro_batches "
                               "do not apply in serving)")
    rates_per_s: list[PositiveFloat] = Field(default_factory=list, description="extra runs at these arrival rates "
                                             "(the throughput-latency curve)")
    tensor_parallel: PositiveInt = Field(default=1, description="GPUs the LLM is split over (Megatron-style: "
                                         "the placement's GPU and the system's next ones, ring all-reduce on "
                                         "their links)")
    expert_parallel: ExpertParallelSpec | None = Field(default=None, description="an MoE model's experts over "
                                                       "the tensor-parallel GPUs, all-to-all dispatch/combine")
    bucket_error: Annotated[float, Field(ge=0, le=0.2)] = Field(
        default=0.02, description="iteration shapes are rounded up to a grid of this relative step; "
                                  "an iteration's priced time exceeds its exact time by at most this share")


ExperimentSpec.model_rebuild()  # `serving` names a model defined after it
