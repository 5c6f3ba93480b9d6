"""`hetsim validate e2e`: the comparison and its report, on small hand-made measurement folders.

Predictions come from the simulator itself, so each test checks that a point's predicted value is
the simulator's own TTFT / TPOT / energy for that point, and that errors and group statistics
follow from the numbers written into the folder."""

import json

import pandas as pd
import pytest
import yaml

from hetsim.calibration.e2e.compare import Point, Predictor, Report, compare, group_stats

PROV = {"model": "Llama-3.1-8B", "nvml_name": "NVIDIA H200", "torch": "2.11.0", "transformers": "5.17.0",
        "date_utc": "2026-12-01 00:00:00"}


def write_folder(path, rows, prov=PROV):
    path.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path / "e2e.parquet", index=False)
    (path / "summary.yaml").write_text(yaml.safe_dump({"provenance": prov}))
    return path


def t(phase, stack, mode, batch, context, seconds, error=""):
    return {"kind": "time", "phase": phase, "stack": stack, "mode": mode, "batch": batch, "context": context,
            "t_median_s": seconds, "error": error}


def e(phase, stack, mode, batch, context, joules):
    return {"kind": "energy", "phase": phase, "stack": stack, "mode": mode, "batch": batch, "context": context,
            "t_median_s": None, "energy_per_call_j": joules, "error": ""}


ROWS = [
    t("prefill", "hf-static", "eager", 1, 1024, 0.040),
    t("prefill", "hf-dynamic", "eager", 1, 1024, 0.050),
    t("decode", "hf-static", "graph", 8, 4096, 0.030),
    t("decode", "hf-static", "eager", 8, 4096, 0.050),
    t("decode", "hf-dynamic", "eager", 8, 4096, 0.060),
    {**t("decode", "hf-dynamic", "eager", 8, 4096, None), "error": "OutOfMemoryError: in its energy loop"},
    e("decode", "hf-static", "graph", 8, 4096, 10.0),
    e("prefill", "hf-static", "eager", 1, 1024, 20.0),
]


def test_group_stats_by_hand():
    s = group_stats([0.10, -0.20, 0.50, -0.05])
    assert s.n == 4
    assert s.median_abs == pytest.approx(0.15)
    assert s.max_abs == pytest.approx(0.50)
    assert s.beyond_40 == pytest.approx(0.25)
    assert s.median_signed == pytest.approx(0.025)
    assert not s.meets_target  # one point beyond 40 %
    assert group_stats([0.1, -0.12, 0.15]).meets_target
    assert not group_stats([0.16, -0.2, 0.3]).meets_target  # median above 15 %
    with pytest.raises(ValueError):
        group_stats([])


def test_point_errors_are_predicted_over_measured():
    p = Point("hf-static", "decode", "graph", 8, 4096, measured_s=0.02, predicted_s=0.03, measured_j=4.0,
              predicted_j=3.0)
    assert p.error == pytest.approx(0.5)
    assert p.energy_error == pytest.approx(-0.25)
    assert Point("hf-static", "decode", "graph", 8, 4096, 0.02, 0.01).energy_error is None


def test_report_groups_by_measured_stack_phase_and_mode():
    r = Report("m", "fused", "H200", "x", {}, [
        Point("hf-static", "decode", "eager", 1, 1024, 1.0, 0.5),
        Point("hf-static", "decode", "eager", 1, 4096, 1.0, 2.0),
        Point("hf-static", "decode", "graph", 1, 1024, 1.0, 1.1, 2.0, 1.0),
        Point("hf-dynamic", "decode", "eager", 1, 1024, 1.0, 0.9)])
    stats = r.time_stats()
    assert set(stats) == {("hf-static", "decode", "eager"), ("hf-static", "decode", "graph"),
                          ("hf-dynamic", "decode", "eager")}
    assert stats[("hf-static", "decode", "eager")].median_abs == pytest.approx(0.75)
    assert stats[("hf-static", "decode", "graph")].meets_target
    assert set(r.energy_stats()) == {("hf-static", "decode", "graph")}
    assert r.energy_stats()[("hf-static", "decode", "graph")].median_abs == pytest.approx(0.5)


