"""USM301–USM311: workflows against the catalogue, and their RACI (SPEC §1
Eight workflows and USM-WIF, §3)."""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.architecture import ordered_steps, suggest
from usmctl.catalogue import WorkflowType
from usmctl.findings import Severity, Violation, quote
from usmctl.model import Workflow
from usmctl.rules.base import Rule, RuleContext, describe
from usmctl.rules.helpers import (
    Fields,
    arrow,
    collapsed_path,
    is_running_provider,
    party,
    plural,
    raci_owner_label,
    raci_tables,
    steps_salvaged,
    tools_by_workflow,
    workflows_by_provider,
)
from usmctl.usm import canonical_process


def _catalogue_type(ctx: RuleContext, workflow: Workflow) -> WorkflowType | None:
    return ctx.catalogue.get(workflow.type) if workflow.type is not None else None


def _is_wif(workflow: Workflow) -> bool:
    # USM-WIF workflows are the ones read through the USM-WIF key map.
    return workflow.origin.key_map is not None


def _entry_mismatch(ctx: RuleContext, workflow: Workflow) -> tuple[int, str, WorkflowType] | None:
    """(step index, first process, type) when the first step does not run the
    catalogue entry process (USM303); None when it does or cannot be judged."""
    workflow_type = _catalogue_type(ctx, workflow)
    steps = ordered_steps(workflow)
    if workflow_type is None or not steps or steps_salvaged(workflow):
        return None
    first = canonical_process(steps[0].process)
    if first is None or first == workflow_type.entry:
        return None
    index = next(i for i, step in enumerate(workflow.steps) if step is steps[0])
    return index, first, workflow_type


class WorkflowWithoutOwningProcess(Rule):
    """A workflow has no ``owner_process``.

    Rationale:
        Every USM workflow is owned by one of the five processes: the process
        its trigger enters, which answers for the workflow from request to
        result (SPEC §1, Eight workflows).

    Remediation:
        Set ``owner_process`` to the catalogue entry process of the
        workflow's type.

    Bad:
        usm: "1"
        workflows:
          - id: wf-incident
            type: incident
            steps:
              - {name: Restore, process: recover}

    Good:
        usm: "1"
        workflows:
          - id: wf-incident
            type: incident
            owner_process: recover
            steps:
              - {name: Restore, process: recover}
    """

    code = "USM301"
    name = "workflow-without-owning-process"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            if workflow.owner_process is not None or workflow.is_template:
                continue
            workflow_type = _catalogue_type(ctx, workflow)
            hint = (
                f"set it to {quote(workflow_type.entry)}, the entry process of type "
                f"{quote(workflow_type.id)}"
                if workflow_type is not None
                else "name the process that owns it"
            )
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} has no owner_process: {hint}",
                "owner_process",
                key=True,
            )


