"""The supply-chain picture's layout, computed from the SVG it writes: no box
over another, every service inside its party, every line of text inside its
box and no name cut, columns in level order, few crossings."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.output.report.svgcheck import SVG, check_layout, drawn
from tests.support.factories import checked, write
from tests.support.generated import layered
from tests.support.paths import EXAMPLES
from usmctl.output.report import svg
from usmctl.output.report.content import build_report
from usmctl.output.report.svg import render_svg
from usmctl.output.report.textwidth import MAX_LINES

DATE = "2026-01-31"


def _ends(d: str) -> tuple[tuple[float, float], tuple[float, float]]:
    numbers = [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return (numbers[0], numbers[1]), (numbers[-2], numbers[-1])


def _crossings(root: ET.Element) -> int:
    """Pairs of edges whose straight lines between their ends cross, from the SVG."""
    segments = [
        (path.get("data-source"), path.get("data-target"), *_ends(path.get("d") or ""))
        for path in root.iter(f"{SVG}path")
        if "edge" in (path.get("class") or "").split()
    ]

    def side(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    count = 0
    for (s1, t1, a, b), (s2, t2, c, d) in itertools.combinations(segments, 2):
        if {s1, t1} & {s2, t2}:
            continue
        if side(c, d, a) * side(c, d, b) < 0 and side(a, b, c) * side(a, b, d) < 0:
            count += 1
    return count


def test_the_example_is_legible() -> None:
    report = build_report(checked(EXAMPLES / "siam-multi-provider"), date=DATE)
    root = check_layout(report.nodes, report.edges)
    titles = [text.text for text in root.iter(f"{SVG}text") if text.get("class") == "column"]
    assert titles == ["Customers", "Providers", "Suppliers", "Sub-suppliers (level 3)"]
    boxes = drawn(root)
    # The provider's services in its own box; its suppliers one column right.
    assert boxes["service:claims-platform"].parent == "profile:globex-it"
    assert boxes["service:digital-workplace"].parent == "profile:globex-it"
    assert boxes["profile:netlink"].x > boxes["profile:globex-it"].x + 200
    assert boxes["profile:cloudco"].dashed and not boxes["profile:globex-it"].dashed


@pytest.mark.parametrize("example", ["hospital-facilities", "hr-onboarding", "broken", "pilot"])
def test_every_example_is_legible(example: str) -> None:
    """Also with a customer that provides a service, a dependency cycle and
    a service whose provider is not a party (examples/broken)."""
    report = build_report(checked(EXAMPLES / example), date=DATE)
    check_layout(report.nodes, report.edges)


def test_forty_parties_over_four_levels_are_legible(tmp_path: Path) -> None:
    report = build_report(checked(write(tmp_path, layered(40))), date=DATE)
    parties = [node for node in report.nodes if node.kind == "party"]
    assert len(parties) == 40
    assert {node.level for node in parties} == {0, 1, 2, 3}
    root = check_layout(report.nodes, report.edges)
    # Names longer than a box's width were wrapped, not shortened.
    assert max(len(box.lines) for box in drawn(root).values()) >= 2


def test_a_name_longer_than_three_lines_widens_its_column(tmp_path: Path) -> None:
    long = " ".join(["Supercalifragilistic"] * 6) + " Department"
    text = (
        'usm: "1"\nprofiles:\n  - {id: it, kind: provider, name: IT}\n'
        f"  - {{id: c, kind: customer, name: '{long}'}}\n"
        "services:\n  - {id: desk, name: Desk, provider: it, customers: [c]}\n"
    )
    report = build_report(checked(write(tmp_path, text)), date=DATE)
    root = check_layout(report.nodes, report.edges)
    customer = drawn(root)["profile:c"]
    assert customer.width > svg.BOX_WIDTH
    assert len(customer.lines) == MAX_LINES


CHAIN = """\
usm: "1"
profiles:
  - {id: ca, kind: customer, name: Customer A}
  - {id: cb, kind: customer, name: Customer B}
  - {id: cc, kind: customer, name: Customer C}
  - {id: pa, kind: provider, name: Provider A}
  - {id: pb, kind: provider, name: Provider B}
  - {id: pc, kind: provider, name: Provider C}
  - {id: sa, kind: supplier, name: Supplier A, external: true}
  - {id: sb, kind: supplier, name: Supplier B}
services:
  - {id: a, name: Service A, provider: pa, customers: [cc], depends_on: [y]}
  - {id: b, name: Service B, provider: pb, customers: [cb], depends_on: [y]}
  - {id: c, name: Service C, provider: pc, customers: [ca], depends_on: [x]}
  - {id: x, name: Supply X, provider: sa, customers: [pc]}
  - {id: y, name: Supply Y, provider: sb, customers: [pa, pb]}
"""


def test_the_order_crosses_fewer_edges_than_the_names_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = build_report(checked(write(tmp_path, CHAIN)), date=DATE)
    ordered = _crossings(check_layout(report.nodes, report.edges))
    monkeypatch.setattr(svg, "SWEEPS", 0)  # the starting order: by name,
    monkeypatch.setattr(svg, "EXCHANGE_LIMIT", -1)  # no swaps either
    svg._placed.cache_clear()
    naive = _crossings(ET.fromstring(render_svg(report.nodes, report.edges)))
    assert naive >= 3
    assert ordered < naive
    assert ordered == 0
    # Deterministic: the same picture every time.
    monkeypatch.undo()
    svg._placed.cache_clear()
    assert render_svg(report.nodes, report.edges) == render_svg(report.nodes, report.edges)


CHROMIUM = shutil.which("chromium")
# In the browser: every line's drawn box (getBBox, the font as rendered) inside
# its box's rectangle; the page writes how many lines it measured and which overflow.
MEASURE = """<script>
window.addEventListener('load', () => {
  let count = 0; const over = [];
  for (const span of document.querySelectorAll('g.node > text > tspan')) {
    const rect = span.parentNode.parentNode.querySelector(':scope > rect');
    const [x, y, w, h] = ['x', 'y', 'width', 'height'].map(k => +rect.getAttribute(k));
    const b = span.getBBox();
    count += 1;
    if (b.x < x || b.x + b.width > x + w || b.y < y || b.y + b.height > y + h) {
      over.push(span.textContent);
    }
  }
  document.body.setAttribute('data-measured', count + ':' + over.join('|'));
});
</script>"""


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_the_browser_draws_every_line_inside_its_box(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    report = build_report(checked(write(tmp_path, layered(40))), date=DATE)
    page = tmp_path / "picture.html"
    page.write_text(
        f"<!doctype html><html><body>{render_svg(report.nodes, report.edges)}{MEASURE}"
        "</body></html>",
        encoding="utf-8",
    )
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, check=False, timeout=180,
    )  # fmt: skip
    found = re.search(r'data-measured="(\d+):([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    assert int(found.group(1)) > 100  # every name's lines were measured
    assert found.group(2) == ""  # and none overflows its box
