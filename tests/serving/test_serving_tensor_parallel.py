"""Tensor parallelism in serving: each GPU runs 1/N of every layer and two ring all-reduces per
layer priced on the system's links. Over NVLink (a what-if link type added to a copy of the
catalogue: the catalogue has none yet) TP=2 lowers TPOT for a model that fits one GPU; over PCIe
the measured 14 us copy latency per hop costs more than the halved layer saves at small batches."""

import shutil
from pathlib import Path

import pytest
import yaml

from hetsim.config.load import Catalogue
from hetsim.scenario import load_experiment
from hetsim.serving.parallel import Ring, shard_model
from hetsim.serving.run import ServingRunner, requests_of

REPO = Path(__file__).resolve().parents[2]
TP = REPO / "configs" / "experiments" / "serving_tp.yaml"
NVLINK = {"name": "nvlink4_whatif", "kind": "nvlink",
          "latency_us": {"value": 3, "source": "assumed", "ref": "test what-if"},
          "downstream_gbps": {"value": 400, "source": "assumed", "ref": "test what-if"},
          "upstream_gbps": {"value": 400, "source": "assumed", "ref": "test what-if"}}


@pytest.fixture(scope="module")
def nvlink_catalogue(tmp_path_factory):
    root = tmp_path_factory.mktemp("cat") / "configs"
    shutil.copytree(REPO / "configs", root, ignore=shutil.ignore_patterns("experiments", "sweeps", "serving"))
    (root / "links" / "nvlink4_whatif.yaml").write_text(yaml.safe_dump(NVLINK))
    return Catalogue.load(root)


def tpot_p50(catalogue, tp, links=None):
    over = {"outputs.write": False, "serving.tensor_parallel": tp, "serving.requests.count": 80}
    if links:
        over["system.links"] = links
    exp = load_experiment(TP, catalogue, over)
    r = ServingRunner(exp, exp.runs[0])
    return r.serve(requests_of(exp))[2].tpot_s.p50


def test_tp2_over_nvlink_lowers_tpot(nvlink_catalogue):
    nvlink = [{"type": "pcie_gen5_x16", "between": ["host", "sw0"]},
              {"type": "pcie_gen5_x16", "between": ["sw0", "gpu0"]},
              {"type": "pcie_gen5_x16", "between": ["sw0", "gpu1"]},
              {"type": "nvlink4_whatif", "between": ["gpu0", "gpu1"]}]
    one, two = tpot_p50(nvlink_catalogue, 1, nvlink), tpot_p50(nvlink_catalogue, 2, nvlink)
    assert two < 0.8 * one


def test_tp2_over_pcie_pays_the_link_latency(catalogue):
    assert tpot_p50(catalogue, 2) > tpot_p50(catalogue, 1)


def test_shard_and_ring_by_hand(catalogue):
    exp = load_experiment(TP, catalogue, {"outputs.write": False})
    m = shard_model(exp.model, 2)
    assert (m.q_heads, m.kv_heads, m.intermediate) == (16, 4, 7168)
    r = ServingRunner(exp, exp.runs[0])
    ring = Ring(("gpu0", "gpu1"), r.machine)
    nbytes = 1 << 20
    # gpu0 -> sw0 -> gpu1 cut-through: two hop latencies, the slower direction's bandwidth (46 GB/s up)
    step = 2 * 14e-6 + (nbytes / 2) / 46e9
    assert ring.allreduce_s(nbytes) == pytest.approx(2 * step, rel=1e-6)
    assert Ring(("gpu0",), r.machine).allreduce_s(nbytes) == 0.0
