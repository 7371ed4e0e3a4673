"""Markdown (CommonMark with GitHub tables): a findings table to post as a pull-request comment.

Every cell is escaped: pipes would split the table, and brackets, stars,
underscores, backticks and angle brackets would turn user text into links,
emphasis or HTML.

The most severe findings come first, and the comment stays within GitHub's
65,536 characters: the rows that do not fit are left out, and a last line
says how many. The job summary (`step_summary`) is the same table within the
1 MiB GitHub takes for a step's summary.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from usmctl.core.findings import Finding, counted
from usmctl.output.findings.limits import (
    COMMENT_CHARACTERS,
    Measure,
    cap,
    fitting,
    most_severe_first,
    utf8_length,
    utf16_length,
)
from usmctl.output.findings.text import summary_line

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

_MARKDOWN_ESCAPES = re.compile(r"([\\`*_\[\]<>|#!~])")
_ICONS = {"error": "🔴 error", "warning": "🟠 warning", "info": "🔵 info"}
_HEADER = ("| severity | rule | location | message | entity |", "|---|---|---|---|---|")


def escape(text: str) -> str:
    """Text that renders literally inside a table cell."""
    escaped = _MARKDOWN_ESCAPES.sub(r"\\\1", text.replace("&", "&amp;"))
    return escaped.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def row(result: RunResult, finding: Finding) -> str:
    """One finding's table row."""
    rule = escape(f"{finding.code} {finding.name}")
    help_uri = result.help_uri(finding)
    if help_uri is not None:
        rule = f"[{rule}]({help_uri})"
    where = escape(f"{finding.file}:{finding.line}:{finding.column}")
    entity = escape(finding.entity) if finding.entity else ""
    return (
        f"| {_ICONS[finding.severity.value]} | {rule} | {where} | "
        f"{escape(finding.message)} | {entity} |"
    )


def left_out_line(left_out: int) -> str:
    """The last line of a table that could not hold every finding."""
    return f"{counted(left_out, 'more finding')} not shown: `usmctl validate` lists them all."


def table(result: RunResult, *, budget: int, measure: Measure, max_results: int = 0) -> str:
    """A heading, the summary line and, when there are findings, the table of
    the most severe that fit ``budget`` (as ``measure`` counts) and
    ``max_results`` (0: no such limit), then the line that counts the rest."""
    lines = ["## usmctl", "", escape(summary_line(result)), ""]
    if not result.findings:
        return "\n".join(lines)
    findings = most_severe_first(result.findings)[: cap(len(result.findings), max_results)]
    rows = [row(result, finding) for finding in findings]
    lines += _HEADER
    fixed = sum(measure(line) + 1 for line in lines)
    # A blank line, the line that counts the rest (no longer than with every
    # finding left out) and its newline.
    reserve = 1 + measure(left_out_line(len(result.findings))) + 1
    if len(rows) < len(result.findings):  # max-results left some out: the line is due
        budget, reserve = budget - reserve, 0
    kept = fitting(rows, budget=budget - fixed, reserve=reserve, measure=measure)
    lines += kept
    if len(kept) < len(result.findings):
        lines += ["", left_out_line(len(result.findings) - len(kept))]
    lines.append("")
    return "\n".join(lines)


def render(result: RunResult, options: ReportOptions) -> str:
    """The comment: the table within GitHub's 65,536 characters (an emoji
    counted as two, as GitHub's UTF-16 count does)."""
    return table(
        result, budget=COMMENT_CHARACTERS, measure=utf16_length, max_results=options.max_results
    )


def step_summary(result: RunResult, *, budget: int, max_results: int = 0) -> str:
    """The job summary: the table within ``budget`` bytes."""
    return table(result, budget=budget, measure=utf8_length, max_results=max_results)
