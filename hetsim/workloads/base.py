"""What a method hands the simulator: per layer, the four steps as ops per device kind, the
data each step needs from the others, and which steps can fuse on one device.

A method never knows the placement; the engine lowers each step to the kind of device it is
placed on and inserts transfers where a producer and its consumer live apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from hetsim.config.schema import ModelSpec, WorkloadSpec
from hetsim.ops import Op
from hetsim.workloads import models as llm

PRODUCERS = ("model", "prepare", "relevancy", "retrieval", "apply")
GPU_ARCH = 90  # compute capability 9.0 (H100, H200): the catalogue's calibrated GPUs


@dataclass(frozen=True)
class StepWork:
    """One step of one layer for one micro-batch.

    `ops` maps a device kind ('gpu', 'fpga') to the ops that implement the step there; a kind
    missing from it cannot run the step. An empty tuple is a step with no compute on that kind
    (e.g. a resident index arriving on the relevancy device during prefill).
    `inputs` are (producer, bytes): 'model' is the layer's own pre-attention output.
    """

    step: str
    ops: dict[str, tuple[Op, ...]]
    inputs: tuple[tuple[str, int], ...] = ()
    output_bytes: int = 0


@dataclass(frozen=True)
class LayerWork:
    steps: tuple[StepWork, ...]
    # steps that run as one kernel when placed together on one device of a kind:
    # (("relevancy", "retrieval"), "fpga") -> ops
    fused: dict[tuple[tuple[str, ...], str], tuple[Op, ...]] = field(default_factory=dict)

    def step(self, name: str) -> StepWork | None:
        return next((s for s in self.steps if s.step == name), None)


@dataclass(frozen=True)
class Prefill:
    """The LLM prefills `tokens` new tokens per request on top of `context` tokens in memory."""

    tokens: int
    context: int = 0
    label: str = "prefill"
    role = "model"  # the LLM layers of a prefill produce the output

    @property
    def step_tokens(self) -> int:
        """Tokens per request that one barrier-separated step of this phase processes."""
        return self.tokens


@dataclass(frozen=True)
class Decode:
    """`tokens` decode steps starting with `context` tokens in memory. role 'model' produces the
    output; role 'prepare' is the LLM writing its own memory (MemAgent): its layers run on the
    device placed for Prepare and count as Prepare time."""

    tokens: int
    context: int
    role: str = "model"
    label: str = "decode"

    @property
    def step_tokens(self) -> int:
        return 1


@dataclass(frozen=True)
class RequestSteps:
    """Request-level steps run once per micro-batch outside the LLM layers (e.g. a RAG search)."""

    work: LayerWork
    label: str = "steps"


Phase = Prefill | Decode | RequestSteps


def _stack_phase(phase: Prefill | Decode) -> str:
    return "decode" if isinstance(phase, Decode) else "prefill"


class MethodParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Method:
    """Base of every method. Subclasses set `name`, `Params` and the work builders."""

    name: str = "?"
    description: str = ""
    Params: type[MethodParams] = MethodParams
    fpga_kernels: tuple[str, ...] = ()

    def __init__(self, params: MethodParams, workload: WorkloadSpec, model: ModelSpec):
        self.p = params
        self.workload = workload
        self.model = model
        self.check()

    def check(self) -> None:
        """Raise ValueError(field, message) pairs via `bad` for inconsistent parameters."""

    @staticmethod
    def bad(field_name: str, message: str) -> ValueError:
        err = ValueError(message)
        err.field = field_name  # type: ignore[attr-defined]
        return err

    # every layer with the same kind has the same work; the engine simulates kinds, not layers
    def layer_kind(self, layer: int) -> str:
        return "layer"

    def plan(self, rng) -> list[Phase]:
        """The phases of one batch of requests, in order. `rng` (numpy Generator, seeded by the
        experiment) draws anything random, such as retrieval triggers."""
        w = self.workload
        return [Prefill(w.context_tokens), Decode(w.decode_tokens, w.context_tokens)]

    def phase_layer(self, phase: Prefill | Decode, kind: str, batch: int) -> LayerWork:
        """Per-layer work of the first step of a Prefill or Decode phase."""
        context = phase.context + phase.step_tokens
        if isinstance(phase, Prefill):
            return self.prefill_layer(kind, batch, context, phase.tokens)
        return self.decode_layer(kind, batch, context)

    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        raise NotImplementedError

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        """Per-layer work while `new_tokens` (default: all `context`) are prefilled; `context`
        counts every token in memory once they are."""
        raise NotImplementedError

    def model_ops(self, device_kind: str, tokens: int) -> tuple[tuple[Op, ...], tuple[Op, ...]]:
        """The LLM layer's own ops (before, after attention) for `tokens` tokens on a device kind."""
        if device_kind != "gpu":
            raise ValueError(f"method {self.name} cannot run the LLM layers on a {device_kind}")
        return tuple(llm.pre_attention_ops(self.model, tokens)), tuple(llm.post_attention_ops(self.model, tokens))

    # ---------------------------------------------------------------- software stack (workload.stack)
    # Whether this method's attention is the stack's own (dense attention is); a method whose
    # attention is replaced by memory steps keeps its steps and takes only the layer's other ops.
    stack_attention: bool = False
    # The compute capability (90 for 9.0; None: not a CUDA GPU) of the GPU that runs the LLM layers: with
    # `workload.cudnn_sdpa` it decides which backend an hf stack's SDPA calls run (hetsim.stacks.aten.sdpa_backend).
    # Set by `build_method` from the system (hetsim.scenario).
    gpu_arch: int | None = GPU_ARCH

    def stack_ops(self):
        """The `hetsim.stacks.lower.StackOps` of an hf stack (None for `fused`), built once."""
        stack = self.workload.stack
        if stack in ("fused", "hf-paged"):  # hf-paged prices serving iterations itself (serving/stack_cost.py)
            return None
        ops = self.__dict__.get("_stack_ops")
        if ops is None:
            from hetsim.stacks.lower import StackOps

            ops = self.__dict__["_stack_ops"] = StackOps(self.model.name, stack, self.max_sequence_tokens(),
                                                         arch=self.gpu_arch,
                                                         cudnn=self.workload.cudnn_sdpa == "auto")
        return ops

    def layer_model_ops(self, device_kind: str, phase: Prefill | Decode, batch: int
                        ) -> tuple[tuple[Op, ...], tuple[Op, ...]]:
        """The LLM layer's own ops (before, after attention) for one step of `phase` at `batch`."""
        stack = self.stack_ops()
        if stack is None or device_kind != "gpu":
            return self.model_ops(device_kind, batch * phase.step_tokens)
        pre, post = stack.pre_post(_stack_phase(phase), batch, phase.step_tokens)
        if not self.stack_attention:
            # the method's steps hold attention, not the KV-cache write: keep the fused lowering's append
            pre = (*pre, *(op for op in llm.pre_attention_ops(self.model, batch * phase.step_tokens)
                           if op.name == "kv_append"))
        return pre, post

    def lm_head_ops(self, phase: Prefill | Decode, batch: int) -> tuple[Op, ...]:
        """The ops after the last layer (an hf stack: the forward's head and tail ops together)."""
        stack = self.stack_ops()
        if stack is None:
            return tuple(llm.lm_head_ops(self.model, batch))
        return stack.tail(_stack_phase(phase), batch, phase.step_tokens, phase.context)

    def index_bytes_per_layer(self, batch: int, context: int) -> int:
        """Bytes of the memory index (the output of Prepare) one layer keeps for `batch` requests."""
        return 0

    # ---------------------------------------------------------------- placement and memory hooks
    # A request-level method plans RequestSteps phases for the whole batch, so it runs with one
    # micro-batch (a RequestSteps phase is repeated per micro-batch).
    request_level: bool = False

    def resident_bytes(self, batch: int, tokens: int, kind_of: Callable[[str], str]) -> dict[str, int]:
        """Bytes each role ('model' or a step) keeps resident on the device it is placed on, with
        `tokens` tokens in memory per request; `kind_of(role)` is that device's kind. Default:
        the weights and KV cache with the LLM, the index on the Relevancy device."""
        m = self.model
        out = {"model": llm.weight_bytes(m) + llm.kv_bytes_per_token(m) * batch * tokens}
        index = self.index_bytes_per_layer(batch, tokens) * m.layers
        if index:
            out["relevancy"] = index
        return out

    def paper_placement(self, gpu: str, fpga: str) -> tuple[dict[str, str], int | None]:
        """He et al.'s split for this method: step -> device, and micro-batches (None: the
        placement's default). Default: Prepare and Apply on the GPU, Relevancy + Retrieval on
        the FPGA (one fused kernel)."""
        return {"prepare": gpu, "relevancy": fpga, "retrieval": fpga, "apply": gpu}, None

    def fpga_topk(self) -> list[tuple[str, str, int]]:
        """(parameter field, FPGA kernel, k) for each top-k this method asks an FPGA kernel to
        keep, so a k beyond the kernel's top-k unit is a configuration error, not a crash."""
        return []

    def batch_rule(self, machine, placement) -> str | None:
        """Why `placement` should fall back to GPU-only at this batch (None: it should not)."""
        return None

    def notes(self) -> list[str]:
        """Facts about this run the results must carry (e.g. a subset of layers simulated)."""
        return []

    def max_sequence_tokens(self) -> int:
        """The longest sequence the LLM holds at once (a chunked or segmented method holds less
        than the whole context)."""
        return self.workload.context_tokens + self.workload.decode_tokens
