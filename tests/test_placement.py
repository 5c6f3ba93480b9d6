"""Resolving placements: every refusal names the file, the field and what to do instead, and
the paper placement drops to one micro-batch where two cannot work, saying so."""

import pytest

from hetsim.errors import HetsimError


def _refusal(small_experiment, **overrides):
    with pytest.raises(HetsimError) as info:
        small_experiment(**overrides)
    exc = info.value
    assert exc.file and exc.file.endswith("default.yaml"), exc.render()
    return exc


def test_unknown_placement_names_the_built_ins_and_the_closest(small_experiment):
    exc = _refusal(small_experiment, placements=["gpu-only", "papr"])
    assert exc.field == "placements[1]"
    assert "unknown placement 'papr'" in exc.message and "'paper'" in exc.message
    assert "gpu-only, paper" in exc.message


def test_a_step_on_a_device_outside_the_system_lists_the_devices(small_experiment):
    exc = _refusal(small_experiment, placements=[{"name": "x", "relevancy": "fpga1"}])
    assert exc.field == "placements[0].relevancy"
    assert "'fpga1'" in exc.message and "h100_u55c" in exc.message and "gpu0, fpga0" in exc.message
    assert "fpga0" in exc.message.split("devices:")[0]  # the closest name comes before the list


def test_the_llm_layers_must_run_on_a_gpu(small_experiment):
    exc = _refusal(small_experiment, placements=[{"name": "x", "model": "fpga0"}])
    assert exc.field == "placements[0].model" and "must run on a GPU" in exc.message


def test_a_system_without_gpu_or_fpga_is_refused_where_it_matters(small_experiment):
    fpga_only = {"name": "f", "devices": {"fpga0": "U55C"}, "links": [{"type": "pcie_gen3_x16",
                                                                       "between": ["host", "fpga0"]}]}
    exc = _refusal(small_experiment, system=fpga_only, placements=["gpu-only"], baseline=None)
    assert exc.field == "system.devices" and "no GPU" in exc.message
    gpu_only = {"name": "g", "devices": {"gpu0": "H100-SXM"}, "links": [{"type": "pcie_gen5_x16",
                                                                         "between": ["host", "gpu0"]}]}
    exc = _refusal(small_experiment, system=gpu_only, placements=["gpu-only", "paper"], baseline=None)
    assert exc.field == "placements[1]" and "'paper' needs an FPGA" in exc.message


def test_micro_batches_must_split_the_batch(small_experiment):
    exc = _refusal(small_experiment, placements=[{"name": "x", "micro_batches": 3}])
    assert exc.field == "placements[0].micro_batches"
    assert "batch 8 does not split evenly into 3 micro-batches" in exc.message


def test_paper_at_an_odd_batch_runs_one_micro_batch_and_says_why(small_experiment):
    from hetsim.runner import run_experiment

    (run,) = run_experiment(small_experiment(**{"workload.batch": 3, "placements": ["paper"], "baseline": None}))
    assert run.metrics["micro_batches"] == 1
    assert any("batch 3 runs as one micro-batch" in w for w in run.warnings), run.warnings
    (even,) = run_experiment(small_experiment(**{"workload.batch": 4, "placements": ["paper"], "baseline": None}))
    assert even.metrics["micro_batches"] == 2
    assert not any("one micro-batch" in w for w in even.warnings)
