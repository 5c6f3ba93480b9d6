import pytest
import typer
import yaml

# fp32 matrix ops: CPU bf16 GEMMs take erratic slow paths in some oneDNN builds
TINY_CASES = {
    "cases": [
        {"name": "tiny_search", "description": "scan + top-k + gather",
         "ops": [{"op": "matmul", "name": "scan", "m": 3, "n": 700, "k": 48, "dtype": "fp32"},
                 {"op": "topk", "rows": 3, "n": 700, "k": 10},
                 {"op": "gather", "rows": 30, "row_bytes": 96, "source_rows": 700}]},
        {"name": "tiny_attention",
         "ops": [{"op": "elementwise", "numel": 3000, "inputs": 2},
                 {"op": "attention", "batch": 2, "q_heads": 4, "kv_heads": 2, "q_len": 1, "kv_len": 300,
                  "head_dim": 32, "dtype": "fp32"},
                 {"op": "softmax", "rows": 5, "cols": 300}]},
    ]
}


@pytest.fixture(scope="session")
def tiny_cases(tmp_path_factory):
    path = tmp_path_factory.mktemp("cases") / "tiny_cases.yaml"
    path.write_text(yaml.safe_dump(TINY_CASES, sort_keys=False))
    return path


@pytest.fixture
def cli():
    """A CLI app with only the calibration commands, as `hetsim` registers them."""
    from typer.testing import CliRunner

    from hetsim.calibration.cli import register
    from hetsim.cli import friendly

    app = typer.Typer()
    calibrate = register(app, friendly)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})

    invoke.calibrate = calibrate
    return invoke


@pytest.fixture(scope="session")
def h200_fit_cases():
    """The aten sweeps the committed H200 profile was fitted on, in the fit command's order: the models' sweep, the
    methods group, the reductions, select and top-k groups, the flash / memory-efficient SDPA cases, then the common
    and real-code fit groups and the GEMM grid (never a check)."""
    from hetsim.calibration.paths import REPO_ROOT

    runs = REPO_ROOT / "calibration" / "profiles" / "runs"
    first = [f"H200-aten-{name}.parquet" for name in (
        "2026-12-01", "methods-2026-12-01", "reductions-2026-12-01", "select-2026-12-01", "topk-2026-12-02",
        "reductions-2026-12-02", "sdpa-cudnn-off-2026-12-02")]
    groups = [f"H200-aten-{g}-2026-12-02.parquet" for g in (
        "common", "common-more", "index-widths", "realcode", "realcode-more", "realcode-more2", "realcode-more3",
        "realcode-more4", "realcode-more5", "realcode-more6", "realcode-more7", "realcode-more8")]
    # the GEMM grid's second lease timed every case of it (the first, before its last cases were added, is the repeat)
    return [runs / f for f in (*first, *groups, "H200-aten-gemm-shapes-2026-12-02b.parquet",
                               "H200-aten-realcode-more9-2026-12-02.parquet",
                               "H200-aten-realcode-more10-2026-12-02.parquet",
                               "H200-aten-realcode-more11-2026-12-03.parquet",
                               "H200-aten-realcode-more12-2026-12-03.parquet",
                               "H200-aten-realcode-more13-2026-12-03.parquet",
                               "H200-aten-realcode-more14-2026-12-03.parquet",
                               "H200-aten-realcode-more15-2026-12-03.parquet",
                               "H200-aten-realcode-more16-2026-12-03.parquet",
                               "H200-aten-realcode-more17-2026-12-03.parquet",
                               "H200-aten-realcode-more18-2026-12-03.parquet",
                               "H200-aten-realcode-more19-2026-12-03.parquet",
                               "H200-aten-realcode-more20-2026-12-03.parquet",
                               "H200-aten-realcode-more21-2026-12-04.parquet",
                               "H200-aten-realcode-more22-2026-12-04.parquet",
                               "H200-aten-realcode-more23-2026-12-04.parquet",
                               "H200-aten-realcode-more24-2026-12-04.parquet",
                               "H200-aten-realcode-more25-2026-12-04.parquet",
                               "H200-aten-realcode-more26-2026-12-04.parquet",
                               "H200-aten-realcode-more27-2026-12-04.parquet",
                               # fitted since 2026-12-05's seventh session (the interpolating kernels' lines)
                               "H200-aten-realcode-more28-2026-12-04.parquet",
                               "H200-aten-realcode-more30-2026-12-04.parquet",
                               "H200-aten-realcode-more29-2026-12-04.parquet",
                               "H200-aten-realcode-more31-2026-12-04.parquet",
                               "H200-aten-refill-2026-12-04.parquet",
                               "H200-aten-realcode-more32-2026-12-04.parquet",
                               "H200-aten-gemm-fp32-2026-12-04.parquet",
                               "H200-aten-realcode-more33-2026-12-04.parquet",
                               "H200-aten-realcode-more34-2026-12-04.parquet",
                               "H200-aten-gemm-fp32-large-2026-12-04.parquet",
                               "H200-aten-rare-sweep-2026-12-05.parquet",
                               "H200-aten-library-sweep-2026-12-05.parquet",
                               "H200-aten-scatter-pad-sweep-2026-12-05.parquet",
                               "H200-aten-select-sweep-2026-12-05.parquet",
                               "H200-aten-index-sweep-2026-12-05.parquet",
                               "H200-aten-contention-sweep-2026-12-05.parquet")]


@pytest.fixture(scope="session")
def h200_fit_host_calls():
    """The leases' host_calls.json files the committed H200 profile was fitted with, in the fit command's order
    (its provenance lists them: the tests check it against this list)."""
    from hetsim.calibration.paths import REPO_ROOT

    runs, e2e = REPO_ROOT / "calibration" / "profiles" / "runs", REPO_ROOT / "calibration" / "e2e"
    sweeps = [f"H200-aten-{name}.host_calls.json" for name in (
        "2026-12-01", "methods-2026-12-01", "reductions-2026-12-01", "select-2026-12-01", "topk-2026-12-02",
        "reductions-2026-12-02", "common-2026-12-02", "common-more-2026-12-02", "index-widths-2026-12-02",
        "realcode-2026-12-02", "realcode-more-2026-12-02", "realcode-more2-2026-12-02",
        "realcode-more3-2026-12-02", "realcode-more4-2026-12-02", "realcode-more5-2026-12-02",
        "realcode-more6-2026-12-02", "realcode-more7-2026-12-02", "realcode-more8-2026-12-02")]
    files = [runs / sweeps[0], e2e / "H200" / "host_calls.json", runs / sweeps[1],
             e2e / "H200-2026-12-01c" / "host_calls.json", *(runs / f for f in sweeps[2:6]),
             e2e / "H200-2026-12-02-cudnn-off" / "host_calls.json", *(runs / f for f in sweeps[6:])]
    assert len(files) == 21  # twenty-one leases, the first two days'
    # then every other H200 host_calls file committed by 2026-12-05, sweeps' then end-to-end sessions', each sorted by
    # path name as the fit command lists them: the reference host every case's issue time is scaled to is their median
    # (trace_fit.lease_scales)
    later = [*(f for f in sorted(runs.glob("H200-*.host_calls.json"), key=str) if f not in files),
             *(f for f in sorted(e2e.glob("H200*/host_calls.json"), key=str) if f not in files)]
    assert len(later) == 82
    return [*files, *later]

