"""The nested walk of a workflow along a catalogue chain (docs/usm.md,
"Nested walks"), and type inference from a walk."""

from __future__ import annotations

from pathlib import Path

import pytest

from usmctl.model.catalogue import collapse, load_catalogue, walk

WISH = ("agree", "change", "operate")


@pytest.mark.parametrize(
    "sequence",
    [
        ["agree"],
        ["agree", "change"],
        ["agree", "change", "operate", "change", "agree"],
        ["agree", "change", "agree"],
    ],
)
def test_wish_walks_that_follow(sequence: list[str]) -> None:
    walked = walk(sequence, WISH)
    assert walked.verdict == "follows"
    assert walked.deviation is None


def test_skipping_a_level_deviates_at_the_skipping_step() -> None:
    walked = walk(["agree", "operate"], WISH)
    assert walked.verdict == "deviation"
    assert walked.deviation is not None
    assert (walked.deviation.index, walked.deviation.reason) == (1, "skips-level")
    assert walked.deviation.skipped == ("change",)
    assert walked.deviation.explain() == '"operate" skips "change"'


def test_wrong_entry_and_its_return_to_a_process_not_passed() -> None:
    walked = walk(["change", "agree"], WISH)
    assert walked.verdict == "wrong-entry"
    assert walked.deviation is not None
    assert (walked.deviation.index, walked.deviation.reason) == (1, "return-not-passed")


def test_a_foreign_process_deviates() -> None:
    walked = walk(["agree", "recover"], WISH)
    assert walked.verdict == "deviation"
    assert walked.deviation is not None
    assert (walked.deviation.index, walked.deviation.reason) == (1, "foreign-process")
    assert walked.deviation.explain() == '"recover" is not in the chain'


def test_a_later_skip_is_found_after_returns() -> None:
    chain = ("improve", "agree", "change", "operate")
    walked = walk(["improve", "agree", "improve", "change"], chain)
    assert walked.deviation is not None
    assert (walked.deviation.index, walked.deviation.reason) == (3, "skips-level")


# The usm.tools templates, forks flattened: each walk and the type it is.
USMTOOLS_WALKS = {
    "Changes to agreements": (
        ["agree", "change", "operate", "change", "agree"],
        "wish",
    ),
    "Changes to managed resources": (["change", "operate", "change"], "request-for-change"),
    "Operate": (["operate"], "service-request"),
    "Incidents without changes to managed resources": (
        ["recover", "operate", "recover"],
        "incident",
    ),
    "Incident with changes to managed resources": (
        ["recover", "change", "operate", "change", "recover"],
        "incident-with-change",
    ),
    "Risks with changes to agreements": (
        ["improve", "agree", "change", "operate", "change", "agree", "improve"],
        "improvement-via-agreement",
    ),
    "Risks with changes to managed resources": (
        ["improve", "change", "operate", "change", "improve"],
        "improvement-via-change",
    ),
    "Risks that can be handled by operations": (
        ["improve", "operate", "improve"],
        "improvement-via-operation",
    ),
}


@pytest.mark.parametrize("template", sorted(USMTOOLS_WALKS))
def test_usmtools_walks_follow_their_chain_and_no_other(template: str) -> None:
    sequence, expected = USMTOOLS_WALKS[template]
    catalogue = load_catalogue()
    workflow_type = catalogue.get(expected)
    assert workflow_type is not None
    assert walk(sequence, workflow_type.chain).verdict == "follows"
    assert catalogue.infer(sequence) == (expected,)
    others = [t for t in catalogue.types if t.id != expected]
    assert all(walk(sequence, other.chain).verdict != "follows" for other in others)


@pytest.mark.parametrize(
    ("sequence", "expected"),
    [
        (["recover"], ("incident",)),
        (["improve"], ("improvement-via-operation",)),
        (["agree"], ("wish",)),
        (["improve", "change"], ("improvement-via-change",)),
        (["operate", "recover"], ()),
        ([], ()),
    ],
)
def test_inference_prefers_the_largest_covered_share(
    sequence: list[str], expected: tuple[str, ...]
) -> None:
    assert load_catalogue().infer(sequence) == expected


def test_collapse_merges_repeats_and_aliases() -> None:
    assert collapse(["agree", "CTM", "change", "operation", "operate"]) == [
        "agree",
        "change",
        "operate",
    ]
    assert collapse(["agree", "problem-management"]) is None


def test_builtin_catalogue_is_v2_with_a_source_per_row() -> None:
    catalogue = load_catalogue()
    assert "planned-operation" not in catalogue.ids
    assert all(t.source for t in catalogue.types)
    assert {t.id: t.chain for t in catalogue.types} == {
        "wish": ["agree", "change", "operate"],
        "request-for-change": ["change", "operate"],
        "service-request": ["operate"],
        "incident": ["recover", "operate"],
        "incident-with-change": ["recover", "change", "operate"],
        "improvement-via-agreement": ["improve", "agree", "change", "operate"],
        "improvement-via-change": ["improve", "change", "operate"],
        "improvement-via-operation": ["improve", "operate"],
    }
    triggers = {t.id: (t.kind, t.trigger) for t in catalogue.types}
    assert triggers["improvement-via-operation"] == ("proactive", "risk")
    assert triggers["incident-with-change"] == ("reactive", "incident")


def test_a_v1_catalogue_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "v1.yaml"
    path.write_text(
        'usm-catalogue: "1"\n'
        "workflow_types:\n"
        "  - {id: wish, kind: reactive, trigger: wish, path: [agree, change]}\n"
        "  - {id: planned-operation, kind: proactive, trigger: planned, path: [operate]}\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(path)
    assert catalogue.ids == ("wish", "planned-operation")
    assert catalogue.types[0].chain == ["agree", "change"]


def test_a_v2_catalogue_rejects_the_v1_trigger(tmp_path: Path) -> None:
    from usmctl.core.errors import ConfigError

    path = tmp_path / "v2.yaml"
    path.write_text(
        'usm-catalogue: "2"\n'
        "workflow_types:\n"
        "  - {id: planned-operation, kind: proactive, trigger: planned, chain: [operate]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="not in catalogue v2"):
        load_catalogue(path)
