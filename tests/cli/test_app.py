"""The command line: exit codes, formats, payload-only stdout, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import invoke, run_cli
from tests.support.factories import WriteFiles
from tests.support.paths import EXAMPLES

BROKEN_SYNTAX = """
usm: "1"
profiles: [
"""


def test_clean_example_exits_zero() -> None:
    run = run_cli("validate", str(EXAMPLES / "pilot"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "All checks passed" in run.stdout


def test_broken_example_exits_one_with_located_findings() -> None:
    run = run_cli("validate", str(EXAMPLES / "broken"), cwd=EXAMPLES)
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
    run = run_cli("validate", cwd=root)
    assert run.returncode == 1
    assert run.stdout.startswith("a.usm.yaml:3:1: USM001 [error] invalid YAML")
    assert "Traceback" not in run.stderr


def test_json_output_is_only_the_payload(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": BROKEN_SYNTAX})
    run = run_cli("validate", "--format", "json", cwd=root)
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
    run = run_cli("validate", "--format", "json", "--output", "out.json", cwd=root)
    assert run.returncode == 1
    assert run.stdout == ""
    assert json.loads((root / "out.json").read_text())["summary"]["findings"] == 1


def test_output_refuses_to_overwrite_an_input(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": BROKEN_SYNTAX})
    run = run_cli("validate", "--output", "a.usm.yaml", cwd=root)
    assert run.returncode == 2
    assert (root / "a.usm.yaml").read_text().startswith('usm: "1"')


@pytest.mark.parametrize("option", ["--output", "--write-baseline"])
def test_output_never_replaces_an_architecture_file(write_files: WriteFiles, option: str) -> None:
    """Not an input of this run, but still an architecture file: refused."""
    root = write_files({"a.usm.yaml": 'usm: "1"\n', "other/b.usm.yaml": 'usm: "1"\n'})
    run = run_cli("validate", "--isolated", "a.usm.yaml", option, "other/b.usm.yaml", cwd=root)
    assert run.returncode == 2
    assert "refusing to overwrite an architecture file" in run.stderr
    assert (root / "other" / "b.usm.yaml").read_text() == 'usm: "1"\n'


def test_no_architecture_files_is_said_on_stderr(write_files: WriteFiles) -> None:
    root = write_files({"notes.yaml": "a: 1\n"})
    run = run_cli("validate", cwd=root)
    assert run.returncode == 0
    assert "no architecture files found" in run.stderr


def test_help_shows_plain_flags() -> None:
    run = run_cli("validate", "--help")
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
    run = run_cli(*args, cwd=root)
    assert run.returncode == 2
    assert message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr


def test_fail_on_and_exit_zero(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: a, kind: provider, x: 1}\n'})
    assert run_cli("validate", cwd=root).returncode == 1
    assert run_cli("validate", "--exit-zero", cwd=root).returncode == 0
    assert run_cli("validate", "--fail-on", "never", cwd=root).returncode == 0
    assert run_cli("validate", "--ignore", "USM004", "--select", "USM0", cwd=root).returncode == 0


def test_select_by_name_prefix_and_code(write_files: WriteFiles) -> None:
    root = write_files({"a.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: a, kind: provider, x: 1}\n'})
    for selector in ("unknown-field", "USM004", "USM00"):
        run = run_cli("validate", "--select", selector, "--format", "json", cwd=root)
        codes = {f["code"] for f in json.loads(run.stdout)["findings"]}
        assert codes == {"USM004"}, selector


def test_stdin(write_files: WriteFiles) -> None:
    root = write_files({})
    run = run_cli(
        "validate", "-", "--stdin-filename", "svc.usm.yaml", cwd=root, stdin=BROKEN_SYNTAX
    )
    assert run.returncode == 1
    assert run.stdout.startswith("svc.usm.yaml:4:1: USM001")


def test_rules_explain_and_schema() -> None:
    rules = run_cli("rules")
    assert rules.returncode == 0
    assert "USM001  yaml-syntax" in rules.stdout
    explained = run_cli("explain", "duplicate-key")
    assert explained.returncode == 0
    assert explained.stdout.startswith("USM002 duplicate-key [error]")
    assert "Rationale:" in explained.stdout and "Remediation:" in explained.stdout
    schema = run_cli("schema")
    assert json.loads(schema.stdout)["title"] == "USM architecture file"


def test_version() -> None:
    run = run_cli("--version")
    assert run.returncode == 0 and run.stdout.startswith("usmctl ")


# --- stdin, --quiet, --statistics --------------------------------------------

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


def test_stdin_with_a_file_name(tmp_path: Path) -> None:
    done = run_cli(
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
    done = run_cli(
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
    done = run_cli(
        "validate", "-", "--stdin-filename", "x.usm.yaml", cwd=tmp_path, stdin=b"usm: [\n"
    )
    assert done.returncode == 1
    assert done.stdout.startswith("x.usm.yaml:2:1: USM001 [error]")


def test_stdin_suppressions_and_config_apply(tmp_path: Path) -> None:
    (tmp_path / "usmctl.toml").write_text(
        'fail-on = "never"\nselect = ["USM0"]\n', encoding="utf-8"
    )
    text = SERVICES.replace("nowhere", "nowhere  # usmctl: ignore[USM006] soon")
    done = run_cli(
        "validate", "-", "--stdin-filename", "services.usm.yaml", cwd=tmp_path, stdin=text.encode()
    )
    assert done.returncode == 0
    assert done.stdout.endswith("(2 errors) in 1 file; 1 suppressed.\n")


def _text(*args: str) -> tuple[int, str]:
    outcome = invoke("validate", "examples/broken", *args, cwd=EXAMPLES.parent)
    return outcome.code, outcome.stdout


def test_quiet_prints_only_the_summary() -> None:
    status, stdout = _text("--quiet")
    _, full = _text()
    assert status == 1
    assert stdout.count("\n") == 1
    assert stdout.startswith("Found ")
    assert full.endswith(stdout)
    assert full.count("\n") > 3


def test_statistics_counts_per_rule() -> None:
    from usmctl.api import check

    findings = check(["examples/broken"], cwd=EXAMPLES.parent).findings
    status, stdout = _text("--statistics", "--quiet")
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


def test_without_statistics_there_is_no_table() -> None:
    _, stdout = _text("--quiet")
    assert not any(line.lstrip()[:1].isdigit() for line in stdout.splitlines())
