"""The source map: data paths in a file to 1-based positions (`usmctl.core.positions`).

The loader records exact marks for the problems it finds while parsing. Every
other finding names a *path* into a file's data (``("services", 3,
"facility")``); `SourceMap` turns paths into ``line:col``. The parse keeps where
each key and value starts (`usmctl.load.marks`), so locating costs the depth of
each path, not a second reading of the file. A USM-WIF file the JSON reader
read is located along each path only: the siblings on the way are skipped by
the C JSON decoder (`_json_scan`), not walked in Python. A file that failed to
parse, or JSON the decoder refuses, is located by one walk of its events
(`nodes`); all three give the same positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from usmctl.core.positions import START, Anchor, DataPath, Position
from usmctl.load.marks import Lines, Marks

_COMPLEX_KEY = "\0complex-key"
# Characters the YAML reader refuses raw and JSON allows in strings (U+007F,
# U+0080, U+FFFE, ...): to locate in a USM-WIF file, each becomes one space,
# so every column stays where it is.
_NOT_YAML_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _yaml_readable(text: str) -> str:
    """``text`` as the YAML reader can scan it for positions: each character it
    refuses raw and JSON allows becomes one space (columns stay put)."""
    if _NOT_YAML_PRINTABLE.search(text):
        return _NOT_YAML_PRINTABLE.sub(" ", text)
    return text


class SourceMap:
    """Resolves data paths of one file's first YAML/JSON document to positions:
    from the parse's ``marks`` when given, else from a walk of the text."""

    def __init__(self, text: str, marks: Marks | None = None) -> None:
        self._text = text
        self._marks = marks

    def locate_all(self, anchors: Iterable[Anchor]) -> dict[Anchor, Position]:
        """Positions for every anchor; a path that is absent falls back to its
        deepest existing ancestor (a missing field points at its parent)."""
        anchors = list(anchors)
        if self._marks is not None:
            lines = Lines(self._text)
            return {anchor: _from_marks(anchor, self._marks, lines) for anchor in anchors}
        wanted: set[DataPath] = set()
        for anchor in anchors:
            for depth in range(len(anchor.path) + 1):
                wanted.add(anchor.path[:depth])
        scanned = _json_scan(self._text, wanted) if _looks_like_json(self._text) else None
        values, keys = scanned if scanned is not None else self._scan(wanted)
        result: dict[Anchor, Position] = {}
        for anchor in anchors:
            result[anchor] = _resolve(anchor, values, keys)
        return result

    def _scan(
        self, wanted: set[DataPath]
    ) -> tuple[dict[DataPath, Position], dict[DataPath, Position]]:
        """Walk the parser events once, recording marks of wanted paths."""
        values: dict[DataPath, Position] = {}
        keys: dict[DataPath, Position] = {}
        for path, at_key, event in nodes(self._text):
            if path in wanted:
                if at_key:
                    keys[path] = Position.from_mark(event.start_mark)
                elif path not in values:
                    values[path] = Position.from_mark(event.start_mark)
        return values, keys


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_JSON_START = re.compile(r"[ \t\n\r]*[{\[]")


def _looks_like_json(text: str) -> bool:
    return _JSON_START.match(text) is not None


def _json_scan(
    text: str, wanted: set[DataPath]
) -> tuple[dict[DataPath, Position], dict[DataPath, Position]] | None:
    """The positions `_scan` gives, for a text that is one JSON value: only the
    containers on a wanted path are read here; every other value is skipped by
    the C decoder. None when the text is not JSON as Python reads it (YAML in
    flow style, JSON past the decoder's limits): the event walk locates it."""
    import json

    skip = json.JSONDecoder(strict=True).raw_decode

    def space(text: str, at: int = 0) -> int:
        """Where the JSON white space from ``at`` ends."""
        found = _JSON_SPACE.match(text, at)
        return at if found is None else found.end()

    values: dict[DataPath, int] = {}
    keys: dict[DataPath, int] = {}

    def value_end(path: DataPath, at: int) -> int:
        """Record ``path``'s value starting at ``at``; where the value ends."""
        if path not in values:
            values[path] = at  # a repeated key: its value where first written
        opening = text[at]
        if opening not in ("{", "["):
            return skip(text, at)[1]
        closing = "}" if opening == "{" else "]"
        at = space(text, at + 1)
        if text[at] == closing:
            return at + 1
        index = 0
        while True:
            if opening == "{":
                if text[at] != '"':
                    raise ValueError("a key")
                key, after = skip(text, at)
                child: DataPath = (*path, key)
                if child in wanted:
                    keys[child] = at  # a repeated key: where last written
                after = space(text, after)
                if text[after] != ":":
                    raise ValueError("a colon")
                at = space(text, after + 1)
            else:
                child = (*path, index)
                index += 1
            at = value_end(child, at) if child in wanted else skip(text, at)[1]
            at = space(text, at)
            if text[at] == closing:
                return at + 1
            if text[at] != ",":
                raise ValueError("a comma")
            at = space(text, at + 1)

    try:
        start = space(text)
        end = value_end((), start)
    except (ValueError, IndexError, RecursionError):  # JSONDecodeError is a ValueError
        return None
    if space(text, end) != len(text):
        return None  # more than one JSON value: YAML reads what follows
    lines = Lines(text)
    return (
        {path: lines.position(offset) for path, offset in values.items()},
        {path: lines.position(offset) for path, offset in keys.items()},
    )


