"""What a placement must fit: an FPGA kernel whose radix select buffers a bounded number of items
per job cannot score a longer sequence, so the placement falls back to GPU-only and says so."""

from pathlib import Path

from hetsim.calibration.device_inputs import fpga_designs
from hetsim.hardware.fpga_catalogue import DSA_KERNEL
from hetsim.scenario import load_experiment

DSA = Path(__file__).resolve().parents[1] / "configs" / "experiments" / "dsa.yaml"


def _paper(catalogue, context):
    exp = load_experiment(DSA, catalogue, {"workload.context_tokens": context, "simulation.memory_check": "warn"})
    return next(r for r in exp.runs if r.label.endswith("/paper"))


def test_a_sequence_beyond_the_kernels_job_buffer_falls_back(catalogue):
    design = _design(catalogue)
    assert design.max_items > 0
    tokens_over = design.max_items  # the decode tokens push the sequence past the buffer
    run = _paper(catalogue, tokens_over)
    assert run.placement.name == "paper (fallback gpu-only)"
    assert any(f"at most {design.max_items} items per job" in w for w in run.warnings)


def test_a_sequence_within_the_job_buffer_stays_on_the_fpga(catalogue):
    run = _paper(catalogue, _design(catalogue).max_items // 2)
    assert run.placement.name == "paper"
    assert run.placement.steps["relevancy"] == "fpga0"


def _design(catalogue):
    return fpga_designs(catalogue.devices["U55C"])[DSA_KERNEL]
