"""USM coverage per internal provider: how much of the standard USM interface
each provider has (the report's first section, `usmctl report`).

A provider is judged on five criteria, each a set of checks that are met or
not (docs/usm.md):

- processes: each of the five USM processes declared with an owner;
- workflows: each type of the catalogue with a workflow whose steps follow
  the type's chain (the nested walk of USM303/USM304) and end in its owning
  process (closed, USM312);
- request types: each of the four request types offered in one of the
  provider's agreements;
- services: each of its services with a facility, support and an agreement;
- improve inputs: its improve process fed by at least one input.

A provider's coverage is the mean of its criteria's shares (met ÷ total):
each criterion weighs the same, so the eight workflow checks do not drown the
one improve check, and a criterion without checks (no services) is left out.
The overall coverage is the mean of the internal providers' coverage. An
external provider is specified only from the outside: it has no row.

Entities are read through the run's typed indexes only; user text stays raw.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from usmctl.core.codes import UNRESOLVED_REFERENCE
from usmctl.model.usm import PROCESSES, PROVIDER_KINDS, REQUEST_TYPES, canonical_process
from usmctl.output.report.tables import Cell, Matrix, Named, Status, row_label, workflow_verdict

if TYPE_CHECKING:
    from usmctl.check.result import Indexes, RunResult
    from usmctl.model.catalogue import Catalogue
    from usmctl.model.entities import Profile

# Criterion key -> the column title, in report order.
CRITERIA: dict[str, str] = {
    "processes": "processes",
    "workflows": "workflows",
    "request_types": "request types",
    "services": "services",
    "improve": "improve inputs",
}
# The built-in rules (by name) whose findings are gaps in a criterion: how
# `report --compare` tells a coverage change from an earlier run that records
# findings only.
COVERAGE_RULES: dict[str, str] = {
    "missing-process": "processes",
    "process-without-owner": "processes",
    "unknown-workflow-type": "workflows",
    "workflow-entry-mismatch": "workflows",
    "workflow-path-deviation": "workflows",
    "missing-standard-workflow": "workflows",
    "workflow-without-steps": "workflows",
    "workflow-not-closed": "workflows",
    "partial-request-interface": "request_types",
    "service-missing-facility": "services",
    "service-missing-support": "services",
    "service-without-agreement": "services",
    "improve-without-feedback": "improve",
}
# An unresolved reference is a coverage gap where the criterion needs the
# reference to resolve: a service's agreement (section, field).
UNRESOLVED_GAPS: tuple[tuple[str, str], ...] = (("services", ".agreement"),)


def coverage_codes(result: RunResult) -> tuple[str, ...]:
    """The codes of the rules in `COVERAGE_RULES`, in order."""
    return tuple(sorted(meta.code for meta in result.rules() if meta.name in COVERAGE_RULES))


def is_coverage_gap(code: str, path: str, codes: Collection[str]) -> bool:
    """A finding (or recorded gap) about one of the coverage criteria; ``codes``:
    `coverage_codes`."""
    if code in codes:
        return True
    section = path.partition("[")[0]
    return code == UNRESOLVED_REFERENCE and any(
        section == wanted and path.endswith(field) and path.count("[") == 1
        for wanted, field in UNRESOLVED_GAPS
    )


_NUMBERS = dict(enumerate(("no", "one", "two", "three", "four", "five", "six", "seven", "eight")))
# Every check unmet for the same reason: the cell says so in one line.
_NONE = {"missing": "none declared", "not offered": "none offered"}
# A cell names this many gaps, then counts the rest.
SHOWN_GAPS = 3


@dataclass(frozen=True)
class Criterion:
    """One criterion of one provider: checks met of total, and the unmet ones
    (tool text naming user ids, raw)."""

    key: str
    met: int
    total: int
    gaps: tuple[str, ...] = ()

    @property
    def share(self) -> float | None:
        """met ÷ total; None when the criterion has no checks."""
        return self.met / self.total if self.total else None

    def describe(self) -> str:
        """``4/5 processes``; ``no services`` without checks."""
        title = CRITERIA[self.key]
        return f"{self.met}/{self.total} {title}" if self.total else f"no {title}"


@dataclass(frozen=True)
class ProviderCoverage:
    """An internal provider's coverage: its criteria and their mean."""

    provider: Named
    provider_id: str
    criteria: tuple[Criterion, ...]

    @property
    def share(self) -> float:
        """The mean of the criteria's shares, those with checks only (0.0-1.0)."""
        shares = [share for share in (c.share for c in self.criteria) if share is not None]
        return sum(shares) / len(shares) if shares else 0.0

    @property
    def percent(self) -> int:
        """The coverage in whole percent."""
        return round(100 * self.share)

    @property
    def checks(self) -> tuple[int, int]:
        """(met, total) over all the criteria's checks."""
        return (sum(c.met for c in self.criteria), sum(c.total for c in self.criteria))


@dataclass(frozen=True)
class Coverage:
    """The USM coverage of every internal provider, and overall."""

    providers: tuple[ProviderCoverage, ...]
    workflow_types: int

    @property
    def overall(self) -> int | None:
        """The mean of the providers' coverage in whole percent; None without providers."""
        if not self.providers:
            return None
        return round(100 * sum(item.share for item in self.providers) / len(self.providers))

    def by_provider(self) -> dict[str, int]:
        """Provider id -> coverage in whole percent."""
        return {item.provider_id: item.percent for item in self.providers}

    @property
    def formula(self) -> str:
        """The formula in plain words (the report prints it)."""
        return formula(self.workflow_types)

    def matrix(self) -> Matrix:
        """Providers against the criteria, with the coverage as the last column."""
        rows = tuple(
            (
                item.provider,
                (
                    *(_cell(criterion) for criterion in item.criteria),
                    Cell(_status(item.share, 1), (f"{item.percent}%",)),
                ),
            )
            for item in self.providers
        )
        return Matrix(
            title="USM coverage per provider",
            columns=(*CRITERIA.values(), "coverage"),
            rows=rows,
            note=self.formula,
        )


