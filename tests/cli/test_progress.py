"""The progress hook of api.check and the CLI's rich progress bar."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.cli.app import progress_callback


def _files(root: Path, count: int) -> Path:
    for index in range(count):
        (root / f"f{index:03}.usm.yaml").write_text('usm: "1"\n', encoding="utf-8")
    return root


def test_each_file_parsed_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    result = check(
        ["."], Settings(), cwd=_files(tmp_path, 3), progress=lambda *args: calls.append(args)
    )
    assert len(result.files) == 3
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_check_passes_the_callback_through(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    check(["."], cwd=_files(tmp_path, 2), progress=lambda *args: calls.append(args))
    assert calls[-1] == (2, 2)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_is_drawn_on_a_terminal_past_the_threshold() -> None:
    stream = _Terminal()
    update = progress_callback(stream, threshold=3)
    for done in range(1, 5):
        update(done, 4)
    assert "reading files" in stream.getvalue()
    assert "4/4" in stream.getvalue()


def test_no_bar_for_small_runs_or_pipes() -> None:
    terminal = _Terminal()
    update = progress_callback(terminal, threshold=200)
    for done in range(1, 201):
        update(done, 200)
    assert terminal.getvalue() == ""
    pipe = io.StringIO()
    update = progress_callback(pipe, threshold=3)
    for done in range(1, 10):
        update(done, 9)
    assert pipe.getvalue() == ""


def test_rich_is_not_imported_for_a_small_run() -> None:
    had_rich = "rich.progress" in sys.modules
    update = progress_callback(_Terminal(), threshold=200)
    update(1, 2)
    assert ("rich.progress" in sys.modules) == had_rich
