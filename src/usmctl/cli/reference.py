"""The command-line reference in docs/cli.md, generated from what the tool
declares: the Typer app's commands and options, the format registry, the exit
codes and the config keys. `python tools/readme_sync.py .` writes it and
tests/test_cli_docs.py fails when docs/cli.md differs, so it cannot drift.

Not imported by the app: only the docs tooling and the tests use it.
"""

from __future__ import annotations

import inspect
from typing import Any, get_args, get_type_hints

import typer
import typer.main
import typer.models

from usmctl.check.config import KEYS
from usmctl.cli.app import app
from usmctl.core.errors import ExitCode
from usmctl.output.formats import Command, formats

EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "no finding at or above `--fail-on` (default `error`), or `--exit-zero`; "
    "every command but `validate` exits 0 when it did its work",
    ExitCode.FINDINGS: "`validate` found findings at or above `--fail-on`",
    ExitCode.USAGE: "usage or configuration error (bad option, invalid config, unreadable "
    "baseline, refused output file) or an internal error (one line on standard error; "
    "`--debug` adds the traceback)",
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C)",
    ExitCode.TERMINATED: "terminated (SIGTERM) while writing a file, which is left as it was",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _argument_help(callback: Any) -> dict[str, str]:
    """Parameter name -> help of the command's arguments (click keeps no
    argument help when typer renders help without rich, so read the Annotated
    declarations)."""
    found: dict[str, str] = {}
    for name, hint in get_type_hints(callback, include_extras=True).items():
        for extra in get_args(hint)[1:]:
            if isinstance(extra, typer.models.ArgumentInfo) and extra.help:
                found[name] = extra.help
    return found


def _value(param: Any) -> str:
    if getattr(param, "is_flag", False):
        return "flag"
    value = f"`{param.type.name.upper()}`"
    return f"{value}, repeatable" if param.multiple or param.nargs == -1 else value


def _default(param: Any) -> str:
    default = param.default
    if default in (None, "", False, ()) or getattr(param, "is_flag", False):
        return ""
    return f"`{default}`"


def _command(name: str, command: Any) -> list[str]:
    usage = " ".join(command.collect_usage_pieces(typer.Context(command, info_name=name)))
    callback = command.callback
    argument_help = _argument_help(inspect.unwrap(callback)) if callback else {}
    lines = [f"### usmctl {name}", "", f"`usmctl {name} {usage}`", ""]
    lines += [_cell((command.help or "").split("\n\n")[0]), ""]
    params = [param for param in command.params if param.name != "help"]
    if not params:
        return lines
    lines += ["| argument or option | value | default | meaning |", "|---|---|---|---|"]
    for param in params:
        if param.param_type_name == "argument":
            shown = f"`{param.make_metavar(typer.Context(command)).strip('[].')}`"
            meaning = argument_help.get(param.name, "")
        else:
            shown = ", ".join(f"`{opt}`" for opt in sorted(param.opts, key=len))
            meaning = param.help or ""
        lines.append(f"| {shown} | {_value(param)} | {_default(param)} | {_cell(meaning)} |")
    lines.append("")
    return lines


def _formats() -> list[str]:
    lines = [
        "| command | `--format` | file extensions | for | what it is |",
        "|---|---|---|---|---|",
    ]
    for command in Command:
        for entry in formats(command).values():
            extensions = ", ".join(f"`{ext}`" for ext in entry.extensions)
            reader = "programs" if entry.machine else "people"
            lines.append(
                f"| `{command}` | `{entry.name}` | {extensions} | {reader} | {entry.summary} |"
            )
    return lines


def _config_keys(options: set[str]) -> list[str]:
    lines = ["| key | command-line option of `validate` |", "|---|---|"]
    for key in KEYS:
        option = f"`--{key}`" if f"--{key}" in options else ""
        lines.append(f"| `{key}` | {option} |")
    return lines


def cli_reference() -> str:
    """The generated part of docs/cli.md."""
    root = typer.main.get_command(app)
    commands: dict[str, Any] = getattr(root, "commands", {})
    lines = ["## Commands", ""]
    lines += [
        "Every command takes `--help`; `usmctl --version` prints the version.",
        "",
    ]
    for name, command in commands.items():
        lines += _command(name, command)
    lines += [
        "## Output formats",
        "",
        "A format for programs has no colour and no prose around its payload; with",
        "`--output FILE` every format goes to the file, and standard output stays empty.",
        "",
        *_formats(),
        "",
    ]
    lines += ["## Exit codes", "", "| code | meaning |", "|---|---|"]
    lines += [f"| {int(code)} | {EXIT_MEANINGS[code]} |" for code in ExitCode]
    lines.append("")
    validate_options = {
        opt for param in commands["validate"].params for opt in getattr(param, "opts", ())
    }
    lines += [
        "## Configuration keys",
        "",
        "Read from `usmctl.toml` or `[tool.usmctl]` in `pyproject.toml`; types, values and",
        "examples are in [ci.md, Configuration](ci.md#configuration). An option on the",
        "command line wins over its key.",
        "",
        *_config_keys(validate_options),
        "",
    ]
    return "\n".join(lines)
