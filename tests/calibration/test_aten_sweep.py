"""The aten sweep: its cases never meet the op-level validation cases, the fit refuses those, the sweep
runs end to end on CPU torch, the new regimes by hand, and `validate ops` adds the measured harness."""

import json
import math
from dataclasses import replace

import pytest

from hetsim.calibration.gpu_suite.aten_cases import read_cases
from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.trace_cases import Harness, TraceCase, load_cases, lower_case, price, validate_ops
from hetsim.calibration.trace_fit import case_keys, check_disjoint
from hetsim.errors import HetsimError
from hetsim.hardware.gpu import rate_keys
from hetsim.ops import AxisReduction, Gather, Matmul, Pointwise
from hetsim.tracing.trace import AtenOp, TensorMeta

VALIDATION = REPO_ROOT / "calibration" / "e2e" / "H200" / "ops.parquet"
SWEEP = REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-aten-2026-12-01.parquet"


def _meta(shape, dtype="bfloat16", stride=None):
    return TensorMeta.dense(shape, dtype, stride)


def test_sweep_cases_and_measurements_share_no_case_with_the_validation():
    from hetsim.calibration.gpu_suite.aten_cases import COMPOSITES, case_key, composite_keys

    validation = case_keys(VALIDATION)
    assert len(validation) == 145
    cases = read_cases()
    planned = {case_key(c["kind"], c["spec"]) for c in cases}
    models = {case_key(c["kind"], c["spec"]) for c in cases if "group" not in c}
    assert len(models) == 229 and len(planned) > 229 and not planned & validation
    assert not planned & composite_keys(COMPOSITES)  # nor an op of the methods' validation composites
    assert case_keys(SWEEP) == models  # the 2026-12-01 file is the models group, all of it
    check_disjoint(SWEEP, VALIDATION)  # does not raise


def test_the_fit_refuses_validation_cases(tmp_path):
    import pandas as pd

    from hetsim.calibration.trace_fit import main

    with pytest.raises(HetsimError, match="validation cases"):
        check_disjoint(VALIDATION, VALIDATION)
    mixed = tmp_path / "mixed.parquet"
    sweep, val = pd.read_parquet(SWEEP), pd.read_parquet(VALIDATION)
    pd.concat([sweep.head(5), val.head(1)[sweep.columns.intersection(val.columns)]]).to_parquet(mixed)
    with pytest.raises(HetsimError, match="1 case"):
        check_disjoint(mixed, VALIDATION)
    assert main(["--profile", str(REPO_ROOT / "calibration/profiles/H200.yaml"), "--cases", str(VALIDATION)]) == 2


def test_the_sweep_runs_on_cpu_and_reads_back_as_cases(tmp_path):
    pytest.importorskip("torch")
    from hetsim.calibration.gpu_suite.aten_sweep import main
    from hetsim.calibration.trace_fit import HostCalls

    # three small cases of the committed list (a view, an elementwise op, a cast): seconds on CPU torch
    planned = read_cases()
    pick = [next(c for c in planned if c["aten"] == a) for a in
            ("aten._unsafe_view.default", "aten.rsqrt.default", "aten._to_copy.default")]
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"cases": pick}))
    out = tmp_path / "cpu-aten"
    assert main(["--out", str(out), "--cases", str(cases), "--torch-device", "cpu", "--budget-s", "60"]) == 0
    got = load_cases(out.with_suffix(".parquet"))
    assert [c.aten for c in got] == [c["aten"] for c in pick]
    assert all(c.measured["host"] > 0 and c.measured["stream"] > 0 for c in got)
    raw = json.loads(out.with_name(out.name + ".host_calls.json").read_text())
    assert raw["provenance"]["source"] == "measured"
    assert set(HostCalls(raw, out, "-").harness()) == {"view", "kernel", "suite"}
    prov = json.loads(out.with_name(out.name + ".json").read_text())
    assert prov["source"] == "measured" and prov["cases"] == 3 and prov["timed"] == 3


def test_the_committed_cases_are_packed_and_read_the_same_plain(tmp_path):
    from hetsim.calibration.gpu_suite.aten_cases import CASES, cases_json

    raw, text = CASES.read_bytes(), cases_json()
    # gzip, stamped with no time: a regeneration of the same cases changes no byte of the header
    assert CASES.suffix == ".gz" and raw[:2] == b"\x1f\x8b" and raw[4:8] == bytes(4)
    plain = tmp_path / "cases.json"
    plain.write_bytes(text)
    assert len(text) > 5 * len(raw)
    assert read_cases(plain) == read_cases()


