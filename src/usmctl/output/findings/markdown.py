"""Markdown (CommonMark with GitHub tables): a findings table to post as a pull-request comment.

Every cell is escaped: pipes would split the table, and brackets, stars,
underscores, backticks and angle brackets would turn user text into links,
emphasis or HTML.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from usmctl.output.findings.text import summary_line

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

_MARKDOWN_ESCAPES = re.compile(r"([\\`*_\[\]<>|#!~])")
_ICONS = {"error": "🔴 error", "warning": "🟠 warning", "info": "🔵 info"}


def escape(text: str) -> str:
    """Text that renders literally inside a table cell."""
    escaped = _MARKDOWN_ESCAPES.sub(r"\\\1", text.replace("&", "&amp;"))
    return escaped.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def render(result: RunResult, options: ReportOptions) -> str:
    """A heading, the summary line and, when there are findings, the table."""
    lines = ["## usmctl", "", escape(summary_line(result)), ""]
    if result.findings:
        lines.append("| severity | rule | location | message | entity |")
        lines.append("|---|---|---|---|---|")
        for finding in result.findings:
            rule = escape(f"{finding.code} {finding.name}")
            help_uri = result.help_uri(finding)
            if help_uri is not None:
                rule = f"[{rule}]({help_uri})"
            where = escape(f"{finding.file}:{finding.line}:{finding.column}")
            entity = escape(finding.entity) if finding.entity else ""
            lines.append(
                f"| {_ICONS[finding.severity.value]} | {rule} | {where} | "
                f"{escape(finding.message)} | {entity} |"
            )
        lines.append("")
    return "\n".join(lines)
