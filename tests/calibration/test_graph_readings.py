"""Graph readings: how many calls the timer captures in one CUDA graph (hetsim.calibration.measure.Timer._measure),
and a case timed again in a later file taking the later reading in pooled validation (trace_cases.pool_cases)."""

from __future__ import annotations

import pytest


def _timer(eager_s: float, kernel_s: float):
    """A CPU timer made to take the graph path, its eager reading `eager_s` a call; a replay of `calls` calls takes
    `kernel_s` each or a 12 us launch, whichever is longer (what a slow host showed on an H100)."""
    torch = pytest.importorskip("torch")
    from hetsim.calibration import measure

    timer = measure.Timer(torch.device("cpu"))
    timer.graphs = True
    captured: list[int] = []
    timer.eager = lambda fn: (measure.Stats.of([eager_s]), measure.Stats.of([eager_s]), 1, 3)

    def graph(fn, calls):
        captured.append(calls)
        return measure.Stats.of([max(kernel_s * calls, 12e-6) / calls])

    timer.graph = graph
    return timer, captured


def test_a_small_op_is_captured_sixteen_times_even_when_its_eager_reading_was_slow():
    # a 1.3 us kernel read at 51 us eager (a host busy elsewhere): one call's replay is its launch, so it is recaptured
    timer, captured = _timer(51e-6, 1.3e-6)
    sample = timer.measure(lambda: None, 1, graph=True)
    assert captured == [1, 16] and sample.graph_calls == 16
    assert sample.graph.median == pytest.approx(1.3e-6)
    # read at its usual speed it is captured sixteen times at once
    timer, captured = _timer(9e-6, 1.3e-6)
    assert timer.measure(lambda: None, 1, graph=True).graph_calls == 16 and captured == [16]


def test_a_long_op_is_captured_once():
    timer, captured = _timer(300e-6, 280e-6)
    sample = timer.measure(lambda: None, 1, graph=True)
    assert captured == [1] and sample.graph.median == pytest.approx(280e-6)
    # rotating input sets: a multiple of them
    from hetsim.calibration.measure import graph_calls

    assert graph_calls(3, 1e-6) == 18 and graph_calls(3, 1e-3) == 3


def test_a_case_timed_again_in_a_later_file_takes_the_later_reading(tmp_path):
    # pooled validation (hetsim validate ops --cases A --cases B): a re-time replaces, never doubles, a case
    import pandas as pd

    from hetsim.calibration.paths import REPO_ROOT
    from hetsim.calibration.trace_cases import load_cases, pool_cases

    first = REPO_ROOT / "calibration" / "profiles" / "runs" / "H100-SXM-aten-common-check-2026-12-06.parquet"
    rows = pd.read_parquet(first)
    again = rows.iloc[:3].assign(graph_s=rows.graph_s.iloc[:3] / 10)
    later = tmp_path / "retime.parquet"
    again.to_parquet(later)
    pooled, retimed = pool_cases([first, later])
    assert retimed == 3 and len(pooled) == len(load_cases(first))
    by_case = {c.case: c for c in pooled}
    for r in again.itertuples():
        assert by_case[int(r.case)].measured["graph"] == pytest.approx(r.graph_s)


def test_the_cases_listed_for_re_timing_are_every_single_call_graph_reading_of_the_checks():
    # the harness's rule alone, whatever the case's error: the old timer captured one call a graph where the eager
    # reading took REPLAY_HIDDEN_S or more, and a replay under it leaves the launch exposed
    pytest.importorskip("torch")
    import pandas as pd

    from hetsim.calibration.measure import REPLAY_HIDDEN_S
    from hetsim.calibration.paths import REPO_ROOT

    runs = REPO_ROOT / "calibration" / "profiles" / "runs"
    for gpu in ("H100-SXM", "H200"):
        ids = []
        for path in sorted(runs.glob(f"{gpu}-aten-*check*.parquet")):
            if not _old_timer(path):
                continue
            rows = pd.read_parquet(path)
            rows = rows[rows.error.fillna("") == ""]
            ids += list(rows[(rows.t_stream_s >= REPLAY_HIDDEN_S) & (rows.graph_s < REPLAY_HIDDEN_S)].case)
        listed = (REPO_ROOT / "experiments" / "kernel_dispatch" / f"graph_retime_ids_{gpu}.txt").read_text()
        assert sorted(int(i) for i in listed.split(",")) == sorted(ids)
        assert len(ids) > 100


def _old_timer(path) -> bool:
    """Whether the run at `path` was timed before the timer recaptured short one-call replays: its provenance names no
    graph_recapture_under_s, and it is older than the first runs of the fixed timer (realcode-check34's, the re-time's,
    2026-12-07 08:25 UTC, whose code wrote no such key yet)."""
    import json

    prov = json.loads(path.with_suffix(".json").read_text())
    return "graph_recapture_under_s" not in prov["timer"] and prov["date_utc"] < "2026-12-07 08:00"