def test_regeneration_reproduces_the_committed_cases():
    pytest.importorskip("transformers")
    from hetsim.calibration.gpu_suite.aten_cases import (
        build_cases,
        build_common_cases,
        build_method_cases,
        build_sdpa_cases,
        case_key,
        composite_keys,
        realcode_pairs,
        validation_keys,
    )

    committed = read_cases()
    exclude = validation_keys()
    models = build_cases(exclude=exclude)
    assert json.loads(json.dumps(models, default=str)) == committed[:len(models)]
    # the methods group: the synthetic cases (reductions, fp8 casts, few-index selects) exactly; the probes
    # trace the methods' code, which other work may still change: at least 90% of its cases as committed
    # the sdpa group, then the common groups (last): the stack templates' SDPA calls and traced callables, exactly
    # and the real-code groups, blind to every earlier case and to the composites' ops
    sdpa = json.loads(json.dumps(build_sdpa_cases(exclude), default=str))
    common = json.loads(json.dumps(build_common_cases(exclude), default=str))
    # the real-code pairs last, each blind to every case before it (the later pairs to the earlier ones): peeled off
    # from the end, the newest first
    for groups, specs in reversed(realcode_pairs()):
        pair = [c for c in committed if c.get("group") in groups]
        earlier = {case_key(c["kind"], c["spec"]) for c in committed[:-len(pair)]}
        rebuilt = json.loads(json.dumps(build_common_cases(exclude | earlier | composite_keys(), specs=specs),
                                        default=str))
        assert pair and rebuilt == pair == committed[-len(pair):], groups
        committed = committed[:-len(pair)]
    assert sdpa and common and committed[-len(sdpa) - len(common):] == sdpa + common
    methods = json.loads(json.dumps(build_method_cases(exclude | composite_keys()), default=str))
    mine = committed[len(models):-len(sdpa) - len(common)]

    def synthetic(c):
        return c["sources"][0][0].split("/")[0] in ("reduction", "cast", "index_select")

    assert [c for c in methods if synthetic(c)] == [c for c in mine if synthetic(c)]
    probes = [c for c in mine if not synthetic(c)]
    assert len(probes) > 150 and sum(c in methods for c in probes) >= 0.9 * len(probes)


def test_the_new_regimes_by_hand():
    assert rate_keys(Gather(8, 8192, 128256, aten="aten.embedding.default"))[:2] == ("embedding_few", "embedding")
    assert rate_keys(Gather(32, 8192, 128256, aten="aten.embedding.default"))[:2] == ("embedding", "gather")
    assert rate_keys(Gather(32, 8192, 128256))[0] == "gather"  # index_select keeps its key
    assert rate_keys(AxisReduction(8, 4096, "fp32", "sum", aten="aten.mean.dim"))[0] == "reduction_last"
    assert rate_keys(AxisReduction(2048, 4096, "fp32", "sum", aten="aten.mean.dim"))[0] == "reduction_last"
    assert rate_keys(Matmul(64, 2048, 1, dtype="fp32"))[:2] == ("matmul_outer", "matmul_unaligned")
    assert rate_keys(Matmul(8, 4096, 4096))[0] == "matmul"
    from hetsim.stacks.aten import lower_op

    q, cos = _meta((1, 32, 512, 128)), _meta((1, 1, 512, 128))
    (mul,) = lower_op(AtenOp("aten.mul.Tensor", (q, cos), (q,)))
    (add,) = lower_op(AtenOp("aten.add.Tensor", (q, q), (q,)))
    assert (mul.regime, add.regime) == ("pointwise_broadcast", "elementwise")
    assert rate_keys(mul)[:2] == ("pointwise_broadcast", "pointwise") and rate_keys(add)[0] == "pointwise"
    x16, x32 = _meta((8, 1, 4096)), _meta((8, 1, 4096), "float32")
    (up,) = lower_op(AtenOp("aten._to_copy.default", (x16,), (x32,), {"dtype": "float32"}))
    (down,) = lower_op(AtenOp("aten._to_copy.default", (x32,), (x16,), {"dtype": "bfloat16"}))
    assert (up.regime, down.regime) == ("cast_fp32", "cast")


