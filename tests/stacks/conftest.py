"""Fixtures of the stack tests."""

from __future__ import annotations

import json

import pytest

from hetsim.calibration.paths import REPO_ROOT


@pytest.fixture
def assert_blind():
    """A check that a real-code blind group stays blind (`_assert_blind`)."""
    return _assert_blind


@pytest.fixture
def assert_names_its_group():
    """A check that a real-code group's committed cases name it and span regimes (`_assert_names_its_group`)."""
    return _assert_names_its_group


def _committed_cases() -> list[dict]:
    return json.loads((REPO_ROOT / "hetsim" / "calibration" / "gpu_suite" / "aten_cases.json").read_text())["cases"]


def _assert_names_its_group(group: str, regimes: int = 5) -> None:
    """Every committed case of `group` names it in its sources, and the group spans at least `regimes` regimes."""
    cases = [c for c in _committed_cases() if c.get("group") == group]
    assert cases and all(any(group in src[0] for src in c["sources"]) for c in cases)
    assert len({c["regime"] for c in cases}) >= regimes


def _assert_blind(check: str, cases: int, fit_group: str) -> None:
    """`check`'s `cases` cases share no case with any other group of the cases file, and the committed profile was
    fitted on `fit_group`'s sweep and never on `check`'s."""
    from hetsim.calibration.gpu_suite.aten_cases import case_key

    groups: dict[str, set[str]] = {}
    for c in _committed_cases():
        groups.setdefault(c.get("group", "models"), set()).add(case_key(c["kind"], c["spec"]))
    blind = groups.pop(check)
    assert len(blind) == cases and not any(blind & keys for keys in groups.values())
    from hetsim.calibration.gpu_profile import load_profile

    fit_files = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml").provenance["trace_fit"]["cases"]
    assert any(f"{fit_group}-2026" in f for f in fit_files) and not any(check in f for f in fit_files)
