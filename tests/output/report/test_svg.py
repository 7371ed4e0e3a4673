"""The supply-chain picture: layered, legible for fifty parties, findings marked."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.support.factories import checked, finding, many_parties, with_findings, write
from usmctl.output.report.content import build_report
from usmctl.output.report.svg import BOX_HEIGHT, BOX_WIDTH, FIT_WIDTH, FONT_SIZE, layout, render_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_fifty_parties_are_drawn_legibly(tmp_path: Path) -> None:
    result = with_findings(
        checked(write(tmp_path, many_parties())),
        finding("USM802", "m", path="services[svc-p03].depends_on[0]", entity="svc-p03"),
    )
    report = build_report(result, date="2026-01-31")
    parties = [node for node in report.nodes if node.kind == "party"]
    assert len(parties) == 50
    placed = layout(report.nodes, report.edges)
    # No two boxes overlap, in any column.
    boxes = sorted(placed.positions.values())
    for (x1, y1), (x2, y2) in itertools.pairwise(boxes):
        if x1 == x2:
            assert y2 - y1 >= BOX_HEIGHT + 4
    # Columns follow the layers left to right: customers, services, providers, ...
    xs = {node.name: placed.positions[node.name][0] for node in report.nodes}
    assert xs["profile:c00"] < xs["service:svc-p00"] < xs["profile:p00"]
    assert xs["profile:p00"] < xs["service:svc-s00"] < xs["profile:s00"]
    assert FONT_SIZE >= 10
    svg = render_svg(report.nodes, report.edges)
    root = ET.fromstring(svg)  # well-formed XML
    groups = [g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()]
    assert len(groups) == len(report.nodes)
    texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
    assert {f"Customer {i:02}" for i in range(20)} <= texts
    assert {f"Provider {i:02}" for i in range(20)} <= texts
    flagged = [g for g in groups if "flagged" in (g.get("class") or "")]
    assert len(flagged) == 1
    assert "1 error" in "".join(flagged[0].itertext())
    # Never shrunk below FIT_WIDTH's scale: wider pictures keep their size and scroll.
    assert (root.get("width"), root.get("height")) == (str(placed.width), str(placed.height))
    if placed.width > FIT_WIDTH:
        assert root.get("style") is None


def test_long_labels_are_shortened_with_the_full_text_in_the_tooltip(tmp_path: Path) -> None:
    name = "A supplier with a really very long name indeed"
    text = many_parties(2, 2, 1).replace("Supplier 00 with a long name", name)
    report = build_report(checked(write(tmp_path, text)), date="2026-01-31")
    svg = render_svg(report.nodes, report.edges)
    assert name in svg  # in the <title>
    shown = re.findall(r">([^<>]*…)</text>", svg)
    assert shown
    assert all(len(label) * 6 < BOX_WIDTH for label in shown)


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


def test_edges_never_pass_under_a_box() -> None:
    """An edge drawn under a third box would read as an edge of that box: edges
    that cross columns run in the lanes between boxes."""
    from tests.support.paths import EXAMPLES

    report = build_report(checked(EXAMPLES / "siam-multi-provider"), date="2026-01-31")
    placed = layout(report.nodes, report.edges)
    columns = {x for x, _ in placed.positions.values()}
    svg = render_svg(report.nodes, report.edges)
    root = ET.fromstring(svg)
    paths = [p for p in root.iter(f"{SVG}path") if "edge" in (p.get("class") or "")]
    assert len(paths) == len(report.edges)
    crossing = 0
    for path, edge in zip(paths, report.edges, strict=True):
        ends = {edge.source, edge.target}
        sx, tx = placed.positions[edge.source][0], placed.positions[edge.target][0]
        crossing += any(min(sx, tx) < x < max(sx, tx) for x in columns)
        for px, py in _path_points(path.get("d") or ""):
            for name, (bx, by) in placed.positions.items():
                if name in ends:
                    continue
                inside = bx < px < bx + BOX_WIDTH and by < py < by + BOX_HEIGHT
                assert not inside, f"{edge.source} -> {edge.target} passes under {name}"
    assert crossing >= 2  # the example has edges that skip a column
