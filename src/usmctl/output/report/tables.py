"""The report's matrices and tables: providers against processes and workflow
types, services, and the governance, overlay, practice, tool and value-stream
bindings. Plain text cells, or entities by name with their id (`Named`, shown
in small type); the renderers escape them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from usmctl.model.catalogue import collapse, walk
from usmctl.model.usm import PROCESSES, PROVIDER_KINDS, canonical_process
from usmctl.model.wif import ordered_steps

if TYPE_CHECKING:
    from usmctl.check.result import Indexes
    from usmctl.model.architecture import Architecture
    from usmctl.model.catalogue import Catalogue, WorkflowType
    from usmctl.model.entities import Workflow

Status = Literal["ok", "warn", "missing", "na"]


@dataclass(frozen=True)
class Named:
    """An entity as a table shows it: its name, and its id in small type
    (``id`` empty when the name is the id, or when the id names nothing
    declared and so is shown as written)."""

    name: str
    id: str = ""


@dataclass(frozen=True)
class Cell:
    """A matrix cell: a status (for colour and icon) and lines of text or
    entities by name."""

    status: Status
    lines: tuple[str | Named, ...] = ()


@dataclass(frozen=True)
class Matrix:
    """Rows of providers against columns (processes or workflow types)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Named, tuple[Cell, ...]], ...]
    note: str


Value = str | tuple[Named, ...]
"""A table cell: text, or entities in order (``()`` is never a cell: an
empty list is a text such as "none")."""


