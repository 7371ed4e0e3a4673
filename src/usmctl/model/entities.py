"""Pydantic models of an architecture file (docs/format.md). No I/O here.

Models are strict (a YAML 1.1 boolean or number where a string is expected is
an error, never coerced) and closed (unknown keys are errors), except keys
starting with ``x-``, which are extensions: kept in the raw data, ignored here.
Semantic gaps (a service without support, a workflow without owning process)
are *not* schema errors: the fields are optional and the USM rules report them.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterable, Iterator, Mapping
from typing import Annotated, Any, Literal, NamedTuple, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Ref = str
Text = str
Raci = Literal["R", "A", "C", "I"]
ProfileKind = Literal["customer", "provider", "supplier", "operator"]
RequestType = Literal["wish", "request-for-change", "service-request", "incident"]


EXTENSION = (
    "An extension: a key starting with `x-` is kept and never reported; custom rules may check "
    "it. Example: `x-owner: jane.doe`."
)


def _empty_list() -> list[Any]:
    """A field's default: an empty list (a function, not ``list``: pydantic
    reads a default factory's signature while it builds a model's validator,
    and a built-in's costs 0.15 ms, 4 ms of a cold start over the models)."""
    return []


def _empty_dict() -> dict[str, Any]:
    """A field's default: an empty mapping (see `_empty_list`)."""
    return {}


def _allow_extensions(schema: dict[str, Any]) -> None:
    schema["patternProperties"] = {"^x-": {"description": EXTENSION}}


class UsmModel(BaseModel):
    """Base: strict, closed, frozen; ``x-`` keys dropped before validation."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra=_allow_extensions,
        defer_build=True,
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

    An entity takes its origin from here while it is validated (an after
    validator), the one time its private state is set: a list validated in one
    call takes one origin per entity, in order.
    """

    __slots__ = ("fields_sets", "inferred_type", "origins", "template", "type_candidates")

    def __init__(
        self,
        origins: Iterable[Origin],
        *,
        template: bool = False,
        inferred_type: bool = False,
        type_candidates: tuple[str, ...] = (),
        fields_sets: dict[frozenset[str], set[str]] | None = None,
    ) -> None:
        self.origins: Iterator[Origin] = iter(origins)
        self.template = template
        self.inferred_type = inferred_type
        self.type_candidates = type_candidates
        # One set of given field names per distinct set (`Entity._take_origin`):
        # a builder passes one for all its files.
        self.fields_sets = {} if fields_sets is None else fields_sets


# Sets a private attribute, for the after validators below only, while an
# entity is validated: pydantic's own ``__setattr__``, which `Entity.__setattr__`
# refuses to private names once the entity is built.
_initialise = BaseModel.__setattr__


class Entity(UsmModel):
    """Anything declared in a section list; knows its origin once built.

    Frozen means frozen: pydantic's ``frozen`` refuses assigning a field, and
    this refuses assigning a private attribute, which pydantic would allow.
    Private state is set only while the entity is validated, from `Declared`.
    """

    _origin: Origin | None = PrivateAttr(default=None)

    # An after validator, not model_post_init: pydantic wraps a model_post_init
    # once more in every subclass, calls per entity on the hottest path.
    @model_validator(mode="after")
    def _take_origin(self, info: ValidationInfo) -> Self:
        """Take the entity's origin from the builder's validation context."""
        context = info.context
        if isinstance(context, Declared):
            _initialise(self, "_origin", next(context.origins))
            # pydantic keeps a set of the fields given per model instance
            # (`model_fields_set`): at 10k services 42,000 sets, 15 MB, of 22
            # distinct values. The entity and the models in its fields (frozen,
            # validated in this call) share one set per value instead.
            _share_fields_sets(self, context.fields_sets)
        return self

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


# Writes pydantic's slot of the fields given (`model_fields_set`), for
# `_share_fields_sets` only, while an entity is validated (`Entity._take_origin`):
# pydantic's ``__setattr__`` takes its slow path for the slot, 80 ms at 10k services.
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__


