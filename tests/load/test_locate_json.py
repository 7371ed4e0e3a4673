"""USM-WIF files read as JSON are located along each path (`_json_scan`) with
the positions the event walk gives."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support.factories import checked, located
from tests.support.paths import EXAMPLES, ROOT
from tests.support.walks import counted_walks
from usmctl.check.settings import Settings
from usmctl.core.positions import Anchor, DataPath
from usmctl.load import locate
from usmctl.load.locate import SourceMap, _json_scan

from .test_marks import absent_paths, unnamed, walked

# the bundled USM-WIF file and the usm.tools templates (real data, en and nl)
JSON_FILES = sorted(
    [*EXAMPLES.rglob("*.json"), *(ROOT / "tests" / "fixtures" / "usmtools").rglob("*.json")]
)


def wanted_of(text: str) -> set[DataPath]:
    """Every path the text writes, paths it does not, and their prefixes."""
    values, _keys = walked(text)
    paths = [path for path in [*values, *absent_paths(values)] if not unnamed(path)]
    return {path[:depth] for path in paths for depth in range(len(path) + 1)}


def assert_scans_alike(text: str) -> None:
    wanted = wanted_of(text)
    scanned = _json_scan(text, wanted)
    assert scanned is not None
    assert scanned == SourceMap(text)._scan(wanted)


def test_the_examples_json_files_are_there() -> None:
    assert len(JSON_FILES) >= 17


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda path: path.name)
def test_example_json_files_scan_as_the_walk(path: Path) -> None:
    assert_scans_alike(path.read_text(encoding="utf-8-sig"))


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": {"b": [1, 2]}, "c": "x"}',  # a repeated key
        '  \n[ {"k" : "v" } , [ ] , { } , "s\\"q" ]  \n',
        '{"é": "ü", "😀": ["\\u00e4", 1e5, -0.5, true, null]}',
        '{"line\\nbreak": "a\\u2028b", "tab": "\\t"}',
        '{"x": "\u2028", "y": [1]}',  # a raw U+2028 ends a line for YAML and here
    ],
)
def test_edge_cases_scan_as_the_walk(text: str) -> None:
    assert_scans_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        "{a: 1}",  # YAML in flow style
        '{"a": 1} {"b": 2}',  # two values
        '{"a": 1,}',  # a trailing comma
        '{"a": "\\U0001f600"}',  # YAML's escape, not JSON's (the loader's rewrite)
        '{"a": ' + "9" * 5000 + "}",  # past Python's digits limit
        "[" * 3000 + "]" * 3000,  # deeper than the stack
    ],
)
def test_text_the_decoder_refuses_is_left_to_the_walk(text: str) -> None:
    assert _json_scan(text, {(), ("a",)}) is None
    anchors = [Anchor(("a",), False), Anchor((), False)]
    assert SourceMap(text).locate_all(anchors) == {
        anchor: locate._resolve(anchor, *SourceMap(text)._scan({(), ("a",)})) for anchor in anchors
    }


keys = st.sampled_from(["a", "b", "id", "steps", "é", "x y", '"q"', "k" * 30])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1000, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    document=st.one_of(st.lists(documents, max_size=4), st.dictionaries(keys, documents)),
    indent=st.sampled_from([None, 0, 2, 4, "\t"]),
    separators=st.sampled_from([None, (",", ":"), (" , ", " : ")]),
    ascii_only=st.booleans(),
)
def test_generated_json_scans_as_the_walk(
    document: Any, indent: int | str | None, separators: tuple[str, str] | None, ascii_only: bool
) -> None:
    text = json.dumps(document, indent=indent, separators=separators, ensure_ascii=ascii_only)
    # A surrogate pair escape ("\\ud800\\udc00") the loader rewrites as YAML's
    # escape before anything is located: that text is the walk's (above).
    assume(not re.search(r"\\u[dD][89abAB]", text))
    assert_scans_alike(text)


def test_a_usm_wif_file_with_findings_is_not_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its findings are where the walk would put them, and the walk never runs."""
    root = tmp_path / "hr"
    shutil.copytree(EXAMPLES / "hr-onboarding", root)
    wif = root / "payroll-incident.workflow.json"
    text = wif.read_text(encoding="utf-8")
    # a step in a process that does not exist, a RACI letter that is not one
    text = text.replace(
        '"process": "recover",\n      "activities"', '"process": "recovr",\n      "activities"', 1
    )
    wif.write_text(text.replace('["C"]', '["Z"]', 1), encoding="utf-8")
    settings = Settings(select=("ALL",), use_cache=False)
    with counted_walks(monkeypatch) as walked:
        scanned = checked(root, settings)
    in_wif = [f for f in scanned.findings if f.file.endswith(".workflow.json")]
    assert len(in_wif) >= 2
    assert walked == []
    with monkeypatch.context() as patch:
        patch.setattr(locate, "_json_scan", lambda text, wanted: None)
        from_walk = checked(root, settings)
    assert located(scanned) == located(from_walk)
