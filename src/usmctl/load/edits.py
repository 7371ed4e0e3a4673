"""Planned fixes to exact edits: a `FixPlan` names data paths, this finds their
text (`usmctl.core.fixes`).

One walk of the parser events of a file (`usmctl.load.locate.nodes`) records
the scalars and mappings the plans name, so a file's fixes cost one pass
however many there are, and files without a fixable finding none. A plan
that cannot be resolved exactly (a value with an anchor or a tag, a flow
mapping to add keys to, a multi-line scalar) gives no fix: a fix is offered
only where its edit is certain.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from usmctl.core.fixes import Action, Edit, Fix, FixPlan, PlannedEdit
from usmctl.core.positions import Anchor, DataPath, Position
from usmctl.load.locate import located, nodes, prefixes

# How a YAML null is written (an empty value is one too).
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(frozen=True, slots=True)
class _Node:
    """A key or value event as the edits need it."""

    start: Position
    end: Position
    scalar: bool  # a scalar; otherwise the start of a mapping or sequence
    value: str | None
    style: str | None  # None: plain; "'", '"', "|" or ">" for a scalar
    bare: bool  # no anchor and no tag: the text is the scalar alone
    block: bool  # a block mapping (for a mapping start)


@dataclass
class _Found:
    """The parser events of the wanted paths (read into `_Node` on use)."""

    keys: dict[DataPath, Any]
    values: dict[DataPath, Any]
    first_keys: dict[DataPath, Any]

    def key(self, path: DataPath) -> _Node | None:
        event = self.keys.get(path)
        return None if event is None else _node(event)

    def value(self, path: DataPath) -> _Node | None:
        event = self.values.get(path)
        return None if event is None else _node(event)


def locate_and_fix(
    text: str, anchors: Iterable[Anchor], plans: Iterable[tuple[FixPlan, Anchor | Position]]
) -> tuple[dict[Anchor, Position], list[Fix | None]]:
    """In one walk of the file: each anchor's position (as
    `usmctl.load.locate.SourceMap.locate_all`), and each plan as a `Fix`, or
    None where its edits cannot be made exactly. A plan comes with where its
    finding is (an anchor, or a position the parser gave)."""
    plans = list(plans)
    anchors = {*anchors, *(at for _plan, at in plans if isinstance(at, Anchor))}
    wanted = prefixes(anchors)
    mappings: set[DataPath] = set()
    for plan, _at in plans:
        for planned in plan.edits:
            wanted.add(planned.anchor.path)
            if planned.action is Action.INSERT:
                mappings.add(planned.anchor.path)
                wanted.add((*planned.anchor.path, _first_key(planned.text)))
    found = _scan(text, wanted, mappings)
    positions = located(
        anchors,
        {path: Position.from_mark(event.start_mark) for path, event in found.values.items()},
        {path: Position.from_mark(event.start_mark) for path, event in found.keys.items()},
    )
    lines = _Lines(text)
    fixes: list[Fix | None] = []
    for plan, at in plans:
        where = positions[at] if isinstance(at, Anchor) else at
        edits = [_edit(planned, where, found, lines) for planned in plan.edits]
        exact = [edit for edit in edits if edit is not None]
        fixes.append(Fix(plan.title, tuple(exact)) if len(exact) == len(edits) else None)
    return positions, fixes


def _scan(text: str, wanted: set[DataPath], mappings: set[DataPath]) -> _Found:
    """The wanted nodes (a key's last event, a value's first, as the source map
    records them) and the first key of each wanted mapping."""
    found = _Found({}, {}, {})
    for path, at_key, event in nodes(text):
        if at_key and path[:-1] in mappings and path[:-1] not in found.first_keys:
            found.first_keys[path[:-1]] = event
        if path not in wanted:
            continue
        if at_key:
            found.keys[path] = event
        elif path not in found.values:
            found.values[path] = event
    return found


def _node(event: Any) -> _Node:
    scalar = hasattr(event, "style") and hasattr(event, "value")
    return _Node(
        start=Position.from_mark(event.start_mark),
        end=Position.from_mark(event.end_mark),
        scalar=scalar,
        value=event.value if scalar else None,
        style=(event.style or None) if scalar else None,
        bare=getattr(event, "anchor", None) is None and getattr(event, "tag", None) is None,
        block=not scalar and getattr(event, "flow_style", None) is False,
    )


def _edit(planned: PlannedEdit, at: Position, found: _Found, lines: _Lines) -> Edit | None:
    path = planned.anchor.path
    if planned.action is Action.INSERT:
        return _insert(path, planned.text, found, lines)
    if planned.action is Action.QUOTE:
        node = next(
            (
                candidate
                for candidate in (found.key(path), found.value(path))
                if candidate is not None and candidate.start == at
            ),
            None,
        )
        if node is None or node.style is not None or not _single_line(node):
            return None
        written = lines[node.start.line - 1][node.start.column - 1 : node.end.column - 1]
        return _replace(node, _double_quoted(written))
    node = found.key(path) if planned.anchor.at_key else found.value(path)
    if node is None or not _single_line(node) or node.value is None:
        return None
    return _replace(node, _scalar_text(planned.text, node))


def _single_line(node: _Node) -> bool:
    return node.scalar and node.bare and node.start.line == node.end.line


def _replace(node: _Node, new_text: str) -> Edit:
    return Edit(node.start.line, node.start.column, node.end.line, node.end.column, new_text)


def _scalar_text(value: str, node: _Node) -> str:
    """``value`` written as the scalar it replaces was: in its quotes, or plain
    when it reads as text to both YAML versions."""
    # start-up: PyYAML only when a fix is resolved (a warm run resolves none)
    from usmctl.load.yamlio import reads_as_text

    if node.style == "'":
        return "'" + value.replace("'", "''") + "'"
    plain = node.style is None and reads_as_text(value)
    if plain and (":" not in value or ":" in (node.value or "")):
        return value
    return _double_quoted(value)


def _double_quoted(text: str) -> str:
    """``text`` as a double-quoted scalar (YAML's and JSON's)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _insert(path: DataPath, text: str, found: _Found, lines: _Lines) -> Edit | None:
    """``text`` (``key:`` and its indented lines) as the last entry of the block
    mapping at ``path``; a ``key:`` already there with a null value gets the
    rest of ``text`` as its value instead."""
    mapping = found.value(path)
    first_event = found.first_keys.get(path)
    first = None if first_event is None else _node(first_event)
    if mapping is None or not mapping.block or first is None or not text:
        return None
    head, *rest = text.split("\n")
    key_path = (*path, _first_key(text))
    existing = found.key(key_path)
    if existing is not None:
        value = found.value(key_path)
        if (
            value is None
            or not _single_line(value)
            or value.style is not None
            or value.value not in _NULLS
            or value.start.line != existing.end.line
            or head != f"{_first_key(text)}:"
        ):
            return None  # the key holds something: nothing to add safely
        indent = " " * (existing.start.column - 1)
        body = "".join(f"{lines.newline}{indent}{line}" for line in rest)
        return Edit(
            existing.end.line, existing.end.column, value.end.line, value.end.column, ":" + body
        )
    indent = " " * (first.start.column - 1)
    last = _last_line(lines, first.start.line, first.start.column - 1)
    end = len(lines[last - 1]) + 1
    added = "".join(f"{lines.newline}{indent}{line}" for line in text.split("\n"))
    return Edit(last, end, last, end, added)


def _last_line(lines: list[str], first: int, column: int) -> int:
    """The last line (1-based) of the block mapping whose keys start at
    ``column`` on line ``first``: the lines after it indented at least as far
    belong to it; blank and comment lines do only when more follows."""
    last = first
    for number in range(first + 1, len(lines) + 1):
        line = lines[number - 1]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if len(line) - len(stripped) < column:
            break
        last = number
    return last


def _first_key(text: str) -> str:
    return text.split("\n", 1)[0].rstrip(":").strip()


class _Lines(list[str]):
    """The file's lines without their breaks, and the break it uses (an edit
    adds lines with it). `str.splitlines` also breaks at form feeds and a few
    other controls, which a file that parsed cannot hold raw (YAML and JSON
    refuse them), so its lines are the parser's."""

    def __init__(self, text: str) -> None:
        super().__init__(text.splitlines())
        first = text.find("\n")
        self.newline = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
