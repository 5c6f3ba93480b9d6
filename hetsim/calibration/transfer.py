"""A profile for a GPU nobody calibrated, carried over from one that was (provenance `transferred`).

    transfer_profile(source, source_spec, target_spec)  ->  GpuProfile for the target

What carries over, per rate key, is the *efficiency* the source reached, not its rates:
  bw_bytes_per_s   a key that reached at least HBM_BOUND of the source's datasheet HBM bandwidth
                   is limited by HBM: the same fraction of the target's; a key far below it
                   (softmax, narrow rows, top-k, unaligned bmm, prefill attention: 8-49% on the
                   H100) is limited by the kernel's own work per byte, which runs on the SMs: it
                   scales with the fp32 vector peak (SMs x clock) instead
  flop_rate        fraction of the source's datasheet peak (matrix peak in the key's dtype for
                   matrix keys, fp32 vector peak otherwise), times the target's same peak
  copy_h2d / d2h   fraction of the source's host-link figure, times the target's host link
  active_w         fraction of the source's TDP, times the target's TDP
and as measured (the same software on a comparable host issues the same kernels):
  dispatch_s, eager_gap_s, overhead_s, roof_p, wave terms, host.mix_factor.
The idle power is not carried over: the target keeps its own catalogue figure and its grade.

Which source: `nearest_source(target_spec, candidates)`, the measured profile of the same vendor
(else any) whose datasheet HBM bandwidth and bf16 peak are closest in log ratio.

Every rate of the result has `source: transferred`; its provenance names the source profile, so
a run that uses it says so (hetsim.report.metrics re-grades the profile's keys).
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hetsim.calibration.gpu_profile import GpuProfile, HostCopy
from hetsim.hardware.gpu import OpClassRates
from hetsim.units import GB, TERA

if TYPE_CHECKING:
    from hetsim.config.schema import GpuSpec, LinkSpec

HBM_BOUND = 0.5  # a key whose fitted bandwidth is below half the HBM peak is not limited by HBM
MATRIX_KEYS = ("matmul", "bmm", "attention")  # rate keys (and their regimes) that run on the matrix units
HOST_COPY_KEYS = {"copy_h2d": "h2d", "copy_d2h": "d2h"}


def _peak(spec: GpuSpec, key: str, dtype: str | None) -> float:
    """The datasheet peak (FLOP/s) a key's flop_rate is a fraction of."""
    if key.startswith(MATRIX_KEYS) and dtype and dtype in spec.matrix_tflops:
        return float(spec.matrix_tflops[dtype].value) * TERA
    return float(spec.vector_tflops.value) * TERA


def _link_bw(link: LinkSpec | None, direction: str) -> float | None:
    if link is None:
        return None
    return float((link.downstream_gbps if direction == "h2d" else link.upstream_gbps).value) * GB


def transfer_rates(key: str, r: OpClassRates, src: GpuSpec, dst: GpuSpec, src_link: LinkSpec | None = None,
                   dst_link: LinkSpec | None = None) -> OpClassRates:
    """One rate key's rates carried from `src` to `dst` by datasheet ratios (see the module docstring)."""
    src_hbm = float(src.hbm_bw_gbps.value) * GB
    if r.bw_bytes_per_s >= HBM_BOUND * src_hbm:
        bw_ratio = float(dst.hbm_bw_gbps.value) / float(src.hbm_bw_gbps.value)
    else:
        bw_ratio = float(dst.vector_tflops.value) / float(src.vector_tflops.value)
    if key in HOST_COPY_KEYS:
        a, b = _link_bw(src_link, HOST_COPY_KEYS[key]), _link_bw(dst_link, HOST_COPY_KEYS[key])
        bw_ratio = b / a if a and b else 1.0
    flop = r.flop_rate
    if math.isfinite(flop):
        flop = flop * _peak(dst, key, r.dtype) / _peak(src, key, r.dtype)
    active = r.active_w
    if active is not None:
        active = active * float(dst.tdp_w.value) / float(src.tdp_w.value)
    return replace(r, bw_bytes_per_s=r.bw_bytes_per_s * bw_ratio, flop_rate=flop, active_w=active,
                   source="transferred")


def transfer_profile(source: GpuProfile, src: GpuSpec, dst: GpuSpec, src_link: LinkSpec | None = None,
                     dst_link: LinkSpec | None = None) -> GpuProfile:
    """`source` (a calibration of `src`) carried over to `dst`: a profile whose rates are marked
    transferred and whose provenance names the source; no idle power (the target keeps its own)."""
    if source.device != src.name:
        raise ValueError(f"profile calibrates {source.device}, not {src.name}")
    rates = {k: transfer_rates(k, r, src, dst, src_link, dst_link) for k, r in source.rates.items()}
    host_link = {}
    for d, c in source.host_link.items():
        a, b = _link_bw(src_link, d), _link_bw(dst_link, d)
        host_link[d] = HostCopy(c.latency_s, c.bw_bytes_per_s * (b / a if a and b else 1.0), c.dispatch_s)
    ref = str(source.path) if source.path else source.device
    provenance = {
        "transferred_from": ref,
        "source_device": src.name,
        "method": "per rate key: fraction of the source's datasheet HBM bandwidth / FLOP peak / host link / TDP "
                  "times the target's; host terms (dispatch, eager gap, mix factor), overheads and roof corners "
                  "as measured on the source (hetsim.calibration.transfer)",
        "source_provenance": {k: source.provenance.get(k) for k in ("gpu", "driver", "torch", "date")
                              if k in source.provenance},
    }
    return GpuProfile(device=dst.name, provenance=provenance, rates=rates, format=source.format, model=source.model,
                      notes={}, host_link=host_link, host_mix=source.host_mix, host_mixes=[],
                      host_note=f"transferred from {ref}", power=None, raw=None, validation=None, path=source.path)


def distance(a: GpuSpec, b: GpuSpec) -> float:
    """How far apart two GPUs' datasheets are: |log| ratios of HBM bandwidth and bf16 (else fp16) peak."""

    def peak(s: GpuSpec) -> float:
        m = s.matrix_tflops
        return float((m.get("bf16") or m.get("fp16") or s.vector_tflops).value)

    return (abs(math.log(float(a.hbm_bw_gbps.value) / float(b.hbm_bw_gbps.value)))
            + abs(math.log(peak(a) / peak(b))))


def nearest_source(target: GpuSpec, candidates: dict[str, tuple[GpuSpec, Path]]) -> str | None:
    """The candidate device (name -> (spec, profile path)) nearest the target: same vendor first,
    then the smallest datasheet distance; None if there is no candidate besides the target."""
    names = [n for n in candidates if n != target.name]
    if not names:
        return None
    return min(names, key=lambda n: (candidates[n][0].vendor != target.vendor, distance(target, candidates[n][0]), n))
