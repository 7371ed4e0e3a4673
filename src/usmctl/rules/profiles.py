"""USM101–USM104: parties and operator profiles (docs/usm.md, "Profiles, operators and RACI")."""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.core.findings import Severity, Violation, quote
from usmctl.model.usm import PROVIDER_KINDS
from usmctl.rules.base import Area, Rule, RuleContext
from usmctl.rules.helpers import party


class ProviderWithoutServices(Rule):
    """A provider or supplier profile provides no service.

    Rationale:
        In USM a provider exists to deliver services: supported facilities
        under an agreement. A provider that delivers nothing is either a
        forgotten service or a profile that should not be a provider.
        Source: docs/usm.md, "Services are supported facilities"; usmwiki,
        "The customer's demand".

    Remediation:
        Declare the services it provides (``services[].provider``), change its
        ``kind`` (a customer, or an operator inside another provider), or
        remove the profile.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}

    Good:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
          - {id: acme-it, kind: provider}
        services:
          - id: workplace
            provider: acme-it
            customers: [acme-business]
    """

    code = "USM101"
    name = "provider-without-services"
    default_severity = Severity.WARNING
    area = Area.PROFILES
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        providing = ctx.indexes.services_by_provider
        for profile in ctx.arch.profiles:
            if profile.kind in PROVIDER_KINDS and profile.id not in providing:
                yield ctx.violation(
                    profile,
                    f"{party(profile)} provides no service: declare its services "
                    "or change its kind",
                    "id",
                )


class CustomerWithoutServices(Rule):
    """A customer profile receives no service.

    Rationale:
        USM defines the customer through the services it receives under an
        agreement; a customer no service is delivered to has no agreed
        facility, no support and no standard way to raise a request.
        Source: docs/usm.md, "Agreements and contracts"; usmwiki, "The
        customer's demand".

    Remediation:
        List the customer in ``customers`` of the services it uses, or remove
        the profile.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}

    Good:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
          - {id: acme-it, kind: provider}
        services:
          - id: workplace
            provider: acme-it
            customers: [acme-business]
    """

    code = "USM102"
    name = "customer-without-services"
    default_severity = Severity.WARNING
    area = Area.PROFILES
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        served = ctx.indexes.served_customers
        for profile in ctx.arch.profiles:
            if profile.kind == "customer" and profile.id not in served:
                yield ctx.violation(
                    profile,
                    f"{party(profile)} receives no service: list it in the customers "
                    "of the services it uses",
                    "id",
                )


class OperatorWithoutProvider(Rule):
    """An operator profile has no ``of``, or its ``of`` is not a provider or supplier.

    Rationale:
        Operator profiles are the roles inside a provider that workflow steps
        assign through RACI; every provider link runs its own five processes
        with its own people, so an operator must belong to exactly one
        provider or (internal or external) supplier.
        Source: docs/usm.md, "Profiles, operators and RACI"; the USM-WIF
        proposal (SURVUZ, 2021).

    Remediation:
        Set ``of`` to the provider or supplier the operator works for.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator, of: acme-it}
    """

    code = "USM103"
    name = "operator-without-provider"
    default_severity = Severity.ERROR
    area = Area.PROFILES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for profile in ctx.arch.profiles:
            if profile.kind != "operator":
                continue
            if profile.of is None:
                yield ctx.violation(
                    profile,
                    f'{party(profile)} has no "of": name the provider or supplier it works for',
                    "id",
                )
                continue
            owner = ctx.indexes.profile(profile.of)
            # `of` naming nothing is USM006's finding.
            if owner is not None and owner.kind not in PROVIDER_KINDS:
                yield ctx.violation(
                    profile,
                    f"{party(profile)}: of names {owner.kind} {quote(owner.id)}, "
                    "expected a provider or supplier",
                    "of",
                )


class UnusedProfile(Rule):
    """A profile is never referenced.

    Rationale:
        Every USM profile plays a part in the model: a party provides or
        receives services under agreements, an operator owns a process or
        takes part in a workflow step. A profile nothing refers to is dead
        weight or a missing link.
        Source: docs/usm.md, "Profiles, operators and RACI"; usm-portal (USM's
        official portal).

    Remediation:
        Reference the profile where it plays its part (a service, agreement,
        process owner or RACI entry), or remove it.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator, of: acme-it}
          - {id: night-guard, kind: operator, of: acme-it}
        processes:
          - {provider: acme-it, process: recover, owner: desk-agent}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator, of: acme-it}
        processes:
          - {provider: acme-it, process: recover, owner: desk-agent}
    """

    code = "USM104"
    name = "unused-profile"
    default_severity = Severity.INFO
    area = Area.PROFILES
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        referenced = ctx.indexes.referenced_ids
        for profile in ctx.arch.profiles:
            if profile.id not in referenced:
                yield ctx.violation(
                    profile,
                    f"{party(profile)} is never referenced: use it or remove it",
                    "id",
                )


PROFILE_RULES: tuple[type[Rule], ...] = (
    ProviderWithoutServices,
    CustomerWithoutServices,
    OperatorWithoutProvider,
    UnusedProfile,
)
