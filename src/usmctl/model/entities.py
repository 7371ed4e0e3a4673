"""Pydantic models of an architecture file (docs/format.md). No I/O here.

Models are strict (a YAML 1.1 boolean or number where a string is expected is
an error, never coerced) and closed (unknown keys are errors), except keys
starting with ``x-``, which are extensions: kept in the raw data, ignored here.
Semantic gaps (a service without support, a workflow without owning process)
are *not* schema errors: the fields are optional and the USM rules report them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Ref = str
Text = str
Raci = Literal["R", "A", "C", "I"]
ProfileKind = Literal["customer", "provider", "supplier", "operator"]
RequestType = Literal["wish", "request-for-change", "service-request", "incident"]


def _allow_extensions(schema: dict[str, Any]) -> None:
    schema["patternProperties"] = {"^x-": {}}


class UsmModel(BaseModel):
    """Base: strict, closed, frozen; ``x-`` keys dropped before validation."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, json_schema_extra=_allow_extensions
    )

    @model_validator(mode="before")
    @classmethod
    def _drop_extensions(cls, data: Any) -> Any:
        # Runs for every model instance: a plain loop, no generator (issue 6).
        if isinstance(data, dict):
            for key in data:
                if isinstance(key, str) and key[:2] == "x-":
                    return {k: v for k, v in data.items() if not k.startswith("x-")}
        return data


