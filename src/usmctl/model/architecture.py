"""One architecture: every entity of every file, merged (docs/format.md: the
union of all files), and what the build found out on the way.

One defect, one finding (docs/format.md): the architecture also records what
failed, so the findings that would only repeat it are dropped: a value salvage
removed (`repeats_salvage`), the files that failed to load (`failed_files`: the
engine holds back unresolved references to ids they might declare). It is built
by `usmctl.model.build`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
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