@dataclass(frozen=True)
class Table:
    """A plain table of text cells and entity names."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    empty: str


class Names:
    """Entity id -> how the tables show it, over every section (the first
    entity declared with an id wins when sections share one)."""

    def __init__(self, arch: Architecture) -> None:
        self._names: dict[str, str] = {}
        for _section, entity in arch.all_entities():
            entity_id = getattr(entity, "id", None)
            if isinstance(entity_id, str) and entity_id:
                self._names.setdefault(entity_id, getattr(entity, "name", None) or entity_id)

    def one(self, entity_id: str) -> Named:
        name = self._names.get(entity_id)
        if name is None or name == entity_id:
            return Named(entity_id)
        return Named(name, entity_id)

    def all(self, entity_ids: Iterable[str], empty: str) -> Value:
        """The entities by name, or ``empty`` when there are none."""
        named = tuple(self.one(entity_id) for entity_id in entity_ids if entity_id)
        return named or empty


def _providers(arch: Architecture) -> list[tuple[str, str, bool]]:
    """(id, shown name, external) of every provider and supplier, in file order."""
    return [
        (profile.id, profile.name or profile.id, profile.external)
        for profile in arch.profiles
        if profile.kind in PROVIDER_KINDS
    ]


def process_matrix(indexes: Indexes) -> Matrix:
    """Providers against the five processes: owner and practices plugged in."""
    arch = indexes.arch
    entries: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entry in arch.processes:
        canonical = canonical_process(entry.process)
        if canonical is not None:
            owner = indexes.profile(entry.owner)
            shown = (owner.name or owner.id) if owner is not None else entry.owner
            entries[(entry.provider, canonical)].append(shown or "")
    plugged_in = _practices_by_process(indexes)
    rows = []
    for provider, shown, external in _providers(arch):
        cells = []
        for process in PROCESSES:
            owners = entries.get((provider, process))
            practices = sorted(
                plugged_in.get((provider, process), set()) | plugged_in[("", process)]
            )
            plugged = tuple(f"practice: {name}" for name in practices)
            if owners is None:
                if external:
                    cells.append(Cell("na", ("outside only",)))
                else:
                    cells.append(Cell("missing", ("not declared",)))
            elif all(owner == "" for owner in owners):
                cells.append(Cell("warn", ("no owner", *plugged)))
            else:
                shown_owners = tuple(f"owner: {owner}" for owner in owners if owner)
                status: Status = "warn" if len(owners) > 1 else "ok"
                cells.append(Cell(status, (*shown_owners, *plugged)))
        rows.append((row_label(shown, provider, external), tuple(cells)))
    return Matrix(
        title="Provider × process",
        columns=PROCESSES,
        rows=tuple(rows),
        note="Each provider link runs the same five processes; an external supplier is "
        "specified only from the outside.",
    )


def _practices_by_process(indexes: Indexes) -> defaultdict[tuple[str, str], set[str]]:
    """Practice names by (provider, canonical process) they plug into: a
    ``provider:process`` entry or a workflow ties a practice to that provider
    only; a bare process name (provider "") means every provider that runs it."""
    plugged: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for practice in indexes.arch.practices:
        shown = practice.name or practice.id
        for item in practice.plugs_into.processes:
            provider, colon, process = item.rpartition(":")
            canonical = canonical_process(process)
            if canonical is not None and (provider or not colon):
                plugged[(provider, canonical)].add(shown)
        for item in practice.plugs_into.workflows:
            workflow = indexes.workflow(item)
            if workflow is None or workflow.provider is None:
                continue
            canonical = canonical_process(workflow.owner_process or "")
            if canonical is not None:
                plugged[(workflow.provider, canonical)].add(shown)
    return plugged


def row_label(shown: str, entity_id: str, external: bool) -> Named:
    label = f"{shown}, external" if external else shown
    return Named(label, "" if shown == entity_id else entity_id)


def workflow_verdict(workflow: Workflow, workflow_type: WorkflowType) -> str:
    """``closed`` when the steps are a nested walk of the type's chain (the
    test of USM303/USM304) and end in its owning process (USM312); else what
    is wrong: ``not closed``, ``path deviates`` or ``no steps``."""
    sequence = collapse(step.process for step in ordered_steps(workflow))
    if not sequence:
        return "no steps" if not workflow.steps else "path deviates"
    if walk(sequence, workflow_type.chain).verdict != "follows":
        return "path deviates"
    return "closed" if sequence[-1] == workflow_type.entry else "not closed"


def workflow_matrix(indexes: Indexes, catalogue: Catalogue) -> Matrix:
    """Providers against the catalogue's workflow types: present, path ok, tool."""
    arch = indexes.arch
    rows = []
    for provider, shown, external in _providers(arch):
        cells = []
        for workflow_type in catalogue.types:
            workflows = [
                workflow
                for workflow in indexes.workflows_by_provider.get(provider, ())
                if workflow.type == workflow_type.id
            ]
            if not workflows:
                if external:
                    cells.append(Cell("na", ("outside only",)))
                else:
                    cells.append(Cell("missing", ("missing",)))
                continue
            lines: list[str | Named] = []
            status: Status = "ok"
            for workflow in workflows:
                path_ok = workflow_verdict(workflow, workflow_type) in ("closed", "not closed")
                tools = sorted(
                    {
                        _tool_name(indexes, tool_id)
                        for tool_id in indexes.tools_by_workflow.get(workflow.id, ())
                        if tool_id  # ``tool: ""`` names no tool
                    }
                )
                lines.append(_workflow_named(workflow))
                lines.append("path ok" if path_ok else "path deviates")
                lines.append(f"tool: {', '.join(tools)}" if tools else "no tool")
                if not path_ok or not tools:
                    status = "warn"
            cells.append(Cell(status, tuple(lines)))
        rows.append((row_label(shown, provider, external), tuple(cells)))
    return Matrix(
        title="Provider × catalogue workflow",
        columns=catalogue.ids,
        rows=tuple(rows),
        note="Present: a workflow of the type; path ok: its steps are a nested walk of "
        "the type's catalogue chain; tool: the tool that handles it.",
    )


def _workflow_named(workflow: Workflow) -> Named:
    """A workflow by its name with its id in small type; by its id without a name."""
    if not workflow.name or workflow.name == workflow.id:
        return Named(workflow.id)
    return Named(workflow.name, workflow.id)


