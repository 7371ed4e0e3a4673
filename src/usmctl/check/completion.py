"""Completion: what may be written at a cursor in an architecture file.

`context_at` reads the YAML around the cursor, tolerantly: the text is being
typed (``provider: `` with nothing after it, half a key, an unclosed ``{`` or
``[``), so it walks back up the lines by indentation instead of parsing.
`candidates` answers from the architecture's `Indexes` and the active
catalogue: ids where a reference is expected, of the kinds the field accepts
(the reference table, `usmctl.rules.references`), enum values (process names,
workflow types, RACI letters, kinds, ...), and the keys a mapping may still
take (the model's fields). YAML architecture files only; USM-WIF (JSON) files
name their keys otherwise. Lines and columns are 1-based, in characters.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from usmctl.model.architecture import SINGULAR
from usmctl.model.catalogue import Catalogue
from usmctl.model.entities import SECTIONS, ArchitectureFile, Entity
from usmctl.model.usm import PROCESSES, PROVIDER_KINDS
from usmctl.rules.helpers import PROCESS_NAME_FIELDS
from usmctl.rules.indexes import Indexes
from usmctl.rules.references import ANY, ITEM, MIXED, PROCESS, TABLE, Row, kind_of

CandidateKind = Literal["id", "enum", "key"]

# profiles[].of names a provider: USM103 checks it (the reference table
# leaves its kind open so that USM007 does not report it twice).
_KINDS_CHECKED_ELSEWHERE: dict[tuple[str, ...], frozenset[str] | None] = {
    ("profiles", "of"): PROVIDER_KINDS
}
_WORKFLOW_TYPE = ("workflows", "type")


@dataclass(frozen=True)
class Context:
    """Where the cursor is, as completion needs it.

    ``path`` is the data path from the top of the file, with ``[]`` for any
    list item (``("services", "[]", "provider")``); ``at_key``: a key of the
    mapping at ``path`` is being written, else its value. ``prefix`` is what is
    typed of the word so far, starting at column ``start``.
    """

    path: tuple[str, ...]
    at_key: bool
    prefix: str = ""
    start: int = 1
    present: frozenset[str] = frozenset()  # keys the mapping has already
    entity: dict[str, str] = field(default_factory=dict)  # the entity's scalars written

    @property
    def section(self) -> str | None:
        """The section being edited, if any."""
        return self.path[0] if self.path else None


@dataclass(frozen=True, slots=True)
class Candidate:
    """One completion: what to write, what it is, and a word about it."""

    label: str
    kind: CandidateKind
    detail: str


# -- the context at a cursor ---------------------------------------------------

_KEY = re.compile(r"""(?P<key>[A-Za-z0-9_$][\w.$-]*|"[^"]*"|'[^']*') *:(?: +|$)""")
_DASHES = re.compile(r"(?:-(?: +|$))+")
_WORD = re.compile(r"""["']?([\w.:-]*)$""")


@dataclass(frozen=True, slots=True)
class _Line:
    """A line's block structure: its ``-`` indicators, then a key or a value."""

    dashes: tuple[int, ...]  # 0-based columns
    column: int  # where its key or value starts
    key: str | None
    value: str  # what follows the key (or the whole value)


def _parse(line: str) -> _Line | None:
    """A line's structure, or None for a blank or comment line."""
    body = line.rstrip()
    stripped = body.lstrip(" ")
    if not stripped or stripped.startswith("#"):
        return None
    column = len(body) - len(stripped)
    dashes: list[int] = []
    run = _DASHES.match(body, column)
    if run is not None:
        for offset, char in enumerate(run.group(), run.start()):
            if char == "-":
                dashes.append(offset)
        column = run.end()
    key = _KEY.match(body, column)
    if key is None:
        return _Line(tuple(dashes), column, None, body[column:])
    name = key.group("key").strip("\"'")
    return _Line(tuple(dashes), column, name, body[key.end() :])


