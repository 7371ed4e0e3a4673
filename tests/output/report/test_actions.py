"""The report's next actions: ranked by USM impact, one edit each, saying what
to write, where, and which findings it clears."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.support.factories import (
    HOSTILE_IMG,
    HOSTILE_MARKDOWN,
    HOSTILE_SCRIPT,
    SMALL,
    checked,
    finding,
    with_findings,
    write,
)
from tests.support.paths import EXAMPLES
from usmctl.check.result import RunResult
from usmctl.core.findings import Finding, Severity
from usmctl.output.report import render_report
from usmctl.output.report.actions import (
    IMPACT_CLASSES,
    SHOWN_ACTIONS,
    Action,
    Impact,
    impacts,
    next_actions,
)
from usmctl.output.report.content import build_report
from usmctl.rules import ALL_RULES

DATE = "2026-01-31"


@pytest.fixture(scope="module")
def broken() -> RunResult:
    return checked(EXAMPLES / "broken")


def _place(item: Finding) -> str:
    return f"{item.file}:{item.line}"


def _one(actions: tuple[Action, ...], title: str) -> Action:
    (found,) = [action for action in actions if action.title.startswith(title)]
    return found


def test_every_rule_code_has_one_impact_class(broken: RunResult) -> None:
    names = [name for class_names in IMPACT_CLASSES.values() for name in class_names]
    assert len(names) == len(set(names)), Counter(names).most_common(3)
    # every registered rule in the table, nothing else in it
    assert set(names) == {rule.meta().name for rule in ALL_RULES}
    classes = impacts(broken)
    assert set(classes) == {rule.code for rule in ALL_RULES}
    assert (classes["USM201"], classes["USM401"], classes["USM501"], classes["USM006"]) == (
        Impact.OPERATING_MODEL,
        Impact.SERVICE_INTERFACE,
        Impact.GOVERNANCE,
        Impact.HYGIENE,
    )


def test_broken_example_starts_with_the_missing_process_not_the_typo(broken: RunResult) -> None:
    actions = next_actions(broken)
    assert [action.clears for action in actions[:4]] == [
        (("USM201", 1),),
        (("USM306", 1),),
        (("USM306", 1),),
        (("USM310", 1),),
    ]
    assert actions[0].title == "USM201 missing-process: Development team (dev-team)"
    assert (actions[0].impact, actions[0].severity) == (Impact.OPERATING_MODEL, Severity.ERROR)
    # then the services, governance and overlays, the rest, and the typos last
    classes = [action.impact for action in actions]
    assert classes == sorted(classes, key=lambda item: item if item is not None else 99)
    typo = _one(actions, "USM006 ")
    assert typo.impact is Impact.HYGIENE
    assert actions.index(typo) > actions.index(_one(actions, "USM501 "))
    assert typo.write == 'Replace "cloud-hostng" by "cloud-hosting"'
    # every finding is cleared by exactly one action
    cleared = Counter[str]()
    for action in actions:
        cleared.update(dict(action.clears))
    assert cleared == Counter(item.code for item in broken.findings)


def test_an_action_says_where_its_finding_is(broken: RunResult) -> None:
    actions = next_actions(broken)
    (missing,) = [item for item in broken.findings if item.code == "USM201"]
    assert actions[0].where == _place(missing) == "parties.usm.yaml:30"
    for action in actions:
        codes = dict(action.clears)
        assert action.where in {_place(item) for item in broken.findings if item.code in codes}


def test_one_rename_clears_the_findings_about_the_missing_key(broken: RunResult) -> None:
    """``custmers`` misspelt: the rename (USM004) also clears "no customers" (USM404)."""
    actions = next_actions(broken)
    courier = _one(actions, "USM004 ")
    by_code = {item.code: item for item in broken.findings if item.entity == "courier"}
    assert courier.clears == (("USM004", 1), ("USM404", 1))
    assert courier.describe_clears() == "2 findings (USM004, USM404)"
    assert courier.where == _place(by_code["USM004"])
    assert courier.also == (_place(by_code["USM404"]),)
    assert courier.write == 'Replace "custmers" by "customers"'
    # a service gap, so ranked with the services, though a typo clears it
    assert courier.impact is Impact.SERVICE_INTERFACE
    # the agreement's party mismatch is another edit
    assert _one(actions, "USM405 agreement-party-mismatch: Internal courier").clears == (
        ("USM405", 1),
    )


def test_findings_on_one_value_are_one_action_findings_on_one_entity_are_not(
    broken: RunResult,
) -> None:
    actions = next_actions(broken)
    # USM202 and USM702 on one `process` value: one new value clears both
    assert _one(actions, "USM202 ").clears == (("USM202", 1), ("USM702", 1))
    # USM103 (no `of`) and USM104 (never referenced) on one profile: two edits
    assert _one(actions, "USM103 ").clears == (("USM103", 1),)
    assert len([action for action in actions if action.title.startswith("USM104 ")]) == 2
    # one rule, one entity: the edits are in its block
    indicators = _one(actions, "USM607 ")
    assert indicators.clears == (("USM607", 2),)
    assert (indicators.where, indicators.also) == (
        "coherence.usm.yaml:50",
        ("coherence.usm.yaml:52",),
    )


def test_what_to_write_is_the_fix_or_the_rules_good_example(broken: RunResult) -> None:
    actions = next_actions(broken)
    facility = _one(actions, "USM401 ")
    assert facility.write == "Add a facility description to write"
    assert facility.snippet == "facility:\n  description: TBD"
    steps = _one(actions, "USM310 ")
    rule = broken.rule("USM310")
    assert rule is not None
    assert (steps.write, steps.advice) == ("", rule.remediation)
    # the part of the rule's Good example its Bad example lacks
    assert steps.snippet and steps.snippet in rule.good
    assert "profiles:" not in steps.snippet
    assert steps.help_uri == rule.help_uri


def test_a_providers_missing_entries_are_written_for_that_provider(broken: RunResult) -> None:
    """USM201 and USM306 get the entries the provider lacks, with its id, not
    the rule's example of another provider."""
    actions = next_actions(broken)
    processes = actions[0]
    assert processes.title.startswith("USM201 ") and "(dev-team)" in processes.title
    assert yaml.safe_load(processes.snippet) == {
        "processes": [
            {"provider": "dev-team", "process": name}
            for name in ("agree", "change", "recover", "operate", "improve")
        ]
    }
    acme = next(a for a in actions if a.title.startswith("USM306 ") and "(acme-it)" in a.title)
    assert yaml.safe_load(acme.snippet) == {
        "workflows": [
            {
                "id": "acme-it-improvement-via-operation",
                "provider": "acme-it",
                "type": "improvement-via-operation",
            }
        ]
    }


