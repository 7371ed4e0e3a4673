"""USM011 (suppression comments to fix) is reported under "suppressions", not
as an unreadable or malformed file."""

from __future__ import annotations

from pathlib import Path

from tests.support.factories import SMALL, checked, write
from usmctl.output.report import render_report
from usmctl.output.report.content import build_report

DATE = "2026-01-31"


def _with_a_stale_suppression(tmp_path: Path) -> Path:
    stale = "# usmctl: ignore[USM401] nothing here has one\n"
    text = SMALL.replace("profiles:\n", stale + "profiles:\n")
    return write(tmp_path, text)


def test_usm011_is_a_suppression_not_a_file_level_finding(tmp_path: Path) -> None:
    result = checked(_with_a_stale_suppression(tmp_path))
    codes = [finding.code for finding in result.findings]
    assert codes.count("USM011") == 1
    report = build_report(result, date=DATE)
    assert (report.suppressions, report.unattributed) == (1, 0)
    (row,) = [item for item in report.findings if item.finding.code == "USM011"]
    assert row.area == "suppressions"
    assert dict(report.scope.facts)["Suppressions to fix"].startswith("1 suppression comment ")
    for output_format in ("html", "markdown"):
        text = render_report(result, output_format, date=DATE)
        assert "file-level finding" not in text
        assert "1 suppression comment to fix" in text


def test_an_unreadable_file_is_still_file_level(tmp_path: Path) -> None:
    write(tmp_path, "usm: [unclosed\n", name="bad.usm.yaml")
    result = checked(_with_a_stale_suppression(tmp_path))
    report = build_report(result, date=DATE)
    assert report.unattributed >= 1
    assert report.suppressions == 1
    assert "file-level finding" in render_report(result, "html", date=DATE)
