"""The paper's comparison under both GPU baselines, and which single assumption moves it.

Per method (its example experiment) and system (MI210+U55C, A100+U55C, H100+U55C, each with the
host CPU as `cpu0` so a baseline may retrieve there), one *headline point*: the example's model,
batch, context (or corpus) and parameters, with the decode length fixed at DECODE_TOKENS so
end-to-end speedups say how long the answer is. It runs under each baseline of the method
(`gpu_baseline: paper`, then `efficient`; `configs/baselines/`) with four placements:
  gpu-only   the baseline's reference (relevancy and retrieval on the CPU where it says so)
  paper      the paper's split with its micro-batches (2; 1 where the batch does not split or
             the method is request-level): every micro-batch re-reads the weights
  one-batch  the paper's split on one batch: no overlap, no extra weight reads
  pipelined  the paper's split on 2 independent full-size batches in flight (no weight re-reads;
             twice the requests, so latency is per request and throughput over both)
The *answer* is the paper placement's end-to-end speedup under the paper baseline. The
sensitivity runs change one assumption at a time from the headline: the GPU software (the
efficient baseline), the FPGA design (a slower U55C: 100 us launches and a 200 MHz kernel
clock), the GPU model (a GPU with no measured profile, MI210 or A100, priced from the nearest
measured GPU's profile carried over by datasheet ratios, `profile: transfer`, instead of its
datasheet roofline with no host cost), micro-batches (one batch; pipelined batches), the decode
length (16 and 1024 tokens), and the memory size (corpus 100K / 20M documents for RAG; context / 4
and x 4 otherwise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from hetsim.calibration.device_inputs import TRANSFER, measured_gpu_profiles
from hetsim.config.load import Catalogue, read_yaml, set_dotted
from hetsim.config.schema import Sourced, WorkloadSpec
from hetsim.errors import HetsimError
from hetsim.placement import PAPER_MICRO_BATCHES
from hetsim.report.metrics import MEMORY_STEPS
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment
from hetsim.workloads.registry import build_method

SYSTEMS = ("mi210_u55c", "a100_u55c", "h100_u55c")
CPU = "host-cpu-2c"  # the host CPU device added as cpu0 (this 2-vCPU VM's calibration)
DECODE_TOKENS = 256
DECODE_VARIANTS = (16, 1024)
PIPELINED = 2
RAG_CORPORA = (100_000, 20_000_000)
CONTEXT_FACTORS = (0.25, 4.0)
# a slower FPGA design than fpga_kernels/ builds: XRT launch at the upper end of the measured 50-100 us
# (Xilinx/XRT issue 8687) and every kernel closing timing at the low end of the 200-300 MHz typical for
# HLS designs instead of the platform's 300 MHz default its params.yaml assume
SLOW_FPGA = {"invocation_overhead_us": Sourced(value=100, source="measured",
                                               ref="XRT kernel launch 50-100 us on U55C (Xilinx/XRT issue 8687); "
                                                   "upper end")}
SLOW_CLOCK_MHZ = 200  # assumed: low end of 200-300 MHz typical for HLS designs (docs/hardware.md 1.5)
MP_STEPS = (*MEMORY_STEPS, "transfer")
GPU_TRANSFERRED = "gpu-transferred"  # the variant pricing a datasheet-only GPU from the nearest measured profile


@dataclass(frozen=True)
class Job:
    method: str
    example: str
    system: str
    baseline: str  # paper | efficient
    variant: str  # headline | fpga-slow | decode-16 | ... | memory-x4
    overrides: tuple[tuple[str, object], ...] = ()
    slow_fpga: bool = False
    all_placements: bool = False
    transfer_gpu: bool = False  # the system's GPU priced from the nearest measured profile (`profile: transfer`)


def with_cpu(catalogue: Catalogue, system: str) -> dict:
    """The catalogue system as an inline one with the host CPU added as cpu0."""
    spec = catalogue.systems[system]
    data = spec.model_dump(mode="json", exclude_none=True)
    data["devices"] = {**data["devices"], "cpu0": CPU}
    return data


def placements(method, batch: int) -> list:
    """gpu-only, paper, and the paper's steps on one batch and on pipelined batches (one batch
    only where the paper's split runs micro-batches; neither for a method whose paper split keeps
    everything on the GPU). The catalogue systems name their devices gpu0 and fpga0."""
    steps, mb = method.paper_placement("gpu0", "fpga0")
    if mb is None:  # the built-in default (hetsim.placement): 2 where the batch splits evenly
        mb = 1 if batch % PAPER_MICRO_BATCHES or method.request_level else PAPER_MICRO_BATCHES
    if all(d == "gpu0" for d in steps.values()):
        return ["gpu-only", "paper"]
    out = ["gpu-only", "paper"]
    if mb > 1:
        out.append({"name": "one-batch", **steps, "micro_batches": 1})
    if not method.request_level:
        out.append({"name": "pipelined", **steps, "pipelined_batches": PIPELINED})
    return out


def light_method(example: str, catalogue: Catalogue, overrides: dict):
    """The example's method object without resolving a scenario (its paper split and batch)."""
    data = read_yaml(Path(example))
    for k, v in overrides.items():
        if k.startswith("workload."):
            set_dotted(data, k, v, example)
    w = WorkloadSpec.model_validate(data["workload"])
    return build_method(w, catalogue.models[w.model], example), w.batch


