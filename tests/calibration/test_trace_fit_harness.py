"""The op cases' harness overhead taken out of their host times before the trace fit (by hand, on a
tiny case table), the measured host figures read with their provenance, and the host mix applied to
kernel launches only."""

import json
import math

import pytest

from hetsim.calibration.gpu_profile import load_profile
from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.trace_cases import TraceCase
from hetsim.calibration.trace_fit import (
    add_to_profile,
    fit_profile,
    load_host_calls,
    measured_keys,
    points_by_key,
    pool,
)
from hetsim.errors import HetsimError
from hetsim.hardware.gpu import OpClassRates, stream_time_s
from hetsim.ops import HostCall, Pointwise
from hetsim.tracing.trace import AtenOp, TensorMeta

HOST_CALLS = REPO_ROOT / "calibration" / "e2e" / "H200" / "host_calls.json"
SWEEP = REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-aten-2026-12-01.parquet"
PROFILE = REPO_ROOT / "calibration" / "profiles" / "H200.yaml"
US = 1e-6


def _meta(shape, dtype="bfloat16"):
    return TensorMeta.dense(shape, dtype)


def _case(n: int, op: AtenOp, host_us: float, graph_us: float) -> TraceCase:
    measured = {"host": host_us * US, "graph": graph_us * US, "stream": max(host_us, graph_us) * US,
                "idle": (host_us + graph_us + 80) * US}
    return TraceCase(n, "aten", op.name, op, True, ("decode hf-static B8 C4096",), measured)


def _host_calls(tmp_path, **over):
    values = {"view_method": 2e-6, "view_opoverload": 5e-6, "mul_binding": 9e-6, "mul_opoverload": 11.5e-6,
              "module_call": 1.5e-6, "sdpa_plan_build": 0.05,
              "provenance": {"source": "measured", "command": "host_calls", "date": "2026-12-01",
                             "device": "NVIDIA H200", "torch_cuda_transformers": "2.11.0+cu130 13.0 5.17.0"}}
    values.update(over)
    path = tmp_path / "host_calls.json"
    path.write_text(json.dumps(values))
    return path


@pytest.fixture
def tiny():
    mul = AtenOp("aten.mul.Tensor", (_meta((8, 4096)), _meta((8, 4096))), (_meta((8, 4096)),))
    view = AtenOp("aten._unsafe_view.default", (_meta((8, 1, 4096)),), (_meta((8, 4096)),), alias=True)
    # three host-bound muls (host 14, 13, 16 us; device 2 us) and three views (host 6, 5, 7 us)
    return [_case(1, mul, 14.0, 2.0), _case(2, mul, 13.0, 2.0), _case(3, mul, 16.0, 2.0),
            _case(4, view, 6.0, 0.0), _case(5, view, 5.0, 0.0), _case(6, view, 7.0, 0.0)]


def test_harness_overhead_is_the_difference_of_each_pair(tmp_path):
    host = load_host_calls(_host_calls(tmp_path))
    assert host.harness() == {"view": pytest.approx(3e-6), "kernel": pytest.approx(2.5e-6)}


def test_harness_overhead_subtracted_by_hand(tmp_path, tiny):
    host = load_host_calls(_host_calls(tmp_path))
    raw = points_by_key(tiny)
    corr = points_by_key(tiny, host.harness())
    assert [p.cpu_s / US for p in raw["pointwise"]] == pytest.approx([14.0, 13.0, 16.0])
    assert [p.cpu_s / US for p in corr["pointwise"]] == pytest.approx([11.5, 10.5, 13.5])  # less 2.5 (mul pair)
    # views are not fitted from the cases: a model calls them as tensor methods, measured as such (host_calls)
    assert "host_view" not in corr and "host_view" not in raw
    # device and idle times are left as measured
    assert [p.graph_s for p in corr["pointwise"]] == [p.graph_s for p in raw["pointwise"]]
    assert [p.idle_s for p in corr["pointwise"]] == [p.idle_s for p in raw["pointwise"]]


def test_the_fit_takes_the_median_of_the_corrected_host_times(tmp_path, tiny, monkeypatch):
    import hetsim.calibration.trace_fit as tf

    path = _host_calls(tmp_path)
    monkeypatch.setattr(tf, "load_cases", lambda _path: tiny)
    (path.parent / "ops.parquet").write_bytes(b"tiny")  # only hashed: load_cases is replaced
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "ops.parquet").write_bytes(b"tiny")
    profile = load_profile(PROFILE)
    fitted = tf.fit_profile(profile, path.parent / "ops.parquet", path)
    assert fitted["pointwise"][0].dispatch_s == pytest.approx(11.5e-6)  # median of 11.5, 10.5, 13.5
    # a view: `view_method`, a tensor view as a model calls it, taken as measured (not the cases' 3, 2, 4 us)
    assert fitted["host_view"][0].dispatch_s == pytest.approx(2.0e-6)
    assert fitted["host_view"][0].source == "measured"
    assert fitted["pointwise"][1]["fit"]["harness_overhead_s"] == pytest.approx(2.5e-6)
    # idle_start: t_idle - cpu - graph from the raw times (the harness is inside both and cancels)
    assert fitted["idle_start"][0].overhead_s == pytest.approx(80e-6)
    # without host calls: the raw medians, said in the notes
    fitted_raw = tf.fit_profile(profile, tmp_path / "elsewhere" / "ops.parquet")
    assert fitted_raw["pointwise"][0].dispatch_s == pytest.approx(14e-6)
    assert "host_module" not in fitted_raw
    assert any("harness" in n for n in fitted_raw["pointwise"][1]["fit"]["notes"])


