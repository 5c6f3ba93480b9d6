"""Op costs against hand-computed FLOPs and bytes."""

import pytest

from hetsim.ops import Attention, AxisReduction, Copy, Elementwise, FpgaKernel, Gather, Matmul, Reduction, TopK


def test_linear_reads_the_weight_once_for_the_whole_batch():
    op = Matmul(8, 6144, 4096, dtype="bf16")  # decode QKV of 8 tokens
    assert op.flops == 2 * 8 * 6144 * 4096
    assert op.bytes == 2 * (8 * 4096 + 4096 * 6144 + 8 * 6144)


def test_bmm_reads_one_b_per_batch_entry():
    op = Matmul(4, 2048, 128, batch=64, shared_b=False, dtype="bf16")
    assert op.flops == 2 * 64 * 4 * 2048 * 128
    assert op.bytes == 2 * (64 * 4 * 128 + 64 * 128 * 2048 + 64 * 4 * 2048)


def test_decode_attention_counts_q_out_and_the_grouped_kv_cache():
    op = Attention(batch=2, q_heads=32, kv_heads=8, q_len=1, kv_len=1000, head_dim=128)
    assert op.flops == 4 * 2 * 32 * 1000 * 128
    assert op.bytes == 2 * (2 * 2 * 32 * 128 + 2 * 2 * 8 * 1000 * 128)


def test_causal_prefill_attention_scores_half_the_square_plus_diagonal():
    op = Attention(batch=1, q_heads=1, kv_heads=1, q_len=4, kv_len=4, head_dim=8, causal=True)
    assert op.pairs == 1 + 2 + 3 + 4
    assert op.flops == 4 * 10 * 8


def test_topk_reads_candidates_and_writes_values_and_int64_indices():
    op = TopK(rows=16, n=2048, k=64, dtype="bf16")
    assert op.bytes == 16 * (2048 * 2 + 64 * (2 + 8))
    with pytest.raises(ValueError, match="0 < k <= n"):
        TopK(rows=1, n=10, k=11)


def test_gather_moves_selected_rows_twice_plus_indices():
    assert Gather(rows=100, row_bytes=256, source_rows=10_000).bytes == 2 * 100 * 256 + 100 * 8


def test_a_fan_out_gather_reads_each_source_row_once():
    # 8 indices a row (MoE dispatch to top-8 experts): the 10 source rows read once, the 80 output rows written
    assert Gather(rows=80, row_bytes=4, source_rows=10).bytes == 10 * 4 + 80 * 4 + 80 * 8


def test_elementwise_reduction_copy():
    assert Elementwise(1000, inputs=2, dtype="fp32").bytes == 4 * 3000
    assert Reduction(10, 100, "bf16").bytes == 2 * (1000 + 10)
    assert Copy(1 << 20, "d2d").bytes == 2 << 20
    assert Copy(1 << 20, "h2d").bytes == 1 << 20


def test_an_index_reduction_writes_its_int64_indices():
    # max.dim over 3 fp32 channels of [64, 3, 50176] (kornia's adjust_hue): values and int64 indices an output
    read, outputs = 4 * 64 * 3 * 50176, 64 * 50176

    def bytes_of(aten):
        return AxisReduction(64, 3, "fp32", inner=50176, aten=aten).bytes

    assert bytes_of("aten.max.dim") == read + (4 + 8) * outputs
    assert bytes_of("aten.argmax.default") == read + 8 * outputs  # the indices alone
    assert bytes_of("aten.amax.default") == read + 4 * outputs


def test_fpga_kernel_flops_are_two_per_mac():
    op = FpgaKernel(kernel="k", n_items=100, item_bytes=512, macs_per_item=1024, k=8, rows=4)
    assert op.flops == 2 * 4 * 100 * 1024
    assert op.bytes == 4 * 100 * 512


def test_names_do_not_change_identity():
    assert Matmul(1, 2, 3, name="a") == Matmul(1, 2, 3, name="b")
