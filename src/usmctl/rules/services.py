"""USM401–USM407: services and agreements (SPEC §1 "service = supported facility", §3).

A USM service is a *supported facility*: a facility (goods and actions made
available for use) plus support (help to users while they use it), delivered
by a provider to its customers under an agreement, which with an external
party is a contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from usmctl.findings import Severity, Violation, quote
from usmctl.model import Agreement, Service
from usmctl.rules.base import Rule, RuleContext, describe

if TYPE_CHECKING:
    from usmctl.architecture import Architecture

# Compared lower-cased, trimmed, with trailing punctuation removed (USM407).
PLACEHOLDERS = frozenset(
    {
        "tbd", "tbc", "todo", "n/a", "na", "none", "-", "--", "?", "...", "xxx", "fixme",
        "placeholder", "lorem ipsum", "to be defined", "to be determined",
    }
)  # fmt: skip
_TRAILING_PUNCTUATION = re.compile(r"[\s.,;:!?]+$")


def is_placeholder(text: str) -> bool:
    """True for an empty description or a stand-in such as ``TBD`` or ``n/a.``."""
    normalised = " ".join(text.split()).lower()
    if normalised in PLACEHOLDERS:  # "?", "..." and "--" are all punctuation
        return True
    stripped = _TRAILING_PUNCTUATION.sub("", normalised)
    return stripped == "" or stripped in PLACEHOLDERS


def agreement_of(arch: Architecture, service: Service) -> Agreement | None:
    """The agreement a service names, when it resolves to a valid agreement."""
    if service.agreement is None:
        return None
    found = arch.get("agreements", service.agreement)
    return found if isinstance(found, Agreement) else None


def agreements_listing(arch: Architecture) -> dict[str, list[Agreement]]:
    """Service id -> agreements whose ``services`` list it (built once per run)."""
    cached: dict[str, list[Agreement]] | None = arch.cache.get("agreements_listing")
    if cached is None:
        cached = {}
        for agreement in arch.agreements:
            for service_id in dict.fromkeys(agreement.services):
                cached.setdefault(service_id, []).append(agreement)
        arch.cache["agreements_listing"] = cached
    return cached


def _missing_part(ctx: RuleContext, part: str) -> Iterator[Violation]:
    """Services without a ``facility`` or ``support`` part, or without its description."""
    for service in ctx.arch.services:
        found = getattr(service, part)
        if found is None:
            # at the key of an explicit `facility: null`, else at the service
            yield ctx.violation(service, f"{describe(service)} has no {part}", part, key=True)
        elif found.description is None:
            yield ctx.violation(
                service, f"{describe(service)} has no {part} description", part, key=True
            )


class ServiceMissingFacility(Rule):
    """A service has no facility description.

    Rationale:
        In USM a service is a supported facility: the facility is what the
        provider makes available for use (goods and actions). A service that
        does not say what it makes available is not a USM service, and neither
        provider nor customer can agree on what is delivered.

    Remediation:
        Add ``facility.description`` saying what is made available for use,
        and list the ``goods`` and ``actions`` where that helps.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: catering
            provider: acme-it
            support:
              description: Help with lunch orders

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: catering
            provider: acme-it
            facility:
              description: Lunch served in the staff restaurant every working day
            support:
              description: Help with lunch orders
    """

    code = "USM401"
    name = "service-missing-facility"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from _missing_part(ctx, "facility")


class ServiceMissingSupport(Rule):
    """A service has no support description.

    Rationale:
        In USM a service is a supported facility: support is the help users
        get while they use the facility. Without it the provider only hands
        over goods, and users have nowhere to turn when they need help.

    Remediation:
        Add ``support.description`` saying what help users get, and the
        ``hours`` and ``channels`` of that help.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: laundry
            provider: acme-it
            facility:
              description: Clean work clothes delivered every week

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: laundry
            provider: acme-it
            facility:
              description: Clean work clothes delivered every week
            support:
              description: Help with missing or damaged clothes
              hours: "Mon-Fri 08:00-17:00"
    """

    code = "USM402"
    name = "service-missing-support"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from _missing_part(ctx, "support")


class ServiceWithoutAgreement(Rule):
    """A service has no agreement, or its agreement does not list it.

    Rationale:
        USM delivers every service under an agreement between the provider
        and its customer: the agreement is where the customer's wishes enter
        the ``agree`` process. A service outside any agreement is delivered
        on goodwill, and its agreement's ``services`` list must say so too.

    Remediation:
        Set the service's ``agreement`` and add the service's id to that
        agreement's ``services``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: parking
            provider: acme-it
            customers: [acme-business]
            agreement: sa-facilities
        agreements:
          - id: sa-facilities
            provider: acme-it
            customer: acme-business
            services: []

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: parking
            provider: acme-it
            customers: [acme-business]
            agreement: sa-facilities
        agreements:
          - id: sa-facilities
            provider: acme-it
            customer: acme-business
            services: [parking]
    """

    code = "USM403"
    name = "service-without-agreement"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        listing = agreements_listing(ctx.arch)
        for service in ctx.arch.services:
            if service.agreement is None:
                listed = listing.get(service.id, [])
                hint = f" (agreement {quote(listed[0].id)} lists it)" if listed else ""
                yield ctx.violation(
                    service, f"{describe(service)} has no agreement{hint}", "agreement", key=True
                )
                continue
            agreement = agreement_of(ctx.arch, service)
            if agreement is None:
                continue  # an unresolved id is USM006's finding
            if not any(item is agreement for item in listing.get(service.id, ())):
                yield ctx.violation(
                    service,
                    f"{describe(service)}: its agreement {quote(agreement.id)} does not list "
                    f"it in services",
                    "agreement",
                )


class ServiceWithoutCustomer(Rule):
    """A service has no customers.

    Rationale:
        USM defines a service by what it means to its customers; a service
        nobody receives has no one to agree with, no one to support and no
        one whose requests drive the workflows.

    Remediation:
        List the parties that receive the service in ``customers``, or remove
        the service.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: courier
            provider: acme-it
            customers: []

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: courier
            provider: acme-it
            customers: [acme-business]
    """

    code = "USM404"
    name = "service-without-customer"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.arch.services:
            if not service.customers:
                yield ctx.violation(service, f"{describe(service)} has no customers", "customers")


class AgreementPartyMismatch(Rule):
    """A service's agreement names another provider or customer than the service.

    Rationale:
        A USM agreement binds one provider to one customer for the services
        it lists. When its parties differ from the service's provider and
        customers, the service is delivered under somebody else's agreement
        and nobody is accountable for it.

    Remediation:
        Point the service at the agreement between its own provider and
        customer, or correct the agreement's ``provider`` or ``customer``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: dev-team, kind: supplier}
          - {id: acme-business, kind: customer}
        services:
          - id: translation
            provider: acme-it
            customers: [acme-business]
            agreement: sa-translation
        agreements:
          - id: sa-translation
            provider: dev-team
            customer: acme-business
            services: [translation]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: translation
            provider: acme-it
            customers: [acme-business]
            agreement: sa-translation
        agreements:
          - id: sa-translation
            provider: acme-it
            customer: acme-business
            services: [translation]
    """

    code = "USM405"
    name = "agreement-party-mismatch"
    default_severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.arch.services:
            agreement = agreement_of(ctx.arch, service)
            if agreement is None:
                continue
            differences: list[str] = []
            if agreement.provider != service.provider:
                differences.append(
                    f"provider {quote(agreement.provider)}, expected {quote(service.provider)}"
                )
            if agreement.customer not in service.customers:
                expected = (
                    "one of " + ", ".join(quote(item) for item in service.customers)
                    if service.customers
                    else "a customer of the service (it has none)"
                )
                differences.append(f"customer {quote(agreement.customer)}, expected {expected}")
            if differences:
                yield ctx.violation(
                    service,
                    f"{describe(service)}: agreement {quote(agreement.id)} has "
                    + " and ".join(differences),
                    "agreement",
                )


class ExternalWithoutContract(Rule):
    """An external provider's agreement is not a contract.

    Rationale:
        USM agreements inside one organisation are agreements; with an
        external party the same agreement is a legally binding contract.
        Recording it as a plain agreement hides where legal terms (and
        procurement) apply.

    Remediation:
        Set ``kind: contract`` on agreements whose provider is an external
        profile (``external: true``).

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier, external: true}
        agreements:
          - id: ct-cloud
            kind: agreement
            provider: cloudco
            customer: acme-it

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier, external: true}
        agreements:
          - id: ct-cloud
            kind: contract
            provider: cloudco
            customer: acme-it
    """

    code = "USM406"
    name = "external-without-contract"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for agreement in ctx.arch.agreements:
            provider = ctx.arch.profile(agreement.provider)
            if provider is None or not provider.external or agreement.kind == "contract":
                continue
            yield ctx.violation(
                agreement,
                f"{describe(agreement)} with external provider {quote(provider.id)} is of kind "
                f'{quote(agreement.kind)}, expected "contract"',
                "kind",
            )


class PlaceholderDescription(Rule):
    """A facility or support description is empty or a placeholder (TBD, TODO, n/a, ...).

    Rationale:
        The facility and support descriptions are what makes a service a USM
        supported facility. ``TBD`` satisfies the schema but says nothing:
        the service is as undefined as one without a description.

    Remediation:
        Write what the facility makes available for use, or what help users
        get, in one or two plain sentences.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: printing
            provider: acme-it
            facility:
              description: Networked printers with paper and toner
            support:
              description: TBD

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - id: printing
            provider: acme-it
            facility:
              description: Networked printers with paper and toner
            support:
              description: Help with print jobs and jammed printers
    """

    code = "USM407"
    name = "placeholder-description"
    default_severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.arch.services:
            for part, description in (
                ("facility", service.facility.description if service.facility else None),
                ("support", service.support.description if service.support else None),
            ):
                if description is None or not is_placeholder(description):
                    continue
                shown = (
                    "is empty"
                    if not description.strip()
                    else f"{quote(description.strip())} is a placeholder"
                )
                yield ctx.violation(
                    service, f"{describe(service)}: {part} description {shown}", part, "description"
                )


SERVICE_RULES: tuple[type[Rule], ...] = (
    ServiceMissingFacility,
    ServiceMissingSupport,
    ServiceWithoutAgreement,
    ServiceWithoutCustomer,
    AgreementPartyMismatch,
    ExternalWithoutContract,
    PlaceholderDescription,
)
