"""USM501–USM503: governance feeds the management system (docs/usm.md,
"Governance, overlays, practices and tools").

Policies and constraints only steer a provider when a process or a workflow
enforces them, and only mean something when they say what they apply to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from usmctl.core.findings import Severity, Violation, quote
from usmctl.model.entities import (
    Agreement,
    Entity,
    GovernanceItem,
    Overlay,
    ProcessEntry,
    Profile,
    Service,
    Workflow,
)
from usmctl.model.usm import PROVIDER_KINDS
from usmctl.rules.base import Area, Rule, RuleContext
from usmctl.rules.helpers import salvaged

if TYPE_CHECKING:
    from usmctl.rules.indexes import Indexes


def name_of(item: GovernanceItem) -> str:
    """``policy "pol-x"`` or ``constraint "con-y"``: how messages name an item."""
    return f"{item.kind} {quote(item.id)}"


class PolicyNotEnforced(Rule):
    """A policy or constraint is enforced by no process or workflow.

    Rationale:
        In USM, governance feeds the management system: a policy takes effect
        only through the processes and workflows that carry it out. A policy
        nothing enforces is only a suggestion. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

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
    area = Area.GOVERNANCE

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
        Source: docs/usm.md, "Governance, overlays, practices and tools";
        usm-portal (USM's official portal).

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
    area = Area.GOVERNANCE

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for item in ctx.arch.governance:
            if not item.applies_to:
                yield ctx.violation(item, f"{name_of(item)} applies to nothing", "applies_to")


class PolicyForeignEnforcer(Rule):
    """No enforcer of a policy belongs to a party related to what it applies to.

    Rationale:
        A policy takes effect through the processes and workflows of the
        providers it concerns: each provider runs its own five processes and
        can only carry out a policy in its own work. A policy on one
        provider's service enforced only by another provider's processes
        binds nobody who delivers it. The related parties are a service's
        provider; an agreement's provider and customer; an overlay's
        integrator, the parties it binds and the providers of the services it
        binds; a workflow's or process entry's provider; and a provider
        itself. Source: docs/usm.md, "Governance, overlays, practices and
        tools"; usm-portal (USM's official portal).

    Remediation:
        Add to ``enforced_by`` a process entry (``provider:process``) or a
        workflow of a party the policy applies to, or correct ``applies_to``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
        processes:
          - {provider: acme-it, process: change}
        services:
          - {id: cloud-hosting, provider: cloudco}
        governance:
          - id: pol-patching
            kind: policy
            statement: Security patches are applied within a week
            applies_to: [cloud-hosting]
            enforced_by: [acme-it:change]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
        processes:
          - {provider: acme-it, process: change}
          - {provider: cloudco, process: change}
        services:
          - {id: cloud-hosting, provider: cloudco}
        governance:
          - id: pol-patching
            kind: policy
            statement: Security patches are applied within a week
            applies_to: [cloud-hosting]
            enforced_by: [acme-it:change, cloudco:change]
    """

    code = "USM503"
    name = "policy-foreign-enforcer"
    default_severity = Severity.WARNING
    area = Area.GOVERNANCE

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for item in ctx.arch.governance:
            if not item.applies_to or not item.enforced_by:
                continue  # USM502 or USM501
            if salvaged(item, "applies_to") or salvaged(item, "enforced_by"):
                continue  # a removed value may be the related one (USM003)
            related = _related_parties(ctx.indexes, item.applies_to)
            enforcers = _enforcing_parties(ctx.indexes, item.enforced_by)
            if not related or enforcers is None or not enforcers.isdisjoint(related):
                continue  # unresolved or unjudgeable: USM006/USM007's finding
            yield ctx.violation(
                item,
                f"{name_of(item)} is enforced only by process entries or workflows of "
                f"{_names(enforcers)}, expected one of {_names(related, 'or')} "
                "(related to what it applies to)",
                "enforced_by",
            )


def _names(ids: set[str], joiner: str = "and") -> str:
    ordered = sorted(ids)
    quoted = [quote(name) for name in ordered]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} {joiner} {quoted[-1]}"


def _related_parties(indexes: Indexes, targets: list[str]) -> set[str] | None:
    """The providers related to a policy's targets (the parties that can enforce
    it); None when a target, or a party it names, does not resolve, so nothing
    can be judged."""
    related: set[str] = set()
    for target_id in targets:
        target, _known = indexes.resolve_any(target_id)
        if target is None:
            return None
        parties = _parties_of(indexes, target)
        if parties is None:
            return None
        related |= parties
    return related


def _parties_of(indexes: Indexes, target: Entity) -> set[str] | None:
    names: list[str | None] = []
    if isinstance(target, Service | Workflow | ProcessEntry):
        names.append(target.provider)
    elif isinstance(target, Agreement):
        names += [target.provider, target.customer]
    elif isinstance(target, Overlay):
        if target.integrator is not None:
            names.append(target.integrator)
        for bound_id in target.binds_to:
            bound, _known = indexes.resolve_any(bound_id)
            if bound is None:
                return None
            if isinstance(bound, Profile):
                names.append(bound.id)
            elif isinstance(bound, Service | Workflow | ProcessEntry) and bound.provider:
                names.append(bound.provider)  # a bound workflow without provider adds none
    elif isinstance(target, Profile) and target.kind in PROVIDER_KINDS:
        names.append(target.id)
    profiles = [indexes.profile(name) for name in names]
    if any(profile is None for profile in profiles):
        return None  # a workflow without provider, an unresolved party
    # only providers and suppliers run processes that can enforce anything
    return {
        profile.id for profile in profiles if profile is not None and profile.kind in PROVIDER_KINDS
    }


def _enforcing_parties(indexes: Indexes, enforcers: list[str]) -> set[str] | None:
    """The providers of a policy's enforcers; None when one of them does not
    resolve to a workflow or process entry with a known provider."""
    parties: set[str] = set()
    for enforcer_id in enforcers:
        enforcer, _known = indexes.resolve_any(enforcer_id)
        if not isinstance(enforcer, Workflow | ProcessEntry):
            return None
        if enforcer.provider is None or indexes.profile(enforcer.provider) is None:
            return None
        parties.add(enforcer.provider)
    return parties


GOVERNANCE_RULES: tuple[type[Rule], ...] = (
    PolicyNotEnforced,
    PolicyWithoutScope,
    PolicyForeignEnforcer,
)
