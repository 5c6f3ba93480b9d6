"""Named GPU baselines: every method with an example has the paper's and an efficient one; an
experiment selects one by kind or name; the baseline sets the stack, the GPU execution, where the
reference retrieves and the efficiencies of kernels hetsim cannot trace, graded as written."""

import subprocess
import sys

import pytest

from hetsim.baselines import check_efficiencies, covered_keys, overlay_profile
from hetsim.config.baselines import BaselineSpec, load_baselines
from hetsim.errors import ConfigError, HetsimError
from hetsim.hardware.gpu import GpuModel
from hetsim.ops import Matmul, TopK
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment
from hetsim.workloads.registry import METHODS

LSERVE = "configs/experiments/lserve_long.yaml"


def test_every_method_with_an_example_has_one_paper_and_one_efficient_baseline(catalogue):
    from hetsim.config.load import configs_root

    sys.path.insert(0, "experiments/paper")
    from grid import example_for

    table = load_baselines(catalogue.root)
    for method in METHODS:
        if method == "dense" or example_for(method, configs_root()) is None:
            continue
        kinds = sorted(b.kind for b in table.values() if b.method == method)
        assert kinds == ["efficient", "paper"], method
    for b in table.values():
        assert b.method in METHODS, b.name
        for key, eff in b.efficiencies.items():  # every efficiency says where it comes from
            assert eff.source in ("assumed", "derived") and len(eff.ref) > 20, (b.name, key)


def test_a_baseline_sets_the_stack_and_the_gpu_execution(catalogue):
    paper = load_experiment(LSERVE, catalogue, {"gpu_baseline": "paper", "baseline": None})
    eff = load_experiment(LSERVE, catalogue, {"gpu_baseline": "lserve-efficient", "baseline": None})
    assert (paper.spec.workload.stack, paper.spec.simulation.gpu_execution) == ("fused", "eager")
    assert (eff.spec.workload.stack, eff.spec.simulation.gpu_execution) == ("fused", "graph")
    seer = load_experiment("configs/experiments/seer_attention.yaml", catalogue,
                           {"gpu_baseline": "paper", "baseline": None})
    assert seer.spec.workload.stack == "hf-dynamic"


def test_the_paper_rag_baseline_retrieves_on_the_host_cpu(catalogue):
    scn = load_experiment("configs/experiments/rag.yaml", catalogue,
                          {"gpu_baseline": "paper", "system": "mi210_u55c_cpu"})
    ref = next(r for r in scn.runs if r.placement.name == "gpu-only")
    assert ref.placement.steps["relevancy"] == ref.placement.steps["retrieval"] == "cpu0"
    assert ref.placement.steps["apply"] == "gpu0"
    assert any("cpu0" in w and "rag-bm25s-cpu" in w for w in ref.warnings)
    eff = load_experiment("configs/experiments/rag.yaml", catalogue,
                          {"gpu_baseline": "efficient", "system": "mi210_u55c_cpu"})
    assert set(eff.runs[0].placement.steps.values()) == {"gpu0"}


def test_cpu_retrieval_on_a_system_without_a_cpu_is_refused(catalogue):
    with pytest.raises(ConfigError) as info:
        load_experiment("configs/experiments/rag.yaml", catalogue, {"gpu_baseline": "paper"})
    assert info.value.field == "placements[0]" and "no cpu device" in info.value.message


@pytest.mark.parametrize(("choice", "needle"), [
    ("lserve-kernals", "did you mean 'lserve-kernels'"),
    ("papr", "did you mean 'paper'"),
    ("rag-bm25s-cpu", "is for method 'rag', not 'lserve'"),
])
def test_a_bad_baseline_name_is_one_line_naming_the_field(catalogue, choice, needle):
    with pytest.raises(HetsimError) as info:
        load_experiment(LSERVE, catalogue, {"gpu_baseline": choice})
    assert info.value.field == "gpu_baseline" and needle in info.value.message