def test_fused_is_compared_with_both_measured_stacks_and_predictions_are_the_simulators(tmp_path):
    folder = write_folder(tmp_path / "H200", ROWS)
    rep = compare("Llama-3.1-8B", "fused", "H200", folder)
    # five good time rows; the failed row beside a good one is dropped
    assert len(rep.points) == 5
    assert {p.measured_stack for p in rep.points} == {"hf-static", "hf-dynamic"}
    pred = Predictor("Llama-3.1-8B", "fused", "H200")
    by = {(p.measured_stack, p.phase, p.mode): p for p in rep.points}
    graph = by[("hf-static", "decode", "graph")]
    one, two = pred.metrics(8, 4096, 1, "graph"), pred.metrics(8, 4096, 2, "graph")
    assert graph.predicted_s == pytest.approx(one.tpot_s)
    assert graph.predicted_j == pytest.approx(two.energy_j - one.energy_j)
    assert graph.measured_j == 10.0
    assert graph.error == pytest.approx(one.tpot_s / 0.030 - 1)
    eager = by[("hf-static", "decode", "eager")]
    assert eager.predicted_s == pytest.approx(pred.metrics(8, 4096, 1, "eager").tpot_s)
    assert eager.predicted_s > graph.predicted_s  # eager pays the host, graph does not
    pre = by[("hf-static", "prefill", "eager")]
    one, two = pred.metrics(1, 1024, 1, "eager"), pred.metrics(1, 1024, 2, "eager")
    assert pre.predicted_s == pytest.approx(one.ttft_s)
    assert pre.predicted_j == pytest.approx(2 * one.energy_j - two.energy_j)
    assert by[("hf-dynamic", "prefill", "eager")].measured_j is None  # no energy measured there


def test_an_hf_stack_is_compared_with_its_own_measurements_only(tmp_path):
    folder = write_folder(tmp_path / "H200", ROWS)
    rep = compare("Llama-3.1-8B", "hf-static", "H200", folder)
    assert {p.measured_stack for p in rep.points} == {"hf-static"}
    assert len(rep.points) == 3
    fused = compare("Llama-3.1-8B", "fused", "H200", folder)
    f = {(p.measured_stack, p.phase, p.mode): p.predicted_s for p in fused.points}
    s = {(p.measured_stack, p.phase, p.mode): p.predicted_s for p in rep.points}
    # transformers' static decode in eager costs more than the fused lowering predicts
    assert s[("hf-static", "decode", "eager")] > f[("hf-static", "decode", "eager")]
    # the H200 has two calibrations and host keys from two sessions: every prediction carries its band
    for p in rep.points:
        low, high = p.band_s
        assert low <= p.predicted_s <= high and p.in_band == (low <= p.measured_s <= high)


def test_cli_prints_tables_and_json(cli, tmp_path):
    folder = write_folder(tmp_path / "H200", ROWS)
    res = cli("validate", "e2e", "--stack", "fused", "--data", folder)
    assert res.exit_code == 0, res.output
    assert "decode graph, measured hf-static" in res.output
    assert "target (median <= 15%, none > 40%)" in res.output
    res = cli("validate", "e2e", "--stack", "fused", "--data", folder, "--json")
    (data,) = json.loads(res.output)["sessions"]  # --data: that folder only
    assert data["stack"] == "fused" and len(data["points"]) == 5
    g = data["groups"]["hf-static/decode/graph"]
    p = next(p for p in data["points"] if p["measured_stack"] == "hf-static" and p["mode"] == "graph")
    assert g["n"] == 1 and g["max_abs"] == pytest.approx(abs(p["error"]))
    assert data["energy_groups"]["hf-static/decode/graph"]["n"] == 1


