"""At 1280 px, no severity badge of the findings table wraps ("warnin / g").

Measured in headless Chromium (skipped when absent) on a copy of the report
with a probe script added (the report itself runs none)."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from tests.output.report.test_browser import CHROMIUM, _chromium
from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.output.report import render_report

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed"),
]
PROBE = (
    '<script>window.addEventListener("load", () => {'
    'const heights = [...document.querySelectorAll(".sev")].map('
    "(e) => [e.getClientRects().length, Math.round(e.getBoundingClientRect().height)]);"
    'document.body.setAttribute("data-badges", JSON.stringify(heights));});</script>'
)


def test_severity_badges_stay_on_one_line_at_1280_px(tmp_path: Path) -> None:
    page = render_report(checked(EXAMPLES / "broken"), "html", date="2026-01-31")
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    done = _chromium(tmp_path, "--window-size=1280,2000", "--dump-dom", probe.as_uri())
    found = re.search(r'data-badges="([^"]*)"', done.stdout.decode("utf-8"))
    assert found is not None, done.stderr.decode("utf-8", "replace")[-2000:]
    badges = json.loads(unescape(found.group(1)))
    assert len(badges) > 20  # the broken example's findings
    assert {rects for rects, _ in badges} == {1}
    assert len({height for _, height in badges}) == 1  # all one line high