class Origin(NamedTuple):
    """Where an entity was declared: file, data path, section and label.

    Immutable, made once per entity before it is validated (a tuple: built and
    read on every run for every entity, cheaper than a frozen dataclass).
    """

    file: str
    path: tuple[str | int, ...]
    section: str
    label: str
    key_map: Mapping[str, str] | None = None  # model field -> file key, for USM-WIF files
    # paths of the values salvage removed, as written (see usmctl.model.salvage)
    removed: frozenset[tuple[str | int, ...]] = frozenset()

    def raw_path(self, fields: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """The data path of a field of the entity, in the file's own keys."""
        if not self.key_map or not fields:
            return (*self.path, *fields)
        first = fields[0]
        mapped = [self.key_map.get(first, first) if isinstance(first, str) else first]
        mapped += [
            self.key_map.get(f".{item}", item) if isinstance(item, str) else item
            for item in fields[1:]
        ]
        return (*self.path, *mapped)


class Declared:
    """The validation context the architecture builder passes: where each
    entity it validates is declared, and what it knows of a USM-WIF workflow.

    An entity takes its origin from here while it is validated (pydantic's
    ``model_post_init``), the one time its private state is set: a list
    validated in one call takes one origin per entity, in order.
    """

    __slots__ = ("inferred_type", "origins", "template", "type_candidates")

    def __init__(
        self,
        origins: Iterable[Origin],
        *,
        template: bool = False,
        inferred_type: bool = False,
        type_candidates: tuple[str, ...] = (),
    ) -> None:
        self.origins: Iterator[Origin] = iter(origins)
        self.template = template
        self.inferred_type = inferred_type
        self.type_candidates = type_candidates


# Sets a private attribute, for ``model_post_init`` only, while an entity is
# validated: pydantic's own ``__setattr__``, which `Entity.__setattr__` refuses
# to private names once the entity is built.
_initialise = BaseModel.__setattr__


class Entity(UsmModel):
    """Anything declared in a section list; knows its origin once built.

    Frozen means frozen: pydantic's ``frozen`` refuses assigning a field, and
    this refuses assigning a private attribute, which pydantic would allow.
    Private state is set only while the entity is validated, from `Declared`.
    """

    _origin: Origin | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        """Take the entity's origin from the builder's validation context."""
        if isinstance(context, Declared):
            _initialise(self, "_origin", next(context.origins))

    def __setattr__(self, name: str, value: Any) -> None:
        if name[:1] == "_":
            raise AttributeError(f"{type(self).__name__} is frozen: {name} cannot be assigned")
        super().__setattr__(name, value)  # a field: pydantic refuses (frozen)

    @property
    def origin(self) -> Origin:
        """Where the architecture builder found the entity (every one it keeps).

        Read from the private-attribute dict directly: ``self._origin`` goes
        through pydantic's ``__getattr__`` (about 30 times slower), and rules
        read the origin of every entity they report or locate.
        """
        private = self.__pydantic_private__
        found: Origin | None = private.get("_origin") if private is not None else None
        assert found is not None, "entity built outside the architecture builder"
        return found


class ArchitectureInfo(Entity):
    """The architecture's own identity (at most once across all files)."""

    id: Id
    name: Text | None = None
    domain: Text | None = None
    description: Text | None = None


class Profile(Entity):
    """A party (customer, provider, supplier) or an operator profile."""

    id: Id
    kind: ProfileKind
    name: Text | None = None
    description: Text | None = None
    external: bool = False
    of: Ref | None = Field(default=None, description="operators: the provider they work for")


class ProcessEntry(Entity):
    """How one provider runs one of the five USM processes."""

    provider: Ref
    process: Text
    owner: Ref | None = None
    inputs: list[Ref] = Field(
        default_factory=list,
        description="feedback sources: workflow ids, process entries (provider:process) "
        "or service ids",
    )
    description: Text | None = None

    @property
    def key(self) -> str:
        """The ``provider:process`` name other entities refer to it by."""
        return f"{self.provider}:{self.process}"


class Facility(UsmModel):
    """What is made available for use: goods and actions."""

    description: Text | None = None
    goods: list[Text] = Field(default_factory=list)
    actions: list[Text] = Field(default_factory=list)


class Support(UsmModel):
    """Help to users while they use the facility."""

    description: Text | None = None
    hours: Text | None = None
    channels: list[Text] = Field(default_factory=list)


class Service(Entity):
    """A supported facility delivered by a provider under an agreement."""

    id: Id
    name: Text | None = None
    description: Text | None = None
    provider: Ref
    customers: list[Ref] = Field(default_factory=list)
    agreement: Ref | None = None
    facility: Facility | None = None
    support: Support | None = None
    depends_on: list[Ref] = Field(default_factory=list)


class Agreement(Entity):
    """The agreement (or, with an external party, contract) a service runs under."""

    id: Id
    name: Text | None = None
    description: Text | None = None
    kind: Literal["agreement", "contract"] = "agreement"
    provider: Ref
    customer: Ref
    services: list[Ref] = Field(default_factory=list)
    request_types: list[RequestType] = Field(default_factory=list)


class Activity(UsmModel):
    """A USM-WIF activity inside a step, with its RACI."""

    id: Text | None = None
    name: Text | None = None
    description: Text | None = None
    sort_index: int | None = Field(default=None, ge=0)
    responsibilities: dict[Ref, list[Raci]] = Field(default_factory=dict)


class Step(UsmModel):
    """One step of a workflow, run by one process."""

    id: Text | None = None
    name: Text | None = None
    description: Text | None = None
    sort_index: int | None = Field(default=None, ge=0)
    process: Text
    responsibilities: dict[Ref, list[Raci]] = Field(default_factory=dict)
    activities: list[Activity] = Field(default_factory=list)


class Workflow(Entity):
    """A workflow of a catalogue type, owned by one process of one provider."""

    id: Id
    name: Text | None = None
    description: Text | None = None
    provider: Ref | None = None
    type: Text | None = None
    owner_process: Text | None = None
    dynamicity: Literal["static", "dynamic"] | None = None
    tool: Ref | None = None
    steps: list[Step] = Field(default_factory=list)

    _template: bool = PrivateAttr(default=False)
    _inferred_type: bool = PrivateAttr(default=False)
    _type_candidates: tuple[str, ...] = PrivateAttr(default=())

    def model_post_init(self, context: Any, /) -> None:
        """Take the origin, and for USM-WIF what the builder found, from the context."""
        super().model_post_init(context)
        if not isinstance(context, Declared):
            return
        if context.template:  # the defaults otherwise: a workflow of a YAML file
            _initialise(self, "_template", True)
        if context.inferred_type:
            _initialise(self, "_inferred_type", True)
        if context.type_candidates:
            _initialise(self, "_type_candidates", context.type_candidates)

    @property
    def is_template(self) -> bool:
        """A USM-WIF workflow template: checked, but not a provider's workflow."""
        return self._template

    @property
    def type_inferred(self) -> bool:
        """True when the catalogue type was inferred from a USM-WIF step path."""
        return self._inferred_type

    @property
    def type_candidates(self) -> tuple[str, ...]:
        """For a USM-WIF workflow without ``usm-type`` whose step walk fits
        several catalogue types equally: those types (it has no type)."""
        return self._type_candidates


class PlugsInto(UsmModel):
    """Where a practice plugs into the management system."""

    processes: list[Text] = Field(
        default_factory=list,
        description="process names (that process of every provider) or process entries "
        "(provider:process: that provider's process only)",
    )
    workflows: list[Ref] = Field(default_factory=list)


class Practice(Entity):
    """A framework practice (ITIL, DevOps, ...) plugged into processes or workflows."""

    id: Id
    name: Text | None = None
    description: Text | None = None
    framework: Text | None = None
    plugs_into: PlugsInto = Field(default_factory=PlugsInto)


class Tool(Entity):
    """A tool (ServiceNow, Jira, ...) that handles workflows."""

    id: Id
    name: Text | None = None
    description: Text | None = None
    product: Text | None = None
    used_by: list[Ref] = Field(default_factory=list)
    handles: list[Ref] = Field(default_factory=list)


class GovernanceItem(Entity):
    """A policy or constraint, enforced by processes or workflows."""

    id: Id
    name: Text | None = None
    kind: Literal["policy", "constraint"]
    statement: Text | None = None
    applies_to: list[Ref] = Field(default_factory=list)
    enforced_by: list[Ref] = Field(
        default_factory=list, description="process entries (provider:process) or workflow ids"
    )


class Indicator(UsmModel):
    """An XLA experience indicator."""

    name: Text
    service: Ref | None = None
    target: Text | int | float | None = None


class Overlay(Entity):
    """An overlay (SIAM, DVMS, XLA, ...) sitting on the management system."""

    id: Id
    name: Text | None = None
    description: Text | None = None
    kind: Literal["siam", "dvms", "xla", "other"]
    integrator: Ref | None = None
    binds_to: list[Ref] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)


