"""Every figure is written as a non-empty PNG and SVG from a small sweep's results."""

import pytest

from hetsim.dse.executors import LocalExecutor
from hetsim.dse.expand import load_sweep
from hetsim.dse.plots import PLOTS, pareto_mask, write_plots
from hetsim.dse.store import load_results
from hetsim.dse.sweep import run_sweep


@pytest.fixture
def results(write_sweep, tmp_path, catalogue):
    sweep = load_sweep(write_sweep(axes=[{"grid": {"workload.batch": [2, 4], "workload.context_tokens": [4096, 8192],
                                                   "system": ["mi210_u55c", "a100_u55c"]}}]), catalogue)
    run_sweep(sweep, tmp_path / "sweep", LocalExecutor(catalogue, workers=1))
    return load_results(tmp_path / "sweep")


def test_every_plot_is_written_as_png_and_svg(results, tmp_path, hetsim):
    written = write_plots(results, tmp_path / "plots")
    names = {p.stem for p in written}
    # no corpus-size parameter varies in this sweep: that one figure has nothing to show
    assert names == set(PLOTS) - {"speedup_vs_corpus"}
    for p in written:
        assert p.stat().st_size > 2000, p
    assert all((tmp_path / "plots" / f"{n}.{ext}").is_file() for n in names for ext in ("png", "svg"))
    assert (tmp_path / "plots" / "placement_heatmap.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    res = hetsim("plot", str(tmp_path / "sweep"))
    assert res.returncode == 0 and len(list((tmp_path / "sweep" / "plots").glob("*.svg"))) == len(names)


def test_pareto_front_keeps_only_undominated_points():
    import numpy as np

    x, y = np.array([1.0, 2.0, 3.0, 2.5, 1.5]), np.array([5.0, 3.0, 1.0, 4.0, 5.5])
    assert pareto_mask(x, y).tolist() == [True, True, True, False, False]
