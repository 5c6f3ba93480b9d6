"""Kernel designs from the kernels' own parameters (`fpga_kernels/*/params.yaml`, parsed).

Each file is the one the HLS build turns into params.h, so the model's PEs, lanes, II, top-k
width, tier capacities and HBM ports are the kernel's. A design that would not fit the device
(BRAM36, URAM, DSP or LUT over budget) is rejected with the kernel, the resource, what it uses
and what the device offers. Fitted clock and efficiency from a measured FPGA calibration
profile replace the parameter file's; the caller decides which profile counts as measured.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from hetsim.config.schema import FpgaSpec
from hetsim.errors import ConfigError
from hetsim.hardware.fpga import KernelDesign
from hetsim.hardware.fpga_kernels.cycles import kernel_cycles
from hetsim.hardware.fpga_kernels.params import KernelParams
from hetsim.hardware.fpga_kernels.resources import Resources, estimate_resources

# A kernel may use at most this share of each device resource: the platform shell, routing and
# timing closure need the rest. Assumed (no U55C shell utilisation figure was found).
UTILIZATION_CAP = 0.8


def item_bytes(kp: KernelParams) -> int:
    """Stored bytes of one candidate (key, page bounds, document record)."""
    if kp.kernel == "bm25_topk":
        return kp.int("doc_slots") * (kp.int("term_bits") + kp.int("tf_bits")) // 8
    per_elem = kp.int("data_bits") // 8
    d = kp.int("head_dim")
    return d * per_elem if kp.kernel == "inner_product_topk" else 2 * d * per_elem


def macs_per_cycle_per_pe(kp: KernelParams) -> int:
    """What the model calls lanes: multiply-accumulates (BM25: slots) per cycle per PE."""
    if kp.kernel == "inner_product_topk":
        return kp.int("heads") * kp.int("lanes")
    if kp.kernel == "page_minmax_topk":
        return 2 * kp.int("heads") * kp.int("lanes")
    return kp.int("lanes")


def design_from_params(kp: KernelParams, *, clock_mhz: float | None = None, efficiency: float = 1.0,
                       source: str = "derived") -> KernelDesign:
    bm25 = kp.kernel == "bm25_topk"
    # Fill/drain without the k results (the model adds k per row), with an HBM first read.
    beyond_chip = 0 if bm25 else (kp.int("bram_keys") + kp.int("uram_keys") if "bram_keys" in kp.values
                                  else kp.int("bram_pages") + kp.int("uram_pages"))
    fill = kernel_cycles(kp, beyond_chip + 1, 0, survivors=0).fill
    item = item_bytes(kp)
    bram_items = 0 if bm25 else kp.int("bram_keys" if "bram_keys" in kp.values else "bram_pages")
    uram_items = 0 if bm25 else kp.int("uram_keys" if "uram_keys" in kp.values else "uram_pages")
    group = "docs" if bm25 else ("keys" if kp.kernel == "inner_product_topk" else "pages")
    return KernelDesign(
        name=kp.kernel,
        pes=kp.int("cores" if bm25 else "pes"),
        lanes=macs_per_cycle_per_pe(kp),
        ii=kp.int("pe_ii"),
        pipeline_depth=fill,
        topk_width=kp.int("compare_width"),
        topk_k_max=kp.int("k_max"),
        topk_insert_ii=kp.int("insert_ii"),
        hbm_channels=len(kp.ports[group]["args"]),  # each port streams one pseudo-channel at a time
        bram_key_bytes=bram_items * item,
        uram_key_bytes=uram_items * item,
        clock_mhz=clock_mhz if clock_mhz is not None else float(kp["clock_mhz"]),
        efficiency=efficiency,
        source=source,  # type: ignore[arg-type]
    )


def check_fits(kp: KernelParams, spec: FpgaSpec, cap: float = UTILIZATION_CAP) -> Resources:
    """The design's resources; ConfigError naming the first resource over cap x the device's."""
    used = estimate_resources(kp)
    for resource, n in used.as_dict().items():
        available = float(getattr(spec, resource).value)
        if n > cap * available:
            raise ConfigError(
                f"kernel {kp.kernel} needs {n} {resource} but {spec.name} offers {available:.0f} "
                f"({cap:.0%} usable: {cap * available:.0f}); shrink the design (pes, lanes, heads, tier "
                f"capacities) or pick a larger device",
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