class UnknownWorkflowType(Rule):
    """A workflow's ``type`` is missing or not in the active catalogue.

    Rationale:
        USM knows eight standard workflows, each entered by one request type
        or provider trigger; a workflow outside the catalogue cannot be
        checked against its entry process and path (SPEC §1, Eight
        workflows).

    Remediation:
        Set ``type`` to a catalogue type id (``usmctl explain USM302`` and the
        catalogue file list them), or add the type to your own catalogue.

    Bad:
        usm: "1"
        workflows:
          - id: wf-escalation
            type: escalation
            owner_process: recover
            steps:
              - {name: Escalate, process: recover}

    Good:
        usm: "1"
        workflows:
          - id: wf-incident
            type: incident
            owner_process: recover
            steps:
              - {name: Restore, process: recover}
    """

    code = "USM302"
    name = "unknown-workflow-type"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        known = ", ".join(ctx.catalogue.ids)
        for workflow in ctx.arch.workflows:
            if workflow.type is None:
                if workflow.is_template:
                    continue
                if _is_wif(workflow):
                    message = f"{describe(workflow)}: {self._uninferred(ctx, workflow)}"
                    yield ctx.violation(workflow, message, "steps", key=True)
                else:
                    message = f"{describe(workflow)} has no type, expected one of {known}"
                    yield ctx.violation(workflow, message, "type", key=True)
            elif ctx.catalogue.get(workflow.type) is None:
                yield ctx.violation(
                    workflow,
                    f"{describe(workflow)}: type {quote(workflow.type)} is not in the workflow "
                    f"catalogue{suggest(workflow.type, ctx.catalogue.ids)}, "
                    f"expected one of {known}",
                    "type",
                )

    @staticmethod
    def _uninferred(ctx: RuleContext, workflow: Workflow) -> str:
        """Why no catalogue type could be inferred for a USM-WIF workflow."""
        path = collapsed_path(ordered_steps(workflow))
        if path is None:
            return "no catalogue type can be inferred: a step runs no USM process"
        if not path:
            return "no catalogue type can be inferred: it has no steps"
        same_path = [entry.id for entry in ctx.catalogue.types if entry.path == path]
        if same_path:
            return (
                f"its step path {arrow(path)} is that of type {quote(same_path[0])}, but its "
                f"process {quote(workflow.owner_process)} is not that type's entry process"
            )
        known = ", ".join(ctx.catalogue.ids)
        return (
            f"its step path {arrow(path)} matches no catalogue workflow type, expected the "
            f"path of one of {known}"
        )


class WorkflowEntryMismatch(Rule):
    """A workflow's first step does not run the catalogue entry process.

    Rationale:
        Each USM workflow is entered by the process its trigger belongs to: a
        wish enters agree, a request for change enters change, a service
        request enters operate, an incident enters recover, a risk enters
        improve (SPEC §1, Four customer request types).

    Remediation:
        Start the workflow with a step of the entry process, or correct its
        ``type``.

    Bad:
        usm: "1"
        workflows:
          - id: wf-improve
            type: improvement-via-change
            owner_process: improve
            steps:
              - {name: Change the configuration, process: change}

    Good:
        usm: "1"
        workflows:
          - id: wf-improve
            type: improvement-via-change
            owner_process: improve
            steps:
              - {name: Analyse the risk, process: improve}
              - {name: Change the configuration, process: change}
    """

    code = "USM303"
    name = "workflow-entry-mismatch"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            mismatch = _entry_mismatch(ctx, workflow)
            if mismatch is None:
                continue
            index, first, workflow_type = mismatch
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} starts in process {quote(first)}, expected the entry "
                f"process {quote(workflow_type.entry)} of type {quote(workflow_type.id)}",
                "steps",
                index,
                "process",
            )


class WorkflowPathDeviation(Rule):
    """A workflow's step processes do not follow the catalogue path.

    Rationale:
        The catalogue gives each standard workflow its path through the five
        processes (for example recover → change for an incident that needs a
        change). A process may repeat, but a process outside the path means
        the workflow is not the standard one (SPEC §1, Eight workflows).

    Remediation:
        Reorder or reassign the steps so that their processes follow the
        path, or choose the type whose path the workflow really follows.

    Bad:
        usm: "1"
        workflows:
          - id: wf-incident-change
            type: incident-with-change
            owner_process: recover
            steps:
              - {name: Register, process: recover}
              - {name: Restart the server, process: operate}
              - {name: Fix the configuration, process: change}

    Good:
        usm: "1"
        workflows:
          - id: wf-incident-change
            type: incident-with-change
            owner_process: recover
            steps:
              - {name: Register, process: recover}
              - {name: Diagnose, process: recover}
              - {name: Fix the configuration, process: change}
    """

    code = "USM304"
    name = "workflow-path-deviation"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            workflow_type = _catalogue_type(ctx, workflow)
            steps = ordered_steps(workflow)
            if workflow_type is None or not steps or steps_salvaged(workflow):
                continue
            collapsed = collapsed_path(steps)
            if collapsed is None or collapsed == workflow_type.path:
                continue
            if _entry_mismatch(ctx, workflow) is not None:
                continue  # USM303 already reports this workflow
            fields = self._first_deviation(workflow, workflow_type.path)
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} follows {arrow(collapsed)}, expected the catalogue path "
                f"{arrow(workflow_type.path)} of type {quote(workflow_type.id)}",
                *fields,
                key=fields == ("steps",),
            )

    @staticmethod
    def _first_deviation(workflow: Workflow, path: list[str]) -> Fields:
        """The process of the first step off the path; the steps key when the
        steps stop before the path ends."""
        position = 0
        for step in ordered_steps(workflow):
            process = canonical_process(step.process)
            if process == path[position]:
                continue
            if position + 1 < len(path) and process == path[position + 1]:
                position += 1
                continue
            index = next(i for i, candidate in enumerate(workflow.steps) if candidate is step)
            return ("steps", index, "process")
        return ("steps",)


