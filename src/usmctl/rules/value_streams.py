"""USM901–USM902: value streams (SPEC §1 layers: value streams map customer value
through services and workflows).

A stage of a value stream is where the customer gets value from a service;
in USM that value is delivered by a workflow, and only to the service's own
customers.
"""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.findings import Severity, Violation, quote
from usmctl.model import Service
from usmctl.rules.base import Rule, RuleContext, describe


class ValueStreamWithoutWorkflow(Rule):
    """A value-stream stage names no workflow.

    Rationale:
        In USM the customer's value is delivered by workflows: every request
        enters one of the standard workflows of the provider. A stage without
        a workflow is a wish on a slide; nobody can tell which process
        delivers it.

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
        get.

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

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for stream in ctx.arch.value_streams:
            if stream.customer is None:
                continue
            for index, stage in enumerate(stream.stages):
                if stage.service is None:
                    continue
                service = ctx.arch.get("services", stage.service)
                if not isinstance(service, Service) or stream.customer in service.customers:
                    continue
                yield ctx.violation(
                    stream,
                    f"{describe(stream)}: stage {quote(stage.name)} uses service "
                    f"{quote(service.id)}, which is not delivered to {quote(stream.customer)}",
                    "stages",
                    index,
                    "service",
                )


VALUE_STREAM_RULES: tuple[type[Rule], ...] = (ValueStreamWithoutWorkflow, ValueStreamForeignService)
