"""The limits of the services that read the CI formats (docs/ci.md, "Limits of
the services"), and the one way a format keeps to them: the most severe
findings are kept (errors, then warnings, then infos, each in file order) and
what was left out is said, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from usmctl.core.findings import Finding, Severity

# GitHub code scanning refuses a SARIF upload with more results in a run.
SARIF_RESULTS = 25_000
# GitHub Actions shows this many annotations of each severity per step and
# drops the rest without a word.
ANNOTATIONS_PER_SEVERITY = 10
# GitHub refuses a pull-request comment longer than this ("Body is too long").
COMMENT_CHARACTERS = 65_536
# GitHub drops a step's whole job summary when the file holds more bytes.
STEP_SUMMARY_BYTES = 1024 * 1024

Measure = Callable[[str], int]


def cap(service: int, max_results: int) -> int:
    """At most ``service`` results, or ``max_results`` when that is lower (0:
    the service's own limit; a number never raises it past what the service
    takes)."""
    return min(service, max_results) if max_results > 0 else service


def most_severe_first(findings: Iterable[Finding]) -> list[Finding]:
    """Errors, then warnings, then infos; file order kept within each."""
    return sorted(findings, key=lambda finding: finding.severity.rank)


def most_severe(findings: Sequence[Finding], limit: int) -> tuple[Finding, ...]:
    """The ``limit`` most severe findings, in their own (file) order."""
    if len(findings) <= limit:
        return tuple(findings)
    ranked = sorted(range(len(findings)), key=lambda index: findings[index].severity.rank)
    return tuple(findings[index] for index in sorted(ranked[:limit]))


def per_severity(
    findings: Iterable[Finding], quota: Mapping[Severity, int], *, total: int
) -> list[Finding]:
    """The most severe first, at most ``quota[severity]`` of each severity and
    ``total`` in all."""
    taken = dict.fromkeys(Severity, 0)
    kept: list[Finding] = []
    for finding in most_severe_first(findings):
        if len(kept) == total:
            break
        if taken[finding.severity] < quota[finding.severity]:
            taken[finding.severity] += 1
            kept.append(finding)
    return kept


def utf16_length(text: str) -> int:
    """``text``'s length in UTF-16 code units, as GitHub's size checks count
    (an emoji counts two; never fewer than Python's ``len``)."""
    return len(text.encode("utf-16-le")) // 2


def utf8_length(text: str) -> int:
    """``text``'s size in bytes, as a file holds it."""
    return len(text.encode("utf-8"))


def fitting(rows: Sequence[str], *, budget: int, reserve: int, measure: Measure) -> tuple[str, ...]:
    """The first ``rows`` that fit ``budget`` (each a line: its size plus a
    newline); when not all of them do, only as many as leave ``reserve`` for a
    notice of the rest."""
    sizes = [measure(row) + 1 for row in rows]
    if sum(sizes) <= budget:
        return tuple(rows)
    used = 0
    for count, size in enumerate(sizes):
        if used + size + reserve > budget:
            return tuple(rows[:count])
        used += size
    return tuple(rows)
