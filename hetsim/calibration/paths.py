"""Where calibration inputs live: measured profiles and the FPGA kernels' sources.

Standard library only: the GPU suite runs on machines with neither pydantic nor simpy.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def profiles_dir() -> Path:
    """`calibration/profiles/` of this checkout (or $HETSIM_PROFILES): GPU and FPGA profiles."""
    return Path(os.environ.get("HETSIM_PROFILES", REPO_ROOT / "calibration" / "profiles"))


def kernels_dir() -> Path:
    """`fpga_kernels/` of this checkout (or $HETSIM_FPGA_KERNELS)."""
    env = os.environ.get("HETSIM_FPGA_KERNELS")
    return Path(env) if env else REPO_ROOT / "fpga_kernels"


def repo_relative(path) -> str:
    """`path` relative to the repository when it lies inside it (as a profile records its inputs), else as given."""
    full = Path(path).resolve()
    return str(full.relative_to(REPO_ROOT)) if full.is_relative_to(REPO_ROOT) else str(path)
