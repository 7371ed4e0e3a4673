"""Merge parsed files into one `Architecture` (docs/format.md: the union of all files).

Schema problems become USM003/USM004 violations anchored at the offending node;
USM005 duplicate ids are found here because only the merge sees every file.
An entity with schema problems is then *salvaged*: its offending values are
removed and it is validated again, so one typo does not cascade into findings
about the entities around it. One that cannot be salvaged (a required field
missing or invalid) is left out of the model, but its id stays *known*, so it
does not cascade into unresolved-reference noise either.

One defect, one finding (docs/format.md): the architecture also records what
failed, so the findings that would only repeat it are dropped: a value salvage
removed (`repeats_salvage`), the files that failed to load (`failed_files`: the
engine holds back unresolved references to ids they might declare).
"""

from __future__ import annotations

import bisect
import difflib
import functools
import types
import typing
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from usmctl.core.codes import DUPLICATE_ID, SCHEMA_VIOLATION, UNKNOWN_FIELD
from usmctl.core.findings import Locus, Violation, quote
from usmctl.core.fixes import FixPlan, quoting, replacing
from usmctl.core.positions import Anchor, DataPath, format_path
from usmctl.load.limits import type_name
from usmctl.load.loader import LoadedFile
from usmctl.model.catalogue import Catalogue, collapse
from usmctl.model.entities import (
    SECTIONS,
    TOP_LEVEL_KEYS,
    Agreement,
    ArchitectureInfo,
    Entity,
    GovernanceItem,
    Origin,
    Overlay,
    Practice,
    ProcessEntry,
    Profile,
    Service,
    Tool,
    ValueStream,
    Workflow,
)

SINGULAR = {
    "profiles": "profile",
    "processes": "process entry",
    "services": "service",
    "agreements": "agreement",
    "workflows": "workflow",
    "practices": "practice",
    "tools": "tool",
    "governance": "governance item",
    "overlays": "overlay",
    "value_streams": "value stream",
    "architecture": "architecture",
}

# USM-WIF keys -> model fields (docs/usm.md, "USM-WIF"); everything else is
# ignored (Must-Ignore). `usm-type` is usmctl's extension: the catalogue type.
_WIF_TOP = {"slug": "id", "context": "provider", "process": "owner_process", "usm-type": "type"}
_WIF_KEY_MAP = {"id": "slug", "provider": "context", "owner_process": "process",
                "type": "usm-type", ".sort_index": "sort-index"}  # fmt: skip


@dataclass(frozen=True)
class CodedViolation:
    """A violation found while building, with its rule code."""

    code: str
    violation: Violation


