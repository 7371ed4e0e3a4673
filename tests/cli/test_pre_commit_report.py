"""The `usmctl-report` pre-commit hook: the gap report, written when asked."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from tests.support.cli import run_cli
from tests.support.paths import EXAMPLES, ROOT

FILES = r"(^|/)(usm\.ya?ml|[^/]+\.usm\.ya?ml|[^/]+\.workflow(-template)?\.json)$"


def report_hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [hook for hook in hooks if hook["id"] == "usmctl-report"]
    assert isinstance(hook, dict)
    return hook


def test_report_hook_manifest() -> None:
    hook = report_hook()
    assert hook["entry"] == "usmctl report --output usmctl-report.html --force"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False  # the report is of the whole architecture
    assert hook["stages"] == ["manual"]
    assert hook["files"] == FILES
    pattern = re.compile(FILES)
    for name in ("usm.yaml", "usm.yml", "a.usm.yaml", "arch/b.usm.yml", "arch/w.workflow.json"):
        assert pattern.search(name), name
    for name in ("docker-compose.nonusm.yaml", "arch/notusm.yaml", "x.json", "a.yaml"):
        assert not pattern.search(name), name


def test_report_hook_manifest_is_valid_for_pre_commit() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is not installed")
    hooks = clientlib.load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    (hook,) = [hook for hook in hooks if hook["id"] == "usmctl-report"]
    assert hook["always_run"] is False


def test_report_hook_entry_writes_the_report(tmp_path: Path) -> None:
    """The hook's command as pre-commit runs it: from the repository root, no
    file names; a report of a broken architecture is a report, not a failure."""
    program, *arguments = shlex.split(str(report_hook()["entry"]))
    assert program == "usmctl"
    shutil.copytree(EXAMPLES / "broken", tmp_path / "arch")
    report = tmp_path / "usmctl-report.html"
    report.write_text("an old report\n", encoding="utf-8")  # replaced: --force
    done = run_cli(*arguments, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "<html" in report.read_text(encoding="utf-8")
    assert "arch/services.usm.yaml" in report.read_text(encoding="utf-8")
