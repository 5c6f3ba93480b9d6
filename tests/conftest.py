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
# SMALL builds of the kernels: every dimension and tier shrunk so a case takes milliseconds, sizes
# that are not multiples of each other (3 streams, 20 dims over 8 int16 lanes of a 128-bit beat,
# 30 and 21 on-chip slots, queues of 2 streams) so every remainder path runs.
SMALL = {
    "inner_product_topk": {"pes": 3, "bram_keys": 30, "uram_keys": 21, "head_dim": 20, "heads": 3, "k_max": 16,
                           "axi_width_bits": 128, "topk_group": 2},
    "page_minmax_topk": {"pes": 3, "bram_pages": 30, "uram_pages": 21, "head_dim": 20, "heads": 2, "k_max": 16,
                         "axi_width_bits": 128, "topk_group": 2},
    "bm25_topk": {"cores": 3, "doc_slots": 24, "vocab": 512, "k_max": 16, "query_terms_max": 8, "topk_group": 2},
}
# The radix select (k_max > 256) on the same small inner-product build.
SMALL_SELECT = {**SMALL["inner_product_topk"], "k_max": 300, "select_items": 600}


@pytest.fixture(scope="session")
def small_overrides():
    return SMALL


def _loader(table):
    cache = {}

    def get(kernel):
        if kernel not in cache:
            kp = load_kernel_params(kernel, table[kernel])
            cache[kernel] = (adapter_for(kp), load_library(kp))
        return cache[kernel]

    return get


@pytest.fixture(scope="session")
def small():
    """kernel name -> (adapter, loaded C-simulation library) of its SMALL build."""
    return _loader(SMALL)


@pytest.fixture(scope="session")
def small_select():
    """(adapter, library) of the small inner-product build with the radix select."""
    return _loader({"inner_product_topk": SMALL_SELECT})("inner_product_topk")


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)