def _tool_name(indexes: Indexes, tool_id: str) -> str:
    """A tool as the matrix shows it: its product, name or id; an undeclared
    tool by the id the workflow names."""
    tool = indexes.tool(tool_id)
    return (tool.product or tool.name or tool.id) if tool is not None else tool_id


def _join(items: Iterable[str]) -> str:
    return ", ".join(items)


def services_table(indexes: Indexes) -> Table:
    """Every service: provider, facility, support, agreement, customers."""
    names = Names(indexes.arch)
    rows: list[tuple[Value, ...]] = []
    for service in indexes.arch.services:
        facility = service.facility.description if service.facility else None
        support = service.support
        support_text = support.description if support else None
        if support is not None and support.hours:
            support_text = f"{support_text or 'no description'} ({support.hours})"
        agreement = indexes.agreement(service.agreement)
        agreement_shown: Value = names.all([service.agreement or ""], "none")
        if agreement is not None:
            shown = names.one(agreement.id)
            agreement_shown = (Named(f"{shown.name} ({agreement.kind})", shown.id),)
        rows.append(
            (
                (names.one(service.id),),
                names.all([service.provider], "none"),
                facility or "missing",
                support_text or "missing",
                agreement_shown,
                names.all(service.customers, "none"),
            )
        )
    return Table(
        title="Services",
        columns=("service", "provider", "facility", "support", "agreement", "customers"),
        rows=tuple(rows),
        empty="No services are declared.",
    )


def bindings(arch: Architecture) -> tuple[Table, ...]:
    """Governance, overlays, practices, tools and value streams."""
    names = Names(arch)
    governance = Table(
        title="Governance",
        columns=("item", "kind", "statement", "applies to", "enforced by"),
        rows=tuple(
            (
                (names.one(item.id),),
                item.kind,
                item.statement or "",
                names.all(item.applies_to, "nothing"),
                names.all(item.enforced_by, "nothing: not enforced"),
            )
            for item in arch.governance
        ),
        empty="No governance items are declared.",
    )
    overlays = Table(
        title="Overlays",
        columns=("overlay", "kind", "integrator", "binds to", "indicators"),
        rows=tuple(
            (
                (names.one(overlay.id),),
                overlay.kind,
                names.all([overlay.integrator or ""], ""),
                names.all(overlay.binds_to, "nothing"),
                _join(
                    f"{indicator.name}"
                    + (f" on {indicator.service}" if indicator.service else "")
                    + (f" (target {indicator.target})" if indicator.target is not None else "")
                    for indicator in overlay.indicators
                ),
            )
            for overlay in arch.overlays
        ),
        empty="No overlays are declared.",
    )
    practices = Table(
        title="Practices",
        columns=("practice", "framework", "processes", "workflows"),
        rows=tuple(
            (
                (names.one(practice.id),),
                practice.framework or "",
                _join(practice.plugs_into.processes) or "none",
                names.all(practice.plugs_into.workflows, "none"),
            )
            for practice in arch.practices
        ),
        empty="No practices are declared.",
    )
    tools = Table(
        title="Tools",
        columns=("tool", "product", "used by", "handles"),
        rows=tuple(
            (
                (names.one(tool.id),),
                tool.product or "",
                names.all(tool.used_by, "nobody"),
                names.all(tool.handles, "no workflow"),
            )
            for tool in arch.tools
        ),
        empty="No tools are declared.",
    )
    value_streams = Table(
        title="Value streams",
        columns=("value stream", "customer", "stages"),
        rows=tuple(
            (
                (names.one(stream.id),),
                names.all([stream.customer or ""], ""),
                " → ".join(
                    stage.name
                    + (
                        f" ({_join(part for part in (stage.service, stage.workflow) if part)})"
                        if stage.service or stage.workflow
                        else ""
                    )
                    for stage in stream.stages
                ),
            )
            for stream in arch.value_streams
        ),
        empty="No value streams are declared.",
    )
    return (governance, overlays, practices, tools, value_streams)
