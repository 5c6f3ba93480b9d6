"""The SMALL kernel builds of tests/fpga_kernels/conftest.py, for the runner's tests."""

import importlib.util
from pathlib import Path

_path = Path(__file__).parents[1] / "fpga_kernels" / "conftest.py"
_spec = importlib.util.spec_from_file_location("fpga_kernels_small", _path)
_small = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_small)
small_overrides = _small.small_overrides
small = _small.small
