"""Serving iterations priced under `workload.stack: hf-paged`: what transformers' continuous
batching engine (ContinuousBatchingManager, paged|sdpa, no CUDA graphs) runs per iteration.

An iteration of D decodes and prefill chunks is one packed forward of shape (Q, K, R): Q new
tokens, K tokens its attention reads from the paged cache (every request's cached + new tokens;
none when no request has cached tokens), R requests (one LM-head row each). Its ops come from the shipped
templates (hetsim/stacks/traces/MODEL.hf-paged.{fresh,cached,single}.json.gz, traced by
hetsim/tracing/paged.py) at that shape, lowered and priced as every stack's ops are (eager host
dispatch and device time, hetsim/sim/lowering.py). Two costs a forward's ops do not show are
added to the iteration, both on the host while the GPU idles (the engine synchronises on each
iteration's sampled tokens before it prepares the next):

  manager     the engine's own per-iteration host work (scheduling, block allocation, the packed
              inputs, the 4-D mask, the per-request updates): `per_iteration_s + per_request_s *
              requests`, measured with the model call stubbed (hetsim/stacks/traces/hf-paged.host.json,
              calibration/serving/fit_cb_host.py)
  sdpa plan   PyTorch's cuDNN SDPA builds a graph per new (shape, stride) key and caches it; the
              engine's one SDPA call per layer has the iteration's (Q, K), and K grows by the batch
              every step, so every iteration pays one build (the GPU model's `host_sdpa_plan`). A
              shape recurs only by coincidence (13 of the 527 iterations of the validation run,
              calibration/serving/; none of the 465 hetsim serves there): pricing it as new keeps an
              iteration's price a function of its shape, independent of the order requests are served.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hetsim.errors import ConfigError
from hetsim.ops import HostCall, dtype_bytes
from hetsim.serving.cost import IterationCost, Priced
from hetsim.sim.engine import IterationDag
from hetsim.sim.lowering import compute_tasks, lower_layer
from hetsim.stacks import aten, templates
from hetsim.stacks.lower import SM90, Cut, StackOps, cut
from hetsim.workloads.base import LayerWork, StepWork

STACK = "hf-paged"
PHASES = ("fresh", "cached", "single")
HOST_FILE = templates.TRACES_DIR / f"{STACK}.host.json"


@dataclass(frozen=True)
class Shape:
    """One packed forward: `q` new tokens, `k` read from the cache (0: none cached), `r` requests."""

    q: int
    k: int
    r: int

    @property
    def phase(self) -> str:
        if not self.k:
            return "fresh"
        return "single" if self.q == 1 else "cached"

    def values(self) -> dict[str, int]:
        return {s: getattr(self, s.lower()) for s in templates.ALL_SYMBOLS[(STACK, self.phase)]}


def shape_of(n_decode: int, decode_context_sum: int, chunks) -> Shape:
    """The forward of `n_decode` decodes holding `decode_context_sum` tokens (new ones included) and
    prefill chunks of (tokens, context once written)."""
    q = n_decode + sum(t for t, _ in chunks)
    k = decode_context_sum + sum(c for _, c in chunks)
    return Shape(q, k if k > q else 0, n_decode + len(chunks))


class PagedOps(StackOps):
    """The hf-paged templates of one model, cut and lowered as `StackOps` cuts an hf layer (the
    attention region ends at the SDPA call; the paged cache's index_copy_/index_select before it
    fall in `pre`). Its phases are the iteration kinds, so `StackOps.__init__` (prefill/decode) is
    not used."""

    def __init__(self, model: str, arch: int | None = SM90, layers: int | None = None, cudnn: bool = True) -> None:
        from hetsim.stacks.lower import _layers

        self.model, self.stack, self.static_len, self.arch, self.cudnn = model, STACK, 0, arch, cudnn
        self.layers = layers if layers is not None else _layers(model)
        self.tpl = {p: templates.load(model, STACK, p) for p in PHASES}
        self.cuts: dict[str, Cut] = {p: cut(t) for p, t in self.tpl.items()}
        self._memo: dict = {}

    def replans(self, tpl, values) -> bool:
        return False  # plan builds depend on the run's history: PagedIterationCost adds them

    def forward(self, shape: Shape) -> dict[str, tuple]:
        """pre, attn, post (one layer) and tail (embedding, rotary, final norm, LM head, sampling)."""
        v = shape.values()
        return {name: self.section(shape.phase, name, v) for name in ("pre", "attn", "post", "tail")}


@lru_cache(maxsize=4)
def manager_host() -> dict:
    """The manager's per-iteration host work (fitted, with its provenance)."""
    return json.loads(Path(HOST_FILE).read_text())


