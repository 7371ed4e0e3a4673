"""USM701–USM704: practices and tools plugged into the management system
(SPEC §1 Layers, §3)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from usmctl.findings import Severity, Violation, quote
from usmctl.rules.base import Rule, RuleContext, describe
from usmctl.rules.helpers import cached, process_names, tools_by_workflow
from usmctl.rules.references import field_name
from usmctl.usm import canonical_process

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
        nothing is a siloed ritual next to the management system (SPEC §1,
        Layers).

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
        multiplies processes and silos (SPEC §1, Five processes and Layers).

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

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: improve, inputs: [problem-management]}
        practices:
          - id: problem-management
            framework: ITIL 4
            plugs_into: {processes: [improve]}
    """

    code = "USM702"
    name = "practice-declared-as-process"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        practices = self._practice_names(ctx)
        for entity, fields, name in process_names(ctx.arch):
            if canonical_process(name) is not None:
                continue
            practice = practices.get(_normal(name))
            if practice is None:
                continue
            yield ctx.violation(
                entity,
                f"{describe(entity)}: {field_name(entity, fields)} {quote(name)} is {practice}, "
                "not a USM process: plug the practice into one of the five processes instead",
                *fields,
            )

    @staticmethod
    def _practice_names(ctx: RuleContext) -> dict[str, str]:
        """Normalised practice names and ids -> how messages name them."""

        def build() -> dict[str, str]:
            names = {name: "a practice" for name in WELL_KNOWN_PRACTICES}
            for practice in ctx.arch.practices:
                for name in (practice.id, practice.name):
                    if name:
                        names[_normal(name)] = f"practice {quote(practice.id)}"
            return names

        return cached(ctx.arch, "practice_names", build)


class ToolWithoutWorkflow(Rule):
    """A tool handles no workflow.

    Rationale:
        Tools plug into the management system through the workflows they
        support; a tool that handles no workflow is a silo with its own
        records (SPEC §1, Layers).

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


class WorkflowMultipleTools(Rule):
    """Two or more tools handle the same workflow.

    Rationale:
        One workflow is recorded in one tool; when two tools handle it, the
        hand-off between them is unmanaged and each holds half the record
        (SPEC §1, Layers: tools plug into workflows).

    Remediation:
        Choose the one tool that handles the workflow and remove it from the
        other tools' ``handles``.

    Bad:
        usm: "1"
        workflows:
          - id: wf-rfc
            type: request-for-change
            owner_process: change
            steps:
              - {name: Implement, process: change}
        tools:
          - {id: servicenow, product: ServiceNow, handles: [wf-rfc]}
          - {id: jira, product: Jira, handles: [wf-rfc]}

    Good:
        usm: "1"
        workflows:
          - id: wf-rfc
            type: request-for-change
            owner_process: change
            steps:
              - {name: Implement, process: change}
        tools:
          - {id: servicenow, product: ServiceNow, handles: [wf-rfc]}
          - {id: jira, product: Jira, handles: []}
    """

    code = "USM704"
    name = "workflow-multiple-tools"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        handled = tools_by_workflow(ctx.arch)
        for workflow in ctx.arch.workflows:
            tools = handled.get(workflow.id, [])
            if len(tools) < 2:
                continue
            yield ctx.violation(
                workflow,
                f"{describe(workflow)} is handled by {len(tools)} tools "
                f"({', '.join(tools)}), expected one",
                "id",
            )


PRACTICE_RULES: tuple[type[Rule], ...] = (
    PracticeUnplugged,
    PracticeDeclaredAsProcess,
    ToolWithoutWorkflow,
    WorkflowMultipleTools,
)
