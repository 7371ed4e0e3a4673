"""The gap report as GitHub/GitLab-flavoured Markdown: tables and a Mermaid graph.

User text is escaped so it renders as text: no HTML, no code spans, no links,
no broken table cells.
"""

from __future__ import annotations

import re

from usmctl.core.findings import counted
from usmctl.output.report.actions import (
    ACTIONS_NOTE,
    FINDINGS_TITLE,
    SHOWN_ACTIONS,
    Action,
    rest_note,
)
from usmctl.output.report.content import SCOPE_NOTE, Report
from usmctl.output.report.exports import to_mermaid
from usmctl.output.report.progress import PROGRESS_NOTE
from usmctl.output.report.tables import Cell, Matrix, Named, Table, Value

_STATUS_ICONS = {"ok": "✅", "warn": "⚠️", "missing": "❌", "na": "➖"}
_MARKDOWN_ESCAPES = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
}


def md(text: str) -> str:
    """Escape user text for a Markdown paragraph or table cell (one line)."""
    return _inline(text).strip()


def _inline(text: str) -> str:
    """Escaped, whitespace runs collapsed to one space, edges kept."""
    cleaned = re.sub(r"\s+", " ", str(text))
    return "".join(_MARKDOWN_ESCAPES.get(char, char) for char in cleaned)


_CODE_SPAN = re.compile(r"``([^`]+)``|`([^`]+)`")


def code_spans(text: str) -> str:
    """The tool's own prose, escaped, keeping its ``code`` spans as code."""
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_inline(text[position : match.start()]))
        code = " ".join((match.group(1) or match.group(2)).split()).replace("|", "\\|")
        parts.append(f"`{code}`")
        position = match.end()
    parts.append(_inline(text[position:]))
    return "".join(parts).strip()


def _action(index: int, action: Action) -> list[str]:
    """A numbered item; its snippet an indented code block inside the item."""
    parts = [f"{index}. **{md(action.title)}**"]
    if action.severity is not None and action.impact is not None:
        parts.append(f"({action.severity.value}, {md(action.impact.label)})")
    parts[-1] += ":"
    if action.finding:
        parts.append(f"{md(action.finding)}.")
    parts.append(action.instruction(md, code_spans))
    lines = [" ".join(part for part in parts if part)]
    indent = " " * (len(str(index)) + 2)
    if action.snippet:  # an indented code block in the item: no fence to break out of
        body = [f"{indent}    {line}".rstrip() for line in action.snippet.splitlines()]
        lines += ["", *body, ""]
    tail = []
    if action.where:
        tail.append(f"Where: {action.places(md)}.")
    if action.clears:
        tail.append(f"Clears {md(action.describe_clears())}.")
    if action.help_uri:
        tail.append(f"([rule documentation]({action.help_uri}))")
    if tail and action.snippet:
        lines.append(indent + " ".join(tail))
    elif tail:
        lines[0] += " " + " ".join(tail)
    return lines


def _actions(actions: tuple[Action, ...]) -> list[str]:
    """The first few actions, and how many more there are."""
    lines = [ACTIONS_NOTE, ""] if any(action.clears for action in actions) else []
    for index, action in enumerate(actions[:SHOWN_ACTIONS], start=1):
        lines += _action(index, action)
    rest = rest_note(actions)
    if rest:
        link = f"[{FINDINGS_TITLE}](#findings-by-severity)"
        lines += ["", md(rest).replace(FINDINGS_TITLE, link)]
    return lines


def _row(values: list[str]) -> str:
    return "| " + " | ".join(values) + " |"


def _named(named: Named) -> str:
    """A name, its id after it in small type (``<sub>``, which GitHub keeps)."""
    if not named.id:
        return md(named.name)
    return f"{md(named.name)} <sub>{md(named.id)}</sub>"


def _value(value: Value) -> str:
    if isinstance(value, str):
        return md(value)
    return ", ".join(_named(named) for named in value)


def _table(table: Table, level: str = "###") -> list[str]:
    lines = [f"{level} {md(table.title)}", ""]
    if not table.rows:
        return [*lines, md(table.empty), ""]
    lines.append(_row([md(column) for column in table.columns]))
    lines.append(_row(["---"] * len(table.columns)))
    lines.extend(_row([_value(value) for value in row]) for row in table.rows)
    return [*lines, ""]


def _cell(cell: Cell) -> str:
    lines = (_named(line) if isinstance(line, Named) else md(line) for line in cell.lines)
    return " ".join([_STATUS_ICONS[cell.status], "<br>".join(lines)])


