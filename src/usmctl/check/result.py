"""RunResult: what a check produced, for reporters, the baseline and the CLI."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from usmctl.core.findings import FailOn, Finding, Severity, printable, rule_url

if TYPE_CHECKING:
    from usmctl.check.settings import CustomRule, Settings
    from usmctl.model.architecture import Architecture
    from usmctl.model.catalogue import Catalogue
    from usmctl.rules.base import RuleMeta
    from usmctl.rules.indexes import Indexes

__all__ = ["Indexes", "RuleMeta", "RunResult"]


@dataclass(frozen=True)
class RunResult:
    """Everything a reporter needs; nothing a reporter may change."""

    findings: tuple[Finding, ...]
    # The files checked: the findings are theirs (or name them).
    files: tuple[str, ...]
    # None when the findings came from the findings cache (``findings_only``).
    architecture: Architecture | None = field(default=None, repr=False)
    catalogue: Catalogue | None = field(default=None, repr=False)
    suppressed: int = 0
    baselined: int = 0
    stale_baseline: int = 0
    # The findings the baseline hid (so --write-baseline can keep them).
    baselined_findings: tuple[Finding, ...] = field(default=(), repr=False)
    # The other files of the architecture, read only as the context of `files`
    # (``usmctl validate FILE``: the architecture it belongs to).
    context: tuple[str, ...] = ()
    # What the run was asked to do, and the codes it ran after --select,
    # --extend-select and --ignore: None for a result built by hand.
    settings: Settings | None = field(default=None, repr=False)
    enabled: frozenset[str] | None = field(default=None, repr=False)
    # The typed lookups the run's rules shared; read them through `indexes()`.
    run_indexes: Indexes | None = field(default=None, repr=False, compare=False)

    def by_severity(self) -> dict[str, int]:
        """Counts per severity, every severity present (the json format's summary)."""
        counts = Counter(finding.severity for finding in self.findings)
        return {severity.value: counts.get(severity, 0) for severity in Severity}

    def model(self) -> tuple[Architecture, Catalogue]:
        """The architecture and catalogue the findings were found in."""
        if self.architecture is None or self.catalogue is None:
            raise RuntimeError("a result read from the findings cache has no model")
        return self.architecture, self.catalogue

    def indexes(self) -> Indexes:
        """Typed lookups over the architecture (``indexes().service(id)``): the
        ones the run built for its rules, so a reporter builds none again; new
        ones for a result built by hand."""
        architecture, _ = self.model()
        if self.run_indexes is not None and self.run_indexes.arch is architecture:
            return self.run_indexes
        # start-up: the indexes import pydantic; a warm run's text output never asks
        from usmctl.rules.indexes import Indexes

        return Indexes(architecture)

    @property
    def custom_rules(self) -> tuple[CustomRule, ...]:
        """The custom rules of the run's config and rule sets (none for a result
        built by hand)."""
        return self.settings.custom_rules if self.settings is not None else ()

    def rules(self) -> tuple[RuleMeta, ...]:
        """Every built-in rule's metadata, by code: what reporters describe
        rules with (they never import the registry); a custom rule's comes from
        `rule`."""
        # start-up: the registry imports pydantic; a warm run's text output never asks
        from usmctl.rules import ALL_RULES, meta

        return tuple(meta(rule.code) for rule in ALL_RULES)

    def rule(self, code: str) -> RuleMeta | None:
        """A rule's metadata (name, summary, severity, area, help link, ...),
        a custom rule's too; None for a code the run does not know."""
        # start-up: the registry imports pydantic; a warm run's text output never asks
        from usmctl.rules import meta

        try:
            return meta(code)
        except KeyError:
            pass
        for custom in self.custom_rules:
            if custom.code == code:
                return custom_meta(custom)
        return None

    def help_uri(self, finding: Finding) -> str | None:
        """The documentation link of a finding's rule, without the registry: a
        custom rule's ``url`` (None when it gives none)."""
        if finding.code.startswith("USM"):
            return rule_url(finding.code, finding.name)
        for custom in self.custom_rules:
            if custom.code == finding.code:
                return custom.url
        return None

    def fails(self, fail_on: FailOn) -> bool:
        """True when a finding is at or above the ``--fail-on`` severity."""
        if fail_on == "never":
            return False
        threshold = Severity(fail_on).rank
        return any(finding.severity.rank <= threshold for finding in self.findings)


def custom_meta(rule: CustomRule) -> RuleMeta:
    """A custom rule's metadata, as a built-in rule's reads: its description
    explains it, and the help says what it checks and where it is defined."""
    # start-up: the registry imports pydantic; a warm run's text output never asks
    from usmctl.rules.base import Area, RuleMeta

    about = " ".join((rule.description or rule.message).split())
    return RuleMeta(
        code=rule.code,
        name=printable(rule.rule_name),
        severity=rule.severity,
        # A custom finding's area is the section it points at (the report's fallback).
        area=Area.STRUCTURE,
        summary=printable(rule.summary),
        rationale=printable(about),
        remediation=printable(f"{about} (custom rule from {rule.defined_in}: {checks(rule)})"),
        bad="",
        good="",
        defined_in=printable(rule.defined_in),
        url=rule.url,
    )


def checks(rule: CustomRule) -> str:
    """What a custom rule checks, in a line: ``given $.services[*]: field name, pattern``."""
    if not rule.given:
        return f"each entity of {rule.section} against a JSON Schema"
    then = "; ".join(
        (f"field {each.field}, " if each.field else "") + each.function for each in rule.then
    )
    return f"given {' | '.join(rule.given)}: {then}"