def test_profiles_without_the_new_keys_fall_back():
    from hetsim.calibration.predict import gpu_model

    h100 = gpu_model("H100-SXM")
    for op in (Gather(8, 8192, 128256, aten="aten.embedding.default"), Matmul(64, 2048, 1, dtype="fp32"),
               AxisReduction(8, 4096, "fp32", "sum", aten="aten.mean.dim"),
               Pointwise(1 << 20, 6 << 20, "aten.mul.Tensor", "pointwise_broadcast")):
        assert math.isfinite(h100.op_time_s(op)) and h100.op_time_s(op) > 0


@pytest.fixture(scope="module")
def h200():
    from hetsim.calibration.predict import gpu_model

    return gpu_model("H200")


def test_validate_ops_adds_the_measured_harness_by_hand(h200):
    cases = {c.case: c for c in load_cases(VALIDATION)}
    report = validate_ops(h200, list(cases.values()), str(VALIDATION))
    h = report.harness
    assert h is not None and set(h.overhead_s) == {"view", "kernel", "suite"}
    assert all(0 < v < 5e-6 for v in h.overhead_s.values())
    by = {r.case: r for r in report.results}
    # a traced pointwise op (a key the trace fit made): its model dispatch plus the op cases' call; its bytes from
    # the L2 as the case was timed (replayed on its own buffers)
    (op,) = lower_case(cases[131], l2_bytes=h200.l2_bytes)
    assert op.l2_share == 1.0
    assert rate_keys(op)[0] == "pointwise" and by[131].harness_s == pytest.approx(h.overhead_s["kernel"])
    assert by[131].predicted["host"] == pytest.approx(h200.dispatch_s(op) + h.overhead_s["kernel"])
    assert by[131].predicted == price(h200, (op,), h.overhead_s["kernel"])
    # a GEMM (a primitive suite key): the suite's runner comes out, the op cases' call goes in
    (mm,) = lower_case(cases[74])
    assert by[74].regime == "matmul"
    assert by[74].harness_s == pytest.approx(h.overhead_s["kernel"] - h.overhead_s["suite"])
    # a decode step's linear (8 x 14336 x 4096, not split): the skinny products' key the trace fit made
    assert by[43].regime == "matmul_skinny" and by[43].harness_s == pytest.approx(h.overhead_s["kernel"])
    # one cuBLAS splits along its contraction (8 x 4096 x 4096): a key the trace fit made, only the op cases' call
    assert by[23].regime == "matmul_splitk" and by[23].harness_s == pytest.approx(h.overhead_s["kernel"])
    # SDPA is called as a model calls it: only the suite's runner comes out of the attention key's dispatch
    assert by[54].regime == "attention_decode" and by[54].harness_s == pytest.approx(-h.overhead_s["suite"])
    # a view: its host compared with the view pair added, its graph and idle readings never
    view = by[9]
    assert view.no_kernel and view.error("graph") is None and view.error("idle") is None
    assert view.error("host") is not None and view.harness_s == pytest.approx(h.overhead_s["view"])
    nk = report.no_kernel()
    assert nk["n"] == 16 and nk["measured_graph_median_s"] < 1e-6 and "no kernel" in nk["reason"]
    assert report.stats("graph")["n"] == 145 - 16


def test_the_harness_moves_host_stream_and_idle_only(h200):
    (case,) = [c for c in load_cases(VALIDATION) if c.case == 52]  # a device-bound cat (38 us)
    ops = lower_case(case)
    plain, moved = price(h200, ops), price(h200, ops, 2e-6)
    assert moved["host"] == pytest.approx(plain["host"] + 2e-6)
    assert moved["idle"] == pytest.approx(plain["idle"] + 2e-6)
    assert moved["graph"] == plain["graph"]
    assert moved["stream"] == pytest.approx(plain["stream"])  # device bound: the host has slack
    empty = Harness({}, frozenset(), "none")
    assert empty.delta_s(h200, TraceCase(0, "sdpa", "sdpa", None, True, (), {}), ()) == 0.0


