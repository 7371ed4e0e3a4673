"""USM201–USM205 and USM903: how each provider runs the five USM processes
(docs/usm.md, "The five processes")."""

from __future__ import annotations

from collections.abc import Iterator

from usmctl.core.findings import Severity, Violation, quote
from usmctl.model.entities import ProcessEntry
from usmctl.model.usm import PROCESSES, UNSOURCED_ALIASES, canonical_process, is_alias
from usmctl.rules.base import Area, Rule, RuleContext, describe
from usmctl.rules.helpers import (
    ALL_PROCESSES,
    is_running_provider,
    named_processes,
    party,
    plural,
)


class MissingProcess(Rule):
    """An internal provider or supplier with services does not run all five processes.

    Rationale:
        USM has exactly five processes (agree, change, recover, operate,
        improve) and every provider link runs all of them: a provider that
        skips one has no standard way to handle that kind of customer request
        or its own improvement. External parties are exempt: only their
        outside is specified. Source: docs/usm.md, "Links and recursion";
        usmwiki, "The managed infrastructure".

    Remediation:
        Add a ``processes`` entry for each missing process of the provider,
        with its owner.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
          - {id: acme-it, kind: provider}
        services:
          - {id: workplace, provider: acme-it, customers: [acme-business]}
        processes:
          - {provider: acme-it, process: recover}

    Good:
        usm: "1"
        profiles:
          - {id: acme-business, kind: customer}
          - {id: acme-it, kind: provider}
        services:
          - {id: workplace, provider: acme-it, customers: [acme-business]}
        processes:
          - {provider: acme-it, process: agree}
          - {provider: acme-it, process: change}
          - {provider: acme-it, process: recover}
          - {provider: acme-it, process: operate}
          - {provider: acme-it, process: improve}
    """

    code = "USM201"
    name = "missing-process"
    default_severity = Severity.ERROR
    area = Area.PROCESSES
    judges_absence = True

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        by_provider = ctx.indexes.processes_by_provider
        for profile in ctx.arch.profiles:
            if not is_running_provider(ctx.indexes, profile):
                continue
            declared = {
                canonical_process(entry.process) for entry in by_provider.get(profile.id, ())
            }
            missing = [process for process in PROCESSES if process not in declared]
            if missing:
                yield ctx.violation(
                    profile,
                    f"{party(profile)} does not run {plural(len(missing), 'process', 'processes')} "
                    f"{', '.join(missing)}: every USM provider runs all five",
                    "id",
                )


class NonUsmProcess(Rule):
    """A process name is not one of the five USM processes.

    Rationale:
        USM has five processes and no others; names such as
        ``problem-management`` or ``release-management`` are practices that
        plug into those processes, not processes of their own. Source:
        docs/usm.md, "The five processes"; usm.gr (the USM process model and
        its three-letter process codes).

    Remediation:
        Use one of agree, change, recover, operate or improve; model a
        framework practice under ``practices`` and plug it into a process.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: escalation}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: recover}
    """

    code = "USM202"
    name = "non-usm-process"
    default_severity = Severity.ERROR
    area = Area.PROCESSES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for entity, fields, name, subject in named_processes(ctx.indexes):
            if canonical_process(name) is None:
                yield ctx.violation(
                    entity,
                    f"{describe(entity)}: {subject} is not a USM process, expected one of "
                    f"{ALL_PROCESSES}",
                    *fields,
                )


class ProcessAlias(Rule):
    """An alias is used for a canonical USM process.

    Rationale:
        USM's five processes have canonical names; aliases such as ``INC``
        or ``change-management`` are accepted, but one name per process keeps
        architectures comparable and searchable. Source: docs/usm.md, "The
        five processes"; usm.gr (the USM process model and its three-letter
        process codes).

    Remediation:
        Replace the alias by the canonical process name the message gives.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: INC}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: recover}
    """

    code = "USM203"
    name = "process-alias"
    default_severity = Severity.WARNING
    area = Area.PROCESSES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for entity, fields, name, subject in named_processes(ctx.indexes):
            if is_alias(name):
                unsourced = " (no USM source has it)" if name.lower() in UNSOURCED_ALIASES else ""
                canonical = canonical_process(name)
                assert canonical is not None
                value = subject.value  # ``INC``, or ``acme-it:INC`` in a process reference
                written = canonical if subject.name is None else f"{value[: -len(name)]}{canonical}"
                yield ctx.violation(
                    entity,
                    f"{describe(entity)}: {subject} is an alias of "
                    f"{quote(canonical)}{unsourced}: write the canonical name",
                    *fields,
                    fix=ctx.replacing(entity, fields, written, was=value),
                )


