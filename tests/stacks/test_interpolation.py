"""Interpolating resizes (hetsim.stacks.aten_image._interpolate): a thread an output position walking every (sample,
channel), priced by the 128-byte lines its warps' taps touch: one SM's lines, every warp's lines as L2 traffic, and a
thread's trips; the layouts and shortcuts PyTorch's kernels take; and the H200 checks' resizes scored."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT
from hetsim.hardware import residency
from hetsim.ops import Pointwise
from hetsim.stacks import aten
from hetsim.stacks.aten_image import LINE_BYTES, interp_warp_lines
from hetsim.tracing.trace import AtenOp, TensorMeta

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"


def _lower(name, x, out, **args):
    return aten.lower_op(AtenOp(name, (x,), (out,), {"align_corners": False, **args}))


def _channels_last(shape, dtype="float32") -> TensorMeta:
    n, c, h, w = shape
    return TensorMeta(tuple(shape), (h * w * c, 1, w * c, c), dtype)


def test_a_channels_last_input_costs_a_line_a_thread_a_tap():
    nchw, out = TensorMeta.dense((1, 768, 24, 24), "float32"), TensorMeta.dense((1, 768, 32, 32), "float32")
    last, out_last = _channels_last((1, 768, 24, 24)), _channels_last((1, 768, 32, 32))
    # 16 taps: over NCHW a warp's 32 neighbouring outputs share a line or two a tap; channels-last, each its own
    assert interp_warp_lines(nchw, out, False, cubic=True) < 26
    assert interp_warp_lines(last, out_last, False, cubic=True) > 15 * 24
    (a,), (b,) = (_lower("aten.upsample_bicubic2d.default", last, out_last, output_size=[32, 32]),
                  _lower("aten.upsample_bicubic2d.default", nchw, out, output_size=[32, 32]))
    assert a.regime == b.regime == "upsample_bicubic" and a.walk == b.walk == 768  # one block: one wave of trips
    assert a.lines > 15 * b.lines and a.bytes > 15 * b.bytes


def test_the_bytes_are_the_lines_every_warp_moves_and_trilinear_runs_512_thread_blocks():
    x, out = TensorMeta.dense((64, 3, 256, 256), "float32"), TensorMeta.dense((64, 3, 1024, 1024), "float32")
    (op,) = _lower("aten.upsample_bilinear2d.default", x, out, output_size=[1024, 1024])
    lines = interp_warp_lines(x, out, False, cubic=False)
    assert 4 <= lines <= 6  # 4 taps over two input rows, one store line
    assert op.bytes == pytest.approx(1024 * 32 * 192 * lines * LINE_BYTES, rel=1e-6)  # 1,024 blocks of 32 warps
    assert op.bytes > 4 * (x.numel + out.numel) * 4  # 4-5x the tensors' own bytes
    assert op.lines == pytest.approx(8 * 32 * 192 * lines, rel=1e-6)  # the busiest SM's 8 blocks
    x3, out3 = TensorMeta.dense((1, 3, 80, 96, 112), "float32"), TensorMeta.dense((1, 3, 160, 192, 224), "float32")
    (tri,) = _lower("aten.upsample_trilinear3d.default", x3, out3, output_size=[160, 192, 224])
    blocks = 160 * 192 * 224 // 512
    assert tri.regime == "upsample_bilinear" and tri.walk == 3 * -(-blocks // (132 * 4))  # 4 blocks of 512 an SM


def test_the_kernels_pytorch_takes_for_layouts_and_sizes():
    # channels-last bilinear of 16+ channels: the NHWC kernel, a thread an output element; fewer channels take the NCHW
    # kernel through the strides (UpSampleBilinear2d.cu's forward heuristic)
    (nhwc,) = _lower("aten.upsample_bilinear2d.default", _channels_last((2, 64, 32, 32)),
                     _channels_last((2, 64, 64, 64)), output_size=[64, 64])
    assert nhwc.regime == "upsample_nearest" and nhwc.operands == 5
    (few,) = _lower("aten.upsample_bilinear2d.default", _channels_last((18, 4, 53, 67)),
                    _channels_last((18, 4, 26, 125)), output_size=[26, 125])
    assert few.regime == "upsample_bilinear" and few.lines
    # [N, C, 1, 1] has NCHW's strides too: the NCHW kernel (deeplab's pooled branch, realcode-check24)
    pooled = TensorMeta.dense((4, 256, 1, 1), "float32")
    (aspp,) = _lower("aten.upsample_bilinear2d.default", pooled, TensorMeta.dense((4, 256, 65, 65), "float32"),
                     output_size=[65, 65])
    assert aspp.regime == "upsample_bilinear"
    # the same size: bilinear copies (2.4 us for 4 MB), bicubic still runs its kernel (a copy inside the loop)
    same = TensorMeta.dense((16, 64, 32, 32), "float32")
    (copy,) = _lower("aten.upsample_bilinear2d.default", same, same, output_size=[32, 32])
    (cubic,) = _lower("aten.upsample_bicubic2d.default", same, same, output_size=[32, 32])
    assert copy.regime == "copy_memcpy" and copy.aten == "aten.upsample_bilinear2d.default"
    assert cubic.regime == "upsample_bicubic" and interp_warp_lines(same, same, False, cubic=True) == 2.0


def test_line_traffic_takes_no_l2_gain():
    x, out = TensorMeta.dense((1, 19, 256, 512), "float32"), TensorMeta.dense((1, 19, 1024, 2048), "float32")
    (op,) = _lower("aten.upsample_bilinear2d.default", x, out, output_size=[1024, 2048])
    small = Pointwise(1024, 8192, "aten.mul.Tensor", "pointwise")
    shared = residency.replayed((op, small), 60e6)
    assert shared[0].l2_share == 0.0 and shared[1].l2_share > 0


def test_the_checks_interpolating_resizes_are_priced_within_their_spread():
    """H200 checks 18-27 (never fitted): 28 bilinear and bicubic resizes, 34 % median and 20 beyond 25 % under the
    walk and the tensors' bytes (2026-12-05's sixth session); now the lines (calibration/README.md)."""
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases, validate_ops

    names = ("realcode-check18-2026-12-03", "realcode-check20-2026-12-04", "realcode-check21-2026-12-04",
             "realcode-check24-2026-12-04", "realcode-check25-2026-12-04", "realcode-check26-2026-12-04",
             "realcode-check27-2026-12-05")
    cases = [c for name in names for c in load_cases(RUNS / f"H200-aten-{name}.parquet")
             if c.aten in ("aten.upsample_bilinear2d.default", "aten.upsample_bicubic2d.default")]
    graph = validate_ops(gpu_model("H200"), cases).stats("graph")
    assert graph["n"] == 28
    assert graph["median_abs"] < 0.12 and graph["p90_abs"] < 0.3


def test_the_interp_sweep_is_a_block_after_the_twenty_ninth_check_spanning_the_forms_the_fit_lacks(
        assert_appended_block, committed_cases):
    """interp-sweep (to time on the next lease): trilinear, 1-D linear, bilinear's NHWC kernel, resizes of many
    positions, foreach launches of few chunks, unreduced nll_loss. Built, not yet timed: nothing is fitted on it."""
    from hetsim.calibration.gpu_suite import interp_sweep, realcode_fiftyeighth

    mine = assert_appended_block(interp_sweep.INTERP_SWEEP, range(25197, 25245), interp_sweep,
                                 realcode_fiftyeighth.REALCODE_CHECK29, 25196,
                                 REPO_ROOT / "experiments" / "kernel_dispatch" / "interp_sweep_ids.txt")
    ops = [(committed_cases[n]["regime"], AtenOp.from_json(committed_cases[n]["spec"])) for n in mine]
    names = {op.name for _, op in ops}
    assert {"aten.upsample_trilinear3d.default", "aten.upsample_linear1d.default", "aten._foreach_mul_.Scalar",
            "aten.nll_loss_forward.default"} <= names
    nhwc = [op for regime, op in ops if op.name == "aten.upsample_bilinear2d.default" and regime == "upsample_nearest"]
    assert len(nhwc) == 5  # the NHWC kernel's elements, never timed before (three drawn with < 16 channels run NCHW)
    permuted = [op for _, op in ops if op.name.startswith("aten.upsample") and op.inputs[0].stride[1] == 1]
    assert len(permuted) >= 10