def test_a_suite_refit_fits_the_trace_keys_again_from_the_recorded_sweep(h200_fit_cases):
    import dataclasses

    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.gpu_suite.refit import refit_traced

    profile = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    ours = set(profile.provenance["trace_fit"]["keys"])
    assert profile.provenance["trace_fit"]["cases"] == [str(p.relative_to(REPO_ROOT)) for p in h200_fit_cases]
    # what the suite's own refit builds: its keys only, the trace fit's provenance carried over
    suite_only = dataclasses.replace(profile, rates={k: r for k, r in profile.rates.items() if k not in ours},
                                     notes={k: n for k, n in profile.notes.items() if k not in ours})
    again = refit_traced(suite_only, log=lambda *_: None)
    assert set(again.rates) == set(profile.rates)
    for key in ours:
        for f in ("overhead_s", "bw_bytes_per_s", "flop_rate", "dispatch_s", "eager_gap_s", "walk_bw_bytes_per_s"):
            assert getattr(again.rates[key], f) == getattr(profile.rates[key], f), (key, f)


def test_the_methods_group_names_its_regimes_and_bounds_its_indices():
    from hetsim.calibration.gpu_suite.aten_sweep import pick

    cases = read_cases()
    methods = pick(cases, "methods", None)
    assert methods and all(n >= 229 for n, _ in methods)  # appended: the models group keeps its indices
    regimes = {c["regime"] for _, c in methods}
    assert {"reduction_outer", "reduction_outer_max", "cast_fp8", "cast_from_fp8", "gather_few", "bmm"} <= regimes
    outer = pick(cases, "methods", {"reduction_outer", "reduction_outer_max"})
    assert len(outer) >= 30 and {c["regime"] for _, c in outer} == {"reduction_outer", "reduction_outer_max"}
    # every case's stored regime is the first rate key hetsim prices it by today
    for _, c in methods:
        (op, *_) = lower_case(TraceCase(0, c["kind"], c["aten"], AtenOp.from_json(c["spec"]), c["decode"], (), {})) \
            if c["kind"] == "aten" else (None,)
        if op is not None:
            assert rate_keys(op)[0] == c["regime"], c["aten"]
    # an index op draws its indices over the rows it addresses (DSA's latent cache: batch x context rows)
    sel = [c for _, c in methods if c["aten"] == "aten.index_select.default"]
    assert sel and all(c["int_bound"] == c["spec"]["in"][0][0][c["spec"].get("args", {}).get("dim", 0)]
                       for c in sel)
    assert all("int_bound" not in c for _, c in methods if c["aten"] in ("aten.add.Tensor", "aten.amax.default"))


def test_the_sweep_runs_one_group_and_regime_alone(tmp_path):
    pytest.importorskip("torch")
    import pandas as pd

    from hetsim.calibration.gpu_suite.aten_sweep import main

    planned = read_cases()
    # the committed list's first view, then two small cases of the methods group (an outer reduction, an fp8 cast)
    small = [next(c for c in planned if c["aten"] == "aten._unsafe_view.default")]
    for regime in ("reduction_outer", "cast_fp8"):
        small.append(min((c for c in planned if c.get("regime") == regime and c.get("group") == "methods"),
                         key=lambda c: math.prod(c["spec"]["in"][0][0])))
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps({"cases": small}))
    out = tmp_path / "cpu-methods"
    argv = ["--out", str(out), "--cases", str(cases), "--torch-device", "cpu", "--group", "methods",
            "--regimes", "reduction_outer"]
    assert main(argv) == 0
    rows = pd.read_parquet(out.with_suffix(".parquet"))
    assert list(rows["case"]) == [1] and list(rows["group"]) == ["methods"] and rows["error"].iloc[0] == ""
    prov = json.loads(out.with_name(out.name + ".json").read_text())
    assert prov["group"] == "methods" and prov["regimes"] == ["reduction_outer"] and prov["timed"] == 1
    assert main([*argv[:-1], "no_such_regime"]) == 2  # a regime no case has: refused, one line
    models = [a if a != "methods" else "models" for a in argv]  # the regime exists, not in that group
    assert main(models) == 2
    # --ids: only the cases named (an @file of them alike); an index the file lacks, or not a number: refused
    ids = tmp_path / "ids.txt"
    ids.write_text("2\n")
    again = tmp_path / "cpu-ids"
    assert main(["--out", str(again), "--cases", str(cases), "--torch-device", "cpu", "--ids", f"@{ids}"]) == 0
    rows = pd.read_parquet(again.with_suffix(".parquet"))
    assert list(rows["case"]) == [2] and rows["aten"].iloc[0] == small[2]["aten"]
    assert json.loads(again.with_name(again.name + ".json").read_text())["ids"] == [2]
    assert main(["--out", str(again), "--cases", str(cases), "--torch-device", "cpu", "--ids", "7"]) == 2
    assert main(["--out", str(again), "--cases", str(cases), "--torch-device", "cpu", "--ids", "two"]) == 2


