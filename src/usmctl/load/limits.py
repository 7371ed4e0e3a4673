"""What parsing is bounded by and what it reports, without importing PyYAML.

`usmctl.load.yamlio` parses; these plain types are also what settings, the cache
and the loader name at import time, and a warm ``validate`` (findings from
the cache) never parses: keeping them here keeps PyYAML's 30 ms import off
that run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from usmctl.core.positions import DataPath, Position


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input found while parsing."""

    code: str
    message: str
    position: Position
    path: DataPath = ()


# Longer number texts are refused (YAML and JSON alike): Python's int() and str()
# of huge integers are slow (quadratic) or raise, and no architecture needs a
# 1,000-digit number.
MAX_NUMBER_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep hostile input cheap (docs/format.md)."""

    max_depth: int = 100
    max_alias_nodes: int = 100_000
    # Characters of text (keys and scalars) that aliases expand to: a long
    # value repeated by aliases costs what a file of that size costs.
    max_alias_chars: int = 1_000_000
    max_file_bytes: int = 20 * 1024 * 1024

    def __post_init__(self) -> None:
        for name in ("max_depth", "max_alias_nodes", "max_alias_chars", "max_file_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


def type_name(value: Any) -> str:
    """How messages name a value's type: ``a boolean``, ``a list``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a string"