def _share_fields_sets(model: BaseModel, shared: dict[frozenset[str], set[str]]) -> None:
    """Give ``model`` and the models in its fields (``facility``, ``steps``)
    the one set in ``shared`` equal to its set of fields given."""
    fields = model.__pydantic_fields_set__
    one = shared.setdefault(frozenset(fields), fields)
    if one is not fields:
        _set_fields_set(model, one)
    nested = _nested_fields(type(model))
    if not nested:
        return
    values = model.__dict__
    for name in nested:
        value = values.get(name)
        if isinstance(value, BaseModel):
            _share_fields_sets(value, shared)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    _share_fields_sets(item, shared)


@functools.cache
def _nested_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` whose type names a model."""
    return tuple(
        name for name, field in model.model_fields.items() if _names_model(field.annotation)
    )


def _names_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_names_model(argument) for argument in typing.get_args(annotation))


class ArchitectureInfo(Entity):
    """The architecture's own identity: `id`, `name`, `domain`, `description`; in at
    most one file of the architecture."""

    id: Id = Field(
        description="The architecture's id: lower case letters, digits, `.`, `_` and `-`. Example: "
        "`acme`."
    )
    name: Text | None = Field(
        default=None,
        description="The architecture's name, for people. Example: `ACME Shared Services`.",
    )
    domain: Text | None = Field(
        default=None,
        description="The domain the services serve, free text: `it`, `hr`, `facilities`, "
        "`healthcare`, …. USM applies to any domain. Example: `it`.",
    )
    description: Text | None = Field(
        default=None, description="What the architecture covers, in a sentence or two."
    )


class Profile(Entity):
    """A party (customer, provider, supplier) or an operator profile."""

    id: Id = Field(
        description="The profile's id, unique among profiles; other entities name the profile by "
        "it. Example: `acme-it`."
    )
    kind: ProfileKind = Field(
        description="A party, `customer`, `provider` or `supplier` (a supplier is a provider seen "
        "from its customer), or an `operator`: a role or position inside one provider that "
        "workflow steps assign through RACI. Example: `provider`."
    )
    name: Text | None = Field(
        default=None, description="The profile's name, for people. Example: `ACME IT department`."
    )
    description: Text | None = Field(default=None, description="Who or what the profile is.")
    external: bool = Field(
        default=False,
        description="`true` for a party outside the organisation: its agreements are contracts, "
        "and its own processes and workflows are its business, not checked. Default `false`. "
        "Example: `true`.",
    )
    of: Ref | None = Field(
        default=None,
        description="Operators only: the provider or supplier profile the operator works for. "
        "Example: `acme-it`.",
    )


class ProcessEntry(Entity):
    """How one provider runs one of the five USM processes."""

    provider: Ref = Field(
        description="The provider or supplier profile that runs the process. Example: `acme-it`."
    )
    process: Text = Field(
        description="One of the five USM processes: `agree`, `change`, `recover`, `operate` or "
        "`improve` (an alias such as `incident-management` is accepted with a warning). Each "
        "provider runs each process once. Example: `recover`."
    )
    owner: Ref | None = Field(
        default=None,
        description="The operator profile, of the same provider, who owns the process. Example: "
        "`service-manager`.",
    )
    inputs: list[Ref] = Field(
        default_factory=_empty_list,
        description="The feedback the process learns from, meaningful for `improve`: workflow ids, "
        "process entries (`provider:process`) or service ids. Example: `[wf-incident, "
        "acme-it:recover]`.",
    )
    description: Text | None = Field(
        default=None, description="How this provider runs the process."
    )

    @property
    def key(self) -> str:
        """The ``provider:process`` name other entities refer to it by."""
        return f"{self.provider}:{self.process}"


class Facility(UsmModel):
    """The facility of a service: what is made available for use, in words, goods and
    actions. In USM a service is a supported facility."""

    description: Text | None = Field(
        default=None,
        description="What is made available for use, in words (a placeholder such as `TBD` is "
        "reported). Example: `Laptops, office suite and accounts ready for use`.",
    )
    goods: list[Text] = Field(
        default_factory=_empty_list,
        description="The goods made available for use. Example: `[laptop, office-suite]`.",
    )
    actions: list[Text] = Field(
        default_factory=_empty_list,
        description="The actions performed for the users. Example: `[account-provisioning]`.",
    )


