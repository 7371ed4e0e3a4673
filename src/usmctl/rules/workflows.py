"""USM301–USM313: workflows against the catalogue and its nested walks, and
their RACI (docs/usm.md, "The eight workflows", "Nested walks", "USM-WIF")."""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.core.findings import Severity, Violation, quote
from usmctl.core.suggest import suggest
from usmctl.model.catalogue import Walk, WorkflowType, walk
from usmctl.model.entities import Workflow
from usmctl.model.usm import canonical_process
from usmctl.model.wif import ordered_steps
from usmctl.rules.base import Area, Rule, RuleContext, describe
from usmctl.rules.helpers import (
    arrow,
    collapsed_path,
    is_running_provider,
    party,
    plural,
    raci_owner_label,
    raci_tables,
    salvaged,
)


def _catalogue_type(ctx: RuleContext, workflow: Workflow) -> WorkflowType | None:
    return ctx.catalogue.get(workflow.type) if workflow.type is not None else None


def _is_wif(workflow: Workflow) -> bool:
    # USM-WIF workflows are the ones read through the USM-WIF key map.
    return workflow.origin.key_map is not None


def _walk(ctx: RuleContext, workflow: Workflow) -> tuple[WorkflowType, Walk] | None:
    """The workflow's type and its nested walk along the type's chain; None
    when it cannot be judged (no catalogue type, no steps, steps cut by
    salvage, or a step in no USM process: USM302, USM310, USM003, USM202).
    Made once per run (`RuleContext.walks`)."""
    walks = ctx.walks
    key = id(workflow)
    if key not in walks:
        walks[key] = _walked(ctx, workflow)
    return walks[key]


def _walked(ctx: RuleContext, workflow: Workflow) -> tuple[WorkflowType, Walk] | None:
    workflow_type = _catalogue_type(ctx, workflow)
    if workflow_type is None or not workflow.steps or salvaged(workflow, "steps"):
        return None
    sequence = collapsed_path(ordered_steps(workflow))
    if not sequence:
        return None
    return workflow_type, walk(sequence, workflow_type.chain)


def _step_index(workflow: Workflow, walk_index: int) -> int:
    """The index in ``steps`` (as the model holds them) of the first step of
    the walk's ``walk_index``-th collapsed process."""
    position = -1
    previous: str | None = None
    for step in ordered_steps(workflow):
        process = canonical_process(step.process)
        if process != previous:
            position += 1
            previous = process
        if position == walk_index:
            return next(i for i, candidate in enumerate(workflow.steps) if candidate is step)
    raise ValueError(walk_index)


def _owner(workflow: Workflow) -> str | None:
    return canonical_process(workflow.owner_process) if workflow.owner_process else None


# The catalogue v2 type a v1 `planned-operation` workflow most likely is.
_PLANNED_SUCCESSOR = "improvement-via-operation"


