"""The host CPU a measurement ran on (host-side costs follow it: record it beside every such figure).
Standard library only: the GPU runners import it on images without hetsim's dependencies."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_model_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
