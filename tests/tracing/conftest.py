import pytest

from hetsim.config.schema import ModelSpec


@pytest.fixture(autouse=True)
def trace_cache(tmp_path, monkeypatch):
    """Every test writes traces to its own cache folder, never to ~/.cache."""
    folder = tmp_path / "traces"
    monkeypatch.setenv("HETSIM_TRACE_CACHE", str(folder))
    return folder


@pytest.fixture
def tiny():
    """A 2-layer Llama: 4 query heads sharing 2 K/V heads (group 2), head_dim 16."""
    return ModelSpec(name="Llama-tiny", layers=2, hidden=64, q_heads=4, kv_heads=2, head_dim=16, intermediate=128,
                     vocab=100, source="test")
