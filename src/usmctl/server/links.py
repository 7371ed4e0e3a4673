"""Every id reference of an analysis, placed in its file: what go to definition,
find references and hover read.

The references are the rules' own (`Indexes.references`, from the reference
table in `usmctl.rules.references`), plus the profile ids that key a RACI
table (a step's or an activity's ``responsibilities``), which USM104 counts
as references too. Each is placed by its data path in the file, as written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from usmctl.core.positions import DataPath
from usmctl.model.architecture import Architecture
from usmctl.model.entities import Entity, ProcessEntry, Workflow
from usmctl.model.salvage import as_written
from usmctl.rules.indexes import Indexes
from usmctl.rules.references import NOUN, field_name, kind_of


@dataclass(frozen=True, slots=True)
class Link:
    """One id written in a field that names another entity."""

    file: str
    path: DataPath  # where the id is written (a RACI key: the key)
    at_key: bool
    value: str
    field: str  # ``depends_on[0]``: the referring field, for messages
    noun: str  # what the field names: ``profile``, ``process entry or workflow``, ...
    source: Entity  # the entity whose field it is
    target: Entity | None  # what it names, None when unresolved


def declaration_path(entity: Entity) -> DataPath:
    """Where an entity's id is written: its ``id`` value, a process entry's
    ``process`` value (it is named ``provider:process``)."""
    field = "process" if isinstance(entity, ProcessEntry) else "id"
    return entity.origin.raw_path((field,))


def entity_id(entity: Entity) -> str:
    """The id other entities name an entity by."""
    if isinstance(entity, ProcessEntry):
        return entity.key
    return str(getattr(entity, "id", entity.origin.label))


def describe(entity: Entity) -> str:
    """``service "claims-platform"`` (a profile by its kind: ``supplier "cloudco"``)."""
    return f'{kind_of(entity)} "{entity_id(entity)}"'


class Links:
    """The links of one analysis, by place and by target."""

    def __init__(self, architecture: Architecture, indexes: Indexes) -> None:
        self.by_place: dict[tuple[str, DataPath], Link] = {}
        self.by_target: dict[int, list[Link]] = defaultdict(list)
        self.declarations: dict[tuple[str, DataPath], Entity] = {}
        self.entities: dict[tuple[str, DataPath], Entity] = {}
        for link in _links(architecture, indexes):
            self.by_place[(link.file, link.path)] = link
            if link.target is not None:
                self.by_target[id(link.target)].append(link)
        for _section, entity in architecture.all_entities():
            origin = entity.origin
            self.entities[(origin.file, origin.path)] = entity
            self.declarations[(origin.file, declaration_path(entity))] = entity
        if architecture.info is not None:
            origin = architecture.info.origin
            self.entities[(origin.file, origin.path)] = architecture.info

    def entity_at(self, file: str, path: DataPath) -> Entity | None:
        """The entity whose declaration holds ``path`` (the deepest one)."""
        for depth in range(len(path), -1, -1):
            found = self.entities.get((file, path[:depth]))
            if found is not None:
                return found
        return None

    def references_to(self, entity: Entity) -> list[Link]:
        """Every link that names ``entity``, in file and path order."""
        return sorted(self.by_target.get(id(entity), ()), key=lambda link: (link.file, link.path))


def _links(architecture: Architecture, indexes: Indexes) -> Iterator[Link]:
    for reference in indexes.references:
        entity = reference.entity
        yield Link(
            entity.origin.file,
            entity.origin.raw_path(as_written(entity, reference.fields)),
            False,
            reference.value,
            reference.field_name,
            reference.noun,
            entity,
            reference.target,
        )
    profiles = indexes.profiles
    for workflow in architecture.workflows:
        for fields, name in _raci_keys(workflow):
            yield Link(
                workflow.origin.file,
                workflow.origin.raw_path(as_written(workflow, fields)),
                True,
                name,
                field_name(workflow, fields),
                NOUN["profiles"],
                workflow,
                profiles.get(name),
            )


def _raci_keys(workflow: Workflow) -> Iterator[tuple[DataPath, str]]:
    for step_index, step in enumerate(workflow.steps):
        for name in step.responsibilities:
            yield ("steps", step_index, "responsibilities", name), name
        for activity_index, activity in enumerate(step.activities):
            for name in activity.responsibilities:
                fields = ("steps", step_index, "activities", activity_index, "responsibilities")
                yield (*fields, name), name
