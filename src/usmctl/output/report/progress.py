"""Progress between two runs: the report's "Since the last report" (`report --compare`).

PREVIOUS is an earlier ``usmctl validate --format json`` output or a
baseline (``--write-baseline``). Both carry each finding's fingerprint (rule +
file + entity + field path, line-independent), so a gap is the same gap
after its block moved. A pull request may have written PREVIOUS: it is read
as a side file (`usmctl.load.sidefiles`: a regular file, size-limited), any
malformation is a ConfigError (one line, exit 2), and its text is kept raw
but printable and bounded here; the renderers escape it like any user text.

Today's gaps are the run's findings plus those a baseline hid: a hidden
finding is still a gap, not a resolved one.

The coverage change per provider: neither PREVIOUS records the earlier
run's USM coverage (the findings format and the baseline carry findings
only), so no change in percentage points is known. What is known is told:
each internal provider's coverage today, and its coverage gaps (findings of
the rules behind the coverage criteria, `coverage.coverage_codes`) resolved
and new since, `+` when more were resolved than are new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from usmctl.check import baseline
from usmctl.core.codes import UNRESOLVED_REFERENCE
from usmctl.core.errors import ConfigError
from usmctl.core.findings import Finding, Severity, counted, printable
from usmctl.load.sidefiles import read_side_file
from usmctl.output.report.coverage import Coverage, coverage_codes, is_coverage_gap
from usmctl.output.report.tables import Named, Table

if TYPE_CHECKING:
    from usmctl.check.result import Indexes, RunResult

# Each list (resolved, new, remaining) names this many gaps, then counts the rest.
SHOWN_GAPS = 10
# The per-rule table names this many rules, then counts the rest.
SHOWN_RULES = 30
# A text from PREVIOUS is cut to this many characters.
MAX_TEXT = 300
_SEVERITIES = tuple(severity.value for severity in Severity)
UNKNOWN = "unknown"
PROGRESS_NOTE = (
    "Gaps are matched by fingerprint (rule, file, entity and field: not the line), so a "
    "gap whose block moved is the same gap. Resolved: in the previous run, not in this one; "
    "new: in this one only; remaining: in both. Findings a baseline hides still count as gaps."
)


@dataclass(frozen=True)
class Gap:
    """One finding of either run, as much as its source tells.

    A baseline records no severity, name or message: those are None, and a
    resolved gap is then described by its rule, entity and field.
    """

    fingerprint: str
    code: str
    file: str
    path: str
    entity: str | None = None
    line: int | None = None
    severity: str | None = None
    name: str | None = None
    message: str | None = None

    @classmethod
    def of(cls, finding: Finding) -> Gap:
        """A finding of this run."""
        return cls(
            finding.fingerprint,
            finding.code,
            finding.file,
            finding.path,
            finding.entity,
            finding.line,
            finding.severity.value,
            finding.name,
            finding.message,
        )


@dataclass(frozen=True)
class Previous:
    """The earlier run: where it came from and its gaps by fingerprint."""

    source: str
    kind: str
    gaps: dict[str, Gap]


@dataclass(frozen=True)
class Progress:
    """The "Since the last report" section.

    ``facts`` are (topic, plain text) lines; ``tables`` the counts and the
    bounded lists, only those with rows. ``coverage``: the coverage change
    per internal provider, shown first; None without internal providers.
    """

    changed: bool
    facts: tuple[tuple[str, str], ...]
    tables: tuple[Table, ...]
    coverage: Table | None = None

    @property
    def shown_tables(self) -> tuple[Table, ...]:
        """The tables in the order shown: the coverage change first."""
        return self.tables if self.coverage is None else (self.coverage, *self.tables)


# --- reading PREVIOUS --------------------------------------------------------


def load_previous(path: Path, *, repository: Path | None = None) -> Previous:
    """Read PREVIOUS: a ``validate --format json`` output or a baseline."""
    what = "previous run"
    raw = read_side_file(path, what=what, shown=str(path), repository=repository)
    document = baseline.decode(raw, path, what=what)
    source = printable(path.name, exact=True)
    if not isinstance(document, dict) or document.get("version") != 1:
        raise ConfigError(
            f"{path}: not a usmctl validate --format json output or baseline "
            '(expected "version": 1)'
        )
    if "fingerprints" in document:
        gaps = {
            fingerprint: Gap(
                _text(fingerprint),
                _text(entry.code),
                _text(entry.file),
                _text(entry.path),
                _text(entry.entity) if entry.entity is not None else None,
            )
            for fingerprint, entry in baseline.entries(document, path).items()
        }
        return Previous(source, "baseline", gaps)
    findings = document.get("findings")
    if not isinstance(findings, list):
        raise ConfigError(
            f'{path}: not a usmctl validate --format json output or baseline (no "findings" '
            'list, no "fingerprints" object)'
        )
    gaps = {}
    for index, item in enumerate(findings, start=1):
        gap = _finding_gap(item, path, index)
        gaps.setdefault(gap.fingerprint, gap)
    return Previous(source, "validate --format json", gaps)


def _finding_gap(item: Any, path: Path, index: int) -> Gap:
    if not isinstance(item, dict) or not all(
        isinstance(item.get(key), str)
        for key in ("fingerprint", "code", "file", "path", "severity", "message")
    ):
        raise ConfigError(
            f"{path}: finding {index} needs fingerprint, code, file, path, severity and "
            "message strings"
        )
    if item["severity"] not in _SEVERITIES:
        raise ConfigError(
            f"{path}: finding {index}: severity must be one of {', '.join(_SEVERITIES)}"
        )
    line, entity, name = item.get("line"), item.get("entity"), item.get("name")
    return Gap(
        _text(item["fingerprint"]),
        _text(item["code"]),
        _text(item["file"]),
        _text(item["path"]),
        _text(entity) if isinstance(entity, str) else None,
        line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None,
        item["severity"],
        _text(name) if isinstance(name, str) else None,
        _text(item["message"]),
    )


def _text(value: str) -> str:
    """Untrusted text: one printable line, at most `MAX_TEXT` characters."""
    shown = printable(value)
    return shown if len(shown) <= MAX_TEXT else shown[: MAX_TEXT - 1] + "…"


# --- comparing ---------------------------------------------------------------


def compare(result: RunResult, previous: Previous, coverage: Coverage | None = None) -> Progress:
    """Resolved, new and remaining gaps of ``result`` against ``previous``;
    with ``coverage`` (this run's), the coverage change per provider."""
    current: dict[str, Gap] = {}
    for finding in (*result.findings, *result.baselined_findings):
        current.setdefault(finding.fingerprint, Gap.of(finding))
    resolved = [_described(gap, result) for key, gap in previous.gaps.items() if key not in current]
    new = [gap for key, gap in current.items() if key not in previous.gaps]
    remaining = [gap for key, gap in current.items() if key in previous.gaps]
    before = [_described(gap, result) for gap in previous.gaps.values()]
    source = (
        f"{previous.source} ({previous.kind}, {counted(len(previous.gaps), 'gap')}); "
        f"this run: {counted(len(current), 'gap')}."
    )
    facts = [("Compared with", source)]
    covered = None
    if coverage is not None and coverage.providers:
        codes = coverage_codes(result)
        covered = _coverage_change(coverage, resolved, new, result.indexes(), codes)
        facts.append(
            (
                "Coverage change",
                "the earlier run records findings only, not its USM coverage, so the change in "
                "percentage points is not known. Below: each internal provider's coverage today "
                f"and its coverage gaps (findings of {', '.join(codes)}, and "
                f"{UNRESOLVED_REFERENCE} for a service's agreement) resolved and new since; + "
                "more resolved than new, − more new than resolved, = as many.",
            )
        )
    if not resolved and not new:
        facts.append(("Change", f"no change: the same {counted(len(current), 'gap')}."))
        return Progress(False, tuple(facts), (), covered)
    facts.append(
        (
            "Change",
            f"{len(resolved)} resolved, {len(new)} new, {len(remaining)} remaining.",
        )
    )
    if previous.kind == "baseline":
        facts.append(
            (
                "Resolved gaps",
                "a baseline records no message or severity: resolved gaps are named by rule, "
                "entity and field, at the severity their rule has today.",
            )
        )
    tables = (
        _per_severity(before, list(current.values()), resolved, new),
        _per_rule(before, list(current.values()), resolved, new),
        _listed("Resolved", resolved),
        _listed("New", new),
        _listed("Remaining", remaining),
    )
    return Progress(True, tuple(facts), tuple(table for table in tables if table.rows), covered)


def _coverage_change(
    coverage: Coverage,
    resolved: list[Gap],
    new: list[Gap],
    indexes: Indexes,
    codes: tuple[str, ...],
) -> Table:
    """Per internal provider: its coverage today, its coverage gaps resolved and new."""
    counts: dict[str, Counter[str]] = {item.provider_id: Counter() for item in coverage.providers}
    for column, gaps in (("resolved", resolved), ("new", new)):
        for gap in gaps:
            provider = (
                _gap_provider(gap, indexes) if is_coverage_gap(gap.code, gap.path, codes) else None
            )
            if provider in counts:
                counts[provider][column] += 1
    rows: list[tuple[str | tuple[Named, ...], ...]] = []
    for item in coverage.providers:
        fixed, added = counts[item.provider_id]["resolved"], counts[item.provider_id]["new"]
        change = "=" if fixed == added else ("+" if fixed > added else "−")
        rows.append(((item.provider,), f"{item.percent}%", str(fixed), str(added), change))
    return Table(
        "Coverage per provider",
        ("provider", "coverage now", "coverage gaps resolved", "coverage gaps new", "change"),
        tuple(rows),
        empty="",
    )


def _gap_provider(gap: Gap, indexes: Indexes) -> str | None:
    """The provider a coverage gap is about: the profile itself (USM201,
    USM306), a process entry's ``provider:process``, or the provider of the
    workflow, service or agreement it names (as declared today)."""
    entity = gap.entity
    if entity is None:
        return None
    section = gap.path.partition("[")[0]
    if section == "profiles":
        return entity
    if section == "processes":
        return entity.partition(":")[0]
    if section == "workflows":
        workflow = indexes.workflow(entity)
        return workflow.provider if workflow is not None else None
    if section == "services":
        service = indexes.service(entity)
        return service.provider if service is not None else None
    if section == "agreements":
        agreement = indexes.agreement(entity)
        return agreement.provider if agreement is not None else None
    return None


def _described(gap: Gap, result: RunResult) -> Gap:
    """``gap`` with the name and severity its rule has today, where it records none."""
    if gap.severity is not None and gap.name is not None:
        return gap
    rule = result.rule(gap.code)
    if rule is None:
        return gap
    return Gap(
        gap.fingerprint,
        gap.code,
        gap.file,
        gap.path,
        gap.entity,
        gap.line,
        gap.severity or rule.severity.value,
        gap.name or rule.name,
        gap.message,
    )


def _per_severity(before: list[Gap], now: list[Gap], resolved: list[Gap], new: list[Gap]) -> Table:
    columns = [
        Counter(gap.severity or UNKNOWN for gap in gaps) for gaps in (before, now, resolved, new)
    ]
    shown = [*_SEVERITIES, *([UNKNOWN] if columns[0][UNKNOWN] else [])]
    return Table(
        "Gaps per severity",
        ("severity", "previous run", "this run", "resolved", "new"),
        tuple((severity, *(str(counts[severity]) for counts in columns)) for severity in shown),
        empty="",
    )


def _per_rule(before: list[Gap], now: list[Gap], resolved: list[Gap], new: list[Gap]) -> Table:
    columns = [Counter(gap.code for gap in gaps) for gaps in (before, now, resolved, new)]
    names = {gap.code: gap.name for gap in (*before, *now) if gap.name}
    changed = sorted(
        set(columns[2]) | set(columns[3]),
        key=lambda code: (-columns[2][code] - columns[3][code], code),
    )
    rows = tuple(
        (code, names.get(code, ""), *(str(counts[code]) for counts in columns))
        for code in changed[:SHOWN_RULES]
    )
    return Table(
        _bounded("Change per rule", len(changed), SHOWN_RULES),
        ("rule", "name", "previous run", "this run", "resolved", "new"),
        rows,
        empty="",
    )


def _listed(title: str, gaps: Iterable[Gap]) -> Table:
    ordered = sorted(
        gaps,
        key=lambda gap: (
            _SEVERITIES.index(gap.severity) if gap.severity in _SEVERITIES else 3,
            gap.code,
            gap.file,
            gap.path,
        ),
    )
    rows = tuple(
        (
            gap.severity or UNKNOWN,
            f"{gap.code} {gap.name}" if gap.name else gap.code,
            f"{gap.file}:{gap.line}" if gap.line else gap.file,
            gap.message or _without_message(gap),
        )
        for gap in ordered[:SHOWN_GAPS]
    )
    return Table(
        _bounded(f"{title} gaps", len(ordered), SHOWN_GAPS),
        ("severity", "rule", "where", "gap"),
        rows,
        empty="",
    )


def _without_message(gap: Gap) -> str:
    """A recorded gap without its message: what the baseline tells."""
    on = f" on {gap.entity}" if gap.entity else ""
    at = f" at {gap.path}" if gap.path else ""
    return f"{gap.name or gap.code}{on}{at}"


def _bounded(title: str, total: int, shown: int) -> str:
    return (
        f"{title} ({total}; the first {shown} below, {total - shown} more)"
        if total > shown
        else f"{title} ({total})"
    )
