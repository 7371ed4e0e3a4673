"""`write_atomic(parents=True)`: missing folders made, never through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from usmctl.core.errors import UsageError
from usmctl.core.writing import check_output, make_parents, write_atomic


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_missing_folders_are_made_top_down(in_tmp: Path) -> None:
    check_output(Path("out/deeper/x.html"), parents=True)
    assert not (in_tmp / "out").exists()  # the check makes nothing
    write_atomic(Path("out/deeper/x.html"), "hello", parents=True)
    assert (in_tmp / "out/deeper/x.html").read_text("utf-8") == "hello"


def test_without_parents_a_missing_folder_is_still_refused(in_tmp: Path) -> None:
    with pytest.raises(UsageError, match="directory does not exist"):
        write_atomic(Path("out/x.html"), "hello")


def test_a_file_in_the_way_is_refused_before_and_at_the_write(in_tmp: Path) -> None:
    (in_tmp / "out").write_text("a file", "utf-8")
    for attempt in (
        lambda: check_output(Path("out/deeper/x.html"), parents=True),
        lambda: write_atomic(Path("out/deeper/x.html"), "hello", parents=True),
    ):
        with pytest.raises(UsageError, match=r'not a directory: ".*out"'):
            attempt()
    assert (in_tmp / "out").read_text("utf-8") == "a file"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_link_in_the_tree_is_never_followed(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.symlink(elsewhere, in_tmp / "out")  # to an existing folder
    os.symlink(elsewhere / "gone", in_tmp / "dangling")  # to nothing yet
    for target in ("out/x.html", "out/new/x.html", "dangling/x.html", "dangling/new/x.html"):
        with pytest.raises(UsageError, match="refusing to write through a link"):
            write_atomic(Path(target), "hello", parents=True)
    assert list(elsewhere.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_link_planted_where_a_folder_was_to_be_made_is_refused(
    in_tmp: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    real_mkdir = os.mkdir

    def planting(path: os.PathLike[str] | str, mode: int = 0o777) -> None:
        if Path(path).name == "new":  # another process wins the race with a link
            os.symlink(elsewhere, path)
        real_mkdir(path, mode)

    monkeypatch.setattr(os, "mkdir", planting)
    with pytest.raises(UsageError, match="refusing to write through a link"):
        make_parents(in_tmp / "out" / "new" / "x.html", Path("out/new/x.html"))
    assert list(elsewhere.iterdir()) == []