@pytest.mark.parametrize("args, text", [
    (("--stack", "nope"), "unknown stack 'nope'"),
    (("--stack", "fused", "--model", "Llama-3.1-70B"), "are of 'Llama-3.1-8B'"),
    (("--stack", "fused", "--data", "MISSING"), "no end-to-end measurements"),
])
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path, args, text):
    folder = write_folder(tmp_path / "H200", ROWS)
    args = tuple(str(tmp_path / a) if a == "MISSING" else a for a in args)
    if "--data" not in args:
        args = (*args, "--data", folder)
    res = cli("validate", "e2e", *args)
    assert res.exit_code == 2
    assert text in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_validate_without_profile_or_subcommand_exits_2(cli):
    res = cli("validate")
    assert res.exit_code == 2
    assert "--profile" in res.output


def test_committed_h200_measurements_load_and_compare():
    """The committed data hold every grid point the run kept, and the fused comparison runs on them."""
    from hetsim.calibration.e2e.compare import load_measured

    times, energy, summary, _ = load_measured("H200")
    assert summary["provenance"]["nvml_name"] == "NVIDIA H200"
    assert len(times[times.phase == "prefill"]) == 12
    assert len(times[times.phase == "decode"]) == 78  # 26 points x (dynamic eager, static eager, static graph)
    assert len(energy) >= 10
    rep = compare("Llama-3.1-8B", "fused", "H200")
    assert len(rep.points) == 90


def test_every_session_of_a_gpu_is_compared_apart_and_pooled(capsys):
    """`validate e2e` reads each measuring session (calibration/e2e/H200, H200-*) and pools them:
    the same prediction against each session's measurement of a point."""
    from hetsim.calibration.e2e.compare import compare_sessions, pooled_stats, print_sessions, session_folders

    folders = session_folders("H200")
    assert folders[0].name == "H200" and len(folders) >= 2
    assert all(f.name.startswith("H200-") for f in folders[1:])
    reports = compare_sessions("Llama-3.1-8B", "hf-static", "H200")
    data = [r.data for r in reports]  # sessions in folder order; one that measured no hf-static is left out
    assert len(data) >= 2 and data == [str(f) for f in folders if str(f) in data]
    key = ("hf-static", "decode", "graph")
    pooled = pooled_stats(reports)[key]
    assert pooled.n == sum(len(r.groups().get(key, [])) for r in reports)  # a prefill-only session has none
    # one prediction per point, whatever the session
    first = {(p.phase, p.mode, p.batch, p.context): p.predicted_s for p in reports[0].points}
    assert all(first[(p.phase, p.mode, p.batch, p.context)] == p.predicted_s for p in reports[1].points
               if (p.phase, p.mode, p.batch, p.context) in first)
    print_sessions(reports)
    out = capsys.readouterr().out
    assert f"all {len(reports)} sessions together" in out
    assert out.count("decode graph, measured hf-static") == sum(key in r.groups() for r in reports)
    print_sessions(reports[:1], json_out=True)
    data = json.loads(capsys.readouterr().out)
    assert len(data["sessions"]) == 1 and "hf-static/decode/graph" in data["pooled"]


def _host_files(folder, plan_builds_s, lease="the end-to-end run's own lease", view=2.26e-6, module=1.25e-6):
    prov = {"source": "measured", "session": lease}
    (folder / "host_calls.json").write_text(json.dumps({"view_method": view, "module_call": module,
                                                        "provenance": prov}))
    loop = [{"batch": 1, "context": 1024, "build_per_step_s": b} for b in plan_builds_s]
    (folder / "sdpa_plans.json").write_text(json.dumps({"loop": loop, "provenance": prov}))