def _matrix(matrix: Matrix) -> list[str]:
    lines = [f"## {md(matrix.title)}", "", md(matrix.note), ""]
    if not matrix.rows:
        return [*lines, "No providers or suppliers are declared.", ""]
    return [*lines, *_matrix_table(matrix)]


def _matrix_table(matrix: Matrix) -> list[str]:
    lines = [_row(["provider", *(md(column) for column in matrix.columns)])]
    lines.append(_row(["---"] * (len(matrix.columns) + 1)))
    for label, cells in matrix.rows:
        lines.append(_row([_named(label), *(_cell(cell) for cell in cells)]))
    return [*lines, ""]


def _facts(
    title: str, note: str, facts: tuple[tuple[str, str], ...], tables: tuple[Table, ...]
) -> list[str]:
    """A section of (topic, text) facts and the tables below them."""
    lines = [f"## {title}", "", note, ""]
    for topic, text in facts:
        lines += [f"**{md(topic)}**: {md(text)}", ""]
    for table in tables:
        lines += _table(table)
    return lines


def _coverage(report: Report) -> list[str]:
    """The first section: the overall coverage beside the finding counts, the
    matrix provider × criterion and the formula."""
    coverage = report.coverage
    overall = "n/a" if coverage.overall is None else f"{coverage.overall}%"
    counts = report.by_severity
    matrix = coverage.matrix()
    lines = [
        "## USM coverage",
        "",
        f"**USM coverage: {overall}** (all internal providers) · "
        + " · ".join(counted(counts[word], word) for word in ("error", "warning", "info")),
        "",
    ]
    if matrix.rows:
        lines += _matrix_table(matrix)
    else:
        lines += ["No internal provider is declared: nothing to cover.", ""]
    return [*lines, md(coverage.formula), ""]


def render_markdown(report: Report) -> str:
    """The whole report as one Markdown document."""
    details = []
    if report.architecture_id:
        details.append(f"Architecture: {md(report.architecture_id)}")
    details += [
        f"Domain: {md(report.domain or 'not stated')}",
        f"Date: {md(report.date)}",
        f"Files: {report.files}",
        f"usmctl {md(report.version)}",
    ]
    lines = [
        f"# USM gap report: {md(report.title)}",
        "",
        " · ".join(details),
        "",
    ]
    lines += _coverage(report)
    if report.unattributed:
        lines += [
            f"{counted(report.unattributed, 'file-level finding')} (unreadable or malformed "
            "files) belong "
            "to no area: fix them first, the coverage does not see what they hide.",
            "",
        ]
    if report.suppressions:
        lines += [
            f"{counted(report.suppressions, 'suppression comment')} to fix (unused, without "
            "a reason or malformed): listed under suppressions in the findings.",
            "",
        ]
    if report.progress is not None:
        lines += _facts(
            "Since the last report",
            PROGRESS_NOTE,
            report.progress.facts,
            report.progress.shown_tables,
        )
    lines += ["## Start small: the next three actions", ""]
    lines += _actions(report.actions)
    lines += ["", "## Supply chain", ""]
    if report.nodes:
        lines += ["```mermaid", to_mermaid(report.nodes, report.edges).rstrip("\n"), "```", ""]
        lines += [
            "Customers on the left, their providers and suppliers to the right; dotted "
            "arrows: depends on; a number after a name: findings on that node.",
            "",
        ]
    else:
        lines += ["No parties or services are declared.", ""]
    lines += _matrix(report.process_matrix)
    lines += _matrix(report.workflow_matrix)
    lines += _table(report.services, "##")
    lines += ["## Governance, overlay and practice bindings", ""]
    for table in report.bindings:
        lines += _table(table)
    lines += ["## Findings by severity", ""]
    if not report.findings:
        lines += ["No findings: every rule passed.", ""]
    else:
        lines += [
            "| # | severity | rule | area | finding | where | remediation |",
            "|---|---|---|---|---|---|---|",
        ]
        for index, item in enumerate(report.findings, start=1):
            finding = item.finding
            rule = f"{md(finding.code)} {md(finding.name)}"
            if item.help_uri:
                rule = f"[{rule}]({item.help_uri})"
            where = md(f"{finding.file}:{finding.line}:{finding.column}")
            lines.append(
                _row(
                    [
                        str(index),
                        finding.severity.value,
                        rule,
                        md(item.area),
                        md(finding.message),
                        where,
                        code_spans(item.remediation) or "–",
                    ]
                )
            )
        lines.append("")
    lines += _facts("Scope of this check", SCOPE_NOTE, report.scope.facts, report.scope.tables)
    lines.append(f"Generated by usmctl {md(report.version)} on {md(report.date)}.")
    return "\n".join(lines) + "\n"