def context_at(text: str, line: int, column: int) -> Context | None:
    """What is being written at ``line:column`` (1-based) of a YAML file's
    text, complete or not; None where nothing is completed (a comment, past
    the text)."""
    lines = text.splitlines()
    if line > len(lines) + 1 or line < 1:
        return None
    current = lines[line - 1] if line <= len(lines) else ""
    before = current[: column - 1]
    if _in_comment(before):
        return None
    word = _WORD.search(before)
    prefix = word.group(1) if word else ""
    parsed = _parse(before + "x")  # a stand-in for the word, so `key: ` parses
    if parsed is None:
        return None
    own: list[str] = [ITEM] * len(parsed.dashes)
    at_key = parsed.key is None
    if parsed.key is not None:
        own.append(parsed.key)
    flow = _flow(parsed.value[:-1])
    present: set[str] = set()
    written: dict[str, str] = {}
    if flow is not None:
        suffix, at_key, present, written = flow
        own.extend(suffix)
    node_column, item = (parsed.dashes[0], True) if parsed.dashes else (parsed.column, False)
    walked = _walk_up(lines, line - 1, node_column, item=item)
    if not own:  # a key of a block mapping: the keys beside it count, below it too
        present = walked.present | _keys_below(lines, line, node_column)
    entity = walked.scalars.get(2, {})
    if flow is not None and len(walked.path) + len(parsed.dashes) == 2:
        entity = {**entity, **written}  # the entity is the flow mapping: `- {id: x, `
    path = (*walked.path, *own)
    return Context(path, at_key, prefix, column - len(prefix), frozenset(present), entity)


def _in_comment(before: str) -> bool:
    """Whether the end of ``before`` is inside a ``#`` comment."""
    quote: str | None = None
    for index, char in enumerate(before):
        if quote is not None:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or before[index - 1] in " \t"):
            return True
    return False


def _flow(rest: str) -> tuple[list[str], bool, set[str], dict[str, str]] | None:
    """Inside an unclosed ``{`` or ``[`` on the line: the path below it, whether
    a key is written, the keys and scalars of the innermost flow mapping."""
    text = rest.strip()
    if not text.startswith(("{", "[")):
        return None
    stack: list[tuple[str, list[str], dict[str, str]]] = []  # bracket, path, scalars
    segment = ""
    path: list[str] = []
    quote: str | None = None
    for char in text:
        if quote is not None:
            segment += char
            quote = None if char == quote else quote
            continue
        if char in "\"'":
            quote = char
            segment += char
        elif char in "{[":
            key = _segment_key(segment)
            if key is not None and stack and stack[-1][0] == "{":
                path.append(key)
            stack.append((char, [], {}))
            if char == "[":
                path.append(ITEM)
            segment = ""
        elif char in "}]":
            if not stack:
                return None
            bracket, _keys, _scalars = stack.pop()
            if bracket == "[":
                path.pop()
            if stack and stack[-1][0] == "{" and path and path[-1] != ITEM:
                path.pop()
            segment = ""
        elif char == ",":
            _note(stack, segment)
            segment = ""
        else:
            segment += char
    if not stack:
        return None
    bracket, keys, scalars = stack[-1]
    if bracket == "[":
        return path, False, set(), {}
    key = _segment_key(segment)
    if key is None:
        return path, True, set(keys), scalars
    return [*path, key], False, set(keys), scalars


def _segment_key(segment: str) -> str | None:
    found = _KEY.match(segment.strip())
    return None if found is None else found.group("key").strip("\"'")


def _note(stack: list[tuple[str, list[str], dict[str, str]]], segment: str) -> None:
    """Record a finished ``key: value`` of the innermost flow mapping."""
    if not stack or stack[-1][0] != "{":
        return
    found = _KEY.match(segment.strip())
    if found is not None:
        key = found.group("key").strip("\"'")
        stack[-1][1].append(key)
        stack[-1][2][key] = segment.strip()[found.end() :].strip().strip("\"'")


