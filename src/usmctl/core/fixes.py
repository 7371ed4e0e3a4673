"""Fixes: the one safe edit a rule knows for some findings.

A rule states its fix against the data (`FixPlan`: replace the node at a data
path, quote it, or add keys to the mapping there); the engine resolves the
plan against the file's text into exact `Edit` ranges (`usmctl.load.edits`),
as it locates the finding. The language server offers a finding's `Fix` as a
code action; `apply` applies edits to a text. Positions are 1-based lines and
character columns, like findings'; an edit's end is exclusive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from usmctl.core.positions import Anchor, DataPath


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace the text from ``line:column`` up to (not including)
    ``end_line:end_column`` by ``new_text``; an insertion when both are equal."""

    line: int
    column: int
    end_line: int
    end_column: int
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A finding's safe fix: what a code action shows, and its edits."""

    title: str
    edits: tuple[Edit, ...]


class Action(StrEnum):
    """What a planned edit does to the node at its anchor."""

    REPLACE = "replace"  # the scalar (its key with ``at_key``) becomes ``text``
    QUOTE = "quote"  # the plain scalar starting at the finding is quoted
    INSERT = "insert"  # ``text`` (``key: ...`` lines) is added to the mapping


@dataclass(frozen=True, slots=True)
class PlannedEdit:
    """An edit stated against the data, resolved once positions are known."""

    anchor: Anchor
    action: Action
    text: str = ""


@dataclass(frozen=True, slots=True)
class FixPlan:
    """A fix as a rule states it: a title and edits against the data."""

    title: str
    edits: tuple[PlannedEdit, ...]


def replacing(anchor: Anchor, text: str, *, was: str) -> FixPlan:
    """Replace the scalar at ``anchor`` (``was``, for the title) by ``text``."""
    return FixPlan(f'Replace "{was}" by "{text}"', (PlannedEdit(anchor, Action.REPLACE, text),))


def quoting(path: DataPath) -> FixPlan:
    """Quote the plain scalar at ``path`` (its key or its value: the one its
    finding points at), so YAML 1.1 and 1.2 both read it as text."""
    return FixPlan(
        "Quote it (text to YAML 1.1 and 1.2 alike)", (PlannedEdit(Anchor(path), Action.QUOTE),)
    )


def inserting(anchor: Anchor, text: str, *, title: str) -> FixPlan:
    """Add ``text`` (``key:`` and its indented lines) to the mapping at ``anchor``."""
    return FixPlan(title, (PlannedEdit(anchor, Action.INSERT, text),))


# The line breaks YAML readers (PyYAML, libyaml) count, whose marks positions are.
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def line_starts(text: str) -> list[int]:
    """The offset of the first character of each line (line 1 first)."""
    return [0, *(match.end() for match in _BREAK.finditer(text))]


def offset(text: str, starts: list[int], line: int, column: int) -> int:
    """The 0-based offset of a 1-based position; ValueError outside the text
    (a line's end, before its break, is inside)."""
    if not 1 <= line <= len(starts) or column < 1:
        raise ValueError(f"position {line}:{column} is outside the text")
    start = starts[line - 1]
    end = len(text)
    if line < len(starts):  # the line's end is where its break starts
        end = starts[line] - (2 if text[starts[line] - 2 : starts[line]] == "\r\n" else 1)
    if start + column - 1 > end:
        raise ValueError(f"position {line}:{column} is outside the text")
    return start + column - 1


def apply(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with ``edits`` applied (all against the original text);
    ValueError when two edits overlap or one lies outside the text."""
    starts = line_starts(text)
    spans = sorted(
        (
            offset(text, starts, edit.line, edit.column),
            offset(text, starts, edit.end_line, edit.end_column),
            edit.new_text,
        )
        for edit in edits
    )
    out: list[str] = []
    done = 0
    for begin, end, new_text in spans:
        if begin < done or end < begin:
            raise ValueError("edits overlap or end before they start")
        out.append(text[done:begin])
        out.append(new_text)
        done = end
    out.append(text[done:])
    return "".join(out)
