"""RunResult: what a check produced, for reporters, the baseline and the CLI."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from usmctl.core.findings import FailOn, Finding, Severity, rule_url

if TYPE_CHECKING:
    from usmctl.check.settings import Settings
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

    def rules(self) -> tuple[RuleMeta, ...]:
        """Every built-in rule's metadata, by code: what reporters describe
        rules with (they never import the registry)."""
        # start-up: the registry imports pydantic; a warm run's text output never asks
        from usmctl.rules import ALL_RULES, meta

        return tuple(meta(rule.code) for rule in ALL_RULES)

    def rule(self, code: str) -> RuleMeta | None:
        """A built-in rule's metadata (name, summary, severity, area, help
        link, ...); None for a custom rule from config."""
        # start-up: the registry imports pydantic; a warm run's text output never asks
        from usmctl.rules import meta

        try:
            return meta(code)
        except KeyError:
            return None

    @staticmethod
    def help_uri(finding: Finding) -> str | None:
        """The documentation link of a finding's rule, without the registry
        (None for a custom rule)."""
        return rule_url(finding.code, finding.name)

    def fails(self, fail_on: FailOn) -> bool:
        """True when a finding is at or above the ``--fail-on`` severity."""
        if fail_on == "never":
            return False
        threshold = Severity(fail_on).rank
        return any(finding.severity.rank <= threshold for finding in self.findings)
