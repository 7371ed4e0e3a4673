"""Inline suppressions, read from the raw text of each file (docs/ci.md, "Inline suppressions").

``# usmctl: ignore[USM404,USM1] reason`` hides matching findings on the
comment's line and on the line right below; ``# usmctl: ignore-file[USM104]
reason`` hides them anywhere in the file. Codes may be codes, names or
prefixes. Comments are found in the raw text, whatever parsed the file; a
``#`` inside a block or quoted scalar is text (the scalars' spans come from
the YAML scanner's tokens, for files that hold a candidate only). A
suppression is itself checked (USM011): one without a reason, one naming an
unknown rule, a malformed one, and one that hid nothing are reported at the
comment.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from usmctl.check.selection import resolve_selectors
from usmctl.core.codes import UNUSED_SUPPRESSION
from usmctl.core.errors import UsageError
from usmctl.core.findings import Finding, Locus, Violation, quote
from usmctl.core.positions import Position
from usmctl.load.yamlio import make_parser
from usmctl.model.build import CodedViolation

_MARKER = re.compile(r"(?:^|(?<=\s))#\s*usmctl:(?P<body>.*)$")
_MARKER_START = re.compile(r"(?:^|(?<=\s))#\s*usmctl:")
_DIRECTIVE = re.compile(r"^\s*(?P<kind>ignore|ignore-file)\[(?P<codes>[^\]]*)\](?P<reason>.*)$")


@dataclass
class Suppression:
    """One ``# usmctl:`` comment and what it has hidden so far."""

    file: str
    line: int
    column: int
    kind: str
    selectors: tuple[str, ...]
    reason: str
    used: set[str] = field(default_factory=set)

    @property
    def whole_file(self) -> bool:
        """True for ``ignore-file``."""
        return self.kind == "ignore-file"

    @property
    def written(self) -> str:
        """The directive as written, without the reason: ``ignore[USM404]``."""
        return f"{self.kind}[{','.join(self.selectors)}]"


@dataclass(frozen=True)
class Applied:
    """Findings kept, how many were hidden, and USM011 violations."""

    kept: list[Finding]
    suppressed: int
    violations: list[CodedViolation]


def scan(file: str, text: str) -> tuple[list[Suppression], list[CodedViolation]]:
    """Every suppression comment of a file; malformed ones become USM011."""
    found: list[Suppression] = []
    malformed: list[CodedViolation] = []
    if "usmctl:" not in text:
        return found, malformed
    candidates: list[tuple[int, re.Match[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for start in _MARKER_START.finditer(line):
            marker = _MARKER.match(line, start.start())
            if marker is not None:
                candidates.append((number, marker))
    in_scalars = _scalar_spans(text) if candidates else []
    starts = [start for start, _ in in_scalars]
    seen_lines: set[int] = set()
    for number, marker in candidates:
        column = marker.start() + 1
        if number in seen_lines or _inside(in_scalars, starts, (number, column)):
            continue  # text inside a block or quoted scalar is not a comment
        seen_lines.add(number)
        directive = _DIRECTIVE.match(marker.group("body"))
        selectors = (
            tuple(part.strip() for part in directive.group("codes").split(",") if part.strip())
            if directive
            else ()
        )
        if directive is None or not selectors:
            malformed.append(
                _violation(
                    file,
                    number,
                    column,
                    "malformed suppression: expected "
                    "# usmctl: ignore[CODE,...] reason or ignore-file[CODE,...] reason",
                    "usmctl:" + marker.group("body").strip(),
                )
            )
            continue
        found.append(
            Suppression(
                file=file,
                line=number,
                column=column,
                kind=directive.group("kind"),
                selectors=selectors,
                reason=directive.group("reason").strip(),
            )
        )
    return found, malformed


def _inside(
    spans: list[tuple[tuple[int, int], tuple[int, int]]],
    starts: list[tuple[int, int]],
    where: tuple[int, int],
) -> bool:
    """Whether ``where`` lies in one of the ``spans``: scalars neither overlap nor
    go back, so only the last one starting at or before it can hold it (a
    binary search, not a scan of every span for every comment)."""
    index = bisect.bisect_right(starts, where) - 1
    return index >= 0 and where < spans[index][1]


def _scalar_spans(text: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the scalars of a file are, as 1-based (line, column) from and to.

    A ``#`` inside a block scalar (``description: |``) or a quoted string
    is text, not a comment. A syntax error ends the scan (USM001 reports it).
    """
    import yaml

    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    parser = make_parser(text)
    try:
        while parser.check_token():
            token = parser.get_token()
            if isinstance(token, yaml.ScalarToken):
                start = Position.from_mark(token.start_mark)
                end = Position.from_mark(token.end_mark)
                spans.append(((start.line, start.column), (end.line, end.column)))
    except yaml.YAMLError:
        pass
    finally:
        parser.dispose()
    return spans


def apply(
    findings: Iterable[Finding],
    suppressions: dict[str, list[Suppression]],
    *,
    known: list[tuple[str, str]],
    enabled: set[str],
) -> Applied:
    """Hide the findings that a suppression covers; check the suppressions."""

    violations: list[CodedViolation] = []
    resolved: dict[tuple[str, int, str], set[str]] = {}
    for items in suppressions.values():
        for item in items:
            for selector in item.selectors:
                try:
                    codes = resolve_selectors([selector], known)
                except UsageError:  # an unknown code in a comment is the user's input
                    codes = set()
                    violations.append(
                        item_violation(item, f"suppression names unknown rule {quote(selector)}")
                    )
                resolved[(item.file, item.line, selector)] = codes
            if not item.reason:
                violations.append(
                    item_violation(
                        item,
                        f"suppression without a reason: say why after {quote(item.written)}",
                    )
                )
    # file -> line -> the suppressions reaching that line (whole-file ones under
    # line 0): a finding looks up its own line, not every comment of its file.
    reach: dict[str, dict[int, list[Suppression]]] = {}
    for file, items in suppressions.items():
        by_line: dict[int, list[Suppression]] = defaultdict(list)
        for item in items:
            for line in (0,) if item.whole_file else (item.line, item.line + 1):
                by_line[line].append(item)
        reach[file] = by_line
    kept: list[Finding] = []
    suppressed = 0
    for finding in findings:
        hidden = False
        lines = reach.get(finding.file, {})
        for item in [*lines.get(0, ()), *lines.get(finding.line, ())]:
            for selector in item.selectors:
                if finding.code in resolved[(item.file, item.line, selector)]:
                    item.used.add(selector)
                    hidden = True
        if hidden:
            suppressed += 1
        else:
            kept.append(finding)
    for items in suppressions.values():
        for item in items:
            unused = [
                selector
                for selector in item.selectors
                if selector not in item.used
                # Only a rule that ran can be known to have found nothing.
                and resolved[(item.file, item.line, selector)] & enabled
            ]
            if unused:
                where = "in this file" if item.whole_file else "on this line or the next"
                names = " or ".join(quote(selector) for selector in unused)
                violations.append(
                    item_violation(item, f"unused suppression: no {names} finding {where}")
                )
    return Applied(kept, suppressed, violations)


def item_violation(item: Suppression, message: str) -> CodedViolation:
    """A USM011 violation at a suppression comment."""
    return _violation(item.file, item.line, item.column, message, item.written)


def _violation(file: str, line: int, column: int, message: str, written: str) -> CodedViolation:
    # The path holds the directive, not the line, so the fingerprint survives moves.
    locus = Locus(file, f"# usmctl: {written}", position=Position(line, column))
    return CodedViolation(UNUSED_SUPPRESSION, Violation(message, locus))