class ProcessWithoutOwner(Rule):
    """A process entry has no owner operator profile.

    Rationale:
        Each of a provider's five processes needs an owner who answers for
        it: without one nobody keeps the process and its workflows in shape
        (operator profiles are the roles inside a provider). Source:
        docs/usm.md, "Profiles, operators and RACI"; usm-portal (USM's
        official portal).

    Remediation:
        Set ``owner`` to an operator profile of the provider.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: recover}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
          - {id: desk-agent, kind: operator, of: acme-it}
        processes:
          - {provider: acme-it, process: recover, owner: desk-agent}
    """

    code = "USM204"
    name = "process-without-owner"
    default_severity = Severity.WARNING
    area = Area.PROCESSES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for entry in ctx.arch.processes:
            if entry.owner is None:
                yield ctx.violation(
                    entry,
                    f"{describe(entry)} has no owner: name the operator profile of "
                    f"{quote(entry.provider)} that owns it",
                    "owner",
                    key=True,
                )


class DuplicateProcess(Rule):
    """A provider declares the same process twice.

    Rationale:
        A provider runs each of the five USM processes once; two entries for
        one process (perhaps once under an alias) split its owner and its
        inputs. Source: docs/usm.md, "The five processes"; usm.gr (the USM process
        model and its three-letter process codes).

    Remediation:
        Merge the two entries into one.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: recover}
          - {provider: acme-it, process: restore}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: recover}
    """

    code = "USM205"
    name = "duplicate-process"
    default_severity = Severity.ERROR
    area = Area.PROCESSES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for provider, entries in ctx.indexes.processes_by_provider.items():
            first_by_process: dict[str, ProcessEntry] = {}
            for entry in entries:
                process = canonical_process(entry.process)
                if process is None:
                    continue
                first = first_by_process.setdefault(process, entry)
                if first is entry:
                    continue
                yield Violation(
                    f"{describe(entry)}: provider {quote(provider)} already declares process "
                    f"{quote(process)} (first at {{related}})",
                    ctx.at(entry),
                    (ctx.at(first),),
                )


class ImproveWithoutFeedback(Rule):
    """A provider's ``improve`` process has no ``inputs``.

    Rationale:
        In USM feedback flows upward into improve: incidents, changes,
        measurements and complaints are what the provider learns from. An
        improve process without inputs has nothing to improve on. Inputs
        name workflows, process entries (``provider:process``) or services;
        anything else (a profile, a tool, ...) is USM007. Source:
        docs/usm.md, "The five processes"; usmwiki, "The managed
        infrastructure".

    Remediation:
        List the feedback sources in ``inputs``: workflows, process entries
        (``provider:process``) or services.

    Bad:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: improve}

    Good:
        usm: "1"
        profiles:
          - {id: acme-it, kind: provider}
        processes:
          - {provider: acme-it, process: recover}
          - {provider: acme-it, process: improve, inputs: ["acme-it:recover"]}
    """

    code = "USM903"
    name = "improve-without-feedback"
    default_severity = Severity.WARNING
    area = Area.PROCESSES

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for entry in ctx.arch.processes:
            if canonical_process(entry.process) == "improve" and not entry.inputs:
                yield ctx.violation(
                    entry,
                    f"{describe(entry)} has no inputs: list the feedback sources "
                    "(workflows, services, processes) it learns from",
                    "inputs",
                    key=True,
                )


PROCESS_RULES: tuple[type[Rule], ...] = (
    MissingProcess,
    NonUsmProcess,
    ProcessAlias,
    ProcessWithoutOwner,
    DuplicateProcess,
    ImproveWithoutFeedback,
)
