"""`hetsim predict ops`, `hetsim validate`, `hetsim calibrate gpu`: results on small cases files,
and a clear one-line error (exit code 2) for everything a user can get wrong."""

import json
import math
import statistics

import pytest
import yaml

from hetsim.calibration.fit import FitResult
from hetsim.calibration.gpu_profile import write_profile
from hetsim.calibration.gpu_suite.fitting import build_profile
from hetsim.hardware.gpu import OpClassRates

MEASURED = {
    "cases": [
        {"name": "scan", "measured_s": 1.0e-3, "measured_graph_s": 0.9e-3,
         "ops": [{"op": "matmul", "m": 8, "n": 1_000_000, "k": 768, "measured_s": 0.8e-3},
                 {"op": "topk", "rows": 8, "n": 1_000_000, "k": 100, "measured_s": 0.2e-3}]},
        {"name": "tiny", "measured_s": 30e-6,
         "ops": [{"op": "elementwise", "numel": 4096, "inputs": 2}, {"op": "softmax", "rows": 4, "cols": 512}]},
    ]
}


def rates(**kw):
    base = dict(overhead_s=2e-6, bw_bytes_per_s=2.5e12, flop_rate=math.inf, dispatch_s=10e-6)
    base.update(kw)
    return OpClassRates(**{k: v for k, v in base.items()})


@pytest.fixture
def profile(tmp_path):
    """A hand-made H100 profile: every number known, so predictions can be checked by hand."""
    keys = {"matmul": rates(flop_rate=700e12, dtype="bf16"), "topk_multiblock": rates(overhead_s=40e-6,
            bw_bytes_per_s=250e9, dispatch_s=80e-6), "elementwise": rates(), "softmax": rates(bw_bytes_per_s=1e12)}
    fits = {k: FitResult(k, r, 5, 5, 0.01, 0.02, 0.03, 0.01) for k, r in keys.items()}
    prof = build_profile("H100-SXM", {"gpu": "test", "date": "today", "command": "by hand"}, fits, {}, None,
                         None, "none.parquet", "H100-SXM.validation.yaml", host_mix=1.1)
    path = write_profile(tmp_path / "H100-SXM.yaml", prof)
    (tmp_path / "H100-SXM.validation.yaml").write_text(yaml.safe_dump(MEASURED, sort_keys=False))
    return path


