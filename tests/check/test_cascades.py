"""One defect, one finding (docs/format.md, "Findings"): each measured cascade.

Each case checks an architecture twice, as written and with one defect, and
asserts the exact findings the defect adds: one finding (which may carry a
note), not one per rule or file that depends on what failed.
"""

from __future__ import annotations

import json
from pathlib import Path

from usmctl.api import check
from usmctl.check.settings import Settings

BASE = """\
usm: "1"
profiles:
  - {id: acme-business, kind: customer}
  - {id: acme-it, kind: provider}
  - id: cloudco
    kind: supplier
    external: true
  - {id: desk-agent, kind: operator, of: acme-it}
  - {id: change-manager, kind: operator, of: acme-it}
services:
  - id: workplace
    provider: acme-it
    customers: [acme-business]
    facility: {description: Laptops ready for use}
    support: {description: Help with the laptops}
  - id: hosting
    provider: cloudco
    customers: [acme-it]
    facility: {description: Virtual machines}
    support: {description: A service desk}
"""

WORKFLOWS = """\
usm: "1"
workflows:
  - id: wf-wish
    provider: acme-it
    type: wish
    owner_process: agree
    steps:
      - name: Register the wish
        process: agree
        responsibilities: {desk-agent: [R, A], change-manager: [C]}
      - name: Carry it out
        process: change
        responsibilities: {change-manager: [R, A], desk-agent: [I]}
"""

WIF = {
    "format-version": "1.0.0",
    "type": "workflow",
    "context": "acme-it",
    "slug": "wf-incident",
    "process": "recover",
    "steps": [
        {
            "id": "1",
            "sort-index": 1,
            "name": "Register",
            "process": "recover",
            "activities": [
                {"id": "1", "responsibilities": {"desk-agent": ["R", "A"]}},
                {
                    "id": "2",
                    "responsibilities": {"desk-agent": ["R", "A"], "change-manager": ["C"]},
                },
            ],
        },
        {
            "id": "2",
            "sort-index": 2,
            "name": "Restore",
            "process": "recover",
            "activities": [
                {"id": "1", "responsibilities": {"change-manager": ["R", "A"], "desk-agent": ["I"]}}
            ],
        },
    ],
}

Found = tuple[str, str, str]


def findings(root: Path, files: dict[str, str]) -> list[Found]:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    result = check(["."], Settings(), cwd=root)
    return [(f.code, f"{f.file}:{f.line}:{f.column}", f.message) for f in result.findings]


def added(tmp_path: Path, files: dict[str, str], broken: dict[str, str]) -> list[Found]:
    """The findings the defect adds to those of the architecture without it."""
    clean = findings(tmp_path / "clean", files)
    assert not any(code == "USM006" for code, _, _ in clean)
    return [
        item for item in findings(tmp_path / "broken", {**files, **broken}) if item not in clean
    ]


def all_files() -> dict[str, str]:
    return {
        "base.usm.yaml": BASE,
        "workflows.usm.yaml": WORKFLOWS,
        "incident.workflow.json": json.dumps(WIF, indent=2) + "\n",
    }


def test_a_misspelt_wif_context_is_one_unresolved_reference(tmp_path: Path) -> None:
    files = all_files()
    broken = files["incident.workflow.json"].replace('"acme-it"', '"acme-itt"')
    assert added(tmp_path, files, {"incident.workflow.json": broken}) == [
        (
            "USM006",
            "incident.workflow.json:4:14",
            'workflow "wf-incident": provider names profile "acme-itt", which does not exist '
            '(did you mean "acme-it"?)',
        )
    ]


def test_a_misspelt_workflow_provider_is_one_unresolved_reference(tmp_path: Path) -> None:
    files = all_files()
    broken = files["workflows.usm.yaml"].replace("provider: acme-it", "provider: digtal-team")
    assert added(tmp_path, files, {"workflows.usm.yaml": broken}) == [
        (
            "USM006",
            "workflows.usm.yaml:4:15",
            'workflow "wf-wish": provider names profile "digtal-team", which does not exist',
        )
    ]


