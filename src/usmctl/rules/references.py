"""The reference table: every field that names another entity
(docs/format.md).

USM006 and USM007 walk it (resolved once per run: `Indexes.references`);
other rules use `Indexes.resolve_any` for the fields that may name an entity
of any section (``applies_to``, ``binds_to``, ...).

A process entry is named ``provider:process`` (``acme-it:recover``; an alias
for the process resolves to the same entry). ``processes.inputs``,
``governance.enforced_by`` and ``practices.plugs_into.processes`` may name
one, so a practice can be tied to one provider (docs/usm.md, "Governance,
overlays, practices and tools"); a bare process name in
``plugs_into.processes`` is no reference: it means that process of every
provider.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from usmctl.model.architecture import SINGULAR
from usmctl.model.entities import SECTIONS, Entity, Profile
from usmctl.model.salvage import as_written
from usmctl.model.usm import PARTY_KINDS, PROVIDER_KINDS

ANY = "*"
PROCESS = "process"
PROCESS_OR_WORKFLOW = "process-or-workflow"
FEEDBACK = "feedback"
NOUN = {
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
MIXED: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
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


class Reference(NamedTuple):
    """One reference found in the architecture, resolved when possible.

    A named tuple, not a frozen dataclass: a large architecture has tens of
    thousands of references, built on every run, and a frozen dataclass
    costs three times as much to build (``object.__setattr__`` per field)."""

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
        return NOUN.get(self.target_section, "entity")

    @property
    def target_kind(self) -> str | None:
        """What the resolved target is (``customer``, ``tool``, ...), for USM007."""
        return None if self.target is None else kind_of(self.target)

    @property
    def expected(self) -> str:
        """The kinds the reference may name, for USM007 messages."""
        if self.target_section in MIXED:
            return self.noun
        return " or ".join(sorted(self.kinds or ()))


Getter = Callable[[Any], Iterator[tuple[tuple[str | int, ...], str | None]]]
# A field below an entity as completion names it: ``("stages", "[]", "service")``
# (``[]``: any item of a list).
Pattern = tuple[str, ...]
ITEM = "[]"


# The getters below hand out one tuple per field path, not one per reference:
# a large architecture has tens of thousands (at 10k services 3 MB).


def _one(name: str) -> tuple[Getter, Pattern]:
    path = (name,)

    def get(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
        yield path, getattr(entity, name)

    return get, (name,)


def _many(name: str) -> tuple[Getter, Pattern]:
    paths: list[tuple[str, int]] = []

    def get(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
        for index, value in enumerate(getattr(entity, name)):
            if index == len(paths):
                paths.append((name, index))
            yield paths[index], value

    return get, (name, ITEM)


def _nested(outer: str, inner: str, *, many: bool = False) -> tuple[Getter, Pattern]:
    def get(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
        container = getattr(entity, outer)
        if isinstance(container, list):
            for index, item in enumerate(container):
                yield (outer, index, inner), getattr(item, inner)
        elif many:
            for index, value in enumerate(getattr(container, inner)):
                yield (outer, inner, index), value

    return get, ((outer, inner, ITEM) if many else (outer, ITEM, inner))


def _process_references(entity: Any) -> Iterator[tuple[tuple[str | int, ...], str | None]]:
    """``plugs_into.processes`` items that name one provider's process entry;
    bare process names are no references (every provider's process)."""
    for index, value in enumerate(entity.plugs_into.processes):
        if ":" in value:
            yield ("plugs_into", "processes", index), value


class Row(NamedTuple):
    """One field that names another entity: the entities it is found in, how
    to read it, where it is (for completion), the section it names and the
    kinds allowed there (profile kinds, or for the mixed targets the nouns of
    the allowed sections; None: any)."""

    section: str
    getter: Getter
    pattern: Pattern
    target_section: str
    kinds: frozenset[str] | None


TABLE: tuple[Row, ...] = (
    Row("profiles", *_one("of"), "profiles", None),  # wrong kind: USM103
    Row("processes", *_one("provider"), "profiles", PROVIDER_KINDS),
    Row("processes", *_one("owner"), "profiles", frozenset({"operator"})),
    Row("processes", *_many("inputs"), FEEDBACK, MIXED[FEEDBACK][1]),
    Row("services", *_one("provider"), "profiles", PROVIDER_KINDS),
    Row("services", *_many("customers"), "profiles", PARTY_KINDS),
    Row("services", *_one("agreement"), "agreements", None),
    Row("services", *_many("depends_on"), "services", None),
    Row("agreements", *_one("provider"), "profiles", PROVIDER_KINDS),
    Row("agreements", *_one("customer"), "profiles", PARTY_KINDS),
    Row("agreements", *_many("services"), "services", None),
    Row("workflows", *_one("provider"), "profiles", PROVIDER_KINDS),
    Row("workflows", *_one("tool"), "tools", None),
    Row("practices", _process_references, ("plugs_into", "processes", ITEM), PROCESS, None),
    Row("practices", *_nested("plugs_into", "workflows", many=True), "workflows", None),
    Row("tools", *_many("used_by"), "profiles", PROVIDER_KINDS),
    Row("tools", *_many("handles"), "workflows", None),
    Row("governance", *_many("applies_to"), ANY, None),
    Row("governance", *_many("enforced_by"), PROCESS_OR_WORKFLOW, MIXED[PROCESS_OR_WORKFLOW][1]),
    Row("overlays", *_one("integrator"), "profiles", PROVIDER_KINDS),
    Row("overlays", *_many("binds_to"), ANY, None),
    Row("overlays", *_nested("indicators", "service"), "services", None),
    Row("value_streams", *_one("customer"), "profiles", PARTY_KINDS),
    Row("value_streams", *_nested("stages", "service"), "services", None),
    Row("value_streams", *_nested("stages", "workflow"), "workflows", None),
)

# The fields where a ``provider:process`` reference names a process: its
# process part is checked like any process name (USM202, USM203, USM702).
PROCESS_REFERENCE_FIELDS = frozenset({PROCESS, PROCESS_OR_WORKFLOW, FEEDBACK})
