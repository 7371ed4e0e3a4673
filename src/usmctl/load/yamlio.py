"""Parse YAML/JSON text into plain data, safely, in one pass over parser events.

We do not use PyYAML's constructors: building the data ourselves from the
(libyaml) event stream lets one iterative loop detect duplicate keys with both
positions, refuse object-constructing tags, bound alias expansion and nesting
depth without recursion, and keep scalar types exactly as YAML 1.1 resolves
them (so ``on`` stays a boolean and the model reports it; docs/format.md).
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import ScalarNode, SequenceNode
from yaml.resolver import Resolver

from usmctl.core.codes import (
    AMBIGUOUS_SCALAR,
    DUPLICATE_KEY,
    SCHEMA_VIOLATION,
    UNSAFE_YAML,
    YAML_SYNTAX,
)
from usmctl.core.errors import ConfigError
from usmctl.core.findings import quote
from usmctl.core.positions import DataPath, Position
from usmctl.load.limits import MAX_NUMBER_CHARS, Limits, Problem, type_name
from usmctl.load.marks import Marks, MarksBuilder, pack

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
WITH_LIBYAML = _Loader is not yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_SAFE_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, "!"})
_SAFE_COLLECTION_TAGS = frozenset({_SEQ, _MAP, "!"})

# First characters that may start a non-string plain scalar under YAML 1.1.
_RESOLVERS: dict[str | None, list[tuple[str, re.Pattern[str]]]] = Resolver.yaml_implicit_resolvers
_BOOL_VALUES = {
    "yes": True, "no": False, "true": True, "false": False, "on": True, "off": False,
    "y": True, "n": False,
}  # fmt: skip


def make_parser(text: str) -> Any:
    """A libyaml-backed (when available) event parser over ``text``."""
    return _Loader(text)


class _AbortParseError(Exception):
    def __init__(self, problem: Problem, *, over_limit: bool = False) -> None:
        super().__init__(problem.message)
        self.problem = problem
        # Past a limit, reading on would spend the time the limit saves.
        self.over_limit = over_limit


@dataclass(slots=True)
class ParseResult:
    """The first document's data (``None`` when the stream had none) and problems;
    where its keys and values are (`usmctl.load.marks`) when it parsed whole."""

    data: Any
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    marks: Marks | None = None


class _Frame:
    __slots__ = (
        "anchor",
        "container",
        "key",
        "key_event",
        "key_pos",
        "marks",
        "path",
        "positions",
        "start",
    )

    def __init__(self, container: Any, path: DataPath, anchor: str | None, start: int) -> None:
        self.container = container
        self.path = path
        self.anchor = anchor
        self.start = start  # packed mark of the container's start
        self.marks: list[int] = []  # its entries' marks (`usmctl.load.marks`)
        self.key: Any = _NO_KEY
        self.key_event: Any = None
        # Key positions, only used to report a duplicate key's first occurrence.
        self.positions: dict[str, Any] | None = {} if isinstance(container, dict) else None


_NO_KEY = object()
_SKIPPED_KEY = object()  # the pair of a key that is not a plain value is dropped


class _NumberTooLongError(ValueError):
    pass


def _resolve_plain(value: str) -> Any:
    """YAML 1.1 implicit typing of a plain scalar (as PyYAML's SafeLoader).

    YAML 1.1's patterns also match texts with no digit (``0x_``, ``0b_``,
    ``._``), which PyYAML fails to convert: they stay text, as YAML 1.2 reads them.
    """
    candidates = _RESOLVERS.get(value[:1] if value else "", ())
    for tag, regexp in candidates:
        if regexp.match(value):
            try:
                return _construct(tag, value)
            except _NumberTooLongError:
                raise
            except ValueError:
                return value
    return value


# YAML 1.2 core schema (yaml.org/spec/1.2.2, 10.3.2): what editors and
# yaml-language-server read a plain scalar as. USM013 compares it with YAML 1.1.
_CORE_INT = re.compile(r"[-+]?[0-9]+\Z")
_CORE_OCT = re.compile(r"0o[0-7]+\Z")
_CORE_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_CORE_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_CORE_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
_CORE_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False,
              "FALSE": False}  # fmt: skip
_CORE_NULL = frozenset({"", "~", "null", "Null", "NULL"})
# A plain scalar YAML 1.2 reads as a number starts with one of these; YAML 1.1's
# booleans that 1.2 reads as text (yes/no/on/off) start with y, n or o.
_AMBIGUOUS_FIRST = frozenset("0123456789+-.yYnNoO")
# The common numbers both read alike (3, -1, 0, 2.5): no closer look needed.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\Z")


def core_value(text: str) -> Any:
    """A plain scalar as the YAML 1.2 core schema resolves it."""
    if text in _CORE_NULL:
        return None
    if text in _CORE_BOOL:
        return _CORE_BOOL[text]
    if len(text) > MAX_NUMBER_CHARS:
        return text
    if _CORE_INT.match(text):
        return int(text)
    if _CORE_OCT.match(text):
        return int(text[2:], 8)
    if _CORE_HEX.match(text):
        return int(text[2:], 16)
    if _CORE_FLOAT.match(text) or _CORE_INF.match(text) or _CORE_NAN.match(text):
        return float(text.replace(".", "", 1)) if "n" in text.lower() else float(text)
    return text


def ambiguity(text: str, typed: Any) -> Any:
    """What YAML 1.2 reads a plain scalar as, when that differs from YAML 1.1's
    ``typed`` (as `_resolve_plain` gave it); `_SAME` when both agree.

    Differ: 1.1 booleans yes/no/on/off (1.2: text); 1.1 octal ``010`` (8; 1.2:
    10); numbers 1.1 reads as text (``0800``, ``0o17``, ``1e3``, ``+.5``) and
    1.2 as text (``1_000``, ``0b101``, ``0x1_F``, sexagesimal ``1:30``).
    Timestamps agree: usmctl keeps ``2024-01-01`` as text, as YAML 1.2 does.
    """
    if text[:1] not in _AMBIGUOUS_FIRST or _PLAIN_NUMBER.match(text):
        return _SAME
    if typed.__class__ is str and text[:1] in "yYnNoO":
        return _SAME  # 1.2 reads no word as a number
    core = core_value(text)
    if core.__class__ is typed.__class__ and (core == typed or _both_nan(core, typed)):
        return _SAME  # the same type and value
    return core


_SAME = object()

# What an edit may write plain: ids, process names, keys (never an indicator).
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/:-]*")


def reads_as_text(text: str) -> bool:
    """Whether ``text`` written as a plain scalar reads as that very text to
    YAML 1.1 and 1.2 alike (``acme-it``, not ``on`` or ``010``): a fix may
    write it without quotes."""
    if not _PLAIN_WORD.fullmatch(text) or text.endswith(":"):
        return False
    try:
        typed = _resolve_plain(text)
    except _NumberTooLongError:
        return False
    return typed.__class__ is str and ambiguity(text, typed) is _SAME


def _both_nan(one: Any, other: Any) -> bool:
    """NaN is not equal to itself: ``.nan`` reads alike in both versions."""
    return (
        isinstance(one, float)
        and isinstance(other, float)
        and math.isnan(one)
        and math.isnan(other)
    )


def ambiguity_message(text: str, typed: Any, core: Any) -> str:
    """USM013's message: what each YAML version reads the scalar as."""
    return (
        f"{quote(text)} is {_as(typed)} to YAML 1.1 (usmctl, PyYAML) but {_as(core)} to "
        "YAML 1.2 (editors, yaml-language-server): quote it if it is text, "
        "or write the number as both read it"
    )


