"""`usmctl graph`: the supply chain as DOT, Mermaid, GraphML or node-link JSON.

All four are written from the same nodes and edges as the report's picture
(`content.graph_data`): parties and services, their layer, and the number of
findings on each.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from usmctl.output.findings.github import inert_xml, json_text
from usmctl.output.formats import Command, renderers
from usmctl.output.report.content import GraphEdge, GraphNode
from usmctl.output.report.palette import BORDER_COLOUR, DEPENDENCY_COLOUR, MARK_COLOURS, ROLE_FILLS

if TYPE_CHECKING:
    import networkx as nx

Nodes = tuple[GraphNode, ...]
Edges = tuple[GraphEdge, ...]


def to_networkx(nodes: Nodes, edges: Edges) -> nx.MultiDiGraph[str]:
    """A graph whose attributes are all strings, numbers or booleans (GraphML-safe)."""
    import networkx as nx

    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node in nodes:
        graph.add_node(
            node.name,
            kind=node.kind,
            role=node.role,
            label=node.label,
            entity=node.entity,
            external=node.external,
            layer=node.layer,
            level=node.level,
            errors=node.marks.errors,
            warnings=node.marks.warnings,
            infos=node.marks.infos,
        )
    for edge in edges:
        graph.add_edge(edge.source, edge.target, key=edge.relation, relation=edge.relation)
    return graph


def _dot_string(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, no raw line breaks."""
    cleaned = " ".join(text.split())
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(nodes: Nodes, edges: Edges) -> str:
    """Graphviz DOT, left to right: customers on the left, then the picture's
    levels in order (`GraphNode.level`: providers, suppliers, ...), each split
    into ``rank=same`` groups (`GraphNode.layer`: a service before the party
    that provides it), one further right than the last.

    Graphviz ranks an edge's tail before its head, so an edge that points back
    towards the customers (``serves``, ``provides``) is written head first with
    ``dir=back``: drawn with its arrow as before, it no longer pulls the
    customer to the right."""
    lines = [
        "digraph supply_chain {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        f'  edge [color="{BORDER_COLOUR}", fontname="Helvetica", fontsize=9];',
    ]
    layers: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        layers[node.layer].append(node.name)
        attributes = {
            "label": node.label,
            "fillcolor": ROLE_FILLS.get(node.role, "#ffffff"),
            "tooltip": f"{node.label} ({node.role}): {node.marks.describe()}",
        }
        worst = node.marks.worst
        if worst is not None:
            attributes["color"] = MARK_COLOURS[worst.value]
            attributes["penwidth"] = "2.5"
            attributes["xlabel"] = str(node.marks.total)
        styles = ["rounded", "filled"]
        if node.external:
            styles.append("dashed")
        attributes["style"] = ",".join(styles)
        shown = ", ".join(f"{key}={_dot_string(value)}" for key, value in attributes.items())
        lines.append(f"  {_dot_string(node.name)} [{shown}];")
    for layer in sorted(layers):
        members = " ".join(_dot_string(name) for name in layers[layer])
        lines.append(f"  subgraph level_{layer} {{ rank=same; {members} }}")
    layer_of = {node.name: node.layer for node in nodes}
    for edge in edges:
        style = (
            f', style=dashed, color="{DEPENDENCY_COLOUR}"' if edge.relation == "depends_on" else ""
        )
        tail, head = edge.source, edge.target
        if layer_of.get(tail, 0) > layer_of.get(head, 0):
            tail, head, style = head, tail, style + ", dir=back"
        lines.append(
            f"  {_dot_string(tail)} -> {_dot_string(head)} "
            f"[label={_dot_string(edge.relation)}{style}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def mermaid_ids(names: list[str]) -> dict[str, str]:
    """Node name -> a Mermaid-safe id (letters, digits, underscores; unique)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(names):
        base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
        candidate, suffix = base, 2
        while candidate in used:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        used.add(candidate)
        ids[name] = candidate
    return ids


def mermaid_text(text: str) -> str:
    """A quoted Mermaid label: entity codes for what could end or escape the label.

    Inside ``["..."]`` brackets, parentheses, pipes and semicolons are literal;
    ``"`` would end the label, ``<``/``>`` would be read as HTML, ``#`` starts an
    entity code and a backtick starts a Markdown string.
    """
    replacements = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;"}
    cleaned = " ".join(text.split())
    return "".join(replacements.get(char, char) for char in cleaned)


def to_mermaid(nodes: Nodes, edges: Edges) -> str:
    """A Mermaid ``flowchart LR``; nodes with findings get the ``error``/``warning`` class."""
    ids = mermaid_ids([node.name for node in nodes])
    lines = ["flowchart LR"]
    for node in nodes:
        label = mermaid_text(node.label)
        if node.marks.total:
            label += f" ({node.marks.total})"
        shape = f'(["{label}"])' if node.kind == "service" else f'["{label}"]'
        lines.append(f"  {ids[node.name]}{shape}")
    for edge in edges:
        if edge.source not in ids or edge.target not in ids:
            continue
        arrow = "-.->" if edge.relation == "depends_on" else "-->"
        lines.append(
            f"  {ids[edge.source]} {arrow}|{edge.relation.replace('_', ' ')}| {ids[edge.target]}"
        )
    lines += [
        "  classDef customer fill:#e8f0fb,stroke:#80868b",
        "  classDef provider fill:#e6f4ea,stroke:#80868b",
        "  classDef supplier fill:#fdf1e1,stroke:#80868b",
        "  classDef service fill:#ffffff,stroke:#80868b",
        "  classDef error stroke:#c5221f,stroke-width:3px",
        "  classDef warning stroke:#b06000,stroke-width:3px",
    ]
    by_class: dict[str, list[str]] = defaultdict(list)
    for node in nodes:
        by_class[node.role].append(ids[node.name])
        worst = node.marks.worst
        if worst is not None and worst.value in ("error", "warning"):
            by_class[worst.value].append(ids[node.name])
    for name in ("customer", "provider", "supplier", "service", "error", "warning"):
        if by_class[name]:
            lines.append(f"  class {','.join(by_class[name])} {name}")
    return "\n".join(lines) + "\n"


def to_graphml(nodes: Nodes, edges: Edges) -> str:
    """GraphML that ``networkx.read_graphml`` reads back to the same nodes and edges."""
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(to_networkx(nodes, edges), buffer, encoding="utf-8")
    return inert_xml(buffer.getvalue().decode("utf-8"))


def to_json(nodes: Nodes, edges: Edges) -> str:
    """networkx node-link JSON (``edges`` key)."""
    import networkx as nx

    data: dict[str, Any] = nx.node_link_data(to_networkx(nodes, edges), edges="edges")
    return json_text(data)


EXPORTS: dict[str, Callable[[Nodes, Edges], str]] = renderers(
    Command.GRAPH,
    {"dot": to_dot, "graphml": to_graphml, "json": to_json, "mermaid": to_mermaid},
)
