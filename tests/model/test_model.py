"""Models and the builder: schema errors located at the offending node."""

from __future__ import annotations

from pathlib import Path

from tests.support.factories import WriteFiles, checked, located
from usmctl.model import build
from usmctl.model.architecture import SECTIONS
from usmctl.output.scaffold import pilot_files


def findings(write_files: WriteFiles, files: dict[str, str]) -> list[tuple[str, str, str]]:
    result = checked(write_files(files))
    return [(f"{f.file}:{f.line}:{f.column}", f.code, f.message) for f in result.findings]


def test_wrong_type_points_at_the_value(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        services:
          - id: s
            provider: p
            support:
              hours: on
        """})  # fmt: skip
    assert ("a.usm.yaml:6:14", "USM003") in [(at, code) for at, code, _ in found]
    message = next(m for at, code, m in found if code == "USM003")
    assert message.startswith('service "s": support.hours must be a string, got a boolean')


def test_unknown_field_points_at_the_key_and_suggests(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        services:
          - id: s
            provider: p
            custmers: [a]
        """})  # fmt: skip
    assert (
        "a.usm.yaml:5:5",
        "USM004",
        'unknown field "custmers" in service "s" (did you mean "customers"?)',
    ) in found


def test_nested_unknown_field_suggests_from_the_nested_model(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        services:
          - id: s
            provider: p
            facility: {descripton: x}
        """})  # fmt: skip
    assert any(code == "USM004" and 'did you mean "description"' in m for _, code, m in found)


def test_extension_keys_are_allowed_everywhere(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        x-owner: team-a
        profiles:
          - id: p
            kind: provider
            x-cost-centre: 12
        """})  # fmt: skip
    assert [code for _, code, _ in found if code in ("USM003", "USM004")] == []


def test_missing_required_field_points_at_the_entity(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        profiles:
          - id: p
            name: no kind
        """})  # fmt: skip
    assert ("a.usm.yaml:3:5", "USM003", 'profile "p" is missing required field "kind"') in found


def test_invalid_id_and_enum(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        profiles:
          - id: Acme IT
            kind: vendor
        """})  # fmt: skip
    codes = [(at, code) for at, code, _ in found]
    assert ("a.usm.yaml:3:9", "USM003") in codes
    assert ("a.usm.yaml:4:11", "USM003") in codes


