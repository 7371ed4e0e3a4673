"""Every output format, in one registry: the `--format` choices of `validate`,
`report`, `graph` and `rules`, their help texts, the report's suffix detection
and docs/cli.md all derive from `FORMATS`.

Pure data, importing no renderer: the CLI reads it when its options are
declared, and `--help` must stay quick. Each renderer table
(`findings.REPORTERS`, `report.REPORT_RENDERERS`, `report.exports.EXPORTS`,
`rule_docs.RULE_RENDERERS`) is built through `renderers`, which refuses a table
that names other formats than the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from usmctl.core.errors import UsageError
from usmctl.core.findings import choice_list

T = TypeVar("T")


class Command(StrEnum):
    """The commands that take ``--format``."""

    VALIDATE = "validate"
    REPORT = "report"
    GRAPH = "graph"
    RULES = "rules"


@dataclass(frozen=True)
class Format:
    """One output format of one command."""

    command: Command
    name: str
    summary: str
    extensions: tuple[str, ...] = ()  # the report's suffix detection reads these
    machine: bool = True  # for programs: no colour, no prose, only the payload
    colour: bool = False  # ANSI colour on a terminal
    # CI commands (GitHub workflow commands, Azure logging commands): the
    # renderer escapes their values, and the CLI writes them as they are
    workflow_commands: bool = False


FORMATS: tuple[Format, ...] = (
    # validate: findings
    Format(
        Command.VALIDATE,
        "azure",
        "Azure Pipelines issues (logging commands)",
        workflow_commands=True,
    ),
    Format(
        Command.VALIDATE,
        "github",
        "GitHub Actions annotations (workflow commands)",
        workflow_commands=True,
    ),
    Format(Command.VALIDATE, "gitlab", "GitLab Code Quality JSON"),
    Format(Command.VALIDATE, "json", "findings and summary as JSON"),
    Format(Command.VALIDATE, "junit", "JUnit XML, one failing test case per finding"),
    Format(Command.VALIDATE, "markdown", "a pull-request comment", machine=False),
    Format(Command.VALIDATE, "sarif", "SARIF 2.1.0 for code scanning"),
    Format(Command.VALIDATE, "text", "one line per finding", machine=False, colour=True),
    # report: the gap report, to a file
    Format(Command.REPORT, "html", "a self-contained HTML page", (".html", ".htm"), machine=False),
    Format(Command.REPORT, "markdown", "Markdown", (".md", ".markdown"), machine=False),
    # graph: the supply chain
    Format(Command.GRAPH, "dot", "Graphviz DOT"),
    Format(Command.GRAPH, "graphml", "GraphML"),
    Format(Command.GRAPH, "json", "networkx node-link JSON"),
    Format(Command.GRAPH, "mermaid", "a Mermaid flowchart"),
    # rules: the rule list
    Format(Command.RULES, "json", "a JSON array"),
    Format(Command.RULES, "markdown", "a Markdown table", machine=False),
    Format(Command.RULES, "text", "one line per rule", machine=False),
)

# What an unknown name is called in the error message.
_NOUNS = {
    Command.VALIDATE: "format",
    Command.REPORT: "report format",
    Command.GRAPH: "graph format",
    Command.RULES: "format",
}


def formats(command: Command) -> dict[str, Format]:
    """Name -> format, for one command, sorted by name."""
    found = {entry.name: entry for entry in FORMATS if entry.command == command}
    return dict(sorted(found.items()))


def names(command: Command) -> tuple[str, ...]:
    """The ``--format`` choices of one command, sorted."""
    return tuple(formats(command))


def spoken(command: Command) -> str:
    """The choices as prose: ``dot, graphml, json or mermaid``."""
    return choice_list(names(command))


def pick(command: Command, name: str) -> Format:
    """The format called ``name``, or a UsageError that lists the choices."""
    known = formats(command)
    if name not in known:
        raise UsageError(f"unknown {_NOUNS[command]} {name!r} (choose from {', '.join(known)})")
    return known[name]


def by_suffix(command: Command, suffix: str) -> Format | None:
    """The format whose extensions include ``suffix`` (any case), if any."""
    for entry in formats(command).values():
        if suffix.lower() in entry.extensions:
            return entry
    return None


def renderers(command: Command, table: Mapping[str, T]) -> dict[str, T]:
    """``table`` (format name -> what renders it), checked to cover exactly the
    command's formats, in the registry's order."""
    expected = names(command)
    if set(table) != set(expected):
        raise RuntimeError(
            f"{command} renderers {sorted(table)} do not match the formats {list(expected)}"
        )
    return {name: table[name] for name in expected}
