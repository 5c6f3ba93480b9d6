"""Op cases from traces: the fit (on the aten sweep) reproduces the committed H200 keys, a case priced by
hand, the sync rule and the cuDNN plan-build rule by hand, and the fused stack's graph-mode numbers kept."""

import math

import pytest

from hetsim.calibration.gpu_profile import load_profile
from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, lower_case, price
from hetsim.calibration.trace_fit import fit_profile
from hetsim.hardware.gpu import op_device_s, stream_time_s
from hetsim.ops import HostCall, Pointwise
from hetsim.stacks.lower import StackOps

CASES = REPO_ROOT / "calibration" / "e2e" / "H200" / "ops.parquet"  # the validation cases: never fitted
SWEEP = REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-aten-2026-12-01.parquet"
PROFILE = REPO_ROOT / "calibration" / "profiles" / "H200.yaml"


@pytest.fixture(scope="module")
def h200():
    return gpu_model("H200")


def test_the_fit_reproduces_the_committed_keys(h200_fit_cases, h200_fit_host_calls):
    from hetsim.calibration.trace_fit import default_composites

    profile = load_profile(PROFILE)
    # the models' sweep, then the methods group and the last-dim reductions (the keys each was made for; the
    # reductions' walk key from all three); the composites' ops left out
    assert h200_fit_cases[0] == SWEEP
    fitted = fit_profile(profile, h200_fit_cases, h200_fit_host_calls, default_composites("H200"))
    assert set(fitted) == set(profile.provenance["trace_fit"]["keys"])
    command = profile.provenance["trace_fit"]["command"]
    assert "--cases calibration/profiles/runs/H200-aten-2026-12-01.parquet" in command
    for key, (rates, notes) in fitted.items():
        committed = profile.rates[key]
        for field in ("overhead_s", "bw_bytes_per_s", "flop_rate", "dispatch_s", "eager_gap_s",
                      "walk_bw_bytes_per_s", "wave_slots", "wave_s"):
            a, b = getattr(rates, field), getattr(committed, field)
            assert a == b or (math.isfinite(a) and a == pytest.approx(b, rel=1e-12)), (key, field)
        assert profile.notes[key]["fit"].get("cases") == notes["fit"].get("cases")


def test_the_fit_only_adds_keys_the_suite_did_not_fit():
    profile = load_profile(PROFILE)
    suite = set(profile.rates) - set(profile.provenance["trace_fit"]["keys"])
    assert {"matmul", "elementwise", "copy", "gather_narrow", "attention_decode"} <= suite
    assert profile.rates["copy"].bw_bytes_per_s == pytest.approx(3937998372526.0703)  # untouched


def test_a_contiguous_cat_priced_by_hand(h200):
    # case 52: DynamicCache's torch.cat of K [8, 8, 4096, 128] and the new token [8, 8, 1, 128], bf16
    (case,) = [c for c in load_cases(CASES) if c.case == 52]
    (op,) = lower_case(case)
    read = (8 * 8 * 4096 * 128 + 8 * 8 * 1 * 128) * 2
    # mostly one input: the batched cat's half grid (cat_dominated, priced at copy_cat's rates without the L2 gain)
    assert isinstance(op, Pointwise) and op.regime == "cat_dominated" and op.nbytes == 2 * read
    # (134 MB, more than the L2 holds: the key's bandwidth, fitted above the HBM's on cases the L2 held, capped at
    # the measured copy's: hetsim.hardware.gpu's L2 rule)
    r = h200.rates_for(op)
    assert r.bw_bytes_per_s <= h200.rates["copy_cat"].bw_bytes_per_s
    # the key's form, times what its measured neighbours' misses make of it (product_table)
    device = (r.overhead_s + 2 * read / r.bw_bytes_per_s) * h200.neighbour_factor(op)
    assert 0.8 < h200.neighbour_factor(op) < 1.25
    p = price(h200, (op,))
    assert p["graph"] == pytest.approx(device)
    assert p["stream"] == pytest.approx(max(r.dispatch_s, device + r.eager_gap_s))
    assert p["idle"] == pytest.approx(r.dispatch_s + h200.rates["idle_start"].overhead_s + device + r.eager_gap_s)
    assert p["stream"] == pytest.approx(case.measured["stream"], rel=0.05)  # 38.2 us measured


def test_repeat_kv_is_an_expand_copy_at_its_own_bandwidth(h200):
    (case,) = [c for c in load_cases(CASES) if c.case == 134]  # clone of K expanded to 32 heads, B32 C16K
    (op,) = lower_case(case)
    assert op.regime == "copy_expand"  # a stride-0 input: repeat_kv's expand, not a transposing copy
    # (its bytes' rate and an element rate beside it: narrow dtypes' elements bind; realcode-more26): priced over 2x a
    # contiguous copy of its bytes, under a transposing copy's sector-per-element time
    expand, copy, transpose = (op_device_s(h200.rates[k], op) for k in ("copy_expand", "copy", "copy_transpose"))
    assert 2 * copy < expand < transpose
    # fitted on the sweep's clones of expanded caches (<= 0.5 GB), it prices this 4.3 GB one within 5 %
    assert price(h200, (op,))["graph"] == pytest.approx(case.measured["graph"], rel=0.05)
    # a cat out of merely non-contiguous views (rotate_half's halves) is the batched cat kernel over strided inputs
    rotated = next(c for c in load_cases(CASES) if c.aten == "aten.cat.default" and lower_case(c)[0].regime
                   not in ("copy_cat", "cat_dominated"))
    assert lower_case(rotated)[0].regime == "cat_strided"


