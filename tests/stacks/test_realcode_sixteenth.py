"""The twelfth blind check of everyday PyTorch inference code (realcode-check12, in realcode_sixteenth): written by a
helper from the models' and serving stacks' reference code after realcode-more9, blind to every earlier group; its
structure is checked here (its timing is scored in test_realcode_seventeenth)."""

from __future__ import annotations

from collections import Counter

from hetsim.calibration.gpu_suite.aten_cases import read_cases

CHECK12 = "realcode-check12"
PRODUCTS = ("matmul", "bmm", "gemv")


def _cases() -> list[dict]:
    return read_cases()


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(CHECK12, regimes=12)


def test_the_twelfth_realcode_check_shares_no_case_with_any_other_group():
    from hetsim.calibration.gpu_suite.aten_cases import case_key

    groups: dict[str, set[str]] = {}
    for c in _cases():
        groups.setdefault(c.get("group", "models"), set()).add(case_key(c["kind"], c["spec"]))
    blind = groups.pop(CHECK12)
    assert 130 <= len(blind) <= 170
    assert not any(blind & keys for keys in groups.values())


def test_the_twelfth_realcode_check_is_appended_last_as_one_block():
    from hetsim.calibration.gpu_suite import (
        realcode_eighteenth,
        realcode_nineteenth,
        realcode_seventeenth,
        realcode_sixteenth,
        realcode_twentieth,
    )
    from hetsim.calibration.gpu_suite.aten_cases import realcode_pairs

    cases = _cases()
    mine = [i for i, c in enumerate(cases) if c.get("group") == CHECK12]
    later = [i for i, c in enumerate(cases) if c.get("group") == realcode_seventeenth.REALCODE_MORE10]
    check13 = [i for i, c in enumerate(cases) if c.get("group") == realcode_eighteenth.REALCODE_CHECK13]
    more11 = [i for i, c in enumerate(cases) if c.get("group") == realcode_nineteenth.REALCODE_MORE11]
    check14 = [i for i, c in enumerate(cases) if c.get("group") == realcode_twentieth.REALCODE_CHECK14]
    # after every earlier case (realcode-more9 included), one block; the fit group written after its scoring
    # (realcode-more10, which drops any case equal to the check's) follows it, then the thirteenth check's block
    # (realcode-check13, written after both), then the fit group written from that check's tail (realcode-more11),
    # then the fourteenth check's block (realcode-check14); later groups follow
    assert mine == list(range(mine[0], mine[0] + len(mine))) and mine[-1] + 1 == later[0]
    assert later == list(range(later[0], later[0] + len(later))) and later[-1] + 1 == check13[0]
    assert check13 == list(range(check13[0], check13[0] + len(check13))) and check13[-1] + 1 == more11[0]
    assert more11 == list(range(more11[0], more11[0] + len(more11))) and more11[-1] + 1 == check14[0]
    assert check14 == list(range(check14[0], check14[0] + len(check14)))
    at = [groups for groups, _ in realcode_pairs()].index((CHECK12,))
    assert realcode_pairs()[at:at + 5] == (((CHECK12,), realcode_sixteenth.specs),
                                           ((realcode_seventeenth.REALCODE_MORE10,), realcode_seventeenth.specs),
                                           ((realcode_eighteenth.REALCODE_CHECK13,), realcode_eighteenth.specs),
                                           ((realcode_nineteenth.REALCODE_MORE11,), realcode_nineteenth.specs),
                                           ((realcode_twentieth.REALCODE_CHECK14,), realcode_twentieth.specs))
    assert realcode_sixteenth.REALCODE_CHECK12 == CHECK12


def test_a_quarter_of_the_check_is_matrix_products_and_the_rest_spans_kernels():
    regimes = Counter(c["regime"] for c in _cases() if c.get("group") == CHECK12)
    products = sum(n for r, n in regimes.items() if r.startswith(PRODUCTS))
    assert products >= 30 and 0.2 * sum(regimes.values()) <= products <= 0.35 * sum(regimes.values())
    others = {r for r in regimes if not r.startswith(PRODUCTS)}
    assert len(others) >= 12
    # elementwise, reductions, copies, indexing, norms and attention beside the products
    assert {"pointwise", "copy_cat", "reduction_last", "index_add", "embedding", "group_norm", "layer_norm"} <= others
    assert any(r.startswith("attention") for r in others) and any(r.startswith("topk") for r in others)


def test_the_check_traces_on_the_meta_device_with_its_sdpa_calls():
    from hetsim.calibration.gpu_suite import realcode_sixteenth

    specs = list(realcode_sixteenth.specs())
    assert {group for group, *_ in specs} == {CHECK12}
    sdpa = [c for c in _cases() if c.get("group") == CHECK12 and c["kind"] == "sdpa"]
    # with and without masks, causal, and GQA through enable_gqa
    assert any(c["spec"].get("attn_mask") for c in sdpa) and any(not c["spec"].get("attn_mask") for c in sdpa)
    assert any(c["spec"].get("is_causal") for c in sdpa) and any(c["spec"].get("enable_gqa") for c in sdpa)
