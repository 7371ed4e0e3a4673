"""The reference table: every field that names another entity (SPEC §2).

USM006 and USM007 walk it; other rules use `resolve_any` for the fields that
may name an entity of any section (``applies_to``, ``binds_to``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from usmctl.architecture import as_written
from usmctl.model import SECTIONS, Entity
from usmctl.usm import PARTY_KINDS, PROVIDER_KINDS, canonical_process

if TYPE_CHECKING:
    from usmctl.architecture import Architecture

ANY = "*"
PROCESS_OR_WORKFLOW = "process-or-workflow"
_NOUN = {
    "profiles": "profile",
    "services": "service",
    "agreements": "agreement",
    "workflows": "workflow",
    "tools": "tool",
    ANY: "entity",
    PROCESS_OR_WORKFLOW: "process entry or workflow",
}


def field_name(entity: Entity, fields: tuple[str | int, ...]) -> str:
    """``plugs_into.processes[0]``: an entity's field path for messages, with
    list positions as in the file (salvage may have removed items before it)."""
    out = ""
    for item in as_written(entity, fields):
        out += f"[{item}]" if isinstance(item, int) else (f".{item}" if out else item)
    return out


@dataclass(frozen=True)
class Reference:
    """One reference found in the architecture, resolved when possible."""

    entity: Entity
    fields: tuple[str | int, ...]
    value: str
    target_section: str
    kinds: frozenset[str] | None
    target: Entity | None
    known: bool

    @property
    def field_name(self) -> str:
        """``customers[0]`` style name of the referencing field."""
        return field_name(self.entity, self.fields)

    @property
    def noun(self) -> str:
        """What the reference should name, for messages."""
        return _NOUN.get(self.target_section, "entity")

    def candidates(self, arch: Architecture) -> list[str]:
        """Ids the reference could have meant (for did-you-mean)."""
        if self.target_section in (ANY, PROCESS_OR_WORKFLOW):
            ids = [key for key in process_index(arch)]
            sections = SECTIONS if self.target_section == ANY else ("workflows",)
            for section in sections:
                ids.extend(arch.known_ids.get(section, ()))
            return ids
        if self.target_section == "profiles" and self.kinds is not None:
            return [
                profile.id for profile in arch.profiles if profile.kind in self.kinds
            ] or sorted(arch.known_ids.get("profiles", ()))
        return sorted(arch.known_ids.get(self.target_section, ()))


Getter = Callable[[Any], Iterator[tuple[tuple[str | int, ...], str | None]]]


def _one(name: str) -> Getter:
    def get(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
        yield (name,), getattr(entity, name)

    return get


def _many(name: str) -> Getter:
    def get(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
        for index, value in enumerate(getattr(entity, name)):
            yield (name, index), value

    return get


def _nested(outer: str, inner: str, *, many: bool = False) -> Getter:
    def get(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
        container = getattr(entity, outer)
        if isinstance(container, list):
            for index, item in enumerate(container):
                yield (outer, index, inner), getattr(item, inner)
        elif many:
            for index, value in enumerate(getattr(container, inner)):
                yield (outer, inner, index), value

    return get


# (section, getter, target section, allowed kinds of a profile target)
TABLE: tuple[tuple[str, Getter, str, frozenset[str] | None], ...] = (
    ("profiles", _one("of"), "profiles", None),  # wrong kind: USM103
    ("processes", _one("provider"), "profiles", PROVIDER_KINDS),
    ("processes", _one("owner"), "profiles", frozenset({"operator"})),
    ("processes", _many("inputs"), ANY, None),
    ("services", _one("provider"), "profiles", PROVIDER_KINDS),
    ("services", _many("customers"), "profiles", PARTY_KINDS),
    ("services", _one("agreement"), "agreements", None),
    ("services", _many("depends_on"), "services", None),
    ("agreements", _one("provider"), "profiles", PROVIDER_KINDS),
    ("agreements", _one("customer"), "profiles", PARTY_KINDS),
    ("agreements", _many("services"), "services", None),
    ("workflows", _one("provider"), "profiles", PROVIDER_KINDS),
    ("workflows", _one("tool"), "tools", None),
    ("practices", _nested("plugs_into", "workflows", many=True), "workflows", None),
    ("tools", _many("used_by"), "profiles", PROVIDER_KINDS),
    ("tools", _many("handles"), "workflows", None),
    ("governance", _many("applies_to"), ANY, None),
    ("governance", _many("enforced_by"), PROCESS_OR_WORKFLOW, None),
    ("overlays", _one("integrator"), "profiles", PROVIDER_KINDS),
    ("overlays", _many("binds_to"), ANY, None),
    ("overlays", _nested("indicators", "service"), "services", None),
    ("value_streams", _one("customer"), "profiles", PARTY_KINDS),
    ("value_streams", _nested("stages", "service"), "services", None),
    ("value_streams", _nested("stages", "workflow"), "workflows", None),
)


def process_index(arch: Architecture) -> dict[str, Entity]:
    """Process entries by ``provider:process`` (canonical process names too)."""
    cached: dict[str, Entity] | None = arch.cache.get("process_index")
    if cached is not None:
        return cached
    index: dict[str, Entity] = {}
    for entry in arch.processes:
        index.setdefault(entry.key, entry)
        canonical = canonical_process(entry.process)
        if canonical is not None:
            index.setdefault(f"{entry.provider}:{canonical}", entry)
    arch.cache["process_index"] = index
    return index


def resolve_any(arch: Architecture, value: str) -> tuple[Entity | None, bool]:
    """An entity of any section (or a process entry) with this id; and whether
    the id is known at all (declared, even if that declaration was invalid)."""
    if ":" in value:
        found = process_index(arch).get(value)
        return found, found is not None
    for section in SECTIONS:
        found = arch.index.get(section, {}).get(value)
        if found is not None:
            return found, True
    return None, any(value in ids for ids in arch.known_ids.values())


def _resolve(arch: Architecture, section: str, value: str) -> tuple[Entity | None, bool]:
    if section == ANY:
        return resolve_any(arch, value)
    if section == PROCESS_OR_WORKFLOW:
        if ":" in value:
            found = process_index(arch).get(value)
            return found, found is not None
        section = "workflows"
    found = arch.index.get(section, {}).get(value)
    return found, found is not None or value in arch.known_ids.get(section, ())


def iter_references(arch: Architecture) -> Iterator[Reference]:
    """Every reference in the architecture, resolved once per run and shared
    by the rules that read them (USM006, USM007, USM104)."""
    cached: list[Reference] | None = arch.cache.get("references")
    if cached is None:
        cached = [
            Reference(entity, fields, value, target_section, kinds, *target_known)
            for section, getter, target_section, kinds in TABLE
            for entity in arch.section(section)
            for fields, value in getter(entity)
            if value is not None
            for target_known in (_resolve(arch, target_section, value),)
        ]
        arch.cache["references"] = cached
    yield from cached
