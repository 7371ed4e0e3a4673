"""The supply-chain picture as inline SVG: one column per level of the recursion.

Columns are the levels of `levels.placements` (`GraphNode.level`): customers,
the providers serving them, their suppliers, sub-suppliers ... Each party is a
box holding its services; edges run from a service to the services it depends
on and from a service to its customers. Names are wrapped over at most three
lines, measured with `textwidth` for the picture's font; a column is widened
rather than a name cut. Parties in a column, and services in a party, are
ordered to cross few edges (Sugiyama): barycentre sweeps down and up the
columns, keeping the order with the fewest crossings, then swaps of
neighbours while one helps. The order starts from the names and every step is
deterministic. Text keeps its size at forty parties (the figure scrolls
instead of shrinking).
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

from usmctl.output.report.content import GraphEdge, GraphNode
from usmctl.output.report.palette import (
    BORDER_COLOUR,
    DEPENDENCY_COLOUR,
    EDGE_COLOUR,
    MARK_COLOURS,
    ROLE_FILLS,
)
from usmctl.output.report.textwidth import FONT_FAMILY, fit

FONT_SIZE = 11  # a service's name
PARTY_FONT_SIZE = 12  # a party's name
LINE = 14  # px between the baselines of a service's lines
PARTY_LINE = 15
BOX_WIDTH = 200  # a party box's least width; its services are PAD narrower on each side
PAD = 8  # inside a party box, around its name and services
TEXT_PAD = 8  # inside a box, left of the text
BADGE_ROOM = 14  # right of the text: room for the findings badge on the corner
SERVICE_GAP = 6
COLUMN_GAP = 72
ROW_GAP = 16
MARGIN = 24
HEADING = 30
SWEEPS = 8  # barycentre sweeps, alternately down and up the columns
EXCHANGE_LIMIT = 600  # edges: up to this many, neighbours are swapped after the sweeps
EXCHANGE_ROUNDS = 4
FIT_WIDTH = 1300  # px: up to this the picture may shrink to the page (text stays >= 9.5px)

_TITLES = ("Customers", "Providers", "Suppliers")


def column_title(level: int) -> str:
    """The heading of a level's column; never the same for two levels."""
    return _TITLES[level] if level < len(_TITLES) else f"Sub-suppliers (level {level})"


@dataclass
class Box:
    """A drawn box: a party (with its services inside), or a service."""

    node: GraphNode
    lines: list[str] = field(default_factory=list)
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    services: list[Box] = field(default_factory=list)

    @property
    def middle(self) -> float:
        """The y where edges meet the box: its name's middle for a party with
        services, else its own middle."""
        if self.services:
            return self.y + PAD + len(self.lines) * PARTY_LINE / 2
        return self.y + self.height / 2


@dataclass
class Layout:
    """The boxes by node name, the columns (level -> x, width) and the size."""

    boxes: dict[str, Box]
    units: dict[int, list[Box]]  # per level, top to bottom: parties and lone services
    columns: dict[int, tuple[float, float]]
    width: float
    height: float
    crossings: int = 0


def _text_room(width: float) -> float:
    return width - TEXT_PAD - BADGE_ROOM