@dataclass
class _Walked:
    path: list[str]
    present: set[str]  # keys of the innermost block mapping above the cursor
    scalars: dict[int, dict[str, str]]  # depth of a mapping -> its scalars seen


def _walk_up(lines: list[str], index: int, column: int, *, item: bool) -> _Walked:
    """The path of the block collection holding a node at ``column`` of line
    ``index`` (0-based; ``item``: the node is a ``-`` item there), from the
    lines above it by indentation."""
    reversed_path: list[str] = []
    present: set[str] = set()
    seen: list[tuple[int, str, str]] = []  # (appended so far, key, value)
    limit, in_item = column, item
    for number in range(index - 1, -1, -1):
        line = lines[number]
        if len(line) - len(line.lstrip(" ")) > limit:
            continue  # deeper than anything holding us (read cheaply: most lines are)
        parsed = _parse(line)
        if parsed is None:
            continue
        first = parsed.dashes[0] if parsed.dashes else parsed.column
        if first > limit:
            continue
        elements: list[tuple[int, str | None]] = [(dash, None) for dash in parsed.dashes]
        if parsed.key is not None:
            elements.append((parsed.column, parsed.key))
        for position, key in reversed(elements):
            if position > limit:
                continue
            if key is None:
                if position < limit:  # the dash of the item holding us
                    reversed_path.append(ITEM)
                    limit, in_item = position, True
                continue
            if position == limit and not in_item:  # a key beside ours
                value = parsed.value.strip().strip("\"'")
                if not reversed_path:
                    present.add(key)
                seen.append((len(reversed_path), key, value))
                continue
            reversed_path.append(key)  # the key whose value holds us
            limit, in_item = position, False
        if limit == 0 and reversed_path and reversed_path[-1] != ITEM:
            break
    path = reversed_path[::-1]
    scalars: dict[int, dict[str, str]] = {}
    for appended, key, value in seen:
        scalars.setdefault(len(path) - appended, {}).setdefault(key, value)
    return _Walked(path, present, scalars)


def _keys_below(lines: list[str], after: int, column: int) -> set[str]:
    """Keys at ``column`` of the same block mapping, below line ``after``."""
    keys: set[str] = set()
    for line in lines[after:]:
        parsed = _parse(line)
        if parsed is None:
            continue
        first = parsed.dashes[0] if parsed.dashes else parsed.column
        if first < column:
            break
        if first == column and not parsed.dashes and parsed.key is not None:
            keys.add(parsed.key)
    return keys


# -- the candidates ------------------------------------------------------------


def candidates(context: Context, *, indexes: Indexes, catalogue: Catalogue) -> list[Candidate]:
    """What may be written in ``context``, starting with its prefix."""
    found = list(_all(context, indexes, catalogue))
    prefix = context.prefix.lower()
    seen: set[str] = set()
    out: list[Candidate] = []
    for candidate in found:
        if candidate.label.lower().startswith(prefix) and candidate.label not in seen:
            seen.add(candidate.label)
            out.append(candidate)
    return out


def _all(context: Context, indexes: Indexes, catalogue: Catalogue) -> Iterator[Candidate]:
    path = context.path
    annotation = _annotation(path)
    if annotation is None:
        return
    if context.at_key and (_is_model(annotation) or typing.get_origin(annotation) in (dict, list)):
        if _is_model(annotation):
            yield from _keys(annotation, context.present)
        elif typing.get_origin(annotation) is dict:  # a RACI table: operators
            yield from _operators(context, indexes)
        elif typing.get_origin(annotation) is list:  # a new item
            item = typing.get_args(annotation)[0]
            if _is_model(item):
                yield from _keys(item, frozenset())
            else:
                yield from _values((*path, ITEM), _unwrap(item), context, indexes, catalogue)
        return
    if typing.get_origin(annotation) is list:
        path, annotation = (*path, ITEM), _unwrap(typing.get_args(annotation)[0])
    yield from _values(path, annotation, context, indexes, catalogue)


