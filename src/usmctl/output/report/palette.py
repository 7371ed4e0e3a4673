"""Colours shared by the SVG picture, the HTML legend and the DOT export."""

from __future__ import annotations

ROLE_FILLS: dict[str, str] = {
    "customer": "#e8f0fb",
    "provider": "#e6f4ea",
    "supplier": "#fdf1e1",
    "service": "#ffffff",
}
MARK_COLOURS: dict[str, str] = {"error": "#c5221f", "warning": "#b06000", "info": "#1a73e8"}
EDGE_COLOUR = "#9aa0a6"
DEPENDENCY_COLOUR = "#7b1fa2"
BORDER_COLOUR = "#80868b"