def test_a_boolean_written_as_text_is_one_schema_violation(tmp_path: Path) -> None:
    files = all_files()
    broken = files["base.usm.yaml"].replace("external: true", 'external: "yes"')
    assert added(tmp_path, files, {"base.usm.yaml": broken}) == [
        (
            "USM003",
            "base.usm.yaml:7:15",
            'profile "cloudco": external must be true or false, got a string',
        )
    ]


def test_an_alias_before_its_anchor_is_one_syntax_error_with_a_note(tmp_path: Path) -> None:
    files = all_files()
    broken = (
        files["base.usm.yaml"]
        .replace("{id: acme-business, kind: customer}", "{id: acme-business, kind: *party}")
        .replace("{id: acme-it, kind: provider}", "{id: acme-it, kind: &party provider}")
    )
    assert added(tmp_path, files, {"base.usm.yaml": broken}) == [
        (
            "USM001",
            "base.usm.yaml:3:31",
            'invalid YAML: alias "*party" has no anchor "&party" before it in this file '
            "(not checked until it loads: references to 3 ids no other file declares, "
            '"acme-it", "change-manager", "desk-agent"; USM311, which looks for what is '
            "missing)",
        )
    ]


def test_an_unquoted_version_is_one_unsupported_version(tmp_path: Path) -> None:
    files = all_files()
    broken = files["base.usm.yaml"].replace('usm: "1"', "usm: 1")
    found = added(tmp_path, files, {"base.usm.yaml": broken})
    assert [(code, at) for code, at, _ in found] == [("USM008", "base.usm.yaml:1:6")]
    assert found[0][2].endswith(
        "(not checked until it loads: references to 3 ids no other file declares, "
        '"acme-it", "change-manager", "desk-agent"; USM311, which looks for what is missing)'
    )


def test_a_file_that_fails_to_load_hides_what_may_be_missing(tmp_path: Path) -> None:
    """The services live in the failed file: no USM101/USM102 for their parties."""
    parties, services = BASE.split("services:\n")
    files = {
        "parties.usm.yaml": parties,
        "services.usm.yaml": "usm: 1\nservices:\n" + services,
    }
    assert [(code, at) for code, at, _ in findings(tmp_path, files)] == [
        ("USM008", "services.usm.yaml:1:6")
    ]
    (message,) = [message for _, _, message in findings(tmp_path, files)]
    assert message.endswith(
        "(not checked until it loads: USM101, USM102, USM104, which look for what is missing)"
    ), message


def test_an_unquoted_numeric_id_is_one_schema_violation(tmp_path: Path) -> None:
    files = all_files()
    files["base.usm.yaml"] += (
        "agreements:\n  - {id: sa-2024, provider: acme-it, customer: acme-business}\n"
    )
    broken = (
        files["base.usm.yaml"]
        .replace("{id: acme-business, kind: customer}", "{id: 2024, kind: customer}")
        .replace("customers: [acme-business]", 'customers: ["2024"]')
        .replace("customer: acme-business}", 'customer: "2024"}')
    )
    assert added(tmp_path, files, {"base.usm.yaml": broken}) == [
        (
            "USM003",
            "base.usm.yaml:3:10",
            'profile "#1": id must be a string, got an integer (YAML 1.1 reads unquoted '
            "yes/no/on/off and numbers as such: quote it)",
        )
    ]


def test_a_finding_about_another_id_of_the_entity_still_counts(tmp_path: Path) -> None:
    """Held back is only what names the unresolved id: a second defect stays."""
    files = all_files()
    broken = (
        files["workflows.usm.yaml"]
        .replace("provider: acme-it", "provider: digtal-team")
        .replace("process: change", "process: chnage")
    )
    codes = [code for code, _, _ in added(tmp_path, files, {"workflows.usm.yaml": broken})]
    assert "USM006" in codes and "USM202" in codes
