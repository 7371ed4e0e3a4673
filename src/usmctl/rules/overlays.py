"""USM601–USM607: overlays such as SIAM, DVMS and XLA sit on the management
system (docs/usm.md, "Governance, overlays, practices and tools").

An overlay adds nothing by itself: it must sit on the USM management system
(bind to its providers, services or workflows) and use what that system
offers: an integrator and suppliers for SIAM, governance and the ``improve``
loop for DVMS, services to measure for XLA.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from usmctl.core.findings import Severity, Violation, quote
from usmctl.model.entities import Overlay
from usmctl.model.salvage import as_written
from usmctl.model.usm import PROVIDER_KINDS
from usmctl.rules.base import Area, Rule, RuleContext, describe
from usmctl.rules.helpers import salvaged

if TYPE_CHECKING:
    pass


class OverlayUnbound(Rule):
    """An overlay binds to nothing.

    Rationale:
        Overlays such as SIAM, DVMS and XLA sit on the USM management system;
        one that binds to no provider, service or workflow is glue on sand:
        it changes nothing anybody does. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

    Remediation:
        List in ``binds_to`` the providers, services or workflows the overlay
        works through.

    Bad:
        usm: "1"
        overlays:
          - id: lean-overlay
            kind: other
            binds_to: []

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        overlays:
          - id: lean-overlay
            kind: other
            binds_to: [acme-it]
    """

    code = "USM601"
    name = "overlay-unbound"
    default_severity = Severity.ERROR
    area = Area.OVERLAYS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for overlay in ctx.arch.overlays:
            if not overlay.binds_to:
                yield ctx.violation(overlay, f"{describe(overlay)} binds to nothing", "binds_to")


class SiamSingleSupplier(Rule):
    """A SIAM overlay integrates fewer than two suppliers.

    Rationale:
        SIAM integrates several providers into one end-to-end service; in USM
        each is a provider link running the same five processes. With one
        supplier besides the integrator there is nothing to integrate: a
        plain agreement between two links does the job. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

    Remediation:
        Bind the overlay to every supplier it integrates, or drop the overlay
        and rely on the agreement between the two providers.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier, external: true}
        overlays:
          - id: siam
            kind: siam
            integrator: acme-it
            binds_to: [acme-it, cloudco]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier, external: true}
          - {id: netlink, kind: supplier, external: true}
        overlays:
          - id: siam
            kind: siam
            integrator: acme-it
            binds_to: [acme-it, cloudco, netlink]
    """

    code = "USM602"
    name = "siam-single-supplier"
    default_severity = Severity.WARNING
    area = Area.OVERLAYS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for overlay in ctx.arch.overlays:
            if overlay.kind != "siam" or not overlay.binds_to:
                continue  # an unbound overlay is USM601's finding
            suppliers: list[str] = []
            for bound in dict.fromkeys(overlay.binds_to):
                profile = ctx.indexes.profile(bound)
                if (
                    profile is not None
                    and profile.kind in PROVIDER_KINDS
                    and profile.id != overlay.integrator
                ):
                    suppliers.append(profile.id)
            if len(suppliers) >= 2:
                continue
            named = f" ({quote(suppliers[0])})" if suppliers else ""
            yield ctx.violation(
                overlay,
                f"{describe(overlay)} integrates {len(suppliers)} "
                f"supplier{'' if len(suppliers) == 1 else 's'}{named}, "
                "expected at least 2 besides the integrator",
                "binds_to",
            )


class SiamWithoutIntegrator(Rule):
    """A SIAM overlay names no integrator provider.

    Rationale:
        In SIAM one provider, the integrator, takes end-to-end responsibility
        towards the customer and manages the other providers as its
        suppliers. In USM terms it is the provider at the top of the supply
        chain; without it nobody owns the integrated service. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

    Remediation:
        Set ``integrator`` to the provider that integrates the others.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
          - {id: netlink, kind: supplier}
        overlays:
          - id: siam
            kind: siam
            binds_to: [acme-it, cloudco, netlink]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
          - {id: netlink, kind: supplier}
        overlays:
          - id: siam
            kind: siam
            integrator: acme-it
            binds_to: [acme-it, cloudco, netlink]
    """

    code = "USM603"
    name = "siam-without-integrator"
    default_severity = Severity.ERROR
    area = Area.OVERLAYS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for overlay in ctx.arch.overlays:
            if overlay.kind == "siam" and overlay.integrator is None:
                yield ctx.violation(
                    overlay, f"{describe(overlay)} names no integrator", "integrator", key=True
                )


class DvmsWithoutLoop(Rule):
    """A DVMS overlay has no governance item and no ``improve`` inputs to run its loop.

    Rationale:
        DVMS (the Digital Value Management System) is a governance and
        continual-improvement loop. On USM it runs through governance items
        that apply to what it binds and through the ``improve`` process of
        the bound providers, fed by their workflows; with neither, the loop
        has nothing to turn. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

    Remediation:
        Add a governance item whose ``applies_to`` names the overlay or what
        it binds, or give the bound providers' ``improve`` process entries
        ``inputs``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        overlays:
          - id: dvms
            kind: dvms
            binds_to: [acme-it]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: improve, inputs: [wf-incident]}
        workflows:
          - {id: wf-incident, provider: acme-it}
        overlays:
          - id: dvms
            kind: dvms
            binds_to: [acme-it]
    """

    code = "USM604"
    name = "dvms-without-loop"
    default_severity = Severity.WARNING
    area = Area.OVERLAYS
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        governed = ctx.indexes.governed_ids
        improving = ctx.indexes.improving_providers
        for overlay in ctx.arch.overlays:
            if overlay.kind != "dvms":
                continue
            if overlay.id in governed or any(
                bound in governed or bound in improving for bound in overlay.binds_to
            ):
                continue
            yield ctx.violation(
                overlay,
                f"{describe(overlay)} has no loop: no governance item applies to it or to what "
                "it binds, and no bound provider's improve process has inputs",
            )


class XlaWithoutIndicators(Rule):
    """An XLA overlay has no indicator bound to a service.

    Rationale:
        XLA (experience level agreements) measure how the customers
        experience the services. On USM an experience indicator belongs to a
        service delivered under an agreement; an indicator of nothing
        measures nothing. Source: docs/usm.md, "Governance,
        overlays, practices and tools"; usm-portal (USM's official portal).

    Remediation:
        Add ``indicators`` with a ``name``, the ``service`` they measure and
        a ``target``.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        overlays:
          - id: xla
            kind: xla
            binds_to: [acme-it]
            indicators: []

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - {id: workplace, provider: acme-it}
        overlays:
          - id: xla
            kind: xla
            binds_to: [acme-it]
            indicators:
              - name: Employees who rate their workplace good
                service: workplace
                target: "80%"
    """

    code = "USM605"
    name = "xla-without-indicators"
    default_severity = Severity.WARNING
    area = Area.OVERLAYS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for overlay in ctx.arch.overlays:
            if overlay.kind != "xla":
                continue
            if any(
                indicator.service is not None and ctx.indexes.service(indicator.service) is not None
                for indicator in overlay.indicators
            ):
                continue
            what = "no indicators" if not overlay.indicators else "no indicator bound to a service"
            yield ctx.violation(overlay, f"{describe(overlay)} has {what}", "indicators")


class SiamIntegratorOutside(Rule):
    """A SIAM integrator is external, or not among the overlay's ``binds_to``.

    Rationale:
        The SIAM integrator takes end-to-end responsibility towards the
        customer: in USM terms it is the provider at the top of the supply
        chain, holding the agreement with the customer and the agreements
        with every supplier it integrates. An external integrator places that
        responsibility, and the customer agreement, outside the organisation:
        worth a deliberate decision. An integrator the overlay does not bind
        to sits outside the overlay it is meant to run. Source: docs/usm.md,
        "Governance, overlays, practices and tools"; usm-portal (USM's
        official portal).

    Remediation:
        Name an internal provider as ``integrator`` and list it in
        ``binds_to``, or suppress the finding where an external integrator
        is the agreed model.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
          - {id: netlink, kind: supplier}
        overlays:
          - id: siam
            kind: siam
            integrator: acme-it
            binds_to: [cloudco, netlink]

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
          - {id: netlink, kind: supplier}
        overlays:
          - id: siam
            kind: siam
            integrator: acme-it
            binds_to: [acme-it, cloudco, netlink]
    """

    code = "USM606"
    name = "siam-integrator-outside"
    default_severity = Severity.WARNING
    area = Area.OVERLAYS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for overlay in ctx.arch.overlays:
            if overlay.kind != "siam":
                continue
            integrator = ctx.indexes.profile(overlay.integrator)
            if integrator is None or integrator.kind not in PROVIDER_KINDS:
                continue  # none (USM603), unresolved (USM006) or not a provider (USM007)
            problems: list[str] = []
            if integrator.external and not salvaged(integrator, "external"):
                problems.append("is external")
            if (
                overlay.binds_to  # binding to nothing is USM601's finding
                and not salvaged(overlay, "binds_to")
                and integrator.id not in overlay.binds_to
            ):
                problems.append("is not among binds_to")
            if problems:
                yield ctx.violation(
                    overlay,
                    f"{describe(overlay)}: integrator {quote(integrator.id)} "
                    f"{' and '.join(problems)}, expected an internal provider the overlay "
                    "binds to",
                    "integrator",
                )


class XlaIndicatorIncomplete(Rule):
    """An XLA indicator has no target, or measures a service the overlay does not bind.

    Rationale:
        An experience indicator is only an agreement when it says what level
        the experience should reach (``target``), and an XLA overlay only
        measures what it sits on: the indicator's service, or the provider
        of that service, must be among the overlay's ``binds_to``. Otherwise
        the overlay reports on a service outside its own scope. Source:
        docs/usm.md, "Governance, overlays, practices and tools"; usm-portal
        (USM's official portal).

    Remediation:
        Give each indicator a ``target``, and bind the overlay to the
        indicator's service or to that service's provider.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - {id: workplace, provider: acme-it}
        overlays:
          - id: xla
            kind: xla
            binds_to: [acme-it]
            indicators:
              - name: Employees who rate their workplace good
                service: workplace

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        services:
          - {id: workplace, provider: acme-it}
        overlays:
          - id: xla
            kind: xla
            binds_to: [acme-it]
            indicators:
              - name: Employees who rate their workplace good
                service: workplace
                target: "80%"
    """

    code = "USM607"
    name = "xla-indicator-incomplete"
    default_severity = Severity.WARNING
    area = Area.OVERLAYS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for overlay in ctx.arch.overlays:
            if overlay.kind != "xla":
                continue
            judge_binding = bool(overlay.binds_to) and not salvaged(overlay, "binds_to")
            for index, indicator in enumerate(overlay.indicators):
                label = f"{describe(overlay)}: indicator {quote(indicator.name)}"
                if indicator.target is None and not _indicator_salvaged(overlay, index, "target"):
                    yield ctx.violation(
                        overlay,
                        f"{label} has no target, expected the level the experience should reach",
                        "indicators",
                        index,
                        "target",
                        key=True,
                    )
                if not judge_binding or indicator.service is None:
                    continue
                service = ctx.indexes.service(indicator.service)
                if service is None or ctx.indexes.profile(service.provider) is None:
                    continue  # an unresolved service or provider is USM006's finding
                if service.id in overlay.binds_to or service.provider in overlay.binds_to:
                    continue
                yield ctx.violation(
                    overlay,
                    f"{label} measures service {quote(service.id)}, which the overlay does not "
                    f"bind: expected {quote(service.id)} or its provider "
                    f"{quote(service.provider)} among binds_to",
                    "indicators",
                    index,
                    "service",
                )


def _indicator_salvaged(overlay: Overlay, index: int, field: str) -> bool:
    """Whether salvage removed a field of the ``index``-th kept indicator."""
    written = as_written(overlay, ("indicators", index, field))
    return any(path[: len(written)] == written for path in overlay.origin.removed)


OVERLAY_RULES: tuple[type[Rule], ...] = (
    OverlayUnbound,
    SiamSingleSupplier,
    SiamWithoutIntegrator,
    DvmsWithoutLoop,
    XlaWithoutIndicators,
    SiamIntegratorOutside,
    XlaIndicatorIncomplete,
)