def formula(workflow_types: int) -> str:
    """How the coverage is computed, for people."""
    types = _NUMBERS.get(workflow_types, str(workflow_types))
    return (
        "A provider's coverage is the mean of five shares, each the checks met divided by "
        "the checks of one criterion: the five USM processes, each declared with an owner; "
        f"the {types} workflow types of the catalogue, each with a workflow whose steps "
        "follow the type's chain and end in its owning process; the four request types, each "
        "offered in one of the provider's agreements; its services, each with a facility, "
        "support and an agreement; and its improve process, fed by at least one input. Each "
        "criterion weighs the same, so many workflow checks do not outweigh the one improve "
        "check; a criterion without checks (a provider without services) is left out. The "
        "overall coverage is the mean of the internal providers' coverage; external providers "
        "are specified only from the outside and have no row."
    )


def coverage(result: RunResult) -> Coverage:
    """The USM coverage of the run's internal providers, in file order."""
    indexes = result.indexes()
    _, catalogue = result.model()
    providers = tuple(
        _provider(indexes, catalogue, profile)
        for profile in indexes.profiles.values()
        if profile.kind in PROVIDER_KINDS and not profile.external
    )
    return Coverage(providers, len(catalogue.types))


def _provider(indexes: Indexes, catalogue: Catalogue, profile: Profile) -> ProviderCoverage:
    return ProviderCoverage(
        row_label(profile.name or profile.id, profile.id, external=False),
        profile.id,
        (
            _processes(indexes, profile.id),
            _workflows(indexes, catalogue, profile.id),
            _request_types(indexes, profile.id),
            _services(indexes, profile.id),
            _improve(indexes, profile.id),
        ),
    )


def _processes(indexes: Indexes, provider: str) -> Criterion:
    owned: set[str] = set()
    declared: set[str] = set()
    for entry in indexes.processes_by_provider.get(provider, ()):
        process = canonical_process(entry.process)  # an alias still counts
        if process is None:
            continue
        declared.add(process)
        if entry.owner:
            owned.add(process)
    gaps = tuple(
        f"{process}: no owner" if process in declared else f"{process}: missing"
        for process in PROCESSES
        if process not in owned
    )
    return Criterion("processes", len(PROCESSES) - len(gaps), len(PROCESSES), gaps)


def _workflows(indexes: Indexes, catalogue: Catalogue, provider: str) -> Criterion:
    workflows = indexes.workflows_by_provider.get(provider, ())
    gaps = []
    for workflow_type in catalogue.types:
        of_type = [workflow for workflow in workflows if workflow.type == workflow_type.id]
        verdicts = [workflow_verdict(workflow, workflow_type) for workflow in of_type]
        if not of_type:
            gaps.append(f"{workflow_type.id}: missing")
        elif "closed" not in verdicts:
            # the first of the type tells what is wrong with it
            gaps.append(f"{of_type[0].id}: {verdicts[0]}")
    total = len(catalogue.types)
    return Criterion("workflows", total - len(gaps), total, tuple(gaps))


def _request_types(indexes: Indexes, provider: str) -> Criterion:
    offered = {
        request_type
        for agreement in indexes.agreements.values()
        if agreement.provider == provider
        for request_type in agreement.request_types
    }
    gaps = tuple(f"{kind}: not offered" for kind in REQUEST_TYPES if kind not in offered)
    return Criterion("request_types", len(REQUEST_TYPES) - len(gaps), len(REQUEST_TYPES), gaps)


def _services(indexes: Indexes, provider: str) -> Criterion:
    services = indexes.services_by_provider.get(provider, ())
    gaps = []
    for service in services:
        lacking = [
            part
            for part, present in (
                ("facility", service.facility is not None),
                ("support", service.support is not None),
                ("agreement", indexes.agreement(service.agreement) is not None),
            )
            if not present
        ]
        if lacking:
            gaps.append(f"{service.id}: no {', '.join(lacking)}")
    return Criterion("services", len(services) - len(gaps), len(services), tuple(gaps))


def _improve(indexes: Indexes, provider: str) -> Criterion:
    if provider in indexes.improving_providers:
        return Criterion("improve", 1, 1)
    return Criterion("improve", 0, 1, ("improve: no inputs",))


def _status(share: float | None, full: float) -> Status:
    if share is None:
        return "na"
    if share >= full:
        return "ok"
    return "missing" if share == 0 else "warn"


def _cell(criterion: Criterion) -> Cell:
    reasons = {gap.rpartition(": ")[2] for gap in criterion.gaps}
    if criterion.total and not criterion.met and len(reasons) == 1 and reasons <= set(_NONE):
        return Cell("missing", (criterion.describe(), _NONE[reasons.pop()]))
    gaps = criterion.gaps[:SHOWN_GAPS]
    more = len(criterion.gaps) - len(gaps)
    return Cell(
        _status(criterion.share, 1),
        (criterion.describe(), *gaps, *([f"and {more} more"] if more else [])),
    )
