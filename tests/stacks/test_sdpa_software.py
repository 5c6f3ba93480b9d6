"""Which SDPA backend a stack's attention runs, by GPU and software (workload.cudnn_sdpa), and what
each backend costs: cuDNN's graph build per new K/V length, flash, and the memory-efficient kernel's
per-block walk (fitted on the aten sweep's sdpa group, calibration/profiles/runs/H200-aten-sdpa-*)."""

import math

import pytest
import yaml

from hetsim.config.load import Catalogue
from hetsim.hardware.gpu import GpuModel, rate_keys, walk_bytes
from hetsim.ops import HostCall, SdpaAttention
from hetsim.provenance import ProvenanceLog
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment
from hetsim.stacks import aten
from hetsim.stacks.lower import StackOps
from hetsim.tracing.trace import SdpaCall, TensorMeta


def _call(q, k, mask=None, gqa=False, causal=False):
    meta = TensorMeta.dense
    return SdpaCall(meta(q, "bfloat16"), meta(k, "bfloat16"), meta(k, "bfloat16"),
                    None if mask is None else meta(mask, "bool"), causal, gqa, 0.0, None, 0, 1)


GQA = _call((1, 32, 1, 128), (1, 8, 4096, 128), gqa=True)  # DynamicCache decode
MASKED = _call((1, 32, 1, 128), (1, 32, 4100, 128), mask=(1, 1, 1, 4100))  # StaticCache decode, heads repeated


def test_cudnn_comes_first_only_where_pytorch_puts_it_first():
    assert aten.sdpa_backend(GQA, 90) == aten.sdpa_backend(MASKED, 90) == "cudnn"  # H100 / H200, torch >= 2.11
    assert aten.sdpa_backend(GQA, 100) == "cudnn"  # B200
    # cuDNN's SDPA last (torch 2.5.1-2.10, TORCH_CUDNN_SDPA_DEPRIORITIZED): flash, memory-efficient for a mask
    assert (aten.sdpa_backend(GQA, 90, cudnn=False), aten.sdpa_backend(MASKED, 90, cudnn=False)) == ("flash",
                                                                                                     "efficient")
    # an A100 (8.0) or a consumer Blackwell (12.0) never prefers cuDNN; an AMD GPU has none
    assert aten.sdpa_backend(GQA, 80) == aten.sdpa_backend(GQA, 120) == aten.sdpa_backend(GQA, None) == "flash"
    assert aten.sdpa_backend(MASKED, 80) == "efficient"
    # a mask of fewer than four dims (one [1, L, S] window mask for every head) goes to the memory-efficient kernel
    # even where cuDNN comes first (profiled on the H200: Qwen2.5-VL's window attention ran fmha_cutlassF)
    window = _call((1, 16, 5184, 80), (1, 16, 5184, 80), mask=(1, 5184, 5184))
    assert aten.sdpa_backend(window, 90) == "efficient"
    # a 2-D [L, S] mask passes cuDNN's shape check (sdp_utils' check_attn_mask_shape), as a 4-D one with batch and
    # head dims of 1 or the query's does (profiled: CLIP's [77, 77] and check19's [592, 592] ran cuDNN's flash fprop;
    # Star Attention's [4096, 8192] over 7 x 32 heads ran ~340 TFLOP/s, priced memory-efficient +168 %)
    star = _call((7, 32, 4096, 128), (7, 32, 8192, 128), mask=(4096, 8192))
    assert aten.sdpa_backend(star, 90) == "cudnn" and aten.sdpa_backend(star, 90, cudnn=False) == "efficient"
    assert aten.sdpa_backend(_call((2, 8, 64, 64), (2, 8, 64, 64), mask=(2, 8, 64, 64)), 90) == "cudnn"
    assert aten.sdpa_backend(_call((2, 8, 64, 64), (2, 8, 64, 64), mask=(64,)), 90) == "efficient"  # 1-D: fails it


