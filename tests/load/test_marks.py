"""The marks the parse keeps (`usmctl.load.marks`) give the positions a walk of
the file's events gives (`usmctl.load.locate.nodes`), for every path, on both
parse paths (the clean fast path and the event builder): the examples, the YAML
test suite corpus, hand-picked edge cases and generated documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.paths import EXAMPLES, SHARED
from usmctl.core.positions import Anchor, DataPath, Position
from usmctl.load import locate, yamlio
from usmctl.load.limits import Limits
from usmctl.load.locate import SourceMap, nodes
from usmctl.load.marks import Lines, Marks
from usmctl.load.yamlio import parse

CORPUS = SHARED / "corpora" / "yaml-test-suite"
TEXTS = sorted([*EXAMPLES.rglob("*.usm.yaml"), *EXAMPLES.rglob("*.json"), *CORPUS.glob("*.yaml")])

EDGE_CASES = [
    "a: 1\nb: {c: [x, y, {d: e}], f: }\n",
    "a: 1\na: 2\n",  # a repeated key: its value where first written, its key where last
    "a: {x: 1}\nb: 2\na: {y: 2, x: 3}\n",
    "a: [1, {x: 1}]\na: [2, {y: 2}, 3]\n",
    "base: &b {x: 1, y: 2}\nmine:\n  <<: *b\n  y: 3\n",
    "a: &x [1, 2]\nb: *x\nc: [*x, *x]\n",
    "? [a, b]\n: 1\nc: 2\n",  # a list as a key names no path
    "? {k: v}\n: {z: 1}\nc: [3]\n",
    "k: &k key\n*k : 1\nz: 2\n",  # an alias as a key names no path
    "on: 1\n1: 2\n'quoted': 3\n\"dq\": 4\nnull: 5\n",
    "a: !!str 1\nb: !!int '2'\nc: !!seq [1]\n",
    "- 1\n- [2, 3]\n- {a: b}\n- - x\n  - y\n",
    "plain scalar root\n",
    "",
    "# only a comment\n",
    "a: 1\n---\nb: 2\n",  # a second document: the first one's marks
    "a:\n  - b: |\n      text\n      more\n    c: >\n      folded\n",
    "a: 0800\nb: yes\nc: 1_000\n",  # USM013 scalars: the event builder
    "x: {a: 1, a: 2}\n",
    "long key " + "k" * 50 + ": [" + ", ".join(str(n) for n in range(40)) + "]\n",
    "é: ü\n  # comment\n😀: [ä, ö]\n",
    '{"json": [1, 2, {"k": "v"}], "n": null}\n',
]


def walked(text: str) -> tuple[dict[DataPath, Position], dict[DataPath, Position]]:
    """Every path's value and key position as the event walk records them."""
    values: dict[DataPath, Position] = {}
    keys: dict[DataPath, Position] = {}
    for path, at_key, event in nodes(text):
        if at_key:
            keys[path] = Position.from_mark(event.start_mark)
        elif path not in values:
            values[path] = Position.from_mark(event.start_mark)
    return values, keys


def unnamed(path: DataPath) -> bool:
    """A path under a key that names none (a list, a mapping): the walk marks
    it with a NUL and no finding names it."""
    return any(isinstance(step, str) and step.startswith("\0") for step in path)


def absent_paths(values: dict[DataPath, Position]) -> list[DataPath]:
    """Paths the file does not write, next to ones it does."""
    out: list[DataPath] = [("missing",), (0,), ("missing", 3, "x")]
    for path in list(values)[:200]:
        out += [(*path, "missing"), (*path, 10_000), (*path, 0, "deeper")]
    return out


def assert_same_positions(text: str, found: Marks) -> None:
    values, keys = walked(text)
    marks = Positions(text, found)
    for path, position in values.items():
        if unnamed(path):
            continue
        assert marks.value(path) == position, path
    for path, position in keys.items():
        if unnamed(path):
            continue
        assert marks.key(path) == position, path
    for path in absent_paths(values):
        if path not in values:
            assert marks.value(path) is None, path
        if path not in keys:
            assert marks.key(path) is None, path
    anchors = [
        Anchor(path, at_key)
        for path in [*values, *absent_paths(values)]
        for at_key in (False, True)
        if not unnamed(path)
    ]
    assert SourceMap(text, found).locate_all(anchors) == SourceMap(text).locate_all(anchors)


class Positions:
    """The marks' lookups as positions."""

    def __init__(self, text: str, marks: Marks) -> None:
        self.lines = Lines(text)
        self.marks = marks

    def key(self, path: DataPath) -> Position | None:
        found = self.marks.key(path)
        return None if found is None else self.lines.position(found)

    def value(self, path: DataPath) -> Position | None:
        found = self.marks.value(path)
        return None if found is None else self.lines.position(found)


