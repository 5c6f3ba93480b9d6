"""Does a placement fit its devices? What each role keeps resident (`Method.resident_bytes`:
weights and KV cache with the LLM; an index or a second model with the step that uses it) against
each device's memory, and the FPGA kernels' top-k units against the k a method asks for.

A GPU that cannot hold its share is an error (a warning with `simulation.memory_check: warn`);
an FPGA that cannot makes the placement fall back to GPU-only for the memory steps, as does a
method's batch rule (MemAgent's FPGA decode), and the results say so.
"""

from __future__ import annotations

from collections import defaultdict

from hetsim.errors import CapacityError, ConfigError
from hetsim.placement import Placement, apply_batch_rule, gpu_only_fallback
from hetsim.sim.machine import Machine
from hetsim.units import GB
from hetsim.workloads.base import Method


def memory_fit(scn, machine: Machine, method: Method, p: Placement) -> tuple[Placement, list[str]]:
    """The placement to run (`p`, or its GPU-only fallback) and the warnings the results carry."""
    w, m = scn.spec.workload, method.model
    tokens = w.context_tokens + w.decode_tokens
    warnings = list(method.notes())
    longest = method.max_sequence_tokens()
    if m.max_position_embeddings and longest > m.max_position_embeddings:
        warnings.append(f"sequences of {longest} tokens exceed {m.name}'s max_position_embeddings "
                        f"({m.max_position_embeddings}): simulated anyway (costs do not depend on the "
                        "checkpoint's reach)")
    p, reason = apply_batch_rule(p, method, machine)
    if reason:
        warnings.append(reason)

    def needs(pl: Placement) -> tuple[dict[str, int], dict[str, list[str]]]:
        need: dict[str, int] = defaultdict(int)
        roles: dict[str, list[str]] = defaultdict(list)
        # pipelined batches keep every batch's KV cache and index resident (the weights once)
        for role, nbytes in method.resident_bytes(w.batch * pl.pipelined_batches, tokens,
                                                  lambda r: machine.kind(pl.device_of(r))).items():
            need[pl.device_of(role)] += nbytes
            roles[pl.device_of(role)].append(role)
        return need, roles

    need, roles = needs(p)
    for dev, nbytes in need.items():
        cap = machine.models[dev].memory_bytes
        if machine.kind(dev) == "fpga" and nbytes > cap:
            what = "index" if roles[dev] == ["relevancy"] else f"{'/'.join(roles[dev])} data"
            warnings.append(
                f"placement {p.name}: the {what} ({nbytes / GB:.1f} GB) exceeds {dev}'s memory "
                f"({cap / GB:.1f} GB): fell back to GPU-only for the memory-processing steps")
            p = gpu_only_fallback(p)
            need, roles = needs(p)
            break
    check_fpga_topk(scn, machine, method, p)
    too_long = fpga_job_overflow(machine, method, p, tokens)
    if too_long:
        warnings.append(f"placement {p.name}: {too_long}: fell back to GPU-only for the memory-processing steps")
        p = gpu_only_fallback(p)
        need, roles = needs(p)
    for dev, nbytes in need.items():
        cap = machine.models[dev].memory_bytes
        if nbytes > cap:
            msg = (f"placement {p.name}: {dev} ({machine.models[dev].name}) needs {nbytes / GB:.1f} GB "
                   f"(weights, KV cache of {w.batch * p.pipelined_batches} x {tokens} tokens, index) "
                   f"but has {cap / GB:.1f} GB")
            if scn.spec.simulation.memory_check == "error":
                raise CapacityError(msg + "; lower batch or context, or set simulation.memory_check: warn",
                                    file=scn.file, field="workload")
            warnings.append(msg + " (memory_check: warn, simulated anyway)")
    return p, warnings


def check_fpga_topk(scn, machine: Machine, method: Method, p: Placement) -> None:
    """A top-k beyond the FPGA kernel's top-k unit is a configuration error, not a crash."""
    dev = p.steps["retrieval"]
    if machine.kind(dev) != "fpga":
        return
    for field_name, kernel, k in method.fpga_topk():
        try:
            k_max = machine.models[dev].design(kernel).topk_k_max
        except ValueError as exc:
            raise ConfigError(str(exc), file=scn.file, field="placements") from None
        if k > k_max:
            raise ConfigError(f"the FPGA kernel {kernel} on {dev} keeps at most the top {k_max}, asked for {k}; "
                              "lower it or place retrieval on the GPU", file=scn.file,
                              field=f"workload.params.{field_name}")


def fpga_job_overflow(machine: Machine, method: Method, p: Placement, tokens: int) -> str | None:
    """Why the FPGA kernel on the retrieval device cannot score a sequence of `tokens` in one job
    (its radix select buffers only so many items), or None."""
    dev = p.steps["retrieval"]
    if machine.kind(dev) != "fpga":
        return None
    for _, kernel, _ in method.fpga_topk():
        design = machine.models[dev].design(kernel)
        if design.max_items and tokens > design.max_items:
            return (f"the FPGA kernel {kernel} scores at most {design.max_items} items per job, the sequence "
                    f"holds {tokens}")
    return None