def test_the_fit_takes_several_sweep_files(tmp_path):
    import pandas as pd

    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.trace_fit import fit_profile

    profile = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    host = [SWEEP.with_name(SWEEP.stem + ".host_calls.json")]
    rows = pd.read_parquet(SWEEP)
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    rows.iloc[::2].to_parquet(a)
    rows.iloc[1::2].to_parquet(b)
    whole, split = fit_profile(profile, SWEEP, host), fit_profile(profile, [a, b], host, pooled=True)
    assert set(whole) == set(split)
    for key in whole:
        assert whole[key][0].overhead_s == pytest.approx(split[key][0].overhead_s, rel=1e-9, abs=1e-15), key
        assert whole[key][0].dispatch_s == pytest.approx(split[key][0].dispatch_s, rel=1e-9, abs=1e-15), key
    source = split["pointwise"][1]["fit"]["source"]
    assert "a.parquet" in source and "b.parquet" in source
    only_a = fit_profile(profile, a, host)
    assert only_a["pointwise"][1]["fit"]["points"] < whole["pointwise"][1]["fit"]["points"]
    # by default each key comes from the first file with cases of it: [a, b] fits as a alone; a key of
    # (two rates, each identified by other cases) from every file's cases
    from hetsim.calibration.trace_fit import EVERY_FILE_KEYS

    first = fit_profile(profile, [a, b], host)
    # (a key of one size takes its overhead from the key it refines: one fitted on every file moves it too)
    from hetsim.hardware.gpu import REGIME_FALLBACK

    on_one = [k for k in only_a if k in first and k not in EVERY_FILE_KEYS
              and not set(REGIME_FALLBACK.get(k, ())[:1]) & EVERY_FILE_KEYS]
    assert on_one and all(first[k][0] == only_a[k][0] for k in on_one)
    pooled = [k for k in EVERY_FILE_KEYS if k in whole]
    assert pooled and [first[k][1]["fit"]["points"] for k in pooled] == [whole[k][1]["fit"]["points"] for k in pooled]
    source = first["pointwise"][1]["fit"]["source"]
    assert "a.parquet" in source and "b.parquet" not in source


def test_the_fit_leaves_out_the_ops_of_the_methods_composites(tmp_path):
    import pandas as pd

    from hetsim.calibration.gpu_suite.aten_cases import COMPOSITES
    from hetsim.tracing.trace import Trace

    comp = pd.read_parquet(COMPOSITES)
    row = comp[(comp["composite"] == "dsa/decode/B1/C32768") & (comp["step"] == "apply")].iloc[0]
    op = next(o for o in Trace.from_json(json.loads(row["trace"])).ops if o.name == "aten.index_select.default")
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.trace_fit import fit_profile

    sweep = pd.read_parquet(SWEEP)
    gathers = sweep[sweep["aten"] == "aten.embedding.default"]
    extra = gathers.head(1).assign(case=999, aten=op.name, spec=json.dumps(op.to_json()))
    mixed = tmp_path / "mixed.parquet"
    pd.concat([sweep, extra]).to_parquet(mixed)
    check_disjoint(mixed, VALIDATION)  # the op-level validation alone does not know it
    profile = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    host = [SWEEP.with_name(SWEEP.stem + ".host_calls.json")]
    kept, plain = fit_profile(profile, mixed, host, [COMPOSITES]), fit_profile(profile, mixed, host)
    # the composite's index_select (a primitive key, no trace-fit key of its own) is left out all the same:
    # every key's notes say so and idle_start, fitted on every kernel case, has one point fewer
    assert all(n["fit"]["left_out"].startswith("1 case(s)") for _, n in kept.values())
    assert all("left_out" not in n["fit"] for _, n in plain.values())
    assert kept["idle_start"][1]["fit"]["points"] == plain["idle_start"][1]["fit"]["points"] - 1


