"""The supply-chain picture: levels as columns, legible for fifty parties, findings marked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.output.report.svgcheck import check_layout
from tests.support.factories import checked, finding, many_parties, with_findings, write
from tests.support.generated import layered
from tests.support.paths import EXAMPLES
from usmctl.output.report.content import build_report
from usmctl.output.report.svg import FIT_WIDTH, FONT_SIZE, layout, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_fifty_parties_are_drawn_legibly(tmp_path: Path) -> None:
    result = with_findings(
        checked(write(tmp_path, many_parties())),
        finding("USM802", "m", path="services[svc-p03].depends_on[0]", entity="svc-p03"),
    )
    report = build_report(result, date="2026-01-31")
    parties = [node for node in report.nodes if node.kind == "party"]
    assert len(parties) == 50
    root = check_layout(report.nodes, report.edges)  # no overlap, no text outside its box
    placed = layout(report.nodes, report.edges)
    # Columns follow the levels left to right: customers, providers (with their
    # services inside), suppliers.
    boxes = placed.boxes
    assert boxes["profile:c00"].x < boxes["profile:p00"].x < boxes["profile:s00"].x
    assert boxes["profile:p00"].x < boxes["service:svc-p00"].x < boxes["profile:s00"].x
    assert FONT_SIZE >= 10
    groups = [g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()]
    assert len(groups) == len(report.nodes)
    texts = {" ".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {f"Customer {i:02}" for i in range(20)} <= texts
    assert {f"Provider {i:02}" for i in range(20)} <= texts
    flagged = [g for g in groups if "flagged" in (g.get("class") or "")]
    assert len(flagged) == 1
    assert "1 error" in (flagged[0].findtext(f"{SVG}title") or "")
    # Never shrunk below FIT_WIDTH's scale: wider pictures keep their size and scroll.
    assert (float(root.get("width") or 0), float(root.get("height") or 0)) == (
        placed.width,
        placed.height,
    )
    if placed.width > FIT_WIDTH:
        assert root.get("style") is None


def test_long_names_are_wrapped_never_shortened(tmp_path: Path) -> None:
    name = "A supplier with a really very long name indeed"
    text = many_parties(2, 2, 1).replace("Supplier 00 with a long name", name)
    report = build_report(checked(write(tmp_path, text)), date="2026-01-31")
    svg = render_svg(report.nodes, report.edges)
    assert "…" not in svg
    root = ET.fromstring(svg)
    shown = [
        [span.text for span in text.iter(f"{SVG}tspan")]
        for text in root.iter(f"{SVG}text")
        if text.find(f"{SVG}tspan") is not None
    ]
    assert name.split() in [" ".join(lines).split() for lines in shown]
    assert next(lines for lines in shown if " ".join(lines) == name)[1:]  # over lines


def test_empty_architecture(tmp_path: Path) -> None:
    report = build_report(checked(write(tmp_path, 'usm: "1"\n')), date="2026-01-31")
    svg = render_svg(report.nodes, report.edges)
    ET.fromstring(svg)
    assert "No parties or services are declared." in svg


def _path_points(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of M, C and L commands (curves sampled)."""
    tokens = re.findall(r"[MCL]|-?\d+(?:\.\d+)?", d)
    points: list[tuple[float, float]] = []
    index = 0
    while index < len(tokens):
        command = tokens[index]
        count = {"M": 1, "L": 1, "C": 3}[command]
        values = [float(token) for token in tokens[index + 1 : index + 1 + 2 * count]]
        pairs = list(zip(values[::2], values[1::2], strict=True))
        index += 1 + 2 * count
        if command == "C":
            (x0, y0), (c1x, c1y), (c2x, c2y), (x3, y3) = points[-1], *pairs
            for step in range(1, 41):
                t = step / 40
                u = 1 - t
                points.append(
                    (
                        u**3 * x0 + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t**3 * x3,
                        u**3 * y0 + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t**3 * y3,
                    )
                )
        else:
            if command == "L":  # a straight line: sample it too
                x0, y0 = points[-1]
                x3, y3 = pairs[0]
                points += [(x0 + (x3 - x0) * s / 20, y0 + (y3 - y0) * s / 20) for s in range(21)]
            points.append(pairs[0])
    return points


@pytest.mark.parametrize("source", ["siam-multi-provider", "forty parties"])
def test_edges_never_pass_under_a_box(source: str, tmp_path: Path) -> None:
    """An edge drawn under a third box would read as an edge of that box: edges
    that cross columns run in the lanes between boxes."""
    folder = write(tmp_path, layered(40)) if source == "forty parties" else EXAMPLES / source
    report = build_report(checked(folder), date="2026-01-31")
    placed = layout(report.nodes, report.edges)
    svg = render_svg(report.nodes, report.edges)
    root = ET.fromstring(svg)
    paths = [p for p in root.iter(f"{SVG}path") if "edge" in (p.get("class") or "")]
    assert len(paths) == sum(edge.relation != "provides" for edge in report.edges)
    owner = {e.target: e.source for e in report.edges if e.relation == "provides"}
    crossing = 0
    for path in paths:
        source, target = path.get("data-source") or "", path.get("data-target") or ""
        ends = {source, target, owner.get(source), owner.get(target)}
        levels = sorted(placed.boxes[name].node.level for name in (source, target))
        crossing += any(levels[0] < level < levels[1] for level in placed.units)
        for px, py in _path_points(path.get("d") or ""):
            for name, box in placed.boxes.items():
                if name in ends:
                    continue
                inside = box.x < px < box.x + box.width and box.y < py < box.y + box.height
                assert not inside, f"{source} -> {target} passes under {name}"
    if source == "siam-multi-provider":
        assert crossing >= 1  # the example has an edge that skips a column
