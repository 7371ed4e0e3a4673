"""CI output formats (SPEC §5), each checked by a reader no one here wrote.

SARIF against the OASIS schema with jsonschema, GitHub workflow commands with
a regex of their syntax, GitLab Code Quality by its JSON shape (JUnit:
test_junit.py); plus exact renderings of a hand-built result.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import invoke
from tests.support.factories import finding as built_finding
from tests.support.paths import EXAMPLES, SHARED
from usmctl.api import check
from usmctl.check.result import RunResult
from usmctl.core.findings import Finding, Severity
from usmctl.model.architecture import Architecture
from usmctl.model.catalogue import load_catalogue
from usmctl.output.findings import REPORTERS
from usmctl.output.findings.github import annotated
from usmctl.output.findings.options import ReportOptions
from usmctl.rules import ALL_RULES, meta

SARIF_SCHEMA = SHARED / "external-schemas" / "sarif-schema-2.1.0.json"
CI_FORMATS = ("sarif", "junit", "github", "gitlab", "markdown")
# GitHub's workflow-command syntax: ::name key=value,key=value::message, where
# property values may not hold a raw comma, colon, CR or LF, and % is only an escape.
_PROPERTY = r"[^,:\r\n%]*(?:%(?:25|0D|0A|3A|2C)[^,:\r\n%]*)*"
GITHUB_COMMAND = re.compile(
    rf"^::(?P<command>error|warning|notice) "
    rf"file=(?P<file>{_PROPERTY}),line=(?P<line>[1-9][0-9]*),col=(?P<col>[1-9][0-9]*),"
    rf"title=(?P<title>{_PROPERTY})"
    r"::(?P<message>[^\r\n%]*(?:%(?:25|0D|0A)[^\r\n%]*)*)$"
)


def make_finding(
    code: str = "USM006",
    *,
    severity: Severity = Severity.ERROR,
    message: str = 'service "a": customers[0] names profile "x", which does not exist',
    file: str = "services.usm.yaml",
    line: int = 7,
    column: int = 5,
    entity: str | None = "a",
    path: str = "services[a].customers[0]",
    name: str = "unresolved-reference",
) -> Finding:
    """`tests.support.factories.finding` with defaults of an unresolved reference."""
    return built_finding(
        code,
        message,
        path=path,
        entity=entity,
        severity=severity,
        file=file,
        line=line,
        column=column,
        name=name,
    )


def make_result(*findings: Finding, files: tuple[str, ...] = ("services.usm.yaml",)) -> RunResult:
    return RunResult(
        findings=findings,
        files=files,
        architecture=Architecture(),
        catalogue=load_catalogue(None),
    )


def render(name: str, result: RunResult) -> str:
    return REPORTERS[name](result, ReportOptions())


@pytest.fixture(scope="module")
def broken() -> RunResult:
    result = check([str(EXAMPLES / "broken")], cwd=EXAMPLES.parent)
    assert result.findings, "examples/broken must have findings"
    return result


def test_every_ci_format_is_registered() -> None:
    assert set(CI_FORMATS) <= set(REPORTERS)


# --- SARIF -------------------------------------------------------------------


def _assert_valid_sarif(log: Any) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_class(schema).iter_errors(log), key=lambda error: error.path)
    assert not errors, "\n".join(error.message for error in errors[:5])


def test_sarif_of_broken_validates_against_the_oasis_schema(broken: RunResult) -> None:
    _assert_valid_sarif(json.loads(render("sarif", broken)))


def test_sarif_edge_cases_validate_against_the_oasis_schema() -> None:
    result = make_result(
        make_finding("ACME001", name="acme001", severity=Severity.INFO, entity=None),
        make_finding(file="/abs/dir/a b.usm.yaml", severity=Severity.WARNING),
    )
    log = json.loads(render("sarif", result))
    _assert_valid_sarif(log)
    _assert_valid_sarif(json.loads(render("sarif", make_result())))
    location = log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///abs/dir/a%20b.usm.yaml"}


def test_sarif_structure(broken: RunResult) -> None:
    log = json.loads(render("sarif", broken))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "usmctl"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [rule["id"] for rule in rules][: len(ALL_RULES)] == [rule.code for rule in ALL_RULES]
    for rule in rules[: len(ALL_RULES)]:
        info = meta(rule["id"])
        assert rule["name"] == info.name
        assert rule["shortDescription"]["text"] == info.summary
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
        assert rule["helpUri"] == info.help_uri
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert len(run["results"]) == len(broken.findings)
    for result, finding in zip(run["results"], broken.findings, strict=True):
        assert result["ruleId"] == finding.code
        assert rules[result["ruleIndex"]]["id"] == finding.code
        assert (
            result["level"]
            == {"error": "error", "warning": "warning", "info": "note"}[finding.severity.value]
        )
        assert result["message"]["text"] == finding.message
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": finding.file, "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": finding.line, "startColumn": finding.column}
        assert result["partialFingerprints"] == {"usmctl/v1": finding.fingerprint}


def test_sarif_levels_and_custom_rule_descriptor() -> None:
    result = make_result(
        make_finding(severity=Severity.INFO),
        make_finding("ACME001", name="acme001", severity=Severity.WARNING, path="services[b]"),
    )
    log = json.loads(render("sarif", result))
    (run,) = log["runs"]
    levels = [item["level"] for item in run["results"]]
    assert levels == ["note", "warning"]
    custom = run["tool"]["driver"]["rules"][run["results"][1]["ruleIndex"]]
    assert custom["id"] == "ACME001"
    assert custom["defaultConfiguration"] == {"level": "warning"}


def test_sarif_uri_is_percent_encoded() -> None:
    log = json.loads(render("sarif", make_result(make_finding(file="my arch/a b.usm.yaml"))))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "my%20arch/a%20b.usm.yaml"


# --- GitHub ------------------------------------------------------------------


def test_github_lines_of_broken_follow_the_workflow_command_syntax(broken: RunResult) -> None:
    *lines, notice = render("github", broken).splitlines()
    # The most severe, 10 of each severity (tests/output/findings/test_limits.py).
    shown = annotated(broken.findings)
    assert notice == f"::notice::{len(broken.findings) - len(shown)} more findings: " + (
        "GitHub shows 10 annotations of each severity per step; usmctl validate lists them all"
    )
    commands = {"error": "error", "warning": "warning", "info": "notice"}
    for line, finding in zip(lines, shown, strict=True):
        match = GITHUB_COMMAND.match(line)
        assert match, line
        assert match["command"] == commands[finding.severity.value]
        assert match["file"] == finding.file
        assert (int(match["line"]), int(match["col"])) == (finding.line, finding.column)
        assert match["title"] == finding.code


def test_github_escapes_per_the_runner_rules() -> None:
    finding = make_finding(
        severity=Severity.INFO,
        file="odd,dir/a:b%.usm.yaml",
        message="100% wrong\r\nsecond line, with: colon",
    )
    line = render("github", make_result(finding)).rstrip("\n")
    assert line == (
        "::notice file=odd%2Cdir/a%3Ab%25.usm.yaml,line=7,col=5,title=USM006"
        "::100%25 wrong%0D%0Asecond line, with: colon [unresolved-reference]"
    )
    assert GITHUB_COMMAND.match(line)


def test_github_warning_command_and_clean_run() -> None:
    finding = make_finding(severity=Severity.WARNING)
    assert render("github", make_result(finding)).startswith("::warning file=services.usm.yaml,")
    assert render("github", make_result()) == ""


# --- GitLab ------------------------------------------------------------------


def _check_gitlab_shape(issues: Any) -> None:
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str)
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)


def test_gitlab_of_broken_has_the_code_quality_shape(broken: RunResult) -> None:
    issues = json.loads(render("gitlab", broken))
    _check_gitlab_shape(issues)
    assert len(issues) == len(broken.findings)
    severities = {"error": "major", "warning": "minor", "info": "info"}
    for issue, finding in zip(issues, broken.findings, strict=True):
        assert issue["check_name"] == finding.code
        assert issue["severity"] == severities[finding.severity.value]
        assert issue["location"] == {"path": finding.file, "lines": {"begin": finding.line}}
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints)


def test_gitlab_fingerprints_are_the_findings_own(broken: RunResult) -> None:
    # The engine makes them unique within a run (test_ci_baseline): no second scheme here.
    issues = json.loads(render("gitlab", broken))
    assert [issue["fingerprint"] for issue in issues] == [f.fingerprint for f in broken.findings]
    moved = json.loads(render("gitlab", make_result(make_finding(line=40))))
    assert moved[0]["fingerprint"] == make_finding().fingerprint


# --- Markdown ----------------------------------------------------------------


def test_markdown_table_escapes_cells() -> None:
    finding = make_finding(message='value "a|b" is <b>bold</b> and [x](y)', entity="a_b")
    text = render("markdown", make_result(finding))
    rows = [line for line in text.splitlines() if line.startswith("|")]
    assert rows[0] == "| severity | rule | location | message | entity |"
    assert len(rows) == 3
    row = rows[2]
    # Five cells: no pipe from the message escaped the table.
    assert len(re.findall(r"(?<!\\)\|", row)) == 6
    assert r"a\|b" in row
    assert r"\<b\>bold\</b\>" in row
    assert r"\[x\](y)" in row
    assert r"a\_b" in row
    assert f"({meta('USM006').help_uri})" in row


def test_markdown_of_broken_has_one_row_per_finding(broken: RunResult) -> None:
    text = render("markdown", broken)
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == len(broken.findings) + 1
    assert "Found " in text


def test_markdown_clean_run_has_no_table() -> None:
    text = render("markdown", make_result())
    assert "All checks passed" in text
    assert "|" not in text


# --- the command line ----------------------------------------------------------


@pytest.mark.parametrize("name", CI_FORMATS)
def test_cli_writes_only_the_payload_to_stdout(name: str) -> None:
    outcome = invoke("validate", "examples/broken", "--format", name, cwd=EXAMPLES.parent)
    assert outcome.code == 1, outcome.output
    result = check(["examples/broken"], cwd=EXAMPLES.parent)
    options = ReportOptions(source_root=EXAMPLES.parent, working_directory=EXAMPLES.parent)
    assert outcome.stdout == REPORTERS[name](result, options)


def test_cli_output_file_gets_the_payload(tmp_path: Path) -> None:
    target = tmp_path / "usmctl.sarif"
    outcome = invoke(
        "validate", "examples/broken", "--format", "sarif", "--output", str(target),
        cwd=EXAMPLES.parent,
    )  # fmt: skip
    assert outcome.code == 1
    assert outcome.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_github_actions_adds_annotations_to_the_default_text() -> None:
    actions = {"GITHUB_ACTIONS": "true"}
    plain_in_actions = invoke("validate", "examples/broken", cwd=EXAMPLES.parent, env=actions)
    as_json = invoke(
        "validate", "examples/broken", "--format", "json", cwd=EXAMPLES.parent, env=actions
    )
    plain = invoke("validate", "examples/broken", cwd=EXAMPLES.parent)
    *annotations, notice = [
        line for line in plain_in_actions.stdout.splitlines() if line.startswith("::")
    ]
    assert annotations
    assert all(GITHUB_COMMAND.match(line) for line in annotations)
    assert len(annotations) <= 30  # 10 of each severity at most, then the notice of the rest
    assert re.match(r"::notice::[0-9]+ more findings: ", notice)
    assert plain_in_actions.stdout.startswith(plain.stdout)
    assert not any(line.startswith("::") for line in plain.stdout.splitlines())
    assert json.loads(as_json.stdout)["version"] == 1  # an explicit format stays pure


def test_rule_links_match_the_registry_and_appear_in_junit_and_statistics() -> None:
    from usmctl.core.findings import rule_url
    from usmctl.rules import ALL_RULES, meta

    for rule in ALL_RULES:
        assert rule_url(rule.code, rule.name) == meta(rule.code).help_uri
    assert rule_url("ACME001", "acme001") is None  # custom rules have no page
    result = make_result(make_finding("USM401", name="service-missing-facility"))
    link = meta("USM401").help_uri
    assert f"help: {link}" in render("junit", result)
    statistics = REPORTERS["text"](result, ReportOptions(statistics=True))
    assert link in statistics