class Stage(UsmModel):
    """One stage of a value stream: a service and the workflow that delivers it."""

    name: Text
    service: Ref | None = None
    workflow: Ref | None = None


class ValueStream(Entity):
    """Customer value mapped through services and workflows."""

    id: Id
    name: Text | None = None
    description: Text | None = None
    customer: Ref | None = None
    stages: list[Stage] = Field(default_factory=list)


# Section name -> entity model, in docs/format.md order. The architecture key is a
# single mapping; every other section is a list.
SECTIONS: dict[str, type[Entity]] = {
    "profiles": Profile,
    "processes": ProcessEntry,
    "services": Service,
    "agreements": Agreement,
    "workflows": Workflow,
    "practices": Practice,
    "tools": Tool,
    "governance": GovernanceItem,
    "overlays": Overlay,
    "value_streams": ValueStream,
}
TOP_LEVEL_KEYS = ("usm", "architecture", *SECTIONS)


class ArchitectureFile(UsmModel):
    """One ``*.usm.yaml`` file. Used for the published JSON Schema."""

    model_config = ConfigDict(
        title="USM architecture file",
        json_schema_extra=_allow_extensions,
    )

    usm: Literal["1"] = Field(description='the format version: "1"')
    architecture: ArchitectureInfo | None = None
    profiles: list[Profile] = Field(default_factory=list)
    processes: list[ProcessEntry] = Field(default_factory=list)
    services: list[Service] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    workflows: list[Workflow] = Field(default_factory=list)
    practices: list[Practice] = Field(default_factory=list)
    tools: list[Tool] = Field(default_factory=list)
    governance: list[GovernanceItem] = Field(default_factory=list)
    overlays: list[Overlay] = Field(default_factory=list)
    value_streams: list[ValueStream] = Field(default_factory=list)
