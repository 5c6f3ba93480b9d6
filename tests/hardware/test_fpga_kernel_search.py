"""`hetsim kernels search`: the Pareto front over kernel builds under the 80% resource cap."""

import json

from typer.testing import CliRunner

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.cli import app
from hetsim.hardware.fpga_kernels.card import u55c
from hetsim.hardware.fpga_kernels.search import OBJECTIVES, pareto, search


def test_front_is_feasible_and_non_dominated():
    out = search("pq_lut_topk", load_kernel_params)
    front = out["front"]
    assert 0 < out["feasible"] < out["points"]  # 30 PEs of the LUT indexer exceed the LUT cap
    assert front and all(r["fits"] for r in front)
    assert all(r[k] <= 0.8 * v for r in front for k, v in u55c().resources.items())
    for a in front:
        assert not any(all(b[o] <= a[o] for o in OBJECTIVES) and any(b[o] < a[o] for o in OBJECTIVES) for b in front)
    times = [r["time_per_token_us"] for r in front]
    assert times == sorted(times) and front[-1]["luts"] < front[0]["luts"]  # slower designs are smaller


def test_pareto_drops_dominated_and_duplicate_points():
    row = dict.fromkeys(OBJECTIVES, 1)
    worse = {**row, "luts": 2}
    assert pareto([row, worse, dict(row)]) == [row]


def test_cli_search_json():
    res = CliRunner().invoke(app, ["kernels", "search", "bm25_topk", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["kernel"] == "bm25_topk" and out["front"][0]["params"]["cores"] == 30
