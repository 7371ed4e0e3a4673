"""The entry point builds only the command it runs (start-up), to the same effect."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from usmctl.cli.app import _app_for, app

COMMANDS = [info.callback.__name__ for info in app.registered_commands if info.callback]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_named_first_runs_alone_with_the_same_help(name: str) -> None:
    alone = _app_for([name, "--help"])
    assert [info.callback for info in alone.registered_commands] == [
        info.callback for info in app.registered_commands if info.callback.__name__ == name
    ]
    assert alone.registered_callback is app.registered_callback  # --version, the group
    runner = CliRunner()
    for arguments in ([name, "--help"], [name, "--no-such-option"]):
        expected = runner.invoke(app, arguments)
        seen = runner.invoke(alone, arguments)
        assert (seen.exit_code, seen.output) == (expected.exit_code, expected.output)


@pytest.mark.parametrize("arguments", [[], ["--help"], ["--version"], ["valdate"], ["-q"]])
def test_anything_else_runs_the_whole_app(arguments: list[str]) -> None:
    assert _app_for(arguments) is app
