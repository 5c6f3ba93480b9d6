"""Expert parallelism of DeepSeek-V3.2's MoE layers in serving: all-to-all bytes and time by hand,
tokens and FLOPs conserved across GPUs, Comet overlap lowering the layer time but never below the
longer of communication and computation, and the examples running."""

from pathlib import Path

import pytest

from hetsim.scenario import load_experiment
from hetsim.serving.cost import IterationCost
from hetsim.serving.expert_parallel import ExpertParallel, apportion
from hetsim.serving.run import ServingRunner, requests_of

REPO = Path(__file__).resolve().parents[2]
EP = REPO / "configs" / "experiments" / "serving_ep.yaml"
COMET = REPO / "configs" / "experiments" / "serving_ep_comet.yaml"
ROW = 7168 * 2  # DeepSeek-V3.2's hidden size in bf16
NVLINK_HOP_S, NVLINK_BW = 1e-6, 450e9  # configs/links/nvlink4.yaml


def scenario(catalogue, gpus=8, system="8xh200_nvlink", **over):
    base = {"outputs.write": False, "serving.requests.count": 40, "system": system,
            "serving.tensor_parallel": gpus, "serving.expert_parallel.gpus": gpus}
    base.update(over)
    return load_experiment(EP, catalogue, base)


def ep_of(exp, **spec):
    sv = exp.spec.serving.expert_parallel.model_copy(update=spec)
    gpus = tuple(f"gpu{i}" for i in range(sv.gpus))
    return ExpertParallel(exp.machine(), exp.runs[0].method.model, gpus, sv, exp.spec.seed)


def test_all_to_all_bytes_and_time_by_hand(catalogue):
    ep = ep_of(scenario(catalogue, gpus=4))
    # 64 tokens, 16 per GPU, top-8 of 256 experts, uniform: 16 x 8 / 4 = 32 rows to each GPU
    assert ep.rows(64) == [[32] * 4] * 4
    nbytes = ep.message_bytes(64)
    assert nbytes[0] == [0.0, 32 * ROW, 32 * ROW, 32 * ROW]
    # 3 pairwise steps; each message gpu_i -> nvswitch -> gpu_j alone on its link directions
    step = 2 * NVLINK_HOP_S + 32 * ROW / NVLINK_BW
    assert ep.all_to_all_s(nbytes) == pytest.approx(3 * step, rel=1e-9)
    layer = ep.layer(64)
    assert layer.dispatch_s == pytest.approx(3 * step) and layer.combine_s == pytest.approx(3 * step)


def test_all_to_all_shares_a_link_between_messages_of_one_step(catalogue):
    ep = ep_of(scenario(catalogue, gpus=2))
    # both messages of the step cross the same switch, each on its own link directions: no contention
    one = ep.all_to_all_s([[0.0, 1e6], [1e6, 0.0]])
    assert one == pytest.approx(2 * NVLINK_HOP_S + 1e6 / NVLINK_BW)
    assert ep.all_to_all_s([[0.0, 0.0], [0.0, 0.0]]) == 0.0


def test_ep2_conserves_tokens_rows_and_flops(catalogue):
    one, two = ep_of(scenario(catalogue, gpus=1)), ep_of(scenario(catalogue, gpus=2))
    for tokens in (1, 7, 64, 513):
        assert sum(two.tokens_per_gpu(tokens)) == tokens
        rows = two.rows(tokens)
        assert sum(map(sum, rows)) == tokens * 8 == sum(map(sum, one.rows(tokens)))
        got = [sum(r[j] for r in rows) for j in range(2)]
        flops2 = sum(op.flops for g in got for op in two.routed_ops(g))
        assert flops2 == pytest.approx(sum(op.flops for op in one.routed_ops(tokens * 8)))
    assert apportion(10, [0.25, 0.25, 0.5]) == [3, 2, 5]  # largest remainder, ties to the first


