"""The file formats a user writes: devices, links, systems, LLM models, workloads, placements,
experiments. Pydantic v2 models; units are in the field names and converted at the edge
(`hetsim.hardware`), never here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hetsim.provenance import Sourced

STEPS: tuple[str, ...] = ("prepare", "relevancy", "retrieval", "apply")
PositiveInt = Annotated[int, Field(gt=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ----------------------------------------------------------------------------- devices
class GpuSpec(Strict):
    kind: Literal["gpu"]
    name: str
    vendor: Literal["nvidia", "amd"]
    memory_gb: Sourced
    hbm_bw_gbps: Sourced = Field(description="peak HBM bandwidth")
    hbm_efficiency: Sourced = Field(description="fraction of peak a streaming kernel reaches")
    matrix_tflops: dict[Literal["bf16", "fp16", "fp8", "int8", "fp32"], Sourced] = Field(
        description="dense matrix-unit peak per dtype"
    )
    vector_tflops: Sourced = Field(description="fp32 vector peak (elementwise and reduction math)")
    l2_mb: Sourced
    launch_overhead_us: Sourced = Field(description="per-op gap in eager execution (launch + sync)")
    idle_w: Sourced
    memory_bound_w: Sourced = Field(description="board power while a memory-bound kernel runs")
    compute_bound_w: Sourced = Field(description="board power while a compute-bound kernel runs")
    tdp_w: Sourced
    host_link: str = Field(description="link type of its host connection, from configs/links")
    profile: str | None = Field(default=None, description="calibration profile in calibration/profiles")


class FpgaSpec(Strict):
    kind: Literal["fpga"]
    name: str
    vendor: Literal["amd"] = "amd"
    memory_gb: Sourced
    hbm_pseudo_channels: Sourced
    hbm_bw_per_pc_gbps: Sourced
    hbm_efficiency: Sourced
    bram36: Sourced
    uram: Sourced
    dsps: Sourced
    luts: Sourced
    ffs: Sourced
    bram_bw_gbps: Sourced = Field(description="aggregate on-chip BRAM bandwidth")
    uram_bw_gbps: Sourced = Field(description="aggregate on-chip URAM bandwidth")
    kernel_clock_mhz: Sourced
    invocation_overhead_us: Sourced = Field(description="host-side kernel start to finish overhead")
    idle_w: Sourced
    active_w: Sourced = Field(description="power above idle while a kernel runs")
    host_link: str
    profile: str | None = None


DeviceSpec = Annotated[GpuSpec | FpgaSpec, Field(discriminator="kind")]


# ----------------------------------------------------------------------------- links
class LinkSpec(Strict):
    """A link type. `downstream` is from the first endpoint named in a system (host or switch
    side) to the second; `upstream` the reverse."""

    name: str
    kind: Literal["pcie", "p2p", "nvlink"]
    latency_us: Sourced
    downstream_gbps: Sourced
    upstream_gbps: Sourced
    energy_pj_per_bit: Sourced | None = None


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
    host: str = "host"
    devices: dict[str, str] = Field(min_length=1, description="device id -> catalogue device name")
    switches: list[str] = Field(default_factory=list)
    links: list[LinkInstance] = Field(min_length=1)

    @model_validator(mode="after")
    def _endpoints_known(self) -> SystemSpec:
        nodes = {self.host, *self.devices, *self.switches}
        for i, link in enumerate(self.links):
            for end in link.between:
                if end not in nodes:
                    raise ValueError(
                        f"links[{i}] names endpoint {end!r}, which is not the host, a device or a "
                        f"switch of this system (known: {sorted(nodes)})"
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
    shared_experts: int = Field(default=0, ge=0)
    intermediate: PositiveInt = Field(description="hidden size of one expert (moe_intermediate_size)")
    dense_layers: int = Field(default=0, ge=0, description="leading dense-MLP layers (first_k_dense_replace)")


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


class PlacementSpec(Strict):
    """Which device runs each of the four steps; `model` runs the LLM layers themselves.

    `micro_batches` splits the batch so devices overlap (one micro-batch's FPGA work under
    another's GPU work); each micro-batch re-reads the weights, so it only pays across devices.
    """

    name: str
    micro_batches: PositiveInt = 1
    model: str | None = Field(default=None, description="device id; default: the first GPU")
    prepare: str | None = None
    relevancy: str | None = None
    retrieval: str | None = None
    apply: str | None = None


# ----------------------------------------------------------------------------- experiments
class Outputs(Strict):
    dir: str = "results"
    trace_decode_steps: int = Field(default=2, ge=0, description="decode steps kept op by op in trace")
    write: bool = True


class Simulation(Strict):
    memory_check: Literal["error", "warn"] = "error"
    gpu_execution: Literal["eager", "graph"] = Field(
        default="eager",
        description="eager: ops issued one by one from Python (host and GPU overlap, the slower wins), as the "
                    "methods' PyTorch implementations run; graph: replayed as CUDA graphs, as serving engines "
                    "run decode (GPU time only)")


class ExperimentSpec(Strict):
    name: str
    description: str = ""
    system: str | SystemSpec
    workload: WorkloadSpec
    placements: list[str | PlacementSpec] = Field(min_length=1)
    baseline: str | None = Field(default="dense", description="method run GPU-only as a reference row")
    seed: int = 0
    outputs: Outputs = Field(default_factory=Outputs)
    simulation: Simulation = Field(default_factory=Simulation)
