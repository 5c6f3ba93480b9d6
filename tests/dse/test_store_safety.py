"""The store never serves a stale or damaged result and never loses one: keys change with hetsim's
source and the calibration inputs, --force recomputes only this sweep's points, corrupt parts and
sweep.json are reported and recomputed, one writer at a time, a failed write leaves no part."""

import errno
import os
import re
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import hetsim.dse.expand
import hetsim.dse.point
from hetsim.dse.executors import LocalExecutor
from hetsim.dse.expand import load_sweep
from hetsim.dse.store import Store, load_results
from hetsim.dse.sweep import run_sweep
from hetsim.errors import HetsimError
from hetsim.outdir import MANIFEST, manifest_kind

REPO = Path(__file__).resolve().parents[2]
TWO = [{"grid": {"workload.batch": [2, 4]}}]


def stamps(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (out / "parts").glob("part-*.parquet")}


@pytest.fixture
def sweep(write_sweep, catalogue):
    return load_sweep(write_sweep(axes=TWO), catalogue)


def run(sweep, out, catalogue, **kw):
    return run_sweep(sweep, out, LocalExecutor(catalogue, workers=1), **kw)


def test_a_change_to_hetsims_source_recomputes_every_point(sweep, tmp_path, catalogue, monkeypatch):
    out = tmp_path / "out"
    assert run(sweep, out, catalogue).computed == 2
    assert run(sweep, out, catalogue).cached == 2
    edited = "0" * 64  # what the fingerprint of an edited checkout would be
    for module in (hetsim.dse.point, hetsim.dse.expand):
        monkeypatch.setattr(module, "source_fingerprint", lambda: edited)
    again = run(sweep, out, catalogue)
    assert (again.cached, again.computed) == (0, 2)
    assert set(load_results(out)["hetsim_source"]) == {edited}


def test_a_changed_calibration_profile_recomputes_with_its_numbers(sweep, tmp_path, catalogue, monkeypatch):
    profiles = tmp_path / "profiles"
    shutil.copytree(REPO / "calibration" / "profiles", profiles)
    monkeypatch.setenv("HETSIM_PROFILES", str(profiles))
    out = tmp_path / "out"
    assert run(sweep, out, catalogue).computed == 2  # the default system's GPU is the profiled H100-SXM
    before = load_results(out).set_index(["config.workload.batch", "label"])["tpot_s"]
    h100 = profiles / "H100-SXM.yaml"
    text = h100.read_text()
    bw = re.search(r"attention_decode:\n(?:    .*\n)*?    bw_bytes_per_s: ([0-9.e+]+)", text)
    h100.write_text(text[:bw.start(1)] + str(float(bw.group(1)) / 4) + text[bw.end(1):])  # decode attention 4x slower
    again = run(sweep, out, catalogue)
    assert (again.cached, again.computed) == (0, 2)
    after = load_results(out).set_index(["config.workload.batch", "label"])["tpot_s"]
    assert (after.loc[:, "dense/gpu-only"] > before.loc[:, "dense/gpu-only"]).all()


def test_force_recomputes_this_sweeps_points_and_keeps_the_others(write_sweep, tmp_path, catalogue):
    out = tmp_path / "out"
    run(load_sweep(write_sweep(axes=[{"grid": {"workload.batch": [2, 4]}}]), catalogue), out, catalogue)
    first = stamps(out)
    later = load_sweep(write_sweep(axes=[{"grid": {"workload.batch": [4, 8]}}]), catalogue)
    forced = run(later, out, catalogue, force=True)
    assert (forced.cached, forced.computed) == (0, 2)
    after = stamps(out)
    assert len(after) == 3
    stale = load_results(out, stale=True)
    assert sorted(stale["config.workload.batch"].unique()) == [2, 4, 8]
    batch2 = stale[stale["config.workload.batch"] == 2]["point_id"].iloc[0]
    batch4 = stale[stale["config.workload.batch"] == 4]["point_id"].iloc[0]
    assert after[f"part-{batch2}.parquet"] == first[f"part-{batch2}.parquet"]  # not this sweep's: untouched
    assert after[f"part-{batch4}.parquet"] != first[f"part-{batch4}.parquet"]  # this sweep's: computed again


