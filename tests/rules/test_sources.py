"""Every rule's explanation rests on the project's own docs and a public source.

A rule's Rationale ends with ``Source: docs/usm.md, "<section>"; <public source>.``:
the section must be a heading of that document, and the public source one the
project's USM reference lists (usmwiki, usm-portal, usm.gr, the USM-WIF
proposal, the usm.tools templates) or, for the file-format rules, the YAML 1.2
specification or JSON Schema. No rule cites the project's internal contract.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from usmctl.output.rule_docs import render_explain
from usmctl.rules import ALL_RULES
from usmctl.rules.base import Rule

ROOT = Path(__file__).resolve().parents[2]
SOURCE_RE = re.compile(r'Source: (docs/(?:usm|format)\.md), "([^"]+)"; (.+)\.$')
PUBLIC_SOURCES = (
    "usmwiki",
    "usm-portal",
    "usm.gr",
    "USM-WIF proposal",
    "usm.tools",
    "YAML 1.2 specification",
    "JSON Schema",
)
RULE_PARAMS = [pytest.param(rule, id=rule.code) for rule in ALL_RULES]


def headings(document: str) -> set[str]:
    """The second-level headings of one of the project's docs."""
    text = (ROOT / document).read_text(encoding="utf-8")
    return {line[3:].strip() for line in text.splitlines() if line.startswith("## ")}


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_rationale_cites_a_section_and_a_public_source(rule: type[Rule]) -> None:
    rationale = rule.meta().rationale
    match = SOURCE_RE.search(rationale)
    assert match is not None, f"{rule.code}: rationale has no Source sentence: {rationale}"
    document, section, public = match.groups()
    assert section in headings(document), f"{rule.code}: {document} has no section {section!r}"
    assert any(name in public for name in PUBLIC_SOURCES), f"{rule.code}: {public!r}"


@pytest.mark.parametrize("rule", RULE_PARAMS)
def test_explain_never_cites_the_internal_contract(rule: type[Rule]) -> None:
    text = render_explain(rule.code)
    assert "SPEC" not in text
    assert "Source: docs/" in text


def test_usm_reference_lists_every_public_usm_source_cited() -> None:
    sources = (ROOT / "docs" / "usm.md").read_text(encoding="utf-8").split("## Sources", 1)[1]
    for name in ("usmwiki", "usm-portal", "usm.gr", "USM-WIF", "usm.tools"):
        assert name in sources, name
