"""Discovery: which files make up the architecture (SPEC §2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.factories import WriteFiles
from usmctl.core.errors import UsageError
from usmctl.load.loader import discover


def test_discovery_finds_architecture_files_and_skips_the_rest(write_files: WriteFiles) -> None:
    root = write_files({
        "a.usm.yaml": "", "sub/b.usm.yml": "", "sub/usm.yaml": "", "c.workflow.json": "{}",
        "d.workflow-template.json": "{}", "notes.yaml": "", "other.json": "{}",
        ".hidden/e.usm.yaml": "", "node_modules/f.usm.yaml": "", ".git/g.usm.yaml": "",
        "venv/pyvenv.cfg": "", "venv/h.usm.yaml": "", "myenv/pyvenv.cfg": "",
        "myenv/i.usm.yaml": "", "conda/conda-meta/history": "", "conda/j.usm.yaml": "",
        "env/prod.usm.yaml": "",
    })  # fmt: skip
    files, broken = discover(["."], cwd=root)
    assert [(f.display, f.kind) for f in files] == [
        ("a.usm.yaml", "yaml"),
        ("c.workflow.json", "wif"),
        ("d.workflow-template.json", "wif-template"),
        ("env/prod.usm.yaml", "yaml"),  # a folder named env is not a virtualenv
        ("sub/b.usm.yml", "yaml"),
        ("sub/usm.yaml", "yaml"),
    ]
    assert broken == []


def test_explicit_files_are_always_read(write_files: WriteFiles) -> None:
    root = write_files({"notes.yaml": "", ".hidden/x.yaml": ""})
    files, _ = discover(["notes.yaml", ".hidden/x.yaml"], cwd=root)
    assert [f.display for f in files] == [".hidden/x.yaml", "notes.yaml"]


def test_symlink_loops_do_not_hang_and_broken_links_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.usm.yaml").write_text('usm: "1"\n')
    os.symlink(tmp_path, tmp_path / "loop")
    os.symlink(tmp_path / "missing.usm.yaml", tmp_path / "dangling.usm.yaml")
    files, broken = discover(["."], cwd=tmp_path)
    assert [f.display for f in files] == ["a.usm.yaml"]
    assert [(b.source.display, b.problems[0].code) for b in broken] == [
        ("dangling.usm.yaml", "USM010")
    ]


def test_include_and_exclude_globs(write_files: WriteFiles) -> None:
    root = write_files({"a/x.usm.yaml": "", "b/y.usm.yaml": "", "a/legacy/z.usm.yaml": ""})
    files, _ = discover(["."], cwd=root, include=("a/*",), exclude=("*/legacy/*",))
    assert [f.display for f in files] == ["a/x.usm.yaml"]


def test_bare_file_names_match_in_any_folder(write_files: WriteFiles) -> None:
    root = write_files({"services.usm.yaml": "", "sub/services.usm.yaml": "", "sub/x.usm.yaml": ""})
    files, _ = discover(["sub"], cwd=root, exclude=("services.usm.yaml",))
    assert [f.display for f in files] == ["sub/x.usm.yaml"]


def test_a_file_reached_twice_is_read_once(write_files: WriteFiles) -> None:
    root = write_files({"in/a.usm.yaml": "", "in/b.usm.yaml": ""})
    os.symlink(root / "in", root / "alias")
    files, _ = discover(["in", "in/../in", "alias", "in/a.usm.yaml"], cwd=root)
    assert [f.display for f in files] == ["in/a.usm.yaml", "in/b.usm.yaml"]


@pytest.mark.parametrize("path", ["", "x" * 300, "a.usm.yaml/inside"])
def test_unusable_paths_are_usage_errors(write_files: WriteFiles, path: str) -> None:
    root = write_files({"a.usm.yaml": ""})
    with pytest.raises(UsageError):
        discover([path], cwd=root)
