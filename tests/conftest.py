"""Fixtures shared across the suite: the catalogue, a small experiment, and small C-simulation builds of the
FPGA kernels."""

import numpy as np
import pytest

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.config.load import Catalogue
from hetsim.fpga_runner.csim import load_library
from hetsim.fpga_runner.kernels import adapter_for
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


# ------------------------------------------------------------------ FPGA kernels (C-simulation)
# SMALL configurations shrink every dimension and tier so that C-simulation takes milliseconds,
# and pick sizes that are not multiples of each other (3 PEs, 20 dims over 8 lanes, tiers of
# 10 and 7 items) so that every remainder path of the kernels runs.
SMALL = {
    "inner_product_topk": {"pes": 3, "compare_width": 3, "bram_keys": 10, "uram_keys": 7, "head_dim": 20,
                           "lanes": 8, "heads": 3, "k_max": 16},
    "page_minmax_topk": {"pes": 3, "compare_width": 3, "bram_pages": 10, "uram_pages": 7, "head_dim": 20,
                         "lanes": 8, "heads": 2, "k_max": 16},
    "bm25_topk": {"cores": 3, "compare_width": 3, "doc_slots": 24, "vocab": 512, "k_max": 16,
                  "query_terms_max": 8},
}


@pytest.fixture(scope="session")
def small_overrides():
    return SMALL


@pytest.fixture(scope="session")
def small():
    """kernel name -> (adapter, loaded C-simulation library) of its SMALL build."""
    cache = {}

    def get(kernel):
        if kernel not in cache:
            kp = load_kernel_params(kernel, SMALL[kernel])
            cache[kernel] = (adapter_for(kp), load_library(kp))
        return cache[kernel]

    return get


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)
