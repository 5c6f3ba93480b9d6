"""The thirty-eighth blind real-code group (realcode-check38): a block after rowbmm-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK38 = "realcode-check38"


def test_the_thirty_eighth_check_is_a_blind_block_after_the_rowbmm_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtyseventh, rowbmm_sweep

    ids = assert_appended_block(
        CHECK38,
        range(37944, 39626),
        realcode_sixtyseventh,
        rowbmm_sweep.ROWBMM_SWEEP,
        37943,
        IDS / "check38_ids.txt",
    )
    assert len(ids) == 1682
    # written by a helper who never saw hetsim's pricing (LLM training at scale in plain torch: FSDP / ZeRO / Megatron
    # buffers, context and sequence parallelism, tensor-parallel paths, FP8 training, optimisers, MoE training
    # internals, training-time masks, RL post-training objectives; recent sequence mixers, diffusion LMs, byte models,
    # speech front-ends, data mixing, packed ViTs, dense connections); the H200 profile's fit takes contention-sweep
    # and never this group
    assert_blind(CHECK38, 1682, "contention-sweep")
    assert_names_its_group(CHECK38, regimes=75)


def test_the_thirty_eighth_check_spans_its_functions_and_dtypes(committed_cases):
    from hetsim.calibration.gpu_suite import realcode_sixtyseventh

    mine = [c for c in committed_cases if c.get("group") == CHECK38]
    names = {src[0].split("/")[1] for c in mine for src in c["sources"] if src[0].startswith(CHECK38)}
    written = {label.split("/")[0] for _, label, *_ in realcode_sixtyseventh.specs()}
    # every function written keeps at least one case of its own after the builder drops the earlier groups' cases
    assert names == written and len(written) == 78
    dtypes = {t[2] for c in mine for t in c["spec"].get("in", [])}
    assert {"bfloat16", "float16", "float32", "float64", "complex64", "float8_e4m3fn", "float8_e5m2", "int64", "int32",
            "int8", "bool"} <= dtypes
