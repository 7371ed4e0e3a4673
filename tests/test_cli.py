"""The command line: exit codes, formats, payload-only stdout, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import EXAMPLES, WriteFiles

BROKEN_SYNTAX = """
usm: "1"
profiles: [
"""


def usmctl(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "usmctl", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        input=stdin,
        timeout=120,
        check=False,
    )


def test_clean_example_exits_zero() -> None:
    run = usmctl("validate", str(EXAMPLES / "pilot"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "All checks passed" in run.stdout


def test_broken_example_exits_one_with_located_findings() -> None:
    run = usmctl("validate", str(EXAMPLES / "broken"), cwd=EXAMPLES)
    assert run.returncode == 1
    lines = [line for line in run.stdout.splitlines() if line.startswith("broken/")]
    assert lines
    for line in lines:
        location, _, rest = line.partition(": ")
        _file, line_no, column = location.split(":")
        assert int(line_no) >= 1 and int(column) >= 1
        assert rest.split()[0].startswith("USM")


def test_syntax_error_is_a_finding_not_a_traceback(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": BROKEN_SYNTAX})
    run = usmctl("validate", cwd=root)
    assert run.returncode == 1
    assert run.stdout.startswith("a.usm.yaml:3:1: USM001 [error] invalid YAML")
    assert "Traceback" not in run.stderr


def test_json_output_is_only_the_payload(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": BROKEN_SYNTAX})
    run = usmctl("validate", "--format", "json", cwd=root)
    data = json.loads(run.stdout)
    assert list(data) == ["version", "findings", "summary"]
    assert data["summary"] == {
        "files": 1,
        "findings": 1,
        "by_severity": {"error": 1, "warning": 0, "info": 0},
    }
    assert list(data["findings"][0]) == [
        "code", "name", "severity", "message", "file", "line", "column", "entity", "path",
        "fingerprint",
    ]  # fmt: skip


def test_output_file_is_written_and_stdout_stays_empty(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": BROKEN_SYNTAX})
    run = usmctl("validate", "--format", "json", "--output", "out.json", cwd=root)
    assert run.returncode == 1
    assert run.stdout == ""
    assert json.loads((root / "out.json").read_text())["summary"]["findings"] == 1


def test_output_refuses_to_overwrite_an_input(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": BROKEN_SYNTAX})
    run = usmctl("validate", "--output", "a.usm.yaml", cwd=root)
    assert run.returncode == 2
    assert (root / "a.usm.yaml").read_text().startswith('usm: "1"')


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_output_never_replaces_an_architecture_file(write_files: WriteFiles, option: str) -> None:
    """Not an input of this run, but still an architecture file: refused."""
    root = write_files({"a.usm.yaml": 'usm: "1"\n', "other/b.usm.yaml": 'usm: "1"\n'})
    run = usmctl("validate", "a.usm.yaml", option, "other/b.usm.yaml", cwd=root)
    assert run.returncode == 2
    assert "refusing to overwrite an architecture file" in run.stderr
    assert (root / "other" / "b.usm.yaml").read_text() == 'usm: "1"\n'


def test_no_architecture_files_is_said_on_stderr(write_files: WriteFiles) -> None:
    root = write_files({"notes.yaml": "a: 1\n"})
    run = usmctl("validate", cwd=root)
    assert run.returncode == 0
    assert "no architecture files found" in run.stderr


def test_help_shows_plain_flags() -> None:
    run = usmctl("validate", "--help")
    assert run.returncode == 0
    for flag in ("--no-cache", "--exit-zero", "--statistics"):
        assert flag in run.stdout
    assert "--no-no-cache" not in run.stdout
    assert "\\[" not in run.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "no-such-dir"], "path does not exist: no-such-dir"),
        (["validate", ""], "empty path"),
        (["validate", "--format", "nope"], "unknown format"),
        (["validate", "--select", "NOPE1"], "unknown rule selector"),
        (["validate", "--fail-on", "fatal"], "--fail-on takes"),
        (["explain", "NOPE1"], "no rule"),
    ],
)
def test_usage_errors_exit_two_with_one_line(
    args: list[str], message: str, write_files: WriteFiles
) -> None:
    root = write_files({"a.usm.yaml": 'usm: "1"\n'})
    run = usmctl(*args, cwd=root)
    assert run.returncode == 2
    assert message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr


def test_fail_on_and_exit_zero(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: a, kind: provider, x: 1}\n'})
    assert usmctl("validate", cwd=root).returncode == 1
    assert usmctl("validate", "--exit-zero", cwd=root).returncode == 0
    assert usmctl("validate", "--fail-on", "never", cwd=root).returncode == 0
    assert usmctl("validate", "--ignore", "USM004", "--select", "USM0", cwd=root).returncode == 0


def test_select_by_name_prefix_and_code(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: a, kind: provider, x: 1}\n'})
    for selector in ("unknown-field", "USM004", "USM00"):
        run = usmctl("validate", "--select", selector, "--format", "json", cwd=root)
        codes = {f["code"] for f in json.loads(run.stdout)["findings"]}
        assert codes == {"USM004"}, selector


def test_stdin(write_files: WriteFiles) -> None:
    root = write_files({})
    run = usmctl("validate", "-", "--stdin-filename", "svc.usm.yaml", cwd=root, stdin=BROKEN_SYNTAX)
    assert run.returncode == 1
    assert run.stdout.startswith("svc.usm.yaml:4:1: USM001")


def test_rules_explain_and_schema() -> None:
    rules = usmctl("rules")
    assert rules.returncode == 0
    assert "USM001  yaml-syntax" in rules.stdout
    explained = usmctl("explain", "duplicate-key")
    assert explained.returncode == 0
    assert explained.stdout.startswith("USM002 duplicate-key [error]")
    assert "Rationale:" in explained.stdout and "Remediation:" in explained.stdout
    schema = usmctl("schema")
    assert json.loads(schema.stdout)["title"] == "USM architecture file"


def test_version() -> None:
    run = usmctl("--version")
    assert run.returncode == 0 and run.stdout.startswith("usmctl ")
