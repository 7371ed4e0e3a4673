"""The supply-chain picture read back from its SVG: the boxes, their text
lines, and the checks of a legible layout (shared by the picture's tests)."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from usmctl.output.report.content import GraphEdge, GraphNode
from usmctl.output.report.svg import column_title, render_svg
from usmctl.output.report.textwidth import MAX_LINES, text_width

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Drawn:
    """A box as the SVG draws it."""

    name: str
    classes: list[str]
    x: float
    y: float
    width: float
    height: float
    dashed: bool
    lines: list[tuple[float, float, float, str]]  # x, baseline y, font size, text
    parent: str | None

    def holds(self, other: Drawn) -> bool:
        return (
            self.x <= other.x
            and other.x + other.width <= self.x + self.width
            and self.y <= other.y
            and other.y + other.height <= self.y + self.height
        )

    def overlaps(self, other: Drawn) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


def drawn(root: ET.Element) -> dict[str, Drawn]:
    """Every party and service box, by node name."""
    boxes: dict[str, Drawn] = {}

    def visit(group: ET.Element, parent: str | None) -> None:
        for child in group.findall(f"{SVG}g"):
            name = child.get("data-name")
            assert name is not None
            rect = child.find(f"{SVG}rect")
            assert rect is not None
            text = child.find(f"{SVG}text")
            assert text is not None
            size = float(text.get("font-size") or root.get("font-size") or 0)
            lines = [
                (float(span.get("x") or 0), float(span.get("y") or 0), size, span.text or "")
                for span in text.findall(f"{SVG}tspan")
            ]
            boxes[name] = Drawn(
                name,
                (child.get("class") or "").split(),
                *(float(rect.get(key) or 0) for key in ("x", "y", "width", "height")),
                dashed=rect.get("stroke-dasharray") is not None,
                lines=lines,
                parent=parent,
            )
            visit(child, name)

    nodes = next(g for g in root.findall(f"{SVG}g") if g.get("class") == "nodes")
    visit(nodes, None)
    return boxes


def check_layout(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> ET.Element:
    """Assert every property of a legible picture; return the parsed SVG."""
    root = ET.fromstring(render_svg(nodes, edges))
    boxes = drawn(root)
    by_name = {node.name: node for node in nodes}
    assert set(boxes) == set(by_name)
    units = [box for box in boxes.values() if box.parent is None]
    for one, two in itertools.combinations(units, 2):
        assert not one.overlaps(two), (one.name, two.name)
    for box in boxes.values():
        node = by_name[box.name]
        if box.parent is not None:  # a service inside the party that provides it
            assert node.kind == "service" and "service" in box.classes
            parent = boxes[box.parent]
            assert parent.holds(box), (parent.name, box.name)
            assert GraphEdge(box.parent, box.name, "provides") in edges
        assert box.dashed == node.external, box.name
        # The full name, wrapped, never cut: its lines joined give it back.
        assert 1 <= len(box.lines) <= MAX_LINES, box.name
        assert " ".join(text for *_, text in box.lines) == " ".join(node.label.split())
        assert not any(text.endswith(("…", "...")) for *_, text in box.lines)
        below = min((b.y for b in boxes.values() if b.parent == box.name), default=None)
        for x, y, size, text in box.lines:
            assert size >= 10
            assert box.x < x and x + text_width(text, size) < box.x + box.width, text
            assert box.y < y - size and y + size / 4 < box.y + box.height, text
            if below is not None:  # a party's name above its services
                assert y + size / 4 < below, text
    # Columns in level order, left to right, each with its own title.
    levels = sorted({node.level for node in nodes})
    titles = sorted(
        (float(text.get("x") or 0), "".join(text.itertext()))
        for text in root.iter(f"{SVG}text")
        if text.get("class") == "column"
    )
    assert [title for _, title in titles] == [column_title(level) for level in levels]
    for one, two in itertools.permutations(units, 2):
        if by_name[one.name].level < by_name[two.name].level:
            assert one.x + one.width < two.x, (one.name, two.name)
    paths = [path for path in root.iter(f"{SVG}path") if "edge" in (path.get("class") or "")]
    assert len(paths) == sum(edge.relation != "provides" for edge in edges)
    return root