def both_paths(text: str, monkeypatch: pytest.MonkeyPatch) -> list[Marks]:
    """The marks of the fast path (when it takes the text) and the event builder."""
    found = []
    fast = yamlio._parse_clean(text, Limits())
    if fast is not None:
        assert fast.marks is not None
        found.append(fast.marks)
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_parse_clean", lambda text, limits: None)
        slow = parse(text)
    if slow.marks is not None:
        found.append(slow.marks)
    else:
        assert slow.data is None  # only a file that failed to parse has none
    return found


def read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_locate_as_the_event_walk(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    found = both_paths(text, monkeypatch)
    assert found, "the event builder keeps marks of every text that parses"
    for marks in found:
        assert_same_positions(text, marks)


def test_a_repeated_key_is_located_as_before() -> None:
    text = "a: {x: 1}\nb: 2\na: {y: 2, x: 3}\n"
    found = parse(text).marks
    assert found is not None
    marks = Positions(text, found)
    assert marks.key(("a",)) == Position(3, 1)  # the key's last occurrence
    assert marks.value(("a",)) == Position(1, 4)  # the value's first
    assert marks.value(("a", "y")) == Position(3, 8)  # only in the second


@pytest.mark.parametrize("path", TEXTS, ids=lambda path: path.name)
def test_examples_and_corpus_locate_as_the_event_walk(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = read(path)
    if text is None:
        pytest.skip("not UTF-8")
    for marks in both_paths(locate._yaml_readable(text), monkeypatch):
        assert_same_positions(locate._yaml_readable(text), marks)


# Generated documents: random data written by PyYAML in random styles, with
# random keys repeated and values anchored and aliased.
keys = st.sampled_from(["a", "b", "id", "on", "1", "x y", "é", "<<", "k" * 30])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["0800", "yes", "1_000", "~", "", "a: b", "- x", "#", "&a", "*a"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    document=documents,
    flow=st.sampled_from([None, True, False]),
    style=st.sampled_from([None, "'", '"', "|"]),
    indent=st.integers(2, 6),
    width=st.sampled_from([20, 80]),
    repeat=st.integers(0, 3),
    alias=st.booleans(),
)
def test_generated_documents_locate_as_the_event_walk(
    document: Any,
    flow: bool | None,
    style: str | None,
    indent: int,
    width: int,
    repeat: int,
    alias: bool,
) -> None:
    if alias and isinstance(document, dict):
        document = {**document, "shared": document.get("a"), "again": document.get("a")}
    text = yaml.safe_dump(
        document,
        default_flow_style=flow,
        default_style=style if style != "|" else None,
        indent=indent,
        width=width,
        allow_unicode=True,
        sort_keys=False,
    )
    if repeat and isinstance(document, dict) and flow is False and text.startswith(tuple("ab")):
        lines = text.splitlines(keepends=True)
        text += "".join(lines[: repeat + 1])  # repeat the first keys at the end
    for use_fast in (True, False):
        result = parse(text) if use_fast else _event_builder(text)
        if result.marks is not None:
            assert_same_positions(text, result.marks)


def _event_builder(text: str) -> yamlio.ParseResult:
    result = yamlio.ParseResult(data=None)
    parser = yamlio.make_parser(text)
    try:
        yamlio._build(parser, Limits(), result, anchored=True)
    except (yaml.YAMLError, yamlio._AbortParseError):
        return yamlio.ParseResult(data=None)
    finally:
        parser.dispose()
    return result


def test_marks_survive_the_parse_cache(tmp_path: Path) -> None:
    from usmctl.check.cache import ParseCache
    from usmctl.load.loader import SourceFile

    raw = b'usm: "1"\nservices:\n  - id: a\n    name: A\n  - {id: b, name: B}\n'
    source = SourceFile(tmp_path / "a.usm.yaml", "a.usm.yaml", "yaml")
    cache = ParseCache(tmp_path / "cache", Limits(), secret=b"k" * 32)
    first = cache.load(source, raw)
    again = cache.load(source, raw)
    assert cache.hits == 1
    assert first.marks is not None and again.marks is not None
    assert again.marks.flat == first.marks.flat
    assert again.marks.names == first.marks.names
    assert Positions(raw.decode(), again.marks).value(("services", 1, "name")) == Position(5, 19)


@pytest.mark.parametrize(
    "plain",
    [
        ["i", "AAAA", ["a"], -5],  # a root outside the marks
        ["i", "AAAA", [1], None],  # a key that is not text
        ["i", "not base64!", [], None],
        ["d", "AAAAAAAAAAA=", [], None],  # not integers
        ["i", "AAAA", []],
    ],
)
def test_damaged_marks_are_refused(plain: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        Marks.from_plain(plain)
