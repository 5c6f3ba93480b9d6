"""Optuna search: objectives read the run a sweep names, constraints steer it, and a rerun
replays the same trials from the store without computing anything."""

import json

from hetsim.dse.executors import LocalExecutor
from hetsim.dse.expand import load_sweep
from hetsim.dse.store import load_results
from hetsim.dse.sweep import run_sweep

SEARCH = {"trials": 8, "batch": 4, "seed": 3, "run": "paper",
          "space": {"workload.batch": {"choice": [2, 4, 8]}, "workload.params.token_budget": {"choice": [256, 512]}},
          "objectives": [{"metric": "tpot_s"}, {"metric": "energy_per_request_j"}]}


def test_search_runs_replays_and_respects_constraints(write_sweep, tmp_path, catalogue):
    constraint = [{"quantity": "config.workload.batch", "max": 4}]
    sweep = load_sweep(write_sweep(search=SEARCH, constraints=constraint), catalogue)
    first = run_sweep(sweep, tmp_path / "s", LocalExecutor(catalogue, workers=2))
    assert first.trials == 8 and first.computed == first.points > 0 and first.best
    assert all(b["params"]["workload.batch"] <= 4 for b in first.best)
    df = load_results(tmp_path / "s")
    paper = df[df["label"] == "lserve/paper"].set_index("point_id")
    trials = json.loads((tmp_path / "s" / "sweep.json").read_text())["trials"]
    for t in trials:
        if t["state"] == "complete":  # the objective is the named run's metric
            assert t["objectives"] == [paper.loc[t["id"], "tpot_s"], paper.loc[t["id"], "energy_per_request_j"]]
        else:
            assert t["values"]["workload.batch"] > 4 and t["state"] == "excluded"

    again = run_sweep(sweep, tmp_path / "s", LocalExecutor(catalogue, workers=1))
    assert again.computed == 0 and again.cached == first.points and again.best == first.best
    assert json.loads((tmp_path / "s" / "sweep.json").read_text())["trials"] == trials
