"""The serving section checked with the rest of the scenario (`hetsim check` == `hetsim run`):
the requests can be generated or read, the KV cache has room after the weights for the largest
request, and the SLO is not out of reach of a request served alone."""

from __future__ import annotations

from hetsim.errors import ConfigError
from hetsim.serving.cost import IterationCost
from hetsim.serving.expert_parallel import ep_refusal
from hetsim.serving.parallel import tp_refusal


def check_serving(scn) -> None:
    from hetsim.serving.run import ServingRunner, capacity_of, requests_of  # run imports the scenario module

    sv, file = scn.spec.serving, scn.file
    if scn.spec.workload.stack not in ("fused", "hf-paged"):
        raise ConfigError(f"serving prices iterations with hetsim's own lowering (stack: fused) or transformers' "
                          f"continuous batching (stack: hf-paged); stack {scn.spec.workload.stack!r} is priced from "
                          "traces of fixed shapes only", file=file, field="workload.stack")
    tp = sv.tensor_parallel
    gpus = [d for d in scn.system.devices if scn.device(d).kind == "gpu"]
    if sv.expert_parallel is not None:
        refused = ep_refusal(scn.model, sv.expert_parallel, tp, len(gpus))
        if refused:
            raise ConfigError(f"cannot spread the experts: {refused[1]}", file=file,
                              field=f"serving.expert_parallel.{refused[0]}")
    if tp > 1:
        why = tp_refusal(scn.model, tp, sv.expert_parallel is not None)
        if why is None and len(gpus) < tp:
            why = f"system {scn.system.name!r} has {len(gpus)} GPU(s)"
        for planned in scn.runs:
            if why is None and set(planned.placement.steps.values()) - {planned.placement.model}:
                why = f"placement {planned.placement.name!r} puts steps off the GPU; tensor parallelism is " \
                      "modelled for GPU-only placements"
        if why:
            raise ConfigError(f"cannot split the model over {tp} GPUs: {why}", file=file,
                              field="serving.tensor_parallel")
    reqs = requests_of(scn)
    shortest_prompt = min(r.prompt_tokens for r in reqs)
    biggest = max(reqs, key=lambda r: r.prompt_tokens + r.output_tokens)
    for planned in scn.runs:
        cap = capacity_of(scn, planned)
        dev = planned.placement.model
        if cap.blocks == 0:
            raise ConfigError(f"no KV blocks fit on {dev} after the weights ({cap.free_bytes} bytes left of "
                              f"memory_frac {sv.kv.memory_frac:g}); raise serving.kv.memory_frac or use a larger "
                              "device", file=file, field="serving.kv")
        tokens = biggest.prompt_tokens + biggest.output_tokens
        need = -(-tokens // cap.block_tokens)
        if need > cap.blocks:
            raise ConfigError(f"request {biggest.rid} needs {need} KV blocks ({tokens} tokens) but {dev} holds "
                              f"{cap.blocks}; shorten the requests or raise serving.kv", file=file,
                              field="serving.requests")
        runner = ServingRunner(scn, planned)
        priced = runner.cost
        exact = IterationCost(runner.machine, priced.method, planned.placement, 0.0, priced.ring, priced.ep)
        ttft = exact.price(0, 0, [(shortest_prompt, shortest_prompt)]).time_s
        if ttft > sv.slo.ttft_s:
            raise ConfigError(f"no arrival rate can meet ttft_s {sv.slo.ttft_s:g}: the shortest prompt "
                              f"({shortest_prompt} tokens) alone takes {ttft:.3g} s to prefill on "
                              f"{planned.label}", file=file, field="serving.slo.ttft_s")
        tpot = exact.price(1, shortest_prompt + 1, []).time_s
        if tpot > sv.slo.tpot_s:
            raise ConfigError(f"no arrival rate can meet tpot_s {sv.slo.tpot_s:g}: one request alone decodes "
                              f"a token in {tpot:.3g} s on {planned.label}", file=file, field="serving.slo.tpot_s")