class OwnerProcessMismatch(Rule):
    """A workflow's ``owner_process`` is not the catalogue entry process.

    Rationale:
        A USM workflow is owned by the process its trigger enters: the
        process that received the request answers for it until the end
        (SPEC §1, Four customer request types and Eight workflows).

    Remediation:
        Set ``owner_process`` to the entry process of the workflow's type.

    Bad:
        usm: "1"
        workflows:
          - id: wf-service-request
            type: service-request
            owner_process: recover
            steps:
              - {name: Fulfil, process: operate}

    Good:
        usm: "1"
        workflows:
          - id: wf-service-request
            type: service-request
            owner_process: operate
            steps:
              - {name: Fulfil, process: operate}
    """

    code = "USM305"
    name = "owner-process-mismatch"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            workflow_type = _catalogue_type(ctx, workflow)
            if workflow_type is None or workflow.owner_process is None:
                continue
            owner = canonical_process(workflow.owner_process)
            if owner is None or owner == workflow_type.entry:
                continue
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} is owned by process {quote(owner)}, expected the entry "
                f"process {quote(workflow_type.entry)} of type {quote(workflow_type.id)}",
                "owner_process",
            )


class MissingStandardWorkflow(Rule):
    """An internal provider with services lacks a workflow of some catalogue type.

    Rationale:
        Every USM provider link handles the same request types through the
        same standard workflows; a missing one means some customer request
        or provider trigger has no agreed way through the provider (SPEC §1,
        Eight workflows).

    Remediation:
        Add a workflow of each missing type for the provider (``usmctl init``
        writes all eight as a starting point).

    Bad:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
          - {id: acme-it, kind: provider}
        services:
          - {id: workplace, provider: acme-it, customers: [acme-business]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
          - {id: acme-it, kind: provider}
        services:
          - {id: workplace, provider: acme-it, customers: [acme-business]}
        workflows:
          - {id: wf-wish, provider: acme-it, type: wish}
          - {id: wf-rfc, provider: acme-it, type: request-for-change}
          - {id: wf-request, provider: acme-it, type: service-request}
          - {id: wf-incident, provider: acme-it, type: incident}
          - {id: wf-incident-change, provider: acme-it, type: incident-with-change}
          - {id: wf-improve-agreement, provider: acme-it, type: improvement-via-agreement}
          - {id: wf-improve-change, provider: acme-it, type: improvement-via-change}
          - {id: wf-planned, provider: acme-it, type: planned-operation}
    """

    code = "USM306"
    name = "missing-standard-workflow"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        by_provider = workflows_by_provider(ctx.arch)
        # a workflow whose provider is unresolved (USM006) may be any provider's
        orphans = {
            w.type
            for w in ctx.arch.workflows
            if w.provider and not ctx.arch.declares("profiles", w.provider)
        }
        for profile in ctx.arch.profiles:
            if not is_running_provider(ctx.arch, profile):
                continue
            present = orphans | {workflow.type for workflow in by_provider.get(profile.id, ())}
            missing = [type_id for type_id in ctx.catalogue.ids if type_id not in present]
            if missing:
                yield ctx.violation(
                    profile,
                    f"{party(profile)} has no workflow of catalogue "
                    f"{plural(len(missing), 'type')} {', '.join(missing)}: every USM provider "
                    "runs every standard workflow",
                    "id",
                )


