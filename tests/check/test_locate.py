"""Findings are located from the marks of the one parse (issue 17): no second
walk over a file that parsed with them, and the same positions the walk gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.factories import checked, located
from tests.support.paths import EXAMPLES
from tests.support.walks import counted_walks
from usmctl.api import check
from usmctl.check import engine
from usmctl.check.settings import Settings
from usmctl.load.locate import SourceMap
from usmctl.load.yamlio import parse

EXAMPLE_DIRS = ["broken", "broken-syntax"]


@pytest.mark.parametrize("name", EXAMPLE_DIRS)
def test_marks_locate_as_the_walk_does(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root)
    settings = Settings(select=("ALL",), use_cache=False)
    with counted_walks(monkeypatch, fixes=False) as walked:
        from_marks = checked(root, settings)
    assert from_marks.findings
    for text in walked:  # only a file the parse kept no marks of is walked
        assert text.lstrip().startswith("{") or parse(text).marks is None
    with monkeypatch.context() as patch:
        patch.setattr(engine, "SourceMap", lambda text, marks=None: SourceMap(text))
        from_walk = checked(root, settings)
    assert located(from_marks) == located(from_walk)
    assert [f.related for f in from_marks.findings] == [f.related for f in from_walk.findings]


def test_findings_only_plans_no_fix_and_walks_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`usmctl validate` shows no fix: it plans none, so no file with a
    fixable finding is read again; the positions are the same."""
    root = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "broken", root)
    settings = Settings(select=("ALL",), use_cache=False)
    with_fixes = check(["."], settings, cwd=root)
    assert any(finding.fix is not None for finding in with_fixes.findings)
    with counted_walks(monkeypatch) as walked:
        shown = check(["."], settings, cwd=root, findings_only=True)
    assert walked == []
    assert all(finding.fix is None for finding in shown.findings)
    assert located(shown) == located(with_fixes)
    assert [f.related for f in shown.findings] == [f.related for f in with_fixes.findings]
