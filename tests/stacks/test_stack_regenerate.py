"""The shipped templates are what tracing gives today: regeneration reproduces them, and a
template instantiated at sizes it was not fitted on equals a fresh trace there."""

import gzip
import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from hetsim.stacks import regenerate, templates  # noqa: E402


def _content(raw: bytes) -> dict:
    data = json.loads(gzip.decompress(raw))
    data["provenance"].pop("date")
    return data


def test_regeneration_reproduces_the_shipped_files(tmp_path):
    regenerate.regenerate(tmp_path)
    shipped = sorted(p.name for p in templates.TRACES_DIR.glob("*.json.gz"))
    assert sorted(p.name for p in tmp_path.glob("*.json.gz")) == shipped
    for name in shipped:
        assert _content((tmp_path / name).read_bytes()) == _content((templates.TRACES_DIR / name).read_bytes()), name


def test_regeneration_leaves_unchanged_files_alone():
    assert regenerate.regenerate(models=["Llama-3.1-8B"]) == []


@pytest.mark.parametrize("model", ["Llama-3.1-8B", "Qwen3-8B"])
@pytest.mark.parametrize(("stack", "phase"), list(templates.SYMBOLS))
def test_template_at_new_sizes_equals_a_fresh_trace(model, stack, phase):
    from hetsim.tracing.hf import trace_model
    from hetsim.tracing.hfspec import model_spec

    size = {"B": 13, "T": 97, "C": 1234, "L": 1400}  # outside every fitted size
    spec = model_spec(model).model_copy(update={"layers": 1})
    if phase == "decode":
        fresh = trace_model(spec, "decode", 13, 1234, None, stack, 1400 if stack == "hf-static" else None, cache=False)
    else:
        fresh = trace_model(spec, "prefill", 13, 97, None, stack, 1400 if stack == "hf-static" else None, cache=False)
    tpl = templates.load(model, stack, phase)
    got = tpl.trace({s: size[s] for s in tpl.symbols}).to_json()
    want = fresh.to_json()
    got.pop("meta"), want.pop("meta")
    assert got == want
