"""Rule metadata has one source, the rule: tests that fail when it is bypassed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import usmctl
from usmctl.check.result import RunResult
from usmctl.core.findings import DOCS_URL, FAIL_ON, Severity, rule_url
from usmctl.output.report.content import AREAS
from usmctl.rules import ALL_RULES
from usmctl.rules.base import Area, Rule

PACKAGE = Path(usmctl.__file__).parent
REPORTERS = sorted(
    [*(PACKAGE / "output" / "findings").glob("*.py"), *(PACKAGE / "output" / "report").glob("*.py")]
)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_every_rule_says_its_area(rule: type[Rule]) -> None:
    assert "area" in vars(rule), f"{rule.__name__} has no `area = ...` line"
    assert isinstance(rule.area, Area)
    assert rule.meta().area is rule.area


def test_the_report_has_a_title_for_every_area_but_structure() -> None:
    # Structure findings are filed by the section they point at.
    assert list(AREAS) == [area.value for area in Area if area is not Area.STRUCTURE]


def test_structure_rules_are_the_usm0xx_family() -> None:
    structure = {rule.code for rule in ALL_RULES if rule.area is Area.STRUCTURE}
    assert structure == {rule.code for rule in ALL_RULES if rule.code.startswith("USM0")}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", REPORTERS, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_reporter_imports_the_rule_registry(path: Path) -> None:
    """Reporters read rule metadata from the RunResult (`RunResult.rule`, `.rules`)."""
    rules = {
        name
        for name in _imported(path)
        if name == "usmctl.rules" or name.startswith("usmctl.rules.")
    }
    assert rules == set(), f"{path.name} imports {sorted(rules)}"


def test_run_result_gives_every_rules_metadata() -> None:
    result = RunResult((), ())
    assert [info.code for info in result.rules()] == [rule.code for rule in ALL_RULES]
    assert result.rule("USM903") is not None and result.rule("USM903").area is Area.PROCESSES  # type: ignore[union-attr]
    assert result.rule("ACME001") is None


def test_the_documentation_link_is_built_in_one_place() -> None:
    for rule in ALL_RULES:
        assert rule.meta().help_uri == rule_url(rule.code, rule.name)
        assert rule.meta().help_uri.startswith(f"{DOCS_URL}#")
    hits = [
        path.relative_to(PACKAGE)
        for path in PACKAGE.rglob("*.py")
        if "docs/rules.md#" in path.read_text(encoding="utf-8") and path.name != "rule_docs.py"
    ]
    assert hits == []


def test_fail_on_is_every_severity_then_never() -> None:
    assert (*(severity.value for severity in Severity), "never") == FAIL_ON


def test_fail_on_values_are_listed_once() -> None:
    """Only `usmctl.core.findings` spells the list; the rest import FAIL_ON or FailOn."""
    listing = re.compile(r"error\W+warning\W+info\W+never")
    hits = [
        str(path.relative_to(PACKAGE))
        for path in sorted(PACKAGE.rglob("*.py"))
        if listing.search(path.read_text(encoding="utf-8"))
    ]
    assert hits == ["core/findings.py"]
