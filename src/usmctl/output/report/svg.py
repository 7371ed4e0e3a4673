"""The supply-chain picture as inline SVG: layered, left to right.

Columns are the layers of `SupplyChain.layers()` (customers, their services,
providers, supplier services, suppliers, ...). Within a column nodes are
ordered by the barycentre of their neighbours, which keeps edges short and
crossings few; boxes have a fixed size so fifty parties stay legible (the
figure scrolls instead of shrinking the text).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from html import escape

from usmctl.output.report.content import GraphEdge, GraphNode
from usmctl.output.report.palette import (
    BORDER_COLOUR,
    DEPENDENCY_COLOUR,
    EDGE_COLOUR,
    MARK_COLOURS,
    ROLE_FILLS,
)

BOX_WIDTH = 160
BOX_HEIGHT = 26
COLUMN_GAP = 40
ROW_GAP = 10
MARGIN = 24
HEADING = 28
FONT_SIZE = 11
MAX_LABEL = 25
FIT_WIDTH = 1300  # px: up to this the picture may shrink to the page (text stays >= 9.5px)

_ROLE_TITLES = {"customer": "Customers", "provider": "Providers", "supplier": "Suppliers"}


@dataclass(frozen=True)
class Layout:
    """Where every node's box is (top-left corner) and the picture's size."""

    positions: dict[str, tuple[int, int]]
    columns: dict[int, int]
    width: int
    height: int


def layout(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> Layout:
    """Place nodes in columns by layer; order each column by neighbour barycentre."""
    layer_ids = sorted({node.layer for node in nodes})
    column_of = {layer: index for index, layer in enumerate(layer_ids)}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    by_layer: dict[int, list[GraphNode]] = defaultdict(list)
    for node in nodes:
        by_layer[node.layer].append(node)
    order: dict[int, list[str]] = {
        layer: [node.name for node in sorted(members, key=lambda n: (n.role, n.label, n.name))]
        for layer, members in by_layer.items()
    }
    rank = {name: index for members in order.values() for index, name in enumerate(members)}

    def sweep(layers: list[int]) -> None:
        placed: set[str] = set()
        for layer in layers:
            members = order[layer]

            def barycentre(name: str) -> tuple[float, int]:
                near = [rank[other] for other in neighbours[name] if other in placed]
                return ((sum(near) / len(near)) if near else float(rank[name]), rank[name])

            if placed:
                members.sort(key=barycentre)
                for index, name in enumerate(members):
                    rank[name] = index
            placed.update(members)

    for _ in range(2):
        sweep(layer_ids)
        sweep(list(reversed(layer_ids)))
        sweep(layer_ids)
    tallest = max((len(members) for members in order.values()), default=0)
    column_height = tallest * (BOX_HEIGHT + ROW_GAP) - ROW_GAP
    positions: dict[str, tuple[int, int]] = {}
    columns: dict[int, int] = {}
    for layer in layer_ids:
        x = MARGIN + column_of[layer] * (BOX_WIDTH + COLUMN_GAP)
        columns[layer] = x
        members = order[layer]
        used = len(members) * (BOX_HEIGHT + ROW_GAP) - ROW_GAP
        top = MARGIN + HEADING + (column_height - used) // 2
        for index, name in enumerate(members):
            positions[name] = (x, top + index * (BOX_HEIGHT + ROW_GAP))
    width = 2 * MARGIN + max(len(layer_ids), 1) * (BOX_WIDTH + COLUMN_GAP) - COLUMN_GAP
    height = 2 * MARGIN + HEADING + max(column_height, BOX_HEIGHT)
    return Layout(positions, columns, width, height)


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _column_title(members: list[GraphNode]) -> str:
    if all(node.kind == "service" for node in members):
        return "Services"
    roles = [role for role in _ROLE_TITLES if any(node.role == role for node in members)]
    return " & ".join(_ROLE_TITLES[role] for role in roles)


def _row_gaps(placed: Layout) -> dict[int, list[int]]:
    """Per column (by its x): the y of each free lane between, above and below
    its boxes, where an edge that crosses the column may pass."""
    rows: dict[int, list[int]] = defaultdict(list)
    for x, y in placed.positions.values():
        rows[x].append(y)
    return {
        x: [min(ys) - ROW_GAP // 2] + [y + BOX_HEIGHT + ROW_GAP // 2 for y in sorted(ys)]
        for x, ys in rows.items()
    }


def _edge_path(sx: int, sy: int, tx: int, ty: int, gaps: dict[int, list[int]]) -> str:
    """An SVG path from the side of one box to the side of another.

    Between neighbouring columns it is one S-curve. An edge that crosses
    columns runs through each crossed column in the free lane nearest its
    straight course, so it never passes under a box (which would look like an
    edge of that box).
    """
    if sx == tx:  # same column: loop out to the right
        x1, x2 = sx + BOX_WIDTH, tx + BOX_WIDTH
        return f"M{x1},{sy} C{x1 + 40},{sy} {x2 + 40},{ty} {x2},{ty}"
    step = 1 if tx > sx else -1
    x1 = sx + BOX_WIDTH if step > 0 else sx
    x2 = tx if step > 0 else tx + BOX_WIDTH
    points = [(x1, sy)]
    crossed = sorted((x for x in gaps if min(sx, tx) < x < max(sx, tx)), reverse=step < 0)
    for x in crossed:
        share = (x + BOX_WIDTH // 2 - x1) / (x2 - x1)
        wanted = sy + (ty - sy) * share
        lane = min(gaps[x], key=lambda y: (abs(y - wanted), y))
        entry, leave = (x, x + BOX_WIDTH) if step > 0 else (x + BOX_WIDTH, x)
        points += [(entry, lane), (leave, lane)]
    points.append((x2, ty))
    parts = [f"M{x1},{sy}"]
    for index in range(0, len(points) - 1, 2):
        (ax, ay), (bx, by) = points[index], points[index + 1]
        bend = max(abs(bx - ax) // 2, 40) * step
        parts.append(f"C{ax + bend},{ay} {bx - bend},{by} {bx},{by}")
        if index + 2 < len(points):
            parts.append(f"L{points[index + 2][0]},{points[index + 2][1]}")
    return " ".join(parts)


PRINT_WIDTH = 700  # px: an A4 page's width inside its margins, at 96 px per inch
PRINT_SHARE = 380  # px: a picture printed taller than this gets a page of its own


def needs_own_page(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> bool:
    """Whether the picture, printed at most an A4 page wide, is tall enough
    (more than about a third of the page) to be printed on a page of its own
    rather than cut or pushed about by the text around it."""
    if not nodes:
        return False
    placed = layout(nodes, edges)
    scale = min(1.0, PRINT_WIDTH / placed.width)
    return placed.height * scale > PRINT_SHARE


def render_svg(nodes: tuple[GraphNode, ...], edges: tuple[GraphEdge, ...]) -> str:
    """The graph as a standalone ``<svg>`` element (all text escaped)."""
    if not nodes:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="60" role="img" '
            'aria-label="empty supply chain"><text x="12" y="34" font-size="13" '
            'fill="#5f6368">No parties or services are declared.</text></svg>'
        )
    placed = layout(nodes, edges)
    by_name = {node.name: node for node in nodes}
    # A picture slightly wider than the page is scaled down to fit; a much wider
    # one keeps its size (and scrolls) so that its labels stay legible.
    fit = (
        f' style="width:100%;height:auto;max-width:{placed.width}px"'
        if placed.width <= FIT_WIDTH
        else ""
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="supply-chain" '
        f'width="{placed.width}" height="{placed.height}"{fit} '
        f'viewBox="0 0 {placed.width} {placed.height}" role="img" '
        f'aria-label="supply chain: {len(nodes)} nodes, {len(edges)} edges" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{FONT_SIZE}">',
        "<defs>"
        '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{BORDER_COLOUR}"/></marker>'
        '<marker id="arrow-dep" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" '
        f'fill="{DEPENDENCY_COLOUR}"/></marker>'
        "</defs>",
    ]
    members_of: dict[int, list[GraphNode]] = defaultdict(list)
    for node in nodes:
        members_of[node.layer].append(node)
    for layer, x in sorted(placed.columns.items()):
        out.append(
            f'<text x="{x + BOX_WIDTH // 2}" y="{MARGIN + 12}" text-anchor="middle" '
            f'font-weight="600" fill="#3c4043">{escape(_column_title(members_of[layer]))}</text>'
        )
    gaps = _row_gaps(placed)
    out.append('<g class="edges" fill="none">')
    for edge in edges:
        source = by_name.get(edge.source)
        target = by_name.get(edge.target)
        if source is None or target is None:
            continue
        sx, sy = placed.positions[edge.source]
        tx, ty = placed.positions[edge.target]
        path = _edge_path(sx, sy + BOX_HEIGHT // 2, tx, ty + BOX_HEIGHT // 2, gaps)
        dependency = edge.relation == "depends_on"
        style = (
            f'stroke="{DEPENDENCY_COLOUR}" stroke-width="1.3" stroke-dasharray="5 3" '
            'marker-end="url(#arrow-dep)"'
            if dependency
            else f'stroke="{EDGE_COLOUR}" stroke-width="1" marker-end="url(#arrow)"'
        )
        out.append(
            f'<path class="edge {escape(edge.relation)}" d="{path}" {style}>'
            f"<title>{escape(source.label)} {escape(edge.relation)} "
            f"{escape(target.label)}</title></path>"
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in nodes:
        x, y = placed.positions[node.name]
        worst = node.marks.worst
        stroke = MARK_COLOURS[worst.value] if worst is not None else BORDER_COLOUR
        width = 2.5 if worst is not None and worst.value != "info" else 1
        dash = ' stroke-dasharray="4 2"' if node.external else ""
        radius = 13 if node.kind == "service" else 4
        tip = f"{node.label} ({node.role}{', external' if node.external else ''}): "
        tip += node.marks.describe()
        out.append(
            f'<g class="node {escape(node.role)}{" flagged" if worst else ""}">'
            f"<title>{escape(tip)}</title>"
            f'<rect x="{x}" y="{y}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="{radius}" '
            f'fill="{ROLE_FILLS.get(node.role, "#ffffff")}" stroke="{stroke}" '
            f'stroke-width="{width}"{dash}/>'
            f'<text x="{x + 10}" y="{y + BOX_HEIGHT // 2 + 4}" fill="#202124">'
            f"{escape(_shorten(node.label))}</text>"
        )
        if worst is not None:
            out.append(
                f'<circle cx="{x + BOX_WIDTH - 2}" cy="{y + 2}" r="9" '
                f'fill="{MARK_COLOURS[worst.value]}"/>'
                f'<text x="{x + BOX_WIDTH - 2}" y="{y + 6}" text-anchor="middle" '
                f'font-size="10" font-weight="700" fill="#ffffff">{node.marks.total}</text>'
            )
        out.append("</g>")
    out.append("</g></svg>")
    return "".join(out)
