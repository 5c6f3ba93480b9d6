"""Kernel designs from the kernels' own parameters (`fpga_kernels/*/params.yaml`, parsed).

Each file is the one the HLS build turns into params.h, so the model's streams (PE = HBM port),
beats per item, query beats, tier slots, top-k queues and latencies are the kernel's
(`DesignShape`, timed loop by loop in `cycles`). A design that would not fit the device (BRAM36,
URAM, DSP or LUT over budget) is rejected with the kernel, the resource, what it uses and what
the device offers. Fitted clock and efficiency from a measured FPGA calibration profile replace
the parameter file's; the caller decides which profile counts as measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hetsim.config.schema import FpgaSpec
from hetsim.errors import ConfigError
from hetsim.hardware.fpga import KernelDesign
from hetsim.hardware.fpga_kernels.cycles import DesignShape, job_cycles
from hetsim.hardware.fpga_kernels.params import KernelParams
from hetsim.hardware.fpga_kernels.resources import Resources, estimate_resources

# A kernel may use at most this share of each device resource: the platform shell, routing and
# timing closure need the rest. Assumed (no U55C shell utilisation figure was found).
UTILIZATION_CAP = 0.8
ROW_RECORD_BITS = 6 * 32  # a row's record in the query buffer (fpga_kernels/common/jobs.h: ROW_WORDS)


def design_shape(kp: KernelParams) -> DesignShape:
    """The loop structure of a build, derived as the kernel's header derives its constants."""
    axi = kp.int("axi_width_bits")
    common = dict(kernel=kp.kernel, beat_bytes=axi // 8, pe_ii=kp.int("pe_ii"), pe_depth=kp.int("pe_depth_cycles"),
                  hbm_latency=kp.int("hbm_latency_cycles"), doorbell=kp.int("doorbell_cycles"),
                  k_max=kp.int("k_max"), topk_group=kp.int("topk_group"), clock_mhz=float(kp["clock_mhz"]),
                  rows_max=kp.int("rows_max"), rec_beats=-(-ROW_RECORD_BITS // axi))
    if kp.kernel == "bm25_topk":
        lanes = axi // (kp.int("term_bits") + kp.int("weight_bits"))
        qbits = kp.int("query_terms_max") * (kp.int("term_bits") + kp.int("weight_bits"))
        return DesignShape(streams=kp.int("cores"), item_beats=-(-kp.int("doc_slots") // lanes), macs_per_beat=lanes,
                           query_beats=-(-qbits // axi), bram_slots=0, uram_slots=0, bram_latency=0,
                           uram_latency=0, **common)
    pes, heads, d = kp.int("pes"), kp.int("heads"), kp.int("head_dim")
    if kp.kernel == "pq_lut_topk":
        m = kp.int("subspaces")
        kpb = axi // (m * kp.int("code_bits"))
        rows_per_beat = axi // kp.int("lut_bits") // kp.int("codebook")
        return DesignShape(streams=pes, item_beats=1, macs_per_beat=kpb * heads * m,
                           query_beats=-(-heads * m // rows_per_beat) + 1, bram_slots=0, uram_slots=0,
                           bram_latency=0, uram_latency=0, items_per_beat=kpb, **common)
    lanes = axi // kp.int("data_bits")
    if kp.kernel == "inner_product_topk":
        beats, macs, query = -(-d // lanes), heads * lanes, heads * -(-d // lanes) + 1
        bram, uram = kp.int("bram_keys"), kp.int("uram_keys")
    else:
        half = lanes // 2
        beats, macs, query = -(-d // half), 2 * heads * half, heads * -(-d // half)
        bram, uram = kp.int("bram_pages"), kp.int("uram_pages")
    return DesignShape(streams=pes, item_beats=beats, macs_per_beat=macs, query_beats=query, bram_slots=bram // pes,
                       uram_slots=uram // pes, bram_latency=kp.int("bram_latency_cycles"),
                       uram_latency=kp.int("uram_latency_cycles"), **common)


def item_bytes(kp: KernelParams) -> int:
    """Stored bytes of one candidate (key, page bounds, document record), padding excluded."""
    if kp.kernel == "bm25_topk":
        return kp.int("doc_slots") * (kp.int("term_bits") + kp.int("weight_bits")) // 8
    if kp.kernel == "pq_lut_topk":
        return kp.int("subspaces") * kp.int("code_bits") // 8
    per_elem = kp.int("data_bits") // 8
    d = kp.int("head_dim")
    return d * per_elem if kp.kernel == "inner_product_topk" else 2 * d * per_elem


def design_from_params(kp: KernelParams, *, clock_mhz: float | None = None, efficiency: float = 1.0,
                       source: str = "derived") -> KernelDesign:
    shape = design_shape(kp)
    empty = job_cycles(shape, 1, 0, chip_n=0)
    return KernelDesign(
        name=kp.kernel,
        pes=shape.streams,
        lanes=shape.macs_per_beat,
        ii=shape.pe_ii,
        pipeline_depth=round(empty.total - empty.stream),
        topk_width=shape.topk_streams,
        topk_k_max=shape.k_max,
        topk_insert_ii=0,  # the systolic queues and the select take a candidate every cycle
        hbm_channels=len(kp.item_ports),
        bram_key_bytes=shape.streams * shape.bram_slots * shape.item_bytes,
        uram_key_bytes=shape.streams * shape.uram_slots * shape.item_bytes,
        clock_mhz=clock_mhz if clock_mhz is not None else float(kp["clock_mhz"]),
        efficiency=efficiency,
        source=source,  # type: ignore[arg-type]
        shape=shape,
        max_items=kp.int("select_items") if shape.select else 0,
    )


def check_fits(kp: KernelParams, spec: FpgaSpec, cap: float = UTILIZATION_CAP) -> Resources:
    """The design's resources; ConfigError naming the first resource over cap x the device's."""
    used = estimate_resources(kp, design_shape(kp))
    for resource, n in used.as_dict().items():
        available = float(getattr(spec, resource).value)
        if n > cap * available:
            raise ConfigError(
                f"kernel {kp.kernel} needs {n} {resource} but {spec.name} offers {available:.0f} "
                f"({cap:.0%} usable: {cap * available:.0f}); shrink the design (pes, heads, tier capacities, "
                f"k_max, read_outstanding) or pick a larger device",
                file=str(kp.path), field=resource,
            )
    return used


def designs_for(spec: FpgaSpec, params: Mapping[str, KernelParams],
                fitted: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, KernelDesign]:
    """The designs of the builds in `params` (design name -> parsed parameters) on `spec`, each
    resource-checked (ConfigError if one does not fit). `fitted`: design name -> fitted
    `clock_mhz` / `efficiency` of a measured calibration; a design with none is derived."""
    designs = {}
    for name, kp in params.items():
        check_fits(kp, spec)
        fit = (fitted or {}).get(name, {})
        design = design_from_params(kp, clock_mhz=fit.get("clock_mhz"), efficiency=float(fit.get("efficiency", 1.0)),
                                    source="calibrated" if fit else "derived")
        designs[name] = design if name == kp.kernel else replace(design, name=name)
    return designs
