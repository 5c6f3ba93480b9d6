"""outer-sweep, math-sweep and rowbmm-sweep: the fit groups appended after realcode-check37, drawn for the checks'
outer (value, index) and Welford reductions, the chains of narrow outer reductions, last-dim maxima, the heavier
activations and the few-row batched products of multi-LoRA serving; scan-sweep, appended after realcode-check38,
cumsum and cumprod from a few elements up, the small end the scan keys' fit cases (3 K chunk steps and more) never
reached."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def test_the_outer_sweep_is_a_block_after_the_thirty_seventh_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import outer_sweep, realcode_sixtysixth

    mine = assert_appended_block(outer_sweep.OUTER_SWEEP, range(37560, 37688), outer_sweep,
                                 realcode_sixtysixth.REALCODE_CHECK37, 37559, IDS / "outer_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    regimes = [c["regime"] for c in cases]
    # the pairs over a middle dim price as the outer pair key; the sums into few outputs as the chain keys; the last-dim
    # maxima beside sums of the same draws as the last-dim key
    assert regimes.count("reduction_outer_pair") == 64
    assert regimes.count("reduction_outer") + regimes.count("reduction_outer_max") == 32
    assert regimes.count("reduction_last") == 32
    pairs = [c for c in cases if c["regime"] == "reduction_outer_pair"]
    assert {c["spec"]["in"][0][2] for c in pairs} == {"float32", "bfloat16", "float16"}
    assert all(c["spec"]["in"][0][0][2] >= 2 for c in pairs)  # a kept inner dim: never the last-dim kernel
    widths = {c["spec"]["in"][0][0][1] for c in cases if c["regime"] in ("reduction_outer", "reduction_outer_max")}
    assert {8, 64, 128, 192, 1024} <= widths  # chains over every block width


def test_the_math_sweep_is_a_block_after_the_outer_sweep(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import math_sweep, outer_sweep

    mine = assert_appended_block(math_sweep.MATH_SWEEP, range(37688, 37848), math_sweep, outer_sweep.OUTER_SWEEP,
                                 37687, IDS / "math_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    # the activations' own key, and the distribution kernel's for exponential_ (Philox draws stored, reading nothing)
    assert {c["regime"] for c in cases} == {"pointwise_math", "random"}
    assert all((c["regime"] == "random") == c["aten"].startswith("aten.exponential_") for c in cases)
    pows = [c for c in cases if c["aten"].startswith("aten.pow")]
    # powf's exponents, none of which pow_tensor_scalar_kernel runs as products
    assert len({c["spec"]["args"]["exponent"] for c in pows}) >= 5
    sizes = [c["spec"]["in"][0][0][0] for c in cases]
    assert min(sizes) < 1 << 14 and max(sizes) > 1 << 26  # from a launch's fixed cost to the bytes' rate


def test_the_rowbmm_sweep_is_a_block_after_the_math_sweep(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import math_sweep, rowbmm_sweep

    mine = assert_appended_block(rowbmm_sweep.ROWBMM_SWEEP, range(37848, 37944), rowbmm_sweep, math_sweep.MATH_SWEEP,
                                 37847, IDS / "rowbmm_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    assert all(c["aten"] == "aten.bmm.default" for c in cases)
    shapes = [(c["spec"]["in"][0][0], c["spec"]["in"][1][0]) for c in cases]
    # items of one to eight rows, 16-bit, over a rank-wide contraction into a wide output or the reverse
    assert {a[1] for a, _ in shapes} == {1, 2, 4, 5, 8}
    assert {c["spec"]["in"][0][2] for c in cases} == {"bfloat16", "float16"}
    assert any(a[2] <= 64 and b[2] >= 4096 for a, b in shapes) and any(a[2] >= 4096 and b[2] <= 32 for a, b in shapes)
    # a gathered adapter transposed (stored [batch, n, k]) as well as row-major
    assert {c["spec"]["in"][1][1][1] == 1 for c in cases} == {True, False}


def test_the_scan_sweep_is_a_block_after_the_thirty_eighth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_sixtyseventh, scan_sweep

    mine = assert_appended_block(scan_sweep.SCAN_SWEEP, range(39626, 39722), scan_sweep,
                                 realcode_sixtyseventh.REALCODE_CHECK38, 39625, IDS / "scan_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    # every scan kernel ATen picks: rows over the last dim, one row (cub's device scan), an outer dim
    regimes = [c["regime"] for c in cases]
    assert {"scan", "scan_device", "scan_outer"} == set(regimes)
    assert min(regimes.count(r) for r in ("scan", "scan_device", "scan_outer")) >= 16
    assert {c["aten"] for c in cases} == {"aten.cumsum.default", "aten.cumprod.default"}
    # no cast kernel before the scan: the input's dtype is the output's
    assert all(c["spec"]["in"][0][2] == c["spec"]["out"][0][2] for c in cases)
    sizes = sorted(c["spec"]["in"][0][0][0] * (c["spec"]["in"][0][0][1] if len(c["spec"]["in"][0][0]) > 1 else 1)
                   for c in cases)
    assert sizes[0] < 256 and sizes[len(sizes) // 4] < 1 << 14 and sizes[-1] > 1 << 20  # the small end most of all


def test_a_batch_of_one_row_products_prices_its_tiles_columns_not_its_bytes():
    from hetsim.hardware.gpu import compute_work, rate_keys
    from hetsim.ops import Matmul

    # S-LoRA's per-token adapter: 2,048 tokens of x[1, 8] @ B[8, 4096], B gathered per token and transposed
    lora = Matmul(m=1, n=4096, k=8, batch=2048, dtype="bf16", shared_b=False, aten="aten.bmm.default")
    assert rate_keys(lora)[:2] == ("bmm_rows", "bmm")
    # one 8-row tile row along the 4,096 outputs of every item, whatever its one row fills: 2,048 x 4,096 columns
    assert compute_work(lora) == 2048 * 4096
    # five rows still fill one tile row; nine rows are no longer a few-row item
    assert compute_work(Matmul(m=5, n=4096, k=8, batch=2048, dtype="bf16", shared_b=False,
                               aten="aten.bmm.default")) == 2048 * 4096
    assert rate_keys(Matmul(m=9, n=4096, k=8, batch=2048, dtype="bf16", shared_b=False,
                            aten="aten.bmm.default"))[0] != "bmm_rows"
    # small items on both sides keep nvjet's one-tile-an-item key; fp32 and a shared weight are other kernels
    assert rate_keys(Matmul(m=8, n=64, k=16, batch=512, dtype="bf16", shared_b=False,
                            aten="aten.bmm.default"))[0] == "bmm_tiles"
    assert rate_keys(Matmul(m=1, n=4096, k=8, batch=2048, dtype="fp32", shared_b=False,
                            aten="aten.bmm.default"))[0] != "bmm_rows"
    assert rate_keys(Matmul(m=1, n=4096, k=8, batch=2048, dtype="bf16", shared_b=True,
                            aten="aten.bmm.default"))[0] != "bmm_rows"


def test_a_batch_of_one_row_products_over_a_long_contraction_walks_nvjet_tiles():
    from hetsim.hardware.gpu import rate_keys, wave_shape
    from hetsim.ops import Matmul

    # a token's adapter down-projection: x[1, 14336] @ A[14336, 8] for each of 128 tokens, one 64 x 8 tile an item
    down = Matmul(m=1, n=8, k=14336, batch=128, dtype="bf16", shared_b=False, aten="aten.bmm.default")
    assert rate_keys(down)[0] == "bmm_tiles"
    blocks, steps = wave_shape(down)
    assert blocks == 128 and steps == 14336 // 16
    # two columns a row are cuBLAS's gemv kernels (unaligned), not a tile
    assert rate_keys(Matmul(m=1, n=2, k=3328, batch=578, dtype="bf16", shared_b=False,
                            aten="aten.bmm.default"))[0] != "bmm_tiles"
