"""Render the example report in headless Chromium: not blank, coverage visible.

Skipped when Chromium is not installed (Debian package ``chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.output.report.png import decode
from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.output.report import render_report

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]
HEADER_BLUE = (0x17, 0x4E, 0xA6)


def _chromium(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        *arguments,
    ]
    # The timeout only stops a hung browser from hanging the suite.
    return subprocess.run(command, capture_output=True, check=False, timeout=180)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("browser") / "report.html"
    result = checked(EXAMPLES / "siam-multi-provider")
    target.write_text(render_report(result, "html", date="2026-01-31"), encoding="utf-8")
    return target


def test_screenshot_is_not_blank(report_file: Path, tmp_path: Path) -> None:
    picture = tmp_path / "shot.png"
    done = _chromium(
        tmp_path, f"--screenshot={picture}", "--window-size=1280,2000", report_file.as_uri()
    )
    assert picture.exists(), done.stderr.decode("utf-8", "replace")[-2000:]
    # The top 700 rows hold the header and the USM coverage.
    width, height, pixels = decode(picture.read_bytes(), rows=700)
    assert (width, height) == (1280, 2000)
    colours = Counter(pixels)
    assert len(colours) > 50
    most_common, count = colours.most_common(1)[0]
    assert count < 0.95 * len(pixels), f"mostly one colour {most_common}"
    # The header band is drawn with the report's CSS (so the style sheet applied).
    assert colours[HEADER_BLUE] > 1280 * 20
    # Below the header the coverage matrix is drawn: not just white.
    summary = Counter(pixels[1280 * 200 :])
    assert summary[(255, 255, 255)] < 0.97 * sum(summary.values())


def test_coverage_is_in_the_rendered_dom(report_file: Path, tmp_path: Path) -> None:
    done = _chromium(tmp_path, "--dump-dom", report_file.as_uri())
    dom = done.stdout.decode("utf-8")
    assert '<section id="coverage"><h2>USM coverage</h2>' in dom
    assert "Globex Insurance IT services" in dom
    assert "<svg" in dom
    assert "<script" not in dom.lower()
