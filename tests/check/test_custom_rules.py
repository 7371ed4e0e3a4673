"""Declarative custom rules (SPEC §4): a JSON Schema per entity, from config only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.factories import WriteFiles

ARCH = """\
usm: "1"
profiles:
  - id: acme-it
    kind: provider
  - id: acme-business
    kind: customer
services:
  - id: workplace
    name: Workplace
    provider: acme-it
    customers: [acme-business]
    x-owner: jane
  - id: printing
    name: Printing
    provider: acme-it
    customers: [acme-business]
"""

OWNER_RULE = """\
[[tool.usmctl.custom-rules]]
code = "ACME001"
name = "service-owner"
section = "services"
severity = "error"
message = "every service needs an x-owner"
schema = {type = "object", required = ["x-owner"]}
"""


# Only the load and reference rules and the custom ones: not USM's rules.
ONLY = '[tool.usmctl]\nselect = ["USM0", "ACME"]\n\n'


def project(write_files: WriteFiles, rules: str = OWNER_RULE) -> Path:
    return write_files({"a.usm.yaml": ARCH, "pyproject.toml": ONLY + rules})


def test_custom_rule_fires_per_failing_entity_at_the_entity(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, stdout, _ = invoke("validate", "--format", "json", cwd=project(write_files))
    assert status == 1
    (finding,) = json.loads(stdout)["findings"]
    assert finding == {
        "code": "ACME001",
        "name": "service-owner",
        "severity": "error",
        "message": 'service "printing": every service needs an x-owner '
        "('x-owner' is a required property)",
        "file": "a.usm.yaml",
        "line": 13,
        "column": 5,
        "entity": "printing",
        "path": "services[printing]",
        "fingerprint": finding["fingerprint"],
    }


def test_without_the_rule_nothing_fires(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH, "usmctl.toml": 'select = ["USM0"]\n'})
    status, stdout, _ = invoke("validate", "--format", "json", cwd=root)
    assert (status, json.loads(stdout)["findings"]) == (0, [])


@pytest.mark.parametrize(
    "args", [("--ignore", "ACME001"), ("--ignore", "service-owner"), ("--select", "USM0")]
)
def test_custom_codes_are_selectable(
    args: tuple[str, ...], write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, stdout, _ = invoke("validate", "--format", "json", *args, cwd=project(write_files))
    assert (status, json.loads(stdout)["findings"]) == (0, [])


def test_select_by_custom_prefix_and_severity_override(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = OWNER_RULE + '\n[tool.usmctl.severity]\nACME001 = "info"\n'
    status, stdout, _ = invoke(
        "validate", "--format", "json", "--select", "ACME", cwd=project(write_files, rules)
    )
    findings = json.loads(stdout)["findings"]
    assert status == 0
    assert [(f["code"], f["severity"]) for f in findings] == [("ACME001", "info")]


def test_custom_rule_checks_the_raw_mapping(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Model defaults (an absent list) are not filled in: the schema sees the file.
    rules = OWNER_RULE.replace(
        'required = ["x-owner"]',
        'properties = {depends_on = {type = "array"}}, required = ["depends_on"]',
    )
    _, stdout, _ = invoke("validate", "--format", "json", cwd=project(write_files, rules))
    assert [f["entity"] for f in json.loads(stdout)["findings"]] == ["workplace", "printing"]


def test_custom_rule_in_sarif_has_a_descriptor(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, stdout, _ = invoke(
        "validate", "--format", "json", "--format", "sarif", cwd=project(write_files)
    )
    run = json.loads(stdout)["runs"][0]
    (result,) = run["results"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "ACME001"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('type = "object"', 'type = "objekt"'), "custom-rules[0].schema: invalid JSON Schema"),
        (('section = "services"', 'section = "servces"'), "custom-rules[0].section: must be one"),
        (('code = "ACME001"', 'code = "USM999"'), "custom-rules[0].code: 'USM999': codes"),
        (('code = "ACME001"', 'code = "acme"'), "custom-rules[0].code: must be upper-case letters"),
        (('severity = "error"', 'severity = "fatal"'), "custom-rules[0].severity: must be one of"),
        (('message = "every service needs an x-owner"\n', ""), 'missing required key "message"'),
        (('name = "service-owner"', 'module = "evil"'), "custom-rules[0].module: unknown key"),
        (
            ('type = "object"', '"$ref" = "https://example.com/s.json"'),
            "custom-rules[0].schema: $ref 'https://example.com/s.json' is not local",
        ),
        (
            ('type = "object"', 'properties = {name = {pattern = "(unclosed"}}'),
            "invalid JSON Schema at properties/name/pattern",
        ),
    ],
)
def test_bad_custom_rule_is_exit_2(
    change: tuple[str, str],
    expected: str,
    write_files: WriteFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = project(write_files, OWNER_RULE.replace(*change))
    status, stdout, stderr = invoke("validate", "--format", "json", cwd=root)
    assert (status, stdout) == (2, "")
    assert stderr.startswith("usmctl: pyproject.toml [tool.usmctl]: ")
    assert expected in stderr


def test_duplicate_custom_codes_are_exit_2(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(write_files, OWNER_RULE + "\n" + OWNER_RULE)
    status, _, stderr = invoke("validate", "--format", "json", cwd=root)
    assert status == 2
    assert "custom-rules[1].code: 'ACME001' is defined twice" in stderr


def test_usmctl_toml_top_level_custom_rules(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'select = ["USM0", "ACME"]\n' + OWNER_RULE.replace(
        "[[tool.usmctl.custom-rules]]", "[[custom-rules]]"
    )
    root = write_files({"a.usm.yaml": ARCH, "usmctl.toml": text})
    status, stdout, _ = invoke("validate", "--format", "json", cwd=root)
    assert status == 1
    assert [f["code"] for f in json.loads(stdout)["findings"]] == ["ACME001"]


def test_local_refs_work(write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = OWNER_RULE.replace(
        'schema = {type = "object", required = ["x-owner"]}',
        'schema = {"$defs" = {owned = {required = ["x-owner"]}}, "$ref" = "#/$defs/owned"}',
    )
    status, stdout, _ = invoke("validate", "--format", "json", cwd=project(write_files, rules))
    assert status == 1
    assert [f["entity"] for f in json.loads(stdout)["findings"]] == ["printing"]


def test_dangling_local_ref_is_exit_2(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = OWNER_RULE.replace('type = "object"', '"$ref" = "#/$defs/missing"')
    status, stdout, stderr = invoke("validate", "--format", "json", cwd=project(write_files, rules))
    assert (status, stdout) == (2, "")
    assert "custom rule ACME001: schema reference cannot be resolved" in stderr


NAME_RULE = """\
[[tool.usmctl.custom-rules]]
code = "ACME002"
section = "profiles"
message = "names are short"
schema = {properties = {name = {maxLength = 10}}}
"""


def test_custom_rule_finding_points_at_the_failing_field(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    arch = ARCH.replace(
        "    kind: customer\n", "    kind: customer\n    name: ACME business units\n"
    )
    root = write_files({"a.usm.yaml": arch, "pyproject.toml": ONLY + NAME_RULE})
    _, stdout, _ = invoke("validate", "--format", "json", cwd=root)
    (finding,) = json.loads(stdout)["findings"]
    assert finding["message"] == (
        "profile \"acme-business\": names are short (name: 'ACME business units' is too long)"
    )
    assert (finding["line"], finding["column"]) == (7, 11)
    assert (finding["entity"], finding["path"]) == ("acme-business", "profiles[acme-business].name")


def test_custom_rule_finding_points_at_a_failing_list_item(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = OWNER_RULE.replace(
        'required = ["x-owner"]', 'properties = {customers = {items = {pattern = "^acme-it$"}}}'
    )
    _, stdout, _ = invoke("validate", "--format", "json", cwd=project(write_files, rules))
    assert [(f["line"], f["column"], f["path"]) for f in json.loads(stdout)["findings"]] == [
        (11, 17, "services[workplace].customers[0]"),
        (16, 17, "services[printing].customers[0]"),
    ]


def test_custom_rule_on_a_salvaged_entity_points_into_the_file_as_written(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # customers[0] fails the model and is salvaged away; the schema sees the file.
    arch = ARCH.replace(
        "customers: [acme-business]\n    x-owner", "customers: [5, bad]\n    x-owner"
    )
    rules = OWNER_RULE.replace(
        'required = ["x-owner"]', 'properties = {customers = {items = {pattern = "^acme"}}}'
    )
    root = write_files({"a.usm.yaml": arch, "pyproject.toml": ONLY + rules})
    _, stdout, _ = invoke("validate", "--format", "json", cwd=root)
    found = [(f["code"], f["line"], f["column"], f["path"]) for f in json.loads(stdout)["findings"]]
    assert ("ACME001", 11, 20, "services[workplace].customers[1]") in found
