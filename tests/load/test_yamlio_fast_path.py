"""The clean-document fast path of yamlio (issue 6) builds what the event builder builds.

Whenever `_parse_clean` accepts a text, its data must equal the event
builder's, and the event builder must find no problem in it; whatever it
declines goes to the event builder. Checked on every example and on the YAML
test suite corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import EXAMPLES, SHARED
from usmctl.load import yamlio
from usmctl.load.yamlio import Limits, parse

CORPUS = SHARED / "corpora" / "yaml-test-suite"
TEXTS = sorted([*EXAMPLES.rglob("*.usm.yaml"), *EXAMPLES.rglob("*.json"), *CORPUS.glob("*.yaml")])


def read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def event_builder(text: str, limits: Limits, monkeypatch: pytest.MonkeyPatch) -> yamlio.ParseResult:
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_parse_clean", lambda text, limits: None)
        return parse(text, limits)


def test_the_inputs_are_there() -> None:
    assert len([path for path in TEXTS if path.is_relative_to(EXAMPLES)]) > 20
    if CORPUS.is_dir():  # ../shared is optional: present in CI, absent in a bare clone
        assert len([path for path in TEXTS if path.is_relative_to(CORPUS)]) > 300


@pytest.mark.parametrize("path", TEXTS, ids=lambda path: path.name)
def test_fast_path_equals_the_event_builder(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = read(path)
    if text is None:
        pytest.skip("not UTF-8")
    for limits in (Limits(), Limits(max_depth=3)):
        fast = yamlio._parse_clean(text, limits)
        slow = event_builder(text, limits, monkeypatch)
        if fast is None:
            continue
        assert slow.problems == []
        assert repr(fast.data) == repr(slow.data)  # repr: NaN equals itself
        assert type(fast.data) is type(slow.data)


def test_clean_examples_take_the_fast_path() -> None:
    for path in sorted((EXAMPLES / "pilot").glob("*.usm.yaml")):
        assert yamlio._parse_clean(path.read_text("utf-8"), Limits()) is not None


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors: the event builder bounds aliases
        "a: 1\na: 2\n",  # a duplicate key is USM002
        "on: 1\n",  # a typed key is USM003
        "a: !!python/name:os.system\n",  # a refused tag is USM009
        "? [a]\n: 1\n",  # a list as a key
        "a: 1\n---\nb: 2\n",  # a second document
        "a: [[[[1]]]]\n",  # deeper than max_depth=3 below
        "a: " + "1" * 1001 + "\n",  # a number past MAX_NUMBER_CHARS
    ],
)
def test_what_needs_a_finding_goes_to_the_event_builder(text: str) -> None:
    assert yamlio._parse_clean(text, Limits(max_depth=3)) is None


def test_a_large_text_goes_to_the_event_builder() -> None:
    """libyaml's composed node tree costs ~150 bytes a node (3 GB for a 19 MB
    list of one-letter scalars); past FAST_PATH_MAX_CHARS only the event
    builder, which holds just the data, parses."""
    items = (yamlio.FAST_PATH_MAX_CHARS // 2) + 1
    text = "x-a: [" + ",".join(["a"] * items) + "]\n"
    assert yamlio._parse_clean(text, Limits()) is None
    result = parse(text, Limits())
    assert result.problems == []
    assert result.data == {"x-a": ["a"] * items}
    small = text[: yamlio.FAST_PATH_MAX_CHARS // 2].rstrip(",a") + "]\n"
    assert yamlio._parse_clean(small, Limits()) is not None
