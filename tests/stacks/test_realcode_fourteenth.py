"""The eleventh blind check of everyday PyTorch inference code (realcode-check11, in realcode_fourteenth): written by a
helper from the models' and serving stacks' reference code after gemm-shapes, blind to every earlier group; not timed
yet, so only its structure is checked here (no measured data)."""

from __future__ import annotations

from collections import Counter

from hetsim.calibration.gpu_suite.aten_cases import read_cases

CHECK11 = "realcode-check11"


def _cases() -> list[dict]:
    return read_cases()


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(CHECK11, regimes=12)


def test_the_eleventh_realcode_check_shares_no_case_with_any_other_group():
    from hetsim.calibration.gpu_suite.aten_cases import case_key

    groups: dict[str, set[str]] = {}
    for c in _cases():
        groups.setdefault(c.get("group", "models"), set()).add(case_key(c["kind"], c["spec"]))
    blind = groups.pop(CHECK11)
    assert 130 <= len(blind) <= 170
    assert not any(blind & keys for keys in groups.values())


def test_the_eleventh_realcode_check_follows_every_group_written_before_it():
    from hetsim.calibration.gpu_suite import realcode_fifteenth, realcode_fourteenth, realcode_sixteenth
    from hetsim.calibration.gpu_suite.aten_cases import realcode_pairs

    cases = _cases()
    mine = [i for i, c in enumerate(cases) if c.get("group") == CHECK11]
    later = [i for i, c in enumerate(cases) if c.get("group") == realcode_fifteenth.REALCODE_MORE9]
    check12 = [i for i, c in enumerate(cases) if c.get("group") == realcode_sixteenth.REALCODE_CHECK12]
    # appended after every earlier case, one block; only the fit group written from its tail (realcode-more9) after
    # it, then the twelfth check's block (realcode-check12), written after both
    assert mine == list(range(mine[0], mine[0] + len(mine))) and mine[-1] + 1 == later[0]
    assert later == list(range(later[0], later[0] + len(later))) and later[-1] + 1 == check12[0]
    assert check12 == list(range(check12[0], check12[0] + len(check12)))
    at = [groups for groups, _ in realcode_pairs()].index((CHECK11,))
    assert realcode_pairs()[at:at + 3] == (((CHECK11,), realcode_fourteenth.specs),
                                           ((realcode_fifteenth.REALCODE_MORE9,), realcode_fifteenth.specs),
                                           ((realcode_sixteenth.REALCODE_CHECK12,), realcode_sixteenth.specs))


def test_a_quarter_of_the_check_is_matrix_products_and_the_rest_spans_kernels():
    regimes = Counter(c["regime"] for c in _cases() if c.get("group") == CHECK11)
    products = sum(n for r, n in regimes.items() if r.startswith(("matmul", "bmm", "gemv")))
    assert products >= 25 and products >= 0.2 * sum(regimes.values())
    others = {r for r in regimes if not r.startswith(("matmul", "bmm", "gemv"))}
    assert len(others) >= 12
    # elementwise, reductions, copies, indexing and attention beside the products
    assert {"pointwise", "copy_cat", "reduction_last", "index_add"} <= others
    assert any(r.startswith("attention") for r in others) and any(r.startswith("topk") for r in others)
