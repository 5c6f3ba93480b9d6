"""The results store: a sweep killed with SIGKILL at any moment and rerun finishes without
recomputing finished points, losing or duplicating nothing; `hetsim results` reads it back."""

import json
import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq

from hetsim.dse.store import load_results

# 16 points of ~0.1 s each: long enough to kill the sweep in the middle
AXES = [{"grid": {"workload.batch": [2, 4, 6, 8], "workload.params.token_budget": [256, 512, 768, 1024]}}]


def parts(out):
    return {p.name: (p.stat().st_mtime_ns, pq.read_table(p).column("finished_at")[0].as_py())
            for p in (out / "parts").glob("part-*.parquet")}


def test_sigkill_mid_sweep_then_rerun_loses_and_repeats_nothing(write_sweep, tmp_path, hetsim):
    path = write_sweep(axes=AXES, fixed={"workload.decode_tokens": 48})
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "hetsim", "sweep", str(path), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "parts").glob("part-*.parquet"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # the sweep process itself, mid-sweep
        proc.wait(timeout=10)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its pool workers, started in its session
        except ProcessLookupError:
            pass
    before = parts(out)
    assert 4 <= len(before) < 16, "the sweep must be killed mid-way"

    res = hetsim("sweep", str(path), "--out", str(out), "--workers", "2")
    assert res.returncode == 0, res.stderr
    assert f"{len(before)} from the store, {16 - len(before)} computed" in res.stdout.replace("\n", " ")
    after = parts(out)
    assert len(after) == 16
    assert all(after[name] == stamp for name, stamp in before.items())  # finished points not recomputed
    assert not [p.name for p in (out / "parts").iterdir() if p.name.startswith(".")]  # no temporary part left

    df = load_results(out)
    assert len(df) == 16 * 3 and not df.duplicated(["point_id", "label"]).any()
    assert (df["status"] == "ok").all() and df["tpot_s"].gt(0).all()
    meta = json.loads((out / "sweep.json").read_text())
    assert {p["id"] for p in meta["points"]} == set(df["point_id"])


def test_rerun_of_a_finished_sweep_computes_nothing_and_results_prints(write_sweep, tmp_path, hetsim):
    path = write_sweep(axes=[{"grid": {"workload.batch": [2, 4]}}])
    out = tmp_path / "out"
    assert hetsim("sweep", str(path), "--out", str(out), "--workers", "1").returncode == 0
    stamps = parts(out)
    res = hetsim("sweep", str(path), "--out", str(out), "--workers", "1")
    assert res.returncode == 0 and "2 from the store, 0 computed" in res.stdout and parts(out) == stamps

    table = hetsim("results", str(out))
    assert table.returncode == 0 and "lserve/paper" in table.stdout and "SIMULATED" in table.stdout
    rows = json.loads(hetsim("results", str(out), "--json").stdout)
    assert len(rows) == 6 and {r["config.workload.batch"] for r in rows} == {2, 4}
    csv = hetsim("results", str(out), "--csv").stdout.splitlines()
    assert len(csv) == 7 and csv[0].startswith("point_id,label")


def test_a_changed_sweep_keeps_old_points_as_cache_but_not_in_results(write_sweep, tmp_path, hetsim):
    out = tmp_path / "out"
    assert hetsim("sweep", str(write_sweep(axes=[{"grid": {"workload.batch": [2, 4]}}])), "--out", str(out),
                  "--workers", "1").returncode == 0
    res = hetsim("sweep", str(write_sweep(axes=[{"grid": {"workload.batch": [4, 8]}}])), "--out", str(out),
                 "--workers", "1")
    assert "1 from the store, 1 computed" in res.stdout
    assert sorted(load_results(out)["config.workload.batch"].unique()) == [4, 8]
    assert sorted(load_results(out, stale=True)["config.workload.batch"].unique()) == [2, 4, 8]
