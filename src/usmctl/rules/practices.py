"""USM701–USM705: practices and tools plugged into the management system
(docs/usm.md, "Governance, overlays, practices and tools")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from usmctl.core.findings import Severity, Violation, quote
from usmctl.model.entities import Tool, Workflow
from usmctl.model.usm import canonical_process
from usmctl.rules.base import Area, Rule, RuleContext, describe
from usmctl.rules.helpers import named_processes
from usmctl.rules.references import field_name

# Practice names of the common frameworks (ITIL 4 and its predecessors) that
# architects write where a USM process belongs.
WELL_KNOWN_PRACTICES = frozenset(
    {
        "problem-management",
        "service-level-management",
        "release-management",
        "deployment-management",
        "configuration-management",
        "knowledge-management",
        "request-fulfilment",
        "event-management",
        "capacity-management",
        "availability-management",
        "service-desk",
        "monitoring-and-event-management",
        "problem",
        "release",
    }
)


def _normal(name: str) -> str:
    """``Problem Management`` and ``problem_management`` -> ``problem-management``."""
    return re.sub(r"[\s_]+", "-", name.strip().lower())


class PracticeUnplugged(Rule):
    """A practice plugs into no process or workflow.

    Rationale:
        Practices (ITIL, DevOps, Agile, Lean, ...) add value only where they
        plug into USM's processes and workflows; a practice plugged into
        nothing is a siloed ritual next to the management system. Source:
        docs/usm.md, "Governance, overlays, practices and tools"; usm-portal
        (USM's official portal).

    Remediation:
        List the processes and workflows the practice supports in
        ``plugs_into``, or remove it.

    Bad:
        usm: "1"
        practices:
          - id: kanban
            framework: Agile
            plugs_into: {processes: [], workflows: []}

    Good:
        usm: "1"
        practices:
          - id: kanban
            framework: Agile
            plugs_into: {processes: [change]}
    """

    code = "USM701"
    name = "practice-unplugged"
    default_severity = Severity.WARNING
    area = Area.PRACTICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for practice in ctx.arch.practices:
            if practice.plugs_into.processes or practice.plugs_into.workflows:
                continue
            yield ctx.violation(
                practice,
                f"{describe(practice)} plugs into no process or workflow: list where it "
                "plugs in under plugs_into",
                "plugs_into",
                key=True,
            )


class PracticeDeclaredAsProcess(Rule):
    """A practice name is used where a process is expected.

    Rationale:
        USM separates the five processes (the management system) from the
        practices that plug into them: ``problem-management`` or
        ``release-management`` are practices, and declaring them as processes
        multiplies processes and silos. This holds inside a
        ``provider:process`` reference too (``acme-it:problem-management``).
        Source: docs/usm.md, "The five processes"; usm.gr (the USM process
        model and its three-letter process codes).

    Remediation:
        Use the USM process the practice supports (for problem management:
        improve or recover) and declare the practice under ``practices`` with
        ``plugs_into``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: problem-management}
        practices:
          - id: root-cause
            framework: ITIL 4
            plugs_into: {processes: ["acme-it:problem-management"]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: improve, inputs: ["acme-it:recover"]}
          - {provider: acme-it, process: recover}
        practices:
          - id: problem-management
            framework: ITIL 4
            plugs_into: {processes: ["acme-it:improve"]}
    """

    code = "USM702"
    name = "practice-declared-as-process"
    default_severity = Severity.ERROR
    area = Area.PRACTICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        practices = self._practice_names(ctx)
        for entity, fields, name, subject in named_processes(ctx.indexes):
            if canonical_process(name) is not None:
                continue
            practice = practices.get(_normal(name))
            if practice is None:
                continue
            yield ctx.violation(
                entity,
                f"{describe(entity)}: {subject} is {practice}, not a USM process: plug the "
                "practice into one of the five processes instead",
                *fields,
            )

    @staticmethod
    def _practice_names(ctx: RuleContext) -> dict[str, str]:
        """Normalised practice names and ids -> how messages name them."""

        names = {name: "a practice" for name in WELL_KNOWN_PRACTICES}
        for practice in ctx.arch.practices:
            for name in (practice.id, practice.name):
                if name:
                    names[_normal(name)] = f"practice {quote(practice.id)}"
        return names


class ToolWithoutWorkflow(Rule):
    """A tool handles no workflow.

    Rationale:
        Tools plug into the management system through the workflows they
        support; a tool that handles no workflow is a silo with its own
        records. Source: docs/usm.md, "Governance, overlays, practices and
        tools"; usm-portal (USM's official portal).

    Remediation:
        List the workflows the tool supports in ``handles`` (or set
        ``tool`` on those workflows), or remove the tool.

    Bad:
        usm: "1"
        tools:
          - {id: spreadsheet, product: Excel, handles: []}

    Good:
        usm: "1"
        workflows:
          - id: wf-incident
            type: incident
            owner_process: recover
            steps:
              - {name: Restore, process: recover}
        tools:
          - {id: spreadsheet, product: Excel, handles: [wf-incident]}
    """

    code = "USM703"
    name = "tool-without-workflow"
    default_severity = Severity.WARNING
    area = Area.PRACTICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        named = {workflow.tool for workflow in ctx.arch.workflows if workflow.tool is not None}
        for tool in ctx.arch.tools:
            if tool.handles or tool.id in named:
                continue
            yield ctx.violation(
                tool,
                f"{describe(tool)} handles no workflow: list the workflows it supports in handles",
                "handles",
                key=True,
            )


def _users(tool: Tool, workflow: Workflow) -> list[str]:
    """The providers whose people record work in a tool: its ``used_by``, or,
    when it names none, the provider of the workflow it handles ("" when that
    is unknown too)."""
    return list(tool.used_by) or [workflow.provider or ""]


class WorkflowMultipleTools(Rule):
    """Two tools used by the same provider handle the same workflow.

    Rationale:
        A provider records a workflow in one tool; when two of its tools
        handle it, the same people record the work twice and the hand-off
        between the tools is unmanaged. Teams of different providers that
        each keep their own tool are normal USM: every provider link runs
        its own management system. A tool without ``used_by`` counts as used
        by the workflow's provider. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

    Remediation:
        Choose the one tool of the provider that handles the workflow and
        remove the workflow from its other tools' ``handles``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        workflows:
          - id: wf-rfc
            provider: acme-it
            type: request-for-change
            owner_process: change
            steps:
              - {name: Implement, process: change}
        tools:
          - {id: servicenow, product: ServiceNow, used_by: [acme-it], handles: [wf-rfc]}
          - {id: jira, product: Jira, used_by: [acme-it], handles: [wf-rfc]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        workflows:
          - id: wf-rfc
            provider: acme-it
            type: request-for-change
            owner_process: change
            steps:
              - {name: Implement, process: change}
        tools:
          - {id: servicenow, product: ServiceNow, used_by: [acme-it], handles: [wf-rfc]}
          - {id: jira, product: Jira, used_by: [acme-it], handles: []}
    """

    code = "USM704"
    name = "workflow-multiple-tools"
    default_severity = Severity.WARNING
    area = Area.PRACTICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        handled = ctx.indexes.tools_by_workflow
        for workflow in ctx.arch.workflows:
            tool_ids = handled.get(workflow.id, [])
            if len(tool_ids) < 2:
                continue
            by_user: dict[str, list[str]] = {}
            for tool_id in tool_ids:
                tool = ctx.indexes.tool(tool_id)
                if tool is None:
                    continue  # unresolved: USM006
                for user in _users(tool, workflow):
                    by_user.setdefault(user, []).append(tool.id)
            for user, tools in by_user.items():
                if len(tools) < 2:
                    continue
                used_by = f" used by {quote(user)}" if user else ""
                yield ctx.violation(
                    workflow,
                    f"{describe(workflow)} is handled by {len(tools)} tools{used_by} "
                    f"({', '.join(tools)}), expected one",
                    "id",
                )
                break  # one finding per workflow


class ToolForeignWorkflow(Rule):
    """A tool handles a workflow of a provider that is not among its ``used_by``.

    Rationale:
        A workflow is the work of the provider that runs it: its people
        record that work in the tools they use. A tool that handles another
        provider's workflow while that provider does not use it means the
        workflow is recorded where its own people do not work, or
        ``used_by`` forgets a provider. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

    Remediation:
        Add the workflow's provider to the tool's ``used_by``, or let a tool
        of that provider handle the workflow.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: dev-team, kind: provider}
        workflows:
          - id: dev-rfc
            provider: dev-team
            type: request-for-change
            owner_process: change
            steps:
              - {name: Implement, process: change}
        tools:
          - {id: servicenow, product: ServiceNow, used_by: [acme-it], handles: [dev-rfc]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: dev-team, kind: provider}
        workflows:
          - id: dev-rfc
            provider: dev-team
            type: request-for-change
            owner_process: change
            steps:
              - {name: Implement, process: change}
        tools:
          - {id: servicenow, product: ServiceNow, used_by: [acme-it], handles: []}
          - {id: jira, product: Jira, used_by: [dev-team], handles: [dev-rfc]}
    """

    code = "USM705"
    name = "tool-foreign-workflow"
    default_severity = Severity.WARNING
    area = Area.PRACTICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        arch = ctx.arch
        for tool in arch.tools:
            if not self._judged(ctx, tool):
                continue
            seen: set[str] = set()
            for index, workflow_id in enumerate(tool.handles):
                workflow = self._foreign(ctx, tool, workflow_id, seen)
                if workflow is not None:
                    assert workflow.provider is not None
                    yield ctx.violation(
                        tool,
                        f"{describe(tool)}: {field_name(tool, ('handles', index))} "
                        f"{quote(workflow_id)} is a workflow of provider "
                        f"{quote(workflow.provider)}, expected one of its used_by "
                        f"({', '.join(tool.used_by)})",
                        "handles",
                        index,
                    )
        for workflow in arch.workflows:
            if workflow.tool is None:
                continue
            named = ctx.indexes.tool(workflow.tool)
            if named is None or workflow.id in named.handles:
                continue  # unresolved (USM006), or reported at handles
            if self._judged(ctx, named) and self._foreign(ctx, named, workflow.id, set()):
                assert workflow.provider is not None
                yield ctx.violation(
                    workflow,
                    f"{describe(workflow)}: tool {quote(named.id)} is used by "
                    f"{', '.join(named.used_by)}, not by the workflow's provider "
                    f"{quote(workflow.provider)}",
                    "tool",
                )

    @staticmethod
    def _judged(ctx: RuleContext, tool: Tool) -> bool:
        """A tool whose users are known: it names some and each resolves (a
        typo in ``used_by`` is USM006 alone)."""
        return bool(tool.used_by) and all(
            ctx.indexes.profile(user) is not None for user in tool.used_by
        )

    @staticmethod
    def _foreign(ctx: RuleContext, tool: Tool, workflow_id: str, seen: set[str]) -> Workflow | None:
        """The workflow, when it is a provider's workflow not among the tool's
        users (each workflow once per tool); else None."""
        if workflow_id in seen:
            return None
        seen.add(workflow_id)
        workflow = ctx.indexes.workflow(workflow_id)
        if workflow is None or workflow.is_template:
            return None
        provider = workflow.provider
        if provider is None or ctx.indexes.profile(provider) is None:
            return None  # no provider, or an unresolved one (USM006)
        return None if provider in tool.used_by else workflow


PRACTICE_RULES: tuple[type[Rule], ...] = (
    PracticeUnplugged,
    PracticeDeclaredAsProcess,
    ToolWithoutWorkflow,
    WorkflowMultipleTools,
    ToolForeignWorkflow,
)
