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
