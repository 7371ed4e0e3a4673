"""Positions in a file: the only place where parser marks (0-based) become 1-based.

A finding names a *data path* into a file's data (``("services", 3,
"facility")``) through an `Anchor`; `usmctl.load.locate.SourceMap` turns
anchors into these positions. Plain types, importing nothing from usmctl.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

PathItem = str | int
DataPath = tuple[PathItem, ...]


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int

    @classmethod
    def from_mark(cls, mark: yaml.Mark) -> Position:
        """Convert a 0-based parser mark; the single conversion point."""
        return cls(mark.line + 1, mark.column + 1)

    @classmethod
    def at_offset(cls, text: str, offset: int) -> Position:
        """The position of the character at a 0-based offset into ``text``."""
        line = text.count("\n", 0, offset) + 1
        return cls(line, offset - text.rfind("\n", 0, offset))


START = Position(1, 1)


def format_path(path: DataPath) -> str:
    """Render a data path as ``services[3].facility.description``."""
    out: list[str] = []
    for item in path:
        if isinstance(item, int):
            out.append(f"[{item}]")
        elif out:
            out.append(f".{item}")
        else:
            out.append(item)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a finding points: a data path in a file, at the key or the value."""

    path: DataPath
    at_key: bool = False
