"""The junit format, read as the CI servers read it.

Validated against the strict Jenkins/Ant JUnit XSD (``tests/fixtures/junit``)
with lxml, read back with junitparser and ElementTree; its test-case names are
the identities GitLab compares runs by (suite, classname and name), so they
must not move when lines do.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import junitparser
import pytest
from lxml import etree

from tests.support import factories
from tests.support.cli import invoke
from tests.support.paths import EXAMPLES, ROOT
from usmctl.api import check
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings
from usmctl.core.findings import FailOn, Finding, Severity
from usmctl.output.findings import REPORTERS
from usmctl.output.findings.junit import case_name
from usmctl.output.findings.options import ReportOptions
from usmctl.output.formats import JunitFlavor

STRICT_XSD = ROOT / "tests" / "fixtures" / "junit" / "jenkins-junit.xsd"
FILE = "services.usm.yaml"
IGNORED = shutil.ignore_patterns(".*")  # a cache a local run left


def render(
    result: RunResult, *, fail_on: FailOn | None = None, flavor: JunitFlavor = "strict"
) -> str:
    """The junit document; ``fail_on``: the run's, as if it had been asked."""
    if fail_on is not None:
        result = dataclasses.replace(result, settings=Settings(fail_on=fail_on))
    return REPORTERS["junit"](result, ReportOptions(junit_flavor=flavor))


def strict_errors(xml: str) -> list[str]:
    """What the strict XSD says against the document (nothing: valid)."""
    schema = etree.XMLSchema(etree.parse(str(STRICT_XSD)))
    if schema.validate(etree.fromstring(xml.encode("utf-8"))):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def finding(
    code: str = "USM006",
    *,
    line: int = 7,
    column: int = 5,
    severity: Severity = Severity.ERROR,
    message: str = 'service "a": depends_on[0] names service "x", which does not exist',
    path: str = "services[a].depends_on[0]",
    entity: str | None = "a",
    name: str = "unresolved-reference",
) -> Finding:
    return factories.finding(
        code, message, path=path, entity=entity, severity=severity,
        file=FILE, line=line, column=column, name=name,
    )  # fmt: skip


def result_of(*findings: Finding, files: tuple[str, ...] = (FILE,)) -> RunResult:
    return RunResult(findings=findings, files=files)


def names(xml: str) -> Counter[tuple[str, str, str]]:
    """(suite, classname, name) of every test case: GitLab's key of a test."""
    return Counter(
        (suite.get("name", ""), case.get("classname", ""), case.get("name", ""))
        for suite in ET.fromstring(xml).iter("testsuite")
        for case in suite.iter("testcase")
    )


def broken_copy(root: Path) -> Path:
    """examples/broken copied to ``root / "broken"`` (its files only, no cache)."""
    return Path(shutil.copytree(EXAMPLES / "broken", root / "broken", ignore=IGNORED))


@pytest.fixture(scope="module")
def broken() -> RunResult:
    result = check([str(EXAMPLES / "broken")], cwd=EXAMPLES.parent)
    assert {finding.severity for finding in result.findings} == set(Severity)
    return result


# --- what the servers accept -------------------------------------------------


def test_the_strict_xsd_is_the_one_the_readme_names() -> None:
    text = STRICT_XSD.read_text(encoding="utf-8")
    assert "dtkit-junit-model" in text and "MIT License" in text  # source and licence kept
    assert "jenkins-junit.xsd" in (STRICT_XSD.parent / "README.md").read_text(encoding="utf-8")


def test_broken_is_valid_against_the_strict_xsd(broken: RunResult) -> None:
    assert strict_errors(render(broken)) == []
    assert strict_errors(render(broken, fail_on="info")) == []


def test_the_gitlab_flavor_adds_file_and_line_which_the_strict_xsd_refuses(
    broken: RunResult,
) -> None:
    xml = render(broken, flavor="gitlab")
    by_name = {(f.file, case_name(f)): f for f in broken.findings}
    cases = list(ET.fromstring(xml).iter("testcase"))
    assert len(cases) == len(by_name)
    for case in cases:
        first = by_name[case.get("classname", ""), case.get("name", "")]
        assert case.get("file") == first.file
        assert case.get("line") == str(first.line)
    errors = strict_errors(xml)
    assert errors and all("attribute" in error for error in errors)
    assert any("'file'" in error for error in errors)
    assert names(xml) == names(render(broken))  # the same tests, by the same names


