"""The launches the third to sixth real-code checks showed mispriced (realcode-more5's kernels): softmax's lane work as
the persistent kernel pads it, index_add_'s and scatter's atomics per element, batched fp32 GEMMs; the op replay that
refuses to time another op than the traced one; and the seventh blind check, scored."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.calibration.predict import gpu_model
from hetsim.calibration.trace_cases import load_cases, validate_ops
from hetsim.calibration.trace_fit import ELEMENT_RATE_KEYS, STEP_KEYS
from hetsim.hardware import launch
from hetsim.hardware.gpu import SOFTMAX_WAVE_FIXED_ELEMENTS, compute_work, op_steps, rate_keys, wave_shape
from hetsim.ops import Gather, Softmax
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def meta(shape, dtype="bfloat16"):
    return TensorMeta.dense(shape, dtype)


def lower(name, inputs, outputs, args=None):
    (op,) = aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args or {}))
    return op


def softmax(shape, dtype="float16"):
    x = meta(shape, dtype)
    return lower("aten._softmax.default", [x], [x], {"dim": -1, "half_to_float": False})


def test_the_persistent_softmax_walks_its_row_rounded_up_to_a_power_of_two():
    # PersistentSoftmax.cuh: WARP_ITERATIONS = next_power_of_two / 32, so a row of 577 costs a lane what 1024 does
    assert launch.softmax_lane_elements(577, 2) == launch.softmax_lane_elements(1024, 2) == 32
    assert launch.softmax_lane_elements(512, 2) == 16
    assert launch.softmax_lane_elements(20, 4) == 1  # a warp narrowed to the row's power of two: one element a lane
    # the block kernel (rows > 2048): its 1,024 threads share the row's own length
    assert launch.softmax_lane_elements(4096, 2) == 4 and launch.softmax_lane_elements(3000, 2) == 3


def test_a_softmax_is_priced_by_its_waves_lane_work_beside_its_bytes():
    op = softmax((8, 16, 577, 577))
    assert isinstance(op, Softmax) and rate_keys(op)[0] == "softmax_warp" and "softmax_warp" in STEP_KEYS
    # 73,856 rows, a warp each, 4 a 128-thread block: 18,464 blocks in waves of 132 x 16
    waves = launch.softmax_waves(8 * 16 * 577, 577, 2)
    assert waves == -(-18464 // 2112)
    assert op_steps(op) == waves * (32 + SOFTMAX_WAVE_FIXED_ELEMENTS) and wave_shape(op) == (op_steps(op), 0.0)
    block = softmax((4096, 4096))
    assert rate_keys(block)[0] == "softmax_last" and "softmax_last" in STEP_KEYS
    # the block kernel's lane counts its loads in fp32-wide elements: 4 bf16 elements a thread are 2 (realcode-more8)
    assert op_steps(block) == launch.softmax_waves(4096, 4096, 2) * (2 + SOFTMAX_WAVE_FIXED_ELEMENTS)
    # a hand formula's softmax (no aten) keeps its class's pricing
    assert op_steps(Softmax(64, 4096, "bf16")) is None


def test_index_add_is_an_atomic_add_per_element_on_its_own_key():
    dest, idx, src = meta((4096, 2048)), meta((291,), "int64"), meta((291, 2048))
    op = lower("aten.index_add_.default", [dest, idx, src], [dest], {"dim": 0})
    assert isinstance(op, Gather) and op.elements == 291 * 2048
    assert rate_keys(op)[:2] == ("index_add", "gather") and compute_work(op) == 291 * 2048
    assert "index_add" in ELEMENT_RATE_KEYS
    # BM25's scatter-add (hetsim/method_code/bm25.py): a 1-D index_add_ of 4-byte scores, an element a row
    one_d = lower("aten.index_add_.default", [meta((1000,), "float32"), meta((300,), "int64"),
                                              meta((300,), "float32")], [meta((1000,), "float32")], {"dim": 0})
    assert (one_d.rows, one_d.row_bytes, one_d.elements) == (300, 4, 300)


def test_an_element_scatter_and_a_batched_fp32_gemm_take_their_own_keys():
    x, idx = meta((8, 100352), "bool"), meta((8, 100352), "int64")
    scatter = lower("aten.scatter_.src", [x, idx, x], [x], {"dim": 1})
    assert rate_keys(scatter)[0] == "scatter" and "scatter" in ELEMENT_RATE_KEYS
    # a sector an element: a permutation of a 100,352-byte row writes each of a warp's 32 elements in its own sector
    # (aten_index.scatter_write_sectors)
    assert compute_work(scatter) == pytest.approx(8 * 100352, rel=0.01)
    q, kt = meta((48, 499, 64), "float32"), TensorMeta((48, 64, 499), (499 * 64, 1, 64), "float32", view=True,
                                                       contiguous=False)
    bmm = lower("aten.bmm.default", [q, kt], [meta((48, 499, 499), "float32")])
    assert rate_keys(bmm)[:3] == ("bmm_fp32_tiles", "bmm_fp32", "matmul_fp32")  # its FFMA tiles where fitted
    mm = lower("aten.mm.default", [meta((499, 64), "float32"), meta((64, 499), "float32")],
               [meta((499, 499), "float32")])
    assert "bmm_fp32" not in rate_keys(mm)


def test_the_op_replay_refuses_an_op_it_cannot_rebuild():
    torch = pytest.importorskip("torch")
    from hetsim.calibration.e2e.opcases import op_callable
    from hetsim.tracing.fake import trace_callable
    from hetsim.tracing.trace import AtenOp, TensorMeta

    # x[:, idx] records its index tensor but not the None before it: the replay puts the None back (the placement
    # whose output is the traced one), where the bare list would index dim 0 and time another op
    tr = trace_callable(lambda x, i: x[:, i], torch.empty(4, 64, 8, device="meta"),
                        torch.empty(3, dtype=torch.int64, device="meta"))
    (op,) = [o for o in tr.ops if o.name == "aten.index.Tensor"]
    assert op_callable(op, torch.device("cpu"))().shape == (4, 3, 8)
    tr = trace_callable(lambda x, i: x[i], torch.empty(64, 8, device="meta"),
                        torch.empty(3, dtype=torch.int64, device="meta"))
    (op,) = [o for o in tr.ops if o.name == "aten.index.Tensor"]
    assert op_callable(op, torch.device("cpu"))().shape == (3, 8)
    # an output no placement of the indices makes is not the traced op: refused, never timed as another
    wrong = AtenOp(op.name, op.inputs, (TensorMeta.dense((5, 5), "float32"),))
    with pytest.raises(ValueError, match="not the traced op"):
        op_callable(wrong, torch.device("cpu"))


def test_the_seventh_realcode_check_is_blind_and_scored(assert_blind):
    assert_blind("realcode-check7", 162, "realcode-more5")
    graph = validate_ops(gpu_model("H200"), load_cases(RUNS / "H200-aten-realcode-check7-2026-12-02.parquet")).stats(
        "graph")
    # written by a helper blind to this session's changes, measured beside realcode-more5 and scored once, after the
    # fit: 13.3 % / 44.5 % with the profile the session began with, 13.0 % / 41.8 % with its end: not the <= 10 %
    # target (GroupNorm over maps the L2 does not hold, small bf16 GEMMs the L2 does, odd-token bmms: the note);
    # 9.6 % / 42.4 % with the L2 residency of op cases (hetsim.hardware.residency), which it motivated; 8.8 % / 37.2 %
    # after realcode-more6, 8.3 % / 36.9 % after -more7; 6.9 % / 20.2 % after realcode-more23..26
    assert graph["median_abs"] == pytest.approx(0.069, abs=0.01)
