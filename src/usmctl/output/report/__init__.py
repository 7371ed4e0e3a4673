"""The consultant's gap report (`usmctl report`) and the graph exports.

`content` computes what the report says once from a RunResult; `html` and
`markdown` render it; `svg` draws the supply chain; `exports` writes the graph
for `usmctl graph`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from usmctl.core.errors import UsageError
from usmctl.output.report.content import build_report, graph_data
from usmctl.output.report.exports import EXPORTS
from usmctl.output.report.html import render_html
from usmctl.output.report.markdown import render_markdown

if TYPE_CHECKING:
    from usmctl.check.result import RunResult

REPORT_FORMATS: dict[str, tuple[str, ...]] = {
    "html": (".html", ".htm"),
    "markdown": (".md", ".markdown"),
}


def report_format(output: Path, explicit: str | None) -> str:
    """The format named by ``--format``, else by the output file's suffix."""
    if explicit:
        if explicit not in REPORT_FORMATS:
            raise UsageError(f"unknown report format {explicit!r} (choose html or markdown)")
        return explicit
    suffix = output.suffix.lower()
    for name, suffixes in REPORT_FORMATS.items():
        if suffix in suffixes:
            return name
    raise UsageError(
        f"cannot tell the report format from {output.name!r}: "
        "name it .html or .md, or pass --format html|markdown"
    )


def render_report(result: RunResult, output_format: str, *, date: str) -> str:
    """The gap report as HTML or Markdown text."""

    report = build_report(result, date=date)
    if output_format == "html":
        return render_html(report)

    return render_markdown(report)


def graph_format(name: str) -> str:
    """A known `usmctl graph` format, or a UsageError."""

    if name not in EXPORTS:
        raise UsageError(
            f"unknown graph format {name!r} (choose from {', '.join(sorted(EXPORTS))})"
        )
    return name


def render_graph(result: RunResult, output_format: str) -> str:
    """The supply chain in one of `exports.EXPORTS`."""

    nodes, edges = graph_data(result)
    return EXPORTS[output_format](nodes, edges)
