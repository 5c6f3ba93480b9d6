"""Design-space exploration: sweep files (axes over dotted paths, optuna search, constraints),
executors (local process pool, Ray), a results store that survives interruption, and plots; the
same executors and store also sweep FPGA kernel designs (`kernel_designs`).

    from hetsim.dse import LocalExecutor, load_results, load_sweep, run_sweep
    sweep = load_sweep("configs/sweeps/lserve_batch_context.yaml")
    run_sweep(sweep, sweep.default_out(), LocalExecutor(sweep.catalogue, workers=2))
    df = load_results(sweep.default_out())

Names load on first use: the CLI imports `hetsim.dse.cli` at every start and should stay quick.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "LocalExecutor": "executors", "RayExecutor": "executors", "Sweep": "expand",
    "load_sweep": "expand", "expand_sweep": "expand", "load_results": "store", "SweepOutcome": "running",
    "run_sweep": "sweep", "run_kernel_sweep": "kernel_designs",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(importlib.import_module(f"hetsim.dse.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'hetsim.dse' has no attribute {name!r}")
