import pytest

from hetsim.config.load import Catalogue
from hetsim.scenario import load_experiment


@pytest.fixture(scope="session")
def catalogue():
    return Catalogue.load()


@pytest.fixture
def small_experiment(catalogue):
    """The default experiment shrunk so a test runs in well under a second."""

    def make(**overrides):
        base = {"workload.decode_tokens": 4, "workload.context_tokens": 8192, "outputs.write": False}
        base.update(overrides)
        return load_experiment(None, catalogue, base)

    return make
