"""The published JSON Schema of an architecture file, generated from the models,
and the field reference of docs/format.md, generated from that schema."""

from __future__ import annotations

import json
import re
from typing import Any

from usmctl.model.entities import ArchitectureFile

SCHEMA_ID = "https://usmctl.dev/schemas/usm-architecture.schema.json"
SCHEMA_FILE = "schemas/usm-architecture.schema.json"

Node = dict[str, Any]


def generate() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for ``*.usm.yaml`` files."""

    schema = ArchitectureFile.model_json_schema(by_alias=True)
    for definition in [schema, *schema.get("$defs", {}).values()]:
        # A model's description is its docstring: one line here, as editors
        # show each line break of a description as a paragraph break.
        definition["description"] = " ".join(definition["description"].split())
    for definition in schema.get("$defs", {}).values():
        definition["title"] = _title(definition["title"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
    }


def _title(class_name: str) -> str:
    """``ArchitectureInfo`` -> ``Architecture info``: editors show a definition's
    title as the heading of a hover, so it reads as words, not as a class."""
    first, *rest = re.findall(r"[A-Z][a-z]*", class_name)
    return " ".join([first, *(word.lower() for word in rest)])


def render() -> str:
    """The schema as committed: two-space JSON with a final newline."""
    return json.dumps(generate(), indent=2, ensure_ascii=False) + "\n"


def reference() -> str:
    """The sections and fields of docs/format.md, from the schema's titles and
    descriptions (what editors show on hover), so the two cannot disagree."""
    schema = generate()
    sections = {name: node for name, node in schema["properties"].items() if name != "usm"}
    lines = ["| section | shape | what it declares |", "|---|---|---|"]
    for name, node in sections.items():
        shape = "list" if node.get("type") == "array" else "one mapping"
        lines.append(f"| [`{name}`](#{name}) | {shape} | {_cell(node['description'])} |")
    for name, node in sections.items():
        lines += ["", f"### `{name}`", "", _cell(node["description"])]
        definition = _definition(schema, node)
        assert definition is not None, name
        lines += _tables(schema, definition, name + ("[]" if _is_list(node) else ""))
    return "\n".join(lines) + "\n"


def _tables(schema: Node, definition: Node, path: str) -> list[str]:
    """The field table of one model found at ``path`` (`workflows[].steps[]`),
    then those of the models it holds."""
    required = set(definition.get("required", ()))
    lines = ["", "| field | value | description |", "|---|---|---|"]
    nested: list[tuple[str, Node]] = []
    for name, node in definition["properties"].items():
        value = _value(node) + (", required" if name in required else "")
        lines.append(f"| `{name}` | {value} | {_cell(node['description'])} |")
        inner = _definition(schema, node)
        if inner is not None:
            nested.append((f"{path}.{name}" + ("[]" if _is_list(node) else ""), inner))
    for inner_path, inner in nested:
        lines += ["", f"#### `{inner_path}`", "", _cell(inner["description"])]
        lines += _tables(schema, inner, inner_path)
    return lines


def _alternatives(node: Node) -> list[Node]:
    """The non-null alternatives of an optional value, or the value itself."""
    options = node.get("anyOf", [node])
    return [option for option in options if option.get("type") != "null"]


def _is_list(node: Node) -> bool:
    return any(option.get("type") == "array" for option in _alternatives(node))


def _definition(schema: Node, node: Node) -> Node | None:
    """The model a field holds (directly, in a list or as an optional), if any."""
    for option in _alternatives(node):
        target = option.get("items", option).get("$ref")
        if target:
            found: Node = schema["$defs"][target.rsplit("/", 1)[1]]
            return found
    return None


def _value(node: Node) -> str:
    """What a field holds, in words."""
    words = []
    for option in _alternatives(node):
        if "$ref" in option or option.get("type") == "object":
            words.append("mapping")
        elif option.get("type") == "array":
            words.append(f"list of {_PLURALS.get(_value(option['items']), 'values')}")
        elif "pattern" in option:
            words.append("id")
        else:
            words.append(_TYPES[option["type"]])
    return " or ".join(dict.fromkeys(words))


_TYPES = {"string": "text", "boolean": "boolean", "integer": "number", "number": "number"}
_PLURALS = {"text": "text", "id": "ids", "mapping": "mappings", "number": "numbers"}


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")