def test_fp8_casts_are_their_own_regime():
    from hetsim.calibration.predict import gpu_model
    from hetsim.stacks.aten import lower_op

    k8, k16 = _meta((2, 8192, 128), "float8_e4m3fn"), _meta((2, 8192, 128))
    (up,) = lower_op(AtenOp("aten._to_copy.default", (k8,), (k16,), {"dtype": "bfloat16"}))
    (down,) = lower_op(AtenOp("aten._to_copy.default", (k16,), (k8,), {"dtype": "float8_e4m3fn"}))
    # up from float8 and down to it are two regimes (measured ~3x apart), both refining `cast`
    assert (up.regime, down.regime) == ("cast_from_fp8", "cast_fp8") and up.bytes == 2 * 8192 * 128 * 3
    assert rate_keys(up)[:3] == ("cast_from_fp8", "cast", "elementwise")
    assert rate_keys(down)[:3] == ("cast_fp8", "cast", "elementwise")
    # a GPU whose profile has no sweep key: priced by the class it refines, never unpriced (an H100 calibrated by
    # the primitive suite alone, its second calibration, stands for such a GPU here)
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.paths import profiles_dir
    from hetsim.hardware.gpu import rate_key

    own = load_profile(profiles_dir() / "runs" / "H100-SXM-2026-12-05-b.yaml").rates
    assert "cast_from_fp8" not in own
    assert rate_key(up, own) == rate_key(Pointwise(1, 1, "x", "cast"), own) is not None
    assert "cast_from_fp8" in gpu_model("H100-SXM").rates  # the H100's own since its trace fit


def test_few_index_selects_are_priced_per_index_where_fitted():
    from hetsim.calibration.trace_fit import Point, fit_key
    from hetsim.hardware.gpu import OpClassRates, op_device_s
    from hetsim.stacks.aten import lower_op

    idf, idx = _meta((65536,), "float32"), _meta((16,), "int64")
    (few,) = lower_op(AtenOp("aten.index_select.default", (idf, idx), (_meta((16,), "float32"),), {"dim": 0}))
    (many,) = lower_op(AtenOp("aten.index_select.default", (idf, _meta((17,), "int64")),
                              (_meta((17,), "float32"),), {"dim": 0}))
    assert rate_keys(few)[:2] == ("gather_few", "gather_narrow")
    assert rate_keys(many)[0] == "gather_narrow"  # 4-byte rows: gather's element kernel, the row gather's keys
    # a fit on overhead + item x indices recovers both figures from exact points (1 us + 0.3 us per index)
    points = [Point(i, replace(few, rows=n), 1e-6 + 0.3e-6 * n, 9e-6, 9e-6, None) for i, n in enumerate((2, 8, 16))]
    rates, notes = fit_key("gather_few", points, OpClassRates(1e-6, 1e12, math.inf, eager_gap_s=2e-6), "test")
    assert rates.overhead_s == pytest.approx(1e-6) and rates.item_s == pytest.approx(0.3e-6)
    assert op_device_s(rates, few) == pytest.approx(1e-6 + 16 * 0.3e-6)
    assert notes["fit"]["device_max_abs_err"] < 1e-6


def test_a_key_is_fitted_after_the_keys_it_refines():
    from hetsim.calibration.gpu_profile import load_profile
    from hetsim.calibration.trace_fit import fallback_rates, fit_order
    from hetsim.hardware.gpu import OpClassRates

    order = fit_order(["embedding_few", "reduction_outer_max", "embedding", "reduction_outer", "cast_fp8", "cast"])
    assert order.index("embedding") < order.index("embedding_few")
    assert order.index("reduction_outer") < order.index("reduction_outer_max")
    assert order.index("cast") < order.index("cast_fp8")
    # its fallback is this run's fit of the refined key where there is one, else the profile's
    profile = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    fresh = OpClassRates(1e-6, 1e12, math.inf, eager_gap_s=1e-6)
    assert fallback_rates(profile, "embedding_few", {"embedding": (fresh, {})}) is fresh
    assert fallback_rates(profile, "embedding_few") is profile.rates["embedding"]


