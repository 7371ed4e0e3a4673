"""The published JSON Schema of an architecture file, generated from the models."""

from __future__ import annotations

import json
from typing import Any

from usmctl.model.entities import ArchitectureFile

SCHEMA_ID = "https://usmctl.dev/schemas/usm-architecture.schema.json"
SCHEMA_FILE = "schemas/usm-architecture.schema.json"


def generate() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for ``*.usm.yaml`` files."""

    schema = ArchitectureFile.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def render() -> str:
    """The schema as committed: two-space JSON with a final newline."""
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"