def test_a_sync_makes_host_and_device_serial_up_to_it(h200):
    big = Pointwise(1, 4_000_000_000, "aten.clone.default", "copy_cat")  # device bound: ~1 ms
    small = Pointwise(1, 1024, "aten.mul.Tensor")  # host bound: its dispatch
    sync = HostCall("sync", "aten._to_copy.default")
    d_big, d_small = h200.stream_device_s(big), h200.stream_device_s(small)
    h_big, h_small, h_sync = h200.dispatch_s(big), h200.dispatch_s(small), h200.dispatch_s(sync)
    mix = h200.host_mix
    free = [big, *[small] * 50]
    # no sync: the host issues the 50 small ops while the GPU still runs the big copy
    assert h200.ops_time_s(free) == pytest.approx(max(mix * (h_big + 50 * h_small), d_big + 50 * d_small))
    # a sync after the copy: the host waits for it, then issues the small ops onto an idle GPU
    synced = [big, sync, *[small] * 50]
    # the host mix scales kernel launches only (it was measured on them): the sync's host cost is added as it is
    by_hand = max(mix * h_big + h_sync, d_big) + max(mix * 50 * h_small, 50 * d_small)
    assert h200.ops_time_s(synced) == pytest.approx(by_hand)
    assert h200.ops_time_s(synced) > h200.ops_time_s(free)
    assert stream_time_s(synced, h200.rates_for, mix) == pytest.approx(by_hand)
    assert h200.graph_time_s(synced) == pytest.approx(h200.graph_time_s(free))  # a graph replays no host work


def test_a_static_cache_prefill_syncs_on_its_lazy_counter_copy():
    ops = StackOps("Llama-3.1-8B", "hf-static", 2048).attention("prefill", 1, 2048, 0)
    assert [op.kind for op in ops if isinstance(op, HostCall) and op.kind == "sync"] == ["sync"]


def test_a_growing_cache_rebuilds_the_cudnn_plan_once_per_step(h200, h200_fit_host_calls):
    dynamic = StackOps("Llama-3.1-8B", "hf-dynamic", 0).attention("decode", 8, 1, 4096)
    plans = [op for op in dynamic if isinstance(op, HostCall) and op.kind.startswith("sdpa_plan")]
    assert [op.kind for op in plans] == ["sdpa_plan/32"]  # one build per step, a 32nd in each layer
    # measured: the median of sdpa_plan_build over the host_calls files the fit read
    import json
    import statistics

    plan = statistics.median(json.loads(p.read_text())["sdpa_plan_build"] for p in h200_fit_host_calls)
    assert h200.dispatch_s(plans[0]) * 32 == pytest.approx(plan, rel=1e-9)
    assert 40e-3 < plan < 70e-3
    static = StackOps("Llama-3.1-8B", "hf-static", 8192).attention("decode", 8, 1, 4096)
    assert not any(isinstance(op, HostCall) and op.kind.startswith("sdpa_plan") for op in static)


# the fused stack's graph-mode TPOT before the trace fit (hetsim validate e2e --stack fused), ms
FUSED_GRAPH_MS = {(1, 1024): 4.75, (1, 4096): 4.84, (1, 131072): 8.57, (4, 1024): 4.85}


@pytest.mark.parametrize("point", sorted(FUSED_GRAPH_MS))
def test_fused_graph_mode_stays_within_ten_percent(point):
    from hetsim.calibration.e2e.compare import Predictor

    tpot, _, _ = Predictor("Llama-3.1-8B", "fused", "H200").decode(*point, "graph")
    assert tpot * 1e3 == pytest.approx(FUSED_GRAPH_MS[point], rel=0.10)


def test_interleaved_passes_are_read_and_their_spread_reported():
    """A session measured in interleaved passes (e2e measure's op_rounds): each case's value is the median
    of its passes, and the report states how far one pass lies from it (the measurement's own spread)."""
    import statistics

    from hetsim.calibration.trace_cases import CaseResult, OpsReport

    cases = load_cases(REPO_ROOT / "calibration" / "e2e" / "H200-2026-12-01b" / "ops.parquet")
    assert cases and all(c.measured["stream"] == statistics.median(c.passes["stream"]) for c in cases)
    assert all(c.measured["host"] == statistics.median(c.passes["host"]) for c in cases)
    assert not load_cases(CASES)[0].passes  # the first session: one pass, nothing to report

    def result(passes):
        return CaseResult(0, "aten.add.Tensor", "pointwise", (), {}, {}, passes={"host": passes})

    rep = OpsReport("H200", None, "<cases>", [result([1.0, 1.1, 0.9]), result([2.0, 3.0, 2.0]), result([5.0])])
    spread = rep.repeatability("host")  # |pass/median - 1|: 0, .1, .1, 0, .5, 0; a single pass has no spread
    assert spread["passes"] == 6 and spread["median_abs"] == pytest.approx(0.05)
    assert spread["p90_abs"] == pytest.approx(0.1) and rep.repeatability("stream") is None


