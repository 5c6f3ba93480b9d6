"""The trace as data (no torch): JSON round trip, op classes, FLOPs and bytes from shapes, the step's sizes."""

import pytest

from hetsim.errors import ConfigError
from hetsim.tracing.classify import cost, op_class
from hetsim.tracing.hf import make_step
from hetsim.tracing.trace import AtenOp, ModuleCall, SdpaCall, TensorMeta, Trace


def t(*shape, dtype="bfloat16", stride=None):
    return TensorMeta.dense(shape, dtype, stride)


def test_json_round_trip_keeps_everything():
    q = t(2, 4, 1, 16)
    mean = AtenOp("aten.mean.dim", (t(2, 1, 64, dtype="float32"),), (t(2, 1, 1, dtype="float32"),),
                  {"keepdim": True}, (2,), module=1)
    trace = Trace({"model": "x"}, (mean,),
                  (ModuleCall("", "Root", -1, 0, 1), ModuleCall("norm", "RMSNorm", 0, 0, 1)),
                  (SdpaCall(q, t(2, 2, 9, 16), t(2, 2, 9, 16), None, False, True, 0.0, None, 0, 1, 1),))
    assert Trace.from_json(trace.to_json()) == trace
    assert trace.module_path(trace.ops[0]) == "norm"


def test_mm_flops_and_bytes_by_hand():
    op = AtenOp("aten.mm.default", (t(8, 4096), t(4096, 1024, stride=(1, 4096))), (t(8, 1024),))
    c = cost(op)
    assert c.op_class == "matmul"
    assert c.flops == 2 * 8 * 4096 * 1024
    assert c.bytes == 2 * (8 * 4096 + 4096 * 1024 + 8 * 1024)


def test_broadcast_input_is_read_once_and_views_cost_nothing():
    expanded = t(8, 4096, stride=(0, 1))  # a (4096,) weight broadcast over 8 rows
    c = cost(AtenOp("aten.mul.Tensor", (expanded, t(8, 4096)), (t(8, 4096),)))
    assert (c.op_class, c.flops, c.bytes) == ("elementwise", 8 * 4096, 2 * (4096 + 2 * 8 * 4096))
    assert cost(AtenOp("aten.view.default", (t(8, 4096),), (t(8, 1, 4096),), alias=True)) == (cost(
        AtenOp("aten._unsafe_view.default", (t(8, 4096),), (t(8, 1, 4096),))))
    assert cost(AtenOp("aten.view.default", (t(8, 4096),), (t(8, 1, 4096),), alias=True)).bytes == 0


def test_index_copy_moves_only_the_new_rows():
    cache, index, new = t(8, 8, 32768, 128), t(1, dtype="int64"), t(8, 8, 1, 128)
    c = cost(AtenOp("aten.index_copy_.default", (cache, index, new), (cache,), {"dim": 2}, inplace=True))
    assert c.op_class == "copy"
    assert c.bytes == 8 + 2 * (8 * 8 * 128 * 2)


def test_causal_attention_counts_half_the_pairs():
    q = k = t(1, 8, 4, 16)
    full = cost(AtenOp("aten._scaled_dot_product_flash_attention_for_cpu.default", (q, k, k), (q,), {}))
    causal = cost(AtenOp("aten._scaled_dot_product_flash_attention_for_cpu.default", (q, k, k), (q,),
                     {"is_causal": True}))
    assert full.flops == 2 * 8 * 16 * (16 + 16)
    assert causal.flops == 2 * 8 * 10 * (16 + 16)  # 1 + 2 + 3 + 4 pairs


def test_unknown_op_is_other_not_priced_silently():
    assert op_class(AtenOp("aten._local_scalar_dense.default", (t(1),), ())) == "other"


@pytest.mark.parametrize("kwargs, field, needle", [
    (dict(phase="train", batch=1, context=8), "phase", "prefill, decode"),
    (dict(phase="decode", batch=0, context=8), "batch", ">= 1"),
    (dict(phase="decode", batch=1, context=-1), "context", ">= 0"),
    (dict(phase="prefill", batch=1, context=0), "context", ">= 1"),
    (dict(phase="decode", batch=1, context=8, stack="vllm"), "stack", "hf-dynamic, hf-static"),
    (dict(phase="decode", batch=1, context=8, stack="hf-static", cache_len=8), "cache_len", ">= cached + new"),
    (dict(phase="decode", batch=1, context=8, cache_len=16), "cache_len", "hf-static only"),
])
def test_bad_step_is_one_line_naming_the_field(kwargs, field, needle):
    with pytest.raises(ConfigError) as info:
        make_step(**kwargs)
    assert info.value.field == field
    assert needle in info.value.render() and "\n" not in info.value.render()


def test_step_sizes():
    assert make_step("decode", 8, 100).cached == 100 and make_step("decode", 8, 100).new == 1
    assert make_step("prefill", 8, 100).cached == 0 and make_step("prefill", 8, 100).new == 100
    assert make_step("decode", 1, 100, stack="hf-static").cache_len == 101
