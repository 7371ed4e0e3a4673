"""One architecture: every entity of every file, merged (docs/format.md: the
union of all files), and what the build found out on the way.

One defect, one finding (docs/format.md): the architecture also records what
failed, so the findings that would only repeat it are dropped: a value salvage
removed (`repeats_salvage`), the files that failed to load (`failed_files`: the
engine holds back unresolved references to ids they might declare). It is built
by `usmctl.model.build`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from usmctl.core.findings import Locus
from usmctl.core.positions import DataPath
from usmctl.model.entities import (
    SECTIONS,
    Agreement,
    ArchitectureInfo,
    Entity,
    GovernanceItem,
    Overlay,
    Practice,
    ProcessEntry,
    Profile,
    Service,
    Tool,
    ValueStream,
    Workflow,
)

# Section -> what one of its entities is called in messages.
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


def _frozen_map() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Architecture:
    """Every entity of every file, merged, plus indexes for the rules.

    Immutable: the builder (`usmctl.model.build`) is the only thing that
    gathers it, and hands it over finished (tuples, read-only mappings, frozen
    sets).
    """

    info: ArchitectureInfo | None = None
    profiles: tuple[Profile, ...] = ()
    processes: tuple[ProcessEntry, ...] = ()
    services: tuple[Service, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    workflows: tuple[Workflow, ...] = ()
    practices: tuple[Practice, ...] = ()
    tools: tuple[Tool, ...] = ()
    governance: tuple[GovernanceItem, ...] = ()
    overlays: tuple[Overlay, ...] = ()
    value_streams: tuple[ValueStream, ...] = ()
    # section -> id -> first entity with that id (valid entities only)
    index: Mapping[str, Mapping[str, Entity]] = field(default_factory=_frozen_map)
    # section -> ids declared, including entities that failed validation
    known_ids: Mapping[str, frozenset[str]] = field(default_factory=_frozen_map)
    # file -> paths of entities one of whose own fields failed and fell back to
    # its default (``external: "yes"``): judgements of the whole entity read it
    defaulted: Mapping[str, frozenset[DataPath]] = field(default_factory=_frozen_map)
    # every file read, as shown; those that failed to load (USM001/8/9/10)
    files: tuple[str, ...] = ()
    read_files: tuple[str, ...] = ()  # those with data
    failed_files: tuple[str, ...] = ()
    # file -> (the values salvage removed, the paths below their entities that
    # hold one): `repeats_salvage`'s set lookups; a file appears only when
    # salvage removed something from it
    salvage_index: Mapping[str, tuple[frozenset[DataPath], frozenset[DataPath]]] = field(
        default_factory=_frozen_map
    )

    def section(self, name: str) -> tuple[Any, ...]:
        """The entities of a section by its name in the format."""
        entities: tuple[Any, ...] = getattr(self, name)
        return entities

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
