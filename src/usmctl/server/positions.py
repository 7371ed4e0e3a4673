"""What is at a position of a document: the one resolver every request uses.

`resolve` answers, for a 0-based line and column of a checked file: the
scalar under it (a key or a value, with its data path and range), the
section and entity whose declaration holds it and the path below that
entity, the id reference it is (`Link`) or the entity whose id it declares,
or a rule code in a comment (``# usmctl: ignore[USM404]``). Hover, go to
definition and find references read it. Completion does not: the text it
completes is being typed and often does not parse, so it reads the lines
around the cursor instead (`usmctl.check.completion`).

Positions here are 0-based lines and character columns, as the YAML parser
counts them; `usmctl.server.protocol` converts to the client's units.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import yaml

from usmctl.core.positions import DataPath
from usmctl.load.locate import nodes
from usmctl.model.entities import Entity
from usmctl.server.links import Link, Links

Point = tuple[int, int]  # 0-based line, column
# A word in a comment that may be a rule code or name (``USM404``, ``ACME001``,
# ``service-without-facility``).
_WORD = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Span:
    """A scalar of the document: a mapping key or a value."""

    path: DataPath  # a key's path is the path of the value it names
    at_key: bool
    start: Point
    end: Point  # exclusive
    text: str

    def holds(self, point: Point) -> bool:
        """Whether the cursor at ``point`` touches it (its end too)."""
        return self.start <= point <= self.end


class Spans:
    """Every scalar of a file's first document, in order (one parser pass)."""

    def __init__(self, text: str) -> None:
        self.items = _scan(text)
        self._starts = [span.start for span in self.items]
        self._keys = {span.path: span for span in self.items if span.at_key}
        self._values = {span.path: span for span in self.items if not span.at_key}
        self._by_start = {span.start: span for span in self.items}

    def at(self, point: Point) -> Span | None:
        """The scalar under the cursor, if any."""
        index = bisect.bisect_right(self._starts, point) - 1
        if index >= 0 and self.items[index].holds(point):
            return self.items[index]
        return None

    def starting_at(self, point: Point) -> Span | None:
        """The scalar that starts at ``point`` (where findings point)."""
        return self._by_start.get(point)

    def of(self, path: DataPath, *, at_key: bool = False) -> Span | None:
        """The key or the value at a data path."""
        return (self._keys if at_key else self._values).get(path)


class SpanCache:
    """`Spans` per file, kept while the file's text is unchanged."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[str, Spans]] = {}

    def get(self, file: str, text: str) -> Spans:
        """The spans of ``file`` whose text is ``text``."""
        found = self._cache.get(file)
        if found is not None and (found[0] is text or found[0] == text):
            return found[1]
        spans = Spans(text)
        self._cache[file] = (text, spans)
        return spans


@dataclass(frozen=True)
class Here:
    """What is at one position of one file."""

    file: str  # as findings name it
    point: Point
    span: Span | None = None  # the key or value under the cursor
    section: str | None = None  # ``services``; ``workflows`` in a USM-WIF file
    entity: Entity | None = None  # whose declaration holds the position
    fields: DataPath = ()  # the data path below that entity, as written
    link: Link | None = None  # the id reference under the cursor
    declared: Entity | None = None  # the entity whose id is under the cursor
    rule: tuple[str, Point, Point] | None = None  # a word in a comment, its range

    @property
    def target(self) -> Entity | None:
        """The entity the cursor names: a reference's target or a declared id."""
        if self.link is not None:
            return self.link.target
        return self.declared


def resolve(*, file: str, text: str, point: Point, spans: Spans, links: Links, wif: bool) -> Here:
    """What is at ``point`` of ``file`` (whose text, spans and links are given)."""
    span = spans.at(point)
    if span is None:
        return Here(file, point, rule=_comment_word(text, point))
    path = span.path
    entity = links.entity_at(file, path)
    section = "workflows" if wif else (str(path[0]) if path else None)
    fields: DataPath = ()
    if entity is not None:
        fields = path[len(entity.origin.path) :]
    elif not wif and len(path) > 2:  # an entity the model left out: its section still says
        fields = path[2:]
    link = links.by_place.get((file, path))
    if link is not None and link.at_key != span.at_key:
        link = None
    declared = None if span.at_key else links.declarations.get((file, path))
    return Here(file, point, span, section, entity, fields, link, declared)


def _comment_word(text: str, point: Point) -> tuple[str, Point, Point] | None:
    """The word under the cursor when it is inside a ``#`` comment."""
    line_number, column = point
    lines = text.splitlines()
    if line_number >= len(lines):
        return None
    line = lines[line_number]
    hash_at = line.find("#")
    if hash_at < 0 or column <= hash_at:
        return None
    for match in _WORD.finditer(line, hash_at):
        if match.start() <= column <= match.end():
            return match.group(), (line_number, match.start()), (line_number, match.end())
    return None


def _scan(text: str) -> list[Span]:
    """Every scalar, key or value, with its data path (one parser pass)."""
    return [
        Span(path, at_key, _point(event.start_mark), _point(event.end_mark), event.value)
        for path, at_key, event in nodes(text)
        if type(event) is yaml.ScalarEvent
    ]


def _point(mark: Any) -> Point:
    return mark.line, mark.column