def _as(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    return "text"


def _construct(tag: str, value: str) -> Any:
    if tag in (_INT, _FLOAT) and len(value) > MAX_NUMBER_CHARS:
        raise _NumberTooLongError(value)
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOL_VALUES[value.lower()]
    if tag == _INT:
        return _construct_int(value)
    if tag == _FLOAT:
        return _construct_float(value)
    # Timestamps and anything else stay text: YAML 1.2 has no timestamp type.
    return value


def _construct_int(value: str) -> int:
    text = value.replace("_", "")
    sign = -1 if text[:1] == "-" else 1
    if text[:1] in "+-":
        text = text[1:]
    if text == "0":
        return 0
    if text.startswith("0b"):
        return sign * int(text[2:], 2)
    if text.startswith("0x"):
        return sign * int(text[2:], 16)
    if text[:1] == "0":
        return sign * int(text, 8)
    if ":" in text:
        digits = [int(part) for part in text.split(":")]
        digits.reverse()
        base, number = 1, 0
        for digit in digits:
            number += digit * base
            base *= 60
        return sign * number
    return sign * int(text)


def _construct_float(value: str) -> float:
    text = value.replace("_", "").lower()
    sign = -1.0 if text[:1] == "-" else 1.0
    if text[:1] in "+-":
        text = text[1:]
    if text == ".inf":
        return sign * float("inf")
    if text == ".nan":
        return float("nan")
    if ":" in text:
        digits = [float(part) for part in text.split(":")]
        digits.reverse()
        base, number = 1.0, 0.0
        for digit in digits:
            number += digit * base
            base *= 60
        return sign * number
    return sign * float(text)


def _scalar(event: Any, path: DataPath, result: ParseResult) -> Any:
    tag = event.tag
    try:
        if tag is None or tag == "!":
            return _resolve_plain(event.value) if event.implicit[0] else event.value
        if tag not in _SAFE_SCALAR_TAGS:
            raise _AbortParseError(_unsafe_tag(tag, event, path))
        return _construct(tag, event.value)
    except _NumberTooLongError:
        raise _AbortParseError(
            Problem(
                UNSAFE_YAML,
                f"a number of {len(event.value)} characters, over the "
                f"{MAX_NUMBER_CHARS}-character limit (quote it if it is text)",
                Position.from_mark(event.start_mark),
                path,
            )
        ) from None
    except (ValueError, KeyError):
        # An explicit tag the value does not fit (``!!int abc``): the text
        # stands and the rest of the file is read.
        shown = event.value if len(event.value) <= 40 else event.value[:40] + "..."
        result.problems.append(
            Problem(
                SCHEMA_VIOLATION,
                f"value {quote(shown)} is not a valid {tag.rsplit(':', 1)[-1]}",
                Position.from_mark(event.start_mark),
                path,
            )
        )
        return event.value


def _unsafe_tag(tag: str, event: Any, path: DataPath) -> Problem:
    if "python/" in tag:
        why = "it would construct a Python object"
    else:
        why = "only the YAML core tags are allowed"
    return Problem(
        UNSAFE_YAML, f"tag {quote(tag)} refused: {why}", Position.from_mark(event.start_mark), path
    )


def parse(text: str, limits: Limits = Limits()) -> ParseResult:
    """Parse the first document of ``text``; never raises on bad input."""
    fast = _parse_clean(text, limits)
    if fast is not None:
        return fast
    result = ParseResult(data=None)
    parser = make_parser(text)
    try:
        over_limit = False
        try:
            _build(parser, limits, result, anchored="&" in text)
        except _AbortParseError as abort:
            result.problems.append(abort.problem)
            result.data = None
            result.marks = None
            over_limit = abort.over_limit
        if not over_limit:
            _drain(parser, limits.max_depth)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position.from_mark(mark) if mark is not None else Position(1, 1)
        problem = (error.problem or str(error)).strip()
        if error.context:
            problem = f"{problem} ({error.context.strip()})"
        if "nesting depth" not in problem:
            result.problems.append(Problem(YAML_SYNTAX, f"invalid YAML: {problem}", position))
        elif not any(known.code == UNSAFE_YAML for known in result.problems):
            # Not when already refused (depth, tag): one finding says enough.
            result.problems.append(
                Problem(UNSAFE_YAML, f"nesting deeper than the parser allows: {problem}", position)
            )
        result.data = None
        result.marks = None
    except yaml.YAMLError as error:
        # Reader errors (control characters) carry a character offset.
        position = _reader_position(text, error)
        message = str(error).splitlines()[0] if str(error) else "unreadable input"
        result.problems.append(Problem(YAML_SYNTAX, f"invalid YAML: {message}", position))
        result.data = None
        result.marks = None
    finally:
        parser.dispose()
    return result


def _drain(parser: Any, max_depth: int) -> None:
    """Read the rest of the stream as events (nothing is built or expanded).

    A syntax error after the point where we stopped (a second document, a
    refused tag) is then still USM001. Draining stops at the depth limit too.
    """
    depth = 0
    opening = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    closing = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    while parser.check_event():
        event = parser.get_event()
        if isinstance(event, opening):
            depth += 1
            if depth > max_depth:
                return
        elif isinstance(event, closing):
            depth -= 1


class _NotCleanError(Exception):
    """The fast path met something only the event builder handles."""


class _CleanLoader(_Loader):  # type: ignore[misc]
    """libyaml composes the node tree in C; we only say plain or not.

    The tags returned here are our own markers: a node whose tag is not one of
    them (an explicit tag) sends the document to the event builder.
    """

    def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


# libyaml composes the whole node tree before our loop runs: about 150 bytes
# per node, 3 GB for a 19 MB flow list of one-letter scalars. Past this size
# the event builder, which holds only the data, parses instead (a typical
# architecture file is tens of kilobytes).
FAST_PATH_MAX_CHARS = 1_000_000

_PLAIN = "?plain"
# Keys repeat in every entity: one shared string each saves a tenth of the
# memory of a large run, and makes the models' key lookups pointer compares.
_intern = sys.intern
_TYPED_FIRST = frozenset(_RESOLVERS)  # first characters of non-string plain scalars


def _parse_clean(text: str, limits: Limits) -> ParseResult | None:
    """The fast path for the common, clean document; None sends it to `_build`.

    libyaml composes the whole document into nodes in C, and one small loop turns
    nodes into data: about half the Python work per node of the event builder.
    Anything that needs a finding or special care (anchors and aliases, explicit
    tags, merge keys, duplicate or typed keys, too deep nesting, a second
    document, a syntax error) gives up here, and the event builder, which
    reports it exactly, parses the text again. Clean files pay once.
    """
    if not WITH_LIBYAML or "&" in text or len(text) > FAST_PATH_MAX_CHARS:
        return None
    parser = _CleanLoader(text)
    try:
        if not parser.check_node():
            return ParseResult(data=None, marks=MarksBuilder().done(None))
        root = parser.get_node()
        if parser.check_node():
            return None
        builder = MarksBuilder()
        data = _clean_value(root, limits.max_depth, builder)
        slot = pack(root.start_mark) if root.tag is _PLAIN or root.tag is _STR else builder.last
        return ParseResult(data=data, documents=1, marks=builder.done(slot))
    except Exception:  # anything unusual: the hardened event builder decides
        return None
    finally:
        parser.dispose()


def _resolve_clean(value: str) -> Any:
    """`_resolve_plain` on the fast path: a scalar YAML 1.2 reads differently
    (USM013) goes to the event builder, which reports it with its path."""
    typed = _resolve_plain(value)
    if value[:1] in _AMBIGUOUS_FIRST and ambiguity(value, typed) is not _SAME:
        raise _NotCleanError
    return typed


def _clean_value(node: Any, depth: int, marks: MarksBuilder) -> Any:
    """The data of ``node``; the marks of a mapping or list go to ``marks``."""
    tag = node.tag
    if tag is _MAP:
        if depth <= 1:
            raise _NotCleanError
        mapping: dict[str, Any] = {}
        ids = marks.ids
        mark = node.start_mark
        # The record (`usmctl.load.marks`): start, header, then the entries.
        entries: list[int] = [mark.index, 2 * len(node.value) + 1]
        record = entries.extend
        for key_node, value_node in node.value:
            key_tag = key_node.tag
            if key_tag is _PLAIN:
                key = _intern(key_node.value)
                if key[:1] in _TYPED_FIRST and _resolve_clean(key).__class__ is not str:
                    raise _NotCleanError  # a typed key (on:, 1:, <<:) is reported by _build
            elif key_tag is _STR:
                key = _intern(key_node.value)
            else:
                raise _NotCleanError  # a mapping or list as a key, or an explicit tag
            if key in mapping:
                raise _NotCleanError
            number = ids.get(key)
            if number is None:
                number = ids[key] = len(ids)
            key_mark = key_node.start_mark
            value_tag = value_node.tag
            if value_tag is _PLAIN:
                value = value_node.value
                mapping[key] = _resolve_clean(value) if value[:1] in _TYPED_FIRST else value
                mark = value_node.start_mark
                record((number, key_mark.index, mark.index))
            elif value_tag is _STR:
                mapping[key] = value_node.value
                mark = value_node.start_mark
                record((number, key_mark.index, mark.index))
            else:
                mapping[key] = _clean_value(value_node, depth - 1, marks)
                record((number, key_mark.index, marks.last))
        flat = marks.flat
        marks.last = -1 - len(flat)
        flat.extend(entries)
        return mapping
    if tag is _SEQ:
        if depth <= 1:
            raise _NotCleanError
        sequence: list[Any] = []
        append = sequence.append
        mark = node.start_mark
        items: list[int] = [mark.index, 2 * len(node.value)]
        item_mark = items.append
        for item_node in node.value:
            item_tag = item_node.tag
            if item_tag is _PLAIN:
                value = item_node.value
                append(_resolve_clean(value) if value[:1] in _TYPED_FIRST else value)
                mark = item_node.start_mark
                item_mark(mark.index)
            elif item_tag is _STR:
                append(item_node.value)
                mark = item_node.start_mark
                item_mark(mark.index)
            else:
                append(_clean_value(item_node, depth - 1, marks))
                item_mark(marks.last)
        flat = marks.flat
        marks.last = -1 - len(flat)
        flat.extend(items)
        return sequence
    if tag is _PLAIN:
        value = node.value
        return _resolve_clean(value) if value[:1] in _TYPED_FIRST else value
    if tag is _STR:
        return node.value
    raise _NotCleanError


def _reader_position(text: str, error: yaml.YAMLError) -> Position:
    offset = getattr(error, "position", None)
    if not isinstance(offset, int):
        return Position(1, 1)
    return Position.at_offset(text, offset)


def _build(parser: Any, limits: Limits, result: ParseResult, *, anchored: bool = True) -> None:
    """Build the first document's data from parser events.

    ``anchored``: the text may hold anchors; without any, no alias can occur
    and the sizes that aliases are counted by are not tracked.
    """
    # An anchor's value, its node count and the characters of its text (keys
    # included): what one alias to it expands to.
    anchors: dict[str, tuple[Any, int, int]] = {}
    stack: list[_Frame] = []
    sizes: list[int] = []  # node counts of the open containers, for anchors
    lengths: list[int] = []  # characters of text in the open containers
    alias_nodes = alias_chars = 0
    scalar_event = yaml.ScalarEvent
    mapping_start = yaml.MappingStartEvent
    sequence_start = yaml.SequenceStartEvent
    alias_event = yaml.AliasEvent
    collection_end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    get_event = parser.get_event
    max_depth = limits.max_depth
    root: list[tuple[Any, int]] = []  # the document's value and its slot
    marks = MarksBuilder()

    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            frame = stack[-1] if stack else None
            if frame is not None and frame.positions is not None and frame.key is _NO_KEY:
                key = _scalar_key(event, frame, result)
                if event.anchor is not None:
                    anchors[event.anchor] = (key, 1, len(key))
                if lengths:
                    lengths[-1] += len(key)
                _take_key(frame, event, key)
                continue
            path = _child_path(frame)
            value = _scalar(event, path, result)
            mark = event.start_mark
            if event.tag is None and event.value[:1] in _AMBIGUOUS_FIRST and event.implicit[0]:
                _check_ambiguous(event, value, path, result)
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1, len(event.value))
            if sizes:
                sizes[-1] += 1
                lengths[-1] += len(event.value)
            _attach(frame, value, root, result, marks, mark.index)
            continue
        if kind is mapping_start or kind is sequence_start:
            frame = stack[-1] if stack else None
            if frame is not None and frame.positions is not None and frame.key is _NO_KEY:
                # Built like any node (its anchors and limits count), then
                # dropped with its value by `_attach`; the rest of the file stands.
                result.problems.append(
                    Problem(
                        SCHEMA_VIOLATION,
                        "a mapping key must be a plain value, not a mapping or list",
                        Position.from_mark(event.start_mark),
                        frame.path,
                    )
                )
            tag = event.tag
            path = _child_path(frame)
            if tag is not None and tag not in _SAFE_COLLECTION_TAGS:
                raise _AbortParseError(_unsafe_tag(tag, event, path))
            if tag == (_SEQ if kind is mapping_start else _MAP):
                result.problems.append(_mismatched_tag(tag, event, path))
            if len(stack) >= max_depth:
                raise _AbortParseError(
                    Problem(
                        UNSAFE_YAML,
                        f"nesting deeper than {max_depth} levels",
                        Position.from_mark(event.start_mark),
                        path,
                    ),
                    over_limit=True,
                )
            container: Any = {} if kind is mapping_start else []
            stack.append(_Frame(container, path, event.anchor, pack(event.start_mark)))
            if anchored:
                sizes.append(1)
                lengths.append(0)
            continue
        if kind in collection_end:
            frame = stack.pop()
            if anchored:
                size = sizes.pop()
                length = lengths.pop()
                if frame.anchor is not None:
                    anchors[frame.anchor] = (frame.container, size, length)
                if sizes:
                    sizes[-1] += size
                    lengths[-1] += length
            slot = marks.close(frame.start, frame.positions is not None, frame.marks)
            _attach(stack[-1] if stack else None, frame.container, root, result, marks, slot)
            continue
        if kind is alias_event:
            frame = stack[-1] if stack else None
            target = anchors.get(event.anchor)
            if target is None:
                raise _AbortParseError(
                    Problem(
                        YAML_SYNTAX,
                        f"invalid YAML: alias {quote('*' + event.anchor)} has no anchor "
                        f"{quote('&' + event.anchor)} before it in this file",
                        Position.from_mark(event.start_mark),
                    )
                )
            value, size, length = target
            alias_nodes += size
            alias_chars += length
            if alias_nodes > limits.max_alias_nodes or alias_chars > limits.max_alias_chars:
                if alias_nodes > limits.max_alias_nodes:
                    what = f"{limits.max_alias_nodes} nodes"
                else:
                    what = f"{limits.max_alias_chars} characters of text"
                raise _AbortParseError(
                    Problem(
                        UNSAFE_YAML,
                        f"aliases expand to more than {what} (an alias bomb?)",
                        Position.from_mark(event.start_mark),
                        _child_path(frame),
                    ),
                    over_limit=True,
                )
            if lengths:
                lengths[-1] += length
            if frame is not None and frame.positions is not None and frame.key is _NO_KEY:
                if not isinstance(value, str):
                    result.problems.append(
                        Problem(
                            SCHEMA_VIOLATION,
                            "a mapping key must be a plain value",
                            Position.from_mark(event.start_mark),
                            frame.path,
                        )
                    )
                    value = _SKIPPED_KEY
                _take_key(frame, event, value)
                continue
            if sizes:
                sizes[-1] += size
            _attach(frame, value, root, result, marks, pack(event.start_mark))
            continue
        if kind is yaml.DocumentStartEvent:
            result.documents += 1
            if result.documents > 1:
                result.problems.append(
                    Problem(
                        SCHEMA_VIOLATION,
                        "a second YAML document in one file: usmctl reads one document "
                        "per file (split it into two files)",
                        Position.from_mark(event.start_mark),
                    )
                )
                break
            continue
        if kind is yaml.StreamEndEvent:
            break
        # StreamStart, DocumentEnd: nothing to build.
    if root:
        result.data, slot = root[0]
        result.marks = marks.done(slot)
    else:
        result.data = None
        result.marks = marks.done(None)


