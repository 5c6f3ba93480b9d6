"""The training-step kernels realcode-check22 showed (hetsim.stacks.aten_losses, aten_foreach): nll_loss as one block
whose threads loop over the rows, mse_loss as its squared difference and a mean, torch.optim's foreach ops as
multi_tensor_apply's launches; the groups of 2026-12-04's third part (the twenty-second blind check, realcode-more29
and -more30) in the cases file, and the check's score."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.hardware import launch
from hetsim.hardware.gpu import compute_work, rate_keys, wave_shape
from hetsim.ops import AxisReduction, Pointwise
from hetsim.stacks import aten
from hetsim.stacks.aten_foreach import foreach_blocks, foreach_launches
from hetsim.tracing.trace import AtenOp, TensorMeta

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK22 = "realcode-check22"


def meta(shape, dtype="float32") -> TensorMeta:
    return TensorMeta.dense(tuple(shape), dtype)


def lower(name, inputs, outputs, args=None):
    return aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}))


def test_multi_tensor_apply_packs_chunks_into_launches_as_profiled():
    # realcode-more30's kernel profiles: 7, 6, 2 and 23 launches of multi_tensor_apply_kernel
    assert len(foreach_launches([4096 * 4096] * 8 + [4096] * 8, 1)) == 7
    assert len(foreach_launches([1024 * 1024, 1024, 4096 * 1024, 4096, 1024 * 4096, 1024] * 12, 1)) == 6
    assert len(foreach_launches([768] * 150, 1)) == 2  # 110 tensors a launch at one list
    assert len(foreach_launches([14336 * 4096, 4096 * 14336, 4096] * 4, 1)) == 23
    assert len(foreach_launches([768] * 150, 3)) == 4  # 48 tensors a launch at three lists
    numels = [3000, 70000, 1 << 20]
    assert sum(foreach_launches(numels, 2)) == sum(numels)  # every element in one launch


def test_foreach_ops_lower_to_their_launches():
    params = [meta((4096, 4096))] * 8 + [meta((4096,))] * 8
    total = 8 * 4096 * 4096 + 8 * 4096
    zero = lower("aten._foreach_zero_.default", params, ())
    assert len(zero) == 7 and {o.regime for o in zero} == {"pointwise_fill"}
    assert sum(o.bytes for o in zero) == 4 * total  # stores only
    scale = lower("aten._foreach_mul_.Scalar", params, (), {"scalar": 0.5})
    assert len(scale) == 7 and sum(o.bytes for o in scale) == 8 * total  # read and written in place
    norm = lower("aten._foreach_norm.Scalar", params, tuple(meta(()) for _ in params), {"ord": 2.0})
    assert len(norm) == 9 and sum(o.bytes for o in norm[1:-1]) == 4 * total  # read once, a launch each
    grads, steps = [meta((1024, 1024))] * 4, [meta((1024, 1024))] * 4
    add = lower("aten._foreach_add_.List", grads + steps, ())
    assert sum(o.bytes for o in add) == 3 * 4 * 4 * 1024 * 1024  # two lists read, the first written


def test_a_foreach_launch_walks_its_widest_chunk_once_a_wave_of_blocks():
    # two tensors of 302,263 fp32 (10 chunks, one wave): one block's 65,536 elements, as fp32 words, whatever the lists
    (scale,) = lower("aten._foreach_mul_.Scalar", [meta((302263,))] * 2, (), {"scalar": 0.9})
    assert scale.regime == "foreach" and scale.walk == 65536 * 4
    assert rate_keys(scale)[:2] == ("foreach", "pointwise")  # the elementwise keys until a profile fits its own
    (add,) = lower("aten._foreach_add_.List", [meta((28912,), "bfloat16")] * 6, ())
    assert add.walk == 28912 * 4  # a partial chunk walks its own elements; two lists and bf16 change nothing
    # 8 x 2,564,529 elements: 320 blocks in one launch (its limit), queued on 132 SMs in three waves
    assert foreach_blocks([2564529] * 8, 2) == [(8 * 2564529, 320, 65536)]
    (big, *_) = lower("aten._foreach_add_.List", [meta((2564529,))] * 16, ())
    assert big.walk == 3 * 65536 * 4
    # a fill stores and a norm reduces: neither takes the elementwise walk
    zero = lower("aten._foreach_zero_.default", [meta((768,))] * 4, ())
    assert all(o.regime != "foreach" and not o.walk for o in zero)
    norm = lower("aten._foreach_norm.Scalar", [meta((768,))] * 4, tuple(meta(()) for _ in range(4)), {"ord": 2.0})
    assert all(o.regime != "foreach" for o in norm)


def test_a_reduced_nll_loss_walks_its_rows_not_the_logits():
    logp, target = meta((4096, 128256), "bfloat16"), meta((4096,), "int64")
    (op,) = lower("aten.nll_loss_forward.default", (logp, target), (meta(()), meta(())), {"reduction": 1})
    assert isinstance(op, Pointwise) and op.regime == "nll_loss" and op.rows == 4096
    assert op.bytes == 4096 * (2 + 8)  # a logit and a target a row, not the 1 GB of logits
    # one block of 256 threads (4096 // 16), 16 trips each, then thread 0's sum over the 256 threads
    assert rate_keys(op)[0] == "nll_loss" and op.steps == 256 and wave_shape(op) == (256.0, 0.0)
    assert compute_work(op) == 16.0
    fill, pick = lower("aten.nll_loss_forward.default", (logp, target), (meta((4096,)), meta(())), {"reduction": 0})
    assert (fill.regime, pick.regime) == ("pointwise_fill", "pointwise")


@pytest.mark.parametrize(("rows", "threads", "trips"), [
    (8, 32, 1), (64, 32, 2), (512, 32, 16),  # at least a warp: few rows take more trips
    (1024, 64, 16), (8192, 512, 16),  # 16 rows a thread while the block grows
    (5600, 256, 22),  # log2(350) = 8.45 rounds down (profiled: 11.3 us, against 8.3 at 512 rows' 16 trips)
    (16384, 1024, 16), (65536, 1024, 64),  # the block at its 1,024 threads: trips grow with the rows
])
def test_nll_loss_launches_torch_s_thread_rule(rows, threads, trips):
    assert launch.nll_loss_threads(rows) == threads
    assert launch.nll_loss_trips(rows, threads) == trips


def test_the_nll_loss_price_follows_trips_and_the_block_s_threads():
    """Flat from 512 to 8,192 rows (16 trips each while the block grows), rising with the trips on either side: what
    realcode-check21..27 timed on the H200 (2.0 us at 8 rows, 4.9 at 256, 8.2-8.7 at 512-4,096, 20.3 at 25,600)."""
    from hetsim.calibration.predict import gpu_model

    model = gpu_model("H200")

    def priced(rows: int) -> float:
        (op,) = lower("aten.nll_loss_forward.default", (meta((rows, 32000)), meta((rows,), "int64")),
                      (meta(()), meta(())), {"reduction": 1})
        return model.device_time_s(op)

    plateau = [priced(n) for n in (512, 1024, 2048, 4096)]
    assert max(plateau) / min(plateau) < 1.15
    assert priced(256) < 0.75 * plateau[0] and priced(25600) > 2 * plateau[-1]


def test_mse_loss_writes_the_squared_difference_then_reduces_it():
    x = meta((32, 4, 64, 64))
    square, mean = lower("aten.mse_loss.default", (x, x), (meta(()),))
    assert isinstance(square, Pointwise) and square.bytes == 3 * 4 * x.numel
    assert isinstance(mean, AxisReduction) and mean.aten == "aten.mse_loss.default"


def test_the_profile_fits_nll_loss_on_realcode_more30():
    from hetsim.calibration.predict import gpu_model

    logp, target = meta((32768, 1000)), meta((32768,), "int64")
    (op,) = lower("aten.nll_loss_forward.default", (logp, target), (meta(()), meta(())), {"reduction": 1})
    model = gpu_model("H200")
    rates = model.rates_for(op)
    assert rates.wave_slots == 1.0 and rates.wave_s > 0 and rates.source == "calibrated"
    assert 0.2e-6 < 1.0 / rates.flop_rate < 1e-6  # a trip's dependent pair of loads
    from hetsim.calibration.gpu_profile import load_profile

    fit = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml").notes["nll_loss"]["fit"]
    assert "realcode-more30" in fit["source"] and fit["points"] == 9
    # measured 24.1 us on the H200 (realcode-more30, case 9931)
    assert model.device_time_s(op) == pytest.approx(24.1e-6, rel=0.1)


def test_the_new_groups_are_blocks_after_the_ones_before(assert_appended_block):
    from hetsim.calibration.gpu_suite import (
        realcode_fortyfifth,
        realcode_fortyfourth,
        realcode_fortyseventh,
        realcode_fortysixth,
    )

    blocks = ((CHECK22, range(9080, 9877), realcode_fortyfifth, realcode_fortyfourth.REALCODE_MORE28, 9079, "check22"),
              (realcode_fortysixth.REALCODE_MORE29, range(9877, 9926), realcode_fortysixth, CHECK22, 9876, "more29"),
              (realcode_fortyseventh.REALCODE_MORE30, range(9926, 9984), realcode_fortyseventh,
               realcode_fortysixth.REALCODE_MORE29, 9925, "more30"))
    for group, ids, module, previous, last, name in blocks:
        assert_appended_block(group, ids, module, previous, last, IDS / f"{name}_ids.txt")


def test_the_check_stays_blind_and_spans_regimes(assert_blind, assert_names_its_group):
    assert_blind(CHECK22, 797, "realcode-more30")
    assert_names_its_group(CHECK22, regimes=30)


def test_the_twenty_second_check_was_timed_and_is_scored(scored_graph):
    # scored once, blind, with the code of 52f79c2 (the profile of 8a935c7): 6.7 % / 41.3 % over 763 kernel cases
    # (calibration/README.md). Since then realcode-more30 was fitted on what its kernels showed: no longer blind,
    # this pins today's score
    graph = scored_graph("H200-aten-realcode-check22-2026-12-04.parquet", range(9080, 9877))
    assert graph["n"] == 763
    assert graph["median_abs"] == pytest.approx(0.055, abs=0.01)  # 6.6 % before the element-rate keys' soft corners
    # 31 % before gemm-fp32 / realcode-more33 (fp32 products, FFTs, casts); 21.9 % once the strided kernel's tables
    # kept its walks over two dims apart (2026-12-06, thirteenth session)
    assert 0.20 < graph["p90_abs"] < 0.35


def test_a_row_too_long_for_shared_memory_is_read_three_times():
    """SoftMax.cu's block kernel keeps a row of up to ~47 KB in shared memory; a vocabulary-wide row is read for its
    max, its sum and its output (2,048 rows of 128,256 bf16 ran 1 TB/s of one read and a write: realcode-more30): the
    re-reads priced from the L2 (gpu.softmax_rereads), the working set unchanged."""
    from hetsim.hardware.gpu import hbm_bytes, softmax_rereads
    from hetsim.ops import Softmax

    args = {"dim": -1, "half_to_float": False}
    (wide,) = lower("aten._log_softmax.default", (meta((2048, 128256), "bfloat16"),),
                    (meta((2048, 128256), "bfloat16"),), args)
    (narrow,) = lower("aten._log_softmax.default", (meta((2048, 8192), "bfloat16"),),
                      (meta((2048, 8192), "bfloat16"),), args)
    assert isinstance(wide, Softmax) and (wide.reads, narrow.reads) == (3, 1)
    assert wide.bytes == 2 * 2 * 2048 * 128256  # a read and a write held
    assert softmax_rereads(narrow) == 0 and hbm_bytes(wide) > wide.bytes


def test_a_map_nll_loss_picks_a_logit_a_position_and_diag_embed_fills_then_copies():
    logp, target = meta((64, 8192, 1, 256)), meta((64, 1, 256), "int64")
    ops = lower("aten.nll_loss2d_forward.default", (logp, target), (meta(()), meta(())), {"reduction": 1})
    # the loss and its weight zeroed, a pick a position (not the 537 MB map) by each thread's loop of a target then
    # the log-probability it names (torch.gather's dependent pair), the mean
    assert [o.regime for o in ops] == ["pointwise_fill", "pointwise_fill", "gather_elements", "pointwise"]
    assert ops[2].bytes == 64 * 256 * (4 + 8)
    # a map of 256 positions: one block a sample, one trip a thread; 64 blocks of 1,024 threads are one wave
    assert ops[2].walk == 1 * (8 + 4)
    big = lower("aten.nll_loss2d_forward.default", (meta((2, 4, 1, 1 << 21)), meta((2, 1, 1 << 21), "int64")),
                (meta(()), meta(())), {"reduction": 1})
    # 2 M positions a sample: GET_BLOCKS(2 M) / 128 = 16 blocks a sample, each thread 128 trips
    assert big[2].walk == 128 * (8 + 4)
    # unreduced: the batch-fastest index puts neighbouring threads a plane apart, a sector each for the target, the
    # pick and the output
    none = lower("aten.nll_loss2d_forward.default", (meta((4, 19, 512, 1024)), meta((4, 512, 1024), "int64")),
                 (meta((4, 512, 1024)), meta(())), {"reduction": 0})
    assert len(none) == 1 and none[0].bytes == 4 * 512 * 1024 * 3 * 32
    # a batch of one over maps one wide steps every operand with stride 1: their own bytes
    column = lower("aten.nll_loss2d_forward.default", (meta((1, 19, 4096, 1)), meta((1, 4096, 1), "int64")),
                   (meta((1, 4096, 1)), meta(())), {"reduction": 0})
    assert column[0].bytes == 4096 * (8 + 2 * 4)
    x = meta((16, 12))
    fill, copy = lower("aten.diag_embed.default", (x,), (meta((16, 12, 12)),))
    assert fill.regime == "pointwise_fill" and fill.bytes == 4 * 16 * 12 * 12
    assert copy.numel == x.numel and copy.aten == "aten.diag_embed.default"


def test_bce_with_logits_lowers_to_its_composites_kernels():
    # Loss.cpp's composite (profiled, realcode-check22): log_sigmoid, a fill and four full-size binaries' worth of
    # kernels (1 - target, * input, - log_sigmoid), then the mean; a weight multiplies in place before the reduction
    x = meta((200700, 91))
    full = x.numel * x.itemsize
    unreduced = lower("aten.binary_cross_entropy_with_logits.default", (x, x), (x,), {"reduction": 0})
    assert [o.regime for o in unreduced][:2] == ["pointwise_math", "pointwise_fill"] and len(unreduced) == 5
    assert all(isinstance(o, Pointwise) for o in unreduced)
    assert sum(o.nbytes for o in unreduced) == 2 * full + full + 3 * 3 * full
    mean = lower("aten.binary_cross_entropy_with_logits.default", (x, x), (meta(()),))
    assert len(mean) == 6 and isinstance(mean[-1], AxisReduction)
    weighted = lower("aten.binary_cross_entropy_with_logits.default", (x, x, meta((91,))), (meta(()),))
    assert len(weighted) == 7
    # a pos_weight alone (the trace records weight=None): (pos_weight - 1) * target + 1 scales the log-sigmoid first
    positive = lower("aten.binary_cross_entropy_with_logits.default", (x, x, meta((91,))), (meta(()),),
                     {"weight": None})
    assert len(positive) == 10
    assert all(o.aten == "aten.binary_cross_entropy_with_logits.default" for o in (*unreduced, *mean, *weighted))


def test_a_gather_reads_its_source_from_hbm_at_most_once():
    # a histogram's 256-entry table gathered 12.6 M times (realcode-check27): the index and the output stream, the
    # table is read once; a gather as wide as its source reads each source element once
    table, index = meta((16, 3, 256), "uint8"), meta((16, 3, 262144), "int64")
    (lut,) = lower("aten.gather.default", (table, index), (meta((16, 3, 262144), "uint8"),), {"dim": 2})
    assert lut.regime == "gather_elements" and lut.bytes == 8 * index.numel + index.numel + 16 * 3 * 256
    scores, order = meta((32, 152064)), meta((32, 152064), "int64")
    (perm,) = lower("aten.gather.default", (scores, order), (meta((32, 152064)),), {"dim": 1})
    assert perm.bytes == order.numel * (8 + 4 + 4)
