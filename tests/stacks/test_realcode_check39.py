"""The thirty-ninth blind real-code group (realcode-check39): a block after scan-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK39 = "realcode-check39"


def test_the_thirty_ninth_check_is_a_blind_block_after_the_scan_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtyeighth, scan_sweep

    ids = assert_appended_block(
        CHECK39,
        range(39722, 41392),
        realcode_sixtyeighth,
        scan_sweep.SCAN_SWEEP,
        39721,
        IDS / "check39_ids.txt",
    )
    assert len(ids) == 1670
    # written by a helper who never saw hetsim's pricing (the paper's memory-processing methods and their 2025-26
    # successors in plain torch: DeepSeek sparse attention, NSA / MoBA, SeerAttention-R, Quest / LServe, MagicPIG and
    # RetrievalAttention, RAG retrieval stacks and triggers, MemAgent, memory tokens and layers, Titans / ATLAS / TTT /
    # LaCT fast weights, gated delta rules, attention sinks); the H200 profile's fit takes contention-sweep and never
    # this group
    assert_blind(CHECK39, 1670, "contention-sweep")
    assert_names_its_group(CHECK39, regimes=72)


def test_the_thirty_ninth_check_spans_its_functions_and_dtypes(committed_cases):
    from hetsim.calibration.gpu_suite import realcode_sixtyeighth

    mine = [c for c in committed_cases if c.get("group") == CHECK39]
    names = {src[0].split("/")[1] for c in mine for src in c["sources"] if src[0].startswith(CHECK39)}
    written = {label.split("/")[0] for _, label, *_ in realcode_sixtyeighth.specs()}
    # every function written keeps at least one case of its own after the builder drops the earlier groups' cases
    assert names == written and len(written) == 76
    dtypes = {t[2] for c in mine for t in c["spec"].get("in", [])}
    assert {"bfloat16", "float16", "float32", "int64", "int32", "int8", "uint8", "bool"} <= dtypes