def test_each_backend_has_its_own_rate_key():
    flash, eff = (aten.lower_sdpa(c, 90, decode=True, cudnn=False)[0] for c in (GQA, MASKED))
    assert rate_keys(flash)[:2] == ("attention_flash_decode", "attention_decode")
    assert rate_keys(eff)[0] == "attention_efficient_decode"
    prefill = aten.lower_sdpa(_call((1, 32, 2048, 128), (1, 8, 2048, 128), gqa=True), 90, decode=False, cudnn=False)
    assert rate_keys(prefill[0])[0] == "attention_flash_prefill"


def test_a_dynamic_cache_step_builds_a_cudnn_graph_only_on_cudnn():
    def plans(arch, cudnn):
        ops = StackOps("Llama-3.1-8B", "hf-dynamic", 8192, arch=arch, cudnn=cudnn).attention("decode", 4, 1, 4096)
        return [o for o in ops if isinstance(o, HostCall) and o.kind.startswith("sdpa_plan")]

    assert len(plans(90, True)) == 1  # one N-th of the step's build in each of N layers
    assert plans(90, False) == [] and plans(80, True) == []


@pytest.fixture(scope="module")
def h200():
    from hetsim.calibration.device_inputs import device_inputs

    cat = Catalogue.load()
    return GpuModel(cat.devices["H200"], device_inputs(cat.devices["H200"], cat.links).profile, ProvenanceLog())


def test_memory_efficient_decode_is_bound_by_one_blocks_walk_over_its_keys(h200):
    # one sequence of 32 heads over 60K keys: 32 blocks, each reading 2 x 60K x 128 bf16 one after another
    few = SdpaAttention(1, 32, 32, 1, 60004, 128, backend="efficient", mask_bytes=60004 * 2, decode=True)
    many = SdpaAttention(32, 32, 32, 1, 2504, 128, backend="efficient", mask_bytes=32 * 2504 * 2, decode=True)
    assert walk_bytes(few) == pytest.approx(few.bytes / 32)
    r = h200.rates["attention_efficient_decode"]
    assert math.isfinite(r.walk_bw_bytes_per_s)  # fitted: the sweep's few-head cases ran at ~12 GB/s per block
    assert h200.device_time_s(few) == pytest.approx(r.overhead_s + walk_bytes(few) / r.walk_bw_bytes_per_s)
    # measured on the H200 (sweep cases): 2.54 ms and 0.61 ms; the priced ones within 20 %
    assert h200.device_time_s(few) == pytest.approx(2.54e-3, rel=0.2)
    assert h200.device_time_s(many) == pytest.approx(0.615e-3, rel=0.2)
    # the walk-bound kernel draws busy power only for the time its bytes would take at full rate
    busy_w = r.active_w if r.active_w is not None else h200.memory_bound_w - h200.idle_w
    assert h200.energy_j(few, h200.device_time_s(few)) == pytest.approx(busy_w * few.bytes / r.bw_bytes_per_s)


def test_flash_prefill_is_priced_by_its_own_flop_rate(h200):
    r = h200.rates["attention_flash_prefill"]
    assert math.isfinite(r.flop_rate) and r.flop_rate < h200.rates["attention_prefill"].flop_rate  # FA2 < cuDNN
    call = _call((1, 32, 12000, 128), (1, 8, 12000, 128), gqa=True, causal=True)
    op = aten.lower_sdpa(call, 90, False, cudnn=False)[0]
    assert h200.device_time_s(op) == pytest.approx(3.54e-3, rel=0.15)  # the sweep's Llama-3.1-8B 12K prefill


def _experiment(tmp_path, system="h200", **workload):
    base = {"method": "dense", "model": "Llama-3.1-8B", "context_tokens": 4096, "batch": 1, "decode_tokens": 4,
            "stack": "hf-dynamic"}
    data = {"name": "sdpa", "system": system, "workload": {**base, **workload}, "placements": ["gpu-only"],
            "baseline": None, "outputs": {"write": False}, "simulation": {"memory_check": "warn"}}
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    (result,) = run_experiment(load_experiment(path))
    return result.metrics


