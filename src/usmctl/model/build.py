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
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from usmctl.core.codes import DUPLICATE_ID, SCHEMA_VIOLATION, UNKNOWN_FIELD
from usmctl.core.findings import Locus, Violation, quote
from usmctl.core.fixes import FixPlan, quoting, replacing
from usmctl.core.positions import Anchor, DataPath, format_path
from usmctl.core.suggest import closest, did_you_mean
from usmctl.load.limits import type_name
from usmctl.load.loader import LoadedFile
from usmctl.model.architecture import SINGULAR, Architecture
from usmctl.model.catalogue import Catalogue
from usmctl.model.entities import (
    SECTIONS,
    TOP_LEVEL_KEYS,
    ArchitectureInfo,
    Declared,
    Entity,
    Origin,
    Workflow,
)
from usmctl.model.salvage import locate_field, salvage, salvage_index
from usmctl.model.schema_errors import SchemaProblem, renaming, schema_problems
from usmctl.model.wif import WIF_KEY_MAP, infer_types, wif_to_workflow

E = TypeVar("E", bound=Entity)
T = TypeVar("T")


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
        builder.files.append(loaded.source.display)
        if loaded.failed:
            builder.failed_files.append(loaded.source.display)
        if loaded.data is None:
            continue
        builder.read_files.append(loaded.source.display)
        if loaded.source.kind == "yaml":
            builder.add_yaml(loaded)
        else:
            builder.add_wif(loaded)
    return builder.finish()


