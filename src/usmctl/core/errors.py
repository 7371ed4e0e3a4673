"""The tool's own failures (not the user's input: that becomes findings)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes (README, "Exit codes"; docs/ci.md)."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM


class UsmctlError(Exception):
    """A failure the CLI reports as one line and exit code 2."""


class Terminated(BaseException):
    """SIGTERM arrived while a file was being written; its temporary file is gone."""


class UsageError(UsmctlError):
    """A bad command line: missing path, unknown rule selector, ..."""


class ConfigError(UsmctlError):
    """An invalid `usmctl.toml`, `[tool.usmctl]` table or catalogue file."""