class Support(UsmModel):
    """The support of a service: help to users while they use the facility, in words,
    hours and channels. In USM a service is a supported facility."""

    description: Text | None = Field(
        default=None,
        description="The help users get while they use the facility, in words (a placeholder such "
        "as `TBD` is reported). Example: `Help with the use of the workplace`.",
    )
    hours: Text | None = Field(
        default=None,
        description='When support is available, free text; quote times (`"08:00"`). Example: '
        '`"Mon-Fri 08:00-18:00"`.',
    )
    channels: list[Text] = Field(
        default_factory=_empty_list,
        description="How users reach support. Example: `[portal, phone]`.",
    )


class Service(Entity):
    """A supported facility delivered by a provider under an agreement."""

    id: Id = Field(description="The service's id, unique among services. Example: `workplace`.")
    name: Text | None = Field(
        default=None, description="The service's name, for people. Example: `Digital workplace`."
    )
    description: Text | None = Field(
        default=None, description="What the service is for, in a sentence or two."
    )
    provider: Ref = Field(
        description="The provider or supplier profile that delivers the service. Example: "
        "`acme-it`."
    )
    customers: list[Ref] = Field(
        default_factory=_empty_list,
        description="The parties the service is delivered to: customer, provider or supplier "
        "profiles (a provider is the customer of its suppliers). Example: `[acme-business]`.",
    )
    agreement: Ref | None = Field(
        default=None,
        description="The agreement the service runs under; the agreement lists the service in its "
        "`services`. Example: `sa-workplace`.",
    )
    facility: Facility | None = Field(
        default=None,
        description="The facility: what is made available for use, with `description`, `goods` and "
        "`actions`. In USM a service is a supported facility, so every service has one.",
    )
    support: Support | None = Field(
        default=None,
        description="The support: help to users while they use the facility, with `description`, "
        "`hours` and `channels`. In USM a service is a supported facility, so every service has "
        "one.",
    )
    depends_on: list[Ref] = Field(
        default_factory=_empty_list,
        description="The services this one is built on, often a supplier's: each makes this "
        "service's provider a customer of that service's provider, a link in the supply chain. "
        "Example: `[cloud-hosting]`.",
    )


class Agreement(Entity):
    """The agreement (or, with an external party, contract) a service runs under."""

    id: Id = Field(
        description="The agreement's id, unique among agreements. Example: `sa-workplace`."
    )
    name: Text | None = Field(
        default=None,
        description="The agreement's name, for people. Example: `Workplace service agreement`.",
    )
    description: Text | None = Field(
        default=None, description="What the agreement covers, in a sentence or two."
    )
    kind: Literal["agreement", "contract"] = Field(
        default="agreement",
        description="`agreement` (the default) or `contract`: an agreement with legal and "
        "financial consequences, between businesses, as with an external supplier. Example: "
        "`contract`.",
    )
    provider: Ref = Field(
        description="The provider or supplier profile that delivers under the agreement. Example: "
        "`acme-it`."
    )
    customer: Ref = Field(
        description="The party the services are delivered to: a customer, provider or supplier "
        "profile. Example: `acme-business`."
    )
    services: list[Ref] = Field(
        default_factory=_empty_list,
        description="The services the agreement covers. Example: `[workplace]`.",
    )
    request_types: list[RequestType] = Field(
        default_factory=_empty_list,
        description="The customer request types the agreement accepts, each entering one process: "
        "`wish` (agree), `request-for-change` (change), `service-request` (operate), `incident` "
        "(recover). The four are the standard interface of every provider, so list all four. "
        "Example: `[wish, request-for-change, service-request, incident]`.",
    )


class Activity(UsmModel):
    """A USM-WIF activity inside a step, with its RACI."""

    id: Text | None = Field(
        default=None,
        description="The activity's id within its step (USM-WIF). Example: `classify`.",
    )
    name: Text | None = Field(
        default=None,
        description="What the activity does, for people. Example: `Classify the call`.",
    )
    description: Text | None = Field(default=None, description="The activity in a sentence or two.")
    sort_index: int | None = Field(
        default=None,
        ge=0,
        description="The activity's position within its step: a whole number, 0 or more. Example: "
        "`2`.",
    )
    responsibilities: dict[Ref, list[Raci]] = Field(
        default_factory=_empty_dict,
        description="RACI: each operator profile (of the workflow's provider) with its letters, "
        "`R` responsible, `A` accountable, `C` consulted, `I` informed; exactly one `A` and at "
        "least one `R`. Example: `{desk-agent: [R, A], service-manager: [C]}`.",
    )