@pytest.mark.parametrize("damage", ["truncated", "garbage", "other_point"])
def test_a_corrupt_part_is_reported_and_computed_again(sweep, tmp_path, catalogue, damage, hetsim):
    out = tmp_path / "out"
    run(sweep, out, catalogue)
    first, second = sorted((out / "parts").glob("part-*.parquet"))
    if damage == "truncated":
        first.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    elif damage == "garbage":
        first.write_bytes(b"PAR1" + os.urandom(2000))
    else:  # a part holding another point's rows under this point's name
        shutil.copyfile(second, first)

    # readers skip it, with one warning line naming the file; nothing crashes
    warned = []
    df = load_results(out, warn=warned.append)
    assert len(warned) == 1 and str(first) in warned[0] and "corrupt" in warned[0]
    assert df["point_id"].nunique() == 1
    res = hetsim("results", str(out))
    assert res.returncode == 0 and "Traceback" not in res.stderr
    assert [line for line in res.stderr.splitlines() if line.startswith("warning:")] == [
        line for line in res.stderr.splitlines() if str(first) in line]

    # a sweep computes it again
    warned.clear()
    again = run_sweep(sweep, out, LocalExecutor(catalogue, workers=1), warn=warned.append)
    assert (again.cached, again.computed) == (1, 1)
    assert len(warned) == 1 and str(first) in warned[0]
    df = load_results(out, warn=warned.append)
    assert df["point_id"].nunique() == 2 and (df["status"] == "ok").all() and len(warned) == 1


def test_a_corrupt_sweep_json_is_refused_by_readers_and_rewritten_by_the_sweep(sweep, tmp_path, catalogue, hetsim):
    out = tmp_path / "out"
    run(sweep, out, catalogue)
    meta = out / "sweep.json"
    meta.write_text(meta.read_text()[:100])  # truncated
    for cmd in (["results", str(out)], ["plot", str(out)]):
        res = hetsim(*cmd)
        assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1 and str(meta) in res.stderr and "corrupt" in res.stderr
    warned = []
    again = run_sweep(sweep, out, LocalExecutor(catalogue, workers=1), warn=warned.append)
    assert (again.cached, again.computed) == (2, 0)
    assert len(warned) == 1 and str(meta) in warned[0]
    assert len(load_results(out)) == 6


def test_one_writer_at_a_time(write_sweep, tmp_path, hetsim):
    path = write_sweep(axes=TWO)
    out = tmp_path / "out"
    with Store(out).open():
        res = hetsim("sweep", str(path), "--out", str(out), "--workers", "1")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert str(out) in res.stderr and f"another hetsim sweep (process {os.getpid()}) is writing" in res.stderr
    assert not list((out / "parts").iterdir())  # the second writer wrote nothing
    assert hetsim("sweep", str(path), "--out", str(out), "--workers", "1").returncode == 0  # free again


def test_a_write_failing_midway_leaves_no_part_and_the_earlier_parts_intact(sweep, tmp_path, catalogue, monkeypatch):
    out = tmp_path / "out"
    run(sweep, out, catalogue)
    before = stamps(out)
    real = pq.write_table
    calls = []

    def fails_on_the_second_part(table, where, **kw):
        calls.append(where)
        if len(calls) == 2:  # half a file on disk, then the disk is full
            real(table, where, **kw)
            Path(where).write_bytes(Path(where).read_bytes()[:500])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(table, where, **kw)

    monkeypatch.setattr(pq, "write_table", fails_on_the_second_part)
    with pytest.raises(HetsimError, match="No space left on device"):
        run(sweep, out, catalogue, force=True)
    after = stamps(out)
    assert set(after) == set(before)  # no part appeared, none vanished
    assert not [p.name for p in (out / "parts").iterdir() if not p.name.startswith("part-")]  # no temporary left
    failed = Path(calls[1]).name.split("-part-", 1)[1]
    assert after[f"part-{failed}"] == before[f"part-{failed}"]  # the point being written keeps its old part
    monkeypatch.setattr(pq, "write_table", real)
    assert len(load_results(out)) == 6


def test_temporary_files_of_a_killed_sweep_are_cleaned_on_the_next_run(sweep, tmp_path, catalogue):
    out = tmp_path / "out"
    run(sweep, out, catalogue)
    left = [out / "parts" / ".hetsim-tmp-999999999-part-abc.parquet", out / "parts" / ".tmp-abc-123.parquet",
            out / ".hetsim-tmp-999999999-sweep.json"]
    for p in left:
        p.write_bytes(b"half")
    run(sweep, out, catalogue)
    assert not any(p.exists() for p in left)


def test_a_store_of_the_previous_version_is_adopted_but_a_user_folder_is_not(sweep, tmp_path, catalogue, hetsim,
                                                                             write_sweep):
    out = tmp_path / "old"
    run(sweep, out, catalogue)
    (out / MANIFEST).unlink()  # as the previous version left it: sweep.json + parts/, no manifest
    assert run(sweep, out, catalogue).cached == 2
    assert manifest_kind(out) == "sweep"

    mine = tmp_path / "mine"
    (mine / "parts").mkdir(parents=True)
    (mine / "sweep.json").write_text("{}")
    (mine / "notes.txt").write_text("my notes")
    res = hetsim("sweep", str(write_sweep(axes=TWO)), "--out", str(mine))
    assert res.returncode == 2 and "did not write" in res.stderr and str(mine) in res.stderr
    assert (mine / "notes.txt").read_text() == "my notes" and not (mine / MANIFEST).exists()
