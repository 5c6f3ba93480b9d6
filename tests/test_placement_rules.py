"""Placement rules the resolving tests do not reach: a method's batch rule applies only where a
step leaves the GPU, the GPU-only fallback runs one micro-batch, the paper placement's note for a
request-level method, and the field paths and texts of the refusals."""

import pytest

from hetsim.config.load import configs_root
from hetsim.errors import HetsimError
from hetsim.placement import Placement, apply_batch_rule, gpu_only_fallback, resolve
from hetsim.scenario import load_experiment

SPLIT = {"prepare": "gpu0", "relevancy": "fpga0", "retrieval": "fpga0", "apply": "gpu0"}


class _Method:
    """What placement resolving asks of a method: its name, whether it is request-level, its paper
    split, and its batch rule (here: always too big, to see where the rule is asked)."""

    def __init__(self, request_level=False, micro_batches=None):
        self.name, self.request_level, self.micro_batches = "stub", request_level, micro_batches
        self.asked = []

    def paper_placement(self, gpu, fpga):
        return {"prepare": gpu, "relevancy": fpga, "retrieval": fpga, "apply": gpu}, self.micro_batches

    def batch_rule(self, machine, p):
        self.asked.append(p.name)
        return "batch too big for the FPGA"


def test_the_batch_rule_is_not_asked_of_a_placement_on_the_gpu_alone():
    method = _Method()
    gpu_only = Placement("mine", "gpu0", dict.fromkeys(SPLIT, "gpu0"), 2)
    assert apply_batch_rule(gpu_only, method, machine=None) == (gpu_only, None)
    assert method.asked == []
    split = Placement("split", "gpu0", dict(SPLIT), 2)
    fallback, why = apply_batch_rule(split, method, machine=None)
    assert method.asked == ["split"]
    assert why == "placement split: batch too big for the FPGA: fell back to GPU-only"
    assert fallback == Placement("split (fallback gpu-only)", "gpu0", dict.fromkeys(SPLIT, "gpu0"), 1)


def test_the_gpu_only_fallback_keeps_the_model_device_and_runs_one_micro_batch():
    p = Placement("x", "gpu1", {"prepare": "gpu1", "relevancy": "fpga0", "retrieval": "fpga1", "apply": "gpu0"}, 4)
    f = gpu_only_fallback(p)
    assert (f.name, f.model, f.micro_batches) == ("x (fallback gpu-only)", "gpu1", 1)
    assert f.steps == dict.fromkeys(p.steps, "gpu1")
    assert f.device_of("model") == "gpu1" and f.device_of("apply") == "gpu1"


def test_a_model_device_outside_the_system_is_named_at_its_field(small_experiment):
    with pytest.raises(HetsimError) as info:
        small_experiment(placements=[{"name": "x", "model": "gpu9"}])
    exc = info.value
    assert exc.field == "placements[0].model"
    assert "device 'gpu9' is not in system 'h100_u55c'" in exc.message and "'gpu0'" in exc.message


def test_paper_says_a_request_level_method_runs_one_micro_batch(small_experiment):
    scn = small_experiment(**{"workload.batch": 4})
    p, notes = resolve(scn, _Method(request_level=True), "paper", "placements[0]")
    assert p.micro_batches == 1 and p.steps == SPLIT
    assert notes == ["placement paper: a request-level method runs as one micro-batch (no GPU/FPGA overlap "
                     "between micro-batches)"]
    p, notes = resolve(scn, _Method(), "paper", "placements[0]")  # batch 4 splits in two: no note
    assert p.micro_batches == 2 and notes == []
    p, notes = resolve(scn, _Method(micro_batches=1), "paper", "placements[0]")  # the method's own choice
    assert p.micro_batches == 1 and notes == []


def test_a_request_level_method_refuses_micro_batches(catalogue):
    rag = configs_root() / "experiments" / "rag.yaml"
    with pytest.raises(HetsimError) as info:
        load_experiment(rag, catalogue, {"workload.batch": 2, "outputs.write": False, "baseline": None,
                                         "placements": [{"name": "x", "micro_batches": 2}]})
    exc = info.value
    assert exc.field == "placements[0].micro_batches" and exc.file.endswith("rag.yaml")
    assert exc.message == ("method rag runs request-level steps (a search, a memory update) for the whole batch "
                           "at once; use micro_batches: 1")