def _values(
    path: tuple[str, ...],
    annotation: Any,
    context: Context,
    indexes: Indexes,
    catalogue: Catalogue,
) -> Iterator[Candidate]:
    if typing.get_origin(annotation) is Literal:
        for value in typing.get_args(annotation):
            yield Candidate(str(value), "enum", "")
        return
    if annotation is bool:
        yield Candidate("true", "enum", "")
        yield Candidate("false", "enum", "")
        return
    if len(path) < 2:
        return
    section, below = path[0], path[2:]
    if (section, *below) in PROCESS_NAME_FIELDS:
        for process in PROCESSES:
            yield Candidate(process, "enum", "USM process")
    if (section, *below) == _WORKFLOW_TYPE:
        for type_id in catalogue.ids:
            workflow_type = catalogue.get(type_id)
            chain = " > ".join(workflow_type.chain) if workflow_type is not None else ""
            yield Candidate(type_id, "enum", f"workflow type: {chain}")
    for row in TABLE:
        if row.section == section and row.pattern == below:
            yield from _ids(row, context, indexes)


def _ids(row: Row, context: Context, indexes: Indexes) -> Iterator[Candidate]:
    """The ids a reference field accepts, each with what it is and where."""
    arch = indexes.arch
    target = row.target_section
    own = context.entity.get("id") if target == row.section else None
    kinds = _KINDS_CHECKED_ELSEWHERE.get((row.section, *row.pattern), row.kinds)
    if target == "profiles":
        for profile in arch.profiles:
            if kinds is None or profile.kind in kinds:
                yield _id_candidate(profile.id, profile)
        return
    if target in (ANY, PROCESS) or target in MIXED:
        for entry in arch.processes:
            yield Candidate(entry.key, "id", f"process entry ({entry.origin.file})")
        if target == PROCESS:
            return
        sections = SECTIONS if target == ANY else MIXED[target][0]
        for section in sections:
            if target == ANY or SINGULAR[section] in (row.kinds or ()):
                for entity in arch.section(section):
                    if section != "processes":
                        yield _id_candidate(str(getattr(entity, "id", "")), entity)
        return
    for entity in arch.section(target):
        entity_id = str(getattr(entity, "id", ""))
        if entity_id != own:  # a service does not depend on itself
            yield _id_candidate(entity_id, entity)


def _id_candidate(entity_id: str, entity: Entity) -> Candidate:
    name = getattr(entity, "name", None)
    shown = f"{kind_of(entity)} {name}" if isinstance(name, str) else kind_of(entity)
    return Candidate(entity_id, "id", f"{shown} ({entity.origin.file})")


def _operators(context: Context, indexes: Indexes) -> Iterator[Candidate]:
    """The operators a RACI table may name: those of the workflow's provider
    (all operators while it is not known)."""
    provider = context.entity.get("provider")
    workflow = indexes.workflow(context.entity.get("id"))
    if workflow is not None and workflow.provider is not None:
        provider = workflow.provider
    for profile in indexes.arch.profiles:
        mine = provider is None or profile.of == provider
        if profile.kind == "operator" and mine and profile.id not in context.present:
            yield _id_candidate(profile.id, profile)


def _keys(model: type[BaseModel], present: frozenset[str]) -> Iterator[Candidate]:
    for name, info in model.model_fields.items():
        if name not in present:
            yield Candidate(name, "key", info.description or "")


def _annotation(path: tuple[str, ...]) -> Any:
    """The model type at a path from the top of a file, or None where the
    model has no such field."""
    current: Any = ArchitectureFile
    for element in path:
        current = _unwrap(current)
        origin = typing.get_origin(current)
        if element == ITEM:
            if origin is not list:
                return None
            current = typing.get_args(current)[0]
        elif _is_model(current):
            info = current.model_fields.get(element)
            if info is None:
                return None
            current = info.annotation
        elif origin is dict:
            current = typing.get_args(current)[1]
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """``X`` of ``X | None`` and of ``Annotated[X, ...]``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)
