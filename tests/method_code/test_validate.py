"""`hetsim validate methods`: the committed H200 timings priced from their stored traces."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hetsim.calibration.predict import gpu_model
from hetsim.cli import app
from hetsim.method_code.price import step_ops
from hetsim.method_code.validate import validate
from hetsim.tracing.trace import Trace

DATA = Path(__file__).resolve().parents[2] / "calibration" / "methods" / "H200" / "methods.parquet"


@pytest.fixture(scope="module")
def report():
    return validate(gpu_model("H200"), DATA)


def test_every_measured_step_is_priced(report):
    import pandas as pd

    df = pd.read_parquet(DATA)
    measured = df[(df["error"].fillna("") == "") & (df["step"] != "")]
    assert len(report.rows) == len(measured) > 0
    assert all(r.predicted["stream"] > 0 and r.predicted["graph"] > 0 for r in report.rows)
    for r in report.rows:
        assert r.error("graph") == pytest.approx(r.predicted["graph"] / r.measured["graph"] - 1)


def test_a_phase_is_its_steps_priced_together(report):
    model = gpu_model("H200")
    import pandas as pd

    df = pd.read_parquet(DATA)
    name = "lserve/decode/B8/C32768"
    steps = df[(df["composite"] == name) & (df["step"] != "all")]
    ops = [o for t in steps["trace"] for o in step_ops(Trace.from_json(json.loads(t)))]
    whole = next(r for r in report.rows if r.composite == name and r.step == "all")
    assert whole.predicted["stream"] == pytest.approx(model.ops_time_s(ops))
    assert whole.kernels == sum(r.kernels for r in report.rows if r.composite == name and r.step != "all")


def test_unmapped_aten_ops_are_named(report):
    # every aten op the measured composites run has a mapping (BM25's index_add_ is a row scatter-add)
    assert report.rows and all(r.unmapped == [] for r in report.rows)
    import dataclasses

    import pandas as pd

    from hetsim.method_code.price import unmapped

    df = pd.read_parquet(DATA)
    row = df[df["composite"].str.startswith("rag/search") & (df["step"] == "relevancy")].iloc[0]
    trace = Trace.from_json(json.loads(row["trace"]))
    i = next(i for i, o in enumerate(trace.ops) if o.base == "index_add_")
    renamed = dataclasses.replace(trace.ops[i], name="aten.frobnicate_.default")
    assert unmapped(dataclasses.replace(trace, ops=(*trace.ops[:i], renamed, *trace.ops[i + 1:]))) == ["frobnicate_"]


def test_validation_imports_no_torch():
    code = ("import sys, hetsim.method_code.validate, hetsim.method_code.price; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_data_is_one_line_exit_2(tmp_path):
    res = CliRunner().invoke(app, ["validate", "methods", "--data", str(tmp_path / "none.parquet")])
    assert res.exit_code == 2
    assert "none.parquet" in res.output and "Traceback" not in res.output


def test_stored_traces_are_what_the_code_traces_today():
    pytest.importorskip("torch")
    import pandas as pd

    from hetsim.method_code.base import model_dims
    from hetsim.method_code.composites import SIZES
    from hetsim.method_code.trace import step_traces

    df = pd.read_parquet(DATA)
    c = next(c for c in SIZES if c.name == "dsa/decode/B8/C32768")
    mod = importlib.import_module(f"hetsim.method_code.{c.module}")
    fresh = step_traces(mod, c.phase, mod.sizes(model_dims(c.model), c.params, c.batch, c.context))
    for row in df[df["composite"] == c.name].itertuples():
        if row.step == "all":
            continue
        stored = Trace.from_json(json.loads(row.trace))
        kernels = lambda t: [(o.base, [m.shape for m in o.inputs]) for o in t.ops if not o.alias]  # noqa: E731
        assert kernels(stored) == kernels(fresh[row.step]), row.step


def test_why_names_the_bound_and_the_dominant_ops_by_hand(report):
    from hetsim.hardware.gpu import rate_key
    from hetsim.ops import HostCall

    model = gpu_model("H200")
    r = next(r for r in report.rows if r.composite == "lserve/decode/B8/C131072" and r.step == "relevancy")
    w = r.why
    import pandas as pd

    df = pd.read_parquet(DATA)
    row = df[(df["composite"] == r.composite) & (df["step"] == r.step)].iloc[0]
    ops = step_ops(Trace.from_json(json.loads(row["trace"])))
    segs = model.stream_segments(ops)
    assert w["predicted_host_s"] == pytest.approx(sum(s.host_s for s in segs))
    assert w["predicted_bound"] == ("host" if w["predicted_host_s"] >= w["predicted_stream_device_s"] else "device")
    # measured: the runner's host issue time against the graph replay (90 us of device work, 141 us of host)
    assert w["measured_host_s"] == pytest.approx(row["cpu_s"]) and w["measured_bound"] == "host"
    top = w["top_ops"]
    assert [e["op"] for e in top][0] == "bmm" and top[0]["n"] == 2
    assert top[0]["graph_s"] == pytest.approx(2 * model.device_time_s(next(o for o in ops if o.name == "bmm")))
    assert [e["graph_s"] for e in top] == sorted((e["graph_s"] for e in top), reverse=True)
    # each entry says which key priced it and whether the profile fitted the op's own regime
    for e in top:
        op = next(o for o in ops if o.name == e["op"] and not isinstance(o, HostCall))
        assert e["key"] == (rate_key(op, model.rates) or "assumed")
        assert e["fitted"] == (e["key"] == e["regime"])


def test_explain_prints_the_why(capsys):
    res = CliRunner().invoke(app, ["validate", "methods", "--explain"])
    assert res.exit_code == 0, res.output
    assert "bound: predicted" in res.output and "us device" in res.output


def test_default_prices_every_session_apart_then_pooled():
    from hetsim.method_code.validate import pooled, session_files

    files = session_files("H200")
    assert DATA in files and len(files) >= 2  # the first session and the later ones, oldest first
    res = CliRunner().invoke(app, ["validate", "methods", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert [s["data"] for s in out["sessions"]] == [str(f) for f in files]
    # the pooled step view counts every session's steps once: its size is the sessions' sum
    for key in ("graph/step", "stream/phase"):
        assert out["pooled"][key]["n"] == sum(s["stats"][key]["n"] for s in out["sessions"] if s["stats"][key])
    reports = [validate(gpu_model("H200"), f) for f in files]
    errs = sorted(abs(r.error("graph")) for rep in reports for r in rep.rows
                  if r.step != "all" and r.error("graph") is not None)
    assert pooled(reports)["graph/step"]["median_abs"] == pytest.approx(errs[len(errs) // 2] if len(errs) % 2
                                                                     else (errs[len(errs) // 2 - 1]
                                                                           + errs[len(errs) // 2]) / 2)
    text = CliRunner().invoke(app, ["validate", "methods"]).output
    assert f"all {len(files)} sessions together" in text


def test_no_session_of_a_device_is_one_line_exit_2():
    res = CliRunner().invoke(app, ["validate", "methods", "--device", "A100-80GB-SXM"])
    assert res.exit_code == 2
    assert "no measuring session of A100-80GB-SXM" in res.output and "Traceback" not in res.output


def test_every_sessions_ops_have_a_mapping():
    # TTT's inner step runs autograd's silu_backward: an elementwise kernel, not an unknown op priced by roofline
    from hetsim.method_code.validate import session_files

    for f in session_files("H200"):
        rep = validate(gpu_model("H200"), f)
        assert rep.rows and all(r.unmapped == [] for r in rep.rows), f