def write(tmp_path, data, name="cases.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def test_predict_ops_gives_each_op_and_each_case_as_json(cli, tmp_path, profile):
    res = cli("predict", "ops", write(tmp_path, MEASURED), "--device", "H100-SXM", "--profile", profile, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    scan, tiny = out["cases"]
    mm, topk = scan["ops"]
    op = 2 * 8 * 1_000_000 * 768
    assert mm["device_s"] == pytest.approx(2e-6 + max(op / 700e12, 2 * (8 * 768 + 768e6 + 8e6) / 2.5e12))
    assert topk["rate_key"] == "topk_multiblock" and topk["source"] == "calibrated"
    # one stream: host and device overlap; device-bound here
    assert scan["predicted_s"] == pytest.approx(mm["device_s"] + topk["device_s"])
    # host-bound: the host's sum, times the mix factor for different ops in turn
    assert tiny["predicted_s"] == pytest.approx(1.1 * 2 * 10e-6)
    assert out["profile"] == str(profile)


def test_predict_without_a_profile_says_the_rates_are_assumed(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("HETSIM_PROFILES", str(tmp_path))  # no profile for the A100 here
    res = cli("predict", "ops", write(tmp_path, MEASURED), "--device", "A100-80GB-SXM", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert "assumed" in out["profile"]
    assert {o["source"] for c in out["cases"] for o in c["ops"]} == {"assumed"}


def test_validate_prints_each_case_and_the_median_and_max_error(cli, profile):
    res = cli("validate", "--profile", profile)
    assert res.exit_code == 0, res.output
    assert "scan" in res.output and "tiny" in res.output
    assert "median |error|" in res.output and "max |error|" in res.output


def test_validate_json_errors_are_predicted_over_measured(cli, tmp_path, profile):
    res = cli("validate", "--profile", profile, "--cases", write(tmp_path, MEASURED), "--json")
    assert res.exit_code == 0, res.output
    v = json.loads(res.stdout)
    errs = {c["name"]: c["error"] for c in v["cases"]}
    assert errs["tiny"] == pytest.approx(1.1 * 20e-6 / 30e-6 - 1)
    assert v["median_abs_error"] == pytest.approx(statistics.median(abs(e) for e in errs.values()))
    assert v["max_abs_error"] == pytest.approx(max(abs(e) for e in errs.values()))
    assert v["ops_compared"] == 2  # only ops with their own measured_s


def test_validate_graph_mode_compares_device_times(cli, profile):
    res = cli("validate", "--profile", profile, "--graph", "--json")
    # the 'tiny' case has no measured_graph_s: validation names the case and the field
    assert res.exit_code == 2
    assert "measured_graph_s" in res.output and "tiny" in res.output


def test_validate_fail_above_sets_exit_code_1(cli, profile):
    assert cli("validate", "--profile", profile, "--fail-above", "0.0001").exit_code == 1
    assert cli("validate", "--profile", profile, "--fail-above", "100").exit_code == 0


@pytest.mark.parametrize("args,needle", [
    (["--device", "H999"], "unknown GPU 'H999'"),
    (["--device", "U55C"], "not a GPU"),
])
def test_predict_names_a_missing_or_wrong_device(cli, tmp_path, args, needle):
    res = cli("predict", "ops", write(tmp_path, MEASURED), *args)
    assert res.exit_code == 2 and needle in res.output
    assert "Traceback" not in res.output


@pytest.mark.parametrize("data,needle", [
    ({"cases": [{"name": "a", "ops": [{"op": "convolution", "n": 1}]}]}, "unknown op 'convolution'"),
    ({"cases": [{"name": "a", "ops": [{"op": "matmul", "m": 1, "n": 2}]}]}, "needs field 'k'"),
    ({"cases": [{"name": "a", "ops": [{"op": "matmul", "m": 1, "n": 2, "k": 3, "color": 1}]}]}, "no field 'color'"),
    ({"cases": [{"name": "a", "ops": [{"op": "topk", "rows": 1, "n": 4, "k": 9}]}]}, "0 < k <= n"),
    ({"cases": [{"name": "a", "ops": [{"op": "matmul", "m": "x", "n": 2, "k": 3}]}]}, "must be an int"),
    ({"cases": [{"name": "a", "ops": []}]}, "non-empty list"),
    ({"cases": [{"ops": [{"op": "copy", "nbytes": 4}]}]}, "needs a `name`"),
    ({"cases": [{"name": "a", "ops": [{"op": "copy", "nbytes": 4}]}] * 2}, "duplicate case name"),
    ({"cases": [{"name": "a", "measured_s": -1, "ops": [{"op": "copy", "nbytes": 4}]}]}, "positive number"),
    ({"ops": []}, "`cases:` list"),
    ("cases: [ {name: a, ops: [", "malformed YAML"),
])
def test_malformed_cases_file_is_one_line_naming_file_and_entry(cli, tmp_path, data, needle):
    path = write(tmp_path, data)
    res = cli("predict", "ops", path, "--device", "H100-SXM")
    assert res.exit_code == 2, res.output
    assert needle in res.output and str(path) in res.output.replace("\n", "")
    assert "Traceback" not in res.output


def test_unknown_op_error_says_where(cli, tmp_path):
    path = write(tmp_path, {"cases": [{"name": "a", "ops": [{"op": "copy", "nbytes": 8}, {"op": "fft"}]}]})
    res = cli("predict", "ops", path, "--device", "H100-SXM")
    assert "cases[0].ops[1].op" in res.output.replace("\n", "")


def test_missing_files_are_clear_errors(cli, tmp_path, profile):
    res = cli("predict", "ops", tmp_path / "nope.yaml", "--device", "H100-SXM")
    assert res.exit_code == 2 and "nope.yaml: file not found (expected a YAML cases file)" in res.output
    res = cli("validate", "--profile", tmp_path / "nope.yaml")
    assert res.exit_code == 2 and "calibration profile not found" in res.output


def test_profile_for_another_device_is_refused(cli, tmp_path, profile):
    res = cli("predict", "ops", write(tmp_path, MEASURED), "--device", "H200", "--profile", profile)
    assert res.exit_code == 2 and "profile is for 'H100-SXM', not 'H200'" in res.output


def test_calibrate_gpu_without_a_gpu_is_a_hardware_error(cli, tmp_path):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    res = cli("calibrate", "gpu", "--out", tmp_path / "X.yaml")
    assert res.exit_code == 2 and "no CUDA or ROCm GPU" in res.output
    assert not (tmp_path / "X.yaml").exists()


def test_register_returns_the_calibrate_group_for_other_backends(cli):
    @cli.calibrate.command("fpga")
    def fpga() -> None:
        print("fpga calibration")

    res = cli("calibrate", "fpga")
    assert res.exit_code == 0 and "fpga calibration" in res.output
