"""Tiny sweeps for the tests: the default experiment at 2 decode tokens and 8K context, so a
point runs in a few tens of milliseconds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
TINY = {"workload.decode_tokens": 2, "workload.context_tokens": 8192}


def run_hetsim(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "hetsim", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO, env={**os.environ, "COLUMNS": "200"})


@pytest.fixture
def hetsim():
    """hetsim(*args) -> CompletedProcess of `python -m hetsim ARGS`."""
    return run_hetsim


@pytest.fixture
def write_sweep(tmp_path):
    """write_sweep(axes=..., **more) -> path of a sweep file over the default experiment."""

    def write(name="tiny", fixed=None, **fields):
        swept = {p for axis in fields.get("axes") or [] for block in axis.values() if isinstance(block, dict)
                 for p in block.get("space", block)}
        fixed = {k: v for k, v in {**TINY, **(fixed or {})}.items() if k not in swept}
        data = {"name": name, "base": "default", "set": fixed, **fields}
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write
