"""`architecture_root`: where the architecture of a file given alone begins."""

from __future__ import annotations

from pathlib import Path

from usmctl.check.config import architecture_root


def test_the_nearest_folder_with_a_config_file_or_git_wins(tmp_path: Path) -> None:
    deep = tmp_path / "repo" / "arch" / "suppliers"
    deep.mkdir(parents=True)
    assert architecture_root(deep) == deep  # no marker anywhere: the file's own folder
    (tmp_path / "repo" / ".git").mkdir()
    assert architecture_root(deep) == tmp_path / "repo"
    (tmp_path / "repo" / "arch" / "pyproject.toml").write_text("[tool.usmctl]\n")
    assert architecture_root(deep) == tmp_path / "repo" / "arch"
    (deep / "usmctl.toml").write_text("")
    assert architecture_root(deep) == deep


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / ".git").write_text("gitdir: elsewhere\n")  # a worktree's .git is a file
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert architecture_root(inner) == tmp_path