@dataclass
class Architecture:
    """Every entity of every file, merged, plus indexes for the rules."""

    info: ArchitectureInfo | None = None
    profiles: list[Profile] = field(default_factory=list)
    processes: list[ProcessEntry] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    workflows: list[Workflow] = field(default_factory=list)
    practices: list[Practice] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)
    governance: list[GovernanceItem] = field(default_factory=list)
    overlays: list[Overlay] = field(default_factory=list)
    value_streams: list[ValueStream] = field(default_factory=list)
    # section -> id -> first entity with that id (valid entities only)
    index: dict[str, dict[str, Entity]] = field(default_factory=dict)
    # section -> ids declared, including entities that failed validation
    known_ids: dict[str, set[str]] = field(default_factory=dict)
    # file -> paths of entities one of whose own fields failed and fell back to
    # its default (``external: "yes"``): judgements of the whole entity read it
    defaulted: dict[str, set[DataPath]] = field(default_factory=dict)
    # every file read, as shown; those that failed to load (USM001/8/9/10)
    files: list[str] = field(default_factory=list)
    read_files: list[str] = field(default_factory=list)  # those with data
    failed_files: list[str] = field(default_factory=list)
    # file -> (the values salvage removed, the paths below their entities that
    # hold one): `repeats_salvage`'s set lookups, built when the build finishes;
    # a file appears only when salvage removed something from it
    salvage_index: dict[str, tuple[frozenset[DataPath], frozenset[DataPath]]] = field(
        default_factory=dict
    )

    def section(self, name: str) -> list[Any]:
        """The entity list of a section by its name in the format."""
        entities: list[Any] = getattr(self, name)
        return entities

    def get(self, section: str, entity_id: str) -> Any:
        """The entity with this id in a section, or None."""
        return self.index.get(section, {}).get(entity_id)

    def profile(self, profile_id: str | None) -> Profile | None:
        """The profile with this id, or None."""
        if profile_id is None:
            return None
        found = self.index.get("profiles", {}).get(profile_id)
        return found if isinstance(found, Profile) else None

    def declares(self, section: str, entity_id: str) -> bool:
        """Whether some file declares this id in the section (valid or not), or
        may declare it: a file that failed to load may hold any id."""
        return entity_id in self.known_ids.get(section, ()) or bool(self.failed_files)

    def repeats_salvage(self, locus: Locus) -> bool:
        """Whether a rule's finding at ``locus`` may only echo a salvaged value.

        A value salvage removed was already reported (USM003/USM004). A rule
        reporting at that value, inside it, or at a field that contains it
        (``steps[0].responsibilities`` after ``[r, a]`` lost its letters) would
        report the hole the removal left, so its finding is dropped; findings
        at the entity's other fields stay. When one of the entity's own fields
        fell back to its default (``external: "yes"`` read as not external), a
        finding about the entity as a whole (at it or at its ``id``) would judge
        the default, not what the author wrote: dropped too.
        """
        index = self.salvage_index.get(locus.file)
        if index is None or locus.anchor is None:
            return False
        at = locus.anchor.path
        defaulted = self.defaulted.get(locus.file)
        if defaulted and (
            at in defaulted or (at[-1:] in (("id",), ("slug",)) and at[:-1] in defaulted)
        ):
            return True
        values, holders = index
        # At or inside a removed value (a prefix of ``at`` was removed), or at a
        # field holding one: set lookups, not a scan of every removal.
        return any(at[:length] in values for length in range(len(at) + 1)) or at in holders

    def all_entities(self) -> Iterator[tuple[str, Entity]]:
        """Every kept entity with its section name."""
        for name in SECTIONS:
            for entity in self.section(name):
                yield name, entity


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
        self,
        code: str,
        message: str,
        locus: Locus,
        related: tuple[Locus, ...] = (),
        *,
        fix: FixPlan | None = None,
    ) -> None:
        self.violations.append(CodedViolation(code, Violation(message, locus, related, fix)))

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
                anchor = Anchor((key,), at_key=True)
                meant = closest(key, TOP_LEVEL_KEYS)
                self.report(
                    UNKNOWN_FIELD,
                    f"unknown top-level section {quote(key)}{suggest(key, TOP_LEVEL_KEYS)}",
                    Locus(file, key, anchor=anchor),
                    fix=_renaming(anchor, key, meant, data),
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
                (_locus(self.info_origin, ()),),
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
        label = _label(section, item, path)
        origin = Origin(file, path, section=section, label=label, key_map=key_map)
        if not isinstance(item, dict):
            self.report(
                SCHEMA_VIOLATION,
                f"each entry of {quote(section)} must be a mapping, found {type_name(item)}",
                _locus(origin, ()),
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
        label = _label(section, item, path)
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
                    _locus(origin, ("id",)),
                    (_locus(first.origin, ("id",)),),
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
            entity = self._salvage(model, item, error, origin)
        if entity is not None:
            set_origin(entity, origin)
        return entity

    def _salvage(
        self, model: type[Entity], item: Any, error: ValidationError, origin: Origin
    ) -> Entity | None:
        """The entity without its offending values, or None when it needs them.

        Its findings are reported already: salvage reports nothing. Each pass
        removes the value at every error location (a field falls back to its
        default, a list item or mapping entry goes); a nested object missing a
        required field goes as a whole. A required field of the entity itself
        cannot be removed, so an entity missing one (or with one invalid) is
        left out. A misspelt ``custmers`` is then a service without customers,
        and ``hours: on`` a service without support hours, not a service that
        vanished and left its provider and customers with none.
        """
        removed: list[DataPath] = []  # in the coordinates of ``item``
        defaulted = False  # one of the entity's own fields fell back to its default
        current = item
        for _ in range(_SALVAGE_PASSES):
            targets: list[DataPath] = []
            for detail in error.errors(include_url=False):
                loc, exists = _data_loc(current, tuple(detail["loc"]), detail["type"])
                target = loc if exists and detail["type"] != "missing" else loc[:-1]
                if not target:
                    return None  # the entity itself is at fault: nothing to remove
                targets.append(target)
                if len(target) == 1 and detail["type"] != "extra_forbidden":
                    defaulted = True
            current = _without(current, targets)
            earlier = frozenset(removed)
            removed.extend(_original_path(target, earlier) for target in targets)
            try:
                entity = model.model_validate(current)
            except ValidationError as again:
                error = again
                continue
            origin.removed = frozenset(removed)
            if defaulted:
                self.arch.defaulted.setdefault(origin.file, set()).add(origin.path)
            self.salvaged.setdefault(origin.file, []).extend(
                (origin.path, origin.raw_path(path)) for path in removed
            )
            return entity
        return None

    def _schema_violations(
        self, error: ValidationError, model: type[BaseModel], item: Any, origin: Origin
    ) -> None:
        what = f"{SINGULAR[origin.section]} {quote(origin.label)}"
        if origin.section == "architecture":
            what = "architecture"
        seen: set[tuple[DataPath, str]] = set()
        for detail in error.errors(include_url=False):
            loc, exists = _data_loc(item, tuple(detail["loc"]), detail["type"])
            kind = detail["type"]
            node = (loc, kind if kind in ("missing", "extra_forbidden") else "value")
            if node in seen:
                continue  # one finding per node, however many union members failed
            seen.add(node)
            field_name = format_path(loc) if loc else ""
            if kind == "extra_forbidden":
                known = _fields_at(model, loc[:-1])
                key = str(loc[-1])
                locus = _locus(origin, loc, at_key=True)
                meant = None if origin.key_map else closest(key, known)  # USM-WIF: its own keys
                self.report(
                    UNKNOWN_FIELD,
                    f"unknown field {quote(key)} in {what}{suggest(key, known)}",
                    locus,
                    fix=_renaming(locus.anchor, key, meant, _value_at(item, loc[:-1])),
                )
            elif kind == "missing":
                self.report(
                    SCHEMA_VIOLATION,
                    f"{what} is missing required field {quote(field_name)}",
                    _locus(origin, loc),
                )
            else:
                value = detail.get("input")
                locus = _locus(origin, loc if exists else loc[:-1])
                self.report(
                    SCHEMA_VIOLATION,
                    f"{what}: {field_name or 'entry'} {_reason(detail, value)}",
                    locus,
                    # a YAML 1.1 boolean or number where text is expected: quoting is the fix
                    fix=quoting(locus.anchor.path)
                    if _read_as_text(detail, value) and exists and locus.anchor is not None
                    else None,
                )

    def add_wif(self, loaded: LoadedFile) -> None:
        data: dict[str, Any] = loaded.data
        template = loaded.source.kind == "wif-template"
        converted = _wif_to_workflow(data, loaded.source.path.name, template)
        entity = self._add_entity(
            loaded.source.display, "workflows", (), converted, key_map=_WIF_KEY_MAP
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
            file: _salvage_index(removed) for file, removed in self.salvaged.items()
        }
        return self.arch, self.violations


def _salvage_index(
    removed: list[tuple[DataPath, DataPath]],
) -> tuple[frozenset[DataPath], frozenset[DataPath]]:
    """The values salvage removed from a file, and the paths below their
    entities that hold one."""
    values = frozenset(value_path for _, value_path in removed)
    holders = frozenset(
        value_path[:length]
        for entity_path, value_path in removed
        for length in range(len(entity_path) + 1, len(value_path) + 1)
    )
    return values, holders


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


def _locus(
    origin: Origin, fields: DataPath, *, at_key: bool = False, as_written: bool = False
) -> Locus:
    """The locus of an entity's field, given as a model path (``as_written``: as a
    path in the file's own keys and list positions, such as a JSON Schema's)."""
    if origin.removed and not as_written:
        fields = _original_path(fields, origin.removed)
    logical = (
        origin.section
        if origin.section == "architecture"
        else (f"{origin.section}[{origin.label}]")
    )
    suffix = format_path(fields)
    if suffix:
        logical += suffix if suffix.startswith("[") else f".{suffix}"
    return Locus(
        origin.file,
        logical,
        origin.label if origin.section != "architecture" else "architecture",
        Anchor((*origin.path, *fields) if as_written else origin.raw_path(fields), at_key),
    )


locate_field = _locus


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
        label = _label(section, data[section][path[1]], path[:2])
        rest = format_path(path[2:])
        logical = f"{section}[{label}]" + (rest if rest.startswith("[") or not rest else f".{rest}")
        return logical, label
    return format_path(path), None


def _label(section: str, item: Any, path: DataPath) -> str:
    if isinstance(item, dict):
        if section == "processes":
            provider, process = item.get("provider"), item.get("process")
            if isinstance(provider, str) and isinstance(process, str):
                return f"{provider}:{process}"
        elif isinstance(item.get("id"), str):
            return str(item["id"])
    index = path[-1] if path and isinstance(path[-1], int) else 0
    return f"#{index + 1}"


def _data_loc(item: Any, loc: tuple[Any, ...], kind: str) -> tuple[DataPath, bool]:
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


_SALVAGE_PASSES = 5  # a removal can only uncover a missing required field: 2 passes suffice

_REMOVED = object()


def _without(item: Any, paths: list[DataPath]) -> Any:
    """A copy of ``item`` without the values at ``paths`` (all in its coordinates)."""
    import copy

    marked = copy.deepcopy(item)
    for path in paths:
        node = marked
        for element in path[:-1]:
            node = node[element] if _has(node, element) else None
        if _has(node, path[-1]):
            node[path[-1]] = _REMOVED  # marked first: removing would shift list indices
    return _strip(marked)


def _has(node: Any, element: str | int) -> bool:
    """Whether ``node[element]`` is there (a key of a mapping, an index of a list)."""
    return (isinstance(node, dict) and element in node) or (
        isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node)
    )


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip(value) for key, value in node.items() if value is not _REMOVED}
    if isinstance(node, list):
        return [_strip(value) for value in node if value is not _REMOVED]
    return node


