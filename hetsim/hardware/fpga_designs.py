"""Kernel designs read from the kernels' own parameter files (`fpga_kernels/*/params.yaml`).

Each file is the one the HLS build turns into params.h, so the model's PEs, lanes, II, top-k
width, tier capacities and HBM ports are the kernel's. A design that would not fit the device
(BRAM36, URAM, DSP or LUT over budget) is rejected with the kernel, the resource, what it uses
and what the device offers. A measured FPGA calibration profile (`kind: fpga-profile`,
`source: measured`) for the device replaces clock and efficiency; a C-simulation profile
never does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hetsim.config.schema import FpgaSpec
from hetsim.errors import ConfigError
from hetsim.fpga_runner.cycles import kernel_cycles
from hetsim.fpga_runner.kernel_params import KERNELS, KernelParams, load_kernel_params
from hetsim.fpga_runner.resources import Resources, estimate_resources
from hetsim.hardware.fpga import KernelDesign

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


def _measured_profile(spec: FpgaSpec) -> dict[str, Any]:
    """Fitted per-kernel parameters of a measured fpga-profile for this device, if any."""
    from hetsim.calibration.profile import profiles_dir

    for path in sorted(Path(profiles_dir()).glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            continue
        if (isinstance(doc, dict) and doc.get("kind") == "fpga-profile" and doc.get("device") == spec.name
                and doc.get("provenance", {}).get("source") == "measured"):
            return doc.get("kernels", {})
    return {}


def load_designs(spec: FpgaSpec, kernels: tuple[str, ...] = KERNELS) -> dict[str, KernelDesign]:
    """The built kernels' designs on `spec`; ConfigError if one does not fit it."""
    fitted = _measured_profile(spec)
    designs = {}
    for name in kernels:
        kp = load_kernel_params(name)
        check_fits(kp, spec)
        fit = {key: v["value"] for key, v in fitted.get(name, {}).items() if isinstance(v, dict) and "value" in v}
        designs[name] = design_from_params(
            kp, clock_mhz=fit.get("clock_mhz"), efficiency=float(fit.get("efficiency", 1.0)),
            source="calibrated" if fit else "derived",
        )
    return designs


def prediction_rows(spec: FpgaSpec, kernel: str, sizes: list[int], k: int = 64) -> list[dict[str, float]]:
    """Predicted time of one query per size (the design-level cycle model at the params clock
    and the device's HBM efficiency, plus the device's invocation overhead) next to the HBM
    roofline of the same bytes at the nominal and the measured bandwidth."""
    kp = load_kernel_params(kernel)
    nominal = float(spec.hbm_pseudo_channels.value) * float(spec.hbm_bw_per_pc_gbps.value) * 1e9
    measured = nominal * float(spec.hbm_efficiency.value)
    overhead_s = float(spec.invocation_overhead_us.value) * 1e-6
    rows = []
    for n in sizes:
        cyc = kernel_cycles(kp, n, k, pc_bw_bytes_per_s=float(spec.hbm_bw_per_pc_gbps.value) * 1e9,
                            hbm_efficiency=float(spec.hbm_efficiency.value))
        nbytes = n * item_bytes(kp)
        rows.append({"n": n, "bytes": nbytes, "cycles": cyc.total, "bound": cyc.bound,
                     "kernel_s": cyc.seconds(float(kp["clock_mhz"]) * 1e6), "with_launch_s": 0.0,
                     "roofline_nominal_s": nbytes / nominal, "roofline_measured_s": nbytes / measured})
        rows[-1]["with_launch_s"] = rows[-1]["kernel_s"] + overhead_s
    return rows
