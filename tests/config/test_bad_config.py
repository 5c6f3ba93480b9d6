"""Every bad input found by trying hetsim as a new user and a QA engineer would: `hetsim check`
and `hetsim run` both exit 2 with the same single line, naming the file, the field and what was
expected, and nothing is written."""

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hetsim.cli import app

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "configs" / "experiments" / "default.yaml"
LINK = "pcie_gen5_x16"


def hetsim(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})}, catch_exceptions=False)


def _experiment(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(DEFAULT.read_text())
    mutate(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _system(**changes) -> dict:
    system = {"name": "s", "devices": {"gpu0": "H100-SXM", "fpga0": "U55C"},
              "links": [{"type": LINK, "between": ["host", "gpu0"]}, {"type": LINK, "between": ["host", "fpga0"]}]}
    system.update(changes)
    return system


# case -> (how to break the default experiment, words the one line must hold)
EXPERIMENT_CASES = {
    "misspelled_field": (lambda d: d["workload"].update(contxt_tokens=d["workload"].pop("context_tokens")),
                         ("workload.contxt_tokens", "unknown field", "did you mean 'context_tokens'")),
    "bool_batch": (lambda d: d["workload"].update(batch=True), ("workload.batch", "valid integer")),
    "device_named_host": (lambda d: d.update(system=_system(devices={"host": "H100-SXM"},
                                                            links=[{"type": LINK, "between": ["host", "gpu0"]}])),
                          ("system", "'host' is the host's id")),
    "link_to_itself": (lambda d: d.update(system=_system(links=[{"type": LINK, "between": ["gpu0", "gpu0"]}])),
                       ("system", "joins 'gpu0' to itself")),
    "device_without_route": (lambda d: d.update(system=_system(links=[{"type": LINK, "between": ["host", "gpu0"]}])),
                             ("placements[1]", "no path from gpu0 to fpga0")),
    "duplicate_placement_names": (lambda d: d.update(placements=["gpu-only", {"name": "gpu-only"}]),
                                  ("placements[1]", "'gpu-only' is used twice")),
    "wrong_key_in_inline_system": (lambda d: d.update(system={**_system(), "linkz": []}),
                                   ("system.linkz", "unknown field", "did you mean 'links'")),
    "wrong_key_in_placement": (lambda d: d.update(placements=[{"name": "x", "relevance": "fpga0"}]),
                               ("placements[0].relevance", "did you mean 'relevancy'")),
    "unsafe_name": (lambda d: d.update(name="../x"), ("name", "expected a name")),
    "empty_name": (lambda d: d.update(name=""), ("name", "expected a name")),
    "misspelled_device": (lambda d: d.update(system=_system(devices={"gpu0": "H100-SMX", "fpga0": "U55C"})),
                          ("system.devices.gpu0", "did you mean 'H100-SXM'")),
    "misspelled_placement": (lambda d: d.update(placements=["papr"]), ("placements[0]", "did you mean 'paper'")),
    "bracket_in_value": (lambda d: d["workload"].update(method="[red]x[/]"), ("workload.method", "'[red]x[/]'")),
    "kv_cache_does_not_fit": (lambda d: d["workload"].update(context_tokens=400_000), ("workload", "GB")),
    "topk_beyond_fpga_kernel": (lambda d: d["workload"]["params"].update(token_budget=2048),
                                ("workload.params.token_budget", "at most the top 64")),
}


def _assert_one_line(result, *needles):
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert line.startswith("error: ")
    for needle in needles:
        assert needle in line, line
    return line


@pytest.mark.parametrize("case", sorted(EXPERIMENT_CASES))
def test_check_and_run_refuse_with_the_same_line(tmp_path, case):
    mutate, needles = EXPERIMENT_CASES[case]
    path = _experiment(tmp_path, mutate)
    out = tmp_path / "results"
    checked = _assert_one_line(hetsim("check", str(path)), str(path), *needles)
    ran = _assert_one_line(hetsim("run", str(path), "--out", str(out)), str(path), *needles)
    assert checked == ran
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


FILE_CASES = {  # file content -> words
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00", ("not a text file",)),
    "latin1": ("name: caf\xe9\n".encode("latin-1"), ("not a text file", "UTF-8")),
    "duplicate_keys": (b"name: a\nname: b\n", ("line 2", "'name' appears twice")),
    "not_a_mapping": (b"- a\n- b\n", ("expected a mapping",)),
}


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_unreadable_files(tmp_path, case):
    content, needles = FILE_CASES[case]
    path = tmp_path / "x.yaml"
    path.write_bytes(content)
    for command in ("check", "run"):
        _assert_one_line(hetsim(command, str(path)), str(path), *needles)


def test_a_folder_given_as_config(tmp_path):
    _assert_one_line(hetsim("check", str(tmp_path)), "is a folder")
    _assert_one_line(hetsim("run", str(tmp_path)), "is a folder")


def test_a_path_with_brackets_is_printed_as_written(tmp_path):
    path = tmp_path / "[bold]x.yaml"
    _assert_one_line(hetsim("check", str(path)), f"{path}: file not found")


@pytest.mark.parametrize("value, needles", [
    ("workload.batch=[1,", ("--set workload.batch", "malformed YAML")),
    ("=4", ("--set", "expected KEY=VALUE")),
    ("workload..batch=4", ("--set", "expected KEY=VALUE")),
    ("workload.batch.x=4", ("workload.batch.x", "is a int")),
    ("placements.7.micro_batches=2", ("placements.7.micro_batches", "expected an index")),
])
def test_bad_set_options(value, needles):
    for command in ("check", "run"):
        _assert_one_line(hetsim(command, str(DEFAULT), "--set", value), *needles)


def test_set_reaches_into_a_list(tmp_path):
    result = hetsim("check", str(DEFAULT), "--set", "placements.1={name: p, relevancy: fpga0, micro_batches: 3}")
    _assert_one_line(result, "placements[1].micro_batches", "does not split evenly into 3")


@pytest.fixture
def catalogue_copy(tmp_path):
    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    return root


@pytest.mark.parametrize("file, field, value, needles", [
    (f"links/{LINK}.yaml", "downstream_gbps", 0, ("downstream_gbps", "> 0")),
    (f"links/{LINK}.yaml", "upstream_gbps", -5, ("upstream_gbps", "> 0")),
    ("devices/H100-SXM.yaml", "hbm_efficiency", 7, ("hbm_efficiency", "in (0, 1]")),
    ("devices/U55C.yaml", "idle_w", -1, ("idle_w", ">= 0")),
])
def test_impossible_hardware_figures(catalogue_copy, file, field, value, needles):
    path = catalogue_copy / file
    data = yaml.safe_load(path.read_text())
    data[field] = {"value": value, "source": "assumed", "ref": "a typo"}
    path.write_text(yaml.safe_dump(data))
    env = {"HETSIM_CONFIGS": str(catalogue_copy)}
    _assert_one_line(hetsim("check", str(path), env=env), str(path), *needles)
    _assert_one_line(hetsim("run", "--set", "outputs.write=false", env=env), str(path), *needles)


def test_check_accepts_exactly_what_run_runs():
    """Every example passes both; `--set` applies to check as it does to run."""
    for example in sorted((REPO / "configs" / "experiments").glob("*.yaml")):
        assert hetsim("check", str(example)).exit_code == 0, example
    assert hetsim("check", str(DEFAULT), "--set", "workload.batch=3").exit_code == 0
    result = hetsim("run", str(DEFAULT), "--set", "workload.batch=3", "--set", "workload.decode_tokens=2",
                    "--set", "outputs.write=false", "--json")
    assert result.exit_code == 0, result.output


def test_paper_placement_at_an_odd_batch_runs_one_micro_batch():
    result = hetsim("run", str(DEFAULT), "--set", "workload.batch=1", "--set", "workload.decode_tokens=2",
                    "--set", "outputs.write=false", "--json")
    assert result.exit_code == 0, result.output
    import json

    runs = {r["placement"]: r for r in json.loads(result.stdout)["runs"]}
    assert runs["paper"]["micro_batches"] == 1
    assert any("one micro-batch" in w for w in runs["paper"]["warnings"])


def test_version():
    import hetsim as package

    result = hetsim("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"hetsim {package.__version__}"