def as_written(entity: Entity, fields: DataPath) -> DataPath:
    """A model field path as the file has it: after salvage removed a list item,
    the model's ``steps[1]`` is the file's ``steps[2]`` (for messages)."""
    removed = entity.origin.removed
    return _original_path(fields, removed) if removed else fields


def _original_path(path: DataPath, removed: AbstractSet[DataPath]) -> DataPath:
    """A path after removals as a path before them: list indices skip removed items.

    ``removed`` holds paths before the removals; an entity whose ``steps[0]``
    was removed has the file's ``steps[1]`` as its ``steps[0]``.
    """
    gone = _removed_indices(frozenset(removed))
    original: list[str | int] = []
    for element in path:
        indices = gone.get(tuple(original)) if isinstance(element, int) else None
        if indices and isinstance(element, int) and element >= 0:
            # The smallest index with element + 1 items kept up to it: a binary
            # search, not a walk along the list (quadratic over a long list).
            wanted: int = element
            low, high = wanted, wanted + len(indices)
            while low < high:
                middle = (low + high) // 2
                if middle + 1 - bisect.bisect_right(indices, middle) > wanted:
                    high = middle
                else:
                    low = middle + 1
            original.append(low)
        else:
            original.append(element)
    return tuple(original)


@functools.lru_cache(maxsize=8)
def _removed_indices(removed: frozenset[DataPath]) -> dict[DataPath, list[int]]:
    """List path -> the sorted indices removed from that list."""
    gone: dict[DataPath, list[int]] = {}
    for path in removed:
        if path and isinstance(path[-1], int):
            gone.setdefault(path[:-1], []).append(path[-1])
    for indices in gone.values():
        indices.sort()
    return gone