def test_a_session_is_also_predicted_with_its_own_host_figures(tmp_path):
    """Host files from the session's own lease: eager points get a second prediction with the view,
    module-call and cuDNN plan-build figures measured there (the plan build: the loop's median). A
    DynamicCache decode step builds one plan, so the two predictions differ by the plan figures'
    difference; a CUDA-graph replay prices no host key and gets none."""
    from hetsim.calibration.e2e.compare import session_host
    from hetsim.calibration.gpu_profile import load_profile

    prof = load_profile("calibration/profiles/H200.yaml")
    view, module, plan = (prof.rates[k].dispatch_s for k in ("host_view", "host_module", "host_sdpa_plan"))
    folder = write_folder(tmp_path / "H200-x", ROWS)
    _host_files(folder, [0.030, 0.040, 0.050], view=view, module=module)
    assert session_host(folder) == {"host_view": view, "host_module": module, "host_sdpa_plan": 0.040}
    rep = compare("Llama-3.1-8B", "hf-dynamic", "H200", folder)
    (dec,) = [p for p in rep.points if p.phase == "decode"]
    assert dec.session_s - dec.predicted_s == pytest.approx(0.040 - plan, rel=0.02)
    assert rep.session_stats()[("hf-dynamic", "decode", "eager")].median_abs == pytest.approx(abs(dec.session_error))
    static = compare("Llama-3.1-8B", "hf-static", "H200", folder)
    assert all((p.session_s is None) == (p.mode == "graph") for p in static.points)
    # files from another lease (or none) say nothing about this session's host
    _host_files(folder, [0.030], lease="another")
    assert session_host(folder) is None
    assert all(p.session_s is None for p in compare("Llama-3.1-8B", "hf-dynamic", "H200", folder).points)


def test_a_session_without_the_stack_is_left_out_and_own_host_figures_pool(tmp_path, monkeypatch):
    """A session that measured other stacks only is skipped (not an error) when every session is read;
    the pooled line with the sessions' own host figures covers the sessions that timed them."""
    from hetsim.calibration.e2e import compare as cmp

    monkeypatch.setattr(cmp, "DATA_DIR", tmp_path)
    write_folder(tmp_path / "H200", ROWS)
    only_dynamic = [r for r in ROWS if r["stack"] == "hf-dynamic"]
    _host_files(write_folder(tmp_path / "H200-b", only_dynamic), [0.040])
    reports = cmp.compare_sessions("Llama-3.1-8B", "hf-static", "H200")
    assert [r.data for r in reports] == [str(tmp_path / "H200")]
    dyn = cmp.compare_sessions("Llama-3.1-8B", "hf-dynamic", "H200")
    own = cmp.pooled_stats(dyn, own_host=True)[("hf-dynamic", "decode", "eager")]
    (mine,) = [p for p in dyn[1].points if p.phase == "decode"]
    assert own.n == 1 and own.median_abs == pytest.approx(abs(mine.session_error))
    with pytest.raises(cmp.ConfigError, match="no measured points"):
        cmp.compare_sessions("Llama-3.1-8B", "hf-static", "H200", tmp_path / "H200-b")


def test_a_point_is_also_priced_at_the_host_speed_probed_beside_it(tmp_path):
    """A probe equal to the profile's leases' kernel call prices the point as the profile does; a host twice as
    slow prices a host-bound DynamicCache decode step slower (every host cost doubled: not a longer device
    time), and a CUDA-graph replay is never priced at a probe."""
    ref = Predictor("Llama-3.1-8B", "hf-dynamic", "H200").host_reference()
    assert ref and 5e-6 < ref < 20e-6
    rows = [{**r, "host_probe_s": ref} for r in ROWS if r["kind"] == "time" and r["t_median_s"]]
    rep = compare("Llama-3.1-8B", "hf-dynamic", "H200", write_folder(tmp_path / "same", rows))
    assert rep.host_reference_s == ref and rep.points
    for p in rep.points:
        assert p.probed_s == pytest.approx(p.predicted_s, rel=1e-6)
    slow = [{**r, "host_probe_s": 2 * ref} for r in rows]
    rep2 = compare("Llama-3.1-8B", "hf-dynamic", "H200", write_folder(tmp_path / "slow", slow))
    (dec,) = [p for p in rep2.points if p.phase == "decode"]
    assert 1.5 * dec.predicted_s < dec.probed_s <= 2.0 * dec.predicted_s * 1.001
    assert rep2.probed_stats()[("hf-dynamic", "decode", "eager")].median_abs == pytest.approx(abs(dec.probed_error))
    static = compare("Llama-3.1-8B", "hf-static", "H200", write_folder(tmp_path / "static", slow))
    assert all((p.probed_s is None) == (p.mode == "graph") for p in static.points)
    # a folder without probes has no such view
    assert all(p.probed_s is None for p in compare("Llama-3.1-8B", "hf-dynamic", "H200",
                                                   write_folder(tmp_path / "none", ROWS)).points)