def test_cudnn_sdpa_off_drops_the_graph_build_from_each_dynamic_cache_step(tmp_path):
    auto, off = _experiment(tmp_path), _experiment(tmp_path, cudnn_sdpa="off")
    assert auto.tpot_s - off.tpot_s > 0.03  # ~56 ms of build per step on an H200 (measured 21.5 ms steps off)
    # StaticCache decode on the memory-efficient kernel: 32 blocks for one sequence, much slower at long context
    # (measured on the H200, CUDA-graph replay at 128K: 267 ms per step against 106 ms on cuDNN)
    slow = _experiment(tmp_path, stack="hf-static", context_tokens=131072, cudnn_sdpa="off")
    fast = _experiment(tmp_path, stack="hf-static", context_tokens=131072)
    assert slow.tpot_s > 2 * fast.tpot_s


def test_an_a100_system_never_builds_cudnn_graphs(tmp_path):
    cat = Catalogue.load()
    assert cat.devices["A100-80GB-SXM"].compute_capability == "8.0"
    data = {"name": "sdpa", "system": "a100_u55c", "placements": ["gpu-only"], "baseline": None,
            "outputs": {"write": False}, "simulation": {"memory_check": "warn"},
            "workload": {"method": "dense", "model": "Llama-3.1-8B", "context_tokens": 4096, "batch": 1,
                         "decode_tokens": 4, "stack": "hf-dynamic"}}
    path = tmp_path / "a100.yaml"
    path.write_text(yaml.safe_dump(data))
    exp = load_experiment(path)
    stack = exp.method.stack_ops()
    assert exp.method.gpu_arch == 80 and stack.arch == 80
    ops = stack.attention("decode", 1, 1, 4096)
    assert not any(isinstance(o, HostCall) and o.kind.startswith("sdpa_plan") for o in ops)
    assert [o.backend for o in ops if isinstance(o, SdpaAttention)] == ["flash"]
    a100 = run_experiment(exp)[0].metrics  # and the run prices no graph build under any grade
    assert not any("sdpa_plan" in k for keys in a100.provenance.values() for k in keys)


def test_an_unquoted_off_in_yaml_means_off(tmp_path):
    # YAML 1.1 reads `off` as false; the field takes it as the string a user meant
    path = tmp_path / "exp.yaml"
    path.write_text("name: x\nsystem: h200\nplacements: [gpu-only]\nbaseline: null\noutputs: {write: false}\n"
                    "workload: {method: dense, model: Llama-3.1-8B, context_tokens: 1024, batch: 1, decode_tokens: 2,\n"
                    "           stack: hf-dynamic, cudnn_sdpa: off}\n")
    exp = load_experiment(path)
    assert exp.spec.workload.cudnn_sdpa == "off" and exp.method.stack_ops().cudnn is False


def test_a_bad_cudnn_sdpa_is_one_line_naming_the_field(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump({"name": "x", "system": "h200", "placements": ["gpu-only"],
                                    "workload": {"method": "dense", "model": "Llama-3.1-8B", "context_tokens": 1024,
                                                 "batch": 1, "decode_tokens": 2, "cudnn_sdpa": "on"}}))
    out = subprocess.run([sys.executable, "-m", "hetsim", "check", str(path)], capture_output=True, text=True)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    line = out.stderr.strip()
    assert len(line.splitlines()) == 1 and "workload.cudnn_sdpa" in line and "auto" in line


def test_a_memory_efficient_call_over_many_queries_is_bounded_by_compute(h200):
    # the paged engine's packed prefill chunk: 512 queries over 16,896 keys with a mask; no compute-bound case of
    # the kernel was measured, so FlashAttention-2's fitted rate bounds it (noted in the key's fit)
    r = h200.rates["attention_efficient_decode"]
    assert r.flop_rate == h200.rates["attention_flash_prefill"].flop_rate
    assert any("flop_rate from attention_flash_prefill" in n for n in h200.profile.notes[
        "attention_efficient_decode"]["fit"]["notes"])
    chunk = SdpaAttention(1, 32, 32, 512, 16896, 128, backend="efficient", mask_bytes=512 * 16896 * 2)
    assert h200.device_time_s(chunk) >= chunk.flops / r.flop_rate