class _Builder:
    """Gathers an architecture; the only thing that does, and it hands the
    architecture over finished (`finish`)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.violations: list[CodedViolation] = []
        self.info: ArchitectureInfo | None = None
        self.sections: dict[str, list[Entity]] = {name: [] for name in SECTIONS}
        self.index: dict[str, dict[str, Entity]] = {name: {} for name in SECTIONS}
        self.known_ids: dict[str, set[str]] = {name: set() for name in SECTIONS}
        self.defaulted: dict[str, set[DataPath]] = {}
        # One tuple per entity path (``("services", 0)``): every file has them.
        self.paths: dict[DataPath, DataPath] = {}
        # The sets of given field names the entities share (`Declared.fields_sets`).
        self.fields_sets: dict[frozenset[str], set[str]] = {}
        self.files: list[str] = []
        self.read_files: list[str] = []
        self.failed_files: list[str] = []
        # file -> (entity path, removed value path) of every value salvage removed
        self.salvaged: dict[str, list[tuple[DataPath, DataPath]]] = {}

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
                rename = renaming(meant, data)
                self.report(
                    UNKNOWN_FIELD,
                    f"unknown top-level section {quote(key)}{did_you_mean(meant)}",
                    Locus(file, key, anchor=anchor),
                    fix=None if rename is None else replacing(anchor, rename, was=key),
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
            paths = self.paths
            origins = [
                Origin(
                    file,
                    paths.setdefault((key, index), (key, index)),
                    section=key,
                    label=entity_label(key, item, (key, index)),
                )
                for index, item in enumerate(value)
            ]
            entities = _validate_all(
                SECTIONS[key], value, Declared(origins, fields_sets=self.fields_sets)
            )
            if entities is None:
                for origin, item in zip(origins, value, strict=True):
                    self._add_entity(origin, item)
            else:
                for origin, entity in zip(origins, entities, strict=True):
                    self._keep(origin, entity)

    def _add_architecture(self, file: str, value: Any) -> None:
        if self.info is not None:
            self.report(
                DUPLICATE_ID,
                "architecture is declared more than once (first at {related})",
                Locus(file, "architecture", "architecture", Anchor(("architecture",), True)),
                (locate_field(self.info.origin, ()),),
            )
            return
        origin = Origin(file, ("architecture",), section="architecture", label="architecture")
        validated = self._validate(ArchitectureInfo, value, origin)
        if validated is not None:
            self.info = validated[0]

    def _declare(self, origin: Origin, item: Any) -> bool:
        """Record the id an entry declares (valid or not); False when the
        entry is no mapping, so no entity at all."""
        if not isinstance(item, dict):
            self.report(
                SCHEMA_VIOLATION,
                f"each entry of {quote(origin.section)} must be a mapping, found {type_name(item)}",
                locate_field(origin, ()),
            )
            return False
        section = origin.section
        raw_id = item.get("id") if section != "processes" else origin.label
        if isinstance(raw_id, str):
            self.known_ids[section].add(raw_id)
        elif isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
            # ``id: 2024`` is one USM003; references to "2024" are not a second defect
            self.known_ids[section].add(str(raw_id))
        return True

    def _add_entity(self, origin: Origin, item: Any) -> None:
        if self._declare(origin, item):
            validated = self._validate(SECTIONS[origin.section], item, origin)
            if validated is not None:
                self._index(validated[0].origin, validated[0])

    def _keep(self, origin: Origin, entity: Entity) -> None:
        """Keep an entity validated with its whole section (the fast path)."""
        section = origin.section
        self.known_ids[section].add(origin.label if section == "processes" else entity.id)  # type: ignore[attr-defined]
        self._index(origin, entity)

    def _index(self, origin: Origin, entity: Entity) -> None:
        section = origin.section
        entity_id = getattr(entity, "id", None) if section != "processes" else None
        if entity_id is not None:
            first = self.index[section].get(entity_id)
            if first is not None:
                self.report(
                    DUPLICATE_ID,
                    f"duplicate {SINGULAR[section]} id {quote(entity_id)} (first at {{related}})",
                    locate_field(origin, ("id",)),
                    (locate_field(first.origin, ("id",)),),
                )
                return
            self.index[section][entity_id] = entity
        self.sections[section].append(entity)

    def _validate(
        self, model: type[E], item: Any, origin: Origin, *, template: bool = False
    ) -> tuple[E, Any] | None:
        """The entity ``item`` declares, salvaged if need be, and the data it
        was validated from; None when it cannot be salvaged."""
        shared = self.fields_sets
        try:
            declared = Declared((origin,), template=template, fields_sets=shared)
            return model.model_validate(item, context=declared), item
        except ValidationError as error:
            self._schema_violations(error, model, item, origin)

            def validate(data: Any, removed: frozenset[DataPath]) -> E:
                at = origin._replace(removed=removed)
                declared = Declared((at,), template=template, fields_sets=shared)
                return model.model_validate(data, context=declared)

            saved = salvage(item, error, validate=validate)
        if saved is None:
            return None
        if saved.defaulted:
            self.defaulted.setdefault(origin.file, set()).add(origin.path)
        self.salvaged.setdefault(origin.file, []).extend(
            (origin.path, origin.raw_path(path)) for path in saved.removed
        )
        return typing.cast(E, saved.entity), saved.data

    def _schema_violations(
        self, error: ValidationError, model: type[Entity], item: Any, origin: Origin
    ) -> None:
        what = f"{SINGULAR[origin.section]} {quote(origin.label)}"
        if origin.section == "architecture":
            what = "architecture"
        for problem in schema_problems(error, model, item=item, what=what):
            locus = locate_field(origin, problem.fields, at_key=problem.at_key)
            self.report(problem.code, problem.message, locus, fix=_fix(problem, locus, origin))

    def add_wif(self, loaded: LoadedFile) -> None:
        data: dict[str, Any] = loaded.data
        template = loaded.source.kind == "wif-template"
        converted = wif_to_workflow(data, loaded.source.path.name, template)
        label = entity_label("workflows", converted, ())
        origin = Origin(
            loaded.source.display, (), section="workflows", label=label, key_map=WIF_KEY_MAP
        )
        if not self._declare(origin, converted):
            return
        validated = self._validate(Workflow, converted, origin, template=template)
        if validated is None:
            return
        workflow, written = validated
        if workflow.type is None:
            # The catalogue type its step walk fits: validated again with it
            # (models are frozen); a tie is USM313 and counts for no type.
            candidates = infer_types(workflow, self.catalogue)
            origins = (workflow.origin,)
            if len(candidates) == 1:
                workflow = Workflow.model_validate(
                    {**written, "type": candidates[0]},
                    context=Declared(origins, template=template, inferred_type=True),
                )
            elif candidates:
                workflow = Workflow.model_validate(
                    written,
                    context=Declared(origins, template=template, type_candidates=candidates),
                )
        self._index(workflow.origin, workflow)

    def finish(self) -> tuple[Architecture, list[CodedViolation]]:
        """The architecture gathered, read-only from here on, and the violations."""
        sections = {name: tuple(entities) for name, entities in self.sections.items()}
        salvaged = {file: salvage_index(removed) for file, removed in self.salvaged.items()}
        architecture = Architecture(
            info=self.info,
            **sections,  # type: ignore[arg-type]
            index=MappingProxyType(
                {name: MappingProxyType(ids) for name, ids in self.index.items()}
            ),
            known_ids=_frozen(self.known_ids),
            defaulted=_frozen(self.defaulted),
            files=tuple(self.files),
            read_files=tuple(self.read_files),
            failed_files=tuple(self.failed_files),
            salvage_index=MappingProxyType(salvaged),
        )
        return architecture, self.violations


def _frozen(sets: dict[str, set[T]]) -> Mapping[str, frozenset[T]]:
    return MappingProxyType({key: frozenset(values) for key, values in sets.items()})


@functools.cache
def _list_adapter(model: type[Entity]) -> TypeAdapter[list[Entity]]:
    return TypeAdapter(list[model])  # type: ignore[valid-type]


def build_validators() -> None:
    """Build each section's list validator now, not at its first use (pydantic
    defers them: about 20 ms in all): for a run with time to spare before its
    build, as while worker processes parse."""
    for model in SECTIONS.values():
        _list_adapter(model).validate_python([])


def _validate_all(model: type[Entity], items: list[Any], declared: Declared) -> list[Entity] | None:
    """Validate a whole section list in one call; None when any entry fails.

    One call into pydantic-core per list instead of one per entity saves the
    per-call overhead (issue 6); a list with an error goes entity by entity,
    which reports each error at its entity.
    """
    try:
        return _list_adapter(model).validate_python(items, context=declared)
    except ValidationError:
        return None


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


def _fix(problem: SchemaProblem, locus: Locus, origin: Origin) -> FixPlan | None:
    """A schema finding's one safe fix: rename an unknown key to the one it
    most likely means (not in USM-WIF files, whose keys are not the model's),
    or quote a YAML 1.1 boolean or number where text is expected."""
    if locus.anchor is None:
        return None
    if problem.rename is not None and not origin.key_map:
        return replacing(locus.anchor, problem.rename, was=str(problem.fields[-1]))
    if problem.quote:
        return quoting(locus.anchor.path)
    return None
