"""What a point is computed from beyond its config, and what can be known before it runs.

`InputPrints` fingerprints the calibration inputs a run reads from disk - each GPU's calibration
profile file (its bytes) and each FPGA's kernel designs (as the simulator builds them from
`fpga_kernels/*/params.yaml` and any measured FPGA profile) - so a changed profile changes the
point's key. `derived` gives sizes and capacities for constraints (e.g. the keys must fit the
FPGA's on-chip memory) without simulating.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hetsim.config.schema import FpgaSpec, GpuSpec

DERIVED = {
    "gpu": "catalogue name of the first GPU",
    "fpga": "catalogue name of the first FPGA (None without one)",
    "weight_bytes": "LLM weights",
    "kv_cache_bytes": "KV cache of the batch at the last decode token",
    "index_bytes": "the method's memory index (Prepare's output) for the batch, all layers",
    "gpu_memory_bytes": "memory of the first GPU",
    "fpga_memory_bytes": "HBM of the first FPGA",
    "fpga_onchip_bytes": "BRAM + URAM of the first FPGA",
    "fpga_onchip_key_bytes": "on-chip bytes the method's FPGA kernel gives to keys (BRAM + URAM tiers)",
    "system_price": "sum of the sweep's `prices` over the system's devices",
}


def sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


class InputPrints:
    """Fingerprints of calibration inputs, cached per device spec for the life of one sweep."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}
        self._designs: dict[str, dict] = {}

    def designs(self, spec: FpgaSpec) -> dict:
        key = canonical(spec.model_dump(mode="json"))
        if key not in self._designs:
            from hetsim.calibration.device_inputs import fpga_designs

            self._designs[key] = fpga_designs(spec)
        return self._designs[key]

    def device(self, spec: GpuSpec | FpgaSpec) -> str:
        key = canonical(spec.model_dump(mode="json"))
        if key not in self._cache:
            if isinstance(spec, GpuSpec):
                from hetsim.calibration.device_inputs import gpu_profile

                profile = gpu_profile(spec)
                self._cache[key] = sha(profile.path.read_bytes()) if profile else "no-profile"
            else:
                designs = self.designs(spec)
                self._cache[key] = sha(canonical({k: repr(v) for k, v in sorted(designs.items())}))
        return self._cache[key]

    def of(self, exp) -> dict[str, str]:
        """device id -> fingerprint of the calibration inputs it is simulated with."""
        return {dev_id: self.device(exp.device(dev_id)) for dev_id in exp.system.devices}


def _first(exp, kind: str) -> str | None:
    return next((d for d in exp.system.devices if exp.device(d).kind == kind), None)


def derived(exp, method, prints: InputPrints, prices: dict[str, float]) -> dict[str, Any]:
    from hetsim.workloads import models as llm

    w, m = exp.spec.workload, exp.model
    tokens = w.context_tokens + w.decode_tokens
    gpu, fpga = _first(exp, "gpu"), _first(exp, "fpga")
    out: dict[str, Any] = {
        "gpu": exp.device(gpu).name if gpu else None,
        "fpga": exp.device(fpga).name if fpga else None,
        "weight_bytes": llm.weight_bytes(m),
        "kv_cache_bytes": llm.kv_bytes_per_token(m) * w.batch * tokens,
        "index_bytes": method.index_bytes_per_layer(w.batch, tokens) * m.layers,
        "gpu_memory_bytes": exp.device(gpu).memory_gb.value * 1e9 if gpu else None,
        "fpga_memory_bytes": None, "fpga_onchip_bytes": None, "fpga_onchip_key_bytes": None,
    }
    if fpga:
        spec = exp.device(fpga)
        bram, uram = spec.bram36.value * 36 * 1024 / 8, spec.uram.value * 288 * 1024 / 8
        out["fpga_memory_bytes"] = spec.memory_gb.value * 1e9
        out["fpga_onchip_bytes"] = bram + uram
        designs = prints.designs(spec)
        kernel = next((k for k in method.fpga_kernels if k in designs), None)
        if kernel:
            d = designs[kernel]
            out["fpga_onchip_key_bytes"] = min(d.bram_key_bytes, bram) + min(d.uram_key_bytes, uram)
    names = [exp.device(d).name for d in exp.system.devices]
    out["system_price"] = sum(prices[n] for n in names) if prices and all(n in prices for n in names) else None
    return out
