"""The consultant's gap report (`usmctl report`) and the graph exports.

`content` computes what the report says once from a RunResult (its first
section, the USM coverage per provider, in `coverage`); `html` and
`markdown` render it; `svg` draws the supply chain; `exports` writes the graph
for `usmctl graph`; `progress` compares with an earlier run (`--compare`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from usmctl.core.errors import UsageError
from usmctl.output.formats import Command, by_suffix, names, pick, renderers
from usmctl.output.report.content import Report, build_report, graph_data
from usmctl.output.report.exports import EXPORTS
from usmctl.output.report.html import render_html
from usmctl.output.report.markdown import render_markdown

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.report.progress import Previous

REPORT_RENDERERS: dict[str, Callable[[Report], str]] = renderers(
    Command.REPORT, {"html": render_html, "markdown": render_markdown}
)


def report_format(output: Path, explicit: str | None) -> str:
    """The format named by ``--format``, else by the output file's suffix."""
    if explicit:
        return pick(Command.REPORT, explicit).name
    if str(output) == "-":
        raise UsageError(
            f"-o - writes the report to stdout: pass --format {'|'.join(names(Command.REPORT))}"
        )
    found = by_suffix(Command.REPORT, output.suffix)
    if found is None:
        raise UsageError(
            f"cannot tell the report format from {output.name!r}: "
            f"name it .html or .md, or pass --format {'|'.join(names(Command.REPORT))}"
        )
    return found.name


def render_report(
    result: RunResult, output_format: str, *, date: str, previous: Previous | None = None
) -> str:
    """The gap report in one of the report formats; ``previous``: the earlier
    run of ``--compare`` (`progress.load_previous`)."""

    return built_report(result, output_format, date=date, previous=previous)[0]


def built_report(
    result: RunResult, output_format: str, *, date: str, previous: Previous | None = None
) -> tuple[str, Report]:
    """`render_report`'s text and the content it renders (the CLI says the coverage)."""
    content = build_report(result, date=date, previous=previous)
    return REPORT_RENDERERS[output_format](content), content


def graph_format(name: str) -> str:
    """A known `usmctl graph` format, or a UsageError."""

    return pick(Command.GRAPH, name).name


def render_graph(result: RunResult, output_format: str) -> str:
    """The supply chain in one of `exports.EXPORTS`."""

    nodes, edges = graph_data(result)
    return EXPORTS[output_format](nodes, edges)
