"""The derived indexes the rules share, typed, built once per run.

The engine builds one `Indexes` per run and hands it to every rule through
`RuleContext.indexes`; each index is built on first use, in one pass over its
section, so that every rule stays O(entities). Lookups are typed: an
``indexes.service(id)`` is a `Service` or None, never an entity of another
section to check with ``isinstance``.

Reference resolution lives here too: `references` is every reference of the
reference table (`usmctl.rules.references`), resolved once, and `resolve_any`
resolves the fields that may name an entity of any section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property

from usmctl.core.suggest import Choices
from usmctl.model.architecture import Architecture
from usmctl.model.entities import (
    SECTIONS,
    Agreement,
    Entity,
    ProcessEntry,
    Profile,
    Service,
    Tool,
    Workflow,
)
from usmctl.model.usm import canonical_process
from usmctl.rules.references import (
    ANY,
    FEEDBACK,
    MIXED,
    PROCESS,
    PROCESS_OR_WORKFLOW,
    TABLE,
    Reference,
)


class Indexes:
    """Typed lookups over one architecture; each built on first use."""

    def __init__(self, arch: Architecture) -> None:
        self.arch = arch
        self._choices: dict[tuple[str, tuple[str, ...]], Choices] = {}

    # -- entities by id ------------------------------------------------------

    @cached_property
    def profiles(self) -> dict[str, Profile]:
        """Profiles by id."""
        return {profile.id: profile for profile in self.arch.profiles}

    @cached_property
    def services(self) -> dict[str, Service]:
        """Services by id."""
        return {service.id: service for service in self.arch.services}

    @cached_property
    def agreements(self) -> dict[str, Agreement]:
        """Agreements by id."""
        return {agreement.id: agreement for agreement in self.arch.agreements}

    @cached_property
    def workflows(self) -> dict[str, Workflow]:
        """Workflows by id (templates too)."""
        return {workflow.id: workflow for workflow in self.arch.workflows}

    @cached_property
    def tools(self) -> dict[str, Tool]:
        """Tools by id."""
        return {tool.id: tool for tool in self.arch.tools}

    def profile(self, profile_id: str | None) -> Profile | None:
        """The profile with this id, or None."""
        return None if profile_id is None else self.profiles.get(profile_id)

    def service(self, service_id: str | None) -> Service | None:
        """The service with this id, or None."""
        return None if service_id is None else self.services.get(service_id)

    def agreement(self, agreement_id: str | None) -> Agreement | None:
        """The agreement with this id, or None."""
        return None if agreement_id is None else self.agreements.get(agreement_id)

    def workflow(self, workflow_id: str | None) -> Workflow | None:
        """The workflow with this id, or None."""
        return None if workflow_id is None else self.workflows.get(workflow_id)

    def tool(self, tool_id: str | None) -> Tool | None:
        """The tool with this id, or None."""
        return None if tool_id is None else self.tools.get(tool_id)

    # -- groupings -----------------------------------------------------------

    @cached_property
    def services_by_provider(self) -> dict[str, list[Service]]:
        """Services by the id of their provider."""
        index: dict[str, list[Service]] = defaultdict(list)
        for service in self.arch.services:
            index[service.provider].append(service)
        return dict(index)

    @cached_property
    def served_customers(self) -> frozenset[str]:
        """Ids of every profile listed as a customer of some service."""
        return frozenset(
            customer for service in self.arch.services for customer in service.customers
        )

    @cached_property
    def processes_by_provider(self) -> dict[str, list[ProcessEntry]]:
        """Process entries by the id of their provider, in declaration order."""
        index: dict[str, list[ProcessEntry]] = defaultdict(list)
        for entry in self.arch.processes:
            index[entry.provider].append(entry)
        return dict(index)

    @cached_property
    def workflows_by_provider(self) -> dict[str, list[Workflow]]:
        """Non-template workflows by the id of their provider."""
        index: dict[str, list[Workflow]] = defaultdict(list)
        for workflow in self.arch.workflows:
            if workflow.provider is not None and not workflow.is_template:
                index[workflow.provider].append(workflow)
        return dict(index)

    @cached_property
    def tools_by_workflow(self) -> dict[str, list[str]]:
        """Distinct tool ids per workflow id, from ``tools[].handles`` and ``workflow.tool``."""
        index: dict[str, list[str]] = defaultdict(list)
        for tool in self.arch.tools:
            for workflow_id in tool.handles:
                if tool.id not in index[workflow_id]:
                    index[workflow_id].append(tool.id)
        for workflow in self.arch.workflows:
            if workflow.tool is not None and workflow.tool not in index[workflow.id]:
                index[workflow.id].append(workflow.tool)
        return dict(index)

    @cached_property
    def agreements_listing(self) -> dict[str, list[Agreement]]:
        """Service id -> agreements whose ``services`` list it."""
        index: dict[str, list[Agreement]] = {}
        for agreement in self.arch.agreements:
            for service_id in dict.fromkeys(agreement.services):
                index.setdefault(service_id, []).append(agreement)
        return index

    @cached_property
    def agreements_between(self) -> dict[tuple[str, str], list[Agreement]]:
        """(provider, customer) -> the agreements between them."""
        index: dict[tuple[str, str], list[Agreement]] = {}
        for agreement in self.arch.agreements:
            index.setdefault((agreement.provider, agreement.customer), []).append(agreement)
        return index

    @cached_property
    def cross_provider_dependencies(
        self,
    ) -> tuple[tuple[Service, int, Service, list[Agreement]], ...]:
        """Each ``depends_on`` entry naming another provider's service (both
        providers declared), with the agreements in which that provider serves
        the depending service's provider (USM802, USM803)."""
        between = self.agreements_between
        found: list[tuple[Service, int, Service, list[Agreement]]] = []
        for service in self.arch.services:
            if self.profile(service.provider) is None:
                continue  # an unresolved provider is USM006's finding
            for index, dependency_id in enumerate(service.depends_on):
                dependency = self.service(dependency_id)
                if dependency is None or dependency.provider == service.provider:
                    continue  # inside one provider no agreement is needed
                if self.profile(dependency.provider) is None:
                    continue
                agreements = between.get((dependency.provider, service.provider), [])
                found.append((service, index, dependency, agreements))
        return tuple(found)

    @cached_property
    def governed_ids(self) -> frozenset[str]:
        """Every id some governance item applies to."""
        return frozenset(target for item in self.arch.governance for target in item.applies_to)

    @cached_property
    def improving_providers(self) -> frozenset[str]:
        """Providers whose ``improve`` process entry has inputs."""
        return frozenset(
            entry.provider
            for entry in self.arch.processes
            if entry.inputs and canonical_process(entry.process) == "improve"
        )

    @cached_property
    def referenced_ids(self) -> frozenset[str]:
        """Every id any reference field names, plus the RACI keys of every step
        and activity (USM104: a profile named nowhere)."""
        names = {reference.value for reference in self.references}
        for workflow in self.arch.workflows:
            for step in workflow.steps:  # every RACI table: steps' and activities'
                names.update(step.responsibilities)
                for activity in step.activities:
                    names.update(activity.responsibilities)
        return frozenset(names)

    # -- references ----------------------------------------------------------

    @cached_property
    def process_index(self) -> dict[str, ProcessEntry]:
        """Process entries by ``provider:process`` (canonical process names too)."""
        index: dict[str, ProcessEntry] = {}
        for entry in self.arch.processes:
            index.setdefault(entry.key, entry)
            canonical = canonical_process(entry.process)
            if canonical is not None:
                index.setdefault(f"{entry.provider}:{canonical}", entry)
        return index

    @cached_property
    def references(self) -> tuple[Reference, ...]:
        """Every reference in the architecture, resolved, shared by the rules
        that read them (USM006, USM007, USM104)."""
        return tuple(
            Reference(entity, fields, value, target_section, kinds, *target_known)
            for section, getter, _pattern, target_section, kinds in TABLE
            for entity in self.arch.section(section)
            for fields, value in getter(entity)
            if value is not None
            for target_known in (self._resolve(target_section, value),)
        )

    def resolve_process(self, value: str) -> tuple[ProcessEntry | None, bool]:
        """The process entry a ``provider:process`` reference names, and whether
        it counts as known. A process part that is no USM process counts as known:
        USM202 or USM702 report it, not USM006 (one defect, one finding)."""
        found = self._lookup_process(value)
        return found, found is not None or canonical_process(value.partition(":")[2]) is None

    def resolve_any(self, value: str) -> tuple[Entity | None, bool]:
        """An entity of any section (or a process entry) with this id; and whether
        the id is known at all (declared, even if that declaration was invalid)."""
        if ":" in value:
            found = self._lookup_process(value)
            return found, found is not None
        return self._resolve_in(SECTIONS, value)

    def choices(self, reference: Reference) -> Choices:
        """The ids a reference could have meant (for did-you-mean), indexed
        once per kind of reference."""
        key = (reference.target_section, tuple(sorted(reference.kinds or ())))
        found = self._choices.get(key)
        if found is None:
            found = self._choices[key] = Choices(self._candidates(reference))
        return found

    def _candidates(self, reference: Reference) -> list[str]:
        arch = self.arch
        if reference.target_section in (ANY, PROCESS, PROCESS_OR_WORKFLOW, FEEDBACK):
            ids = list(self.process_index)
            sections: tuple[str, ...] = {
                ANY: tuple(SECTIONS),
                PROCESS: (),
                PROCESS_OR_WORKFLOW: ("workflows",),
                FEEDBACK: ("workflows", "services"),
            }[reference.target_section]
            for section in sections:
                ids.extend(sorted(arch.known_ids.get(section, ())))
            return ids
        if reference.target_section == "profiles" and reference.kinds is not None:
            return [
                profile.id for profile in arch.profiles if profile.kind in reference.kinds
            ] or sorted(arch.known_ids.get("profiles", ()))
        return sorted(arch.known_ids.get(reference.target_section, ()))

    def _lookup_process(self, value: str) -> ProcessEntry | None:
        """The process entry ``provider:process`` names; an alias of the process
        names the same entry."""
        provider, _colon, process = value.partition(":")
        canonical = canonical_process(process)
        found = self.process_index.get(value)
        if found is None and canonical is not None:
            found = self.process_index.get(f"{provider}:{canonical}")
        return found

    def _resolve_in(self, sections: Iterable[str], value: str) -> tuple[Entity | None, bool]:
        """The first entity with this id in these sections; whether it is known."""
        arch = self.arch
        for section in sections:
            found = arch.index.get(section, {}).get(value)
            if found is not None:
                return found, True
        return None, any(value in ids for ids in arch.known_ids.values())

    def _resolve(self, section: str, value: str) -> tuple[Entity | None, bool]:
        if section == ANY:
            return self.resolve_any(value)
        if section in (PROCESS, PROCESS_OR_WORKFLOW, FEEDBACK) and ":" in value:
            return self.resolve_process(value)
        if section in MIXED:
            return self._resolve_in(MIXED[section][0], value)
        found = self.arch.index.get(section, {}).get(value)
        return found, found is not None or value in self.arch.known_ids.get(section, ())
