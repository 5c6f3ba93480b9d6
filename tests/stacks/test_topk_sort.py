"""torch.topk's sort of its results (hetsim.hardware.sorting): which kernels follow the select, how a trace lowers a
sorted and an unsorted call, and that the committed H200 profile prices them apart (select keys fitted on calls
that sort nothing, the sort on sorted / unsorted twins)."""

from __future__ import annotations

import dataclasses
import math

import pytest

from hetsim.hardware.sorting import RADIX_SORT_THREADS, kernels, radix_items, topk_sort
from hetsim.ops import Copy, Pointwise, TopK


def test_the_sort_after_the_select_follows_k():
    assert topk_sort(TopK(64, 4096, 8, sorted=False)) == ()
    assert topk_sort(TopK(256, 32000, 1)) == ()  # one value a row: nothing to order
    (bitonic,) = topk_sort(TopK(64, 4096, 32))
    assert (bitonic.regime, bitonic.steps) == ("topk_sort_bitonic", 0)
    (radix,) = topk_sort(TopK(64, 4096, 100, "fp32"))
    # fp32 keys: 8 passes of 4 bits, 4 keys a thread (the (128, 4) configuration), 64 blocks of 32 threads in a wave
    assert (radix.regime, radix.steps) == ("topk_sort_radix", 8 * 4)
    (wide,) = topk_sort(TopK(1, 131072, 2048))
    assert wide.steps == 4 * 32 and wide.numel == 2048
    # many rows: waves of blocks (4,096 blocks of 32 threads over RADIX_SORT_THREADS)
    (many,) = topk_sort(TopK(4096, 4096, 128, "fp32"))
    assert many.steps == 8 * 4 * math.ceil(4096 * 32 / RADIX_SORT_THREADS)
    assert [radix_items(n) for n in (2, 32, 33, 128, 129, 1024, 4096)] == [2, 2, 4, 4, 32, 32, 32]
    # past 4,096 results: the long-row sort, a gather of the indices and two copies back
    long = topk_sort(TopK(1, 65536, 8192))
    assert [type(k) for k in long] == [Pointwise, Pointwise, Copy, Copy]
    assert long[0].regime == "sort" and long[1].regime == "gather_elements"
    first, *after = kernels(TopK(64, 4096, 100))
    assert first == TopK(64, 4096, 100, sorted=False) and len(after) == 1


def test_a_trace_lowers_sorted_and_unsorted_calls():
    torch = pytest.importorskip("torch")
    from hetsim.stacks.aten import lower_op
    from hetsim.tracing.fake import trace_callable

    def lower_trace(trace):
        return [o for op in trace.ops for o in lower_op(op)]

    x = torch.empty(64, 4096, dtype=torch.float32, device="meta")
    sorted_ops = lower_trace(trace_callable(lambda t: torch.topk(t, 256, dim=-1), x))
    unsorted_ops = lower_trace(trace_callable(lambda t: torch.topk(t, 256, dim=-1, sorted=False), x))
    (s,) = [o for o in sorted_ops if isinstance(o, TopK)]
    (u,) = [o for o in unsorted_ops if isinstance(o, TopK)]
    assert s.sorted and not u.sorted and dataclasses.replace(s, sorted=False) == u
    # over a middle dim: the slice's length, every other element a row
    y = torch.empty(4, 1000, 8, dtype=torch.bfloat16, device="meta")
    (mid,) = [o for o in lower_trace(trace_callable(lambda t: torch.topk(t, 10, dim=1), y)) if isinstance(o, TopK)]
    assert (mid.rows, mid.n, mid.k) == (32, 1000, 10)


def test_the_h200_profile_prices_the_sort_apart_and_a_profile_without_select_keys_does_not():
    from hetsim.calibration.predict import gpu_model

    gpu = gpu_model("H200")
    for key in ("topk_select_singleblock", "topk_select_multiblock", "topk_sort_bitonic", "topk_sort_radix"):
        assert key in gpu.rates
    op = TopK(64, 4096, 1024, "fp32")
    select, sort = gpu.device_time_s(dataclasses.replace(op, sorted=False)), gpu.device_time_s(topk_sort(op)[0])
    assert gpu.device_time_s(op) == pytest.approx(select + sort)
    assert gpu.dispatch_s(op) == gpu.dispatch_s(dataclasses.replace(op, sorted=False))  # one call, one dispatch
    # the twins measured on an H200 (realcode-more21): sorted 47.0 us, unsorted 30.4 us
    assert sort == pytest.approx(47.0e-6 - 30.4e-6, rel=0.35)
    # without the select keys the suite's keys, fitted on sorted calls, price the call whole: no sort added
    rates = {k: r for k, r in gpu.rates.items() if not k.startswith(("topk_select_", "topk_sort_"))}
    plain = type(gpu)(gpu.spec, dataclasses.replace(gpu.profile, rates=rates))
    assert plain.device_time_s(op) == pytest.approx(plain.device_time_s(dataclasses.replace(op, sorted=False)))


