"""`hetsim trace`: a table or JSON of ops by class; one line and exit code 2 for everything a user gets wrong."""

import json
import sys

import pytest
import typer
from typer.testing import CliRunner

from hetsim.cli import friendly
from hetsim.tracing.cli import register


@pytest.fixture
def invoke():
    app = typer.Typer()
    register(app, friendly)

    @app.command()
    def other() -> None:  # a second command keeps `trace` a named subcommand, as in hetsim
        pass

    def run(*args):
        return CliRunner().invoke(app, ["trace", *args])

    return run


def one_line_error(result, needle):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], result.output


def test_without_torch_or_transformers_says_which_extra(invoke, monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # import transformers -> ImportError
    one_line_error(invoke("Llama-3.1-8B", "--phase", "decode", "--batch", "8", "--context", "32768"),
                   "pip install 'hetsim[trace]'")


@pytest.mark.parametrize("args, needle", [
    (["Llama-3.1-8b"], "did you mean 'Llama-3.1-8B'"),
    (["DeepSeek-V3.2"], "MLA/MoE"),
    (["Llama-3.1-8B", "--phase", "train"], "expected one of prefill, decode"),
    (["Llama-3.1-8B", "--stack", "vllm"], "expected one of hf-dynamic, hf-static"),
    (["Llama-3.1-8B", "--batch", "0"], "batch must be an integer >= 1"),
    (["Llama-3.1-8B", "--stack", "hf-static", "--context", "100", "--cache-len", "50"], "cache_len must be"),
])
def test_bad_input(invoke, args, needle):
    one_line_error(invoke(*args), needle)


def test_json_summary_by_class(invoke):
    pytest.importorskip("transformers")
    result = invoke("Qwen3-8B", "--phase", "decode", "--batch", "8", "--context", "32768", "--stack", "hf-static",
                    "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    classes = out["by_class"]
    assert out["meta"]["model"] == "Qwen3-8B" and out["meta"]["stack"] == "hf-static"
    # 36 layers x 7 projections + the LM head, and the rotary table's one bmm
    assert classes["matmul"]["aten"] == {"aten.mm.default": 36 * 7 + 1, "aten.bmm.default": 1}
    assert classes["attention"]["ops"] == out["sdpa"]["calls"] == 36
    assert classes["copy"]["aten"]["aten.index_copy_.default"] == 36 * 2
    assert out["flops"] > 2 * 8e9 * 8  # at least 2 FLOPs per weight per sequence
    assert sum(r["ops"] for r in classes.values()) == out["ops"]


def test_table(invoke):
    pytest.importorskip("transformers")
    result = invoke("Llama-3.1-8B", "--phase", "prefill", "--context", "4096")
    assert result.exit_code == 0, result.output
    assert "matmul" in result.output and "attention" in result.output and "SDPA calls" in result.output
