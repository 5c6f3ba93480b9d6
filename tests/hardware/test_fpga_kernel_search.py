"""`hetsim kernels search`: the Pareto front over kernel builds under the 80% resource cap, swept
on the sweep engine (executors, results store)."""

import json

import pytest
from typer.testing import CliRunner

from hetsim.cli import app
from hetsim.dse.executors import LocalExecutor
from hetsim.dse.kernel_designs import FRONT, design_points, evaluate_point, run_kernel_sweep
from hetsim.dse.store import read_parts
from hetsim.hardware.fpga_kernels.card import u55c
from hetsim.hardware.fpga_kernels.search import OBJECTIVES, SPACES, pareto

SMALL_SPACE = {"cores": (4, 8, 30), "topk_group": (1, 4)}  # bm25_topk: 6 designs


def sweep(tmp_path, kernel="bm25_topk", space=None, workers=1, **kw):
    return run_kernel_sweep(kernel, tmp_path / "store", LocalExecutor(None, workers, task=evaluate_point),
                            space=space, **kw)


def test_front_is_feasible_and_non_dominated(tmp_path):
    out = sweep(tmp_path, "pq_lut_topk")
    front = out["front"]
    assert out["points"] == len(design_points("pq_lut_topk")) == 8 * 3 * 2
    assert front and all(r["fits"] for r in front)
    assert front[0]["params"]["pes"] == 30  # the shared-histogram select lets every port in
    assert all(r[k] <= 0.8 * v for r in front for k, v in u55c().resources.items())
    for a in front:
        assert not any(all(b[o] <= a[o] for o in OBJECTIVES) and any(b[o] < a[o] for o in OBJECTIVES) for b in front)
    times = [r["time_per_token_us"] for r in front]
    assert times == sorted(times) and front[-1]["luts"] < front[0]["luts"]  # slower designs are smaller


def test_designs_over_the_cap_stay_off_the_front(tmp_path):
    out = sweep(tmp_path, "pq_lut_topk", {"pes": (15, 30), "heads": (16, 32)})  # 32 heads x 30 PEs: LUTs
    assert (out["points"], out["feasible"]) == (4, 3)
    assert {(r["params"]["pes"], r["params"]["heads"]) for r in out["front"]} <= {(15, 16), (30, 16), (15, 32)}


def test_every_design_is_a_part_of_the_store_and_a_rerun_computes_none(tmp_path):
    first = sweep(tmp_path, space=SMALL_SPACE)
    assert (first["computed"], first["cached"], first["stored"]) == (6, 0, 6)
    df = read_parts(tmp_path / "store")
    assert len(df) == 6 and set(df["status"]) == {"ok"} and sorted(df["param.cores"]) == [4, 4, 8, 8, 30, 30]
    again = sweep(tmp_path, space=SMALL_SPACE)
    assert (again["computed"], again["cached"]) == (0, 6)
    assert again["front"] == first["front"]
    on_disk = json.loads((tmp_path / "store" / FRONT).read_text())
    assert on_disk["front"] == first["front"] and on_disk["kernel"] == "bm25_topk"


def test_a_lost_part_is_computed_again(tmp_path):
    sweep(tmp_path, space=SMALL_SPACE)
    parts = sorted((tmp_path / "store" / "parts").glob("part-*.parquet"))
    parts[0].unlink()
    again = sweep(tmp_path, space=SMALL_SPACE)
    assert (again["computed"], again["cached"]) == (1, 5)


def test_a_process_pool_gives_the_same_front(tmp_path):
    one = sweep(tmp_path / "a", space=SMALL_SPACE)
    two = sweep(tmp_path / "b", space=SMALL_SPACE, workers=2)
    assert two["executor"].startswith("local pool, 2 workers")
    assert two["front"] == one["front"]


def test_a_changed_workload_or_space_keys_new_points():
    a = {p.id for p in design_points("bm25_topk", SMALL_SPACE)}
    b = {p.id for p in design_points("bm25_topk", {"cores": (4, 8, 30), "topk_group": (1, 2)})}
    assert len(a) == 6 and len(a & b) == 3  # topk_group 1 is shared, 4 and 2 are not


def test_pareto_drops_dominated_and_duplicate_points():
    row = dict.fromkeys(OBJECTIVES, 1)
    worse = {**row, "luts": 2}
    assert pareto([row, worse, dict(row)]) == [row]


def test_cli_search_json(tmp_path):
    res = CliRunner().invoke(app, ["kernels", "search", "bm25_topk", "--json", "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["kernel"] == "bm25_topk" and out["front"][0]["params"]["cores"] == 30
    assert out["points"] == len(design_points("bm25_topk"))
    assert set(SPACES["bm25_topk"]) <= set(out["front"][0]["params"])


@pytest.mark.parametrize(("args", "message"), [(["pq_lut"], "did you mean pq_lut_topk"),
                                               (["bm25_topk", "--workers", "0"], "at least 1")])
def test_cli_search_rejects_bad_input_in_one_line(tmp_path, args, message):
    res = CliRunner().invoke(app, ["kernels", "search", *args, "--out", str(tmp_path / "s")])
    assert res.exit_code == 2 and message in res.output
    assert "Traceback" not in res.output and not (tmp_path / "s").exists()