def test_ep1_prices_the_moe_block_as_the_layer_lowering_does(catalogue):
    """Over one GPU the EP pricing of the MoE block replaces the lowering's own MoE ops exactly
    (graph execution: device times add up), so the split costs nothing by itself."""
    exp = scenario(catalogue, gpus=1)
    r = ServingRunner(exp, exp.runs[0])
    plain = IterationCost(r.machine, r.cost.method, exp.runs[0].placement, 0.0)
    with_ep = IterationCost(r.machine, r.cost.method, exp.runs[0].placement, 0.0, None, r.cost.ep)
    for shape in ((32, 32 * 3000, []), (0, 0, [(512, 2600)]), (20, 20 * 4000, [(300, 2400)])):
        assert with_ep.price(*shape).time_s == pytest.approx(plain.price(*shape).time_s, rel=1e-9)
        assert with_ep.price(*shape).energy_j == pytest.approx(plain.price(*shape).energy_j, rel=1e-9)


@pytest.mark.parametrize("tokens", [64, 256, 512, 4096])
@pytest.mark.parametrize("system", ["8xh200_nvlink", "pcie"])
def test_comet_overlap_lowers_the_moe_layer_but_not_below_comm_or_compute(catalogue, tokens, system):
    exp = scenario(catalogue, **({} if system != "pcie" else {"system": PCIE8}))
    seq, comet = ep_of(exp).layer(tokens), ep_of(exp, comet=True).layer(tokens)
    assert comet.comet_s >= max(comet.comm_s, comet.experts_s)
    assert comet.time_s < seq.time_s
    assert seq.time_s == pytest.approx(seq.local_s + seq.dispatch_s + seq.experts_s + seq.combine_s)


def test_comet_pays_the_sm_share_when_compute_bound(catalogue):
    exp = scenario(catalogue)
    free, taxed = ep_of(exp, comet=True, comm_sm_share=0.0), ep_of(exp, comet=True, comm_sm_share=0.5)
    big = 65536  # prefill-sized: the expert GEMMs are compute-bound
    assert taxed.layer(big).comet_s > 1.5 * free.layer(big).comet_s


def test_skewed_routing_is_seeded_and_slows_the_busiest_gpu(catalogue):
    exp = scenario(catalogue)
    uniform, skewed = ep_of(exp), ep_of(exp, imbalance=1.0)
    assert skewed.shares == ep_of(exp, imbalance=1.0).shares  # same seed, same draw
    assert sum(skewed.shares) == pytest.approx(1.0) and max(skewed.shares) > 1 / 8
    tokens = 4096
    assert skewed.layer(tokens).experts_s > uniform.layer(tokens).experts_s
    assert skewed.layer(tokens).dispatch_s > uniform.layer(tokens).dispatch_s


PCIE8 = {"name": "8xh200_pcie", "devices": {f"gpu{i}": "H200" for i in range(8)},
         "links": [{"type": "pcie_gen5_x16", "between": ["host", f"gpu{i}"]} for i in range(8)]}


def test_all_to_all_share_is_larger_over_pcie(catalogue):
    nv, pcie = ep_of(scenario(catalogue)).layer(512), ep_of(scenario(catalogue, system=PCIE8)).layer(512)
    assert pcie.dispatch_s > 10 * nv.dispatch_s
    assert pcie.all_to_all_share > nv.all_to_all_share


def test_the_examples_serve_and_comet_lowers_tpot(catalogue):
    over = {"outputs.write": False, "serving.requests.count": 60}
    tpots = []
    for path in (EP, COMET):
        exp = load_experiment(path, catalogue, over)
        r = ServingRunner(exp, exp.runs[0])
        served, _, metrics = r.serve(requests_of(exp))
        assert metrics.requests == 60 and any("expert parallel over 8 GPUs" in n for n in r.planned_notes)
        tpots.append(metrics.tpot_s.p50)
    assert tpots[1] < tpots[0]