def _scalar_key(event: Any, frame: _Frame, result: ParseResult) -> str:
    """Keys are strings; a key YAML 1.1 would type (``on:``, ``1:``) keeps its text."""
    if (
        event.tag is not None
        and event.tag not in ("!", _STR)
        and event.tag not in _SAFE_SCALAR_TAGS
    ):
        raise _AbortParseError(_unsafe_tag(event.tag, event, frame.path))
    text: str = event.value
    if event.implicit[0] and event.tag is None:
        try:
            typed = _resolve_plain(text)
        except _NumberTooLongError:
            typed = 0  # a key of 1,000 digits: still a number to YAML 1.1
        if typed.__class__ is str:
            _check_ambiguous(event, typed, (*frame.path, text), result)
        elif typed is not None and text != "<<":
            result.problems.append(
                Problem(
                    SCHEMA_VIOLATION,
                    f'key "{text}" is read as {type_name(typed)} by YAML 1.1; quote it',
                    Position.from_mark(event.start_mark),
                    (*frame.path, text),
                )
            )
    return text


def _check_ambiguous(event: Any, typed: Any, path: DataPath, result: ParseResult) -> None:
    """USM013 when YAML 1.2 reads a plain scalar otherwise than YAML 1.1 does."""
    core = ambiguity(event.value, typed)
    if core is not _SAME:
        result.problems.append(
            Problem(
                AMBIGUOUS_SCALAR,
                ambiguity_message(event.value, typed, core),
                Position.from_mark(event.start_mark),
                path,
            )
        )


