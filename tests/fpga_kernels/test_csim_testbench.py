"""The C++ testbenches (`make csim`), built from each kernel's default params.yaml.

They compare the kernel with a plain C++ reference on the full-size design (30 PEs), including
keys and pages that spill from BRAM through URAM to HBM, one job over two rows and two jobs
over three rows.
"""

import subprocess

import pytest

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.fpga_runner.csim import build
from hetsim.hardware.fpga_kernels.params import KERNELS


@pytest.fixture(scope="module")
def testbench_run():
    runs = {}

    def get(kernel):
        if kernel not in runs:
            tb = build(load_kernel_params(kernel), target="csim_tb")
            runs[kernel] = subprocess.run([str(tb), "3"], capture_output=True, text=True, timeout=120)
        return runs[kernel]

    return get


@pytest.mark.parametrize("kernel", KERNELS)
def test_testbench_passes(testbench_run, kernel):
    proc = testbench_run(kernel)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "PASS"
    assert len([line for line in lines if line.startswith("ok ")]) == 11
    # one job over two rows, then three rows in jobs of two (the last row alone in job 1)
    assert [line.split()[-2:] for line in lines if "row=0/2" in line or "row=1/2" in line] == [
        ["row=0/2", "job=0/1"], ["row=1/2", "job=0/1"]]
    assert [line.split()[-1] for line in lines if "/3 job=" in line] == ["job=0/2", "job=0/2", "job=1/2"]


def test_spill_case_reaches_hbm(testbench_run):
    # 30 x 546 keys in BRAM, 30 x 1092 in URAM, 63 from HBM: every tier of the full design is read.
    assert "tiers=16380/32760/63" in testbench_run("inner_product_topk").stdout
    assert "tiers=1020/2040/63" in testbench_run("page_minmax_topk").stdout