class WorkflowWithoutOwningProcess(Rule):
    """A workflow has no ``owner_process``.

    Rationale:
        Every USM workflow is owned by one of the five processes: the process
        its trigger enters, which answers for the workflow from request to
        result. Source: docs/usm.md, "The eight workflows"; usmwiki, "The
        managed infrastructure".

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
    area = Area.WORKFLOWS

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
        checked against its entry process and chain. No USM source has a
        planned-operation workflow (catalogue v1 had one): a risk that
        operate handles is improvement-via-operation. A USM-WIF file has no
        type field: usmctl reads its extension ``usm-type`` or infers the
        type from the step walk, and reports here when no chain fits.
        Source: docs/usm.md, "The eight workflows"; the usm.tools workflow
        templates (github.com/mikko-ahonen/usmtools).

    Remediation:
        Set ``type`` (in USM-WIF: ``usm-type``) to a catalogue type id
        (``usmctl explain USM302`` and the catalogue file list them), or add
        the type to your own catalogue.

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
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        known = ", ".join(ctx.catalogue.ids)
        for workflow in ctx.arch.workflows:
            if workflow.type is None:
                if workflow.is_template or workflow.type_candidates:
                    continue  # a template may leave it open; a tie is USM313
                if _is_wif(workflow):
                    message = f"{describe(workflow)}: {self._uninferred(ctx, workflow)}"
                    yield ctx.violation(workflow, message, "steps", key=True)
                else:
                    message = f"{describe(workflow)} has no type, expected one of {known}"
                    yield ctx.violation(workflow, message, "type", key=True)
            elif ctx.catalogue.get(workflow.type) is None:
                field = "usm-type" if _is_wif(workflow) else "type"
                yield ctx.violation(
                    workflow,
                    f"{describe(workflow)}: {field} {quote(workflow.type)} is not in the "
                    f"workflow catalogue{self._hint(ctx, workflow.type)}, expected one of {known}",
                    "type",
                )

    @staticmethod
    def _hint(ctx: RuleContext, type_id: str) -> str:
        if type_id == "planned-operation" and ctx.catalogue.get(_PLANNED_SUCCESSOR):
            return (
                f" (no USM source has it: a risk that operate handles is "
                f"{quote(_PLANNED_SUCCESSOR)}; planned work that changes the managed "
                "infrastructure is a change)"
            )
        return suggest(type_id, ctx.catalogue.ids)

    @staticmethod
    def _uninferred(ctx: RuleContext, workflow: Workflow) -> str:
        """Why no catalogue type could be inferred for a USM-WIF workflow."""
        path = collapsed_path(ordered_steps(workflow))
        if path is None:
            return "no catalogue type can be inferred: a step runs no USM process"
        if not path:
            return "no catalogue type can be inferred: it has no steps"
        known = ", ".join(ctx.catalogue.ids)
        return (
            f"its step walk {arrow(path)} follows the chain of no catalogue workflow type, "
            f"expected a nested walk of the chain of one of {known} (or set usm-type)"
        )


class WorkflowEntryMismatch(Rule):
    """A workflow's first step does not run the catalogue entry process.

    Rationale:
        Each USM workflow is entered by the process its trigger belongs to: a
        wish enters agree, a request for change enters change, a service
        request enters operate, an incident enters recover, a risk enters
        improve. Source: docs/usm.md, "Request types and triggers"; usmwiki,
        "The customer's demand".

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
              - {name: Deploy the configuration, process: operate}
              - {name: Review the change, process: change}
              - {name: Evaluate and close, process: improve}
    """

    code = "USM303"
    name = "workflow-entry-mismatch"
    default_severity = Severity.ERROR
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            judged = _walk(ctx, workflow)
            if judged is None or judged[1].entry_ok:
                continue
            workflow_type, walked = judged
            fits = [
                type_id
                for type_id in ctx.catalogue.infer(walked.sequence)
                if type_id != workflow_type.id
            ]
            hint = f" (its steps follow the chain of type {quote(fits[0])})" if fits else ""
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} starts in process {quote(walked.sequence[0])}, expected "
                f"the entry process {quote(workflow_type.entry)} of type "
                f"{quote(workflow_type.id)}{hint}",
                "steps",
                _step_index(workflow, 0),
                "process",
            )


class WorkflowPathDeviation(Rule):
    """A workflow's step processes are not a nested walk of its type's chain.

    Rationale:
        USM workflows are nested: the catalogue gives each type its chain
        (for example recover → change → operate for an incident that needs a
        change). With consecutive steps of one process taken as one, the
        work starts at the entry process and each next process is the next
        one down the chain (a hand-over) or one higher up that it has passed
        (a return); it may stop early, leaving the deeper work to another
        workflow. A step that skips a level, runs a process outside the
        chain, or returns to a process not yet passed is off the standard
        workflow. Source: docs/usm.md, "Nested walks"; usmwiki, "The managed
        infrastructure", and the usm.tools workflow templates.

    Remediation:
        Reorder or reassign the steps so that the work is handed down and
        back the chain one level at a time, or choose the type whose chain
        the workflow really walks.

    Bad:
        usm: "1"
        workflows:
          - id: wf-incident-change
            type: incident-with-change
            owner_process: recover
            steps:
              - {name: Register, process: recover}
              - {name: Restart the server, process: operate}
              - {name: Evaluate and close, process: recover}

    Good:
        usm: "1"
        workflows:
          - id: wf-incident-change
            type: incident-with-change
            owner_process: recover
            steps:
              - {name: Register, process: recover}
              - {name: Fix the configuration, process: change}
              - {name: Restart the server, process: operate}
              - {name: Review the change, process: change}
              - {name: Evaluate and close, process: recover}
    """

    code = "USM304"
    name = "workflow-path-deviation"
    default_severity = Severity.WARNING
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            judged = _walk(ctx, workflow)
            if judged is None or judged[1].verdict != "deviation":
                continue  # follows, or a wrong entry (USM303 reports it)
            workflow_type, walked = judged
            deviation = walked.deviation
            assert deviation is not None
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} walks {arrow(list(walked.sequence))}, expected a nested "
                f"walk of the chain {arrow(workflow_type.chain)} of type "
                f"{quote(workflow_type.id)}: {deviation.explain()}",
                "steps",
                _step_index(workflow, deviation.index),
                "process",
            )


class OwnerProcessMismatch(Rule):
    """A workflow's ``owner_process`` is not the catalogue entry process.

    Rationale:
        A USM workflow is owned by the process its trigger enters: the
        process that received the request answers for it until the end
        and closes it. Source: docs/usm.md, "The eight workflows"; usmwiki,
        "The customer's demand".

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
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            workflow_type = _catalogue_type(ctx, workflow)
            owner = _owner(workflow)
            if workflow_type is None or owner is None or owner == workflow_type.entry:
                continue
            judged = _walk(ctx, workflow)
            if judged is not None and judged[1].sequence[0] == owner:
                continue  # owner and first step agree: the type is off (USM303)
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} is owned by process {quote(owner)}, expected the entry "
                f"process {quote(workflow_type.entry)} of type {quote(workflow_type.id)}",
                "owner_process",
                fix=ctx.replacing(
                    workflow,
                    ("owner_process",),
                    workflow_type.entry,
                    was=workflow.owner_process or owner,
                ),
            )