def _mismatched_tag(tag: str, event: Any, path: DataPath) -> Problem:
    """``!!seq`` on a mapping or ``!!map`` on a list: the data stays as written."""
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    written = "a mapping" if tag == _SEQ else "a list"
    return Problem(
        SCHEMA_VIOLATION,
        f"tag {quote(shown)} on {written}: remove the tag, or write the value as the tag says",
        Position.from_mark(event.start_mark),
        path,
    )


def _take_key(frame: _Frame, event: Any, key: object) -> None:
    frame.key = key
    frame.key_event = event


def _child_path(frame: _Frame | None) -> DataPath:
    if frame is None:
        return ()
    if frame.positions is not None:
        return (*frame.path, frame.key) if isinstance(frame.key, str) else frame.path
    return (*frame.path, len(frame.container))


def _attach(
    frame: _Frame | None,
    value: Any,
    root: list[tuple[Any, int]],
    result: ParseResult,
    marks: MarksBuilder,
    slot: int,
) -> None:
    """Put a complete value into its container; ``slot``: its mark, or its
    record's (`usmctl.load.marks`)."""
    if frame is None:
        root.append((value, slot))
        return
    container = frame.container
    if frame.positions is None:
        container.append(value)
        frame.marks.append(slot)
        return
    key = frame.key
    if key is _NO_KEY:
        # A mapping or list as a key (reported when it started): skip the pair.
        frame.key = _SKIPPED_KEY
        return
    key_event = frame.key_event
    frame.key = _NO_KEY
    if key is _SKIPPED_KEY:
        return
    if key_event.__class__ is yaml.ScalarEvent:  # an alias as a key names no path
        number = marks.ids.get(key)
        if number is None:
            number = marks.ids[key] = len(marks.ids)
        frame.marks.extend((number, pack(key_event.start_mark), slot))
    if key == "<<" and key_event.implicit[0] and key_event.tag is None:
        _merge(frame, value, key_event, result)
        return
    if key in frame.positions:  # explicit keys only: one after a merge overrides it
        first = frame.positions[key]
        first_text = f" (first at {first.line + 1}:{first.column + 1})"
        result.problems.append(
            Problem(
                DUPLICATE_KEY,
                f'duplicate key "{key}"{first_text}: YAML keeps only the last value',
                Position.from_mark(key_event.start_mark),
                (*frame.path, key),
            )
        )
    frame.positions[key] = key_event.start_mark
    container[key] = value