class Step(UsmModel):
    """One step of a workflow, run by one process."""

    id: Text | None = Field(
        default=None, description="The step's id within its workflow. Example: `register`."
    )
    name: Text | None = Field(
        default=None,
        description="What the step does, for people. Example: `Register and classify`.",
    )
    description: Text | None = Field(default=None, description="The step in a sentence or two.")
    sort_index: int | None = Field(
        default=None,
        ge=0,
        description="The step's position in the workflow: a whole number, 0 or more; when every "
        "step has one, the steps are ordered by it, else as written. Example: `1`.",
    )
    process: Text = Field(
        description="The USM process that runs the step: `agree`, `change`, `recover`, `operate` "
        "or `improve` (or an alias). The steps' processes walk the chain of the workflow's type: "
        "handed down, returned up, ending in the owning process. Example: `recover`."
    )
    responsibilities: dict[Ref, list[Raci]] = Field(
        default_factory=_empty_dict,
        description="RACI: each operator profile (of the workflow's provider) with its letters, "
        "`R` responsible, `A` accountable, `C` consulted, `I` informed; exactly one `A` and at "
        "least one `R`. Example: `{desk-agent: [R, A], service-manager: [C]}`.",
    )
    activities: list[Activity] = Field(
        default_factory=_empty_list,
        description="The step's activities, each with its own RACI, as in USM-WIF: `id`, `name`, "
        "`description`, `sort_index`, `responsibilities`.",
    )


class Workflow(Entity):
    """A workflow of a catalogue type, owned by one process of one provider."""

    id: Id = Field(description="The workflow's id, unique among workflows. Example: `wf-incident`.")
    name: Text | None = Field(
        default=None,
        description="The workflow's name, for people. Example: `Restore the workplace`.",
    )
    description: Text | None = Field(
        default=None, description="What the workflow handles, in a sentence or two."
    )
    provider: Ref | None = Field(
        default=None,
        description="The provider or supplier profile whose workflow this is. Example: `acme-it`.",
    )
    type: Text | None = Field(
        default=None,
        description="The workflow type from the catalogue. The built-in one has eight: reactive "
        "`wish`, `request-for-change`, `service-request`, `incident`, `incident-with-change` (a "
        "customer request starts them) and proactive `improvement-via-agreement`, "
        "`improvement-via-change`, `improvement-via-operation` (a risk: the provider starts them). "
        "Example: `incident`.",
    )
    owner_process: Text | None = Field(
        default=None,
        description="The process that owns the workflow: the process its trigger enters, which is "
        "the first process of its type's chain; one of `agree`, `change`, `recover`, `operate` or "
        "`improve`. Example: `recover`.",
    )
    dynamicity: Literal["static", "dynamic"] | None = Field(
        default=None,
        description="`static` (the path of steps is fixed) or `dynamic` (the path is decided at "
        "the fork step), as in USM-WIF. Example: `static`.",
    )
    tool: Ref | None = Field(
        default=None, description="The tool that handles the workflow. Example: `servicenow`."
    )
    steps: list[Step] = Field(
        default_factory=_empty_list,
        description="The steps in order, each run by one process, with its RACI: `name`, "
        "`process`, `responsibilities`, and optionally `id`, `description`, `sort_index`, "
        "`activities`.",
    )

    _template: bool = PrivateAttr(default=False)
    _inferred_type: bool = PrivateAttr(default=False)
    _type_candidates: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="after")
    def _take_wif_facts(self, info: ValidationInfo) -> Self:
        """For USM-WIF, take what the builder found from its validation context."""
        context = info.context
        if not isinstance(context, Declared):
            return self
        if context.template:  # the defaults otherwise: a workflow of a YAML file
            _initialise(self, "_template", True)
        if context.inferred_type:
            _initialise(self, "_inferred_type", True)
        if context.type_candidates:
            _initialise(self, "_type_candidates", context.type_candidates)
        return self

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
        default_factory=_empty_list,
        description="Process names (that process of every provider) or process entries "
        "(`provider:process`: that provider's process only). Example: `[recover, acme-it:change]`.",
    )
    workflows: list[Ref] = Field(
        default_factory=_empty_list,
        description="The workflows the practice plugs into. Example: `[wf-incident]`.",
    )


