"""Bad sweep input: one clear ConfigError naming the file and the field, before any point runs."""

import pytest

from hetsim.dse.expand import expand_sweep, load_sweep
from hetsim.errors import ConfigError

GRID = [{"grid": {"workload.batch": [2, 4]}}]
CASES = {
    "unknown_path": (dict(axes=[{"grid": {"workload.bacth": [2]}}]), "axes[0].grid.workload.bacth",
                     "unknown path 'workload.bacth'"),
    "unknown_top_level": (dict(axes=[{"grid": {"placement": ["paper"]}}]), "axes[0].grid.placement", "placements"),
    "unknown_method_param": (dict(axes=[{"grid": {"workload.params.tokn_budget": [1]}}]),
                             "axes[0].grid.workload.params.tokn_budget", "token_budget"),
    "path_below_a_leaf": (dict(axes=[{"grid": {"workload.batch.x": [1]}}]), "axes[0].grid.workload.batch.x",
                          "no 'x'"),
    "empty_axes": (dict(axes=[]), None, "axes is empty"),
    "empty_grid": (dict(axes=[{"grid": {}}]), "axes[0].grid", "empty grid"),
    "empty_values": (dict(axes=[{"grid": {"workload.batch": []}}]), "axes[0].grid.workload.batch", "no values"),
    "zip_unequal": (dict(axes=[{"zip": {"workload.batch": [2, 4], "seed": [1, 2, 3]}}]), "axes[0].zip",
                    "differ in length"),
    "axis_kind": (dict(axes=[{"product": {"workload.batch": [2]}}]), "axes[0]", "grid, zip or random"),
    "no_axes_no_search": (dict(), None, "needs axes or search"),
    "path_set_twice": (dict(axes=[{"grid": {"workload.batch": [2]}}, {"zip": {"workload.batch": [4]}}]),
                       "axes[1].zip.workload.batch", "set twice"),
    "conflicting_constraints": (dict(axes=GRID, constraints=[{"quantity": "tpot_s", "run": "paper", "max": 0.01},
                                                            {"quantity": "tpot_s", "run": "paper", "min": 0.02}]),
                                "constraints[1]", "conflict"),
    "min_above_max": (dict(axes=GRID, constraints=[{"quantity": "config.workload.batch", "min": 8, "max": 4}]),
                      "constraints", "above max"),
    "metric_without_run": (dict(axes=GRID, constraints=[{"quantity": "tpot_s", "max": 1}]),
                           "constraints[0].quantity", "say which"),
    "unknown_metric": (dict(axes=GRID, constraints=[{"quantity": "tpot", "run": "paper", "max": 1}]),
                       "constraints[0].quantity", "unknown metric"),
    "unknown_derived": (dict(axes=GRID, constraints=[{"quantity": "derived.keys", "max": 1}]),
                        "constraints[0].quantity", "unknown derived"),
    "search_without_run": (dict(search={"trials": 2, "space": {"workload.batch": {"choice": [2, 4]}},
                                        "objectives": [{"metric": "tpot_s"}]}),
                           "search.objectives[0].metric", "say which"),
    "bad_distribution": (dict(search={"trials": 2, "run": "paper", "space": {"workload.batch": {"int": [8, 2]}},
                                      "objectives": [{"metric": "tpot_s"}]}), "search.space", "low <= high"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_sweep_is_one_clear_error(write_sweep, catalogue, case):
    fields, field, needle = CASES[case]
    path = write_sweep(**fields)
    with pytest.raises(ConfigError) as info:
        expand_sweep(load_sweep(path, catalogue))
    assert info.value.file == str(path)
    assert field is None or (info.value.field or "").startswith(field), info.value.render()
    assert needle in info.value.render()


def test_unknown_run_selector_and_rejected_points(write_sweep, catalogue):
    sweep = load_sweep(write_sweep(axes=GRID, constraints=[{"quantity": "tpot_s", "run": "fastest", "max": 1}]),
                       catalogue)
    with pytest.raises(ConfigError, match="'fastest' is not a run"):
        expand_sweep(sweep)
    # batch 3 cannot split into a placement's 2 micro-batches: stop, or skip when asked
    split = {"name": "split", "relevancy": "fpga0", "retrieval": "fpga0", "micro_batches": 2}
    odd = [{"grid": {"workload.batch": [2, 3]}}]
    with pytest.raises(ConfigError, match="micro-batches.*workload.batch=3.*invalid: skip"):
        expand_sweep(load_sweep(write_sweep(axes=odd, fixed={"placements": ["gpu-only", split]}), catalogue))
    skipped = expand_sweep(load_sweep(write_sweep(axes=odd, invalid="skip", fixed={"placements": ["gpu-only", split]}),
                                catalogue))
    assert len(skipped.points) == 1 and skipped.invalid[0][0] == {"workload.batch": 3}


def test_constraints_that_exclude_every_point(write_sweep, catalogue):
    path = write_sweep(axes=GRID, constraints=[{"quantity": "config.workload.batch", "min": 16}])
    with pytest.raises(ConfigError, match="no point left to run: 0 rejected by the config, 2 excluded"):
        expand_sweep(load_sweep(path, catalogue))


def test_cli_bad_sweep_exits_2_and_writes_nothing(write_sweep, tmp_path, hetsim):
    path = write_sweep(axes=[{"zip": {"workload.batch": [2, 4], "seed": [1]}}])
    out = tmp_path / "out"
    res = hetsim("sweep", str(path), "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and "differ in length" in res.stderr and str(path) in res.stderr
    assert not out.exists()


# ----------------------------------------------------------------------------- the command line
def _user_folder(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "main.c").write_text("int main(void) { return 0; }\n")
    return folder


def _a_file(tmp_path):
    f = tmp_path / "taken.png"
    f.write_bytes(b"not hetsim's")
    return f


def _sweep_store(tmp_path, write_sweep, hetsim):
    out = tmp_path / "store"
    assert hetsim("sweep", str(write_sweep(axes=GRID, name="ok")), "--out", str(out), "--workers", "1").returncode == 0
    return out


# case -> (sweep fields or None, argv given (tmp_path, sweep path, store maker), what the line must name;
# SWEEP stands for the sweep file's path)
CLI = {
    "workers_zero": (dict(axes=GRID), lambda t, s, st: ["sweep", s, "--workers", "0"], ["--workers", "got 0"]),
    "workers_negative": (dict(axes=GRID), lambda t, s, st: ["sweep", s, "--workers", "-3"], ["--workers", "got -3"]),
    "ray_unreachable": (dict(axes=GRID), lambda t, s, st: ["sweep", s, "--ray", "127.0.0.1:1"],
                        ["--ray", "127.0.0.1:1", "no Ray head"]),
    "ray_not_an_address": (dict(axes=GRID), lambda t, s, st: ["sweep", s, "--ray", "headnode"],
                           ["--ray", "HOST:PORT", "'headnode'"]),
    "axis_into_a_named_placement": (dict(axes=[{"grid": {"placements.1.micro_batches": [1, 2]}}]),
                                    lambda t, s, st: ["sweep", s],
                                    ["SWEEP", "axes[0].grid.placements.1.micro_batches", "built-in placement 'paper'"]),
    "axis_index_out_of_range": (dict(axes=[{"grid": {"placements.5.micro_batches": [1, 2]}}]),
                                lambda t, s, st: ["sweep", s], ["SWEEP", "axes[0].grid.placements.5.micro_batches",
                                                                "2 entries (indexes 0 to 1)"]),
    "unsafe_name": (dict(axes=GRID, name="../escape"), lambda t, s, st: ["sweep", s], ["SWEEP", "name", "'../escape'"]),
    "out_onto_a_user_folder": (dict(axes=GRID), lambda t, s, st: ["sweep", s, "--out", str(_user_folder(t))],
                               ["--out", "mine", "did not write"]),
    "out_onto_a_file": (dict(axes=GRID), lambda t, s, st: ["sweep", s, "--out", str(_a_file(t))],
                        ["--out", "taken.png", "is a file"]),
    "results_limit_negative": (None, lambda t, s, st: ["results", str(st()), "--limit", "-1"],
                               ["--limit", "got -1"]),
    "results_of_a_user_folder": (None, lambda t, s, st: ["results", str(_user_folder(t))],
                                 ["mine", "not a sweep results folder"]),
    "plot_out_onto_a_file": (None, lambda t, s, st: ["plot", str(st()), "--out", str(_a_file(t))],
                             ["--out", "taken.png", "is a file"]),
    "plot_out_onto_a_user_folder": (None, lambda t, s, st: ["plot", str(st()), "--out", str(_user_folder(t))],
                                    ["--out", "mine", "did not write"]),
}


def _snapshot(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", sorted(CLI))
def test_cli_bad_input_is_one_line_exit_2_and_writes_nothing(case, write_sweep, tmp_path, hetsim):
    fields, args, needles = CLI[case]
    path = write_sweep(**(fields or dict(axes=GRID)))
    store = []

    def make_store():
        store.append(_sweep_store(tmp_path, write_sweep, hetsim))
        return store[-1]

    argv = args(tmp_path, str(path), make_store)
    before = _snapshot(tmp_path)
    res = hetsim(*argv, timeout=30)  # a bad Ray address included: answered in seconds, not retried for minutes
    lines = res.stderr.strip().splitlines()
    assert res.returncode == 2, res.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr  # ours, not click's usage box
    assert "Traceback" not in res.stderr
    for needle in needles:
        assert needle.replace("SWEEP", str(path)) in lines[0], lines[0]
    assert _snapshot(tmp_path) == before  # nothing written, nothing changed


def test_an_axis_into_a_placement_mapping_sweeps_that_field(write_sweep, catalogue):
    split = {"name": "split", "relevancy": "fpga0", "retrieval": "fpga0", "micro_batches": 2}
    sweep = load_sweep(write_sweep(axes=[{"grid": {"placements.1.micro_batches": [1, 2]}}],
                                   fixed={"placements": ["gpu-only", split], "workload.batch": 4}), catalogue)
    points = expand_sweep(sweep).points
    assert [p.config["experiment"]["placements"][1]["micro_batches"] for p in points] == [1, 2]
    assert [p.config["experiment"]["placements"][1]["relevancy"] for p in points] == ["fpga0", "fpga0"]
    assert points[0].id != points[1].id
