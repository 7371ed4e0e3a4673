"""Shared fixtures: write architecture files into a temporary directory and check them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from usmctl.api import check
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"

WriteFiles = Callable[[dict[str, str]], Path]


@pytest.fixture
def write_files(tmp_path: Path) -> WriteFiles:
    """Write ``{relative name: dedented text}`` under tmp_path; return tmp_path."""

    def write(files: dict[str, str]) -> Path:
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return tmp_path

    return write


def run_check(root: Path, settings: Settings | None = None) -> RunResult:
    """Check every file under ``root`` with paths reported relative to it."""
    return check(["."], settings or Settings(), cwd=root)


def located(result: RunResult) -> list[str]:
    """Findings as ``file:line:col CODE`` strings, in report order."""
    return [f"{f.file}:{f.line}:{f.column} {f.code}" for f in result.findings]