class Practice(Entity):
    """A framework practice (ITIL 4, DevOps, …) plugged into processes or workflows."""

    id: Id = Field(
        description="The practice's id, unique among practices. Example: `itil-incident`."
    )
    name: Text | None = Field(
        default=None,
        description="The practice's name, for people. Example: `ITIL 4 Incident management`.",
    )
    description: Text | None = Field(
        default=None, description="What the practice brings, in a sentence or two."
    )
    framework: Text | None = Field(
        default=None,
        description="The framework the practice comes from, free text: ITIL 4, DevOps, Agile, "
        "SAFe, Lean, COBIT, …. Example: `ITIL 4`.",
    )
    plugs_into: PlugsInto = Field(
        default_factory=PlugsInto,
        description="Where the practice plugs into the management system: `processes` and "
        "`workflows`. A practice is never a process itself. Example: `{processes: [recover], "
        "workflows: [wf-incident]}`.",
    )


class Tool(Entity):
    """A tool (ServiceNow, Jira, …) that handles workflows."""

    id: Id = Field(description="The tool's id, unique among tools. Example: `servicenow`.")
    name: Text | None = Field(
        default=None, description="The tool's name, for people. Example: `ServiceNow ITSM`."
    )
    description: Text | None = Field(
        default=None, description="What the tool is used for, in a sentence or two."
    )
    product: Text | None = Field(
        default=None,
        description="The product, free text: ServiceNow, Jira, GitLab, TOPdesk, Freshdesk, …. "
        "Example: `ServiceNow`.",
    )
    used_by: list[Ref] = Field(
        default_factory=_empty_list,
        description="The providers or suppliers that use the tool. Example: `[acme-it]`.",
    )
    handles: list[Ref] = Field(
        default_factory=_empty_list,
        description="The workflows the tool handles. Example: `[wf-incident]`.",
    )


class GovernanceItem(Entity):
    """A policy or constraint, enforced by processes or workflows."""

    id: Id = Field(
        description="The item's id, unique among governance items. Example: `pol-data-residency`."
    )
    name: Text | None = Field(
        default=None, description="The item's name, for people. Example: `Data residency`."
    )
    kind: Literal["policy", "constraint"] = Field(
        description="`policy` or `constraint`. Example: `policy`."
    )
    statement: Text | None = Field(
        default=None,
        description="What the policy or constraint says. Example: `Customer data stays in the EU`.",
    )
    applies_to: list[Ref] = Field(
        default_factory=_empty_list,
        description="What the item applies to: any ids (services, profiles, workflows, …). "
        "Example: `[workplace]`.",
    )
    enforced_by: list[Ref] = Field(
        default_factory=_empty_list,
        description="The process entries (`provider:process`) or workflows that enforce the item; "
        "without them governance is only a suggestion. Example: `[acme-it:change, wf-incident]`.",
    )


class Indicator(UsmModel):
    """An XLA experience indicator: a named measure of a service, with a target."""

    name: Text = Field(
        description="The indicator's name. Example: `Employee satisfaction with the workplace`."
    )
    service: Ref | None = Field(
        default=None,
        description="The service the indicator measures, one the overlay binds to. Example: "
        "`workplace`.",
    )
    target: Text | int | float | None = Field(
        default=None,
        description='The target value, a number or text. Example: `8` or `">= 8 of 10"`.',
    )


class Overlay(Entity):
    """An overlay (SIAM, DVMS, XLA, …) sitting on the management system."""

    id: Id = Field(description="The overlay's id, unique among overlays. Example: `siam`.")
    name: Text | None = Field(
        default=None,
        description="The overlay's name, for people. Example: `Multi-supplier integration`.",
    )
    description: Text | None = Field(
        default=None, description="What the overlay adds, in a sentence or two."
    )
    kind: Literal["siam", "dvms", "xla", "other"] = Field(
        description="`siam` (service integration and management across suppliers), `dvms` (digital "
        "value management system), `xla` (experience level agreements) or `other`. Example: "
        "`siam`."
    )
    integrator: Ref | None = Field(
        default=None,
        description="SIAM: the internal provider that integrates the suppliers. Example: "
        "`acme-it`.",
    )
    binds_to: list[Ref] = Field(
        default_factory=_empty_list,
        description="What the overlay binds to: any ids (profiles, services, workflows, …). "
        "Example: `[acme-it, cloudco]`.",
    )
    indicators: list[Indicator] = Field(
        default_factory=_empty_list,
        description="XLA: the experience indicators, each with `name`, `service` and `target`. "
        "Example: `[{name: Workplace satisfaction, service: workplace, target: 8}]`.",
    )