class RaciAccountable(Rule):
    """A step or activity has zero or several accountable (``A``) profiles.

    Rationale:
        In USM's RACI exactly one operator profile is accountable for each
        step (or, in USM-WIF, each activity): with none nobody answers for the
        result, with several everybody assumes another one does (SPEC §1,
        USM-WIF responsibilities).

    Remediation:
        Give ``A`` to exactly one profile of the step or activity.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: service-manager, kind: operator, of: acme-it}
          - {id: change-manager, kind: operator, of: acme-it}
        workflows:
          - id: wf-rfc
            provider: acme-it
            type: request-for-change
            owner_process: change
            steps:
              - name: Implement the change
                process: change
                responsibilities: {service-manager: [R, A], change-manager: [A]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: service-manager, kind: operator, of: acme-it}
          - {id: change-manager, kind: operator, of: acme-it}
        workflows:
          - id: wf-rfc
            provider: acme-it
            type: request-for-change
            owner_process: change
            steps:
              - name: Implement the change
                process: change
                responsibilities: {service-manager: [I], change-manager: [R, A]}
    """

    code = "USM307"
    name = "raci-accountable"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            for fields, raci in raci_tables(workflow):
                accountable = [profile for profile, letters in raci.items() if "A" in letters]
                if len(accountable) == 1:
                    continue
                where = f"{describe(workflow)}: {raci_owner_label(workflow, fields)}"
                if accountable:
                    actual = (
                        f"has {len(accountable)} accountable profiles ({', '.join(accountable)})"
                    )
                else:
                    actual = "has no accountable profile"
                yield ctx.violation(workflow, f"{where} {actual}, expected exactly one A", *fields)


class RaciResponsible(Rule):
    """A step or activity has no responsible (``R``) profile.

    Rationale:
        RACI assigns the work of each step to operator profiles; a step
        without ``R`` is work nobody does (SPEC §1, USM-WIF
        responsibilities).

    Remediation:
        Give ``R`` to the operator profile(s) that carry out the step.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: change-manager, kind: operator, of: acme-it}
        workflows:
          - id: wf-rfc
            provider: acme-it
            type: request-for-change
            owner_process: change
            steps:
              - name: Implement the change
                process: change
                responsibilities: {change-manager: [A]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: change-manager, kind: operator, of: acme-it}
        workflows:
          - id: wf-rfc
            provider: acme-it
            type: request-for-change
            owner_process: change
            steps:
              - name: Implement the change
                process: change
                responsibilities: {change-manager: [R, A]}
    """

    code = "USM308"
    name = "raci-responsible"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            for fields, raci in raci_tables(workflow):
                if any("R" in letters for letters in raci.values()):
                    continue
                yield ctx.violation(
                    workflow,
                    f"{describe(workflow)}: {raci_owner_label(workflow, fields)} has no "
                    "responsible profile, expected at least one R",
                    *fields,
                )