def test_junitparser_reads_every_finding_as_its_test_case(
    broken: RunResult, tmp_path: Path
) -> None:
    report = tmp_path / "report.xml"
    report.write_text(render(broken), encoding="utf-8")
    suites = {suite.name: suite for suite in junitparser.JUnitXml.fromfile(str(report))}
    assert set(suites) == set(broken.files)
    read: dict[tuple[str, str], str] = {}
    for suite in suites.values():
        for case in suite:
            assert case.classname == suite.name
            (outcome,) = case.result
            read[suite.name, case.name] = type(outcome).__name__
    expected = {
        (f.file, case_name(f)): "Skipped" if f.severity is Severity.INFO else "Failure"
        for f in broken.findings
    }
    assert read == expected


# --- stable names ------------------------------------------------------------


def test_names_hold_no_position_and_are_unique_in_their_suite(broken: RunResult) -> None:
    xml = render(broken)
    counted = names(xml)
    assert max(counted.values()) == 1
    assert all(not re.search(r"\d+:\d+", name) for _, _, name in counted)
    suite = "examples/broken/services.usm.yaml"
    assert (suite, suite, "USM006 unresolved-reference services[parking].depends_on[0]") in counted


def test_inserting_lines_renames_no_test_case(tmp_path: Path) -> None:
    copy = broken_copy(tmp_path)
    before = check(["broken"], cwd=tmp_path)
    for file in sorted(copy.glob("*.usm.yaml")):
        text = file.read_text(encoding="utf-8")
        file.write_text("# a comment\n# and another\n" + text, encoding="utf-8")
    after = check(["broken"], cwd=tmp_path)
    assert [f.line + 2 for f in before.findings] == [f.line for f in after.findings]
    assert names(render(after)) == names(render(before))
    assert render(after) != render(before)  # the positions, in the failure texts, moved


# --- failures, skips and counts ----------------------------------------------