class Stage(UsmModel):
    """One stage of a value stream: a service and the workflow that delivers it."""

    name: Text = Field(description="The stage's name. Example: `Request`.")
    service: Ref | None = Field(
        default=None,
        description="The service delivered to the value stream's customer at this stage. Example: "
        "`workplace`.",
    )
    workflow: Ref | None = Field(
        default=None,
        description="The workflow, of the service's provider, that delivers the stage. Example: "
        "`wf-service-request`.",
    )


class ValueStream(Entity):
    """Customer value mapped through services and workflows."""

    id: Id = Field(
        description="The value stream's id, unique among value streams. Example: `vs-onboarding`."
    )
    name: Text | None = Field(
        default=None,
        description="The value stream's name, for people. Example: `Onboard a new employee`.",
    )
    description: Text | None = Field(
        default=None, description="The value the customer gets, in a sentence or two."
    )
    customer: Ref | None = Field(
        default=None,
        description="The party whose value the stream maps: a customer, provider or supplier "
        "profile. Example: `acme-business`.",
    )
    stages: list[Stage] = Field(
        default_factory=_empty_list,
        description="The stages in order, each with `name`, `service` and `workflow`.",
    )


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
    """A USM architecture file (`*.usm.yaml`): the format version and any of the sections;
    the sections of all the files of an architecture are merged into one."""

    model_config = ConfigDict(
        title="USM architecture file",
        json_schema_extra=_allow_extensions,
    )

    usm: Literal["1"] = Field(
        title="Format version",
        description='The version of the file format: `"1"`, a string (quote it). Every YAML file '
        'carries it. Example: `usm: "1"`.',
    )
    architecture: ArchitectureInfo | None = Field(
        default=None,
        title="Architecture",
        description="The architecture's own identity: `id`, `name`, `domain`, `description`. In at "
        "most one file of the architecture.",
    )
    profiles: list[Profile] = Field(
        default_factory=_empty_list,
        title="Profiles",
        description="The parties (customers, providers, suppliers) and the operators: roles inside "
        "a provider that workflow steps assign through RACI.",
    )
    processes: list[ProcessEntry] = Field(
        default_factory=_empty_list,
        title="Processes",
        description="How each provider runs the five USM processes, agree, change, recover, "
        "operate and improve: one entry per provider and process, named `provider:process`.",
    )
    services: list[Service] = Field(
        default_factory=_empty_list,
        title="Services",
        description="The services: supported facilities, each delivered by a provider to its "
        "customers under an agreement.",
    )
    agreements: list[Agreement] = Field(
        default_factory=_empty_list,
        title="Agreements",
        description="The agreements, or contracts, between a provider and a customer: the services "
        "they cover and the request types they accept.",
    )
    workflows: list[Workflow] = Field(
        default_factory=_empty_list,
        title="Workflows",
        description="The workflows: each of a catalogue type, owned by one process of one "
        "provider, with steps that assign operators through RACI.",
    )
    practices: list[Practice] = Field(
        default_factory=_empty_list,
        title="Practices",
        description="Framework practices (ITIL 4, DevOps, Agile, SAFe, …) and the processes and "
        "workflows they plug into.",
    )
    tools: list[Tool] = Field(
        default_factory=_empty_list,
        title="Tools",
        description="The tools (ServiceNow, Jira, GitLab, …), who uses them and the workflows they "
        "handle.",
    )
    governance: list[GovernanceItem] = Field(
        default_factory=_empty_list,
        title="Governance",
        description="Policies and constraints: what they apply to and the processes or workflows "
        "that enforce them.",
    )
    overlays: list[Overlay] = Field(
        default_factory=_empty_list,
        title="Overlays",
        description="Overlays on the management system: SIAM, DVMS, XLA or other, and what they "
        "bind to.",
    )
    value_streams: list[ValueStream] = Field(
        default_factory=_empty_list,
        title="Value streams",
        description="Customer value mapped through stages, each a service and the workflow that "
        "delivers it.",
    )
