"""The kernels built as shared libraries by g++ (C-simulation) and called through ctypes.

Builds run the kernel's own Makefile (`make lib`), so the flags are those of `make csim`; each
(sources, parameters, compiler) combination gets its own folder in a cache, so a rebuild
happens only when something it depends on changed.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from hetsim.calibration.paths import kernels_dir
from hetsim.hardware.fpga_kernels.params import KernelParams


class CsimError(RuntimeError):
    """The C-simulation build failed, or a kernel call reported an error."""


def cache_dir() -> Path:
    env = os.environ.get("HETSIM_CSIM_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "hetsim"
    return base / "fpga_csim"


def _inputs_digest(kp: KernelParams) -> str:
    root = kernels_dir()
    h = hashlib.sha256()
    files = sorted(
        p for d in (root / "common", root / "include", root / "vendor", root / kp.kernel) for p in d.rglob("*")
        if p.is_file() and "build" not in p.relative_to(root).parts
    )
    for path in [*files, root / "common.mk", root / "gen_params.py"]:
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    h.update(repr(kp.overrides).encode())
    h.update(_compiler_id().encode())
    return h.hexdigest()[:16]


@cache
def _compiler_id() -> str:
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx) is None:
        raise CsimError(f"C-simulation needs a C++ compiler; {cxx!r} is not on PATH (apt-get install g++ make)")
    return subprocess.run([cxx, "--version"], capture_output=True, text=True, check=True).stdout


def build(kp: KernelParams, target: str = "lib") -> Path:
    """Build `make lib` (lib<kernel>.so) or `make build/csim_tb` (the testbench) for these
    parameters in the cache, unless it is there already; return the file."""
    if shutil.which("make") is None:
        raise CsimError("C-simulation builds use make; it is not on PATH (apt-get install make)")
    out = cache_dir() / f"{kp.kernel}-{_inputs_digest(kp)}"
    product = out / (f"lib{kp.kernel}.so" if target == "lib" else "csim_tb")
    if product.is_file():
        return product
    out.mkdir(parents=True, exist_ok=True)
    sets = " ".join(f"--set {name}={value}" for name, value in kp.overrides)
    with open(out / ".lock", "w") as lock:  # concurrent test workers build once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not product.is_file():
            goal = "lib" if target == "lib" else str(product)
            proc = subprocess.run(
                ["make", "-C", str(kernels_dir() / kp.kernel), goal, f"BUILD={out}", f"SET={sets}"],
                capture_output=True, text=True,
            )
            if proc.returncode != 0:
                raise CsimError(f"building {kp.kernel} ({target}) for C-simulation failed:\n{proc.stderr[-4000:]}")
    return product


class CsimLibrary:
    """A loaded kernel library: its derived constants and checked calls into its C API."""

    def __init__(self, kp: KernelParams):
        self.params = kp
        self.path = build(kp)
        self.lib = ctypes.CDLL(str(self.path))
        self.lib.csim_info.restype = ctypes.c_char_p
        self.lib.csim_last_error.restype = ctypes.c_char_p
        self.lib.csim_stream_leftovers.restype = ctypes.c_long
        text = self.lib.csim_info().decode()
        self.info: dict[str, Any] = {}
        for item in text.split(";"):
            name, _, value = item.partition("=")
            self.info[name] = int(value) if value.lstrip("-").isdigit() else value

    def call(self, name: str, *args: Any) -> None:
        if getattr(self.lib, name)(*args) != 0:
            raise CsimError(f"{self.params.kernel}.{name}: {self.lib.csim_last_error().decode()}")

    def hbm_write(self, port: int, image: Any) -> None:
        data = memoryview(image).cast("B")
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self.call("csim_hbm_write", ctypes.c_int(port), buf, ctypes.c_uint64(len(data)))

    def query_write(self, image: Any) -> None:
        data = memoryview(image).cast("B")
        buf = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self.call("csim_query_write", buf, ctypes.c_uint64(len(data)))

    def stream_leftovers(self) -> int:
        return int(self.lib.csim_stream_leftovers())


_LOADED: dict[tuple, CsimLibrary] = {}


def load_library(kp: KernelParams) -> CsimLibrary:
    """One CsimLibrary per (kernel, overrides) in this process: its simulated HBM and on-chip
    tiers are process-wide state, as a card's are."""
    key = (kp.kernel, kp.overrides)
    if key not in _LOADED:
        _LOADED[key] = CsimLibrary(kp)
    return _LOADED[key]
