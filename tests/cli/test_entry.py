"""The entry point builds only the command it runs (start-up), to the same effect."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.cli import cli_env
from tests.support.paths import EXAMPLES
from usmctl.cli.app import _app_for, _Process, app, main

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


# Runs `usmctl validate --no-cache .` and prints the modules it imported (stderr).
IMPORTED = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write(chr(10).join(sys.modules)))\n"
    "sys.argv = ['usmctl', 'validate', '--no-cache', '.']\n"
    "from usmctl.cli import main\n"
    "main()\n"
)


def test_a_cold_validate_imports_only_what_it_runs(tmp_path: Path) -> None:
    """A cold ``validate`` (no cache) of the pilot in text format: no other
    reporter (xml.etree for junit, the rule docs), no JSON Schema, no worker
    pool for four small files."""
    root = tmp_path / "pilot"
    shutil.copytree(EXAMPLES / "pilot", root)
    run = subprocess.run(
        [sys.executable, "-c", IMPORTED],
        check=False,
        cwd=root,
        env=cli_env({"XDG_CACHE_HOME": str(tmp_path / "home-cache")}),
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    imported = set(run.stderr.splitlines())
    assert "usmctl.output.findings.text" in imported  # the run did report
    unneeded = {
        f"usmctl.output.findings.{name}"
        for name in ("azure", "gitlab", "json_format", "junit", "markdown", "sarif")
    }
    unneeded |= {"xml.etree.ElementTree", "multiprocessing"}
    unneeded |= {"concurrent.futures.process", "usmctl.output.rule_docs", "usmctl.model.schema"}
    assert imported & unneeded == set()


def test_only_the_console_script_freezes_its_runs_objects(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The console script exits after its command: its run's objects are
    frozen for the collector (no collection scans them again). A caller of
    the app (the tests, another program) keeps its collector as it was."""
    target = tmp_path / "pilot"
    shutil.copytree(EXAMPLES / "pilot", target)
    monkeypatch.chdir(target)
    frozen = gc.get_freeze_count()
    assert CliRunner().invoke(app, ["validate", "--no-cache", "."]).exit_code == 0
    assert gc.get_freeze_count() == frozen
    monkeypatch.setattr(sys, "argv", ["usmctl", "validate", "--no-cache", "."])
    monkeypatch.setattr(_Process, "one_shot", False)  # main() sets it for this process
    try:
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 0
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
    assert capsys.readouterr().out  # the run reported
