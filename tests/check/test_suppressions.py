"""Inline suppressions (SPEC §4): read from raw text, line or line above, file-wide."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.factories import WriteFiles, checked, located
from tests.support.paths import EXAMPLES
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings

HEAD = """\
usm: "1"
profiles:
  - id: acme-it
    kind: provider
services:
  - id: workplace
    name: Workplace
    provider: acme-it
"""


# Only the load and reference rules: the feature under test, not USM's rules.
ONLY = Settings(select=("USM0",))


def check_only(root: Path, **settings: object) -> RunResult:
    return checked(root, Settings(**{"select": ("USM0",), **settings}))


def arch(tail: str) -> dict[str, str]:
    return {"a.usm.yaml": HEAD + tail}


def test_without_a_suppression_the_finding_is_reported(write_files: WriteFiles) -> None:
    result = check_only(write_files(arch("    customers: [ghost]\n")))
    assert located(result) == ["a.usm.yaml:9:17 USM006"]
    assert result.suppressed == 0


@pytest.mark.parametrize(
    "tail",
    [
        "    customers: [ghost]  # usmctl: ignore[USM006] customer joins next month\n",
        "    # usmctl: ignore[USM006] customer joins next month\n    customers: [ghost]\n",
        "    # usmctl: ignore[unresolved-reference] by name\n    customers: [ghost]\n",
        "    # usmctl: ignore[USM00] by prefix\n    customers: [ghost]\n",
        "    #usmctl:ignore[ usm006 ] lower case, no spaces\n    customers: [ghost]\n",
        "    customers: [ghost]\n# usmctl: ignore-file[USM006] the whole file\n",
    ],
)
def test_suppression_hides_and_counts(tail: str, write_files: WriteFiles) -> None:
    result = check_only(write_files(arch(tail)))
    assert located(result) == []
    assert result.suppressed == 1


def test_reach_is_the_comment_line_and_the_next_only(write_files: WriteFiles) -> None:
    tail = "    # usmctl: ignore[USM006] too far away\n    name2: x\n    customers: [ghost]\n"
    result = check_only(write_files(arch(tail.replace("    name2: x\n", "    x-note: x\n"))))
    assert located(result) == ["a.usm.yaml:9:5 USM011", "a.usm.yaml:11:17 USM006"]
    assert result.suppressed == 0


def test_other_codes_are_not_hidden(write_files: WriteFiles) -> None:
    tail = "    customers: [ghost]  # usmctl: ignore[USM004] wrong code\n"
    result = check_only(write_files(arch(tail)))
    assert [finding.code for finding in result.findings] == ["USM006", "USM011"]


def test_hash_inside_a_value_is_not_a_comment(write_files: WriteFiles) -> None:
    tail = '    customers: [ghost]\n    x-note: "a#usmctl: ignore[USM006] no"\n'
    result = check_only(write_files(arch(tail)))
    assert located(result) == ["a.usm.yaml:9:17 USM006"]


@pytest.mark.parametrize(
    "text",
    [
        "    x-note: |\n      see # usmctl: ignore-file[USM006] not a comment\n",
        '    x-note: "quoted\n      # usmctl: ignore-file[USM006] not a comment"\n',
    ],
)
def test_hash_inside_a_block_or_quoted_scalar_is_not_a_comment(
    text: str, write_files: WriteFiles
) -> None:
    result = check_only(write_files(arch("    customers: [ghost]\n" + text)))
    assert located(result) == ["a.usm.yaml:9:17 USM006"]
    assert result.suppressed == 0


def test_unused_check_follows_selection(write_files: WriteFiles) -> None:
    root = write_files(arch("    # usmctl: ignore[USM006] reason\n    customers: [acme-it]\n"))
    assert [finding.code for finding in check_only(root).findings] == ["USM011"]
    # USM006 did not run, so nobody can tell the suppression is unused.
    assert check_only(root, select=("USM011",)).findings == ()
    # USM011 itself can be turned off.
    assert check_only(root, ignore=("USM011",)).findings == ()


def test_suppressions_hide_even_when_usm011_is_off(write_files: WriteFiles) -> None:
    root = write_files(arch("    customers: [ghost]  # usmctl: ignore[USM006]\n"))
    result = check_only(root, ignore=("USM011",))
    assert (result.findings, result.suppressed) == ((), 1)


def test_per_file_ignores_hide_usm011_too(write_files: WriteFiles) -> None:
    root = write_files(arch("    customers: [ghost]  # usmctl: ignore[USM006]\n"))
    result = check_only(root, per_file_ignores={"*.usm.yaml": ("USM011",)})
    assert (result.findings, result.suppressed) == ((), 1)


def test_suppressions_work_in_usm_wif_json(write_files: WriteFiles) -> None:
    # JSON has no comments, so nothing there looks like one: no USM011 noise.
    root = write_files({"a.workflow.json": '{"slug": "wf", "name": "# usmctl: x"}\n'})
    assert not any(finding.code == "USM011" for finding in check_only(root).findings)


def test_cli_summary_counts_suppressed(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files(arch("    customers: [ghost]  # usmctl: ignore[USM006] joins soon\n"))
    monkeypatch.chdir(root)
    outcome = invoke("validate", "--select", "USM0")
    assert outcome.code == 0
    assert outcome.stdout == "All checks passed: no findings in 1 file; 1 suppressed.\n"


def test_broken_example_reports_its_suppression_comment() -> None:
    from usmctl.api import check

    result = check(["examples/broken"], cwd=EXAMPLES.parent)
    usm011 = [f for f in result.findings if f.code == "USM011"]
    assert [(f.file, f.line) for f in usm011] == [("examples/broken/services.usm.yaml", 6)]


def test_a_real_comment_after_a_quoted_marker_still_suppresses(write_files: WriteFiles) -> None:
    tail = '    x-note: "see # usmctl: docs"  # usmctl: ignore[USM006] ok\n    customers: [ghost]\n'
    result = check_only(write_files(arch(tail)))
    assert located(result) == []
    assert result.suppressed == 1
