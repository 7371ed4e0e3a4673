"""USM801–USM804: the supply chain (docs/usm.md, "Links and recursion": a
supplier is a provider seen from its customer, USM's "link" recursion).

Every provider link runs the same five processes and offers the same interface
(an agreement with the four request types) to the link above it. These rules
read the supply-chain graph (`usmctl.model.graph.SupplyChain`) and the agreements
between providers.
"""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.core.findings import Severity, Violation, quote
from usmctl.rules.base import Area, Rule, RuleContext, describe


class SupplyCycle(Rule):
    """The service dependency graph has a cycle.

    Rationale:
        USM's link recursion runs one way: a provider is the customer of its
        suppliers, who may be customers of theirs. A service that ends up
        depending on itself has no bottom to its supply chain: no link can
        recover or change it without the others.
        Source: docs/usm.md, "Links and recursion"; usmwiki, "The managed
        infrastructure".

    Remediation:
        Break the cycle: remove the ``depends_on`` entry that points back up
        the chain, or split the shared part into a service of its own.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - {id: backup, provider: acme-it, depends_on: [storage]}
          - {id: storage, provider: acme-it, depends_on: [backup]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - {id: backup, provider: acme-it, depends_on: [storage]}
          - {id: storage, provider: acme-it}
    """

    code = "USM801"
    name = "supply-cycle"
    default_severity = Severity.ERROR
    area = Area.SUPPLY_CHAIN

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if not ctx.has_dependencies:
            return
        for cycle in ctx.supply_chain.cycles():
            first = ctx.indexes.service(cycle[0])
            if first is None:
                continue
            following = cycle[1 % len(cycle)]
            index = first.depends_on.index(following)
            yield ctx.violation(
                first, "supply cycle: " + " → ".join([*cycle, cycle[0]]), "depends_on", index
            )


class DependencyWithoutAgreement(Rule):
    """A service depends on another provider's service without an agreement between them.

    Rationale:
        In USM a supplier is simply a provider seen from its customer: the
        depending service's provider is the supplier's customer, and every
        provider-customer relation runs under an agreement. Without it the
        supplier's service is used on goodwill and the chain has a gap.
        Source: docs/usm.md, "Links and recursion"; usmwiki, "The managed
        infrastructure".

    Remediation:
        Add an agreement (a contract with an external party) whose
        ``provider`` is the supplier and whose ``customer`` is the depending
        service's provider, listing the supplier's service.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
        services:
          - {id: workplace, provider: acme-it, depends_on: [cloud-hosting]}
          - {id: cloud-hosting, provider: cloudco, customers: [acme-it]}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
        services:
          - {id: workplace, provider: acme-it, depends_on: [cloud-hosting]}
          - id: cloud-hosting
            provider: cloudco
            customers: [acme-it]
            agreement: sa-hosting
        agreements:
          - id: sa-hosting
            provider: cloudco
            customer: acme-it
            services: [cloud-hosting]
            request_types: [wish, request-for-change, service-request, incident]
    """

    code = "USM802"
    name = "dependency-without-agreement"
    default_severity = Severity.ERROR
    area = Area.SUPPLY_CHAIN
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service, index, dependency, agreements in ctx.indexes.cross_provider_dependencies:
            if agreements:
                continue
            yield ctx.violation(
                service,
                f"{describe(service)} depends on service {quote(dependency.id)} of "
                f"{quote(dependency.provider)}, but no agreement has provider "
                f"{quote(dependency.provider)} and customer {quote(service.provider)}",
                "depends_on",
                index,
            )


class SupplierNotALink(Rule):
    """A service depends on a supplier whose agreement with the provider lists no request types.

    Rationale:
        USM's recursion makes every supplier a provider link with the same
        interface: its customer enters the supplier's processes through the
        four request types (wish, request-for-change, service-request,
        incident). For an external party only that outside is specified,
        so an agreement without request types leaves the link without its
        standard interface. Source: docs/usm.md, "Request types and
        triggers"; usm-portal (USM's official portal).

    Remediation:
        List the request types the supplier accepts in the agreement's
        ``request_types`` (normally all four).

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: mailco, kind: supplier, external: true}
        services:
          - {id: email, provider: acme-it, depends_on: [mail-relay]}
          - {id: mail-relay, provider: mailco, agreement: ct-mailco}
        agreements:
          - id: ct-mailco
            kind: contract
            provider: mailco
            customer: acme-it
            services: [mail-relay]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: mailco, kind: supplier, external: true}
        services:
          - {id: email, provider: acme-it, depends_on: [mail-relay]}
          - {id: mail-relay, provider: mailco, agreement: ct-mailco}
        agreements:
          - id: ct-mailco
            kind: contract
            provider: mailco
            customer: acme-it
            services: [mail-relay]
            request_types: [wish, request-for-change, service-request, incident]
    """

    code = "USM803"
    name = "supplier-not-a-link"
    default_severity = Severity.WARNING
    area = Area.SUPPLY_CHAIN

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service, index, dependency, agreements in ctx.indexes.cross_provider_dependencies:
            if not agreements:
                continue  # no agreement at all is USM802's finding
            # The agreements that list the supplier's service speak for it, if any.
            listing = ctx.indexes.agreements_listing.get(dependency.id, ())
            relevant = [item for item in agreements if any(item is other for other in listing)]
            relevant = relevant or agreements
            if any(item.request_types for item in relevant):
                continue
            agreement = relevant[0]
            yield ctx.violation(
                service,
                f"{describe(service)} depends on service {quote(dependency.id)} of "
                f"{quote(dependency.provider)}, whose {agreement.kind} {quote(agreement.id)} "
                "lists no request_types",
                "depends_on",
                index,
            )


class RecursionTooDeep(Rule):
    """The supply chain is deeper than the configured limit (default 5).

    Rationale:
        USM's link recursion lets a chain of suppliers grow without bound,
        and every link adds an agreement, five processes and a hand-over.
        A very deep chain is often a sign that internal teams are modelled
        as separate providers where one provider with several services would
        do. Source: docs/usm.md, "Links and recursion"; usmwiki, "The managed
        infrastructure".

    Remediation:
        Check whether some links can merge into one provider, or raise
        ``max-depth`` in the configuration when the depth is real.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - {id: s1, provider: acme-it, depends_on: [s2]}
          - {id: s2, provider: acme-it, depends_on: [s3]}
          - {id: s3, provider: acme-it, depends_on: [s4]}
          - {id: s4, provider: acme-it, depends_on: [s5]}
          - {id: s5, provider: acme-it, depends_on: [s6]}
          - {id: s6, provider: acme-it}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - {id: s1, provider: acme-it, depends_on: [s2]}
          - {id: s2, provider: acme-it, depends_on: [s3]}
          - {id: s3, provider: acme-it}
    """

    code = "USM804"
    name = "recursion-too-deep"
    default_severity = Severity.INFO
    area = Area.SUPPLY_CHAIN

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        if not ctx.has_dependencies:
            return  # every chain is one service long, within any max-depth (>= 1)
        for service_id, depth in ctx.supply_chain.too_deep(ctx.max_depth):
            service = ctx.indexes.service(service_id)
            if service is None:
                continue
            yield ctx.violation(
                service,
                f"{describe(service)} heads a supply chain {depth} services deep, "
                f"past the limit of {ctx.max_depth} (max-depth)",
                "depends_on",
                key=True,
            )


RECURSION_RULES: tuple[type[Rule], ...] = (
    SupplyCycle,
    DependencyWithoutAgreement,
    SupplierNotALink,
    RecursionTooDeep,
)