def _units(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> dict[int, list[Box]]:
    """Per level, the boxes standing in the column: parties, each holding its
    services, and the services without a party; sorted by name to start."""
    boxes = {node.name: Box(node) for node in nodes}
    owner: dict[str, str] = {}
    for edge in edges:
        if edge.relation == "provides" and edge.source in boxes and edge.target in boxes:
            owner[edge.target] = edge.source
    units: dict[int, list[Box]] = defaultdict(list)
    for node in sorted(nodes, key=lambda item: (item.label.casefold(), item.name)):
        if node.name in owner:
            boxes[owner[node.name]].services.append(boxes[node.name])
        else:
            units[node.level].append(boxes[node.name])
    return units


def _size(units: dict[int, list[Box]]) -> dict[int, float]:
    """Wrap every name and give each column the width its longest name needs."""
    widths: dict[int, float] = {}
    for level, members in units.items():
        width = float(BOX_WIDTH)
        for unit in members:
            room = _text_room(width)
            if unit.services:
                width = max(
                    width, fit(unit.node.label, room, PARTY_FONT_SIZE)[1] + TEXT_PAD + BADGE_ROOM
                )
                inner = _text_room(width - 2 * PAD)
                for service in unit.services:
                    needed = fit(service.node.label, inner, FONT_SIZE)[1]
                    width = max(width, needed + TEXT_PAD + BADGE_ROOM + 2 * PAD)
            else:
                size = FONT_SIZE if unit.node.kind == "service" else PARTY_FONT_SIZE
                width = max(width, fit(unit.node.label, room, size)[1] + TEXT_PAD + BADGE_ROOM)
        widths[level] = width
        for unit in members:
            unit.width = width
            size = FONT_SIZE if unit.node.kind == "service" else PARTY_FONT_SIZE
            unit.lines = fit(unit.node.label, _text_room(width), size)[0]
            if unit.services:
                heights = [PAD + len(unit.lines) * PARTY_LINE + PAD]
                for service in unit.services:
                    service.width = width - 2 * PAD
                    room = _text_room(service.width)
                    service.lines = fit(service.node.label, room, FONT_SIZE)[0]
                    service.height = len(service.lines) * LINE + 10
                    heights.append(service.height + SERVICE_GAP)
                unit.height = sum(heights) - SERVICE_GAP + PAD
            else:
                line = LINE if unit.node.kind == "service" else PARTY_LINE
                unit.height = len(unit.lines) * line + 12
    return widths


def _stack(members: list[Box], x: float, top: float) -> None:
    """Place a column's boxes top to bottom from ``top``, services inside."""
    y = top
    for unit in members:
        unit.x, unit.y = x, y
        inner = y + PAD + len(unit.lines) * PARTY_LINE + PAD
        for service in unit.services:
            service.x, service.y = x + PAD, inner
            inner += service.height + SERVICE_GAP
        y += unit.height + ROW_GAP


def _segments(
    boxes: dict[str, Box], edges: Iterable[GraphEdge]
) -> list[tuple[str, str, float, float, float, float]]:
    """Each drawn edge as a straight segment between its two boxes' sides."""
    segments = []
    for edge in edges:
        source, target = boxes[edge.source], boxes[edge.target]
        if source.node.level == target.node.level:
            continue  # inside one column: drawn as a loop, not counted
        forward = source.x < target.x
        sx = source.x + source.width if forward else source.x
        tx = target.x if forward else target.x + target.width
        segments.append((edge.source, edge.target, sx, source.middle, tx, target.middle))
    return segments


def _inversions(values: list[float]) -> int:
    """Pairs i < j with values[i] > values[j]."""
    seen: list[float] = []
    count = 0
    for value in values:
        count += len(seen) - bisect.bisect_right(seen, value)
        bisect.insort(seen, value)
    return count


def crossings(segments: list[tuple[str, str, float, float, float, float]]) -> int:
    """How many times the segments cross in the gaps between columns: per gap,
    the pairs whose order at its left side is the reverse of their order at its
    right side (segments that meet at an end do not cross there)."""
    gaps = sorted({(min(ax, bx), max(ax, bx)) for _, _, ax, _, bx, _ in segments})
    edges = sorted({x for gap in gaps for x in gap})
    total = 0
    for left, right in itertools.pairwise(edges):
        at = []
        for _, _, ax, ay, bx, by in segments:
            (x1, y1), (x2, y2) = sorted(((ax, ay), (bx, by)))
            if x1 <= left and right <= x2:
                share_left, share_right = (left - x1) / (x2 - x1), (right - x1) / (x2 - x1)
                at.append((y1 + (y2 - y1) * share_left, y1 + (y2 - y1) * share_right))
        at.sort()
        total += _inversions([y for _, y in at])
    return total


def layout(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> Layout:
    """Size, order and place every box; the order crosses fewest edges found."""
    units = _units(nodes, edges)
    widths = _size(units)
    levels = sorted(units)
    columns: dict[int, tuple[float, float]] = {}
    x = float(MARGIN)
    for level in levels:
        columns[level] = (x, widths[level])
        x += widths[level] + COLUMN_GAP
    width = x - COLUMN_GAP + MARGIN if levels else 2 * MARGIN
    boxes = {unit.node.name: unit for members in units.values() for unit in members}
    boxes.update(
        {s.node.name: s for members in units.values() for u in members for s in u.services}
    )
    drawn = [edge for edge in edges if edge.relation != "provides" and _ends(edge, boxes)]
    neighbours: dict[str, list[str]] = defaultdict(list)
    for edge in drawn:
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    tallest = max(
        (sum(u.height + ROW_GAP for u in units[lv]) - ROW_GAP for lv in levels), default=0
    )

    def place(level: int) -> None:
        used = sum(unit.height + ROW_GAP for unit in units[level]) - ROW_GAP
        _stack(units[level], columns[level][0], MARGIN + HEADING + (tallest - used) / 2)

    def pull(box: Box, towards: set[int]) -> float:
        """The mean height of the box's neighbours in the given columns (its
        services' too), or where it is when it has none there."""
        names = [box.node.name] + [service.node.name for service in box.services]
        near = [
            boxes[other].middle
            for name in names
            for other in neighbours[name]
            if boxes[other].node.level in towards and other not in names
        ]
        return sum(near) / len(near) if near else box.middle

    def sweep(order: list[int]) -> None:
        for index, level in enumerate(order):
            towards = set(order[:index])
            if not towards:
                continue
            for unit in units[level]:
                unit.services.sort(key=lambda service: pull(service, towards))
            units[level].sort(key=lambda unit: pull(unit, towards))
            place(level)

    for level in levels:
        place(level)
    best = (crossings(_segments(boxes, drawn)), _snapshot(units))
    for index in range(SWEEPS):
        sweep(levels if index % 2 == 0 else levels[::-1])
        found = crossings(_segments(boxes, drawn))
        if found < best[0]:
            best = (found, _snapshot(units))
    for level, members in best[1].items():
        units[level] = [boxes[name] for name, _ in members]
        for unit, (_, services) in zip(units[level], members, strict=True):
            unit.services = [boxes[name] for name in services]
        place(level)
    found = best[0]
    if found and len(drawn) <= EXCHANGE_LIMIT:
        found = _exchange(units, place, lambda: crossings(_segments(boxes, drawn)), found)
    height = MARGIN + HEADING + max(tallest, 30) + MARGIN
    return Layout(boxes, dict(units), columns, width, height, found)


def _exchange(
    units: dict[int, list[Box]], place: Callable[[int], None], count: Callable[[], int], found: int
) -> int:
    """Swap neighbouring parties in a column, and neighbouring services in a
    party, wherever that crosses fewer edges, until no swap helps (the
    "transpose" step after the sweeps); return the crossings left."""
    for _ in range(EXCHANGE_ROUNDS):
        before = found
        for level, members in sorted(units.items()):
            for row in [members] + [unit.services for unit in members]:
                for index in range(len(row) - 1):
                    row[index], row[index + 1] = row[index + 1], row[index]
                    place(level)
                    trial = count()
                    if trial < found:
                        found = trial
                    else:
                        row[index], row[index + 1] = row[index + 1], row[index]
                        place(level)
        if found in (0, before):
            break
    return found


@lru_cache(maxsize=1)
def _placed(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> Layout:
    """The layout of the last picture: the report asks whether it needs a
    page of its own, then draws it (neither changes it)."""
    return layout(nodes, edges)


def _ends(edge: GraphEdge, boxes: dict[str, Box]) -> bool:
    return edge.source in boxes and edge.target in boxes


def _snapshot(units: dict[int, list[Box]]) -> dict[int, list[tuple[str, list[str]]]]:
    return {
        level: [(unit.node.name, [s.node.name for s in unit.services]) for unit in members]
        for level, members in units.items()
    }


def _lanes(members: list[Box]) -> list[float]:
    """The y of each free lane between, above and below a column's boxes,
    where an edge that crosses the column may pass."""
    return [members[0].y - ROW_GAP / 2] + [unit.y + unit.height + ROW_GAP / 2 for unit in members]


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _edge_path(source: Box, target: Box, placed: Layout) -> str:
    """An SVG path from the side of one box to the side of another.

    Between neighbouring columns it is one S-curve. An edge that crosses
    columns runs through each crossed column in the free lane nearest its
    straight course, so it never passes under a box (which would look like an
    edge of that box). Inside one column it loops out to the right.
    """
    sy, ty = source.middle, target.middle
    if source.node.level == target.node.level:
        x1, x2 = source.x + source.width, target.x + target.width
        out = max(x1, x2) + COLUMN_GAP / 2
        return f"M{_n(x1)},{_n(sy)} C{_n(out)},{_n(sy)} {_n(out)},{_n(ty)} {_n(x2)},{_n(ty)}"
    step = 1 if target.x > source.x else -1
    x1 = source.x + source.width if step > 0 else source.x
    x2 = target.x if step > 0 else target.x + target.width
    points = [(x1, sy)]
    low, high = sorted((source.node.level, target.node.level))
    crossed = sorted((level for level in placed.units if low < level < high), reverse=step < 0)
    for level in crossed:
        x, width = placed.columns[level]
        share = (x + width / 2 - x1) / (x2 - x1)
        wanted = sy + (ty - sy) * share
        lane = min(_lanes(placed.units[level]), key=lambda y: (abs(y - wanted), y))
        entry, leave = (x, x + width) if step > 0 else (x + width, x)
        points += [(entry, lane), (leave, lane)]
    points.append((x2, ty))
    parts = [f"M{_n(x1)},{_n(sy)}"]
    for index in range(0, len(points) - 1, 2):
        (ax, ay), (bx, by) = points[index], points[index + 1]
        bend = max(abs(bx - ax) / 2, 30) * step
        parts.append(f"C{_n(ax + bend)},{_n(ay)} {_n(bx - bend)},{_n(by)} {_n(bx)},{_n(by)}")
        if index + 2 < len(points):
            parts.append(f"L{_n(points[index + 2][0])},{_n(points[index + 2][1])}")
    return " ".join(parts)


PRINT_WIDTH = 700  # px: an A4 page's width inside its margins, at 96 px per inch
PRINT_SHARE = 380  # px: a picture printed taller than this gets a page of its own


def needs_own_page(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> bool:
    """Whether the picture, printed at most an A4 page wide, is tall enough
    (more than about a third of the page) to be printed on a page of its own
    rather than cut or pushed about by the text around it."""
    if not nodes:
        return False
    placed = _placed(nodes, edges)
    scale = min(1.0, PRINT_WIDTH / placed.width)
    return placed.height * scale > PRINT_SHARE


def _text(box: Box, size: int, line: int, top: float) -> str:
    """The box's name, one ``<tspan>`` per line at its own position."""
    spans = "".join(
        f'<tspan x="{_n(box.x + TEXT_PAD)}" y="{_n(top + (index + 1) * line - line / 4)}">'
        f"{escape(text)}</tspan>"
        for index, text in enumerate(box.lines)
    )
    return f'<text font-size="{size}" fill="#202124">{spans}</text>'


def _badge(box: Box) -> str:
    worst = box.node.marks.worst
    if worst is None:
        return ""
    right = box.x + box.width
    return (
        f'<circle cx="{_n(right - 2)}" cy="{_n(box.y + 2)}" r="9" '
        f'fill="{MARK_COLOURS[worst.value]}"/>'
        f'<text x="{_n(right - 2)}" y="{_n(box.y + 6)}" text-anchor="middle" '
        f'font-size="10" font-weight="700" fill="#ffffff">{box.node.marks.total}</text>'
    )


def _box(box: Box, inside: str = "") -> str:
    """A party's or service's group: tooltip, rectangle, name, badge, then
    what it holds."""
    node = box.node
    worst = node.marks.worst
    stroke = MARK_COLOURS[worst.value] if worst is not None else BORDER_COLOUR
    width = 2.5 if worst is not None and worst.value != "info" else 1
    dash = ' stroke-dasharray="5 3"' if node.external else ""
    service = node.kind == "service"
    tip = f"{node.label} ({node.role}{', external' if node.external else ''}): "
    tip += node.marks.describe()
    classes = (
        ["node", node.kind, node.role] + ["external"] * node.external + ["flagged"] * bool(worst)
    )
    size, line = (FONT_SIZE, LINE) if service else (PARTY_FONT_SIZE, PARTY_LINE)
    top = box.y + (5 if service else (PAD if box.services else 6))
    return (
        f'<g class="{escape(" ".join(classes))}" data-name="{escape(node.name)}">'
        f"<title>{escape(tip)}</title>"
        f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
        f'height="{_n(box.height)}" rx="{8 if service else 4}" '
        f'fill="{ROLE_FILLS.get(node.role, "#ffffff")}" stroke="{stroke}" '
        f'stroke-width="{width}"{dash}/>'
        f"{_text(box, size, line, top)}{_badge(box)}{inside}</g>"
    )


def render_svg(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> str:
    """The graph as a standalone ``<svg>`` element (all text escaped)."""
    if not nodes:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="60" role="img" '
            'aria-label="empty supply chain"><text x="12" y="34" font-size="13" '
            'fill="#5f6368">No parties or services are declared.</text></svg>'
        )
    placed = _placed(nodes, edges)
    width, height = _n(placed.width), _n(placed.height)
    # A picture slightly wider than the page is scaled down to fit; a much wider
    # one keeps its size (and scrolls) so that its labels stay legible.
    fit_page = (
        f' style="width:100%;height:auto;max-width:{width}px"' if placed.width <= FIT_WIDTH else ""
    )
    parties = sum(node.kind == "party" for node in nodes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="supply-chain" '
        f'width="{width}" height="{height}"{fit_page} '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="supply chain: {parties} parties, {len(nodes) - parties} services" '
        f'font-family="{escape(FONT_FAMILY)}" font-size="{FONT_SIZE}">',
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{BORDER_COLOUR}"/></marker>'
        '<marker id="arrow-dep" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{DEPENDENCY_COLOUR}"/></marker>'
        "</defs>",
    ]
    for level, (x, column) in sorted(placed.columns.items()):
        out.append(
            f'<text class="column" x="{_n(x + column / 2)}" y="{MARGIN + 12}" '
            f'text-anchor="middle" font-size="{PARTY_FONT_SIZE}" font-weight="600" '
            f'fill="#3c4043">{escape(column_title(level))}</text>'
        )
    out.append('<g class="nodes">')
    for level in sorted(placed.units):
        for unit in placed.units[level]:
            out.append(_box(unit, "".join(_box(service) for service in unit.services)))
    out.append("</g>")
    out.append('<g class="edges" fill="none">')
    for edge in edges:
        if edge.relation == "provides" or not _ends(edge, placed.boxes):
            continue
        source, target = placed.boxes[edge.source], placed.boxes[edge.target]
        dependency = edge.relation == "depends_on"
        style = (
            f'stroke="{DEPENDENCY_COLOUR}" stroke-width="1.3" stroke-dasharray="5 3" '
            'marker-end="url(#arrow-dep)"'
            if dependency
            else f'stroke="{EDGE_COLOUR}" stroke-width="1" marker-end="url(#arrow)"'
        )
        out.append(
            f'<path class="edge {escape(edge.relation)}" data-source="{escape(edge.source)}" '
            f'data-target="{escape(edge.target)}" d="{_edge_path(source, target, placed)}" '
            f"{style}><title>{escape(source.node.label)} {escape(edge.relation)} "
            f"{escape(target.node.label)}</title></path>"
        )
    out.append("</g></svg>")
    return "".join(out)