def nodes(text: str) -> Iterator[tuple[DataPath, bool, Any]]:
    """Every node of the first document with its data path, in order: a
    mapping's scalar keys (``at_key``; a key's path is that of its value), and
    each value's first event (a scalar, an alias, or the start of a mapping or
    sequence). Up to the first syntax error: the loader reports it."""
    import yaml

    # start-up: PyYAML only when a finding is located (a warm run locates nothing)
    from usmctl.load.yamlio import make_parser

    parser = make_parser(_yaml_readable(text))
    # Each frame: [path, is_mapping, next_index_or_key, expecting_key]
    stack: list[list[object]] = []
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind in (yaml.StreamStartEvent, yaml.DocumentStartEvent):
                continue
            if kind in (yaml.DocumentEndEvent, yaml.StreamEndEvent):
                break
            if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                popped = stack.pop()
                if popped[0][-1:] != (_COMPLEX_KEY,):  # type: ignore[index]
                    _advance(stack)
                continue
            if stack and stack[-1][1] and stack[-1][3]:
                # A mapping key.
                frame = stack[-1]
                key = event.value if kind is yaml.ScalarEvent else None
                if key is not None:
                    yield (*_base(frame), key), True, event
                frame[2] = key
                frame[3] = False
                if kind in (yaml.MappingStartEvent, yaml.SequenceStartEvent):
                    # Complex keys are not part of any path we name.
                    stack.append(
                        [(*_base(frame), _COMPLEX_KEY), kind is yaml.MappingStartEvent, 0, True]
                    )
                continue
            path = _current_path(stack)
            if path is not None:
                yield path, False, event
            if kind is yaml.MappingStartEvent:
                stack.append([path if path is not None else ("\0",), True, None, True])
            elif kind is yaml.SequenceStartEvent:
                stack.append([path if path is not None else ("\0",), False, 0, False])
            else:
                _advance(stack)
    except yaml.YAMLError:
        pass  # positions found so far stand; the loader reported the error
    finally:
        parser.dispose()


def _base(frame: list[object]) -> DataPath:
    base = frame[0]
    assert isinstance(base, tuple)
    return base


def _current_path(stack: list[list[object]]) -> DataPath | None:
    if not stack:
        return ()
    frame = stack[-1]
    base = frame[0]
    assert isinstance(base, tuple)
    if frame[1]:
        key = frame[2]
        return (*base, key) if isinstance(key, str) else None
    index = frame[2]
    assert isinstance(index, int)
    return (*base, index)


def _advance(stack: list[list[object]]) -> None:
    """After a complete value: a mapping expects a key, a sequence the next index."""
    if not stack:
        return
    frame = stack[-1]
    if frame[1]:
        frame[3] = True
    else:
        index = frame[2]
        assert isinstance(index, int)
        frame[2] = index + 1


def _resolve(
    anchor: Anchor, values: dict[DataPath, Position], keys: dict[DataPath, Position]
) -> Position:
    path = anchor.path
    if anchor.at_key and path in keys:
        return keys[path]
    if path in values:
        return values[path]
    for depth in range(len(path) - 1, -1, -1):
        prefix = path[:depth]
        if prefix in keys:
            return keys[prefix]
        if prefix in values:
            return values[prefix]
    return START


def _from_marks(anchor: Anchor, marks: Marks, lines: Lines) -> Position:
    """`_resolve` over the parse's marks: the same fallbacks, looked up per path."""
    path = anchor.path
    if anchor.at_key:
        found = marks.key(path)
        if found is not None:
            return lines.position(found)
    for depth in range(len(path), -1, -1):
        prefix = path[:depth]
        if depth < len(path):
            found = marks.key(prefix)
            if found is not None:
                return lines.position(found)
        found = marks.value(prefix)
        if found is not None:
            return lines.position(found)
    return START


def located(
    anchors: Iterable[Anchor], values: dict[DataPath, Position], keys: dict[DataPath, Position]
) -> dict[Anchor, Position]:
    """Each anchor's position, as `SourceMap.locate_all` gives it, from the
    positions a walk of `nodes` recorded for the paths `prefixes` names (for a
    caller that reads more in the same walk: `usmctl.load.edits`)."""
    return {anchor: _resolve(anchor, values, keys) for anchor in anchors}


def prefixes(anchors: Iterable[Anchor]) -> set[DataPath]:
    """Every path an anchor may fall back to: its own and its ancestors'."""
    return {anchor.path[:depth] for anchor in anchors for depth in range(len(anchor.path) + 1)}
