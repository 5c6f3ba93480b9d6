"""The GPU runner on a CPU: the same code path at tiny sizes (what the H200 run did, minus CUDA)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pd = pytest.importorskip("pandas")

from hetsim.method_code.run import main  # noqa: E402
from hetsim.tracing.trace import Trace  # noqa: E402


def test_runner_times_every_step_and_keeps_its_trace(tmp_path):
    assert main(["--out", str(tmp_path), "--device", "cpu", "--tiny", "--only", "rag", "--budget-s", "0"]) == 0
    df = pd.read_parquet(tmp_path / "methods.parquet")
    first = df[df["composite"] == df["composite"].iloc[0]]
    assert list(first["step"]) == ["prepare", "relevancy", "retrieval", "apply", "all"]
    assert (first["error"] == "").all() and (first["t_stream_s"] > 0).all() and (first["cpu_s"] > 0).all()
    for row in first[first["step"] != "all"].itertuples():
        assert Trace.from_json(json.loads(row.trace)).ops, row.step
    # provenance on every row; composites after the budget are recorded as skipped, not dropped
    assert set(df["device_name"]) == {df["device_name"].iloc[0]} and (df["source"] == "measured").all()
    assert df["command"].iloc[0].startswith("python -m hetsim.method_code.run")
    skipped = df[df["error"].str.startswith("skipped")]
    assert len(skipped) == df["composite"].nunique() - 1


def test_further_passes_keep_the_median_of_each_step(tmp_path):
    """--rounds N: every composite timed again N-1 times (eager stream only); each step's value is the
    median over its passes, and the passes stay in the row."""
    import statistics

    assert main(["--out", str(tmp_path), "--device", "cpu", "--tiny", "--match", "rag/search/B1/C1024,corpus_docs=1",
                 "--rounds", "3"]) == 0
    df = pd.read_parquet(tmp_path / "methods.parquet")
    assert len(df) and (df["error"] == "").all()
    for row in df.itertuples():
        passes, hosts = json.loads(row.t_stream_rounds_s), json.loads(row.cpu_rounds_s)
        assert len(passes) == len(hosts) == 3
        assert row.t_stream_s == statistics.median(passes) and row.cpu_s == statistics.median(hosts)


def test_the_host_is_probed_right_before_each_step_of_each_pass(tmp_path, monkeypatch):
    """The lent hosts change speed in spells shorter than a composite's timing: one probe a composite (before
    2026-12-03) could not say which spell a step ran in. Each step of each pass gets its own probe, and each
    row says the loop length it was timed in."""
    import itertools

    from hetsim.method_code import run

    calls = itertools.count(1)
    monkeypatch.setattr(run, "kernel_call_s", lambda device: next(calls) * 1e-6)
    assert main(["--out", str(tmp_path), "--device", "cpu", "--tiny", "--match", "rag/search/B1/C1024,corpus_docs=1",
                 "--rounds", "2"]) == 0
    df = pd.read_parquet(tmp_path / "methods.parquet")
    probes = [json.loads(r) for r in df["host_probe_rounds_s"]]
    assert all(len(p) == 2 for p in probes)
    every = [x for p in probes for x in p]
    assert len(set(every)) == len(every) == 2 * len(df)  # one probe per step and pass, none shared
    assert (df["loop_s"] == run.LOOP_S).all() and run.LOOP_S >= 10e-3


def test_the_runner_never_writes_into_a_folder_it_does_not_own(tmp_path, capsys):
    mine = tmp_path / "methods.parquet"
    mine.write_text("someone's file")
    assert main(["--out", str(tmp_path), "--device", "cpu", "--tiny", "--only", "rag"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "did not write" in err
    assert mine.read_text() == "someone's file" and not (tmp_path / "run.log").exists()


def test_profile_step_lists_the_step_s_aten_calls_and_refuses_an_unknown_name(tmp_path, capsys):
    from hetsim.method_code.profile_step import main as profile_main

    out = tmp_path / "p.json"
    assert profile_main(["--match", "dsa/decode/B1/C32768", "--step", "apply", "--device", "cpu", "--tiny",
                         "--out", str(out)]) == 0
    (res,) = json.loads(out.read_text())
    calls = res["aten_calls_per_call"]
    assert res["step"] == "apply" and calls["aten::index_select"] == 1 and calls["aten::bmm"] == 2
    assert calls["aten::softmax"] == 1 and res["kernels"] == {}  # no CUDA kernels on a CPU
    assert profile_main(["--match", "nope", "--step", "apply", "--device", "cpu"]) == 2
    assert "no composite name holds 'nope'" in capsys.readouterr().err


def test_bad_selections_exit_2_before_anything_is_written(tmp_path, capsys):
    """A --match that selects nothing, an unknown --step, an --out that is someone else's file: one line,
    exit 2, before any device time is spent or any file is written."""
    from hetsim.method_code.profile_step import main as profile_main

    out = tmp_path / "runner"
    assert main(["--out", str(out), "--device", "cpu", "--tiny", "--match", "nope"]) == 2
    assert "no composite selected" in capsys.readouterr().err and not out.exists()
    assert profile_main(["--match", "dsa/decode/B1/C32768", "--step", "aply", "--device", "cpu", "--tiny"]) == 2
    assert "has no step 'aply'" in capsys.readouterr().err
    theirs = tmp_path / "notes.json"
    theirs.write_text("{}")
    with pytest.raises(SystemExit) as stop:
        profile_main(["--match", "dsa/decode/B1/C32768", "--step", "apply", "--device", "cpu", "--tiny",
                      "--out", str(theirs)])
    assert stop.value.code == 2 and theirs.read_text() == "{}"


def test_the_runner_lists_its_files_and_refuses_a_folder_someone_added_to(tmp_path, capsys):
    from hetsim.outdir import read_manifest

    out = tmp_path / "runs"
    args = ["--out", str(out), "--device", "cpu", "--tiny", "--match", "rag/search/B1/C1024,corpus_docs=100000"]
    assert main(args) == 0
    assert read_manifest(out)["files"] == ["methods.parquet", "run.log"]
    assert main(args) == 0  # its own folder: run again
    (out / "notes.txt").write_text("mine")
    assert main(args) == 2 and "did not write" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"
