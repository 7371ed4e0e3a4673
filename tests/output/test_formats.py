"""The one Format registry: every renderer table, the CLI's choices and its
help texts derive from `usmctl.output.formats`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.paths import ROOT
from usmctl.output import formats
from usmctl.output.findings import REPORTERS
from usmctl.output.formats import FORMATS, Command, names, pick, renderers, spoken
from usmctl.output.report import REPORT_RENDERERS, report_format
from usmctl.output.report.exports import EXPORTS

TABLES = {Command.VALIDATE: REPORTERS, Command.REPORT: REPORT_RENDERERS, Command.GRAPH: EXPORTS}


def test_every_renderer_table_names_exactly_the_registry_formats() -> None:
    for command, table in TABLES.items():
        assert tuple(table) == names(command), command


def test_renderers_refuses_a_table_that_differs_from_the_registry() -> None:
    with pytest.raises(RuntimeError, match="do not match"):
        renderers(Command.GRAPH, {"dot": str, "png": str})
    with pytest.raises(RuntimeError, match="do not match"):
        renderers(Command.GRAPH, {"dot": str})


def test_formats_are_unique_per_command_and_extensions_lower_case() -> None:
    keys = [(entry.command, entry.name) for entry in FORMATS]
    assert len(keys) == len(set(keys))
    for entry in FORMATS:
        assert all(ext.startswith(".") and ext == ext.lower() for ext in entry.extensions)
    assert [entry.name for entry in FORMATS if entry.colour] == ["text"]
    assert [entry.name for entry in FORMATS if entry.workflow_commands] == ["azure", "github"]


def test_report_suffixes_come_from_the_registry() -> None:
    for entry in formats.formats(Command.REPORT).values():
        for extension in entry.extensions:
            assert report_format(Path(f"r{extension.upper()}"), None) == entry.name


def test_pick_lists_the_choices() -> None:
    assert pick(Command.GRAPH, "dot").name == "dot"
    with pytest.raises(Exception, match=r"choose from dot, graphml, json, mermaid"):
        pick(Command.GRAPH, "png")


@pytest.mark.parametrize("command", list(Command))
def test_help_lists_every_format_of_the_command(command: Command) -> None:
    outcome = invoke(command.value, "--help", width=200)
    assert outcome.code == 0
    flat = " ".join(outcome.stdout.split())
    assert spoken(command) in flat


@pytest.mark.parametrize("command", list(Command))
def test_an_unknown_format_is_refused_with_the_registry_choices(
    command: Command, tmp_path: Path
) -> None:
    args = [command.value, "--format", "nope"]
    if command is Command.REPORT:
        args += ["--output", str(tmp_path / "r.html")]
    outcome = invoke(*args)
    assert outcome.code == 2
    assert f"(choose from {', '.join(names(command))})" in outcome.stderr


@pytest.mark.parametrize(
    "name", [entry.name for entry in FORMATS if entry.command is Command.VALIDATE and entry.machine]
)
def test_machine_formats_write_only_their_payload(name: str) -> None:
    from usmctl.api import check
    from usmctl.check.settings import Settings
    from usmctl.output.findings.options import ReportOptions

    outcome = invoke("validate", "examples/broken", "--format", name, cwd=ROOT)
    assert outcome.code == 1
    result = check(["examples/broken"], Settings(use_cache=False), cwd=ROOT)
    options = ReportOptions(source_root=ROOT, working_directory=ROOT)  # SARIF's %SRCROOT%
    assert outcome.stdout == REPORTERS[name](result, options)


FORMAT_NAMES = {entry.name for entry in FORMATS}
# Modules that may spell format names: the registry and the renderer tables.
ALLOWED = {"formats.py", "findings/__init__.py", "report/__init__.py", "report/exports.py"}


def test_no_module_keeps_its_own_list_of_format_names() -> None:
    """A tuple, list or set literal of two or more format names anywhere else
    is a second source of the choices."""
    package = ROOT / "src" / "usmctl"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package / "output").as_posix() if "output" in path.parts else ""
        if relative in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                values = [
                    item.value
                    for item in node.elts
                    if isinstance(item, ast.Constant) and isinstance(item.value, str)
                ]
                if len(values) >= 2 and set(values) <= FORMAT_NAMES:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"format names listed outside the registry: {offenders}"