def test_the_walk_fit_recovers_both_rates_of_a_last_dim_reduction():
    from hetsim.calibration.trace_fit import Point, fit_key
    from hetsim.hardware.gpu import OpClassRates, op_device_s

    # exact points of 2 us + max(bytes / 3 TB/s, walk / 90 MB/s): walk-bound at tens of rows, bytes-bound at many
    truth = OpClassRates(2e-6, 3e12, math.inf, walk_bw_bytes_per_s=9e7)
    ops = [AxisReduction(n, c, "fp32", "sum", aten="aten.mean.dim")
           for n, c in ((1, 4096), (4, 4096), (16, 4096), (64, 4096), (512, 4096), (8192, 4096), (32768, 4096))]
    points = [Point(i, op, op_device_s(truth, op), 2e-5, 2e-5, None) for i, op in enumerate(ops)]
    rates, notes = fit_key("reduction_last", points, None, "test")
    assert notes["fit"]["device_max_abs_err"] < 0.01
    assert rates.overhead_s == pytest.approx(2e-6, rel=0.05)
    assert rates.bw_bytes_per_s == pytest.approx(3e12, rel=0.05)
    assert rates.walk_bw_bytes_per_s == pytest.approx(9e7, rel=0.05)
    # cases the walk never binds cannot tell its rate: none is claimed (not the grid's slowest)
    bytes_only = [p for p in points if op_device_s(truth, p.op) == pytest.approx(
        truth.overhead_s + p.op.bytes / truth.bw_bytes_per_s)]
    assert len(bytes_only) >= 2
    rates, notes = fit_key("reduction_last", bytes_only, None, "test")
    assert math.isinf(rates.walk_bw_bytes_per_s) and "binds no case" in " ".join(notes["fit"]["notes"])


def test_an_element_rate_key_fits_the_corner_its_cases_show():
    from dataclasses import replace as with_

    from hetsim.calibration.trace_fit import CORNERS, Point, fit_key
    from hetsim.hardware.gpu import OpClassRates, op_device_s
    from hetsim.ops import Pointwise

    # exact points of 1.5 us + roof(bytes / 4 TB/s, element work / 1.2 T/s; p) over broadcasts from 64 K to 256 M
    # elements of 1 to 16 bytes an element: where both terms near-bind, the corner shows; a max (p = inf) is kept
    # where it holds
    ops = [Pointwise(n, n * b, "aten.mul.Tensor", "pointwise_broadcast", operands=3)
           for n in (1 << 16, 1 << 20, 1 << 23, 1 << 26, 1 << 28) for b in (1, 3, 6, 12, 16)]
    for p in (2.0, math.inf):
        truth = OpClassRates(1.5e-6, 4e12, 1.2e12, roof_p=p)
        points = [Point(i, op, op_device_s(truth, op), 2e-5, 2e-5, None) for i, op in enumerate(ops)]
        rates, notes = fit_key("pointwise_broadcast", points, None, "test")
        assert rates.roof_p == p and p in CORNERS
        assert notes["fit"]["device_median_abs_err"] < 0.02
        if p == 2.0:  # the max alone misses these points by more
            flat = with_(rates, roof_p=math.inf)
            assert max(abs(op_device_s(flat, q.op) / q.graph_s - 1) for q in points) > 0.1


def test_a_residual_key_with_a_walk_fits_it_beside_the_bytes():
    from hetsim.calibration.trace_fit import ResidualPoint, fit_residual

    # training BatchNorm's NCHW kernels: what the cases leave over the update is 0 + max(bytes / 1.5 TB/s, walk /
    # 11 MB/s): a few channels walk, many channels stream
    truth = [(2e8, 1536 * 4), (6e8, 1152 * 4), (1.5e8, 105 * 4), (3e8, 300 * 4), (1.2e9, 10240 * 4)]
    points = [ResidualPoint(f"f:{i}", 2, b, max(b / 1.5e12, w / 1.1e7), 1.0, walk=w) for i, (b, w) in enumerate(truth)]
    rates, notes = fit_residual("batch_norm_train", points, None, "test")
    assert rates.walk_bw_bytes_per_s == pytest.approx(1.1e7, rel=0.05)
    assert rates.bw_bytes_per_s == pytest.approx(1.5e12, rel=0.1)
    assert "walk" in notes["fit"]["notes"][0] and notes["fit"]["device_max_abs_err"] < 0.05


