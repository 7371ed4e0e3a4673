"""The one way tests run usmctl's command line.

``invoke`` runs the Typer app in this process (fast; most tests), ``run``
starts a real ``python -m usmctl`` process (signals, exit codes, stdin bytes,
another user, the import graph). Both start from the same environment:
this checkout's source first and no CI service variables, so a test run
inside GitHub Actions behaves as one on a laptop.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from typer.testing import CliRunner

from tests.support.paths import SRC
from usmctl.cli import app

# Variables that switch usmctl's behaviour when a CI service sets them.
CI_VARIABLES = ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR")


class Outcome(NamedTuple):
    """What an in-process run returned and printed (``code, stdout, stderr = ...``)."""

    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """stdout then stderr, for an assertion message."""
        return self.stdout + self.stderr


def invoke(
    *args: str,
    cwd: Path | None = None,
    stdin: str | bytes | None = None,
    env: Mapping[str, str | None] | None = None,
    width: int | None = None,
) -> Outcome:
    """Run ``usmctl ARGS`` in this process, from ``cwd`` when given; ``env``
    sets (or, with None, unsets) variables; ``width`` is the terminal's."""
    environment: dict[str, str | None] = dict.fromkeys(CI_VARIABLES)
    environment.update(env or {})
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        result = CliRunner().invoke(
            app, list(args), input=stdin, env=environment, terminal_width=width
        )
    return Outcome(result.exit_code, result.stdout, result.stderr)


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a usmctl subprocess: this checkout's source first."""
    environment = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES}
    environment["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SRC), environment.get("PYTHONPATH")])
    )
    environment.update(extra or {})
    return environment


def cli_command(*args: str) -> list[str]:
    """``python -m usmctl ARGS`` with the interpreter running the tests."""
    return [sys.executable, "-m", "usmctl", *args]


def run_cli(
    *args: str,
    cwd: Path | None = None,
    stdin: str | bytes | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    user: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``usmctl ARGS`` for real (a new process); ``user`` drops to that uid.

    ``stdin`` goes in as given (bytes stay bytes, so a test can feed invalid
    UTF-8); stdout and stderr come back as text, undecodable bytes escaped.
    """
    done = subprocess.run(
        cli_command(*args),
        cwd=cwd,
        env=cli_env(env),
        input=stdin.encode("utf-8") if isinstance(stdin, str) else stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
        user=user,
        group=user,
        extra_groups=[] if user is not None else None,
    )
    return subprocess.CompletedProcess(
        done.args,
        done.returncode,
        done.stdout.decode("utf-8", "backslashreplace"),
        done.stderr.decode("utf-8", "backslashreplace"),
    )


class Printed(Protocol):
    """A finished run: an in-process ``Outcome`` or a ``CompletedProcess``."""

    @property
    def stdout(self) -> str: ...


def json_findings(run: Printed) -> list[dict[str, Any]]:
    """The findings of a ``--format json`` run (asserting stdout is only the payload)."""
    payload = json.loads(run.stdout)
    findings: list[dict[str, Any]] = payload["findings"]
    return findings


def codes_at(findings: Sequence[dict[str, Any]]) -> list[tuple[str, str, int, int]]:
    """Findings as (code, file, line, column)."""
    return [(f["code"], f["file"], f["line"], f["column"]) for f in findings]


def assert_one_line_error(stderr: str, *, contains: str = "") -> str:
    """stderr is exactly one ``usmctl: ...`` line, no traceback; return the line."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("usmctl: "), stderr
    assert contains in lines[0], stderr
    return lines[0]
