"""rowscatter-sweep: index_copy_ of whole rows over the outermost dim and index_select of a few indices over wide rows,
appended after realcode-check34; and how those ops, a functional index_put and a product over a broadcast weight are
lowered and priced."""

from __future__ import annotations

import math

import pytest

from hetsim.calibration.paths import REPO_ROOT


def test_the_rowscatter_sweep_is_a_block_after_the_thirty_fourth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_sixtythird, rowscatter_sweep

    mine = assert_appended_block(rowscatter_sweep.ROWSCATTER_SWEEP, range(32600, 32632), rowscatter_sweep,
                                 realcode_sixtythird.REALCODE_CHECK34, 32599,
                                 REPO_ROOT / "experiments" / "kernel_dispatch" / "rowscatter_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    copies = [c for c in cases if c["aten"] == "aten.index_copy_.default"]
    selects = [c for c in cases if c["aten"] == "aten.index_select.default"]
    assert len(copies) == len(selects) == 16
    assert all(c["spec"]["args"]["dim"] == 0 and c["regime"] == "index_copy_rows" for c in copies)
    assert {c["spec"]["in"][0][2] for c in copies} >= {"bfloat16", "float32", "int32", "int64"}
    # a few indices over rows of up to millions of elements: the small-index kernel
    assert all(c["regime"] == "gather_few" and c["spec"]["in"][1][0][0] <= 16 for c in selects)
    assert sum(math.prod(c["spec"]["in"][0][0][1:]) >= 1 << 20 for c in selects) >= 3


def _lower(name, *metas, args=None, out=None):
    from hetsim.stacks.aten import lower_op
    from hetsim.tracing.trace import AtenOp

    return lower_op(AtenOp(name, tuple(metas), (out or metas[0],), args or {}))


def test_index_copy_over_the_outermost_dim_is_the_element_kernel_with_a_key_of_its_own():
    from hetsim.hardware.gpu import rate_keys
    from hetsim.ops import Gather
    from hetsim.tracing.trace import TensorMeta

    # a batch's rows condensed: 32 rows of 152,064 fp32 written into 256 (profiled on the H100: index_elementwise_
    # kernel, 15.5 us, 313 G elements/s)
    table, idx, src = (TensorMeta.dense((256, 152064), "float32"), TensorMeta.dense((32,), "int64"),
                       TensorMeta.dense((32, 152064), "float32"))
    (scatter,) = _lower("aten.index_copy_.default", table, idx, src, args={"dim": 0})
    assert isinstance(scatter, Gather) and scatter.elementwise and scatter.local
    assert scatter.elements == 32 * 152064 and scatter.rows == 32
    assert rate_keys(scatter)[:2] == ("index_copy_rows", "index_lookup")
    # StaticCache's write along a middle dim keeps the fitted index_copy key
    cache, pos, new = (TensorMeta.dense((4, 8, 4096, 128), "bfloat16"), TensorMeta.dense((1,), "int64"),
                       TensorMeta.dense((4, 8, 1, 128), "bfloat16"))
    (write,) = _lower("aten.index_copy_.default", cache, pos, new, args={"dim": 2})
    assert write.regime == "index_copy"


def test_a_functional_index_put_clones_its_destination_with_a_copy_kernel_first():
    from hetsim.tracing.trace import TensorMeta

    # x[b, t] = v out of place (a multimodal model's token merge): a Memcpy DtoD of the destination, then the index
    # kernel over the values (profiled, realcode-check34)
    dest, values = TensorMeta.dense((4, 2048, 4096), "bfloat16"), TensorMeta.dense((4, 750, 4096), "bfloat16")
    b, t = TensorMeta.dense((4, 750), "int64"), TensorMeta.dense((4, 750), "int64")
    copy, put = _lower("aten.index_put.default", dest, b, t, values)
    assert copy.regime == "copy_memcpy" and copy.bytes == 2 * 4 * 2048 * 4096 * 2
    assert put.regime == "index_put" and put.bytes < 2.1 * 4 * 750 * 4096 * 2
    # in place: no clone
    assert len(_lower("aten.index_put_.default", dest, b, t, values)) == 1


def test_a_broadcast_weight_wider_than_the_l2_is_read_again_from_hbm_by_every_item():
    from hetsim.calibration.predict import gpu_model
    from hetsim.ops import Matmul

    h100 = gpu_model("H100-SXM")

    def head(vocab: int, batch: int = 8, k: int = 3072) -> float:
        return h100.op_time_s(Matmul(1, vocab, k, batch=batch, shared_b=True, aten="aten.bmm.default"))

    # the last tokens of 8 sequences against a 788 MB vocabulary projection: each item streams the weight from HBM
    # (realcode-check34 on the H100: 2.03 ms); one read of it takes ~0.25 ms
    wide = head(128256)
    assert wide == pytest.approx(8 * 788e6 / h100.hbm_bw, rel=0.3)
    # a weight the L2 holds is read again from it, far faster than from HBM (realcode-check13: 5.3 MB at ~10 TB/s)
    narrow = head(864)
    assert narrow < 0.5 * 8 * 864 * 3072 * 2 / h100.hbm_bw + 20e-6
    # the share of the re-reads the L2 serves: all of a 5.3 MB weight, none of a 788 MB one, set by the GPU's own L2
    from hetsim.hardware.gpu import broadcast_rereads, with_reread_share

    def share(vocab: int) -> float:
        op = Matmul(1, vocab, 3072, batch=8, shared_b=True, aten="aten.bmm.default")
        return with_reread_share(op, h100.l2).reread_share

    assert share(864) == 1.0 and share(128256) == 0.0
    # from HBM a re-read costs its bytes; from the L2 the reread gain's share of them
    far = with_reread_share(Matmul(1, 128256, 3072, batch=8, shared_b=True, aten="aten.bmm.default"), h100.l2)
    assert broadcast_rereads(far) == 7 * 128256 * 3072 * 2


def test_the_h100s_few_index_select_prices_the_wide_rows_it_walks():
    from hetsim.calibration.predict import gpu_model
    from hetsim.ops import Gather

    h100, h200 = gpu_model("H100-SXM"), gpu_model("H200")
    assert math.isfinite(h100.rates["gather_few"].flop_rate)
    # the H200 never timed rows this wide: its key prices the indices alone, as fitted
    assert math.isinf(h200.rates["gather_few"].flop_rate)

    def beams(row_elements: int) -> float:
        return h100.op_time_s(Gather(16, 2 * row_elements, 16, aten="aten.index_select.default",
                                     elements=16 * row_elements))

    # a beam search's KV cache reordered: 16 beams of 4 M fp16 elements (profiled on the H100: 240 us; priced 7 us by
    # the indices alone, -97 %, and -33 % with the rows' elements at the rate rowscatter-sweep fitted)
    assert 0.5 * 240e-6 < beams(1 << 22) < 1.5 * 240e-6
    assert beams(1 << 22) > 10 * beams(1 << 12)


def test_index_select_past_the_first_dim_runs_the_small_index_or_the_gather_kernel():
    from hetsim.hardware.gpu import few_index_select, rate_keys
    from hetsim.ops import Gather
    from hetsim.tracing.trace import TensorMeta

    def select(shape, n, dim, dtype="float32"):
        out = list(shape)
        out[dim] = n
        return _lower("aten.index_select.default", TensorMeta.dense(shape, dtype), TensorMeta.dense((n,), "int64"),
                      args={"dim": dim}, out=TensorMeta.dense(tuple(out), dtype))

    # G-Eval's five score tokens out of every row's vocabulary: the small-index kernel, an index a step, each index's
    # column of 256 rows its elements (profiled on the H100: indexSelectSmallIndex, 3.4 us; priced as 1,280 one-element
    # rows it was -57 %)
    (few,) = select((256, 128256), 5, 1)
    assert isinstance(few, Gather) and few.rows == 5 and few.elements == 256 * 5 and few_index_select(few)
    assert rate_keys(few)[0] == "gather_few"
    # 4,096 channels picked from each of 2,048 rows: torch.gather's element kernel with the index broadcast
    # (_scatter_gather_elementwise_kernel, 28 us; priced as one-element rows, +338 %)
    (many,) = select((2048, 4096), 4096, 1)
    assert many.regime == "gather_elements" and many.aten == "aten.index_select.default"
    # the index's own bytes, read once (broadcast over the rows), not a copy a row
    assert many.bytes < 2 * 2048 * 4096 * 4 + 2 * 4096 * 8
    # over the first dim nothing changes: the row gather
    (rows,) = select((4096, 2048), 1024, 0, "bfloat16")
    assert isinstance(rows, Gather) and rows.rows == 1024 and rows.row_bytes == 2048 * 2


def test_a_key_that_prices_no_bytes_still_streams_them_no_faster_than_the_hbm():
    from hetsim.calibration.predict import gpu_model
    from hetsim.hardware.gpu import op_device_s
    from hetsim.ops import Softmax

    h100 = gpu_model("H100-SXM")
    # the persistent softmax's key times its lanes' math alone (its bytes never bound its fit cases); 8 x 16 heads of
    # 1,024 x 1,024 fp32 scores read and write 1.07 GB, which ran 364 us on the H100 (realcode-check24), the HBM's
    # rate, where the lanes' math alone says about two thirds of that
    scores = Softmax(8 * 16 * 1024, 1024, "fp32", aten="aten._softmax.default")
    rates = h100.rates_for(scores)
    assert math.isinf(rates.bw_bytes_per_s)
    assert op_device_s(rates, scores) < 0.8 * scores.bytes / h100.hbm_bw
    # the floor, then the key's table of measured neighbours (the kernel's launch shapes) as for any op
    floor = scores.bytes / h100.hbm_bw
    assert h100.device_time_s(scores) == pytest.approx(floor * h100.neighbour_factor(scores), rel=1e-9)
    assert h100.device_time_s(scores) == pytest.approx(364e-6, rel=0.15)
    # a short one keeps its lanes' price, the bytes far from binding
    short = Softmax(64, 1024, "fp32", aten="aten._softmax.default")
    lanes = op_device_s(h100.rates_for(short), short)
    assert short.bytes / h100.hbm_bw < lanes
    assert h100.device_time_s(short) == pytest.approx(lanes * h100.neighbour_factor(short), rel=1e-9)
