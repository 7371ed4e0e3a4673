"""USM401–USM411: services and agreements (docs/usm.md, "Services are supported
facilities" and "Agreements and contracts").

A USM service is a *supported facility*: a facility (goods and actions made
available for use) plus support (help to users while they use it), delivered
by a provider to its customers under an agreement, which with an external
party is a contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from usmctl.core.findings import Severity, Violation, quote
from usmctl.core.fixes import FixPlan, inserting
from usmctl.model.usm import PROVIDER_KINDS, REQUEST_TYPES
from usmctl.rules.base import Area, Rule, RuleContext, describe
from usmctl.rules.helpers import plural, salvaged

if TYPE_CHECKING:
    from usmctl.model.architecture import Architecture
    from usmctl.model.entities import Service

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


# The description a missing part's fix writes: USM407 reports it until the
# architect writes what the service makes available (or what help users get).
_TO_WRITE = "TBD"


def _missing_part(ctx: RuleContext, part: str) -> Iterator[Violation]:
    """Services without a ``facility`` or ``support`` part, or without its description.
    The fix adds the part (or its description) with a description to write."""
    for service in ctx.arch.services:
        found = getattr(service, part)
        if found is None:
            # at the key of an explicit `facility: null`, else at the service
            yield ctx.violation(
                service,
                f"{describe(service)} has no {part}",
                part,
                key=True,
                fix=_adding(ctx, service, (), f"{part}:\n  description: {_TO_WRITE}", part),
            )
        elif found.description is None:
            yield ctx.violation(
                service,
                f"{describe(service)} has no {part} description",
                part,
                key=True,
                fix=_adding(ctx, service, (part,), f"description: {_TO_WRITE}", part),
            )


def _adding(
    ctx: RuleContext, service: Service, fields: tuple[str, ...], text: str, part: str
) -> FixPlan | None:
    anchor = ctx.at(service, *fields).anchor
    title = f"Add a {part} description to write"
    return None if anchor is None else inserting(anchor, text, title=title)


class ServiceMissingFacility(Rule):
    """A service has no facility description.

    Rationale:
        In USM a service is a supported facility: the facility is what the
        provider makes available for use (goods and actions). A service that
        does not say what it makes available is not a USM service, and neither
        provider nor customer can agree on what is delivered. Source:
        docs/usm.md, "Services are supported facilities"; usm-portal (USM's
        official portal).

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
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from _missing_part(ctx, "facility")


