"""Build one `Architecture` from parsed files: validate, merge, index.

Schema problems become USM003/USM004 violations anchored at the offending node
(`usmctl.model.schema_errors`); USM005 duplicate ids are found here because
only the merge sees every file. An entity with schema problems is then
*salvaged* (`usmctl.model.salvage`). One that cannot be salvaged (a required
field missing or invalid) is left out of the model, but its id stays *known*,
so it does not cascade into unresolved-reference noise either. USM-WIF files
are converted first (`usmctl.model.wif`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from usmctl.core.codes import DUPLICATE_ID, SCHEMA_VIOLATION, UNKNOWN_FIELD
from usmctl.core.findings import Locus, Violation, quote
from usmctl.core.positions import Anchor, DataPath, format_path
from usmctl.core.suggest import suggest
from usmctl.load.limits import type_name
from usmctl.load.loader import LoadedFile
from usmctl.model.architecture import SINGULAR, Architecture
from usmctl.model.catalogue import Catalogue
from usmctl.model.entities import (
    SECTIONS,
    TOP_LEVEL_KEYS,
    ArchitectureInfo,
    Entity,
    Origin,
    Workflow,
)
from usmctl.model.salvage import locate_field, salvage, salvage_index
from usmctl.model.schema_errors import schema_problems
from usmctl.model.wif import WIF_KEY_MAP, infer_types, wif_to_workflow


@dataclass(frozen=True)
class CodedViolation:
    """A violation found while building, with its rule code."""

    code: str
    violation: Violation


def build(
    files: Iterable[LoadedFile], catalogue: Catalogue
) -> tuple[Architecture, list[CodedViolation]]:
    """Validate each file's sections and merge them into one architecture."""
    builder = _Builder(catalogue)
    for loaded in files:
        builder.arch.files.append(loaded.source.display)
        if loaded.failed:
            builder.arch.failed_files.append(loaded.source.display)
        if loaded.data is None:
            continue
        builder.arch.read_files.append(loaded.source.display)
        if loaded.source.kind == "yaml":
            builder.add_yaml(loaded)
        else:
            builder.add_wif(loaded)
    return builder.finish()


