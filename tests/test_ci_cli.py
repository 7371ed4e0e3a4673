"""CI-facing command-line behaviour: stdin, --statistics, --quiet, the pre-commit hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tests.conftest import EXAMPLES, ROOT
from usmctl.cli import app

SERVICES = """\
usm: "1"
profiles:
  - id: acme-it
    kind: provider
services:
  - id: workplace
    name: Workplace
    provider: acme-it
    customers: [ghost, phantom]
    agreement: nowhere
"""


def run_module(*args: str, cwd: Path, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "usmctl", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_stdin_with_a_file_name(tmp_path: Path) -> None:
    done = run_module(
        "validate",
        "-",
        "--stdin-filename",
        "services.usm.yaml",
        "--format",
        "json",
        "--select",
        "USM0",
        cwd=tmp_path,
        stdin=SERVICES.encode(),
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["files"] == 1
    assert {(f["file"], f["line"], f["code"]) for f in report["findings"]} == {
        ("services.usm.yaml", 9, "USM006"),
        ("services.usm.yaml", 10, "USM006"),
    }
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_stdin_merges_with_files_on_disk(tmp_path: Path) -> None:
    (tmp_path / "parties.usm.yaml").write_text(
        'usm: "1"\nprofiles:\n  - id: ghost\n    kind: customer\n', encoding="utf-8"
    )
    done = run_module(
        "validate", ".", "-", "--stdin-filename", "services.usm.yaml", "--format", "json",
        "--select", "USM0",
        cwd=tmp_path,
        stdin=SERVICES.encode(),
    )  # fmt: skip
    findings = json.loads(done.stdout)["findings"]
    assert [(f["file"], f["message"].split(" names ")[1]) for f in findings] == [
        ("services.usm.yaml", 'profile "phantom", which does not exist'),
        ("services.usm.yaml", 'agreement "nowhere", which does not exist'),
    ]


def test_stdin_broken_yaml_is_a_finding(tmp_path: Path) -> None:
    done = run_module(
        "validate", "-", "--stdin-filename", "x.usm.yaml", cwd=tmp_path, stdin=b"usm: [\n"
    )
    assert done.returncode == 1
    assert done.stdout.decode().startswith("x.usm.yaml:2:1: USM001 [error]")


def test_stdin_suppressions_and_config_apply(tmp_path: Path) -> None:
    (tmp_path / "usmctl.toml").write_text(
        'fail-on = "never"\nselect = ["USM0"]\n', encoding="utf-8"
    )
    text = SERVICES.replace("nowhere", "nowhere  # usmctl: ignore[USM006] soon")
    done = run_module(
        "validate", "-", "--stdin-filename", "services.usm.yaml", cwd=tmp_path, stdin=text.encode()
    )
    assert done.returncode == 0
    assert done.stdout.decode().endswith("(2 errors) in 1 file; 1 suppressed.\n")


def _text(*args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(EXAMPLES.parent)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    outcome = CliRunner().invoke(app, ["validate", "examples/broken", *args])
    return outcome.exit_code, outcome.stdout


def test_quiet_prints_only_the_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    status, stdout = _text("--quiet", monkeypatch=monkeypatch)
    _, full = _text(monkeypatch=monkeypatch)
    assert status == 1
    assert stdout.count("\n") == 1
    assert stdout.startswith("Found ")
    assert full.endswith(stdout)
    assert full.count("\n") > 3


def test_statistics_counts_per_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from usmctl.api import check

    findings = check(["examples/broken"], cwd=EXAMPLES.parent).findings
    status, stdout = _text("--statistics", "--quiet", monkeypatch=monkeypatch)
    assert status == 1
    rows = stdout.splitlines()[:-2]
    assert rows, stdout
    counted: dict[str, int] = {}
    for row in rows:
        count, code, name, severity, link = row.split()
        counted[code] = int(count)
        assert severity.startswith("[")
        assert link.endswith(f"#{code.lower()}-{name}")
    expected: dict[str, int] = {}
    for finding in findings:
        expected[finding.code] = expected.get(finding.code, 0) + 1
    assert counted == expected
    counts = [int(row.split()[0]) for row in rows]
    assert counts == sorted(counts, reverse=True)


def test_without_statistics_there_is_no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    _, stdout = _text("--quiet", monkeypatch=monkeypatch)
    assert not any(line.lstrip()[:1].isdigit() for line in stdout.splitlines())


# --- pre-commit ----------------------------------------------------------------

HOOK_FILES = r"(\.usm\.ya?ml|usm\.yaml|\.workflow(-template)?\.json)$"


def test_pre_commit_hooks_manifest() -> None:
    import re

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
        assert pattern.search(f"arch/{name}"), name
    for name in ("a.yaml", "pyproject.toml", "x.json"):
        assert not pattern.search(name), name


@pytest.mark.slow
def test_pre_commit_try_repo(tmp_path: Path) -> None:
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).parent / "pre-commit")
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed")
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs the project as a git repository")
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / "broken", project / "arch")
    (project / "notes.txt").write_text("not an architecture file\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    env.pop("GITHUB_ACTIONS", None)
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "add", "-A"], cwd=project, check=True)
    done = subprocess.run(
        [pre_commit, "try-repo", str(ROOT), "usmctl", "--all-files"],
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
    assert done.returncode == 1, output
    assert "usmctl" in output and "Failed" in output
    assert "arch/services.usm.yaml:" in output
    assert "notes.txt" not in output