class ServiceMissingSupport(Rule):
    """A service has no support description.

    Rationale:
        In USM a service is a supported facility: support is the help users
        get while they use the facility. Without it the provider only hands
        over goods, and users have nowhere to turn when they need help.
        Source: docs/usm.md, "Services are supported facilities"; usm-portal
        (USM's official portal).

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
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from _missing_part(ctx, "support")


class ServiceWithoutAgreement(Rule):
    """A service has no agreement, or its agreement does not list it.

    Rationale:
        USM delivers every service under an agreement between the provider
        and its customer: the agreement is where the customer's wishes enter
        the ``agree`` process. A service outside any agreement is delivered
        on goodwill, and its agreement's ``services`` list must say so too.
        Source: docs/usm.md, "Agreements and contracts"; usm-portal (USM's
        official portal).

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
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        listing = ctx.indexes.agreements_listing
        for service in ctx.arch.services:
            if service.agreement is None:
                listed = listing.get(service.id, [])
                hint = f" (agreement {quote(listed[0].id)} lists it)" if listed else ""
                yield ctx.violation(
                    service, f"{describe(service)} has no agreement{hint}", "agreement", key=True
                )
                continue
            agreement = ctx.indexes.agreement(service.agreement)
            if agreement is None:
                continue  # an unresolved id is USM006's finding
            if service.id not in agreement.services:
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
        one whose requests drive the workflows. Source: docs/usm.md, "Services
        are supported facilities"; usmwiki, "The customer's demand".

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
    area = Area.SERVICES

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
        and nobody is accountable for it. Source: docs/usm.md, "Agreements and
        contracts"; usm-portal (USM's official portal).

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
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.arch.services:
            agreement = ctx.indexes.agreement(service.agreement)
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
        procurement) apply. Source: docs/usm.md, "Agreements and contracts";
        usm-portal (USM's official portal).

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
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for agreement in ctx.arch.agreements:
            provider = ctx.indexes.profile(agreement.provider)
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
        the service is as undefined as one without a description. Source:
        docs/usm.md, "Services are supported facilities"; usm-portal (USM's
        official portal).

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
    area = Area.SERVICES

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


class PartialRequestInterface(Rule):
    """An agreement lists ``request_types`` that leave out some of the four request types.

    Rationale:
        USM gives every provider link the same standard interface: the
        customer may bring a wish (to ``agree``), a request for change (to
        ``change``), a service request (to ``operate``) and an incident (to
        ``recover``). An agreement that leaves a type out leaves its customer
        without a way in for that kind of demand, inside the organisation and
        between businesses alike. An agreement that lists no ``request_types``
        says nothing about its interface and is not this rule's finding.
        Source: docs/usm.md, "Request types and triggers"; usmwiki, "The
        customer's demand".

    Remediation:
        List all four types in ``request_types``: ``[wish,
        request-for-change, service-request, incident]``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        agreements:
          - id: sa-workplace
            provider: acme-it
            customer: acme-business
            request_types: [service-request, incident]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        agreements:
          - id: sa-workplace
            provider: acme-it
            customer: acme-business
            request_types: [wish, request-for-change, service-request, incident]
    """

    code = "USM408"
    name = "partial-request-interface"
    default_severity = Severity.WARNING
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for agreement in ctx.arch.agreements:
            if not agreement.request_types or salvaged(agreement, "request_types"):
                continue  # none listed: not specified (USM803 for a supplier link)
            missing = [name for name in REQUEST_TYPES if name not in agreement.request_types]
            if not missing:
                continue
            yield ctx.violation(
                agreement,
                f"{agreement.kind} {quote(agreement.id)} leaves out request "
                f"{plural(len(missing), 'type')} {', '.join(quote(name) for name in missing)}: "
                f"expected all four ({', '.join(REQUEST_TYPES)})",
                "request_types",
            )


class CustomerWithoutAgreement(Rule):
    """A customer of a service is party to no agreement of the service's provider that lists it.

    Rationale:
        USM delivers a service to each customer under an agreement between
        the provider and that customer: it is where that customer's demand
        enters the provider's processes. When a service has several customers
        and its agreement names only one, the others receive it without any
        agreement. Source: docs/usm.md, "Agreements and contracts";
        usm-portal (USM's official portal).

    Remediation:
        Add an agreement between the service's provider and the customer that
        lists the service, or remove the customer from ``customers``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
          - {id: acme-labs, kind: customer}
        services:
          - id: workplace
            provider: acme-it
            customers: [acme-business, acme-labs]
            agreement: sa-workplace
        agreements:
          - id: sa-workplace
            provider: acme-it
            customer: acme-business
            services: [workplace]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
          - {id: acme-labs, kind: customer}
        services:
          - id: workplace
            provider: acme-it
            customers: [acme-business, acme-labs]
            agreement: sa-workplace
        agreements:
          - id: sa-workplace
            provider: acme-it
            customer: acme-business
            services: [workplace]
          - id: sa-workplace-labs
            provider: acme-it
            customer: acme-labs
            services: [workplace]
    """

    code = "USM409"
    name = "customer-without-agreement"
    default_severity = Severity.WARNING
    area = Area.SERVICES
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if _some_agreement_failed(ctx.arch):
            return  # the agreement left out of the model may be the missing one
        listing = ctx.indexes.agreements_listing
        for service in ctx.arch.services:
            own = ctx.indexes.agreement(service.agreement)
            if (
                own is None
                or own.provider != service.provider
                or own.customer not in service.customers
                or service.id not in own.services
            ):
                continue  # no agreement or the wrong one: USM403, USM405 or USM006
            covered = {
                item.customer
                for item in listing.get(service.id, ())
                if item.provider == service.provider
            }
            for index, customer in enumerate(service.customers):
                if customer in covered or ctx.indexes.profile(customer) is None:
                    continue  # an unresolved customer is USM006's finding
                if customer == service.provider:
                    continue  # the provider as its own customer is USM411's finding
                yield ctx.violation(
                    service,
                    f"{describe(service)}: customer {quote(customer)} has no agreement for "
                    f"it, expected an agreement between {quote(service.provider)} and "
                    f"{quote(customer)} that lists {quote(service.id)}",
                    "customers",
                    index,
                )


class InternalContract(Rule):
    """A contract between two internal parties.

    Rationale:
        In USM a contract is an agreement with legal and financial
        consequences, made between businesses: with an external party.
        Between two parties of the same organisation the same arrangement is
        an agreement; calling it a contract suggests legal terms and
        procurement that do not apply, or hides that a party is in fact
        external. Source: docs/usm.md, "Agreements and contracts";
        usm-portal (USM's official portal).

    Remediation:
        Set ``kind: agreement``, or mark the party that is a separate
        business ``external: true``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        agreements:
          - id: sa-workplace
            kind: contract
            provider: acme-it
            customer: acme-business

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        agreements:
          - id: sa-workplace
            kind: agreement
            provider: acme-it
            customer: acme-business
    """

    code = "USM410"
    name = "internal-contract"
    default_severity = Severity.INFO
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for agreement in ctx.arch.agreements:
            if agreement.kind != "contract":
                continue
            provider = ctx.indexes.profile(agreement.provider)
            customer = ctx.indexes.profile(agreement.customer)
            if provider is None or customer is None or provider.external or customer.external:
                continue  # unresolved parties are USM006's finding
            if salvaged(provider, "external") or salvaged(customer, "external"):
                continue  # `external: "yes"` is USM003's finding
            yield ctx.violation(
                agreement,
                f"contract {quote(agreement.id)} is between two internal parties, "
                f'{quote(provider.id)} and {quote(customer.id)}: expected kind "agreement", '
                "or the external party marked external: true",
                "kind",
            )


class ServiceSelfCustomer(Rule):
    """A service lists its own provider among its customers.

    Rationale:
        In USM service delivery is an interaction between two parties: a
        provider delivers the service to a customer under an agreement, and an
        agreement needs at least two parties, the provider and the customer.
        A provider listed as a customer of its own service would agree with
        itself and bring its own wishes, changes and incidents into its own
        processes as if from outside; what a provider does for itself is the
        work of its own processes and workflows, not a service it delivers.
        Source: docs/usm.md, "Services are supported facilities"; usmwiki,
        "Agreement".

    Remediation:
        Remove the provider from ``customers``. If another team of the same
        organisation receives the service, give it a profile of its own and
        list that; if the service is built on another provider's service,
        that provider is the supplier (``depends_on``).

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: monitoring
            provider: acme-it
            customers: [acme-business, acme-it]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: monitoring
            provider: acme-it
            customers: [acme-business]
    """

    code = "USM411"
    name = "service-self-customer"
    default_severity = Severity.WARNING
    area = Area.SERVICES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.arch.services:
            provider = ctx.indexes.profile(service.provider)
            if provider is None or provider.kind not in PROVIDER_KINDS:
                continue  # an unresolved or wrong-kind provider is USM006's or USM007's
            for index, customer in enumerate(service.customers):
                if customer == provider.id:
                    yield ctx.violation(
                        service,
                        f"{describe(service)} lists its own provider {quote(provider.id)} "
                        "among its customers: expected parties other than the provider",
                        "customers",
                        index,
                    )


def _some_agreement_failed(arch: Architecture) -> bool:
    """Whether an agreement was declared but left out of the model (USM003)."""
    return len(arch.known_ids.get("agreements", ())) > len(arch.agreements)


SERVICE_RULES: tuple[type[Rule], ...] = (
    ServiceMissingFacility,
    ServiceMissingSupport,
    ServiceWithoutAgreement,
    ServiceWithoutCustomer,
    AgreementPartyMismatch,
    ExternalWithoutContract,
    PlaceholderDescription,
    PartialRequestInterface,
    CustomerWithoutAgreement,
    InternalContract,
    ServiceSelfCustomer,
)
