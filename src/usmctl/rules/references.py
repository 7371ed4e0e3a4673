"""The reference table: every field that names another entity
(docs/format.md).

USM006 and USM007 walk it; other rules use `resolve_any` for the fields that
may name an entity of any section (``applies_to``, ``binds_to``, ...).

A process entry is named ``provider:process`` (``acme-it:recover``; an alias
for the process resolves to the same entry). ``processes.inputs``,
``governance.enforced_by`` and ``practices.plugs_into.processes`` may name
one, so a practice can be tied to one provider (docs/usm.md, "Governance,
overlays, practices and tools"); a bare process name in
``plugs_into.processes`` is no reference: it means that process of every
provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from usmctl.model.architecture import SINGULAR, as_written
from usmctl.model.entities import SECTIONS, Entity, Profile
from usmctl.model.usm import PARTY_KINDS, PROVIDER_KINDS, canonical_process

if TYPE_CHECKING:
    from usmctl.model.architecture import Architecture

ANY = "*"
PROCESS = "process"
PROCESS_OR_WORKFLOW = "process-or-workflow"
FEEDBACK = "feedback"
_NOUN = {
    "profiles": "profile",
    "services": "service",
    "agreements": "agreement",
    "workflows": "workflow",
    "tools": "tool",
    ANY: "entity",
    PROCESS: "process entry",
    PROCESS_OR_WORKFLOW: "process entry or workflow",
    FEEDBACK: "workflow, process entry or service",
}
# Targets that may name an entity of several sections: the sections a bare id
# is looked up in (allowed ones first) and the kinds of entity allowed
# (anything else is USM007).
_MIXED: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    PROCESS_OR_WORKFLOW: (
        ("workflows", *(section for section in SECTIONS if section != "workflows")),
        frozenset({"process entry", "workflow"}),
    ),
    FEEDBACK: (
        (
            "workflows",
            "services",
            *(section for section in SECTIONS if section not in ("workflows", "services")),
        ),
        frozenset({"process entry", "workflow", "service"}),
    ),
}


def split_process_reference(value: str) -> tuple[str, str] | None:
    """``("acme-it", "recover")`` for ``acme-it:recover``; None for a bare name."""
    provider, colon, process = value.partition(":")
    return (provider, process) if colon else None


def kind_of(entity: Entity) -> str:
    """What an entity is, for USM007: a profile's kind, else its section's noun."""
    if isinstance(entity, Profile):
        return entity.kind
    return SINGULAR[entity.origin.section]


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

    @property
    def target_kind(self) -> str | None:
        """What the resolved target is (``customer``, ``tool``, ...), for USM007."""
        return None if self.target is None else kind_of(self.target)

    @property
    def expected(self) -> str:
        """The kinds the reference may name, for USM007 messages."""
        if self.target_section in _MIXED:
            return self.noun
        return " or ".join(sorted(self.kinds or ()))

    def candidates(self, arch: Architecture) -> list[str]:
        """Ids the reference could have meant (for did-you-mean)."""
        if self.target_section in (ANY, PROCESS, PROCESS_OR_WORKFLOW, FEEDBACK):
            ids = list(process_index(arch))
            sections: tuple[str, ...] = {
                ANY: tuple(SECTIONS),
                PROCESS: (),
                PROCESS_OR_WORKFLOW: ("workflows",),
                FEEDBACK: ("workflows", "services"),
            }[self.target_section]
            for section in sections:
                ids.extend(sorted(arch.known_ids.get(section, ())))
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


def _process_references(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
    """``plugs_into.processes`` items that name one provider's process entry;
    bare process names are no references (every provider's process)."""
    for index, value in enumerate(entity.plugs_into.processes):
        if ":" in value:
            yield ("plugs_into", "processes", index), value


# (section, getter, target section, allowed kinds of the target: profile
# kinds, or for the mixed targets the nouns of the allowed sections)
TABLE: tuple[tuple[str, Getter, str, frozenset[str] | None], ...] = (
    ("profiles", _one("of"), "profiles", None),  # wrong kind: USM103
    ("processes", _one("provider"), "profiles", PROVIDER_KINDS),
    ("processes", _one("owner"), "profiles", frozenset({"operator"})),
    ("processes", _many("inputs"), FEEDBACK, _MIXED[FEEDBACK][1]),
    ("services", _one("provider"), "profiles", PROVIDER_KINDS),
    ("services", _many("customers"), "profiles", PARTY_KINDS),
    ("services", _one("agreement"), "agreements", None),
    ("services", _many("depends_on"), "services", None),
    ("agreements", _one("provider"), "profiles", PROVIDER_KINDS),
    ("agreements", _one("customer"), "profiles", PARTY_KINDS),
    ("agreements", _many("services"), "services", None),
    ("workflows", _one("provider"), "profiles", PROVIDER_KINDS),
    ("workflows", _one("tool"), "tools", None),
    ("practices", _process_references, PROCESS, None),
    ("practices", _nested("plugs_into", "workflows", many=True), "workflows", None),
    ("tools", _many("used_by"), "profiles", PROVIDER_KINDS),
    ("tools", _many("handles"), "workflows", None),
    ("governance", _many("applies_to"), ANY, None),
    ("governance", _many("enforced_by"), PROCESS_OR_WORKFLOW, _MIXED[PROCESS_OR_WORKFLOW][1]),
    ("overlays", _one("integrator"), "profiles", PROVIDER_KINDS),
    ("overlays", _many("binds_to"), ANY, None),
    ("overlays", _nested("indicators", "service"), "services", None),
    ("value_streams", _one("customer"), "profiles", PARTY_KINDS),
    ("value_streams", _nested("stages", "service"), "services", None),
    ("value_streams", _nested("stages", "workflow"), "workflows", None),
)

# The fields where a ``provider:process`` reference names a process: its
# process part is checked like any process name (USM202, USM203, USM702).
PROCESS_REFERENCE_FIELDS = frozenset({PROCESS, PROCESS_OR_WORKFLOW, FEEDBACK})


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


def _lookup_process(arch: Architecture, value: str) -> Entity | None:
    """The process entry ``provider:process`` names; an alias of the process
    names the same entry."""
    provider, _colon, process = value.partition(":")
    canonical = canonical_process(process)
    index = process_index(arch)
    found = index.get(value)
    if found is None and canonical is not None:
        found = index.get(f"{provider}:{canonical}")
    return found


def resolve_process(arch: Architecture, value: str) -> tuple[Entity | None, bool]:
    """The process entry a ``provider:process`` reference names, and whether
    it counts as known. A process part that is no USM process counts as known:
    USM202 or USM702 report it, not USM006 (one defect, one finding)."""
    found = _lookup_process(arch, value)
    return found, found is not None or canonical_process(value.partition(":")[2]) is None


def resolve_any(arch: Architecture, value: str) -> tuple[Entity | None, bool]:
    """An entity of any section (or a process entry) with this id; and whether
    the id is known at all (declared, even if that declaration was invalid)."""
    if ":" in value:
        found = _lookup_process(arch, value)
        return found, found is not None
    return _resolve_in(arch, SECTIONS, value)


def _resolve_in(
    arch: Architecture, sections: Iterable[str], value: str
) -> tuple[Entity | None, bool]:
    """The first entity with this id in these sections; whether it is known."""
    for section in sections:
        found = arch.index.get(section, {}).get(value)
        if found is not None:
            return found, True
    return None, any(value in ids for ids in arch.known_ids.values())


def _resolve(arch: Architecture, section: str, value: str) -> tuple[Entity | None, bool]:
    if section == ANY:
        return resolve_any(arch, value)
    if section in (PROCESS, PROCESS_OR_WORKFLOW, FEEDBACK) and ":" in value:
        return resolve_process(arch, value)
    if section in _MIXED:
        return _resolve_in(arch, _MIXED[section][0], value)
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
