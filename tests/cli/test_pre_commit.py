"""The pre-commit hooks this repository publishes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.paths import EXAMPLES, ROOT

HOOK_FILES = r"(^|/)(usm\.ya?ml|[^/]+\.usm\.ya?ml|[^/]+\.workflow(-template)?\.json)$"


def test_pre_commit_hooks_manifest() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {hook["id"]: hook for hook in hooks}
    hook = by_id["usmctl"]
    assert hook["entry"] == "usmctl validate"
    assert hook["language"] == "python"
    assert hook["files"] == HOOK_FILES
    assert hook["pass_filenames"] is True
    assert by_id["usmctl-architecture"]["pass_filenames"] is False
    pattern = re.compile(HOOK_FILES)
    for name in (
        "a.usm.yaml",
        "b.usm.yml",
        "usm.yaml",
        "w.workflow.json",
        "t.workflow-template.json",
    ):
        assert pattern.search(name) and pattern.search(f"arch/{name}"), name
    for name in ("a.yaml", "pyproject.toml", "x.json", "docker-compose.nonusm.yaml", ".usm.yaml"):
        assert not pattern.search(name) and not pattern.search(f"arch/{name}"), name
    assert by_id["usmctl-architecture"]["files"] == HOOK_FILES


def try_repo(project: Path, tmp_path: Path, *args: str) -> tuple[int, str]:
    """``pre-commit try-repo`` of this checkout's ``usmctl`` hook in a new git
    repository of ``project`` (every file staged): exit code and output.
    Skips when pre-commit is absent or cannot install the hook's environment."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs the project as a git repository")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    done = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "usmctl", *args],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    output = done.stdout + done.stderr
    if "Could not find a version" in output or "Failed to establish" in output:
        pytest.skip("pre-commit could not install the hook's environment (offline?)")
    return done.returncode, output


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "broken", project / "arch")
    (project / "notes.txt").write_text("not an architecture file\n", encoding="utf-8")
    code, output = try_repo(project, tmp_path, "--all-files")
    assert code == 1, output
    assert "usmctl" in output and "Failed" in output
    assert "arch/services.usm.yaml:" in output
    assert "notes.txt" not in output


@pytest.mark.slow
def test_a_staged_file_is_checked_in_its_architecture(tmp_path: Path) -> None:
    """cloudco.usm.yaml names profiles and agreements declared in the other
    files of the example: alone it would give USM006 (unresolved reference)."""
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "siam-multi-provider", project)
    code, output = try_repo(project, tmp_path, "--files", "cloudco.usm.yaml")
    assert code == 0, output
    assert "Passed" in output and "USM006" not in output
