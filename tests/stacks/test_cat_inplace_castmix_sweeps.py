"""cat-sweep, inplace-sweep and castmix-sweep: the fit groups appended after realcode-check39, drawn for the checks'
strided cats with one input holding the bytes (StreamingLLM's sinks before a cache's window), their 16-bit elementwise
ops with a broadcast operand in place and their mixed-dtype ops into 16-bit outputs (an int8 weight times its fp16
scale), each beside the form the fit already holds (cats of alike inputs, out-of-place twins, fp32 outputs)."""

from __future__ import annotations

import math
from collections import Counter

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def _dominant_share(case: dict) -> float:
    """The largest input's share of a cat's extent along its dim."""
    spec = case["spec"]
    out = spec["out"][0][0]
    dim = spec["args"].get("dim", 0) % len(out)
    return max(t[0][dim] for t in spec["in"] if isinstance(t, list)) / out[dim]


def test_the_cat_sweep_is_a_block_after_the_thirty_ninth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import cat_sweep, realcode_sixtyeighth

    mine = assert_appended_block(cat_sweep.CAT_SWEEP, range(41392, 41507), cat_sweep,
                                 realcode_sixtyeighth.REALCODE_CHECK39, 41391, IDS / "cat_sweep_ids.txt")
    cats = [committed_cases[n] for n in mine if committed_cases[n]["aten"] == "aten.cat.default"]
    strided = [c for c in cats if c["regime"] in ("cat_strided", "cat_strided_dominated")]
    assert len(strided) >= 90
    # one input holding the bytes, and inputs alike, each in numbers a fit can take apart
    shares = [_dominant_share(c) for c in strided]
    assert sum(s >= 0.9 for s in shares) >= 40 and sum(s <= 0.6 for s in shares) >= 30
    # the dominated ones priced by their own key: one input with three quarters of the bytes (aten_copies.dominated_cat)
    assert all((c["regime"] == "cat_strided_dominated") == (s >= 0.75) for c, s in zip(strided, shares, strict=True))
    # along a row dim of a cache and along the last dim, in every float width
    dims = Counter(c["spec"]["args"]["dim"] for c in strided)
    assert dims[2] >= 40 and dims[-1] >= 30
    assert {c["spec"]["out"][0][2] for c in strided} == {"bfloat16", "float16", "float32"}
    # the batched kernel's strided inputs: some input of every case a view that is not contiguous
    assert all(any(t[4] == 0 for t in c["spec"]["in"] if isinstance(t, list)) for c in strided)


def test_the_inplace_sweep_pairs_each_op_with_its_out_of_place_twin(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import cat_sweep, inplace_sweep

    mine = assert_appended_block(inplace_sweep.INPLACE_SWEEP, range(41507, 41603), inplace_sweep,
                                 cat_sweep.CAT_SWEEP, 41506, IDS / "inplace_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    # pairs: the in-place op then its twin at the same shapes and dtype
    for first, second in zip(cases[::2], cases[1::2], strict=True):
        assert first["aten"].split(".")[1] == second["aten"].split(".")[1] + "_"
        assert [t[:3] for t in first["spec"]["in"]] == [t[:3] for t in second["spec"]["in"]]
    ops = Counter(c["aten"] for c in cases)
    assert set(ops) == {"aten.add_.Tensor", "aten.add.Tensor", "aten.mul_.Tensor", "aten.mul.Tensor",
                        "aten.masked_fill_.Scalar", "aten.masked_fill.Scalar"}
    assert {c["spec"]["in"][0][2] for c in cases} == {"bfloat16", "float16", "float32"}
    # most with an operand broadcast (the strided kernel's form; an out-of-place masked_fill's first kernel is its
    # clone); sizes from a launch's bytes to the HBM's rate
    broadcast = [c for c in cases if c["regime"] in ("pointwise_broadcast", "pointwise_inplace_half")]
    assert len(broadcast) >= 64
    # the strided kernel in place over 16-bit elements has its own key; fp32 in place and every twin do not
    assert {c["regime"] == "pointwise_inplace_half" for c in broadcast
            if c["aten"].split(".")[1].endswith("_") and c["spec"]["in"][0][2] != "float32"} == {True}
    assert not any(c["regime"] == "pointwise_inplace_half" for c in broadcast
                   if c["spec"]["in"][0][2] == "float32" or not c["aten"].split(".")[1].endswith("_"))
    elements = sorted(math.prod(c["spec"]["in"][0][0]) for c in cases)
    assert elements[0] >= 1 << 19 and elements[-1] >= 1 << 26


def test_the_castmix_sweep_writes_16_bit_and_fp32_outputs_from_two_dtypes(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import castmix_sweep, inplace_sweep

    mine = assert_appended_block(castmix_sweep.CASTMIX_SWEEP, range(41603, 41675), castmix_sweep,
                                 inplace_sweep.INPLACE_SWEEP, 41602, IDS / "castmix_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    # TensorIterator's kernel with a cast per load and store: two input dtypes, contiguous, one shape
    # (pointwise_cast_half into a 16-bit output)
    assert all(c["regime"] == ("pointwise_cast" if c["spec"]["out"][0][2] == "float32" else "pointwise_cast_half")
               for c in cases)
    assert all(len({t[2] for t in c["spec"]["in"]}) == 2 for c in cases)
    assert all(c["spec"]["in"][0][0] == c["spec"]["in"][1][0] for c in cases)
    outputs = Counter(c["spec"]["out"][0][2] for c in cases)
    assert outputs["float32"] >= 24 and outputs["float16"] + outputs["bfloat16"] >= 24
    assert {"int8", "bool"} <= {t[2] for c in cases for t in c["spec"]["in"]}
