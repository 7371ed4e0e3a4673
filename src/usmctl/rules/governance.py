"""USM501–USM502: governance (SPEC §1 layers: governance feeds the management system).

Policies and constraints only steer a provider when a process or a workflow
enforces them, and only mean something when they say what they apply to.
"""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.findings import Severity, Violation, quote
from usmctl.model import GovernanceItem
from usmctl.rules.base import Rule, RuleContext


def name_of(item: GovernanceItem) -> str:
    """``policy "pol-x"`` or ``constraint "con-y"``: how messages name an item."""
    return f"{item.kind} {quote(item.id)}"


class PolicyNotEnforced(Rule):
    """A policy or constraint is enforced by no process or workflow.

    Rationale:
        In USM, governance feeds the management system: a policy takes effect
        only through the processes and workflows that carry it out. A policy
        nothing enforces is only a suggestion.

    Remediation:
        List in ``enforced_by`` the process entries (``provider:process``) or
        workflow ids that carry the policy out.

    Bad:
        usm: "1"
        governance:
          - id: pol-data-residency
            kind: policy
            statement: Customer data stays in the EU
            applies_to: [workplace]
            enforced_by: []

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: agree}
        services:
          - {id: workplace, provider: acme-it}
        governance:
          - id: pol-data-residency
            kind: policy
            statement: Customer data stays in the EU
            applies_to: [workplace]
            enforced_by: [acme-it:agree]
    """

    code = "USM501"
    name = "policy-not-enforced"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for item in ctx.arch.governance:
            if not item.enforced_by:
                yield ctx.violation(
                    item,
                    f"{name_of(item)} is enforced by no process entry or workflow",
                    "enforced_by",
                )


class PolicyWithoutScope(Rule):
    """A policy or constraint applies to nothing.

    Rationale:
        Governance steers the management system through the services,
        agreements, workflows and overlays it applies to; without a scope
        nobody can tell where the policy holds or check that it is met.

    Remediation:
        List in ``applies_to`` the ids of the entities the policy governs.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: change}
        governance:
          - id: pol-tested-changes
            kind: policy
            statement: Every change is tested before release
            applies_to: []
            enforced_by: [acme-it:change]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: change}
        services:
          - {id: workplace, provider: acme-it}
        governance:
          - id: pol-tested-changes
            kind: policy
            statement: Every change is tested before release
            applies_to: [workplace]
            enforced_by: [acme-it:change]
    """

    code = "USM502"
    name = "policy-without-scope"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for item in ctx.arch.governance:
            if not item.applies_to:
                yield ctx.violation(item, f"{name_of(item)} applies to nothing", "applies_to")


GOVERNANCE_RULES: tuple[type[Rule], ...] = (PolicyNotEnforced, PolicyWithoutScope)
