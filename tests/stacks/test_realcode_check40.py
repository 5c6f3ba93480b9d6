"""The fortieth blind real-code group (realcode-check40): a block after gemm-fp32-thin, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK40 = "realcode-check40"


def test_the_fortieth_check_is_a_blind_block_after_the_thin_fp32_products(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import gemm_fp32, realcode_sixtyninth

    ids = assert_appended_block(
        CHECK40,
        range(42058, 43702),
        realcode_sixtyninth,
        gemm_fp32.GEMM_FP32_THIN,
        42057,
        IDS / "check40_ids.txt",
    )
    assert len(ids) == 1644
    # written by a helper who never saw hetsim's pricing (LLM serving and inference paths of 2025-26 stacks in plain
    # torch: sampling and logits processors, speculative decoding's verification (rejection sampling, Medusa, EAGLE),
    # paged KV-cache bookkeeping and quantised caches, rotary variants, MoE routing and permutation, quantised
    # weights and activations, multi-LoRA, vision-language front-ends); the H200 profile's fit takes
    # contention-sweep and never this group
    assert_blind(CHECK40, 1644, "contention-sweep")
    assert_names_its_group(CHECK40, regimes=82)


def test_the_fortieth_check_spans_its_functions_and_dtypes(committed_cases):
    from hetsim.calibration.gpu_suite import realcode_sixtyninth

    mine = [c for c in committed_cases if c.get("group") == CHECK40]
    names = {src[0].split("/")[1] for c in mine for src in c["sources"] if src[0].startswith(CHECK40)}
    written = {label.split("/")[0] for _, label, *_ in realcode_sixtyninth.specs()}
    # every function written keeps at least one case of its own after the builder drops the earlier groups' cases
    assert names == written and len(written) == 79
    dtypes = {t[2] for c in mine for t in c["spec"].get("in", [])}
    assert {"bfloat16", "float16", "float32", "int64", "int32", "int8", "uint8", "bool", "float8_e4m3fn"} <= dtypes
