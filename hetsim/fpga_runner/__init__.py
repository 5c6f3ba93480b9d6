"""FPGA side of calibration: the kernels in `fpga_kernels/` driven from Python.

Backends: `pyxrt` (a card running the kernel's xclbin) and `csim` (the same HLS source built
by g++ as a shared library). Both go through one runner (`run_fpga_calibration`), so the whole
path except the card is exercised without one; csim times are never written as measured.
"""

from hetsim.fpga_runner.backends import FpgaUnavailable
from hetsim.fpga_runner.runner import KernelMismatch, run_fpga_calibration

__all__ = ["FpgaUnavailable", "KernelMismatch", "run_fpga_calibration"]