def test_a_failure_says_where_and_how_severe(broken: RunResult) -> None:
    root = ET.fromstring(render(broken))
    first = next(f for f in broken.findings if f.severity is Severity.WARNING)
    case = root.find(f"testsuite[@name='{first.file}']/testcase[@name='{case_name(first)}']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "warning"
    assert failure.get("message") == first.message
    text = failure.text or ""
    assert text.startswith(f"{first.file}:{first.line}:{first.column}: {first.code} [warning]")
    assert f"help: {broken.help_uri(first)}" in text


@pytest.mark.parametrize("fail_on", ["error", "warning", "never"])
def test_info_findings_are_skipped_not_failed(fail_on: FailOn) -> None:
    info = finding("USM104", severity=Severity.INFO, name="unused-profile", path="profiles[p].id")
    root = ET.fromstring(render(result_of(info, finding()), fail_on=fail_on))
    (suite,) = root.iter("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "1")
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    skipped = root.find("testsuite/testcase[@name='USM104 unused-profile profiles[p].id']/skipped")
    assert skipped is not None and not skipped.attrib  # the strict XSD allows no attribute
    assert (skipped.text or "").startswith(f"{FILE}:7:5: USM104 [info] ")


def test_fail_on_info_makes_info_findings_failures() -> None:
    info = finding("USM104", severity=Severity.INFO, name="unused-profile", path="profiles[p].id")
    xml = render(result_of(info), fail_on="info")
    root = ET.fromstring(xml)
    assert root.find(".//skipped") is None
    failure = root.find(".//failure")
    assert failure is not None and failure.get("type") == "info"
    assert root.find("testsuite[@failures='1'][@skipped='0']") is not None
    assert strict_errors(xml) == []


def test_counts_match_the_test_cases(broken: RunResult) -> None:
    root = ET.fromstring(render(broken))
    suites = root.findall("testsuite")
    assert len(suites) == len(broken.files)
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(len(suite.findall("testcase/failure")))
        assert suite.get("skipped") == str(len(suite.findall("testcase/skipped")))
        assert suite.get("errors") == "0"
    severities = Counter(f.severity for f in broken.findings)
    assert root.get("tests") == str(len(broken.findings))  # no two share a name here
    assert root.get("failures") == str(severities[Severity.ERROR] + severities[Severity.WARNING])


def test_findings_sharing_a_name_are_one_test_case_listing_each() -> None:
    first = finding(line=7, column=5)
    second = finding(line=9, column=3, message='service "a": depends_on[0] is listed twice')
    xml = render(result_of(first, second, finding("USM401", path="services[a].facility")))
    assert strict_errors(xml) == []
    root = ET.fromstring(xml)
    assert root.find("testsuite[@tests='2'][@failures='2']") is not None
    (case,) = root.findall(f"testsuite/testcase[@name='{case_name(first)}']")
    (failure,) = case.findall("failure")
    assert failure.get("message") == f"{first.message} (and 1 more)"
    lines = (failure.text or "").splitlines()
    assert lines[0].startswith(f"{FILE}:7:5: USM006 [error] {first.message}")
    assert lines[1].startswith(f"{FILE}:9:3: USM006 [error] {second.message}")


def test_a_finding_without_a_path_is_named_by_its_entity_or_its_rule() -> None:
    by_entity = finding("ACME001", path="", entity="a", name="acme001")
    by_rule = finding("USM012", path="", entity=None, name="empty-architecture")
    assert case_name(by_entity) == "ACME001 acme001 a"
    assert case_name(by_rule) == "USM012 empty-architecture"
    assert strict_errors(render(result_of(by_entity, by_rule))) == []


def test_markup_and_control_characters_are_escaped() -> None:
    message = 'service "<a&b>": bad \x01 value'
    xml = render(result_of(finding(message=message, path="services[<a&b>]", entity="<a&b>")))
    assert strict_errors(xml) == []
    case = ET.fromstring(xml).find("testsuite/testcase")
    assert case is not None and case.get("name") == "USM006 unresolved-reference services[<a&b>]"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'service "<a&b>": bad \ufffd value'


def test_a_clean_file_is_one_passing_test_case() -> None:
    xml = render(result_of(files=("a.usm.yaml",)))
    assert strict_errors(xml) == []
    (suite,) = ET.fromstring(xml).findall("testsuite")
    assert (suite.get("name"), suite.get("tests"), suite.get("failures")) == (
        "a.usm.yaml",
        "1",
        "0",
    )
    (case,) = suite.findall("testcase")
    assert case.get("name") == "usmctl" and not list(case)


# --- the command line --------------------------------------------------------


def test_cli_flavors_and_fail_on_reach_the_format(tmp_path: Path) -> None:
    broken_copy(tmp_path)
    gitlab = invoke("validate", "broken", "-f", "junit", "--junit-flavor", "gitlab", cwd=tmp_path)
    assert gitlab.code == 1
    assert all(case.get("file") for case in ET.fromstring(gitlab.stdout).iter("testcase"))
    strict = invoke("validate", "broken", "-f", "junit", cwd=tmp_path)
    assert strict_errors(strict.stdout) == []
    assert ET.fromstring(strict.stdout).find(".//skipped") is not None
    (tmp_path / "usmctl.toml").write_text('fail-on = "info"\n', encoding="utf-8")
    configured = invoke("validate", "broken", "-f", "junit", cwd=tmp_path)
    assert ET.fromstring(configured.stdout).find(".//skipped") is None


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("-f", "junit", "--junit-flavor", "jenkins"), "--junit-flavor takes strict or gitlab"),
        (("-f", "json", "--junit-flavor", "gitlab"), "--junit-flavor applies to --format junit"),
    ],
)
def test_cli_refuses_a_wrong_flavor_in_one_line(args: tuple[str, ...], said: str) -> None:
    outcome = invoke("validate", "broken", *args, cwd=EXAMPLES)
    assert outcome.code == 2
    assert outcome.stdout == ""
    assert outcome.stderr.count("\n") == 1 and said in outcome.stderr