@lru_cache(maxsize=4)
def catalogue_for(slow_fpga: bool, transfer_gpus: bool = False) -> Catalogue:
    """The catalogue, loaded once per worker process (with the slow U55C design where asked; with every
    GPU that has no measured profile priced from a transferred one where asked)."""
    catalogue = Catalogue.load()
    if slow_fpga:
        catalogue.devices["U55C"] = catalogue.devices["U55C"].model_copy(update=SLOW_FPGA)
    if transfer_gpus:
        for name in unprofiled_gpus(catalogue):
            catalogue.devices[name] = catalogue.devices[name].model_copy(update={"profile": TRANSFER})
    return catalogue


def unprofiled_gpus(catalogue: Catalogue) -> list[str]:
    """The catalogue GPUs with no measured profile of their own (timed from their datasheet by default)."""
    measured = measured_gpu_profiles()
    return sorted(n for n, d in catalogue.devices.items() if d.kind == "gpu" and not d.profile and n not in measured)


def system_gpu(catalogue: Catalogue, system: str) -> str:
    return catalogue.systems[system].devices["gpu0"]


def slow_designs(scn):
    """`scn` with every FPGA kernel design clocked at SLOW_CLOCK_MHZ."""
    inputs = {}
    for dev_id, inp in scn.inputs.items():
        designs = {k: replace(d, clock_mhz=SLOW_CLOCK_MHZ) for k, d in inp.designs.items()}
        inputs[dev_id] = replace(inp, designs=designs) if designs else inp
    return replace(scn, inputs=inputs, runs=scn.runs)


def memory_time(m) -> float:
    return sum(v for k, v in m.step_time_total_s.items() if k in MP_STEPS)