_UNION_TAGS = frozenset({"str", "int", "float", "bool", "list", "dict", "none", "function-after"})


def _fields_at(model: type[BaseModel], loc: DataPath) -> list[str]:
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
        current = _inner_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    """Unwrap Optional/list/dict to the model class inside, if any."""
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, dict):
        for arg in typing.get_args(annotation):
            inner = _inner_model(arg)
            if isinstance(inner, type) and issubclass(inner, BaseModel):
                return inner
        return None
    return annotation


SUGGEST_ALL = 200  # up to this many ids, did-you-mean compares the word with each
SUGGEST_NEAR = 20  # beyond, with this many ids either side of it, by prefix and by suffix


class Choices:
    """Ids for did-you-mean, sorted once (forwards and reversed).

    A suggestion then costs two binary searches and at most ``4 * SUGGEST_NEAR``
    comparisons, not one per id: 5,000 unresolved references among 5,000 ids
    took minutes. A typo keeps the start or the end of the id it misspells, so
    that id sorts near the word one way or the other.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self.forwards = sorted(set(ids))
        self.backwards = sorted(item[::-1] for item in self.forwards)

    def near(self, word: str) -> list[str]:
        """The ids worth comparing with ``word``."""
        if len(self.forwards) <= SUGGEST_ALL:
            return self.forwards
        found = set(_around(self.forwards, word))
        found.update(item[::-1] for item in _around(self.backwards, word[::-1]))
        return sorted(found)


def _around(ordered: list[str], word: str) -> list[str]:
    index = bisect.bisect_left(ordered, word)
    return ordered[max(0, index - SUGGEST_NEAR) : index + SUGGEST_NEAR]


def closest(word: str, choices: Iterable[str] | Choices) -> str | None:
    """The one of ``choices`` closest to ``word`` (did-you-mean), if any is close."""
    index = choices if isinstance(choices, Choices) else Choices(choices)
    matches = difflib.get_close_matches(word, index.near(word), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest(word: str, choices: Iterable[str] | Choices) -> str:
    """`` (did you mean "x"?)`` for the closest of ``choices``, or nothing."""
    match = closest(word, choices)
    return f" (did you mean {quote(match)}?)" if match is not None else ""


def _renaming(anchor: Anchor | None, key: str, meant: str | None, mapping: Any) -> FixPlan | None:
    """USM004's fix: the key renamed to the one it most likely means, unless
    the mapping has that key already."""
    if anchor is None or meant is None or not isinstance(mapping, dict) or meant in mapping:
        return None
    return replacing(anchor, meant, was=key)


def _value_at(data: Any, path: DataPath) -> Any:
    """The value at a data path of parsed data, or None."""
    for element in path:
        if isinstance(data, dict) and isinstance(element, str):
            data = data.get(element)
        elif isinstance(data, list) and isinstance(element, int) and 0 <= element < len(data):
            data = data[element]
        else:
            return None
    return data


def _read_as_text(detail: Any, value: Any) -> bool:
    """A boolean or number where text is expected: written unquoted, YAML 1.1
    read it as such (``on``, ``1.0``)."""
    return isinstance(value, bool | int | float) and detail["type"] == "string_type"


def _reason(detail: Any, value: Any) -> str:
    kind = detail["type"]
    got = type_name(value)
    quote_hint = ""
    if _read_as_text(detail, value):
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


def _wif_to_workflow(data: dict[str, Any], filename: str, template: bool) -> dict[str, Any]:
    """A USM-WIF document as a workflow mapping; unknown fields are ignored."""
    out: dict[str, Any] = {}
    for key, target in _WIF_TOP.items():
        if key in data:
            out[target] = data[key]
    for key in ("name", "description", "dynamicity"):
        if key in data:
            out[key] = data[key]
    if "id" not in out and template:
        stem = filename.removesuffix(".workflow-template.json").lower()
        out["id"] = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in stem) or "template"
    steps = data.get("steps")
    if isinstance(steps, list):
        out["steps"] = [_wif_step(step) for step in steps]
    elif steps is not None:
        out["steps"] = steps  # let the model report the wrong type
    return out


def _wif_step(step: Any) -> Any:
    if not isinstance(step, dict):
        return step
    out = {key: step[key] for key in ("id", "name", "description", "process") if key in step}
    if "sort-index" in step:
        out["sort_index"] = _wif_index(step["sort-index"])
    activities = step.get("activities")
    if isinstance(activities, list):
        out["activities"] = [_wif_activity(activity) for activity in activities]
    elif activities is not None:
        out["activities"] = activities
    return out


def _wif_activity(activity: Any) -> Any:
    if not isinstance(activity, dict):
        return activity
    keys = ("id", "name", "description", "responsibilities")
    out = {key: activity[key] for key in keys if key in activity}
    if "sort-index" in activity:
        out["sort_index"] = _wif_index(activity["sort-index"])
    return out


# A sort-index written as text is read as a number up to this many digits;
# longer (or other digits: "²", "①") it stays text and the model reports it.
_MAX_INDEX_DIGITS = 18


def _wif_index(value: Any) -> Any:
    # The USM-WIF memo's own examples write sort-index as a string ("3").
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= _MAX_INDEX_DIGITS
    ):
        return int(value)
    return value


def infer_types(workflow: Workflow, catalogue: Catalogue) -> tuple[str, ...]:
    """The catalogue types a USM-WIF workflow's step walk fits best (docs/usm.md,
    "USM-WIF"): one is its type, several a tie, none no fit."""
    sequence = collapse(step.process for step in ordered_steps(workflow))
    return catalogue.infer(sequence) if sequence else ()


def ordered_steps(workflow: Workflow) -> list[Any]:
    """Steps in order: by ``sort_index`` when every step has one, else as written."""
    steps = list(workflow.steps)
    if steps and all(step.sort_index is not None for step in steps):
        steps.sort(key=lambda step: step.sort_index or 0)
    return steps


def file_stem(path: str) -> str:
    """A file's name without directories (for messages)."""
    return PurePath(path).name