class RaciForeignProfile(Rule):
    """RACI names a profile that is not an operator of the workflow's provider.

    Rationale:
        A provider's workflows are carried out by that provider's own
        operator profiles; another provider's people take part only through
        that provider's own workflows, across the supplier link (SPEC §1,
        Profiles and the link recursion).

    Remediation:
        Assign an operator profile whose ``of`` is the workflow's provider, or
        hand the work to the supplier through a service it provides.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: dev-team, kind: supplier}
          - {id: vendor-engineer, kind: operator, of: dev-team}
        workflows:
          - id: wf-incident
            provider: acme-it
            type: incident
            owner_process: recover
            steps:
              - name: Restore
                process: recover
                responsibilities: {vendor-engineer: [R, A]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator, of: acme-it}
        workflows:
          - id: wf-incident
            provider: acme-it
            type: incident
            owner_process: recover
            steps:
              - name: Restore
                process: recover
                responsibilities: {desk-agent: [R, A]}
    """

    code = "USM309"
    name = "raci-foreign-profile"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            provider = workflow.provider
            if provider is None:
                continue  # a template without context: no provider to compare with
            for fields, raci in raci_tables(workflow, every=True):
                for profile_id in raci:
                    profile = ctx.arch.profile(profile_id)
                    if profile is not None and profile.kind == "operator":
                        if profile.of == provider:
                            continue
                        actual = f"operator {quote(profile_id)} of {quote(profile.of)}"
                    elif profile is not None:
                        actual = party(profile)
                    else:
                        actual = f"{quote(profile_id)}, which is no profile"
                    yield ctx.violation(
                        workflow,
                        f"{describe(workflow)}: {raci_owner_label(workflow, fields)} assigns "
                        f"{actual}, expected an operator of {quote(provider)}",
                        *fields,
                        profile_id,
                        key=True,
                    )


class WorkflowWithoutSteps(Rule):
    """A workflow has no steps.

    Rationale:
        A USM workflow is a sequence of steps, each run by one of the five
        processes with its RACI; without steps nothing says who does what
        (SPEC §1, Eight workflows and USM-WIF).

    Remediation:
        Add the workflow's steps with their process and responsibilities.

    Bad:
        usm: "1"
        workflows:
          - id: wf-wish
            type: wish
            owner_process: agree
            steps: []

    Good:
        usm: "1"
        workflows:
          - id: wf-wish
            type: wish
            owner_process: agree
            steps:
              - {name: Agree on the wish, process: agree}
              - {name: Carry out the change, process: change}
    """

    code = "USM310"
    name = "workflow-without-steps"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            if not workflow.steps and not steps_salvaged(workflow):
                yield ctx.violation(
                    workflow,
                    f"{describe(workflow)} has no steps: list its steps with their process "
                    "and responsibilities",
                    "steps",
                    key=True,
                )


class WorkflowWithoutTool(Rule):
    """No tool handles the workflow.

    Rationale:
        Tools plug into the management system by supporting its workflows;
        a workflow no tool handles is run by hand or not recorded (SPEC §1,
        Layers: tools plug into processes and workflows).

    Remediation:
        List the workflow in a tool's ``handles`` or set the workflow's
        ``tool``.

    Bad:
        usm: "1"
        workflows:
          - id: wf-incident
            type: incident
            owner_process: recover
            steps:
              - {name: Restore, process: recover}

    Good:
        usm: "1"
        workflows:
          - id: wf-incident
            type: incident
            owner_process: recover
            tool: servicenow
            steps:
              - {name: Restore, process: recover}
        tools:
          - {id: servicenow, product: ServiceNow, handles: [wf-incident]}
    """

    code = "USM311"
    name = "workflow-without-tool"
    default_severity = Severity.INFO

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        handled = tools_by_workflow(ctx.arch)
        for workflow in ctx.arch.workflows:
            if workflow.is_template or handled.get(workflow.id):
                continue
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} is handled by no tool: list it in a tool's handles "
                "or set its tool",
                "id",
            )


WORKFLOW_RULES: tuple[type[Rule], ...] = (
    WorkflowWithoutOwningProcess,
    UnknownWorkflowType,
    WorkflowEntryMismatch,
    WorkflowPathDeviation,
    OwnerProcessMismatch,
    MissingStandardWorkflow,
    RaciAccountable,
    RaciResponsible,
    RaciForeignProfile,
    WorkflowWithoutSteps,
    WorkflowWithoutTool,
)
