"""The seventh real-code fit group (realcode-more7) and what it fits: TensorIterator's four elementwise loops (one
dense layout coalesced and vectorised, or an offset per element; a cast per load and store for mixed dtypes or not),
a row kernel's contiguous copy of a strided input, and the (value, index) reduce's lanes."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, validate_ops
from hetsim.hardware.gpu import rate_keys
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def meta(shape, dtype="bfloat16", stride=None):
    return TensorMeta.dense(shape, dtype, stride)


def heads_view(b, t, h, d, dtype="bfloat16"):
    """(B, T, H, D).transpose(1, 2): a (B, H, T, D) view, dense but not contiguous."""
    return TensorMeta((b, h, t, d), (t * h * d, d, h * d, 1), dtype, view=True, contiguous=False)


def lowered(name, inputs, outputs, args=None):
    return aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}))


def test_operands_of_one_dense_layout_coalesce_and_others_take_the_strided_loop():
    q, k = heads_view(4, 1024, 32, 128), heads_view(4, 1024, 32, 128)
    (both,) = lowered("aten.add.Tensor", [q, k], [heads_view(4, 1024, 32, 128)])
    assert both.regime == "elementwise"  # two transposed views of one layout: the vectorised loop (profiled)
    # a transposed view added to a contiguous tensor: the layouts differ, an offset per element
    (mixed_layout,) = lowered("aten.add.Tensor", [q, meta((4, 32, 1024, 128))], [heads_view(4, 1024, 32, 128)])
    assert mixed_layout.regime == "pointwise_broadcast"
    # a size-1 dim does not break a layout: [4096] against [1, 4096]
    (flat,) = lowered("aten.mul.Tensor", [meta((4096,)), meta((1, 4096))], [meta((1, 4096))])
    assert flat.regime == "elementwise"


def test_mixed_dtypes_cast_in_the_kernel_and_masks_do_not():
    x, r = meta((2048, 4096)), meta((2048, 4096), "float32")
    (add,) = lowered("aten.add.Tensor", [r, x], [r])
    assert add.regime == "pointwise_cast" and rate_keys(add)[:2] == ("pointwise_cast", "cast")
    (rows,) = lowered("aten.mul.Tensor", [x, meta((2048, 1), "float32")], [r])
    assert rows.regime == "pointwise_strided_cast"
    # masked_fill_'s bool mask and a comparison's bool output are the functor's own types: no cast
    (fill,) = lowered("aten.masked_fill_.Scalar", [x, meta((2048, 4096), "bool")], [x], {"value": 0.0})
    (cmp,) = lowered("aten.lt.Tensor", [x, x], [meta((2048, 4096), "bool")])
    assert (fill.regime, cmp.regime) == ("elementwise", "elementwise")
    # torch.where of bf16 and fp32 values: the bf16 one cast first, then where on fp32 (two kernels, profiled)
    cond = meta((64, 32000), "bool")
    cast, where = lowered("aten.where.self", [cond, meta((64, 32000)), meta((64, 32000), "float32")],
                          [meta((64, 32000), "float32")])
    assert cast.regime.startswith("cast") and where.regime == "elementwise"


@pytest.mark.parametrize(("name", "x", "args"), [
    ("aten.native_layer_norm.default", TensorMeta((32, 257, 768), (0, 768, 1), "float16", True, False),
     {"normalized_shape": [768]}),
    ("aten._softmax.default", TensorMeta((8, 16, 512, 1024), (8388608, 524288, 1, 512), "bfloat16", True, False),
     {"dim": -1, "half_to_float": False}),
])
def test_a_row_kernel_copies_a_strided_input_contiguous_first(name, x, args):
    out = meta(x.shape, x.dtype)
    ops = lowered(name, [x], [out], args)
    assert len(ops) == 2 and ops[0].regime.startswith("copy")
    assert len(lowered(name, [out], [out], args)) == 1  # a contiguous input: the row kernel alone


def test_more7_is_fitted_and_prices_its_kernels_within_the_target():
    model = gpu_model("H200")
    assert any("realcode-more7-2026" in f for f in model.profile.provenance["trace_fit"]["cases"])
    rates = model.profile.rates
    # the unrolled cast loop streams below the vectorised one (~2.6 against ~4 TB/s on the H200, profiled)
    assert rates["pointwise_cast"].bw_bytes_per_s < rates["pointwise"].bw_bytes_per_s
    assert rates["reduction_index"].walk_bw_bytes_per_s < float("inf")
    graph = validate_ops(model, load_cases(RUNS / "H200-aten-realcode-more7-2026-12-02.parquet")).stats("graph")
    # in sample (fitted): 45.9 % / 68.0 % with the profile before this group, 4.6 % / 19.1 % after
    assert graph["median_abs"] <= 0.10 and graph["p90_abs"] <= 0.25


def test_a_softmax_costs_its_elements_and_loads_where_its_bytes_do_not_bind():
    # the realcode groups' softmaxes: bf16 and fp32 rows of one length ran the same time a row in the persistent
    # kernel (an exp, a max and a sum per element in fp32), so the row kernels' keys time waves and elements; the block
    # kernel's lane walks its 16-byte loads (16-bit rows of 128256 in 19 us, fp32 in 29: more8). Its bytes bind only
    # thousands of vocabulary-wide rows (realcode-more30): a bytes rate at most the HBM's, beside the elements' rate
    model = gpu_model("H200")
    for key in ("softmax_warp", "softmax_last"):
        rates = model.profile.rates[key]
        assert rates.flop_rate < float("inf") and rates.wave_s > 0
    assert model.profile.rates["softmax_warp"].bw_bytes_per_s == float("inf")
    assert model.profile.rates["softmax_last"].bw_bytes_per_s <= 4.8e12
    bf16, fp32 = (lowered("aten._softmax.default", [meta((4096, 1500), dt)], [meta((4096, 1500), dt)],
                          {"dim": -1, "half_to_float": False})[0] for dt in ("bfloat16", "float32"))
    assert model.device_time_s(bf16) == pytest.approx(model.device_time_s(fp32))
    bf16, fp32 = (lowered("aten._log_softmax.default", [meta((4, 128256), dt)], [meta((4, 128256), dt)],
                          {"dim": -1, "half_to_float": False})[0] for dt in ("bfloat16", "float32"))
    assert 0.5 * model.device_time_s(fp32) < model.device_time_s(bf16) < model.device_time_s(fp32)


def test_a_short_row_sort_costs_a_pass_per_digit_of_its_key():
    # a block radix sort in shared memory (rows <= 4096): a pass per 4-bit digit, each walking the keys a thread holds
    # (32 in the configurations of 256-4,096 keys: hetsim.hardware.sorting.radix_steps), so an int64 argsort of a few
    # thousand expert ids (16 passes) costs more than a bf16 row's four, whatever its bytes (33 us for 1296 int64
    # keys on the H200, realcode-check10; the bytes alone had said 0.2 us)
    model = gpu_model("H200")
    (keys,) = lowered("aten.sort.default", [meta((1296,), "int64")], [meta((1296,), "int64")] * 2)
    (bf16,) = lowered("aten.sort.default", [meta((64, 4096))], [meta((64, 4096)), meta((64, 4096), "int64")])
    assert (keys.steps, bf16.steps) == (16 * 32, 4 * 32)
    assert model.device_time_s(keys) > model.device_time_s(bf16) > 10e-6


def test_a_short_stride_is_a_strided_copy_not_a_transpose():
    # rotary's real halves (x[..., 1::2]) stacked back: neighbouring reads 4 bytes apart share sectors (the ninth and
    # tenth checks' FLUX / CogVideoX rope stacks: +139 % and +115 % as transposes)
    x = meta((1, 24, 4608, 64))
    odd = TensorMeta((1, 24, 4608, 64), (14155776, 589824, 128, 2), "bfloat16", True, False)
    # (five dims: ATen copies each input into its strided slice of the output, one strided copy each)
    copies = lowered("aten.stack.default", [x, odd], [meta((1, 24, 4608, 64, 2))], {"dim": -1})
    assert [c.regime for c in copies] == ["copy_strided", "copy_strided"]
    across = TensorMeta((1, 24, 64, 4608), (7077888, 294912, 1, 64), "bfloat16", True, False)
    (transpose,) = lowered("aten.clone.default", [across], [meta((1, 24, 64, 4608))])
    assert transpose.regime == "copy_transpose"
