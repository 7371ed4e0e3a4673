"""Pydantic's validation errors as usmctl's findings: wording and location.

Each error becomes one USM003 (an invalid or missing value) or USM004 (an
unknown field) with a message in the project's voice and the data path of
the offending node, union-member tags dropped (docs/format.md).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import BaseModel, ValidationError

from usmctl.core.codes import SCHEMA_VIOLATION, UNKNOWN_FIELD
from usmctl.core.findings import quote
from usmctl.core.positions import DataPath, format_path
from usmctl.core.suggest import closest, did_you_mean
from usmctl.load.limits import type_name

_UNION_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "none", "function-after"})


class SchemaProblem(NamedTuple):
    """One schema finding about an entity: its code, message and field path."""

    code: str
    message: str
    fields: DataPath  # in the coordinates of the data validated
    at_key: bool
    # The one safe fix, when there is one: the key an unknown key most likely
    # means (not already in its mapping), or quoting a YAML 1.1 boolean or
    # number that stands where text is expected.
    rename: str | None = None
    quote: bool = False


def schema_problems(
    error: ValidationError, model: type[BaseModel], *, item: Any, what: str
) -> Iterator[SchemaProblem]:
    """The findings of ``error`` from validating ``item`` as ``model``, one per
    node however many union members failed; ``what`` names the entity."""
    seen: set[tuple[DataPath, str]] = set()
    for detail in error.errors(include_url=False):
        loc, exists = data_loc(item, tuple(detail["loc"]), detail["type"])
        kind = detail["type"]
        node = (loc, kind if kind in ("missing", "extra_forbidden") else "value")
        if node in seen:
            continue
        seen.add(node)
        field_name = format_path(loc) if loc else ""
        if kind == "extra_forbidden":
            known = fields_at(model, loc[:-1])
            key = str(loc[-1])
            meant = closest(key, known)
            yield SchemaProblem(
                UNKNOWN_FIELD,
                f"unknown field {quote(key)} in {what}{did_you_mean(meant)}",
                loc,
                True,
                rename=renaming(meant, value_at(item, loc[:-1])),
            )
        elif kind == "missing":
            yield SchemaProblem(
                SCHEMA_VIOLATION,
                f"{what} is missing required field {quote(field_name)}",
                loc,
                False,
            )
        else:
            value = detail.get("input")
            yield SchemaProblem(
                SCHEMA_VIOLATION,
                f"{what}: {field_name or 'entry'} {reason(detail, value)}",
                loc if exists else loc[:-1],
                False,
                quote=exists and read_as_text(detail, value),
            )


def renaming(meant: str | None, mapping: Any) -> str | None:
    """The key an unknown key should be renamed to, unless its mapping has
    that key already (then renaming would make a duplicate)."""
    if meant is None or not isinstance(mapping, dict) or meant in mapping:
        return None
    return meant


def value_at(data: Any, path: DataPath) -> Any:
    """The value at a data path of parsed data, or None."""
    for element in path:
        if isinstance(data, dict) and isinstance(element, str):
            data = data.get(element)
        elif isinstance(data, list) and isinstance(element, int) and 0 <= element < len(data):
            data = data[element]
        else:
            return None
    return data


def read_as_text(detail: Any, value: Any) -> bool:
    """A boolean or number where text is expected: written unquoted, YAML 1.1
    read it as such (``on``, ``1.0``)."""
    return isinstance(value, bool | int | float) and detail["type"] == "string_type"


def data_loc(item: Any, loc: tuple[Any, ...], kind: str) -> tuple[DataPath, bool]:
    """Map a pydantic error location onto the data, dropping union-member tags.

    Returns the path and whether its last element exists in the data.
    """
    path: list[str | int] = []
    node = item
    for position, element in enumerate(loc):
        last = position == len(loc) - 1
        if (isinstance(node, dict) and element in node) or (
            isinstance(node, list) and isinstance(element, int) and element < len(node)
        ):
            path.append(element)
            node = node[element]
        elif last and kind in ("missing", "extra_forbidden"):
            path.append(element)
            return tuple(path), kind == "extra_forbidden"
        elif isinstance(element, str) and element in _UNION_TAGS:
            continue
        else:
            path.append(element)
            return tuple(path), False
    return tuple(path), True


def fields_at(model: type[BaseModel], loc: DataPath) -> list[str]:
    """The field names allowed at ``loc`` inside ``model`` (for did-you-mean)."""
    current: Any = model
    for element in loc:
        if isinstance(element, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(element)
        if info is None:
            return []
        current = inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def inner_model(annotation: Any, *, through_dict: bool = True) -> type[BaseModel] | None:
    """The model a field holds, through Optional, list and (``through_dict``)
    a dict's values; None when it holds none."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    containers: tuple[Any, ...] = (list, typing.Union, types.UnionType)
    if typing.get_origin(annotation) in (*containers, *((dict,) if through_dict else ())):
        for argument in typing.get_args(annotation):
            found = inner_model(argument, through_dict=through_dict)
            if found is not None:
                return found
    return None


def reason(detail: Any, value: Any) -> str:
    """Why a value failed, in the project's words (``must be a string, got integer``)."""
    kind = detail["type"]
    got = type_name(value)
    quote_hint = ""
    if read_as_text(detail, value):
        quote_hint = " (YAML 1.1 reads unquoted yes/no/on/off and numbers as such: quote it)"
    if kind == "string_type":
        return f"must be a string, got {got}{quote_hint}"
    if kind == "literal_error":
        expected = detail.get("ctx", {}).get("expected", "")
        return f"must be one of {expected}, got {quote(value)}"
    if kind == "string_pattern_mismatch":
        return (
            f"{quote(value)} is not a valid id: use lower-case letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    if kind == "list_type":
        return f"must be a list, got {got}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be a mapping, got {got}"
    if kind == "bool_type":
        return f"must be true or false, got {got}"
    if kind in ("int_type", "int_parsing"):
        return f"must be an integer, got {got}"
    if kind == "too_short":
        return "must not be empty"
    message = str(detail.get("msg", "is invalid"))
    return message[:1].lower() + message[1:]