def test_an_id_that_is_not_plain_yaml_is_quoted_in_the_entries(tmp_path: Path) -> None:
    """An id YAML 1.1 reads as a boolean (``on``) or a number (``010``)."""
    for odd in ("on", "010"):
        root = tmp_path / odd
        root.mkdir()
        write(root, SMALL.replace("shop-it", f'"{odd}"'))
        actions = next_actions(checked(root))
        processes = next(a for a in actions if a.title.startswith("USM201 "))
        assert f'provider: "{odd}"' in processes.snippet
        entries = yaml.safe_load(processes.snippet)["processes"]
        assert {entry["provider"] for entry in entries} == {odd}


def _pilot_with(tmp_path: Path, name: str, old: str, new: str) -> RunResult:
    """The pilot example with one text replaced in one of its files, checked."""
    shutil.copytree(EXAMPLES / "pilot", tmp_path, dirs_exist_ok=True)
    path = tmp_path / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return checked(tmp_path)


def test_a_misspelt_agreement_key_is_one_action_for_the_service_gap(tmp_path: Path) -> None:
    result = _pilot_with(
        tmp_path, "services.usm.yaml", "    agreement: sa-workplace", "    agrement: sa-workplace"
    )
    places = {item.code: _place(item) for item in result.findings}
    assert sorted(places) == ["USM004", "USM403"]
    (action,) = next_actions(result)
    assert action.clears == (("USM004", 1), ("USM403", 1))
    assert (action.where, action.also) == (places["USM004"], (places["USM403"],))
    assert action.write == 'Replace "agrement" by "agreement"'
    assert action.impact is Impact.SERVICE_INTERFACE


def test_a_typo_only_architecture_gets_its_typo_action(tmp_path: Path) -> None:
    result = _pilot_with(
        tmp_path, "bindings.usm.yaml", "applies_to: [workplace]", "applies_to: [workplce]"
    )
    assert [item.code for item in result.findings] == ["USM006"]
    (action,) = build_report(result, date=DATE).actions
    assert action.clears == (("USM006", 1),)
    assert action.where == "bindings.usm.yaml:34"
    assert action.write == 'Replace "workplce" by "workplace"'
    assert action.impact is Impact.HYGIENE


