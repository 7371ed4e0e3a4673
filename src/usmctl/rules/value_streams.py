"""USM901–USM906: value streams map customer value through services and
workflows (docs/usm.md, "Value streams").

A stage of a value stream is where the customer gets value from a service;
in USM that value is delivered by a workflow, and only to the service's own
customers.
"""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.core.findings import Severity, Violation, quote
from usmctl.model.entities import Service, Stage, Workflow
from usmctl.model.usm import REQUEST_TYPES
from usmctl.rules.base import Area, Rule, RuleContext, describe
from usmctl.rules.helpers import salvaged


class ValueStreamWithoutWorkflow(Rule):
    """A value-stream stage names no workflow.

    Rationale:
        In USM the customer's value is delivered by workflows: every request
        enters one of the standard workflows of the provider. A stage without
        a workflow is a wish on a slide; nobody can tell which process
        delivers it. Source: docs/usm.md, "Value streams"; usmwiki, "The
        customer's demand".

    Remediation:
        Set the stage's ``workflow`` to the workflow that delivers the stage.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages:
              - {name: Order a workplace}

    Good:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
        workflows:
          - {id: wf-service-request}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages:
              - {name: Order a workplace, workflow: wf-service-request}
    """

    code = "USM901"
    name = "value-stream-without-workflow"
    default_severity = Severity.WARNING
    area = Area.VALUE_STREAMS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for stream in ctx.arch.value_streams:
            for index, stage in enumerate(stream.stages):
                if stage.workflow is None:
                    yield ctx.violation(
                        stream,
                        f"{describe(stream)}: stage {quote(stage.name)} names no workflow",
                        "stages",
                        index,
                    )


class ValueStreamForeignService(Rule):
    """A stage's service is not delivered to the stream's customer.

    Rationale:
        A value stream follows one customer's value; in USM a service is
        delivered to the customers its agreement names. A stage that uses a
        service the customer does not receive maps value the customer cannot
        get. Source: docs/usm.md, "Value streams"; usm-portal (USM's official
        portal).

    Remediation:
        Use a service that lists the stream's customer in ``customers``, or
        add the customer to the service (and its agreement).

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - {id: backup, provider: acme-it, customers: [acme-it]}
        value_streams:
          - id: vs-files
            customer: acme-business
            stages:
              - {name: Restore lost files, service: backup}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - {id: backup, provider: acme-it, customers: [acme-business]}
        value_streams:
          - id: vs-files
            customer: acme-business
            stages:
              - {name: Restore lost files, service: backup}
    """

    code = "USM902"
    name = "value-stream-foreign-service"
    default_severity = Severity.ERROR
    area = Area.VALUE_STREAMS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for stream in ctx.arch.value_streams:
            if stream.customer is None:
                continue
            for index, stage in enumerate(stream.stages):
                if stage.service is None:
                    continue
                service = ctx.indexes.service(stage.service)
                if service is None or stream.customer in service.customers:
                    continue
                yield ctx.violation(
                    stream,
                    f"{describe(stream)}: stage {quote(stage.name)} uses service "
                    f"{quote(service.id)}, which is not delivered to {quote(stream.customer)}",
                    "stages",
                    index,
                    "service",
                )


class ValueStreamForeignWorkflow(Rule):
    """A stage's workflow belongs to another provider than the stage's service.

    Rationale:
        In USM every provider runs its own processes and workflows for the
        services it delivers; a supplier's work reaches the customer through
        the provider's own workflows, over the agreement between the two
        (USM's link recursion). A stage that delivers one provider's service
        with another provider's workflow maps value through work nobody
        accountable for the service runs. Source: docs/usm.md, "Value
        streams"; usmwiki, "The managed infrastructure".

    Remediation:
        Use a workflow of the service's provider for the stage, or the
        service of the workflow's provider.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: cloudco, kind: supplier}
          - {id: acme-business, kind: customer}
        services:
          - {id: workplace, provider: acme-it, customers: [acme-business]}
        workflows:
          - {id: cloud-service-request, provider: cloudco}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages:
              - {name: Order a workplace, service: workplace, workflow: cloud-service-request}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - {id: workplace, provider: acme-it, customers: [acme-business]}
        workflows:
          - {id: it-service-request, provider: acme-it}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages:
              - {name: Order a workplace, service: workplace, workflow: it-service-request}
    """

    code = "USM904"
    name = "value-stream-foreign-workflow"
    default_severity = Severity.ERROR
    area = Area.VALUE_STREAMS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for stream in ctx.arch.value_streams:
            for index, stage in enumerate(stream.stages):
                pair = _service_and_workflow(ctx, stage)
                if pair is None:
                    continue
                service, workflow = pair
                if workflow.provider == service.provider or (
                    stream.customer is not None and stream.customer not in service.customers
                ):
                    continue  # the same provider, or the wrong service (USM902)
                yield ctx.violation(
                    stream,
                    f"{describe(stream)}: stage {quote(stage.name)} uses workflow "
                    f"{quote(workflow.id)} of {quote(workflow.provider)}, expected a workflow "
                    f"of {quote(service.provider)}, the provider of service {quote(service.id)}",
                    "stages",
                    index,
                    "workflow",
                )


