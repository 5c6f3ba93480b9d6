"""The same sweep on a real local Ray cluster and on the local process pool gives the same rows."""

import pandas as pd
import pytest

from hetsim.dse.executors import LocalExecutor, RayExecutor
from hetsim.dse.expand import load_sweep
from hetsim.dse.store import load_results
from hetsim.dse.sweep import run_sweep

ray = pytest.importorskip("ray")
RUN_ONLY = ["wall_s", "finished_at", "worker"]  # where and when a point ran, not what it computed


@pytest.fixture
def ray_cluster():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_and_local_pool_give_identical_results(write_sweep, tmp_path, catalogue, ray_cluster):
    sweep = load_sweep(write_sweep(axes=[{"grid": {"workload.batch": [2, 4, 8],
                                                   "system": ["mi210_u55c", "a100_u55c"]}}]), catalogue)
    on_ray = run_sweep(sweep, tmp_path / "ray", RayExecutor(catalogue, "auto"))
    local = run_sweep(sweep, tmp_path / "local", LocalExecutor(catalogue, workers=2))
    assert on_ray.computed == local.computed == 6 and not on_ray.failed and not local.failed
    assert on_ray.executor.startswith("Ray")
    a, b = (load_results(tmp_path / d).drop(columns=RUN_ONLY) for d in ("ray", "local"))
    assert len(a) == 18
    pd.testing.assert_frame_equal(a, b)
    workers = load_results(tmp_path / "ray")["worker"].unique()
    assert len(workers) >= 1 and all(w.rsplit(":", 1)[1].isdigit() for w in workers)
