"""conv-few-sweep and gemm-fp32-thin: the fit groups appended after castmix-sweep, drawn for the checks'
convolutions with few channels on one side (RGB patch embeddings and stems, heads writing an image's or a mask's
channels) and their fp32 products over contractions of a few features, which the earlier conv and fp32 sweeps
sampled thinly or not at all."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def test_the_few_channel_convolutions_are_a_block_after_castmix_sweep(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import castmix_sweep, conv_sweep

    mine = assert_appended_block(conv_sweep.CONV_FEW_SWEEP, range(41675, 41867),
                                 SimpleNamespace(specs=conv_sweep.specs_few), castmix_sweep.CASTMIX_SWEEP, 41674,
                                 IDS / "conv_few_sweep_ids.txt")
    cases = [committed_cases[n] for n in mine]
    assert {c["aten"] for c in cases} == {"aten.convolution.default"}
    weights = [c["spec"]["in"][1][0] for c in cases]
    # [out, in, kh, kw]: few input channels (patches, stems) or few outputs (heads), never neither
    assert all(w[0] <= 4 or w[1] <= 4 for w in weights)
    patches = [c for c, w in zip(cases, weights, strict=True)
               if w[1] <= 4 and c["spec"]["args"]["stride"] == w[2:] and w[2] >= 4]
    assert len(patches) >= 90 and sum(w[1] == 3 for w in weights) >= 30
    # every float width, and the paths cuDNN takes for them (implicit GEMMs, CUDA-core kernels, layout kernels)
    assert {c["spec"]["in"][0][2] for c in cases} == {"float32", "float16", "bfloat16"}
    assert {"conv_simt", "conv_layout", "conv_gemm_sm80"} <= {c["regime"] for c in cases}


def test_the_thin_fp32_products_are_a_block_after_the_few_channel_convolutions(assert_appended_block,
                                                                               committed_cases):
    from hetsim.calibration.gpu_suite import conv_sweep, gemm_fp32

    mine = assert_appended_block(gemm_fp32.GEMM_FP32_THIN, range(41867, 42058),
                                 SimpleNamespace(specs=gemm_fp32.specs_thin), conv_sweep.CONV_FEW_SWEEP, 41866,
                                 IDS / "gemm_fp32_thin_ids.txt")
    cases = [committed_cases[n] for n in mine]
    assert {c["regime"] for c in cases} == {"matmul_fp32"}

    def contraction(case):
        a = case["spec"]["in"][-2][0]  # mm's and addmm's first factor: [rows, contraction] as traced
        return a[1]

    ks = [contraction(c) for c in cases]
    assert min(ks) >= 2 and max(ks) <= 64 and sum(k < 8 for k in ks) >= 25
    # the four layouts real code writes: a Linear with its bias (addmm) and without, x @ w and a.T @ b
    ops = Counter(c["aten"] for c in cases)
    assert ops["aten.addmm.default"] >= 80 and ops["aten.mm.default"] >= 100
