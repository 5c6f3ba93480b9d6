"""The pyxrt backend's buffer protocol, against a stand-in for pyxrt whose kernel runs the
C-simulated kernel on the buffers the backend wrote: the same bytes a card would read, the same
start arguments (mode, n_jobs), the results read back from the output buffers."""

import ctypes
import sys
import types

import numpy as np
import pytest

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.fpga_runner.backends import XrtBackend
from hetsim.fpga_runner.csim import load_library
from hetsim.fpga_runner.kernels import ST, adapter_for


class _Bo:
    def __init__(self, device, nbytes, flags, group):
        self.data = np.zeros(nbytes, np.uint8)
        self.group = group

    def size(self):
        return self.data.size

    def write(self, data, offset):
        self.data[offset: offset + len(data)] = np.frombuffer(bytes(data), np.uint8)

    def sync(self, direction, nbytes, offset):
        pass

    def read(self, nbytes, offset):
        return self.data[offset: offset + nbytes].copy()


def fake_pyxrt(kp, starts):
    """A pyxrt module whose kernel runs `kp`'s C-simulation library; `starts` records (mode, n_jobs)."""
    lib = load_library(kp)
    adapter = adapter_for(kp)
    names = adapter.arg_names()
    k_max = adapter.k_max

    class Run:
        def wait(self):
            return "completed"

    class Kernel:
        def __init__(self, *args):
            pass

        def group_id(self, arg):
            return arg

        def __call__(self, *args):
            bos, (mode, n_jobs) = dict(zip(names, args[:-2], strict=True)), args[-2:]
            starts.append((mode, n_jobs))
            for port, name in enumerate(kp.item_ports):
                lib.hbm_write(port, bos[name].data)
            lib.query_write(bos["query"].data)
            # rows the output buffers hold (buffers are at least 4 KB, as the backend allocates them)
            rows = min(bos["out_idx"].size() // (4 * k_max), bos["out_score"].size() // (8 * k_max),
                       bos["stats"].size() // (4 * 16))
            idx = np.zeros(rows * k_max, np.uint32)
            score = np.zeros(rows * k_max, np.int64)
            stats = np.zeros(rows * 16, np.uint32)
            jobs = bos["jobs"].data.view(np.uint32).copy()

            def ptr(a):
                return a.ctypes.data_as(ctypes.c_void_p)

            lib.call("csim_run", ctypes.c_uint32(mode), ctypes.c_uint32(n_jobs), ctypes.c_uint32(rows), ptr(jobs),
                     ptr(idx), ptr(score), ptr(stats))
            if mode == 1:
                for name, out in (("out_idx", idx), ("out_score", score), ("stats", stats)):
                    bos[name].data[: out.nbytes] = out.view(np.uint8)
            return Run()

    class Xclbin:
        def __init__(self, path):
            pass

        def get_kernels(self):
            return [types.SimpleNamespace(get_name=lambda: kp.kernel)]

        def get_uuid(self):
            return "uuid"

    class Device:
        def __init__(self, bdf):
            pass

        def load_xclbin(self, xb):
            return "uuid"

    module = types.ModuleType("pyxrt")
    module.device, module.xclbin, module.kernel, module.bo = Device, Xclbin, Kernel, _Bo
    _Bo.flags = types.SimpleNamespace(normal=0)
    module.xclBOSyncDirection = types.SimpleNamespace(XCL_BO_SYNC_BO_TO_DEVICE=0, XCL_BO_SYNC_BO_FROM_DEVICE=1)
    module.ert_cmd_state = types.SimpleNamespace(ERT_CMD_STATE_COMPLETED="completed")
    return module


@pytest.fixture
def xrt(tmp_path, monkeypatch, small_overrides):
    def make(kernel):
        kp = load_kernel_params(kernel, small_overrides[kernel])
        starts = []
        monkeypatch.setitem(sys.modules, "pyxrt", fake_pyxrt(kp, starts))
        xclbin = tmp_path / f"{kernel}.xclbin"
        xclbin.write_bytes(b"stand-in")
        adapter = adapter_for(kp)
        return adapter, XrtBackend(adapter, xclbin, None), starts

    return make


@pytest.mark.parametrize("kernel", ["inner_product_topk", "bm25_topk"])
def test_a_batch_is_one_start_and_one_job_per_layer(xrt, rng, kernel):
    # 2 layers x 3 requests: 6 rows in jobs of 3, one start; a LOAD (tiered kernels) starts alone
    # for each row with on-chip items (the first three: 21 + 9 + 21 of the 51 slots)
    adapter, backend, starts = xrt(kernel)
    rows = [adapter.random_problem(n, 4, rng) for n in (20, 9, 33, 14, 1, 27)]
    results, _ = backend.run_launch(rows, rows_per_job=3)
    assert starts[-1] == (1, 2)
    assert all(mode == 0 and n == 1 for mode, n in starts[:-1]) and len(starts) == 1 + 3 * adapter.tiered
    for r, (pb, result) in enumerate(zip(rows, results, strict=True)):
        assert result.topk.equals(adapter.reference(pb)), r
        assert (int(result.stats[ST["job"]]), int(result.stats[ST["row"]])) == (r // 3, r)


def test_one_row_runs_with_the_k_asked(xrt, rng):
    adapter, backend, starts = xrt("page_minmax_topk")
    pb = adapter.random_problem(40, 16, rng)
    backend.prepare(pb)
    pb.k = 5  # a second query of the same row, fewer results
    result, _ = backend.run(pb)
    assert starts[-1] == (1, 1) and len(result.topk.idx) == 5
    assert result.topk.equals(adapter.reference(pb))
