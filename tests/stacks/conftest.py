"""Fixtures of the stack tests."""

from __future__ import annotations

import functools

import pytest

from hetsim.calibration.gpu_suite.aten_cases import read_cases
from hetsim.calibration.paths import REPO_ROOT


@pytest.fixture
def assert_appended_block():
    """A check that a real-code group is one block right after an earlier group (`_assert_appended_block`)."""
    return _assert_appended_block


@pytest.fixture
def assert_blind():
    """A check that a real-code blind group stays blind (`_assert_blind`)."""
    return _assert_blind


@pytest.fixture
def assert_names_its_group():
    """A check that a real-code group's committed cases name it and span regimes (`_assert_names_its_group`)."""
    return _assert_names_its_group


@pytest.fixture
def assert_disjoint():
    """A check that a group's committed cases share none with any other group (`_assert_disjoint`)."""
    return _assert_disjoint


@pytest.fixture
def assert_unfitted():
    """A check that the committed H200 profile was never fitted on a group's sweep (`_assert_unfitted`)."""
    return _assert_unfitted


@pytest.fixture
def committed_cases() -> list[dict]:
    """The committed cases file's cases, in order (a case's index is its id)."""
    return _committed_cases()


@pytest.fixture
def scored_graph():
    """A blind check's sweep run, checked whole and scored by the committed H200 profile (`_scored_graph`)."""
    return _scored_graph


@pytest.fixture
def product_split():
    """A group's committed cases split by regime (`_product_split`): (regimes, products, the other regimes)."""
    return _product_split


@pytest.fixture
def assert_sdpa_variety():
    """A check that a group's SDPA cases span masks, causal calls and GQA (`_assert_sdpa_variety`)."""
    return _assert_sdpa_variety


def _scored_graph(run: str, ids: range, timed: int | None = None, device: str = "H200") -> dict:
    """The graph view's figures (`hetsim validate ops`) of calibration/profiles/runs/`run`, whose cases must be
    exactly `ids` (every case timed), or `timed` of them where the rest raised on the device; priced for `device`
    (the GPU that timed them) by its profile."""
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases, validate_ops

    cases = load_cases(REPO_ROOT / "calibration" / "profiles" / "runs" / run)
    found = {c.case for c in cases}
    assert len(cases) == (len(ids) if timed is None else timed)
    assert found == set(ids) if timed is None else found <= set(ids)
    return validate_ops(gpu_model(device), cases).stats("graph")


def _assert_sdpa_variety(group: str) -> None:
    """`group`'s committed SDPA cases call it with and without a mask, causally, and with GQA (enable_gqa)."""
    sdpa = [c for c in _committed_cases() if c.get("group") == group and c["kind"] == "sdpa"]
    assert any(c["spec"].get("attn_mask") for c in sdpa) and any(not c["spec"].get("attn_mask") for c in sdpa)
    assert any(c["spec"].get("is_causal") for c in sdpa) and any(c["spec"].get("enable_gqa") for c in sdpa)


PRODUCTS = ("matmul", "bmm", "gemv")  # the regimes of cuBLAS products


def _product_split(group: str):
    """(Counter of `group`'s committed cases by regime, how many are products (PRODUCTS), the set of other regimes)."""
    from collections import Counter

    regimes = Counter(c["regime"] for c in _committed_cases() if c.get("group") == group)
    products = sum(n for r, n in regimes.items() if r.startswith(PRODUCTS))
    return regimes, products, {r for r in regimes if not r.startswith(PRODUCTS)}


@functools.cache
def _committed_cases() -> list[dict]:
    # parsed once a session: the file is 18 MB of JSON (~1 s a parse), read by most blind-check tests; callers only
    # read it
    return read_cases()


def _assert_names_its_group(group: str, regimes: int = 5) -> None:
    """Every committed case of `group` names it in its sources, and the group spans at least `regimes` regimes."""
    cases = [c for c in _committed_cases() if c.get("group") == group]
    assert cases and all(any(group in src[0] for src in c["sources"]) for c in cases)
    assert len({c["regime"] for c in cases}) >= regimes


def _assert_disjoint(group: str, cases: range) -> None:
    """`group`'s distinct cases number within `cases` and none equals a case of another group of the cases file."""
    from hetsim.calibration.gpu_suite.aten_cases import case_key

    groups: dict[str, set[str]] = {}
    for c in _committed_cases():
        groups.setdefault(c.get("group", "models"), set()).add(case_key(c["kind"], c["spec"]))
    mine = groups.pop(group)
    assert len(mine) in cases and not any(mine & keys for keys in groups.values())


def _assert_appended_block(group: str, ids: range, module, previous: str, previous_last: int, ids_file) -> list[int]:
    """`group`'s committed cases are exactly `ids`, right after `previous`'s last case (`previous_last`); the sweep's id
    list (`ids_file`) names exactly them; the builder takes `module.specs` for the group right after `previous`.
    Returns the group's case ids."""
    from hetsim.calibration.gpu_suite.aten_cases import realcode_pairs

    cases = _committed_cases()
    mine = [i for i, c in enumerate(cases) if c.get("group") == group]
    earlier = [i for i, c in enumerate(cases) if c.get("group") == previous]
    assert earlier[-1] == previous_last and mine == list(ids)
    assert [int(n) for n in ids_file.read_text().strip().split(",")] == mine
    order = [groups for groups, _ in realcode_pairs()]
    at = order.index((group,))
    assert realcode_pairs()[at] == ((group,), module.specs)
    assert order[at - 1] == (previous,)
    return mine


def _assert_blind(check: str, cases: int, fit_group: str) -> None:
    """`check`'s `cases` cases share no case with any other group of the cases file, and the committed profile was
    fitted on `fit_group`'s sweep and never on `check`'s."""
    _assert_disjoint(check, range(cases, cases + 1))
    assert any(f"{fit_group}-2026" in f for f in _fit_files())
    _assert_unfitted(check)


def _fit_files() -> list[str]:
    """The sweep files the committed H200 profile's trace fit took (its provenance), those feeding only its tables of
    measured neighbours too."""
    from hetsim.calibration.gpu_profile import load_profile

    fit = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml").provenance["trace_fit"]
    return [*fit["cases"], *fit.get("table_cases", [])]


def _assert_unfitted(group: str) -> None:
    """The committed H200 profile was never fitted on `group`'s sweep."""
    assert not any(group in f for f in _fit_files())
