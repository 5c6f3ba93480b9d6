"""The calibration suite end to end on CPU torch with tiny sizes: real ops, real timing, real
fitting, a real profile written, reloaded and used by the GPU model."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pd = pytest.importorskip("pandas")

from hetsim.calibration.cases import load_cases  # noqa: E402
from hetsim.calibration.gpu_profile import load_profile  # noqa: E402
from hetsim.calibration.gpu_suite.refit import refit  # noqa: E402
from hetsim.calibration.gpu_suite.suite import Suite  # noqa: E402
from hetsim.calibration.predict import gpu_model, validate  # noqa: E402
from hetsim.calibration.sweeps import sweep  # noqa: E402
from hetsim.hardware.gpu import rate_keys  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cpu_run(tmp_path_factory, tiny_cases):
    out = tmp_path_factory.mktemp("cal")
    logged = []
    paths = Suite(out / "H100-SXM.yaml", "H100-SXM", "cpu", "tiny", tiny_cases, "pytest", log=logged.append).run()
    return paths, logged


def test_runner_writes_profile_raw_measurements_and_validation_beside_each_other(cpu_run):
    paths, _ = cpu_run
    assert paths["profile"].name == "H100-SXM.yaml"
    assert paths["raw"] == paths["profile"].with_suffix(".parquet")
    assert paths["validation"].name == "H100-SXM.validation.yaml"
    assert all(p.is_file() for p in paths.values())


def test_every_rate_key_of_the_sweep_is_fitted_and_reloads_with_provenance(cpu_run):
    paths, _ = cpu_run
    prof = load_profile(paths["profile"])
    assert prof.device == "H100-SXM"
    assert {rate_keys(op)[0] for op in sweep("tiny")} <= set(prof.rates)
    for key, r in prof.rates.items():
        assert r.source == "calibrated"
        assert r.bw_bytes_per_s > 0 and r.flop_rate > 0, key
        assert r.dispatch_s == 0.0  # CPU: perf_counter cannot split host and device
    p = prof.provenance
    assert p["torch"] == torch.__version__ and p["timer"] == "perf_counter" and p["command"] == "pytest"
    assert p["date"] and p["suite_version"]
    assert prof.power.method == "none" and "power not measured" in prof.power.note
    assert prof.raw_path == paths["raw"] and prof.validation_path == paths["validation"]


def test_raw_parquet_holds_every_sweep_point_mix_and_composite_round(cpu_run):
    paths, _ = cpu_run
    df = pd.read_parquet(paths["raw"])
    sweep_rows = df[df.phase == "sweep"]
    assert len(sweep_rows) == len(sweep("tiny"))
    assert (sweep_rows.t_s > 0).all() and (sweep_rows.t_p90_s >= sweep_rows.t_p10_s).all()
    assert set(df.phase) >= {"sweep", "mix", "mix_op", "composite", "composite_op"}
    assert sorted(df[df.phase == "composite"]["round"].unique()) == [0, 1]
    # the sweep ran in shuffled order; every op entry reads back as one of the sweep's ops
    measured = sorted(json.dumps(json.loads(s), sort_keys=True) for s in sweep_rows.op)
    assert measured == sorted(json.dumps(op.to_dict(), sort_keys=True) for op in sweep("tiny"))


def test_validation_file_carries_measured_times_and_the_model_predicts_them(cpu_run):
    paths, _ = cpu_run
    cases = load_cases(paths["validation"])
    assert [c.name for c in cases.cases] == ["tiny_search", "tiny_attention"]
    for c in cases.cases:
        assert c.measured_s > 0 and all(o.measured_s > 0 for o in c.ops)
    v = validate(gpu_model(None, paths["profile"]), cases)
    # a busy 2-core CI box is noisy: the check is that the model and the measurement agree in
    # magnitude, not the accuracy a GPU profile reaches
    for c in v.cases:
        assert 0.1 < c.predicted_s / c.measured_s < 10, c
    assert math.isfinite(v.median_abs_error)


def test_refit_rewrites_the_profile_from_its_raw_data_and_records_it(cpu_run, tmp_path):
    paths, _ = cpu_run
    for p in paths.values():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    before = load_profile(tmp_path / paths["profile"].name)
    refit(tmp_path / paths["profile"].name, log=lambda *_: None)
    after = load_profile(tmp_path / paths["profile"].name)
    assert after.provenance["refit"]["from"] == paths["raw"].name
    assert after.provenance["date"] == before.provenance["date"]
    assert set(after.rates) == set(before.rates)
    for key in before.rates:
        assert after.rates[key].bw_bytes_per_s == pytest.approx(before.rates[key].bw_bytes_per_s, rel=1e-6)


def test_no_gpu_is_a_hardware_error_not_a_crash(tmp_path):
    from hetsim.errors import HardwareUnavailable

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(HardwareUnavailable, match="no CUDA or ROCm GPU"):
        Suite(tmp_path / "x.yaml", None, "cuda", "tiny", None, "pytest")


def test_suite_runs_where_pydantic_and_simpy_are_missing(tmp_path, tiny_cases):
    """The device machines have torch, numpy, pandas and PyYAML only."""
    block = (
        "import sys\n"
        "class B:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pydantic', 'simpy', 'scipy'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, B())\n"
        "from hetsim.calibration.gpu_suite import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    res = subprocess.run([sys.executable, "-c", block, "--out", str(tmp_path / "P.yaml"), "--torch-device", "cpu",
                          "--mode", "tiny", "--cases", str(tiny_cases), "--device-name", "H200"],
                         capture_output=True, text=True, cwd=REPO, timeout=240)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (tmp_path / "P.yaml").is_file() and "device: H200" in (tmp_path / "P.yaml").read_text()
