"""Where each method's steps land: method-specific paper placements, MemAgent's batch-size rule,
FPGA memory limits, LServe's key tiers at long contexts, and what the results say about it."""

import pytest

from hetsim.ops import FpgaKernel
from hetsim.runner import run_experiment
from hetsim.sim.machine import Machine


def runs(exp):
    return {r.placement.split(" ")[0]: r for r in run_experiment(exp)}


MEMAGENT = {"chunk_tokens": 5000, "memory_tokens": 8, "question_tokens": 64}


def test_memagent_decodes_its_memory_on_the_fpga_within_the_batch_limit(experiment):
    r = runs(experiment("memagent", "Qwen2.5-7B", context=10_000, params={**MEMAGENT, "fpga_decode_max_batch": 1}))
    paper = r["paper"]
    assert paper.placement == "paper" and paper.metrics["placement_devices"]["prepare"] == "fpga0"
    assert paper.metrics["step_time_total_s"]["prepare"] > r["gpu-only"].metrics["step_time_total_s"]["prepare"]
    assert paper.metrics["energy_by_device_j"]["fpga0"]["active_j"] > 0


def test_memagent_falls_back_to_gpu_only_beyond_the_batch_limit_and_says_so(experiment):
    paper = runs(experiment("memagent", "Qwen2.5-7B", context=10_000, batch=2,
                            params={**MEMAGENT, "fpga_decode_max_batch": 1}))["paper"]
    assert paper.placement == "paper (fallback gpu-only)"
    assert any("fpga_decode_max_batch" in w and "fell back to GPU-only" in w for w in paper.warnings)
    assert not any(paper.metrics["link_bytes"].values())


def test_memagent_by_default_asks_the_device_models_which_decodes_faster(experiment):
    # on an MI210 + U55C a memory token streams 14 GB of weights at ~0.4 TB/s vs ~1.3 TB/s on the GPU
    paper = runs(experiment("memagent", "Qwen2.5-7B", context=10_000, params=MEMAGENT))["paper"]
    assert paper.placement == "paper (fallback gpu-only)"
    assert any("ms on the FPGA vs" in w for w in paper.warnings)


def test_memagent_weights_must_fit_the_fpga(experiment):
    # Qwen3-8B's 16.4 GB of weights do not fit the U55C's 16 GB
    paper = runs(experiment("memagent", "Qwen3-8B", context=10_000, params={**MEMAGENT, "fpga_decode_max_batch": 1}))
    assert paper["paper"].placement == "paper (fallback gpu-only)"
    assert any("exceeds fpga0's memory" in w for w in paper["paper"].warnings)


def test_ttt_stays_on_the_gpu_and_the_results_say_why(experiment):
    r = runs(experiment("ttt", "Llama-3.1-8B", context=4096))
    paper = r["paper"]
    assert set(paper.metrics["placement_devices"].values()) == {"gpu0"}
    assert paper.metrics["e2e_s"] == r["gpu-only"].metrics["e2e_s"]
    assert any("no FPGA lowering" in w and "compute-bound" in w for w in paper.warnings)


def test_dsa_on_a_subset_of_layers_says_so_and_scales_with_it(experiment):
    one, two = (runs(experiment("dsa", "DeepSeek-V3.2", context=8192, batch=2, params={"layers": n},
                                placements=["gpu-only"]))["gpu-only"] for n in (1, 2))
    assert any("simulating 1 of 61 layers" in w for w in one.warnings)
    per_layer = [r.metrics["step_time_per_token_s"]["relevancy"] for r in (one, two)]
    assert per_layer[1] == pytest.approx(2 * per_layer[0])


def test_rag_prompt_beyond_the_checkpoint_context_is_a_warning(experiment):
    r = runs(experiment("rag", "Llama-2-7B", context=64, params={"top_k": 40, "corpus_docs": 10_000, "trigger": "once"},
                        placements=["gpu-only"]))
    assert any("max_position_embeddings (4096)" in w for w in r["gpu-only"].warnings)


# ---------------------------------------------------------------- LServe at long contexts
def lserve(experiment, context, batch):
    return experiment("lserve", "Llama-3.1-8B", context=context, batch=batch, placements=["paper"],
                      simulation={"memory_check": "warn"}, params={"dense_layers": 2})


@pytest.mark.parametrize("context", [65536, 1048576])
def test_lserve_keys_beyond_the_chip_stream_from_fpga_hbm(experiment, context):
    exp = lserve(experiment, context, 2)
    fpga = Machine(exp).models["fpga0"]
    (kernel,) = next(iter(exp_method(exp).decode_layer("sparse", 1, context).fused.values()))
    assert isinstance(kernel, FpgaKernel)
    split = fpga.tier_split(fpga.design(kernel.kernel), kernel)
    on_chip = (fpga.design(kernel.kernel).bram_key_bytes + fpga.design(kernel.kernel).uram_key_bytes)
    assert split["bram"] + split["uram"] == pytest.approx(on_chip / kernel.resident_bytes)
    hbm_s = next(t for tier, t, _ in fpga.timing(kernel).segments if tier == "hbm")
    hbm_bytes = split["hbm"] * kernel.n_items * kernel.item_bytes
    assert hbm_s >= hbm_bytes / fpga.hbm_bw(fpga.design(kernel.kernel)) * 0.999


def exp_method(exp):
    from hetsim.workloads.registry import build_method

    return build_method(exp.spec.workload, exp.model)


def test_lserve_index_beyond_fpga_hbm_falls_back(experiment):
    # one request at 1M tokens: an 8.6 GB page index fits the U55C's 16 GB; two do not
    split = {"name": "split", "relevancy": "fpga0", "retrieval": "fpga0"}
    fits = runs(experiment("lserve", "Llama-3.1-8B", context=1048576, batch=1, simulation={"memory_check": "warn"},
                           params={"dense_layers": 2}, placements=[split]))["split"]
    assert fits.placement == "split" and fits.metrics["link_bytes"]["gpu0-fpga0:gpu0>fpga0"] > 0
    over = runs(lserve(experiment, 1048576, 2))["paper"]
    assert over.placement == "paper (fallback gpu-only)"
    assert any("the index (17.2 GB) exceeds fpga0's memory (16.0 GB)" in w for w in over.warnings)
