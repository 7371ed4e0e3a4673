"""Shared predicates and labels for the USM rules.

The derived indexes are typed members of `usmctl.rules.indexes.Indexes`
(``ctx.indexes``), built once per run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from usmctl.core.findings import quote
from usmctl.model.catalogue import collapse
from usmctl.model.entities import Activity, Entity, Profile, Step, Workflow
from usmctl.model.salvage import as_written
from usmctl.model.usm import PROCESSES, PROVIDER_KINDS
from usmctl.rules.indexes import Indexes
from usmctl.rules.references import (
    ITEM,
    PROCESS_REFERENCE_FIELDS,
    field_name,
    split_process_reference,
)

if TYPE_CHECKING:
    from usmctl.model.architecture import Architecture

Fields = tuple[str | int, ...]

ALL_PROCESSES = ", ".join(PROCESSES)


def party(profile: Profile) -> str:
    """``supplier "dev-team"``: a profile named by its kind."""
    return f"{profile.kind} {quote(profile.id)}"


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``process`` or ``processes``."""
    return singular if count == 1 else (many or f"{singular}s")


def is_running_provider(indexes: Indexes, profile: Profile) -> bool:
    """An internal provider or supplier with services: one that runs USM's
    five processes and eight workflows itself (USM201/USM306)."""
    return (
        profile.kind in PROVIDER_KINDS
        and not profile.external
        and bool(indexes.services_by_provider.get(profile.id))
    )


# Where `process_names` finds a process name: a section and a field below its
# entities (``[]``: any list item); completion offers the five processes there.
PROCESS_NAME_FIELDS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("processes", "process"),
        ("workflows", "owner_process"),
        ("workflows", "steps", ITEM, "process"),
        ("practices", "plugs_into", "processes", ITEM),
    }
)


def process_names(arch: Architecture) -> Iterator[tuple[Entity, Fields, str]]:
    """Every place a process name is expected (USM202/USM203/USM702):
    process entries, workflow owners, step processes, practices' processes."""
    for entry in arch.processes:
        yield entry, ("process",), entry.process
    for workflow in arch.workflows:
        if workflow.owner_process is not None:
            yield workflow, ("owner_process",), workflow.owner_process
        for index, step in enumerate(workflow.steps):
            yield workflow, ("steps", index, "process"), step.process
    for practice in arch.practices:
        for index, name in enumerate(practice.plugs_into.processes):
            if ":" not in name:  # provider:process: see process_reference_names
                yield practice, ("plugs_into", "processes", index), name


def process_reference_names(indexes: Indexes) -> Iterator[tuple[Entity, Fields, str, str]]:
    """Every ``provider:process`` reference that names a process (inputs,
    enforced_by, plugs_into.processes) with its process part: that part is
    checked like any process name (USM202/USM203/USM702)."""
    for reference in indexes.references:
        if reference.target_section not in PROCESS_REFERENCE_FIELDS:
            continue
        parts = split_process_reference(reference.value)
        if parts is not None:
            yield reference.entity, reference.fields, reference.value, parts[1]


class Subject:
    """How a message names a process name: ``plugs_into.processes[0] "INC"``
    or ``enforced_by[0] "acme-it:INC": "INC"``. Written when a message
    formats it, not for every name: the field path as the file has it costs
    several times the checks of the names (USM202, USM203, USM702)."""

    __slots__ = ("entity", "fields", "name", "value")

    def __init__(self, entity: Entity, fields: Fields, value: str, name: str | None) -> None:
        self.entity, self.fields, self.value, self.name = entity, fields, value, name

    def __str__(self) -> str:
        shown = f"{field_name(self.entity, self.fields)} {quote(self.value)}"
        return shown if self.name is None else f"{shown}: {quote(self.name)}"


def named_processes(indexes: Indexes) -> Iterator[tuple[Entity, Fields, str, Subject]]:
    """``process_names`` and ``process_reference_names`` together, each with
    the subject messages give it (a `Subject`, formatted on use)."""
    for entity, fields, name in process_names(indexes.arch):
        yield entity, fields, name, Subject(entity, fields, name, None)
    for entity, fields, value, name in process_reference_names(indexes):
        yield entity, fields, name, Subject(entity, fields, value, name)


def step_label(step: Step, index: int) -> str:
    """``step "Register"``: a step by name, id or position."""
    return f"step {quote(step.name or step.id or f'#{index + 1}')}"


def activity_label(activity: Activity, index: int) -> str:
    """``activity "Classify"``: an activity by name, id or position."""
    return f"activity {quote(activity.name or activity.id or f'#{index + 1}')}"


def raci_tables(
    workflow: Workflow, *, every: bool = False
) -> Iterator[tuple[Fields, dict[str, list[Any]]]]:
    """The RACI tables of a workflow with their field paths: per step, or per
    activity when the step has activities (USM-WIF puts RACI on activities).
    ``every=True`` also yields the step tables of steps with activities."""
    for step_index, step in enumerate(workflow.steps):
        if every or not step.activities:
            yield ("steps", step_index, "responsibilities"), step.responsibilities
        for activity_index, activity in enumerate(step.activities):
            yield (
                ("steps", step_index, "activities", activity_index, "responsibilities"),
                activity.responsibilities,
            )


def salvaged(entity: Entity, field: str) -> bool:
    """Whether salvage removed a field of an entity, or a value inside it (already
    reported as USM003/USM004): a rule judging that field would judge a value
    the file does not have (one defect, one finding: docs/format.md)."""
    return any(path[:1] == (field,) for path in entity.origin.removed)


def raci_owner_label(workflow: Workflow, fields: Fields) -> str:
    """``step "Register"`` or ``step "Register" activity "Classify"`` for a RACI path."""
    written = as_written(workflow, fields)  # positions as in the file, for the label
    step_index, step_position = fields[1], written[1]
    assert isinstance(step_index, int) and isinstance(step_position, int)
    step = workflow.steps[step_index]
    label = step_label(step, step_position)
    if fields[2] == "activities":
        activity_index, activity_position = fields[3], written[3]
        assert isinstance(activity_index, int) and isinstance(activity_position, int)
        label += " " + activity_label(step.activities[activity_index], activity_position)
    return label


def collapsed_path(steps: list[Step]) -> list[str] | None:
    """Canonical step processes with consecutive repeats merged; None when a
    step runs no USM process (USM202 reports that)."""
    return collapse(step.process for step in steps)


def arrow(path: Sequence[str]) -> str:
    """``recover → change``."""
    return " → ".join(path)