def test_malformed_session_host_figures_are_one_line_errors(tmp_path):
    from hetsim.calibration.e2e.compare import session_host

    folder = write_folder(tmp_path / "H200-x", ROWS)
    _host_files(folder, [0.040])
    calls = json.loads((folder / "host_calls.json").read_text())
    del calls["view_method"]
    (folder / "host_calls.json").write_text(json.dumps(calls))
    from hetsim.errors import ConfigError

    with pytest.raises(ConfigError, match="view_method"):
        session_host(folder)


def test_a_session_run_with_cudnn_sdpa_off_is_predicted_with_that_software():
    from hetsim.calibration.e2e.compare import session_sdpa
    from hetsim.calibration.paths import REPO_ROOT

    assert session_sdpa({"sdpa_backends": {"cudnn": False, "flash": True}}) == "off"
    assert session_sdpa({"sdpa_backends": {"cudnn": True}}) == session_sdpa({}) == "auto"
    # the software decides too: torch 2.8's wheels put cuDNN last, 2.10 needs a cuDNN newer than 9.15.0
    on = {"sdpa_backends": {"cudnn": True}}
    assert session_sdpa({**on, "torch": "2.8.0+cu128", "cudnn": 91002}) == "off"
    assert session_sdpa({**on, "torch": "2.10.0+cu128", "cudnn": 91500}) == "off"
    assert session_sdpa({**on, "torch": "2.11.0+cu130", "cudnn": 91900}) == "auto"
    assert session_sdpa({**on, "torch": "2.11.0", "cudnn": None}) == "auto"  # a CPU run: nothing to tell
    # the committed session with cuDNN's SDPA off: StaticCache decode on the memory-efficient kernel, replayed
    # from a CUDA graph (device time alone), 2.5x slower than on cuDNN at 128K; predicted from ops only
    folder = REPO_ROOT / "calibration" / "e2e" / "H200-2026-12-02-cudnn-off"
    report = compare("Llama-3.1-8B", "hf-static", "H200", folder)
    graph = {(p.batch, p.context): p for p in report.points if p.phase == "decode" and p.mode == "graph"}
    far = graph[(1, 131072)]
    assert far.measured_s == pytest.approx(0.2667, rel=0.01)
    assert abs(far.error) < 0.15
    assert report.time_stats()[("hf-static", "decode", "graph")].median_abs < 0.1
    on_cudnn = Predictor("Llama-3.1-8B", "hf-static", "H200").decode(1, 131072, "graph")[0]
    assert far.predicted_s > 2 * on_cudnn


def test_batched_prefill_is_predicted_on_both_backends():
    # several prompts in one forward (grid prefill-batches: 2 and 8 prompts of 1K and 4K), never fitted; the
    # prefill keys were fitted on one-sequence SDPA calls. Measured once with PyTorch's choice (cuDNN) and once
    # with cuDNN's SDPA off (flash)
    from hetsim.calibration.paths import REPO_ROOT

    for name in ("H200-2026-12-02-prefill-batches", "H200-2026-12-02-prefill-batches-cudnn-off"):
        report = compare("Llama-3.1-8B", "hf-dynamic", "H200", REPO_ROOT / "calibration" / "e2e" / name)
        points = [p for p in report.points if p.phase == "prefill"]
        assert {p.batch for p in points} == {2, 8} and len(points) == 4
        assert all(abs(p.error) < 0.12 for p in points)  # 1-7 % when measured