class _Builder:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.arch = Architecture()
        self.violations: list[CodedViolation] = []
        self.info_origin: Origin | None = None
        # file -> (entity path, removed value path) of every value salvage removed
        self.salvaged: dict[str, list[tuple[DataPath, DataPath]]] = {}
        for name in SECTIONS:
            self.arch.index[name] = {}
            self.arch.known_ids[name] = set()

    def report(
        self, code: str, message: str, locus: Locus, related: tuple[Locus, ...] = ()
    ) -> None:
        self.violations.append(CodedViolation(code, Violation(message, locus, related)))

    def add_yaml(self, loaded: LoadedFile) -> None:
        data: dict[str, Any] = loaded.data
        file = loaded.source.display
        for key, value in data.items():
            if key == "usm" or key.startswith("x-"):
                continue
            if key == "architecture":
                self._add_architecture(file, value)
                continue
            if key not in SECTIONS:
                self.report(
                    UNKNOWN_FIELD,
                    f"unknown top-level section {quote(key)}{suggest(key, TOP_LEVEL_KEYS)}",
                    Locus(file, key, anchor=Anchor((key,), at_key=True)),
                )
                continue
            if value is None:
                continue  # an empty section (`services:` with nothing under it)
            if not isinstance(value, list):
                self.report(
                    SCHEMA_VIOLATION,
                    f"section {quote(key)} must be a list, found {type_name(value)}",
                    Locus(file, key, anchor=Anchor((key,))),
                )
                continue
            entities = _validate_all(SECTIONS[key], value)
            if entities is None:
                for index, item in enumerate(value):
                    self._add_entity(file, key, (key, index), item)
            else:
                for index, (item, entity) in enumerate(zip(value, entities, strict=True)):
                    self._keep(file, key, (key, index), item, entity)

    def _add_architecture(self, file: str, value: Any) -> None:
        origin = Origin(file, ("architecture",), section="architecture", label="architecture")
        if self.info_origin is not None:
            self.report(
                DUPLICATE_ID,
                "architecture is declared more than once (first at {related})",
                Locus(file, "architecture", "architecture", Anchor(("architecture",), True)),
                (locate_field(self.info_origin, ()),),
            )
            return
        info = self._validate(ArchitectureInfo, value, origin)
        if info is not None:
            self.info_origin = origin
            self.arch.info = info

    def _add_entity(
        self,
        file: str,
        section: str,
        path: DataPath,
        item: Any,
        key_map: dict[str, str] | None = None,
    ) -> Entity | None:
        label = entity_label(section, item, path)
        origin = Origin(file, path, section=section, label=label, key_map=key_map)
        if not isinstance(item, dict):
            self.report(
                SCHEMA_VIOLATION,
                f"each entry of {quote(section)} must be a mapping, found {type_name(item)}",
                locate_field(origin, ()),
            )
            return None
        raw_id = item.get("id") if section != "processes" else label
        if isinstance(raw_id, str):
            self.arch.known_ids[section].add(raw_id)
        elif isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            # ``id: 2024`` is one USM003; references to "2024" are not a second defect
            self.arch.known_ids[section].add(str(raw_id))
        entity: Entity | None = self._validate(SECTIONS[section], item, origin)
        if entity is None:
            return None
        return self._index(section, origin, entity)

    def _keep(self, file: str, section: str, path: DataPath, item: Any, entity: Entity) -> None:
        """Keep an entity validated with its whole section (the fast path)."""
        label = entity_label(section, item, path)
        origin = Origin(file, path, section=section, label=label)
        self.arch.known_ids[section].add(label if section == "processes" else entity.id)  # type: ignore[attr-defined]
        set_origin(entity, origin)
        self._index(section, origin, entity)

    def _index(self, section: str, origin: Origin, entity: Entity) -> Entity | None:
        entity_id = getattr(entity, "id", None) if section != "processes" else None
        if entity_id is not None:
            first = self.arch.index[section].get(entity_id)
            if first is not None:
                self.report(
                    DUPLICATE_ID,
                    f"duplicate {SINGULAR[section]} id {quote(entity_id)} (first at {{related}})",
                    locate_field(origin, ("id",)),
                    (locate_field(first.origin, ("id",)),),
                )
                return None
            self.arch.index[section][entity_id] = entity
        self.arch.section(section).append(entity)
        return entity

    def _validate(self, model: type[Entity], item: Any, origin: Origin) -> Any:
        try:
            entity: Entity | None = model.model_validate(item)
        except ValidationError as error:
            self._schema_violations(error, model, item, origin)
            saved = salvage(item, error, model.model_validate)
            if saved is None:
                return None
            entity = saved.entity
            origin.removed = saved.removed
            if saved.defaulted:
                self.arch.defaulted.setdefault(origin.file, set()).add(origin.path)
            self.salvaged.setdefault(origin.file, []).extend(
                (origin.path, origin.raw_path(path)) for path in saved.removed
            )
        if entity is not None:
            set_origin(entity, origin)
        return entity

    def _schema_violations(
        self, error: ValidationError, model: type[Entity], item: Any, origin: Origin
    ) -> None:
        what = f"{SINGULAR[origin.section]} {quote(origin.label)}"
        if origin.section == "architecture":
            what = "architecture"
        for problem in schema_problems(error, model, item, what):
            self.report(
                problem.code,
                problem.message,
                locate_field(origin, problem.fields, at_key=problem.at_key),
            )

    def add_wif(self, loaded: LoadedFile) -> None:
        data: dict[str, Any] = loaded.data
        template = loaded.source.kind == "wif-template"
        converted = wif_to_workflow(data, loaded.source.path.name, template)
        entity = self._add_entity(
            loaded.source.display, "workflows", (), converted, key_map=WIF_KEY_MAP
        )
        if isinstance(entity, Workflow):
            entity._template = template
            if entity.type is not None:
                return
            candidates = infer_types(entity, self.catalogue)
            if len(candidates) == 1:
                # Models are frozen: the inferred type is set once, here.
                object.__setattr__(entity, "type", candidates[0])
                entity._inferred_type = True
            elif candidates:
                entity._type_candidates = candidates  # a tie: USM313, counts for no type

    def finish(self) -> tuple[Architecture, list[CodedViolation]]:
        self.arch.salvage_index = {
            file: salvage_index(removed) for file, removed in self.salvaged.items()
        }
        return self.arch, self.violations


@functools.cache
def _list_adapter(model: type[Entity]) -> TypeAdapter[list[Entity]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def _validate_all(model: type[Entity], items: list[Any]) -> list[Entity] | None:
    """Validate a whole section list in one call; None when any entry fails.

    One call into pydantic-core per list instead of one per entity saves the
    per-call overhead (issue 6); a list with an error goes entity by entity,
    which reports each error at its entity.
    """
    try:
        return _list_adapter(model).validate_python(items)
    except ValidationError:
        return None


def set_origin(entity: Entity, origin: Origin) -> None:
    """Record where an entity was declared (its one private attribute write).

    Written into pydantic's private-attribute storage directly: the same effect
    as ``entity._origin = origin`` without ``BaseModel.__setattr__``'s checks.
    """
    private = entity.__pydantic_private__
    if private is None:
        entity._origin = origin
    else:
        private["_origin"] = origin


def logical_locus(data: Any, path: DataPath) -> tuple[str, str | None]:
    """The logical path of a raw data path and the label of the entity it is in."""
    if (
        len(path) >= 2
        and isinstance(data, dict)
        and path[0] in SECTIONS
        and isinstance(path[1], int)
        and isinstance(data.get(path[0]), list)
        and path[1] < len(data[path[0]])
    ):
        section = str(path[0])
        label = entity_label(section, data[section][path[1]], path[:2])
        rest = format_path(path[2:])
        logical = f"{section}[{label}]" + (rest if rest.startswith("[") or not rest else f".{rest}")
        return logical, label
    return format_path(path), None


def entity_label(section: str, item: Any, path: DataPath) -> str:
    """How messages name an entity: its id (``provider:process`` for a process
    entry), else its position in the section (``#3``)."""
    if isinstance(item, dict):
        if section == "processes":
            provider, process = item.get("provider"), item.get("process")
            if isinstance(provider, str) and isinstance(process, str):
                return f"{provider}:{process}"
        elif isinstance(item.get("id"), str):
            return str(item["id"])
    index = path[-1] if path and isinstance(path[-1], int) else 0
    return f"#{index + 1}"
