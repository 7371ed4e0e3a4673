"""The report's "Scope of this check": what the report stands on and does not show."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from tests.support.factories import WriteFiles, checked
from usmctl.check.baseline import render
from usmctl.check.result import RunResult
from usmctl.check.settings import CustomRule, Settings
from usmctl.core.findings import Severity
from usmctl.output.report import render_report
from usmctl.output.report.content import Scope, build_report

DATE = "2026-01-31"
ARCHITECTURE = """
    usm: "1"
    profiles:
      - {id: acme, kind: provider}
      - {id: shop, kind: customer}
      - {id: lonely, kind: customer}
    services:
      - id: mail
        provider: acme
        customers: [shop]
      - id: lab
        provider: acme
        customers: []  # usmctl: ignore[service-without-customer] a lab has none
    """
# User text that must stay text: a baseline file name and a per-file pattern.
BASELINE = "baseline<img src=x onerror=alert(1)>.json"
PATTERN = "<script>alert(1)</script>*.usm.yaml"


def _scope(result: RunResult) -> tuple[dict[str, str], dict[str, tuple[tuple[str, ...], ...]]]:
    scope: Scope = build_report(result, date=DATE).scope
    return dict(scope.facts), {table.title: table.rows for table in scope.tables}


def _name(result: RunResult, code: str) -> str:
    rule = result.rule(code)
    assert rule is not None
    return rule.name


def _with_baseline_suppression_and_ignore(root: Path) -> RunResult:
    """A run with one inline suppression, a baseline of the two USM403 findings
    plus an entry that matches nothing, ``--ignore USM104``, a severity
    changed and a per-file ignore."""
    first = checked(root)
    assert first.suppressed == 1
    document = json.loads(render(f for f in first.findings if f.code == "USM403"))
    document["fingerprints"]["0" * 16] = {
        "code": "USM401",
        "file": "arch.usm.yaml",
        "entity": "gone",
        "path": "services[gone]",
    }
    (root / BASELINE).write_text(json.dumps(document), encoding="utf-8")
    settings = Settings(
        ignore=("USM104",),
        baseline=root / BASELINE,
        severity={"USM306": Severity.INFO, "USM401": Severity.ERROR},  # USM401: unchanged
        per_file_ignores={PATTERN: ("USM102", "service-without-support")},
    )
    return checked(root, settings)


def test_the_scope_names_the_suppressed_the_baselined_and_the_ignored(
    write_files: WriteFiles,
) -> None:
    result = _with_baseline_suppression_and_ignore(write_files({"arch.usm.yaml": ARCHITECTURE}))
    facts, tables = _scope(result)
    total = len(result.rules())
    assert facts == {
        "Files": "1 file checked: arch.usm.yaml.",
        "Catalogue": "the built-in USM workflow catalogue (usm-catalogue 2), 8 workflow types: "
        "the workflow matrix and the workflow rules judge against it.",
        "Rules": f"{total - 1} of {total} built-in rules ran; those below did not, so no "
        "finding covers what they check. The configuration turns some rules off for some "
        "files (below).",
        "Severities": "1 rule reports at a severity the configuration changed (below); the USM "
        "coverage does not depend on severities.",
        "Inline suppressions": "1 finding hidden by usmctl: ignore comments in the files (each "
        "comment names the rules it hides).",
        "Baseline": f"{BASELINE} hid 2 known findings (per rule below). 1 of its entries "
        "matches no finding any more: fixed since, or no longer checked.",
    }
    assert tables == {
        "Rules not run": (("USM104", _name(result, "USM104"), "Profiles", "ignored"),),
        "Severities changed by the configuration": (
            ("USM306", _name(result, "USM306"), "warning", "info"),
        ),
        "Rules turned off for some files": ((PATTERN, "USM102, service-without-support"),),
        "Findings hidden by the baseline": (("USM403", _name(result, "USM403"), "2"),),
    }


def test_a_clean_run_says_nothing_was_left_out(write_files: WriteFiles) -> None:
    result = checked(write_files({"arch.usm.yaml": 'usm: "1"\n'}))
    facts, tables = _scope(result)
    assert facts["Rules"] == "every built-in rule ran."
    assert facts["Severities"] == "every rule reports at its own severity."
    assert facts["Inline suppressions"] == "none hid a finding."
    assert facts["Baseline"] == "none: no known finding is hidden."
    assert tables == {}


def test_rules_outside_the_selection_are_not_selected(write_files: WriteFiles) -> None:
    root = write_files({"arch.usm.yaml": ARCHITECTURE})
    owner = CustomRule("ACME001", "services", "needs an owner", {"required": ["owner"]})
    lead = CustomRule("ACME002", "services", "needs a lead", {"required": ["lead"]}, name="lead")
    settings = Settings(select=("USM4", "ACME001"), ignore=("USM403",), custom_rules=(owner, lead))
    result = checked(root, settings)
    facts, tables = _scope(result)
    ran = len([rule for rule in result.rules() if rule.code.startswith("USM4")]) - 1
    assert facts["Rules"] == (
        f"{ran} of {len(result.rules())} built-in rules ran, 1 of 2 custom ones; those below "
        "did not, so no finding covers what they check."
    )
    rows = {row[0]: row[1:] for row in tables["Rules not run"]}
    assert rows["USM101"] == (_name(result, "USM101"), "Profiles", "not selected")
    assert rows["USM403"] == (_name(result, "USM403"), "Services", "ignored")
    assert rows["ACME002"] == ("lead", "custom", "not selected")
    assert "USM401" not in rows and "ACME001" not in rows


def test_files_past_twenty_are_counted_and_failed_files_named(write_files: WriteFiles) -> None:
    files = {f"f{index:02}.usm.yaml": 'usm: "1"\n' for index in range(22)}
    files["zz-broken.usm.yaml"] = "profiles: [\n"
    facts, _ = _scope(checked(write_files(files)))
    shown = ", ".join(f"f{index:02}.usm.yaml" for index in range(20))
    assert facts["Files"] == (
        f"23 files checked: {shown} and 3 more. 1 file could not be read or parsed, so neither "
        "the coverage nor a finding covers what it holds: zz-broken.usm.yaml."
    )


def test_a_catalogue_file_is_named_without_its_folders(
    write_files: WriteFiles, tmp_path: Path
) -> None:
    catalogue = tmp_path / "private" / "ours.yaml"
    catalogue.parent.mkdir()
    catalogue.write_text(
        'usm-catalogue: "1"\nworkflow_types:\n'
        "  - {id: incident, kind: reactive, trigger: incident, path: [recover]}\n",
        encoding="utf-8",
    )
    result = checked(write_files({"arch.usm.yaml": 'usm: "1"\n'}), Settings(catalogue=catalogue))
    facts, _ = _scope(result)
    assert facts["Catalogue"].startswith("ours.yaml (usm-catalogue 1), 1 workflow type:")
    assert "private" not in facts["Catalogue"]


def test_a_result_built_by_hand_has_no_rules_recorded(write_files: WriteFiles) -> None:
    result = checked(write_files({"arch.usm.yaml": 'usm: "1"\n'}))
    facts, tables = _scope(dataclasses.replace(result, settings=None, enabled=None))
    assert facts["Rules"] == "not recorded: this result does not come from a run."
    assert "Severities" not in facts and tables == {}


def test_the_section_is_rendered_and_its_user_text_escaped(write_files: WriteFiles) -> None:
    result = _with_baseline_suppression_and_ignore(write_files({"arch.usm.yaml": ARCHITECTURE}))
    html = render_report(result, "html", date=DATE)
    assert '<a href="#scope">Scope</a>' in html
    assert '<section id="scope"><h2>Scope of this check</h2>' in html
    assert "<dt>Inline suppressions</dt><dd>1 finding hidden by usmctl: ignore comments" in html
    assert "<h3>Findings hidden by the baseline</h3>" in html
    assert "<img" not in html and "<script" not in html
    assert "baseline&lt;img src=x onerror=alert(1)&gt;.json hid 2 known findings" in html
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;*.usm.yaml</td>" in html
    markdown = render_report(result, "markdown", date=DATE)
    assert "\n## Scope of this check\n" in markdown
    assert "\n**Baseline**: baseline&lt;img src=x onerror=alert(1)&gt;.json hid 2 known" in (
        markdown
    )
    assert "\n### Rules turned off for some files\n" in markdown
    row = "| &lt;script&gt;alert(1)&lt;/script&gt;\\*.usm.yaml | USM102, service-without-support |"
    assert row in markdown
    assert "<img" not in markdown and "<script" not in markdown