class MissingStandardWorkflow(Rule):
    """An internal provider with services lacks a workflow of some catalogue type.

    Rationale:
        Every USM provider link handles the same request types through the
        same standard workflows; a missing one means some customer request
        or provider trigger has no agreed way through the provider. A USM-WIF
        workflow whose type is a tie (USM313) counts for no type. Source:
        docs/usm.md, "The eight workflows"; usmwiki, "The managed
        infrastructure".

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
          - {id: wf-improve-operation, provider: acme-it, type: improvement-via-operation}
    """

    code = "USM306"
    name = "missing-standard-workflow"
    default_severity = Severity.WARNING
    area = Area.WORKFLOWS
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        by_provider = ctx.indexes.workflows_by_provider
        # a workflow whose provider is unresolved (USM006) may be any provider's
        orphans = {
            w.type
            for w in ctx.arch.workflows
            if w.provider and not ctx.arch.declares("profiles", w.provider)
        }
        for profile in ctx.arch.profiles:
            if not is_running_provider(ctx.indexes, profile):
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
        result, with several everybody assumes another one does. Source:
        docs/usm.md, "Profiles, operators and RACI"; the USM-WIF proposal
        (SURVUZ, 2021).

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
    area = Area.WORKFLOWS

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
        without ``R`` is work nobody does. Source: docs/usm.md, "Profiles,
        operators and RACI"; the USM-WIF proposal (SURVUZ, 2021).

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
    area = Area.WORKFLOWS

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
        that provider's own workflows, across the supplier link. Source:
        docs/usm.md, "Links and recursion"; usm-portal (USM's official
        portal).

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
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            provider = workflow.provider
            if provider is None:
                continue  # a template without context: no provider to compare with
            for fields, raci in raci_tables(workflow, every=True):
                for profile_id in raci:
                    profile = ctx.indexes.profile(profile_id)
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
        Source: docs/usm.md, "USM-WIF"; the USM-WIF proposal (SURVUZ, 2021).

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
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            if not workflow.steps and not salvaged(workflow, "steps"):
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
        a workflow no tool handles is run by hand or not recorded. Source:
        docs/usm.md, "Governance, overlays, practices and tools"; usm-portal
        (USM's official portal).

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
    area = Area.WORKFLOWS
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        handled = ctx.indexes.tools_by_workflow
        for workflow in ctx.arch.workflows:
            if workflow.is_template or handled.get(workflow.id):
                continue
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} is handled by no tool: list it in a tool's handles "
                "or set its tool",
                "id",
            )