class ValueStreamEmpty(Rule):
    """A value stream has no stages.

    Rationale:
        A value stream maps how a customer gets value through the provider's
        services and workflows, stage by stage. Without stages it maps
        nothing: it names a customer and stops there. Source: docs/usm.md,
        "Value streams"; usm-portal (USM's official portal).

    Remediation:
        Add ``stages``, each naming the ``service`` the customer uses and the
        ``workflow`` that delivers it, or remove the value stream.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages: []

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - {id: workplace, provider: acme-it, customers: [acme-business]}
        workflows:
          - {id: it-service-request, provider: acme-it}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages:
              - {name: Order a workplace, service: workplace, workflow: it-service-request}
    """

    code = "USM905"
    name = "value-stream-empty"
    default_severity = Severity.WARNING
    area = Area.VALUE_STREAMS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for stream in ctx.arch.value_streams:
            if stream.stages or salvaged(stream, "stages"):
                continue  # stages salvage removed are USM003's finding
            yield ctx.violation(
                stream,
                f"{describe(stream)} has no stages, expected at least one stage naming a "
                "service and the workflow that delivers it",
                "stages",
                key=True,
            )


class ValueStreamRequestType(Rule):
    """A stage's workflow is triggered by a request type the customer's agreement does not list.

    Rationale:
        Every reactive USM workflow starts from one of the customer's four
        request types (a wish, a request for change, a service request or an
        incident), and the agreement between provider and customer lists the
        types the customer may bring. A stage delivered by a workflow whose
        trigger the customer's agreement does not list maps value the
        customer has no agreed way to ask for. The trigger is the one the
        active catalogue gives the workflow's type. An agreement without
        ``request_types`` is not judged. Source: docs/usm.md, "Value
        streams"; usmwiki, "The customer's demand".

    Remediation:
        Add the request type to ``request_types`` of the agreement between
        the service's provider and the stream's customer, or use a workflow
        whose trigger the agreement lists.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: workplace
            provider: acme-it
            customers: [acme-business]
            agreement: sa-workplace
        agreements:
          - id: sa-workplace
            provider: acme-it
            customer: acme-business
            services: [workplace]
            request_types: [wish, request-for-change, service-request]
        workflows:
          - {id: it-incident, provider: acme-it, type: incident}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages:
              - {name: Get back to work, service: workplace, workflow: it-incident}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: acme-business, kind: customer}
        services:
          - id: workplace
            provider: acme-it
            customers: [acme-business]
            agreement: sa-workplace
        agreements:
          - id: sa-workplace
            provider: acme-it
            customer: acme-business
            services: [workplace]
            request_types: [wish, request-for-change, service-request, incident]
        workflows:
          - {id: it-incident, provider: acme-it, type: incident}
        value_streams:
          - id: vs-office
            customer: acme-business
            stages:
              - {name: Get back to work, service: workplace, workflow: it-incident}
    """

    code = "USM906"
    name = "value-stream-request-type"
    default_severity = Severity.WARNING
    area = Area.VALUE_STREAMS

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        listing = ctx.indexes.agreements_listing
        for stream in ctx.arch.value_streams:
            customer = ctx.indexes.profile(stream.customer)
            if customer is None:
                continue  # no customer, or an unresolved one (USM006)
            for index, stage in enumerate(stream.stages):
                pair = _service_and_workflow(ctx, stage)
                if pair is None:
                    continue
                service, workflow = pair
                if workflow.provider != service.provider or customer.id not in service.customers:
                    continue  # USM904 or USM902
                workflow_type = ctx.catalogue.get(workflow.type) if workflow.type else None
                if (
                    workflow_type is None  # untyped (USM302 for an unknown type)
                    or workflow_type.kind != "reactive"
                    or workflow_type.trigger not in REQUEST_TYPES
                ):
                    continue
                agreements = [
                    item
                    for item in listing.get(service.id, ())
                    if item.provider == service.provider and item.customer == customer.id
                ]
                if (
                    not agreements  # no agreement: USM403 or USM409
                    or any(salvaged(item, "request_types") for item in agreements)
                    or not all(item.request_types for item in agreements)
                    or any(workflow_type.trigger in item.request_types for item in agreements)
                ):
                    continue
                agreement = agreements[0]
                yield ctx.violation(
                    stream,
                    f"{describe(stream)}: stage {quote(stage.name)} runs workflow "
                    f"{quote(workflow.id)}, triggered by {quote(workflow_type.trigger)}, but "
                    f"{agreement.kind} {quote(agreement.id)} between {quote(service.provider)} "
                    f"and {quote(customer.id)} lists only "
                    f"{', '.join(quote(name) for name in agreement.request_types)} in "
                    f"request_types, expected {quote(workflow_type.trigger)} among them",
                    "stages",
                    index,
                    "workflow",
                )


def _service_and_workflow(ctx: RuleContext, stage: Stage) -> tuple[Service, Workflow] | None:
    """A stage's service and workflow, when both resolve and both have a
    provider that resolves; None otherwise (USM006/USM901 report the rest)."""
    if stage.service is None or stage.workflow is None:
        return None
    service = ctx.indexes.service(stage.service)
    workflow = ctx.indexes.workflow(stage.workflow)
    if service is None or workflow is None:
        return None
    if (
        ctx.indexes.profile(service.provider) is None
        or ctx.indexes.profile(workflow.provider) is None
    ):
        return None
    return service, workflow


VALUE_STREAM_RULES: tuple[type[Rule], ...] = (
    ValueStreamWithoutWorkflow,
    ValueStreamForeignService,
    ValueStreamForeignWorkflow,
    ValueStreamEmpty,
    ValueStreamRequestType,
)
