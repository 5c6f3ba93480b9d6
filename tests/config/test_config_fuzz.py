"""Property-based: any experiment mapping made by mutating the built-in default (fields given
random types and values, removed, or joined by unknown keys) either loads, or fails with a
`HetsimError` whose text is one line; `hetsim check` on it exits 0, or 2 with one line on
stderr and no traceback."""

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hetsim.cli import app
from hetsim.errors import HetsimError

try:  # the loader's home moves with the scenario refactor
    from hetsim.scenario import load_experiment
except ImportError:  # pragma: no cover
    from hetsim.config.load import load_experiment

REPO = Path(__file__).resolve().parents[2]
DEFAULT = yaml.safe_load((REPO / "configs" / "experiments" / "default.yaml").read_text())
SETTINGS = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _paths(node, prefix=()):
    """Every key path of the default experiment (mappings and list items)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


PATHS = sorted(_paths(DEFAULT), key=str)
NAMES = st.sampled_from(["gpu-only", "paper", "lserve", "dense", "h100_u55c", "H100-SXM", "U55C", "gpu0", "fpga0",
                         "Llama-3.1-8B", "results", "x", "", "[red]", "a/b", "..", "host"])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True, allow_infinity=True),
    NAMES, st.text(max_size=12),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.one_of(NAMES, st.text(max_size=6)),
                                                                        inner, max_size=3)), max_leaves=6)


def _parent(data, path):
    node = data
    for part in path[:-1]:
        node = node[part]
    return node


@st.composite
def experiments(draw):
    if draw(st.integers(0, 19)) == 0:
        return draw(VALUES)  # not a mapping at all, now and then
    data = yaml.safe_load(yaml.safe_dump(DEFAULT))  # a deep copy
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        try:
            parent = _parent(data, path)
            parent[path[-1]]  # noqa: B018 - still there after an earlier mutation?
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, dict | list):  # an earlier mutation put a string there (indexable, not assignable)
            continue
        action = draw(st.sampled_from(["set", "set", "delete", "extra"]))
        if action == "set":
            parent[path[-1]] = draw(VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(VALUES)
    return data


def _one_line(text):
    return len(text.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(experiments())
def test_any_experiment_loads_or_fails_with_one_line(folder, catalogue, data):
    path = folder / "exp.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    try:
        load_experiment(path, catalogue)
    except HetsimError as exc:
        assert _one_line(exc.render()), exc.render()
        assert exc.render().strip()


@SETTINGS
@given(experiments())
def test_check_exits_0_or_2_with_one_line(folder, data):
    path = folder / "check.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    res = CliRunner().invoke(app, ["check", str(path)])
    assert res.exit_code in (0, 2), (res.exit_code, res.output, res.exception)
    if res.exit_code == 2:
        assert _one_line(res.stderr), res.stderr
        assert "Traceback" not in res.stderr and "Usage:" not in res.stderr


def test_a_negative_seed_is_bad_input_not_a_traceback(tmp_path):
    # found by the fuzz above: numpy's generators refuse a negative seed, which reached them as a ValueError
    path = tmp_path / "neg.yaml"
    path.write_text("name: x\nseed: -1\nsystem: h100_u55c\nplacements: [gpu-only]\n"
                    "workload: {method: lserve, model: Llama-3.1-8B, batch: 8, context_tokens: 32768}\n")
    res = CliRunner().invoke(app, ["check", str(path)])
    assert res.exit_code == 2
    assert "seed" in res.output and "greater than or equal to 0" in res.output and "Traceback" not in res.output
