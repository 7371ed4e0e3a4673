"""The limits of the services that read the CI formats (docs/ci.md, "Limits
of the services"): GitHub code scanning takes 25,000 SARIF results per run,
GitHub Actions shows 10 annotations of each severity per step and 1 MiB of
job summary, a GitHub comment holds 65,536 characters. The most severe
findings are kept and what was left out is said; SARIF paths start at the
repository root whatever the working directory."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import invoke
from tests.support.factories import finding
from tests.support.paths import EXAMPLES, SHARED
from usmctl.check.result import RunResult
from usmctl.core.findings import Finding, Severity
from usmctl.output.findings import REPORTERS
from usmctl.output.findings.limits import STEP_SUMMARY_BYTES
from usmctl.output.findings.markdown import step_summary
from usmctl.output.findings.options import ReportOptions

SARIF_SCHEMA = SHARED / "external-schemas" / "sarif-schema-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
COMMANDS = {"error": Severity.ERROR, "warning": Severity.WARNING, "notice": Severity.INFO}
ANNOTATION = re.compile(r"^::(error|warning|notice) file=([^,]*),line=([0-9]+),col=([0-9]+),")
MORE_ROWS = re.compile(r"^([0-9]+) more findings? not shown: ")
# A large run in file order: 12,000 infos, then 12,000 warnings, then 6,000
# errors, so keeping the first ones in file order would keep the wrong ones.
INFOS, WARNINGS, ERRORS = 12_000, 12_000, 6_000
TOTAL = INFOS + WARNINGS + ERRORS


def generated_finding(number: int, severity: Severity) -> Finding:
    service = f"svc-{number:05}"
    return finding(
        "USM404",
        f'service "{service}" has no customer: name at least one profile in customers',
        path=f"services[{service}].customers",
        entity=service,
        severity=severity,
        file=f"architecture/part{number // 100:03}.usm.yaml",
        line=number % 100 + 1,
        column=5,
        name="service-without-customer",
    )


def severity_of(number: int) -> Severity:
    if number < INFOS:
        return Severity.INFO
    return Severity.WARNING if number < INFOS + WARNINGS else Severity.ERROR


@pytest.fixture(scope="module")
def large() -> RunResult:
    """30,000 findings in 300 files, built directly (no files to check)."""
    findings = tuple(generated_finding(number, severity_of(number)) for number in range(TOTAL))
    files = tuple(sorted({item.file for item in findings}))
    return RunResult(findings=findings, files=files)


def small(*severities: Severity) -> RunResult:
    """One finding of each severity given, on lines 1, 2, 3, ... of one file."""
    findings = tuple(
        generated_finding(number, severity) for number, severity in enumerate(severities)
    )
    return RunResult(findings=findings, files=tuple({item.file for item in findings}))


def render(name: str, result: RunResult, **options: Any) -> str:
    return REPORTERS[name](result, ReportOptions(**options))


def sarif_run(result: RunResult, **options: Any) -> dict[str, Any]:
    (run,) = json.loads(render("sarif", result, **options))["runs"]
    assert isinstance(run, dict)
    return run


def assert_valid_sarif(log: Any) -> None:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not found at {SARIF_SCHEMA}")
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=lambda error: list(error.path))
    assert not errors, "\n".join(error.message for error in errors[:5])


def annotated(text: str) -> list[tuple[Severity, str, int]]:
    """(severity, file, line) of each annotation of a finding."""
    found = []
    for line in text.splitlines():
        match = ANNOTATION.match(line)
        if match:
            found.append((COMMANDS[match[1]], match[2], int(match[3])))
    return found


def lines_of(result: RunResult, severity: Severity) -> list[tuple[Severity, str, int]]:
    return [
        (item.severity, item.file, item.line)
        for item in result.findings
        if item.severity is severity
    ]


# --- SARIF: 25,000 results per run --------------------------------------------


def test_sarif_keeps_the_25000_most_severe_results_and_notes_the_rest(large: RunResult) -> None:
    run = sarif_run(large)
    results = run["results"]
    assert len(results) == 25_000
    levels = Counter(result["level"] for result in results)
    assert levels == {"error": ERRORS, "warning": WARNINGS, "note": 25_000 - ERRORS - WARNINGS}
    # The infos kept are the first in file order; the results keep file order.
    infos_kept = 25_000 - ERRORS - WARNINGS
    expected = [
        (item.file, item.line)
        for number, item in enumerate(large.findings)
        if number >= INFOS or number < infos_kept
    ]
    assert [
        (
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in results
    ] == expected
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (notice,) = invocation["toolExecutionNotifications"]
    assert notice["level"] == "warning"
    assert notice["message"]["text"].startswith(
        "5000 results left out: GitHub code scanning accepts at most 25,000 per run"
    )


@pytest.mark.slow
def test_sarif_of_the_large_run_is_valid_against_the_oasis_schema(large: RunResult) -> None:
    assert_valid_sarif(json.loads(render("sarif", large)))


def test_sarif_notes_nothing_when_nothing_is_left_out() -> None:
    result = small(Severity.INFO, Severity.ERROR, Severity.WARNING)
    run = sarif_run(result)
    assert "invocations" not in run
    # A run within the limit keeps file order.
    assert [item["level"] for item in run["results"]] == ["note", "error", "warning"]
    assert_valid_sarif(json.loads(render("sarif", result)))


def test_sarif_max_results_lowers_the_limit() -> None:
    result = small(Severity.INFO, Severity.ERROR, Severity.WARNING, Severity.ERROR)
    log = json.loads(render("sarif", result, max_results=2))
    (run,) = log["runs"]
    assert [item["level"] for item in run["results"]] == ["error", "error"]
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["message"]["text"].startswith("2 results left out: max-results is 2")
    assert_valid_sarif(log)
    # A number above the service's limit does not raise it.
    assert len(sarif_run(small(*[Severity.INFO] * 3), max_results=30_000)["results"]) == 3


# --- github: 10 annotations of each severity per step ---------------------------


def test_github_shows_10_of_each_severity_then_one_notice(large: RunResult) -> None:
    text = render("github", large, step_summary=True)
    lines = text.splitlines()
    assert len(lines) <= 31
    shown = annotated(text)
    # The notice that counts the rest is a notice annotation too: infos keep 9 places.
    assert shown == (
        lines_of(large, Severity.ERROR)[:10]
        + lines_of(large, Severity.WARNING)[:10]
        + lines_of(large, Severity.INFO)[:9]
    )
    assert lines[-1] == f"::notice::{TOTAL - 29} more findings: see the job summary"
    assert len(lines) == 30


def test_github_says_where_the_rest_is_without_a_job_summary() -> None:
    result = small(*[Severity.WARNING] * 12)
    lines = render("github", result).splitlines()
    assert len(annotated("\n".join(lines))) == 10
    assert lines[-1].startswith("::notice::2 more findings: GitHub shows 10 annotations")


def test_github_no_notice_when_nothing_is_left_out() -> None:
    # Ten of each severity: all shown, no notice (it would be an eleventh notice).
    result = small(*[Severity.INFO] * 10, *[Severity.ERROR] * 10, *[Severity.WARNING] * 10)
    text = render("github", result, step_summary=True)
    assert len(text.splitlines()) == 30
    assert "::notice::" not in text
    # Eleven infos: nine shown and the notice is the tenth notice.
    lines = render("github", small(*[Severity.INFO] * 11), step_summary=True).splitlines()
    assert len(annotated("\n".join(lines))) == 9
    assert lines[-1] == "::notice::2 more findings: see the job summary"


def test_github_most_severe_first() -> None:
    result = small(Severity.INFO, Severity.WARNING, Severity.ERROR, Severity.INFO, Severity.ERROR)
    shown = annotated(render("github", result))
    assert [severity for severity, _, _ in shown] == [
        Severity.ERROR,
        Severity.ERROR,
        Severity.WARNING,
        Severity.INFO,
        Severity.INFO,
    ]
    assert [line for _, _, line in shown] == [3, 5, 2, 1, 4]  # file order within a severity


def test_github_max_results_lowers_the_limit() -> None:
    result = small(Severity.INFO, Severity.WARNING, Severity.ERROR)
    lines = render("github", result, max_results=2).splitlines()
    assert [severity for severity, _, _ in annotated("\n".join(lines))] == [
        Severity.ERROR,
        Severity.WARNING,
    ]
    assert lines[-1].startswith("::notice::1 more finding: ")


# --- markdown: a comment of 65,536 characters -----------------------------------


def test_markdown_stays_within_a_comment_and_counts_the_rest(large: RunResult) -> None:
    text = render("markdown", large)
    assert len(text) <= 65_536
    assert len(text.encode("utf-16-le")) // 2 <= 65_536  # an emoji counts two for GitHub
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    last = text.rstrip("\n").splitlines()[-1]
    match = MORE_ROWS.match(last)
    assert match, last
    assert len(rows) + int(match[1]) == TOTAL
    assert len(rows) > 100  # the limit is used, not just respected
    assert all("🔴 error" in row for row in rows)  # the most severe first
    assert "architecture/part240.usm.yaml:1:5" in rows[0]  # the first error in file order


def test_markdown_most_severe_first_and_no_line_when_all_fit() -> None:
    result = small(Severity.INFO, Severity.WARNING, Severity.ERROR)
    text = render("markdown", result)
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert [row.split(" | ")[0] for row in rows] == ["| 🔴 error", "| 🟠 warning", "| 🔵 info"]
    assert "not shown" not in text


def test_markdown_max_results_lowers_the_limit() -> None:
    result = small(Severity.INFO, Severity.WARNING, Severity.ERROR)
    text = render("markdown", result, max_results=1)
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 1 and "🔴 error" in rows[0]
    assert text.rstrip("\n").splitlines()[-1].startswith("2 more findings not shown: ")


def test_the_job_summary_stays_within_what_github_takes(large: RunResult) -> None:
    # The whole table of 30,000 findings is some 8 MB: GitHub would drop it all.
    text = step_summary(large, budget=STEP_SUMMARY_BYTES)
    assert STEP_SUMMARY_BYTES - 1000 < len(text.encode("utf-8")) <= STEP_SUMMARY_BYTES
    rows = [line for line in text.splitlines() if line.startswith("| ")][1:]
    match = MORE_ROWS.match(text.rstrip("\n").splitlines()[-1])
    assert match
    assert len(rows) + int(match[1]) == TOTAL


# --- the command line: the job summary, max-results -----------------------------


def test_cli_on_the_large_run_writes_30_lines_and_the_job_summary(
    large: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("usmctl.api.check", lambda *args, **kwargs: large)
    summary = tmp_path / "step_summary"
    outcome = invoke(
        "validate", "-f", "github", cwd=tmp_path, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert outcome.code == 1, outcome.output
    assert len(outcome.stdout.splitlines()) <= 31
    assert outcome.stdout.splitlines()[-1].endswith("more findings: see the job summary")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("## usmctl\n")
    assert len(written.encode("utf-8")) <= STEP_SUMMARY_BYTES


def test_cli_job_summary_holds_the_full_table_after_the_earlier_steps(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path)
    summary = tmp_path / "step_summary"
    summary.write_text("# Earlier step", encoding="utf-8")
    environment = {"GITHUB_STEP_SUMMARY": str(summary)}
    outcome = invoke("validate", "-f", "github", cwd=repository, env=environment)
    assert outcome.code == 1, outcome.output
    findings = json.loads(invoke("validate", "-f", "json", cwd=repository).stdout)["findings"]
    assert len(findings) > 30
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("# Earlier step\n## usmctl\n")
    rows = [line for line in written.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == len(findings)
    assert (
        written == "# Earlier step\n" + invoke("validate", "-f", "markdown", cwd=repository).stdout
    )
    assert outcome.stdout.splitlines()[-1] == (
        f"::notice::{len(findings) - len(annotated(outcome.stdout))} more findings: "
        "see the job summary"
    )


def test_cli_default_text_in_github_actions_is_capped_and_writes_the_summary(
    tmp_path: Path,
) -> None:
    repository = copy_broken(tmp_path)
    summary = tmp_path / "step_summary"
    environment = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    outcome = invoke("validate", cwd=repository, env=environment)
    commands = [line for line in outcome.stdout.splitlines() if line.startswith("::")]
    assert len(commands) <= 31
    assert commands[-1].endswith("more findings: see the job summary")
    assert summary.read_text(encoding="utf-8").startswith("## usmctl\n")


def test_cli_no_job_summary_without_the_variable(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path)
    before = sorted(path.name for path in tmp_path.iterdir())
    outcome = invoke("validate", "-f", "github", cwd=repository)
    assert outcome.stdout.splitlines()[-1].endswith("usmctl validate lists them all")
    assert sorted(path.name for path in tmp_path.iterdir()) == before


def test_cli_job_summary_never_through_a_link_in_the_repository(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched\n", encoding="utf-8")
    (repository / "summary.md").symlink_to(victim)
    (repository / "linked").symlink_to(tmp_path)
    for name in ("summary.md", "linked/new-summary.md", "architecture/services.usm.yaml"):
        target = repository / name
        before = target.read_bytes() if target.exists() else None
        outcome = invoke(
            "validate", "-f", "github", cwd=repository, env={"GITHUB_STEP_SUMMARY": str(target)}
        )
        assert outcome.code == 1, outcome.output  # the findings still decide
        assert outcome.stderr.startswith("usmctl: warning: job summary not written: "), name
        assert len(outcome.stderr.splitlines()) == 1
        assert not outcome.stdout.splitlines()[-1].endswith("see the job summary")
        assert (target.read_bytes() if target.exists() else None) == before
    assert victim.read_text(encoding="utf-8") == "untouched\n"
    assert not (tmp_path / "new-summary.md").exists()


def test_max_results_from_config_and_command_line(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path)
    (repository / "usmctl.toml").write_text("max-results = 3\n", encoding="utf-8")
    (run,) = json.loads(invoke("validate", "-f", "sarif", cwd=repository).stdout)["runs"]
    assert len(run["results"]) == 3
    assert {result["level"] for result in run["results"]} == {"error"}
    outcome = invoke("validate", "-f", "markdown", "--max-results", "5", cwd=repository)
    rows = [line for line in outcome.stdout.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 5
    # 0 is each service's own limit.
    (run,) = json.loads(
        invoke("validate", "-f", "sarif", "--max-results", "0", cwd=repository).stdout
    )["runs"]
    assert "invocations" not in run


@pytest.mark.parametrize(
    ("config", "args", "message"),
    [
        ("max-results = -1\n", (), "usmctl.toml: max-results: must be an integer of at least 0"),
        ('max-results = "10"\n', (), "usmctl.toml: max-results: must be an integer of at least 0"),
        ("max-results = true\n", (), "usmctl.toml: max-results: must be an integer of at least 0"),
        ("", ("--max-results", "-1"), "--max-results takes a number of at least 0, not -1"),
    ],
)
def test_bad_max_results_is_a_usage_error(
    tmp_path: Path, config: str, args: tuple[str, ...], message: str
) -> None:
    repository = copy_broken(tmp_path)
    (repository / "usmctl.toml").write_text(config, encoding="utf-8")
    outcome = invoke("validate", *args, cwd=repository)
    assert outcome.code == 2
    assert outcome.stdout == ""
    assert message in outcome.stderr and len(outcome.stderr.splitlines()) == 1


# --- SARIF paths from the repository root -------------------------------------


def copy_broken(base: Path, *, git: bool = True) -> Path:
    """A repository holding examples/broken's architecture files in
    ``architecture/`` (not its usmctl.toml: each test places its own config)."""
    repository = base / "repo"
    shutil.copytree(
        EXAMPLES / "broken", repository / "architecture", ignore=shutil.ignore_patterns("*.toml")
    )
    if git:
        (repository / ".git").mkdir()
    return repository


def uris(stdout: str) -> list[tuple[str, str]]:
    (run,) = json.loads(stdout)["runs"]
    return [
        (
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
        )
        for result in run["results"]
    ]


def test_sarif_paths_from_a_subfolder_are_the_repositorys(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path)
    from_root = invoke("validate", "-f", "sarif", "architecture", cwd=repository)
    from_folder = invoke("validate", "-f", "sarif", cwd=repository / "architecture")
    assert from_root.code == from_folder.code == 1
    assert uris(from_folder.stdout) == uris(from_root.stdout)
    assert all(uri.startswith("architecture/") for uri, _ in uris(from_folder.stdout))
    assert {base for _, base in uris(from_folder.stdout)} == {"%SRCROOT%"}
    log = json.loads(from_folder.stdout)
    base = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == repository.as_uri() + "/"
    assert_valid_sarif(log)


def test_sarif_root_without_git_is_the_config_files_folder(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path, git=False)
    (repository / "usmctl.toml").write_text("", encoding="utf-8")
    outcome = invoke("validate", "-f", "sarif", cwd=repository / "architecture")
    assert all(uri.startswith("architecture/") for uri, _ in uris(outcome.stdout))
    (run,) = json.loads(outcome.stdout)["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repository.as_uri() + "/"


def test_sarif_root_without_git_or_config_is_the_working_directory(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path, git=False)
    outcome = invoke("validate", "-f", "sarif", cwd=repository / "architecture")
    assert all("/" not in uri for uri, _ in uris(outcome.stdout))
    (run,) = json.loads(outcome.stdout)["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (
        (repository / "architecture").as_uri() + "/"
    )


def test_sarif_a_file_outside_the_root_keeps_an_absolute_uri(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path)
    outside = tmp_path / "outside dir"
    shutil.copytree(EXAMPLES / "broken", outside)
    outcome = invoke("validate", "-f", "sarif", str(outside), cwd=repository)
    (run,) = json.loads(outcome.stdout)["runs"]
    locations = [
        result["locations"][0]["physicalLocation"]["artifactLocation"] for result in run["results"]
    ]
    assert locations
    assert all(
        location["uri"].startswith(outside.as_uri() + "/") and "uriBaseId" not in location
        for location in locations
    )
    assert_valid_sarif(json.loads(outcome.stdout))


def test_sarif_root_is_percent_encoded(tmp_path: Path) -> None:
    repository = copy_broken(tmp_path / "my repo")
    os.rename(repository / "architecture", repository / "arch itecture")
    outcome = invoke("validate", "-f", "sarif", cwd=repository / "arch itecture")
    (run,) = json.loads(outcome.stdout)["runs"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/my%20repo/repo/")
    assert all(uri.startswith("arch%20itecture/") for uri, _ in uris(outcome.stdout))