def _merge(frame: _Frame, value: Any, key_event: Any, result: ParseResult) -> None:
    """YAML 1.1 merge key: the mapping's own keys win over merged ones, before
    or after the ``<<`` (a key written after it overrides, not repeats, it).

    A merge of anything but mappings is reported and skipped: the rest of the
    file stands (it is not an empty file).
    """
    sources = value if isinstance(value, list) else [value]
    if not all(isinstance(source, dict) for source in sources):
        result.problems.append(
            Problem(
                SCHEMA_VIOLATION,
                "a merge key (<<) takes a mapping or a list of mappings",
                Position.from_mark(key_event.start_mark),
                frame.path,
            )
        )
        return
    for source in sources:
        for merged_key, merged_value in source.items():
            frame.container.setdefault(merged_key, merged_value)


def parse_side_file(raw: bytes, shown: str, what: str) -> tuple[str, Any]:
    """A YAML side file's text and data (the catalogue, a rule set): one not in
    UTF-8 or not well-formed is a `ConfigError` naming ``shown:line:col``."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{shown}: cannot read {what}: {error}") from None
    result = parse(text)
    if result.problems:
        problem = result.problems[0]
        raise ConfigError(
            f"{shown}:{problem.position.line}:{problem.position.column}: "
            f"invalid {what}: {problem.message}"
        )
    return text, result.data
