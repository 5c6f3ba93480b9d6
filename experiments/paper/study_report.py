"""The report sections of the two-baseline study (`study.py`): both baselines side by side, the
overlap options (micro-batches, one batch, pipelined batches), the sensitivity table, and every
assumption the numbers rest on."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from study import (
    CONTEXT_FACTORS,
    CPU,
    DECODE_TOKENS,
    DECODE_VARIANTS,
    GPU_TRANSFERRED,
    PIPELINED,
    RAG_CORPORA,
    SLOW_CLOCK_MHZ,
    SLOW_FPGA,
    SYSTEMS,
    catalogue_for,
    system_gpu,
    unprofiled_gpus,
)

from hetsim.config.baselines import load_baselines


def x(v: float, digits: int = 2) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


def table(rows: list[list], cols: list[str]) -> list[str]:
    out = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(str(v) for v in r) + " |" for r in rows]
    return out


def _ok(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["status"] == "ok"] if len(df) else df


def baselines_section(df: pd.DataFrame, root: Path) -> list[str]:
    head = _ok(df[df["variant"] == "headline"])
    specs = load_baselines(root)
    lines = ["## The two baselines, per method", "",
             f"Headline point per method: its example experiment's model, batch, context (or corpus) and "
             f"parameters, **{DECODE_TOKENS} decode tokens**. Each placement is compared with the gpu-only run "
             "under the same baseline. *TPOT x*: time per output token, reference / placement (latency of one "
             "request); *e2e x*: end-to-end (prefill, request steps and all decode tokens) reference / placement; "
             "*MP x*: device time of Prepare, Relevancy, Retrieval and the GPU<->FPGA transfers, per request, "
             "reference / placement; *energy*: energy per request, placement / reference (below 1 favours the "
             "placement). *MP share*: memory processing's share of the reference run's device time.", ""]
    ref_rows = []
    for (method, system, baseline), g in head.groupby(["method", "system", "baseline"], sort=True):
        ref = g[g["placement"] == "gpu-only"]
        if ref.empty:
            continue
        r = ref.iloc[0]
        name = next((s.name for s in specs.values() if s.method == method and s.kind == baseline), "?")
        where = "CPU" if "cpu0" in str(r.get("note", "")) or (name in specs and specs[name].memory_steps_on == "cpu") \
            else "GPU"
        ref_rows.append([method, system, f"{baseline}: `{name}`", f"{r['stack']}, {r['gpu_execution']}, {where}",
                         x(r["tpot_s"] * 1e3, 2), x(r["e2e_s"], 2), f"{r['ref_mp_share'] * 100:.0f}%"])
    examples = head.drop_duplicates("method").set_index("method")["example"] if "example" in head else {}
    lines += ["Examples: " + ", ".join(f"`{m}` `{e}`" for m, e in sorted(dict(examples).items())) + ".", ""]
    lines += table(ref_rows, ["method", "system", "baseline", "stack, execution, memory steps on", "ref TPOT ms",
                              "ref e2e s", "MP share (ref)"]) + [""]
    rows = []
    for (method, system, placement), g in head[head["placement"] != "gpu-only"].groupby(
            ["method", "system", "placement"], sort=True):
        cells = [method, system, placement]
        for baseline in ("paper", "efficient"):
            b = g[g["baseline"] == baseline]
            if b.empty:
                cells += ["-"] * 4
                continue
            r = b.iloc[0]
            fb = " (fell back)" if r["fell_back"] else ""
            cells += [x(r["tpot_speedup"]) + fb, x(r["e2e_speedup"]), x(r["mp_speedup"]), x(r["energy_ratio"])]
        rows.append(cells)
    lines += table(rows, ["method", "system", "placement", "paper: TPOT x", "paper: e2e x", "paper: MP x",
                          "paper: energy", "efficient: TPOT x", "efficient: e2e x", "efficient: MP x",
                          "efficient: energy"]) + [""]
    failed = df[(df["variant"] == "headline") & (df["status"] != "ok")]
    if len(failed):
        lines += ["Headline points that did not run: " + "; ".join(
            f"{r.method} on {r.system} ({r.baseline}): {r.status}" for r in failed.itertuples()) + ".", ""]
    return lines


def overlap_section(df: pd.DataFrame) -> list[str]:
    head = _ok(df[df["variant"] == "headline"])
    lines = ["## Overlap: micro-batches, one batch, pipelined batches", "",
             f"*paper* splits the batch into micro-batches that overlap each other's GPU and FPGA work, each "
             f"re-reading the weights; *one-batch* runs the same split on the whole batch (no overlap, no extra "
             f"reads); *pipelined* keeps {PIPELINED} independent batches of the full batch size in flight "
             "(one batch's FPGA work under the other's GPU work; each batch reads the weights once per token, as "
             "alone). Pipelining serves twice the requests: its *TPOT x* is the latency each request sees "
             "(below 1: slower), *throughput x* the decode tokens per second over both batches against the "
             "reference's one batch, energy per request over all of them. It needs twice the KV cache: where "
             "that does not fit the GPU, the cell says so.", ""]
    rows = []
    for (method, system, baseline), g in head.groupby(["method", "system", "baseline"], sort=True):
        by = {r["placement"]: r for _, r in g.iterrows()}
        if "paper" not in by:
            continue
        paper, one, pipe = by.get("paper"), by.get("one-batch"), by.get("pipelined")
        note = str(paper.get("note") or "")
        pipe_cells = ([x(pipe["tpot_speedup"]), x(pipe["throughput_gain"]), x(pipe["energy_ratio"])] if pipe is not None
                      else ["does not fit" if "needs" in note else "n/a"] * 3)
        rows.append([method, system, baseline, int(paper["micro_batches"]), x(paper["tpot_speedup"]),
                     x(one["tpot_speedup"]) if one is not None else "= paper", *pipe_cells])
    lines += table(rows, ["method", "system", "baseline", "paper micro-batches", "paper TPOT x", "one-batch TPOT x",
                          "pipelined TPOT x", "pipelined throughput x", "pipelined energy"]) + [""]
    lines += ["Request-level methods (RAG, Memory-as-Context) run their searches between barrier-separated phases, "
              "so pipelined batches are not offered for them here (`hetsim` refuses them); the serving model "
              "(`serving:`) overlaps one request's search with other requests' iterations.", ""]
    return lines


NEAR_ONE = 0.005  # within 0.5% of 1.0 a speedup is on neither side


def side(v: float) -> int:
    return 0 if abs(v - 1.0) <= NEAR_ONE else (1 if v > 1.0 else -1)


def crosses(v: float, base: float) -> bool:
    """Whether `v` lies on the other side of 1.0 from `base` (values within NEAR_ONE of 1.0 on neither)."""
    return side(v) * side(base) < 0


# (column, variant, baseline, placement, metric): the pipelined column counts requests finished per
# second of end-to-end time (its requests wait for both batches: its latency is in the overlap table)
SENS = [("GPU stack: efficient baseline", "headline", "efficient", "paper", "e2e_speedup"),
        ("FPGA design: slow U55C", "fpga-slow", "paper", "paper", "e2e_speedup"),
        ("GPU model: transferred profile", GPU_TRANSFERRED, "paper", "paper", "e2e_speedup"),
        ("one batch, not micro-batches", "headline", "paper", "one-batch", "e2e_speedup"),
        (f"{PIPELINED} pipelined batches (requests/s)", "headline", "paper", "pipelined", "e2e_throughput_gain")]


def sensitivity_section(df: pd.DataFrame) -> list[str]:
    ok = _ok(df)
    lines = ["## Sensitivity: which single assumption moves the answer across 1.0", "",
             f"The answer: the *paper* placement's end-to-end speedup over gpu-only under the paper's baseline, "
             f"{DECODE_TOKENS} decode tokens, at the headline point. Each column changes one assumption and gives "
             "the new value and its change; **bold** marks a value on the other side of 1.0 from the answer (a value "
             f"within {NEAR_ONE:.1%} of 1.0 is on neither side). "
             f"Decode: {', '.join(map(str, DECODE_VARIANTS))} tokens. Memory: corpus "
             f"{', '.join(f'{c:,}' for c in RAG_CORPORA)} documents for RAG, context x{CONTEXT_FACTORS[0]:g} and "
             f"x{CONTEXT_FACTORS[1]:g} otherwise. Pipelined: requests finished per second of end-to-end time against "
             "the reference's (twice the requests in flight; each waits for both batches, see the overlap table). "
             f"Slow FPGA design: every kernel at {SLOW_CLOCK_MHZ} MHz and XRT launches of "
             f"{SLOW_FPGA['invocation_overhead_us'].value:g} us.", ""]

    def value(method, system, variant, baseline, placement, metric="e2e_speedup"):
        s = ok[(ok["method"] == method) & (ok["system"] == system) & (ok["variant"] == variant)
               & (ok["baseline"] == baseline) & (ok["placement"] == placement)]
        return float(s.iloc[0][metric]) if len(s) else None

    def cell(v, base):
        if v is None:
            return "-"
        text = f"{v:.2f} ({v - base:+.2f})"
        return f"**{text}**" if crosses(v, base) else text

    rows, crossings = [], {}
    variants = sorted({v for v in ok["variant"].unique() if v.startswith(("decode-", "corpus-", "context-"))},
                      key=lambda v: (v.split("-")[0], float(v.split("-", 1)[1].replace(",", ""))))
    for (method, system), _ in ok.groupby(["method", "system"], sort=True):
        base = value(method, system, "headline", "paper", "paper")
        if base is None:
            continue
        cells = []
        for label, variant, baseline, placement, metric in SENS:
            v = value(method, system, variant, baseline, placement, metric)
            cells.append(cell(v, base))
            if v is not None and crosses(v, base):
                crossings.setdefault(method, set()).add(label)
        other = []
        for variant in variants:
            v = value(method, system, variant, "paper", "paper")
            if v is not None:
                other.append(f"{variant}: {cell(v, base)}")
                if crosses(v, base):
                    crossings.setdefault(method, set()).add(variant.rsplit("-", 1)[0] if "corpus" not in variant
                                                           else "corpus size")
        rows.append([method, system, x(base), *cells, "; ".join(other) or "-"])
    lines += table(rows, ["method", "system", "answer", *(s[0] for s in SENS), "decode length, memory size"]) + [""]
    lines += ["With micro-batches, the engines serve tasks first come, first served, so a slower FPGA can reorder the "
              "two micro-batches' GPU work and shorten a token (a list-scheduling anomaly): an FPGA-design cell "
              "above the answer says the answer is sensitive to the interleaving, not that a slower FPGA helps.", ""]
    lines += ["Assumptions that move the answer across 1.0 on at least one system: " + (
        "; ".join(f"`{m}`: {', '.join(sorted(v))}" for m, v in sorted(crossings.items())) or "none") + ".", ""]
    return lines


def transfer_sources() -> str:
    """'MI210 from H100-SXM, ...': each datasheet-only GPU and the measured GPU its transfer takes."""
    from hetsim.calibration.device_inputs import measured_gpu_profiles
    from hetsim.calibration.transfer import nearest_source

    catalogue = catalogue_for(False)
    measured = {n: (catalogue.devices[n], p) for n, p in measured_gpu_profiles().items() if n in catalogue.devices}
    gpus = sorted({system_gpu(catalogue, s) for s in SYSTEMS} & set(unprofiled_gpus(catalogue)))
    return ", ".join(f"{g} from {nearest_source(catalogue.devices[g], measured)}" for g in gpus)


def profiles(ok: pd.DataFrame) -> list[str]:
    cwd = str(Path.cwd()) + "/"
    return sorted({p.removeprefix(cwd) for v in ok["profiles"] for p in str(v).split(";") if p})


def assumptions_section(df: pd.DataFrame, root: Path, conditions: str) -> list[str]:
    specs = load_baselines(root)
    ok = _ok(df)
    lines = ["## What the study assumes", "",
             "Every number is **simulated**. The baselines are data (`configs/baselines/*.yaml`, "
             "`hetsim.config.baselines`); a run selects one with `gpu_baseline: paper | efficient | NAME`.", ""]
    rows = []
    for s in sorted(specs.values(), key=lambda s: (s.method, s.kind)):
        eff = "; ".join(f"{k}: {e.bw:g} of HBM bw ({e.source})" for k, e in s.efficiencies.items()) or "none"
        rows.append([s.method, s.kind, f"`{s.name}`", s.describes, f"{s.stack}, {s.gpu_execution}, "
                     f"{s.memory_steps_on}", eff, s.ref])
    lines += table(rows, ["method", "kind", "name", "software", "stack, execution, memory steps", "kernel "
                          "efficiencies", "reference"]) + [""]
    refs = sorted({e.ref for s in specs.values() for e in s.efficiencies.values()})
    lines += [
        "- Kernel efficiencies replace the GPU model's rates only for the rate keys named (and the keys refining "
        "them); a key the LLM layers also use is refused, so they describe the method's own kernels. They are "
        "graded as written and named `GPU.baseline.NAME.KEY` in each run's provenance. Their sources: "
        + " / ".join(refs) + ". None is fitted to a published speedup.",
        f"- The host CPU is `cpu0: {CPU}` (this 2-vCPU VM's calibration profile), added to every system; only a "
        "baseline with memory steps on the CPU uses it (a device no step uses costs no energy).",
        "- MI210 and A100 have no calibration profile: in the headline their ops are timed by the datasheet "
        "roofline with assumed efficiencies and no host dispatch cost, so eager and CUDA-graph execution time the "
        "same there; only H100 (measured profile) sees the host side of eager PyTorch. The sensitivity column "
        "*GPU model: transferred profile* prices them instead from the nearest measured GPU's profile (`profile: "
        "transfer`: " + transfer_sources() + "), its rates carried over by datasheet ratios and its host figures "
        "(dispatch per op, views, module calls, eager gaps) as measured, graded `transferred`: eager PyTorch's "
        "host cost is the host's and the software's, not the GPU's. It was validated between H100 and H200 "
        "(`hetsim validate transfer`: 5-8 % median); NVIDIA to AMD has not been checked (ROCm's launch path "
        "differs).",
        f"- Slow FPGA design: every kernel design clocked at {SLOW_CLOCK_MHZ} MHz (assumed: the low end of the "
        "200-300 MHz typical for HLS designs; `fpga_kernels/*/params.yaml` assume the platform's 300 MHz default) and "
        + ", ".join(f"{k} = {v.value:g} ({v.source}: {v.ref})" for k, v in SLOW_FPGA.items()) + ".",
        "- Energy: per request, each device's idle power while the run lasts plus active power while it works; a "
        "device no step uses is priced as absent (`simulation.idle_power: used`).",
        "- A placement whose FPGA cannot hold the index or the sequence falls back to GPU-only (marked)."
        " Memory must fit (`memory_check: error`): a point that does not is listed, not simulated.",
        f"- Weakest provenance over the study's runs: {', '.join(sorted(ok['provenance_weakest'].unique()))}. "
        f"Calibration profiles: {', '.join(profiles(ok)) or 'none'}.",
        f"- Run conditions: {conditions}.",
        "",
    ]
    return lines