def test_fp32_top_k_has_its_own_key():
    from hetsim.calibration.predict import gpu_model
    from hetsim.hardware.gpu import rate_keys, walk_bytes
    from hetsim.ops import TopK

    # BM25's fp32 scores: four radix passes (bf16: two), their own select key where fitted; its walk each pass's
    # cumsum over the slice's blocks (782 of 7,680 scores for a row of 6M: 64 a thread, 256 threads a block);
    # then the suite's keys, fitted on sorted calls
    long_row = TopK(1, 6_000_000, 100, "fp32")
    assert rate_keys(long_row) == ("topk_select_multiblock_fp32", "topk_select_multiblock", "topk_multiblock_fp32",
                                   "topk_multiblock", "topk")
    assert rate_keys(TopK(1, 6_000_000, 100, "bf16"))[0] == "topk_select_multiblock"
    assert rate_keys(TopK(8, 2048, 16, "fp32"))[:2] == ("topk_select_singleblock", "topk_singleblock")
    assert walk_bytes(long_row) == 4 * 782
    gpu = gpu_model("H200")
    assert "topk_select_multiblock_fp32" in gpu.rates
    assert gpu.device_time_s(long_row) > gpu.device_time_s(TopK(1, 6_000_000, 100, "bf16"))


def test_the_roof_fit_recovers_flash_prefills_flop_rate_and_dispatch_comes_from_looped_cases():
    from hetsim.calibration.trace_fit import Point, fit_key
    from hetsim.hardware.gpu import OpClassRates, op_device_s
    from hetsim.ops import SdpaAttention

    # exact points of 2 us + max(bytes / 3 TB/s, flops / 330 TFLOP/s): causal prefills of 512-20K tokens
    truth = OpClassRates(2e-6, 3e12, 3.3e14)
    ops = [SdpaAttention(1, 32, 8, n, n, 128, causal=True, backend="flash") for n in (512, 1024, 3000, 6000, 12000,
                                                                                       20000)]
    # the long ones are timed one call after a sync (slower than the timer's loop): their issue time grows
    points = [Point(i, op, op_device_s(truth, op), op_device_s(truth, op), 3e-5 if i < 3 else 3e-4, None, i >= 3)
              for i, op in enumerate(ops)]
    rates, notes = fit_key("attention_flash_prefill", points, None, "test")
    assert notes["fit"]["device_max_abs_err"] < 0.01
    assert rates.flop_rate == pytest.approx(3.3e14, rel=0.05)
    assert rates.dispatch_s == pytest.approx(3e-5)  # the three looped cases, not the single calls
    assert any("timed back to back" in n for n in notes["fit"]["notes"])


def test_the_sweep_runs_sdpa_with_cudnn_off_and_says_so_per_case(tmp_path):
    import pandas as pd

    from hetsim.calibration.gpu_suite.aten_sweep import main
    from hetsim.calibration.trace_cases import load_cases, lower_case

    out = tmp_path / "sdpa"
    assert main(["--out", str(out), "--group", "sdpa", "--torch-device", "cpu", "--limit", "2",
                 "--cudnn-sdpa", "off"]) == 0
    rows = pd.read_parquet(f"{out}.parquet")
    assert len(rows) == 2 and not rows["sdpa_cudnn"].any()
    assert json.loads(out.with_name(out.name + ".json").read_text())["sdpa_cudnn"] is False
    cases = load_cases(f"{out}.parquet")  # lowered as the software ran them: flash, or memory-efficient
    assert {lower_case(c)[0].backend for c in cases} <= {"flash", "efficient"}


def test_a_recorded_dtype_argument_is_passed_as_a_dtype():
    # _scaled_mm's `out_dtype` (typed int in the schema) arrives as the dtype, not its recorded name
    torch = pytest.importorskip("torch")
    from hetsim.calibration.e2e.opcases import _plain

    assert _plain("out_dtype", "bfloat16", torch.device("cpu")) is torch.bfloat16
    assert _plain("dtype", "torch.float32", torch.device("cpu")) is torch.float32
    assert _plain("reduce", "sum", torch.device("cpu")) == "sum"  # a string argument stays a string