def test_unknown_section_and_wrong_section_type(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        service:
          - id: s
        profiles: {id: p}
        """})  # fmt: skip
    assert (
        "a.usm.yaml:2:1",
        "USM004",
        'unknown top-level section "service" (did you mean "services"?)',
    ) in found
    assert ("a.usm.yaml:4:11", "USM003") in [(at, code) for at, code, _ in found]


def test_duplicate_ids_across_files_give_both_locations(write_files: WriteFiles) -> None:
    found = findings(write_files, {
        "a.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: p, kind: provider}\n',
        "b.usm.yaml": 'usm: "1"\nprofiles:\n  - id: p\n    kind: customer\n',
    })  # fmt: skip
    assert (
        "b.usm.yaml:3:9",
        "USM005",
        'duplicate profile id "p" (first at a.usm.yaml:3:10)',
    ) in found


def test_same_id_in_different_sections_is_fine(write_files: WriteFiles) -> None:
    found = findings(write_files, {"a.usm.yaml": """
        usm: "1"
        profiles:
          - {id: x, kind: provider}
        services:
          - {id: x, provider: x}
        """})  # fmt: skip
    assert "USM005" not in [code for _, code, _ in found]


def test_usm_wif_workflow_is_read_with_json_positions(write_files: WriteFiles) -> None:
    root = write_files({
        "a.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: p, kind: provider}\n',
        "fix.workflow.json": """
            {
              "format-version": "1.0.0",
              "process": "recover",
              "dynamicity": "static",
              "context": "p",
              "slug": "fix-it",
              "name": "Fix it",
              "type": "workflow",
              "unknown-field": {"ignored": true},
              "steps": [
                {"id": "1", "sort-index": 1, "name": "Fix", "process": "recover",
                 "activities": [{"id": "a", "responsibilities": {"p": ["R", "X"]}}]}
              ]
            }
            """,
    })  # fmt: skip
    result = checked(root)
    bad = [f for f in result.findings if f.code == "USM003"]
    assert [(f.file, f.line, f.column) for f in bad] == [("fix.workflow.json", 12, 65)]
    assert "USM004" not in [f.code for f in result.findings]  # Must-Ignore
    assert "fix-it" in result.architecture.known_ids["workflows"]
    (root / "fix.workflow.json").write_text(
        (root / "fix.workflow.json").read_text().replace('"X"', '"A"')
    )
    [workflow] = checked(root).architecture.workflows
    assert (workflow.id, workflow.provider, workflow.owner_process) == ("fix-it", "p", "recover")
    assert workflow.type == "incident"  # inferred from the step path


def test_invalid_entity_is_left_out_but_others_stay(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": """
        usm: "1"
        profiles:
          - {id: a, kind: provider}
          - {id: b, kind: nope}
          - {id: c, kind: customer}
        """})  # fmt: skip
    result = checked(root)
    assert [p.id for p in result.architecture.profiles] == ["a", "c"]
    assert [at for at in located(result) if at.endswith("USM003")] == ["a.usm.yaml:4:19 USM003"]


def pilot_with(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """The pilot architecture (clean) with one edit in one file."""
    files = pilot_files()
    assert old in files[file]
    files[file] = files[file].replace(old, new, 1)
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_wrong_type_does_not_cascade_to_other_entities(tmp_path: Path) -> None:
    root = pilot_with(tmp_path, "services.usm.yaml", 'hours: "Mon-Fri 08:00-18:00"', "hours: on")
    result = checked(root)
    assert located(result) == ["services.usm.yaml:18:14 USM003"]
    [service] = result.architecture.services
    # Only the offending value is gone: the rest of the support stays.
    assert service.support is not None
    assert service.support.hours is None
    assert service.support.channels


def test_a_raci_typo_keeps_the_workflow_and_its_step_findings_quiet(tmp_path: Path) -> None:
    root = pilot_with(
        tmp_path, "workflows.usm.yaml", "{service-manager: [R, A],", "{service-manager: [r, a],"
    )
    result = checked(root)
    # Not USM306 (no wish workflow) nor USM307/USM304 (the step lost its R and A).
    assert located(result) == ["workflows.usm.yaml:23:46 USM003", "workflows.usm.yaml:23:49 USM003"]
    assert "wf-wish" in [workflow.id for workflow in result.architecture.workflows]


def test_a_removed_list_item_keeps_later_items_located(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": """
        usm: "1"
        workflows:
          - id: w
            steps:
              - just text
              - {name: one, process: agree, responsibilities: {x: [R, A]}}
              - {name: two, process: agree, responsibilities: {x: [R]}}
        """})  # fmt: skip
    result = checked(root)
    [workflow] = result.architecture.workflows
    assert [step.name for step in workflow.steps] == ["one", "two"]
    usm307 = [f for f in result.findings if f.code == "USM307"]
    assert [(f.line, f.column, f.path) for f in usm307] == [
        (7, 55, "workflows[w].steps[2].responsibilities")
    ]
    assert "a.usm.yaml:5:9 USM003" in located(result)


def test_a_nested_object_missing_a_required_field_is_removed(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": """
        usm: "1"
        value_streams:
          - id: v
            stages:
              - {service: s}
              - {name: deliver}
        """})  # fmt: skip
    result = checked(root)
    [stream] = result.architecture.value_streams
    assert [stage.name for stage in stream.stages] == ["deliver"]
    assert [f.message for f in result.findings if f.code in ("USM003", "USM004")] == [
        'value stream "v" is missing required field "stages[0].name"'
    ]


def test_an_invalid_required_field_leaves_the_entity_out_with_one_finding(
    write_files: WriteFiles,
) -> None:
    root = write_files({"a.usm.yaml": """
        usm: "1"
        services:
          - id: s
            provider: 5
            agreement: [x]
        """})  # fmt: skip
    result = checked(root)
    assert result.architecture.services == ()
    assert "s" in result.architecture.known_ids["services"]
    # provider and agreement, once each: no "missing provider" after the removal
    assert located(result) == ["a.usm.yaml:4:15 USM003", "a.usm.yaml:5:16 USM003"]


def test_a_salvaged_optional_field_is_not_reported_again_by_rules(
    write_files: WriteFiles,
) -> None:
    files = {"a.usm.yaml": """
        usm: "1"
        profiles:
          - {id: p, kind: provider}
          - {id: c, kind: customer}
        services:
          - id: s
            provider: p
            customers: [c]
            agreement: 7
        """}  # fmt: skip
    result = checked(write_files(files))
    assert [s.id for s in result.architecture.services] == ["s"]
    at_agreement = [f.code for f in result.findings if f.path == "services[s].agreement"]
    assert at_agreement == ["USM003"]  # not also USM104-style "has no agreement"


def test_a_removed_step_does_not_make_the_path_rules_judge_a_shorter_workflow(
    tmp_path: Path,
) -> None:
    """Its first step lost (a typo), wf-wish would "start in change" (USM303)."""
    root = pilot_with(
        tmp_path,
        "workflows.usm.yaml",
        "on it with the customer\n        process:",
        "on it\n        proces:",
    )
    codes = sorted({finding.code for finding in checked(root).findings})
    assert codes == ["USM003", "USM004"]


def test_messages_name_list_positions_as_in_the_file(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": """
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: s
            provider: acme-it
            customers: [5, [a], ghost]
        """})  # fmt: skip
    [usm006] = [f for f in checked(root).findings if f.code == "USM006"]
    assert usm006.path == "services[s].customers[2]"
    assert "customers[2] names" in usm006.message


def test_the_section_validators_can_be_built_ahead_of_the_build() -> None:
    """`build_validators` builds each section's list validator (pydantic
    defers them to first use), the ones the build then validates with."""
    build._list_adapter.cache_clear()
    build.build_validators()
    assert build._list_adapter.cache_info().currsize == len(SECTIONS)
    assert all(build._list_adapter(model).validate_python([]) == [] for model in SECTIONS.values())
    assert build._list_adapter.cache_info().misses == len(SECTIONS)  # none built again
