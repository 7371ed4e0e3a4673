"""The report printed to PDF by headless Chromium (a browser's "Save as PDF"):
an A4 document with a title page, page numbers, and no blank page.

Skipped when Chromium or poppler-utils (pdftoppm, pdfinfo, pdftotext) are
not installed (Debian packages ``chromium`` and ``poppler-utils``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.output.report.png import decode
from tests.output.report.test_browser import CHROMIUM, HEADER_BLUE
from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.output.report import render_report

POPPLER = {name: shutil.which(name) for name in ("pdftoppm", "pdfinfo", "pdftotext")}
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
    pytest.mark.skipif(
        None in POPPLER.values(), reason="poppler-utils (pdftoppm, pdfinfo) is not installed"
    ),
]
A4_POINTS = (595, 842)  # 210 x 297 mm


def _tool(name: str) -> str:
    found = POPPLER[name]
    assert found is not None
    return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/siam-multi-provider's report, printed to PDF."""
    assert CHROMIUM is not None
    folder = tmp_path_factory.mktemp("print")
    page = folder / "report.html"
    result = checked(EXAMPLES / "siam-multi-provider")
    page.write_text(render_report(result, "html", date="2026-01-31"), encoding="utf-8")
    target = folder / "report.pdf"
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={folder / 'profile'}", "--no-pdf-header-footer",
        f"--print-to-pdf={target}", page.as_uri(),
    ]  # fmt: skip
    # The timeout only stops a hung browser from hanging the suite.
    done = subprocess.run(command, capture_output=True, check=False, timeout=180)
    assert target.exists(), done.stderr.decode("utf-8", "replace")[-2000:]
    return target


def _pages(pdf: Path) -> int:
    info = subprocess.run([_tool("pdfinfo"), pdf], capture_output=True, text=True, check=True)
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout, re.M)
    assert size is not None, info.stdout
    assert (round(float(size.group(1))), round(float(size.group(2)))) == A4_POINTS
    pages = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert pages is not None, info.stdout
    return int(pages.group(1))


def test_an_a4_document_of_a_sane_length(printed: Path) -> None:
    # title page + summary, picture, matrices, tables, findings, scope: not one
    # page squeezed, nor a page per table row
    assert 3 <= _pages(printed) <= 12


def test_no_page_is_blank_and_the_first_is_the_title_page(printed: Path, tmp_path: Path) -> None:
    count = _pages(printed)
    subprocess.run([_tool("pdftoppm"), "-r", "30", "-png", printed, tmp_path / "page"], check=True)
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == count
    for number, picture in enumerate(pictures, start=1):
        _width, _height, pixels = decode(picture.read_bytes())
        colours = Counter(pixels)
        if number == 1:  # the title page: the cover's blue, edge to edge
            assert colours[HEADER_BLUE] > 0.9 * len(pixels)
            continue
        white = colours[(255, 255, 255)]
        assert white < 0.97 * len(pixels), f"page {number} is blank"
        assert len(colours) > 20, f"page {number} holds hardly anything"


def test_pages_are_numbered_after_the_title_page(printed: Path) -> None:
    count = _pages(printed)
    text = subprocess.run(
        [_tool("pdftotext"), "-layout", printed, "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert "Globex Insurance IT services" in pages[0]
    assert "page 1 of" not in pages[0]  # the title page has no number
    for number in range(2, count + 1):
        assert f"page {number} of {count}" in pages[number - 1]
