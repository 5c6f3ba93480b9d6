"""`hetsim results` shows what varies and the key metrics under short distinct headers, with whole
numbers at any width; the sweep summary counts the points skipped as not fitting."""

import io

import pytest
from rich.console import Console

from hetsim.dse.executors import LocalExecutor
from hetsim.dse.expand import load_sweep
from hetsim.dse.store import load_results
from hetsim.dse.sweep import run_sweep
from hetsim.dse.table import results_tables

AXES = [{"grid": {"workload.batch": [2, 4], "workload.params.token_budget": [256, 512]}}]
SWEPT = ["workload.batch", "workload.params.token_budget"]


@pytest.fixture
def results(write_sweep, tmp_path, catalogue):
    run_sweep(load_sweep(write_sweep(axes=AXES), catalogue), tmp_path / "s", LocalExecutor(catalogue, workers=1))
    return load_results(tmp_path / "s")


def render(df, width: int) -> str:
    con = Console(width=width, file=io.StringIO(), color_system=None)
    for table in results_tables(df, SWEPT, "t", width, limit=100):
        con.print(table)
    return con.file.getvalue()


@pytest.mark.parametrize("width", [80, 200])
def test_headers_are_short_and_distinct_and_numbers_whole(results, width):
    text = render(results, width)
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= width
    for header in ("batch", "token_budget", "label", "tpot_s", "e2e_s", "J_per_request", "speedup", "energy_ratio"):
        assert f" {header} " in text, header
    assert "workload.par" not in text and "config." not in text  # common prefixes dropped
    for v in results["tpot_s"]:
        assert f" {v:.4g} " in text  # 4 significant digits, never cut
    for v in results["energy_per_request_j"]:
        assert f" {v:.4g} " in text


def test_only_what_varies_is_shown(results):
    text = render(results, 200)
    assert " context_tokens " not in text and " seed " not in text  # the same for every point
    assert " status " not in text  # every run ran


def test_summary_counts_points_skipped_as_not_fitting(write_sweep, tmp_path, hetsim):
    # 1M tokens of KV cache at batch 16 does not fit an H100: skipped, never run, and said so
    path = write_sweep(axes=[{"grid": {"workload.context_tokens": [8192, 1048576]}}], fixed={"workload.batch": 16})
    res = hetsim("sweep", str(path), "--out", str(tmp_path / "s"), "--workers", "1")
    assert res.returncode == 0, res.stderr
    out = " ".join(res.stdout.split())
    assert "1 points - 0 from the store, 1 computed" in out
    assert "1 skipped as not fitting" in out and "workload.context_tokens=1048576: does not fit" in out
    again = " ".join(hetsim("sweep", str(path), "--out", str(tmp_path / "s"), "--workers", "1").stdout.split())
    assert "1 from the store, 0 computed" in again and "1 skipped as not fitting" in again