class PagedIterationCost(IterationCost):
    """`IterationCost` for stack hf-paged (see the module docstring): a dense model on one GPU."""

    def __init__(self, machine, method, placement, error: float, *args, **kwargs) -> None:
        super().__init__(machine, method, placement, error, *args, **kwargs)
        file = machine.exp.file
        if method.name != "dense":
            raise ConfigError(f"stack {STACK} traces dense attention; method {method.name!r} cannot be served under "
                              "it (use method: dense or stack: fused)", file=file, field="workload.stack")
        if self.copies != 1 or getattr(self, "ep", None) is not None or self.model_kind != "gpu":
            raise ConfigError(f"stack {STACK} is traced on one GPU: serve it without tensor or expert parallelism, "
                              "on a GPU-only placement", file=file, field="workload.stack")
        try:
            self.ops = PagedOps(method.model.name, method.gpu_arch, cudnn=method.workload.cudnn_sdpa == "auto")
        except FileNotFoundError:
            raise ConfigError(f"stack {STACK} has no shipped trace of model {method.model.name!r}; regenerate with "
                              "`python -m hetsim.stacks.regenerate` or use stack: fused", file=file,
                              field="workload.stack") from None
        gpu = machine.models[placement.model]
        host = manager_host()
        self.manager = (host["per_iteration_s"], host["per_request_s"])
        machine.log.note(f"{placement.model}.host.cb_manager", host["provenance"]["source"])
        # a graph build per iteration only where the engine's masked call runs cuDNN's SDPA
        cudnn = self.ops.cudnn and self.ops.arch in aten.CUDNN_FIRST_ARCHS
        self.plan_s = gpu.dispatch_s(HostCall("sdpa_plan", "cudnn", name="cudnn_sdpa_plan")) if cudnn else 0.0
        if cudnn:
            # the profile's build was timed on another call pattern (decode, enable_gqa, no mask): the
            # engine's masked packed call is priced by it, a transfer
            machine.log.note(f"{placement.model}.host.sdpa_plan.paged_call", "transferred")

    def _price_key(self, key: tuple) -> Priced:
        (n, ctx), chunks = key
        expanded = [(t, c) for (t, c), count in chunks for _ in range(count)]
        shape = shape_of(n, n * ctx, expanded)
        ops = self.ops.forward(shape)
        m = self.method.model
        q_bytes = shape.q * m.q_heads * m.head_dim * dtype_bytes(m.dtype)
        work = LayerWork((StepWork("apply", {"gpu": ops["attn"]}, (("model", q_bytes),), q_bytes),))
        layer = tuple(lower_layer(self.machine, self.p, work, ops["pre"], ops["post"], self.method.name,
                                  memo=self.task_memo))
        layers = {kind: layer for kind in set(self.kinds)}
        tail = compute_tasks(self.machine, "lm_head", "model", self.p.model, ops["tail"], ("post",), self.task_memo)
        run = self.sim.run(IterationDag(self.kinds, layers, tail, 1))
        energy = sum(t.energy_j + t.link_energy_j for t in tail)
        energy += sum(sum(t.energy_j + t.link_energy_j for t in layers[kind]) for kind in self.kinds)
        # the host, with the GPU idle: the manager before the forward, the graph build at layer 0's SDPA
        return Priced(run.makespan + self.host_s(shape.r), energy)

    def host_s(self, requests: int) -> float:
        """The iteration's host work outside the forward's ops: the manager's and one cuDNN graph build."""
        return self.manager[0] + self.manager[1] * requests + self.plan_s

    def forward_s(self, key: tuple) -> float:
        """The forward alone (what `price` adds the host work to), for diagnosis."""
        (n, _), chunks = key
        return self.price_key(key).time_s - self.host_s(n + sum(count for _, count in chunks))