def test_within_a_class_errors_then_warnings_then_the_most_cleared(tmp_path: Path) -> None:
    result = with_findings(
        checked(write(tmp_path, SMALL)),
        finding("USM006", "typo", path="services[webshop].depends_on[0]", entity="webshop"),
        finding("USM502", "w", path="governance[a]", entity="a", severity=Severity.WARNING),
        *(
            finding("USM502", "w", path="governance[b]", entity="b", severity=Severity.WARNING)
            for _ in range(2)
        ),
        finding("USM501", "e", path="governance[c].enforced_by", entity="c", line=9),
        finding("ACME001", "custom", path="services[s]", entity="s", severity=Severity.INFO),
    )
    actions = next_actions(result)
    assert [(action.title, action.cleared) for action in actions] == [
        ("USM501 usm501: c", 1),
        ("USM502 usm502: b", 2),
        ("USM502 usm502: a", 1),
        ("ACME001 acme001: s", 1),
        ("USM006 usm006: Web shop (webshop)", 1),
    ]
    assert actions[3].impact is Impact.COHERENCE
    assert (actions[3].advice, actions[3].finding) == ("", "custom")


def test_empty_areas_come_after_the_findings_before_information(tmp_path: Path) -> None:
    result = with_findings(
        checked(write(tmp_path, SMALL)),
        finding("USM104", "unused", path="profiles[x]", entity="x", severity=Severity.INFO),
        finding("USM006", "dangling", path="services[webshop].depends_on[0]", entity="webshop"),
    )
    actions = build_report(result, date=DATE).actions
    assert [action.title for action in actions] == [
        "USM006 usm006: Web shop (webshop)",
        "Value streams: nothing declared",
        "USM104 usm104: x",
    ]


def test_keep_it_clean_when_nothing_is_wrong() -> None:
    result = with_findings(checked(EXAMPLES / "siam-multi-provider"))
    actions = build_report(result, date=DATE).actions
    assert [action.title for action in actions] == ["Keep it clean"]
    assert not actions[0].clears


@pytest.mark.parametrize("output_format", ["html", "markdown"])
def test_the_report_shows_three_actions_and_counts_the_rest(
    broken: RunResult, output_format: str
) -> None:
    actions = next_actions(broken)
    document = render_report(broken, output_format, date=DATE)
    start = document.index("Start small: the next three actions")
    section = document[start : document.index("Supply chain", start)]
    for action in actions[:SHOWN_ACTIONS]:
        assert action.where in section
    assert actions[SHOWN_ACTIONS].where not in section
    rest = len(actions) - SHOWN_ACTIONS
    cleared = len(broken.findings) - sum(action.cleared for action in actions[:SHOWN_ACTIONS])
    assert f"{rest} more actions clear the other {cleared} findings" in section
    assert "Clears 1 finding (USM201)" in section
    assert "missing USM processes and workflows" in section


def test_user_text_in_an_action_stays_text(tmp_path: Path) -> None:
    write(tmp_path, SMALL.replace("name: Web shop", f"name: '{HOSTILE_IMG}'"))
    result = with_findings(
        checked(tmp_path),
        finding(
            "ACME001",
            f"{HOSTILE_SCRIPT} {HOSTILE_MARKDOWN}",
            path="services[webshop]",
            entity="webshop",
            file=f"{HOSTILE_SCRIPT}.usm.yaml",
        ),
    )
    (action, *_) = next_actions(result)
    assert action.title == f"ACME001 acme001: {HOSTILE_IMG} (webshop)"
    assert action.where == f"{HOSTILE_SCRIPT}.usm.yaml:1"
    html = render_report(result, "html", date=DATE)
    section = html[html.index('id="start-small"') : html.index('id="supply-chain"')]
    assert "<script" not in section
    assert "<img" not in section
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.usm.yaml:1" in section
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; (webshop)" in section
    markdown = render_report(result, "markdown", date=DATE)
    start = markdown.index("## Start small")
    section = markdown[start : markdown.index("## Supply chain", start)]
    assert "<script" not in section
    assert HOSTILE_MARKDOWN not in section
    assert "\\`code\\` \\| \\[link\\](javascript:alert(1))" in section
