"""hetsim only ever replaces what it wrote: a results folder is written atomically, over nothing
but a folder hetsim wrote itself, and a failed or killed write leaves the previous results as
they were."""

import errno
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hetsim.report.outputs as outputs
from hetsim.cli import app
from hetsim.outdir import MANIFEST, TEMP_PREFIX

SMALL = ["--set", "workload.decode_tokens=2", "--set", "placements=[gpu-only]", "--set", "baseline=null"]


def hetsim(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"}, catch_exceptions=False)


def run_into(out: Path, *extra: str):
    return hetsim("run", "--json", "--out", str(out), *SMALL, *extra)


def _one_line(result, *needles):
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1 and all(n in line for n in needles), line


def test_a_users_folder_is_never_replaced(tmp_path):
    user = tmp_path / "project"
    (user / "src").mkdir(parents=True)
    (user / "src" / "main.c").write_text("int main(void) { return 0; }\n")
    _one_line(run_into(user), str(user), "did not write")
    assert (user / "src" / "main.c").read_text().startswith("int main")
    assert sorted(p.name for p in user.iterdir()) == ["src"]


def test_the_current_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("mine")
    monkeypatch.chdir(tmp_path)
    _one_line(run_into(Path(".")), "did not write")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_name_that_lands_on_the_sweep_stores_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "results" / "sweeps" / "mysweep"
    store.mkdir(parents=True)
    (store / "sweep.json").write_text("{}")
    _one_line(hetsim("run", *SMALL, "--set", "name=sweeps"), "results/sweeps", "did not write")
    assert (store / "sweep.json").read_text() == "{}"


def test_rerun_replaces_its_own_results_and_marks_them(tmp_path):
    out = tmp_path / "r"
    assert run_into(out).exit_code == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["kind"] == "run" and "summary.json" in manifest["files"]
    (out / "summary.json").write_text("stale")
    assert run_into(out).exit_code == 0
    assert json.loads((out / "summary.json").read_text())["simulated"] is True


def test_a_file_the_user_added_to_results_stops_the_rerun(tmp_path):
    out = tmp_path / "r"
    assert run_into(out).exit_code == 0
    (out / "my-analysis.ipynb").write_text("{}")
    _one_line(run_into(out), "my-analysis.ipynb", "did not write")
    assert (out / "my-analysis.ipynb").read_text() == "{}"


def test_results_of_the_version_before_manifests_are_still_hetsims(tmp_path):
    out = tmp_path / "r"
    assert run_into(out).exit_code == 0
    (out / MANIFEST).unlink()  # as hetsim 0.1 left them: no manifest, and steps.parquet
    (out / "iterations.parquet").rename(out / "steps.parquet")
    assert run_into(out).exit_code == 0


def test_a_write_that_fails_midway_keeps_the_previous_results(tmp_path, monkeypatch):
    out = tmp_path / "r"
    assert run_into(out).exit_code == 0
    before = (out / "summary.json").read_text()

    def disk_full(run):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs, "chrome_trace", disk_full)
    _one_line(run_into(out, "--set", "workload.batch=4"), str(out), "No space left on device")
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no temporary folder left behind


def test_a_killed_runs_temporary_folder_is_cleaned_by_the_next_write(tmp_path):
    dead_pid = 2**22 + 12345  # above the default pid_max: no such process
    leftover = tmp_path / f"{TEMP_PREFIX}{dead_pid}-r"
    (leftover / "traces").mkdir(parents=True)
    (leftover / "ops.parquet").write_bytes(b"x" * 1000)
    assert run_into(tmp_path / "r").exit_code == 0
    assert not leftover.exists()


@pytest.mark.parametrize("name", ["..", ".", "", "a/b", ".hidden", "-x"])
def test_unsafe_experiment_names_are_refused(tmp_path, name):
    _one_line(hetsim("run", *SMALL, "--set", f"name={json.dumps(name)}", "--out", str(tmp_path / "r")),
              "name", "expected a name")
    assert not (tmp_path / "r").exists()


def test_a_read_only_location_is_one_line_and_nothing_is_written(tmp_path, monkeypatch):
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.name.startswith(TEMP_PREFIX):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    _one_line(run_into(tmp_path / "r"), "Read-only file system")
    assert list(tmp_path.iterdir()) == []


def test_results_under_a_file_are_refused_before_simulating(tmp_path):
    (tmp_path / "a-file").write_text("mine")
    _one_line(run_into(tmp_path / "a-file" / "r"), "is a file")
    assert (tmp_path / "a-file").read_text() == "mine"


def test_schemas_never_overwrite_a_users_files(tmp_path):
    (tmp_path / "experiment.schema.json").write_text("my own schema")
    _one_line(hetsim("schema", "--out", str(tmp_path)), "did not write")
    assert (tmp_path / "experiment.schema.json").read_text() == "my own schema"
    assert hetsim("schema", "--out", str(tmp_path / "s")).exit_code == 0
    assert hetsim("schema", "--out", str(tmp_path / "s")).exit_code == 0  # its own folder: rewritten
    assert json.loads((tmp_path / "s" / "experiment.schema.json").read_text())["title"] == "ExperimentSpec"
