"""`usmctl report -o` and `graph -o`: folders made, one line on stderr, ``-`` is stdout."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.factories import WriteFiles
from tests.support.paths import EXAMPLES


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_report_makes_missing_folders_and_says_one_line(in_tmp: Path) -> None:
    result = invoke("report", str(EXAMPLES / "broken"), "-o", "out/x.html")
    assert result.code == 0, result.output
    assert (in_tmp / "out/x.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("usmctl: wrote out/x.html (")
    assert " findings: " in lines[0] and "errors" in lines[0] and "warnings" in lines[0]
    assert "(USM coverage 34%, " in lines[0]  # the broken example's gaps (test_coverage)


def test_the_line_says_the_coverage_and_counts_the_findings(in_tmp: Path) -> None:
    result = invoke("report", str(EXAMPLES / "siam-multi-provider"), "-o", "r.md")
    assert result.stderr == (
        "usmctl: wrote r.md (USM coverage 100%, 0 findings: 0 errors, 0 warnings, 0 info)\n"
    )


def test_without_internal_providers_the_coverage_is_not_applicable(
    in_tmp: Path, write_files: WriteFiles
) -> None:
    write_files({"arch/a.usm.yaml": 'usm: "1"\nprofiles:\n  - {id: shoppers, kind: customer}\n'})
    result = invoke("report", "arch", "-o", "r.md")
    assert result.stderr.startswith("usmctl: wrote r.md (USM coverage n/a, ")
    assert "No internal provider is declared: nothing to cover." in (in_tmp / "r.md").read_text(
        "utf-8"
    )


def test_report_refuses_a_file_where_a_folder_would_go(in_tmp: Path) -> None:
    (in_tmp / "out").write_text("keep", "utf-8")
    result = invoke("report", str(EXAMPLES / "pilot"), "-o", "out/x.html")
    assert result.code == 2
    assert result.stderr == f'usmctl: not a directory: "{in_tmp / "out"}"\n'
    assert (in_tmp / "out").read_text("utf-8") == "keep"


def test_report_dash_is_stdout_with_a_format(in_tmp: Path) -> None:
    result = invoke("report", str(EXAMPLES / "pilot"), "-o", "-", "--format", "markdown")
    assert result.code == 0, result.output
    assert result.stdout.startswith("# USM gap report: Pilot IT")
    assert result.stderr.startswith("usmctl: wrote the report to stdout (")
    assert not (in_tmp / "-").exists()


def test_report_dash_without_a_format_is_refused_in_one_line(in_tmp: Path) -> None:
    result = invoke("report", str(EXAMPLES / "pilot"), "-o", "-")
    assert result.code == 2
    assert result.stderr == (
        "usmctl: -o - writes the report to stdout: pass --format html|markdown\n"
    )
    assert not (in_tmp / "-").exists()


def test_a_file_named_dash_is_still_reachable(in_tmp: Path) -> None:
    named = str(in_tmp / "-")  # pathlib reads ``./-`` as ``-``
    result = invoke("report", str(EXAMPLES / "pilot"), "-o", named, "--format", "html")
    assert result.code == 0, result.output
    assert (in_tmp / "-").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_graph_makes_folders_and_says_one_line(in_tmp: Path) -> None:
    result = invoke("graph", str(EXAMPLES / "pilot"), "-o", "a/b/g.dot")
    assert result.code == 0, result.output
    assert (in_tmp / "a/b/g.dot").read_text("utf-8").startswith("digraph")
    assert result.stderr.startswith("usmctl: wrote a/b/g.dot (")
    assert len(result.stderr.splitlines()) == 1


def test_graph_dash_and_no_output_are_stdout_and_quiet(in_tmp: Path) -> None:
    for extra in ([], ["-o", "-"]):
        result = invoke("graph", str(EXAMPLES / "pilot"), *extra)
        assert result.code == 0
        assert result.stdout.startswith("digraph")
        assert result.stderr == ""
    assert not (in_tmp / "-").exists()
