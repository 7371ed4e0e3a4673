"""What the report asks of a printer, without a browser: the print style
sheet's rules, and a large picture on a page of its own."""

from __future__ import annotations

from pathlib import Path

from tests.support.factories import checked, write
from tests.support.paths import EXAMPLES
from usmctl.output.report import render_report
from usmctl.output.report.content import build_report
from usmctl.output.report.html import CSS
from usmctl.output.report.svg import needs_own_page

DATE = "2026-01-31"


def _many_customers(tmp_path: Path, count: int) -> Path:
    customers = "".join(f"  - {{id: c{index}, kind: customer}}\n" for index in range(count))
    listed = ", ".join(f"c{index}" for index in range(count))
    text = (
        'usm: "1"\nprofiles:\n  - {id: it, kind: provider}\n' + customers
        + f"services:\n  - {{id: desk, provider: it, customers: [{listed}]}}\n"
    )  # fmt: skip
    return write(tmp_path, text)


def test_a_large_picture_is_printed_on_a_page_of_its_own(tmp_path: Path) -> None:
    result = checked(_many_customers(tmp_path, 30))
    report = build_report(result, date=DATE)
    assert needs_own_page(report.nodes, report.edges)
    assert '<section id="supply-chain" class="own-page">' in render_report(
        result, "html", date=DATE
    )


def test_a_small_picture_stays_with_the_text(tmp_path: Path) -> None:
    for result in (checked(EXAMPLES / "pilot"), checked(_many_customers(tmp_path, 3))):
        report = build_report(result, date=DATE)
        assert not needs_own_page(report.nodes, report.edges)
        assert '<section id="supply-chain">' in render_report(result, "html", date=DATE)


def test_the_print_style_sheet() -> None:
    assert "@page { size: A4;" in CSS
    assert 'counter(page) " of " counter(pages)' in CSS  # page numbers
    assert "@page :first { margin: 0;" in CSS  # the title page, unnumbered
    printed = CSS[CSS.index("@media print {") :]
    assert "break-after: page" in printed  # the title page stands alone
    assert "tr, td, th { break-inside: avoid; }" in printed
    assert "thead { display: table-header-group; }" in printed
    # a badge never breaks as "warnin / g"
    badge = CSS[CSS.index(".sev {") :]
    assert "white-space: nowrap" in badge[: badge.index("}")]
