"""The published JSON Schema: generated from the models, never hand-edited."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.support.paths import EXAMPLES, ROOT
from usmctl.load.yamlio import parse
from usmctl.model.schema import SCHEMA_FILE, render

SCHEMA_PATH = ROOT / SCHEMA_FILE
CLEAN_YAML = sorted(
    path
    for name in ("pilot", "hr-onboarding", "hospital-facilities", "siam-multi-provider")
    for path in (EXAMPLES / name).glob("*.usm.yaml")
)


def test_committed_schema_matches_the_models() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render(), (
        "schemas/ drifted from the models: regenerate it with `usmctl schema`"
    )


def test_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json.loads(render()))


@pytest.mark.parametrize("path", CLEAN_YAML, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_clean_examples_validate_against_the_schema(path: Path) -> None:
    schema = json.loads(render())
    data = parse(path.read_text(encoding="utf-8")).data
    jsonschema.Draft202012Validator(schema).validate(data)


def test_schema_rejects_what_the_models_reject() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(render()))
    assert not validator.is_valid({"usm": "1", "profiles": [{"id": "x", "kind": "vendor"}]})
    assert not validator.is_valid(
        {"usm": "1", "profiles": [{"id": "x", "kind": "provider", "nmae": 1}]}
    )
    assert validator.is_valid(
        {"usm": "1", "profiles": [{"id": "x", "kind": "provider", "x-extra": 1}]}
    )
    assert not validator.is_valid({"usm": 1})


def test_schema_accepts_provider_process_references() -> None:
    validator = jsonschema.Draft202012Validator(json.loads(render()))
    document = {
        "usm": "1",
        "processes": [{"provider": "acme-it", "process": "improve", "inputs": ["acme-it:recover"]}],
        "practices": [{"id": "agile", "plugs_into": {"processes": ["acme-it:change", "change"]}}],
        "governance": [{"id": "pol", "kind": "policy", "enforced_by": ["acme-it:change"]}],
    }
    assert validator.is_valid(document)