class WorkflowNotClosed(Rule):
    """A workflow's last step is not in its owning process.

    Rationale:
        USM workflows are nested: the owning process hands the work down the
        chain and gets it back, and it ends the workflow itself (review
        delivery and feedback, evaluate and close), which feeds improve. A
        workflow that ends in another process leaves its close to nobody.
        Source: docs/usm.md, "Nested walks"; the usm.tools workflow
        templates (github.com/mikko-ahonen/usmtools).

    Remediation:
        End the workflow with steps of its owning process, such as "Review
        delivery and feedback" and "Evaluate and close".

    Bad:
        usm: "1"
        workflows:
          - id: wf-rfc
            type: request-for-change
            owner_process: change
            steps:
              - {name: Accept the RFC, process: change}
              - {name: Deploy, process: operate}

    Good:
        usm: "1"
        workflows:
          - id: wf-rfc
            type: request-for-change
            owner_process: change
            steps:
              - {name: Accept the RFC, process: change}
              - {name: Deploy, process: operate}
              - {name: Evaluate and close, process: change}
    """

    code = "USM312"
    name = "workflow-not-closed"
    default_severity = Severity.INFO
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            owning = self._owning(ctx, workflow)
            steps = ordered_steps(workflow)
            if owning is None or not steps or salvaged(workflow, "steps"):
                continue
            last = canonical_process(steps[-1].process)
            if last is None or last == owning:
                continue
            index = next(i for i, step in enumerate(workflow.steps) if step is steps[-1])
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} ends in process {quote(last)}, expected its owning "
                f"process {quote(owning)} to close it (review delivery and feedback, evaluate "
                "and close)",
                "steps",
                index,
                "process",
            )

    @staticmethod
    def _owning(ctx: RuleContext, workflow: Workflow) -> str | None:
        """The owning process; None when USM303, USM304 or USM305 has the say."""
        owner = _owner(workflow)
        judged = _walk(ctx, workflow)
        if judged is None:
            return owner if _catalogue_type(ctx, workflow) is None else None
        workflow_type, walked = judged
        if walked.verdict != "follows" or (owner is not None and owner != workflow_type.entry):
            return None
        return workflow_type.entry


class WifTypeAmbiguous(Rule):
    """A USM-WIF workflow without ``usm-type`` fits several catalogue types equally.

    Rationale:
        A USM-WIF file has no field for the catalogue type, so usmctl infers
        it: the type whose chain the step walk follows, and among several the
        one whose chain the walk covers the largest share of. When that still
        leaves a tie, the workflow counts for none of the types (USM306)
        until ``usm-type`` names one. Source: docs/usm.md, "USM-WIF"; the
        USM-WIF proposal (SURVUZ, 2021).

    Remediation:
        Add the extension field ``"usm-type"`` with the catalogue type id to
        the USM-WIF file (other USM-WIF readers ignore it).

    Bad:
        usm: "1"
        # Needs a USM-WIF file and a user catalogue whose types "patch" and
        # "tune" both have the chain [operate]; wf-patch.workflow.json then
        # fits both equally:
        # {"slug": "wf-patch", "context": "acme-it", "process": "operate",
        #  "steps": [{"name": "Patch", "process": "operate"}]}

    Good:
        usm: "1"
        # wf-patch.workflow.json names its type with the extension field:
        # {"slug": "wf-patch", "context": "acme-it", "process": "operate",
        #  "usm-type": "patch",
        #  "steps": [{"name": "Patch", "process": "operate"}]}
    """

    code = "USM313"
    name = "wif-type-ambiguous"
    default_severity = Severity.INFO
    area = Area.WORKFLOWS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for workflow in ctx.arch.workflows:
            candidates = workflow.type_candidates
            if not candidates:
                continue
            path = collapsed_path(ordered_steps(workflow)) or []
            named = ", ".join(quote(type_id) for type_id in candidates)
            yield ctx.violation(
                workflow,
                f"{describe(workflow)}: its step walk {arrow(path)} fits catalogue types "
                f"{named} equally: set usm-type to one of them (until then it counts for none)",
                "steps",
                key=True,
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
    WorkflowNotClosed,
    WifTypeAmbiguous,
)