def test_a_scan_over_an_outer_dim_walks_its_columns():
    torch = pytest.importorskip("torch")
    from hetsim.calibration.predict import gpu_model
    from hetsim.hardware import residency
    from hetsim.hardware.launch import waves
    from hetsim.stacks.aten import SCAN_THREADS, lower_op
    from hetsim.tracing.fake import trace_callable

    def scan(shape, dim, dtype=torch.float32):
        x = torch.empty(*shape, dtype=dtype, device="meta")
        (op,) = [o for a in trace_callable(lambda t: torch.cumsum(t, dim=dim), x).ops for o in lower_op(a)]
        return op

    # scan_outer_dim: a thread a column, blocks of up to 512 threads a row of outer indices, each stepping along its
    # column: 2,048 blocks of 8 threads (a short inner dim) run in one wave, 4,096 steps each; 8 fp16 columns are 16
    # bytes, so every other step reads the sector the last one did (an L1 hit) and half the steps wait on a miss
    few = scan((2048, 4096, 8), 1, torch.float16)
    assert few.regime == "scan_outer" and few.walk == waves(2048, 8) * 4096 * 4 * 0.5 == 4096 * 2
    wide = scan((1, 4096, 2048), 1)
    assert wide.walk == 4096 * 4 and scan((64, 4096), 1).regime == "scan"  # the last dim: the inner-dim kernel
    assert SCAN_THREADS == 512
    # ATen picks the kernel by the dim's index, never squeezing a trailing 1: xLSTM's cumsum over dim -2 of
    # [2, 4, 2048, 1] walks 2,048 steps a thread (81 us on an H200, realcode-check28), one step in 8 leaving its sector
    thin = scan((2, 4, 2048, 1), -2)
    assert thin.regime == "scan_outer" and thin.walk == waves(8, 1) * 2048 * 4 / 8
    # measured on an H200 (realcode-more22, fitted): one column-walk of 4,096 steps over 2,048 bf16 columns 1.03 ms
    # replayed (its 32 MB half in the L2), ~370 ns a step from HBM; a short walk over many columns bound by its bytes
    h200 = gpu_model("H200")
    assert 0.5e-3 < h200.device_time_s(residency.replayed((scan((1, 4096, 2048), 1, torch.bfloat16),),
                                                          h200.l2_bytes)[0]) < 1.5e-3
    assert 4096 * 300e-9 < h200.device_time_s(wide) < 4096 * 450e-9
    assert h200.device_time_s(scan((32, 2048, 64), 0, torch.bfloat16)) < 20e-6


def test_an_outer_scans_steps_run_faster_from_the_l2_as_group_norms_do():
    torch = pytest.importorskip("torch")
    from hetsim.hardware import residency
    from hetsim.hardware.gpu import walk_bytes
    from hetsim.stacks.aten import lower_op
    from hetsim.tracing.fake import trace_callable

    def replayed(shape):
        x = torch.empty(*shape, dtype=torch.float32, device="meta")
        ops = [o for a in trace_callable(lambda t: torch.cumsum(t, dim=0), x).ops for o in lower_op(a)]
        return residency.replayed(ops, 60 * 2**20)[0]

    # a step is a load a thread waits on: 150-240 ns from the L2 (4-16 MB replayed), 370-425 from HBM (32-64 MB;
    # realcode-more21 / -more22), the L2's share of the walk at L2_GAIN as GroupNorm's
    held, streamed = replayed((4096, 512)), replayed((4096, 8192))
    assert held.walk_share == 1.0 and streamed.walk_share == 0.0
    assert walk_bytes(held) == pytest.approx(held.walk / residency.L2_GAIN)
    assert walk_bytes(streamed) == streamed.walk
