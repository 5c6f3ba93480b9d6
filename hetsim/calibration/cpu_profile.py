"""A host CPU's calibration profile: the file `hetsim calibrate cpu` writes, read back into the
rates the CPU model uses (`hetsim.hardware.cpu.CpuCalibration`).

    kind: cpu-profile
    device: host-cpu-2c          # the catalogue CPU it was measured as
    provenance: {source: measured, date, cpu_model, cores, numpy, load_avg, raw, command}
    fits:
      stream_bw_gbps: {value, spread}            # bytes moved (read + write) per second
      call_overhead_us: {value, spread}
      topk_m_per_s: {value, spread}              # elements np.argpartition scans per second (1M, 10% scored)
      topk_call_us: {value, spread}              # a whole bm25s-style selection of k=10 on a 64-score row
      topk: [{target_bytes, scored_share, m_per_s, spread}]  # argpartition over row sizes x scored shares
      matmul_gflops: {value, spread}
      gather: [{target_bytes, m_per_s, spread}]  # a curve over the target's size
      scatter_add: [...]                         # np.add.at, sorted indices (posting lists)
      scatter_add_random: [...]                  # np.add.at, random indices

`spread` is (max - min) / median over the repeats: the machine is shared, so say how steady it was.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from hetsim.calibration.gpu_profile import _stamp, find_profile
from hetsim.calibration.paths import profiles_dir
from hetsim.errors import ConfigError
from hetsim.hardware.cpu import CpuCalibration

KIND = "cpu-profile"
CURVES = ("gather", "scatter_add", "scatter_add_random")


def find_cpu_profile(device: str, folder: Path | None = None) -> Path | None:
    """The CPU profile in `folder` (default: calibration/profiles) made for a catalogue CPU."""
    return find_profile(device, folder or profiles_dir(), kind=KIND)


_CACHE: dict[tuple, CpuCalibration] = {}


def load_cpu_profile(path: Path) -> CpuCalibration:
    """Read a CPU profile (cached per file version, as GPU profiles are: every scenario resolved
    in a sweep builds its devices' inputs again)."""
    path = Path(path)
    if not path.is_file():
        return _read_cpu_profile(path)  # raises the ConfigError that says what is wrong
    key = _stamp(path)
    if key not in _CACHE:
        _CACHE[key] = _read_cpu_profile(path)
    return _CACHE[key]


def _read_cpu_profile(path: Path) -> CpuCalibration:
    try:
        doc = yaml.safe_load(Path(path).read_text())
        fits = doc["fits"]
        curves = {name: tuple(sorted((float(p["target_bytes"]), float(p["m_per_s"]) * 1e6) for p in fits[name]))
                  for name in CURVES if name in fits}
        return CpuCalibration(
            device=str(doc["device"]),
            stream_bw=float(fits["stream_bw_gbps"]["value"]) * 1e9,
            curves=curves,
            topk_per_s=float(fits["topk_m_per_s"]["value"]) * 1e6,
            matmul_flops=float(fits["matmul_gflops"]["value"]) * 1e9,
            call_overhead_s=float(fits["call_overhead_us"]["value"]) * 1e-6,
            topk_grid=tuple(sorted((float(p["target_bytes"]), float(p["scored_share"]), float(p["m_per_s"]) * 1e6)
                                   for p in fits.get("topk") or ())),
            topk_call_s=float((fits.get("topk_call_us") or {}).get("value", 0.0)) * 1e-6,
            provenance=dict(doc.get("provenance") or {}),
            path=Path(path),
        )
    except FileNotFoundError:
        raise ConfigError("CPU calibration profile not found", file=str(path)) from None
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"not a CPU calibration profile ({type(exc).__name__}: {exc}); expected `kind: {KIND}` "
                          "with fits stream_bw_gbps, call_overhead_us, topk_m_per_s, matmul_gflops, gather, "
                          "scatter_add", file=str(path)) from None


def cpu_profile(spec) -> CpuCalibration | None:
    """The profile a CPU names, else the one made for its catalogue name; `profile: none`: its rates."""
    if spec.profile == "none":
        return None
    if spec.profile:
        path = Path(spec.profile)
        return load_cpu_profile(path if path.is_absolute() else profiles_dir() / path)
    path = find_cpu_profile(spec.name)
    return load_cpu_profile(path) if path is not None else None