def run_job(job: Job) -> list[dict]:
    """One experiment: rows per placement compared with its gpu-only run (or one row saying why
    it did not run)."""
    catalogue = catalogue_for(job.slow_fpga, job.transfer_gpu)
    base = {"system": with_cpu(catalogue, job.system), "baseline": None, "gpu_baseline": job.baseline,
            "workload.decode_tokens": DECODE_TOKENS, "simulation.memory_check": "error",
            "outputs.write": False, **dict(job.overrides)}
    example = Path(job.example)
    example = example.relative_to(Path.cwd()) if example.is_relative_to(Path.cwd()) else example
    key = {"method": job.method, "system": job.system, "baseline": job.baseline, "variant": job.variant,
           "example": str(example)}
    note = ""
    try:
        pls = placements(*light_method(job.example, catalogue, base)) if job.all_placements else ["gpu-only", "paper"]
        try:
            scn = load_experiment(Path(job.example), catalogue, {**base, "placements": pls})
        except HetsimError as exc:  # pipelined batches hold twice the KV cache: drop them if they do not fit
            if not any(isinstance(x, dict) and x.get("pipelined_batches") for x in pls):
                raise
            note = f"pipelined: {exc.message.split(';')[0]}"
            scn = load_experiment(Path(job.example), catalogue,
                                  {**base, "placements": [x for x in pls if not (isinstance(x, dict)
                                                                                 and x.get("pipelined_batches"))]})
        if job.slow_fpga:
            scn = slow_designs(scn)
        runs = run_experiment(scn)
    except HetsimError as exc:
        return [{**key, "placement": "-", "status": exc.message.split(";")[0]}]
    ref = next(r for r in runs if r.placement == "gpu-only").metrics
    w = scn.spec.workload
    rows = []
    for planned, r in zip(scn.runs, runs, strict=True):
        m, p = r.metrics, planned.placement
        n = p.pipelined_batches
        mp = memory_time(m) / n
        rows.append({
            **key, "placement": r.placement, "status": "ok", "note": note,
            "fell_back": "fallback" in p.name, "batch": w.batch, "context": w.context_tokens,
            "corpus": w.params.get("corpus_docs"), "decode_tokens": w.decode_tokens, "stack": w.stack,
            "gpu_execution": scn.spec.simulation.gpu_execution, "micro_batches": p.micro_batches,
            "pipelined_batches": n, "tpot_s": m.tpot_s, "e2e_s": m.e2e_s, "ttft_s": m.ttft_s,
            "tokens_per_s": m.decode_tokens_per_s, "energy_per_request_j": m.energy_per_request_j,
            "tpot_speedup": ref.tpot_s / m.tpot_s, "e2e_speedup": ref.e2e_s / m.e2e_s,
            # requests finished per second of end-to-end time, placement / reference (pipelined: all n batches)
            "e2e_throughput_gain": n * ref.e2e_s / m.e2e_s,
            "throughput_gain": m.decode_tokens_per_s / ref.decode_tokens_per_s if ref.decode_tokens_per_s else math.nan,
            "mp_speedup": memory_time(ref) / mp if mp > 0 else math.nan,
            "energy_ratio": m.energy_per_request_j / ref.energy_per_request_j,
            "mp_share": m.memory_processing_share_total, "ref_mp_share": ref.memory_processing_share_total,
            "provenance_weakest": m.provenance_weakest,
            "baseline_keys": ";".join(k for ks in m.provenance.values() for k in ks if ".baseline." in k),
            "assumed": ";".join(m.provenance.get("assumed", [])),
            "profiles": ";".join(sorted(m.calibration_profiles.values())),
        })
    return rows


def jobs(methods: list[str], systems: list[str], examples: dict[str, Path], corpus_param: dict[str, str | None],
         contexts: dict[str, int], quick: bool = False) -> list[Job]:
    out = []
    unprofiled = set(unprofiled_gpus(catalogue_for(False)))  # GPUs the GPU-model variant prices from a transfer
    for method in methods:
        ex = str(examples[method])
        for system in systems:
            for baseline in ("paper", "efficient"):
                out.append(Job(method, ex, system, baseline, "headline", all_placements=True))
            if quick:
                continue
            out.append(Job(method, ex, system, "paper", "fpga-slow", slow_fpga=True))
            if system_gpu(catalogue_for(False), system) in unprofiled:
                out.append(Job(method, ex, system, "paper", GPU_TRANSFERRED, transfer_gpu=True))
            for d in DECODE_VARIANTS:
                out.append(Job(method, ex, system, "paper", f"decode-{d}", (("workload.decode_tokens", d),)))
            corpus = corpus_param[method]
            if corpus:
                for c in RAG_CORPORA:
                    out.append(Job(method, ex, system, "paper", f"corpus-{c:,}", ((f"workload.params.{corpus}", c),)))
            else:
                for f in CONTEXT_FACTORS:
                    ctx = int(contexts[method] * f)
                    out.append(Job(method, ex, system, "paper", f"context-{ctx:,}",
                                   (("workload.context_tokens", ctx),)))
    return out


def run_jobs(todo: list[Job], workers: int) -> list[dict]:
    if workers <= 1:
        return [row for job in todo for row in run_job(job)]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [row for rows in pool.map(run_job, todo, chunksize=1) for row in rows]