def test_measured_figures_are_read_with_their_provenance():
    host = load_host_calls(HOST_CALLS)
    keys = measured_keys(host)
    raw = json.loads(HOST_CALLS.read_text())
    for key, field in (("host_module", "module_call"), ("host_sdpa_plan", "sdpa_plan_build")):
        rates, notes = keys[key]
        assert rates.dispatch_s == raw[field] and rates.source == "measured"
        m = notes["measured"]
        assert (m["field"], m["value_s"]) == (field, raw[field])
        (f,) = m["files"]
        assert (f["file"], f["value_s"]) == ("host_calls.json", raw[field])
        assert f["device"] == "NVIDIA H200" and f["command"] == raw["provenance"]["command"]
        assert len(f["sha256"]) == 16
    assert keys["host_module"][0].dispatch_s == pytest.approx(1.52e-6, rel=0.01)
    assert keys["host_sdpa_plan"][0].dispatch_s == pytest.approx(51.6e-3, rel=0.01)


def test_several_files_are_pooled_by_median(tmp_path):
    a = load_host_calls(_host_calls(tmp_path, module_call=1e-6))
    (tmp_path / "b").mkdir()
    b = load_host_calls(_host_calls(tmp_path / "b", module_call=2e-6, view_opoverload=6e-6, cast_method=10e-6,
                                    cast_opoverload=11e-6, add_binding=7e-6, add_suite_runner=8e-6))
    pooled = pool([a, b])
    assert measured_keys(pooled)["host_module"][0].dispatch_s == pytest.approx(1.5e-6)
    # kernel pairs: mul 2.5 (a), mul 2.5 and cast 1.0 (b) -> median 2.5; view 3.0 and 4.0 -> 3.5; suite 1.0
    assert pooled.harness() == {"view": pytest.approx(3.5e-6), "kernel": pytest.approx(2.5e-6),
                                "suite": pytest.approx(1e-6)}


def test_the_committed_profile_carries_the_measured_keys(h200_fit_host_calls):
    import statistics

    from hetsim.calibration.predict import gpu_model

    profile = load_profile(PROFILE)
    files = h200_fit_host_calls
    raws = [json.loads(p.read_text()) for p in files]
    assert profile.rates["host_module"].dispatch_s == statistics.median(r["module_call"] for r in raws)
    assert profile.rates["host_sdpa_plan"].dispatch_s == statistics.median(r["sdpa_plan_build"] for r in raws)
    hc = profile.provenance["trace_fit"]["host_calls"]
    views = [r["view_opoverload"] - r["view_method"] for r in raws]
    assert hc["harness_overhead_s"]["view"] == pytest.approx(statistics.median(views))
    kernels = [r[slow] - r[fast] for r in raws for fast, slow in (
        ("mul_binding", "mul_opoverload"), ("cast_method", "cast_opoverload"),
        ("embedding_function", "embedding_opoverload")) if fast in r]
    # the kernel pairs of the 103 leases' files (61 of the first two days' 21)
    assert len(kernels) == 307 and hc["harness_overhead_s"]["kernel"] == pytest.approx(statistics.median(kernels))
    assert [f["file"] for f in hc["files"]] == [str(p.relative_to(REPO_ROOT)) for p in files]
    # the committed keys are what the fit gives on the aten sweep with the seventeen files (one command); the sync's
    # host cost only where a file timed it (torch.nonzero over nonzero_static: the ten newest)
    assert profile.rates["host_sync"].dispatch_s == statistics.median(r["nonzero_sync"] for r in raws
                                                                         if "nonzero_sync" in r)
    from hetsim.calibration.trace_fit import default_composites

    # (the methods' composites' ops left out, as the committed fit did)
    fitted = fit_profile(profile, SWEEP, files, default_composites("H200"))
    for key in ("pointwise", "host_view", "host_module", "host_sdpa_plan"):
        assert fitted[key][0].dispatch_s == pytest.approx(profile.rates[key].dispatch_s, rel=1e-12)
    gpu = gpu_model("H200")
    assert "H200.profile.host_module" in gpu.log.by_grade()["measured"]
    assert "H200.profile.host_sdpa_plan" in gpu.log.by_grade()["measured"]


def test_add_to_profile_records_the_host_calls(tmp_path):
    profile = load_profile(PROFILE)
    host = load_host_calls(HOST_CALLS)
    out = add_to_profile(profile, measured_keys(host), "cmd", host)
    assert out.provenance["trace_fit"]["host_calls"]["files"][0]["sha256"] == host.sha256
    assert out.provenance["trace_fit"]["host_calls"]["measured_keys"] == {
        "host_module": "module_call", "host_sdpa_plan": "sdpa_plan_build", "host_view": "view_method"}


@pytest.mark.parametrize("bad", [{"provenance": {"source": "assumed"}}, {"module_call": -1.0},
                                 {"view_method": "fast"}])
def test_bad_host_calls_are_refused(tmp_path, bad):
    with pytest.raises(HetsimError):
        load_host_calls(_host_calls(tmp_path, **bad))


def test_the_host_mix_scales_kernel_launches_not_host_work():
    kernel = Pointwise(1, 1024, "aten.mul.Tensor")
    work = HostCall("module", "Linear")
    rates = {kernel: OpClassRates(0.0, math.inf, math.inf, dispatch_s=10e-6),
             work: OpClassRates(0.0, math.inf, math.inf, dispatch_s=2e-6)}
    t = stream_time_s([kernel, work, kernel], rates.__getitem__, host_mix=1.2)
    assert t == pytest.approx(1.2 * 20e-6 + 2e-6)