def test_repo_relative_takes_relative_and_absolute_paths_inside_the_repo(tmp_path, monkeypatch):
    """A relative --composites path was recorded by `relative_to` on the unresolved path (a traceback)."""
    from hetsim.calibration.paths import repo_relative

    monkeypatch.chdir(REPO_ROOT)
    rel = "calibration/methods/H200-2026-12-01b/methods.parquet"
    assert repo_relative(rel) == rel == repo_relative(REPO_ROOT / rel)
    assert repo_relative(tmp_path / "x.parquet") == str(tmp_path / "x.parquet")


def test_the_profile_records_what_a_refit_needs_to_repeat_the_fit():
    prof = load_profile(PROFILE)
    tf = prof.provenance["trace_fit"]
    assert tf["composites"] == ["calibration/methods/H200/methods.parquet",
                                "calibration/methods/H200-2026-12-01b/methods.parquet",
                                "calibration/methods/H200-2026-12-01c/methods.parquet",
                                "calibration/methods/H200-2026-12-01d/methods.parquet"]
    assert "pooled" not in tf and all(f"--composites {c}" in tf["command"] for c in tf["composites"])


def test_table_cases_feed_the_neighbour_tables_and_fit_no_key():
    from hetsim.calibration.paths import REPO_ROOT

    runs = REPO_ROOT / "calibration" / "profiles" / "runs"
    fit, tiny = runs / "H200-aten-realcode-more31-2026-12-04.parquet", runs / "H200-aten-tiny-sweep-2026-12-05.parquet"
    profile = load_profile(PROFILE)
    alone = fit_profile(profile, [fit])
    with_tables = fit_profile(profile, [fit], table_cases=[tiny])
    assert set(alone) == set(with_tables)
    grown = 0
    for key, (rates, notes) in alone.items():
        assert with_tables[key][0] == rates, key  # no key's rates move
        before = sum(len(rows) for rows in notes.get("neighbours", {}).get("classes", {}).values())
        after = sum(len(rows) for rows in with_tables[key][1].get("neighbours", {}).get("classes", {}).values())
        assert after >= before, key
        grown += after > before
    assert grown >= 3  # the sweep's small kernels join the elementwise keys' tables


def test_the_committed_profile_names_its_table_cases():
    profile = load_profile(PROFILE)
    fit = profile.provenance["trace_fit"]
    assert [p.split("/")[-1] for p in fit["table_cases"]] == [
        f"H200-aten-{g}-2026-12-05.parquet" for g in ("conv-sweep", "reduce-sweep", "tiny-sweep")]
    assert all(f"--table-cases {p}" in fit["command"] for p in fit["table_cases"])
    assert not set(fit["table_cases"]) & set(fit["cases"])


def _long_scans(over_s: float) -> list:
    """Scan cases of 4 MB and more at 750 GB/s: too long for a fit to see their fixed cost."""
    from hetsim.calibration.trace_fit import Point

    points = []
    for i, mb in enumerate([4, 8, 16, 32, 64, 128]):
        op = Pointwise(mb << 18, mb << 21, "aten.cumsum.default", "scan")
        t = over_s + (mb << 21) / 7.5e11
        points.append(Point(i, op, t, t + 2e-6, 1e-5, None))
    return points


def test_no_key_is_fitted_a_fixed_cost_under_the_launch_floor():
    from hetsim.calibration.trace_fit import Point, fit_bound_key, launch_floor

    points = _long_scans(0.0)  # a fit of these alone leaves no fixed cost
    free, _ = fit_bound_key("scan", points, None, "test", 4.8e12)
    assert free.overhead_s < 1e-7
    floored, notes = fit_bound_key("scan", points, None, "test", 4.8e12, floor=1e-6)
    assert floored.overhead_s >= 1e-6
    assert "launch floor" in notes["fit"]["notes"][-1]
    # the bytes still priced at the cases' rate, the quality said against the cases' own times
    assert floored.bw_bytes_per_s == pytest.approx(7.5e11, rel=0.05)
    assert notes["fit"]["device_median_abs_err"] < 0.05
    tiny = Pointwise(210, 1680, "aten.cumprod.default", "scan")
    assert op_device_s(floored, tiny) >= 1e-6 > op_device_s(free, tiny)
    # a key whose own cases show a fixed cost above the floor keeps its fit
    kept, _ = fit_bound_key("scan", _long_scans(3e-6), None, "test", 4.8e12, floor=1e-6)
    again, _ = fit_bound_key("scan", _long_scans(3e-6), None, "test", 4.8e12)
    assert kept == again
    # a host key's cases (a view: no kernel) stay out of the floor
    view = Point(99, tiny, 8e-8, 5e-6, 5e-6, None)
    assert launch_floor({"scan": points, "host_view": [view]}) == pytest.approx(
        min(p.graph_s for p in points), rel=0.1)