def test_a_bad_baseline_name_exits_2_without_a_traceback():
    res = subprocess.run([sys.executable, "-m", "hetsim", "check", LSERVE, "--set", "gpu_baseline=lserve-kernals"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2
    assert "gpu_baseline" in res.stderr and "lserve-kernels" in res.stderr and "Traceback" not in res.stderr


def test_a_file_that_sets_another_stack_than_its_baseline_is_refused(catalogue):
    with pytest.raises(ConfigError) as info:
        load_experiment(LSERVE, catalogue, {"gpu_baseline": "paper", "simulation.gpu_execution": "graph"})
    assert info.value.field == "simulation.gpu_execution" and "lserve-kernels" in info.value.message


def test_an_efficiency_times_its_rate_keys_at_that_fraction_of_the_datasheet_roofline(catalogue):
    b = load_baselines(catalogue.root)["lserve-kernels"]
    spec = catalogue.devices["MI210"]
    plain, slow = GpuModel(spec), GpuModel(spec, overlay_profile(spec, None, b))
    topk = TopK(rows=256, n=131072, k=64)
    bw = float(spec.hbm_bw_gbps) * 1e9 * b.efficiencies["topk"].bw
    assert slow.device_time_s(topk) == pytest.approx(float(spec.launch_overhead_us) * 1e-6 + topk.bytes / bw)
    assert slow.device_time_s(topk) > 3 * plain.device_time_s(topk)
    gemm = Matmul(m=8, k=4096, n=4096)  # the LLM layers' keys keep the GPU model
    assert slow.device_time_s(gemm) == plain.device_time_s(gemm)
    assert {"topk_singleblock", "topk_multiblock"} <= set(covered_keys(b, ()))


def test_a_run_names_the_baseline_efficiencies_with_their_grade(catalogue):
    scn = load_experiment(LSERVE, catalogue, {"gpu_baseline": "paper", "baseline": None, "placements": ["gpu-only"],
                                              "workload.context_tokens": 8192, "workload.decode_tokens": 4,
                                              "outputs.write": False})
    m = run_experiment(scn)[0].metrics
    assert "MI210.baseline.lserve-kernels.topk" in m.provenance["assumed"]
    assert not any(k.startswith("MI210.profile.") for ks in m.provenance.values() for k in ks)
    assert m.calibration_profiles == {}  # a datasheet model with a baseline's efficiencies is no profile


def test_the_paper_baseline_slows_only_the_memory_steps_of_the_reference(catalogue):
    def run(choice):
        scn = load_experiment(LSERVE, catalogue, {"gpu_baseline": choice, "baseline": None,
                                                  "placements": ["gpu-only"], "workload.decode_tokens": 4,
                                                  "simulation.gpu_execution": "eager", "outputs.write": False})
        return run_experiment(scn)[0].metrics.step_time_total_s

    paper = run("paper")
    plain = run(None)
    for step in ("prepare", "relevancy"):  # page min/max and scoring stream the keys: bandwidth-bound
        assert paper[step] > 3 * plain[step]
    assert paper["retrieval"] > plain["retrieval"]  # a top-k over pages: mostly its launch
    assert paper["model"] == pytest.approx(plain["model"])
    assert paper["apply"] == pytest.approx(plain["apply"])


def test_an_efficiency_on_a_key_the_llm_layers_use_is_refused(catalogue):
    scn = load_experiment(LSERVE, catalogue, {"baseline": None})
    bad = BaselineSpec(name="x", method="lserve", kind="paper", describes="d", ref="r", stack="fused",
                       gpu_execution="eager", efficiencies={"matmul": {"bw": 0.1, "source": "assumed", "ref": "r"}})
    with pytest.raises(ConfigError) as info:
        check_efficiencies(scn.method, bad, "f.yaml")
    assert "matmul" in info.value.message and info.value.field == "gpu_baseline"
