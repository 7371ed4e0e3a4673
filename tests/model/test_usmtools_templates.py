"""The eight usm.tools workflow templates (github.com/mikko-ahonen/usmtools,
fixtures/workflow-templates-{en,nl}.json), converted to USM-WIF by
tools/usmtools_to_wif.py (forks flattened; step names and processes only),
validate clean under catalogue v2, and each is inferred as its catalogue type."""

from __future__ import annotations

import pytest

from tests.support.paths import ROOT
from usmctl.api import check
from usmctl.check.settings import Settings

FIXTURES = ROOT / "tests" / "fixtures" / "usmtools"

EXPECTED_TYPES = {
    "en": {
        "Changes to agreements": "wish",
        "Changes to managed resources": "request-for-change",
        "Operate": "service-request",
        "Incidents without changes to managed resources": "incident",
        "Incident with changes to managed resources": "incident-with-change",
        "Risks with changes to agreements": "improvement-via-agreement",
        "Risks with changes to managed resources": "improvement-via-change",
        "Risks that can be handled by operations": "improvement-via-operation",
    },
    "nl": {
        "Aanpassing van de overeenkomst": "wish",
        "Wijziging van beheerde infrastructuur": "request-for-change",
        "Uitvoeren": "service-request",
        "Incident dat géén wijziging van beheerde infrastructuur vergt": "incident",
        "Incident dat een wijziging van de beheerde infrastructuur vergt": ("incident-with-change"),
        "Risico's die worden afgehandeld met een aanpassing van de overeenkomst": (
            "improvement-via-agreement"
        ),
        "Risico's die worden afghandeld met een wijziging van beheerde infrastructuur": (
            "improvement-via-change"
        ),
        "Risico's die worden afgehandeld door Uitvoeren": "improvement-via-operation",
    },
}


@pytest.mark.parametrize("language", sorted(EXPECTED_TYPES))
def test_the_usmtools_templates_validate_with_no_finding(language: str) -> None:
    result = check(["."], Settings(), cwd=FIXTURES / language)
    assert len(result.files) == 9
    assert [f"{f.file}:{f.line}:{f.column}: {f.code} {f.message}" for f in result.findings] == []


@pytest.mark.parametrize("language", sorted(EXPECTED_TYPES))
def test_each_template_is_inferred_as_its_catalogue_type(language: str) -> None:
    result = check(["."], Settings(), cwd=FIXTURES / language)
    architecture, _ = result.model()
    inferred = {workflow.name: workflow.type for workflow in architecture.workflows}
    assert inferred == EXPECTED_TYPES[language]
    assert all(workflow.type_inferred for workflow in architecture.workflows)


def test_the_fixtures_carry_no_usm_type_and_no_usmtools_prose() -> None:
    for path in FIXTURES.glob("*/*.workflow.json"):
        text = path.read_text(encoding="utf-8")
        assert '"usm-type"' not in text, path
        assert '"description"' not in text, path
