"""The committed JSON Schema explains itself: every property, at every depth,
has a description (editors show it on hover), and every section and every
definition has a title and a description."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from tests.support.paths import ROOT
from usmctl.model import entities
from usmctl.model.entities import ArchitectureFile
from usmctl.model.schema import SCHEMA_FILE
from usmctl.model.usm import PROCESSES, REQUEST_TYPES, read_catalogue

Node = dict[str, Any]


def _committed() -> Node:
    schema: Node = json.loads((ROOT / SCHEMA_FILE).read_text(encoding="utf-8"))
    return schema


def _walk(node: Any, path: str) -> Iterator[tuple[str, Node]]:
    """Every property and pattern property below ``node``, with its JSON path."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk(item, f"{path}/{index}")
        return
    if not isinstance(node, dict):
        return
    for keyword in ("properties", "patternProperties"):
        for name, subschema in node.get(keyword, {}).items():
            yield f"{path}/{keyword}/{name}", subschema
    for key, value in node.items():
        yield from _walk(value, f"{path}/{key}")


def _described(node: Node) -> bool:
    return isinstance(node.get("description"), str) and bool(node["description"].strip())


def _titled(node: Node) -> bool:
    return isinstance(node.get("title"), str) and bool(node["title"].strip())


def test_every_property_at_every_depth_has_a_description() -> None:
    properties = list(_walk(_committed(), "#"))
    missing = [path for path, node in properties if not _described(node)]
    assert not missing, "properties without a description:\n" + "\n".join(missing)


def test_the_walk_sees_every_field_of_every_model() -> None:
    """The walk above cannot pass by looking at nothing: it meets one property
    per field of the file model and of each model in `$defs`."""
    schema = _committed()
    expected = [f"#/properties/{name}" for name in ArchitectureFile.model_fields]
    for name in schema["$defs"]:
        model = getattr(entities, name)
        expected += [f"#/$defs/{name}/properties/{field}" for field in model.model_fields]
    walked = [path for path, _ in _walk(schema, "#") if "/patternProperties/" not in path]
    assert sorted(walked) == sorted(expected)
    assert len(walked) > 90


def test_every_section_has_a_title_and_a_description() -> None:
    sections = _committed()["properties"]
    assert list(sections) == list(ArchitectureFile.model_fields)
    missing = [
        f"#/properties/{name}: {'title' if not _titled(node) else 'description'}"
        for name, node in sections.items()
        if not (_titled(node) and _described(node))
    ]
    assert not missing, "sections without a title or description:\n" + "\n".join(missing)


def test_the_file_and_every_definition_have_a_title_and_a_description() -> None:
    schema = _committed()
    nodes = {"#": schema} | {f"#/$defs/{name}": node for name, node in schema["$defs"].items()}
    missing = [path for path, node in nodes.items() if not (_titled(node) and _described(node))]
    assert not missing, "definitions without a title or description:\n" + "\n".join(missing)


def test_descriptions_say_what_usm_says() -> None:
    """Spot checks of the USM facts the descriptions carry: the five processes,
    the four request types, the RACI letters and the eight catalogue types."""
    definitions = _committed()["$defs"]

    def described(definition: str, field: str) -> str:
        text: str = definitions[definition]["properties"][field]["description"]
        return text

    assert all(f"`{name}`" in described("ProcessEntry", "process") for name in PROCESSES)
    assert all(f"`{name}`" in described("Step", "process") for name in PROCESSES)
    assert all(f"`{name}`" in described("Agreement", "request_types") for name in REQUEST_TYPES)
    assert all(f"`{letter}`" in described("Step", "responsibilities") for letter in "RACI")
    catalogue = yaml.safe_load(read_catalogue(None))
    type_ids = [entry["id"] for entry in catalogue["workflow_types"]]
    assert len(type_ids) == 8
    assert all(f"`{type_id}`" in described("Workflow", "type") for type_id in type_ids)
