"""Every checking rule's docstring is complete and its examples are honest:
the Bad example fires the rule and the Good example does not (STYLE, tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from usmctl.api import check
from usmctl.rules import ALL_RULES
from usmctl.rules.base import Rule
from usmctl.settings import Settings

CHECKING = [rule for rule in ALL_RULES if rule.check is not Rule.check]


def codes_found(text: str, root: Path) -> set[str]:
    """The codes reported for one example written as one architecture file."""
    (root / "example.usm.yaml").write_text(text + "\n", encoding="utf-8")
    result = check(["."], Settings(), cwd=root)
    return {finding.code for finding in result.findings}


@pytest.mark.parametrize("rule", CHECKING, ids=lambda rule: rule.code)
def test_metadata_is_complete(rule: type[Rule]) -> None:
    meta = rule.meta()
    assert meta.summary and not meta.summary.endswith(":")
    assert meta.rationale and meta.remediation
    assert meta.bad.startswith('usm: "1"') and meta.good.startswith('usm: "1"')


@pytest.mark.parametrize("rule", CHECKING, ids=lambda rule: rule.code)
def test_bad_example_fires(rule: type[Rule], tmp_path: Path) -> None:
    assert rule.code in codes_found(rule.meta().bad, tmp_path)


@pytest.mark.parametrize("rule", CHECKING, ids=lambda rule: rule.code)
def test_good_example_is_silent(rule: type[Rule], tmp_path: Path) -> None:
    assert rule.code not in codes_found(rule.meta().good, tmp_path)
