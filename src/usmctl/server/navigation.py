"""Hover, go to definition and find references, from what `positions.resolve`
says is under the cursor."""

from __future__ import annotations

import inspect

from lsprotocol import types
from pydantic import BaseModel

from usmctl.check.settings import Settings
from usmctl.core.positions import DataPath
from usmctl.model.entities import SECTIONS, ArchitectureFile, ArchitectureInfo, Entity
from usmctl.model.schema_errors import inner_model
from usmctl.rules import find, meta
from usmctl.server.links import Link, declaration_path, describe, entity_id
from usmctl.server.positions import Here
from usmctl.server.protocol import Places

# -- hover ---------------------------------------------------------------------


def hover(here: Here, places: Places, settings: Settings) -> types.Hover | None:
    """What the cursor is on, explained: a rule, an id, a key."""
    text: str | None = None
    where: types.Range | None = None
    if here.rule is not None:
        word, start, end = here.rule
        text = _rule_text(word, settings)
        where = places.range(here.file, start, end)
    elif here.span is not None:
        where = places.span_range(here.file, here.span)
        if here.link is not None:
            text = _link_text(here.link, places)
        elif here.declared is not None:
            text = _declared_text(here.declared, places)
        elif here.span.at_key:
            text = _key_text(here)
    if text is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=where
    )


def _rule_text(word: str, settings: Settings) -> str | None:
    rule = find(word)
    if rule is not None:
        info = meta(rule.code)
        parts = [f"**{info.code}** `{info.name}` ({info.severity.value})", info.summary]
        if info.remediation:
            parts.append(f"**Remediation.** {info.remediation}")
        parts.append(f"[Documentation]({info.help_uri})")
        return "\n\n".join(parts)
    for custom in settings.custom_rules:
        if word.upper() == custom.code or word.lower() == custom.rule_name:
            return (
                f"**{custom.code}** `{custom.rule_name}` ({custom.severity.value}), "
                f"a custom rule of the configuration\n\n{custom.message}"
            )
    return None


def _entity_text(entity: Entity, places: Places) -> str:
    origin = entity.origin
    name = getattr(entity, "name", None)
    head = f"**{describe(entity)}**" + (f": {name}" if isinstance(name, str) else "")
    spans = places.analysis.spans(origin.file)
    span = None if spans is None else spans.of(declaration_path(entity))
    line = f":{span.start[0] + 1}" if span is not None else ""
    return f"{head}\n\ndeclared in `{origin.file}{line}`"


def _link_text(link: Link, places: Places) -> str:
    if link.target is None:
        return f"`{link.field}` names {link.noun} `{link.value}`, which is not declared"
    return _entity_text(link.target, places)


def _declared_text(entity: Entity, places: Places) -> str:
    count = len(places.analysis.links.references_to(entity))
    named = "no reference" if count == 0 else f"{count} reference" + ("s" if count > 1 else "")
    return f"{_entity_text(entity, places)}, {named} to `{entity_id(entity)}`"


def _key_text(here: Here) -> str | None:
    assert here.span is not None
    path = here.span.path
    if len(path) == 1 and not here.fields:  # a top-level key of an architecture file
        return _field_text(ArchitectureFile, [str(path[0])])
    if here.section is None:
        return None
    model: type[BaseModel] = (
        ArchitectureInfo if here.section == "architecture" else SECTIONS.get(here.section, Entity)
    )
    names = _model_names(here.fields, here.entity)
    return _field_text(model, names) if names else None


def _model_names(fields: DataPath, entity: Entity | None) -> list[str]:
    """The model's field names along a path as written (USM-WIF keys mapped back)."""
    key_map = entity.origin.key_map if entity is not None else None
    # the key map's nested entries are dotted on both sides: ".sort_index" -> ".sort-index"
    back = {
        ("." + written if field.startswith(".") else written): field
        for field, written in (key_map or {}).items()
    }
    names: list[str] = []
    for item in fields:
        if isinstance(item, str):
            written = item if not names else f".{item}"
            names.append(back.get(written, item).lstrip("."))
    return names


def _field_text(model: type[BaseModel], names: list[str]) -> str | None:
    """``**facility** (services): description``: a field's description, from the
    models that also make the JSON Schema."""
    current: type[BaseModel] | None = model
    description: str | None = None
    for name in names:
        if current is None:
            return None
        info = current.model_fields.get(name)
        if info is None:
            return None
        # not through a dict: its keys are ids (responsibilities), not fields
        inner = inner_model(info.annotation, through_dict=False)
        description = info.description or (_summary(inner) if inner is not None else None)
        current = inner
    shown = ".".join(names)
    what = f"**{shown}** ({_summary_title(model)})"
    return f"{what}: {description}" if description else what


def _summary(model: type[BaseModel]) -> str:
    return inspect.cleandoc(model.__doc__ or "").partition("\n")[0]


def _summary_title(model: type[BaseModel]) -> str:
    if model is ArchitectureFile:
        return "architecture file"
    return next(
        (section for section, entity in SECTIONS.items() if entity is model), "architecture"
    )


# -- definition and references -----------------------------------------------


def definition(here: Here, places: Places) -> types.Location | None:
    """Where the entity under the cursor is declared."""
    target = here.target
    if target is None:
        return None
    return places.location(target.origin.file, declaration_path(target))


def references(here: Here, places: Places, *, declaration: bool) -> list[types.Location]:
    """Every place that names the entity under the cursor (and its declaration)."""
    target = here.target
    if target is None:
        return []
    found: list[types.Location] = []
    if declaration:
        declared = definition(here, places)
        if declared is not None:
            found.append(declared)
    for link in places.analysis.links.references_to(target):
        location = places.location(link.file, link.path, at_key=link.at_key)
        if location is not None:
            found.append(location)
    return found
