"""The loader: exact positions, duplicates, limits, unreadable input."""

from __future__ import annotations

from pathlib import Path

import pytest

from usmctl.core.positions import Anchor, Position
from usmctl.load.loader import SourceFile, load_bytes
from usmctl.load.locate import SourceMap
from usmctl.load.yamlio import Limits, parse


def problems(text: str, limits: Limits = Limits()) -> list[tuple[str, int, int]]:
    return [(p.code, p.position.line, p.position.column) for p in parse(text, limits).problems]


def test_duplicate_key_reports_second_key_and_first_position() -> None:
    result = parse("a:\n  b: 1\n  b: 2\n")
    [problem] = result.problems
    assert (problem.code, problem.position) == ("USM002", Position(3, 3))
    assert "first at 2:3" in problem.message
    assert result.data == {"a": {"b": 2}}


def test_syntax_error_at_parser_mark() -> None:
    assert problems("a: [1, 2\nb: 3\n") == [("USM001", 2, 2)]


@pytest.mark.parametrize(
    "tag", ["!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!custom x"]
)
def test_object_tags_are_refused(tag: str) -> None:
    [(code, line, column)] = problems(f"usm: '1'\nx: {tag}\n")
    assert (code, line, column) == ("USM009", 2, 4)


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        prev, cur = chr(96 + level), chr(97 + level)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    found = problems("\n".join(lines) + "\n")
    assert found and found[0][0] == "USM009"


def test_nesting_limit() -> None:
    text = "a: " + "[" * 150 + "]" * 150 + "\n"
    assert problems(text, Limits(max_depth=100))[0][0] == "USM009"
    assert problems("a: " + "[" * 10_000 + "\n")[0][0] == "USM009"


def test_yaml11_scalars_keep_their_types() -> None:
    data = parse("a: on\nb: no\nc: 1.0\nd: '1.0'\ne: ~\nf: 0x10\n").data
    assert data == {"a": True, "b": False, "c": 1.0, "d": "1.0", "e": None, "f": 16}


def test_second_document_is_reported() -> None:
    assert problems("a: 1\n---\nb: 2\n") == [("USM003", 2, 1)]


def test_merge_keys_merge() -> None:
    assert parse("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n").data["c"] == {"x": 1, "y": 2}


def _load(raw: bytes, name: str = "a.usm.yaml") -> list[tuple[str, int, int]]:
    loaded = load_bytes(SourceFile(Path(name), name, "yaml"), raw, Limits())
    return [(p.code, p.position.line, p.position.column) for p in loaded.problems]


def test_binary_and_bad_utf8_are_unreadable() -> None:
    assert _load(b"usm: '1'\n\x00\x01")[0] == ("USM010", 2, 1)
    assert _load(b"usm: '1'\nname: caf\xe9\n")[0] == ("USM010", 2, 10)


def test_bom_and_crlf_keep_line_numbers() -> None:
    assert _load(b"\xef\xbb\xbfusm: '1'\r\nx: 1\r\nx: 2\r\n") == [("USM002", 3, 1)]


@pytest.mark.parametrize(
    ("raw", "code"),
    [(b"", "USM003"), (b"- a\n", "USM003"), (b"hello\n", "USM003"), (b"a: 1\n", "USM008"),
     (b"usm: 1\n", "USM008"), (b"usm: '2'\n", "USM008")],
)  # fmt: skip
def test_document_shape(raw: bytes, code: str) -> None:
    assert _load(raw)[0][0] == code


def test_size_limit_is_checked_before_parsing() -> None:
    loaded = load_bytes(SourceFile(Path("a"), "a", "yaml"), b"x" * 101, Limits(max_file_bytes=100))
    assert [p.code for p in loaded.problems] == ["USM009"]


def test_source_map_resolves_keys_values_and_missing_fields() -> None:
    text = "usm: '1'\nservices:\n  - id: a\n    facility:\n      description: x\n"
    source_map = SourceMap(text)
    wanted = [
        Anchor(("services", 0, "facility", "description")),
        Anchor(("services", 0, "facility"), at_key=True),
        Anchor(("services", 0, "support")),
    ]
    found = source_map.locate_all(wanted)
    assert found[wanted[0]] == Position(5, 20)
    assert found[wanted[1]] == Position(4, 5)
    assert found[wanted[2]] == Position(3, 5)  # missing: the entity itself


def _load_wif(raw: bytes, name: str = "a.workflow.json") -> list[tuple[str, int, int]]:
    kind = "wif-template" if name.endswith(".workflow-template.json") else "wif"
    loaded = load_bytes(SourceFile(Path(name), name, kind), raw, Limits())
    if any(problem.code == "USM001" for problem in loaded.problems):
        assert loaded.data is None
        assert all(p.message.startswith("invalid JSON: ") for p in loaded.problems)
    return [(p.code, p.position.line, p.position.column) for p in loaded.problems]


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b'{slug: a, "steps": []}', (1, 2)),  # unquoted key
        (b'# a comment\n{"slug": "a"}', (1, 1)),
        (b"{\"slug\": 'a'}", (1, 10)),  # single quotes
        (b'{"slug": "a",\n "limit": NaN}', (2, 11)),
        (b'{"a": "NaN and Infinity", "b": [1, -Infinity]}', (1, 36)),
        (b'{"slug": "a", "x": Infinity}', (1, 20)),
        (b"slug: a\nsteps: []\n", (1, 1)),  # block-style YAML
        (b'{"slug": "a"} {"slug": "b"}', (1, 15)),
        (b"", (1, 1)),
        # Checked before the surrogate-pair rewrite, which shifts later columns.
        (b'{"name": "\\ud83d\\ude00", slug: 1}', (1, 26)),
    ],
)
def test_wif_file_must_be_strict_json(raw: bytes, where: tuple[int, int]) -> None:
    assert _load_wif(raw) == [("USM001", *where)]
    assert _load_wif(raw, "a.workflow-template.json") == [("USM001", *where)]


@pytest.mark.parametrize("raw", [b'{"slug": "a", "steps": [],}', b'{"steps": [1, 2,]}'])
def test_wif_trailing_comma_is_usm001(raw: bytes) -> None:
    # Python 3.13 reworded and moved this error (to the comma): only the code is checked.
    assert [code for code, _, _ in _load_wif(raw)] == ["USM001"]


def test_wif_strict_json_still_reports_duplicate_keys_and_huge_numbers() -> None:
    assert _load_wif(b'{"slug": "a",\n "slug": "b"}') == [("USM002", 2, 2)]
    assert _load_wif(b'{"n": ' + b"1" * 5000 + b"}") == [("USM009", 1, 7)]
    assert _load_wif(b'\xef\xbb\xbf{"slug": "a"}\r\n') == []


def test_non_scalar_key_skips_its_pair_and_keeps_the_document() -> None:
    text = (
        'usm: "1"\n'
        "profiles:\n"
        "  - id: a\n"
        "    ? {x: 1}\n"
        "    : y\n"
        "    kind: customer\n"
        "  - {id: b, [c]: &v x, kind: customer}\n"
        "? &k [a]\n"
        ": x\n"
        "x-key: *k\n"
        "x-value: *v\n"
        "? *k\n"
        ": 1\n"
    )
    result = parse(text)
    assert [(p.code, p.position.line, p.position.column, p.path) for p in result.problems] == [
        ("USM003", 4, 7, ("profiles", 0)),
        ("USM003", 7, 13, ("profiles", 1)),
        ("USM003", 8, 3, ()),
        ("USM003", 12, 3, ()),
    ]
    assert result.data == {
        "usm": "1",
        "profiles": [{"id": "a", "kind": "customer"}, {"id": "b", "kind": "customer"}],
        "x-key": ["a"],
        "x-value": "x",
    }
    loaded = load_bytes(
        SourceFile(Path("a.usm.yaml"), "a.usm.yaml", "yaml"), text.encode(), Limits()
    )
    assert [p.code for p in loaded.problems] == ["USM003"] * 4  # not "file is empty"
    assert loaded.data == result.data


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b'# c\n# c\nusm: "2"\n', (3, 6)),  # at the value
        (b"# c\n{profiles: [], usm: 1.0}\n", (2, 21)),
        (b"# c\n\nprofiles: []\nx: 1\n", (3, 1)),  # missing: the first key
        (b"x: &a {usm: '2'}\n<<: *a\n", (1, 1)),  # merged in: the document
    ],
)
def test_usm008_points_at_the_version(raw: bytes, where: tuple[int, int]) -> None:
    assert _load(raw) == [("USM008", *where)]


def test_strict_json_messages_do_not_end_in_at() -> None:
    loaded = load_bytes(
        SourceFile(Path("a.workflow.json"), "a.workflow.json", "wif"), b'{"slug": "a}', Limits()
    )
    [problem] = loaded.problems
    assert problem.message == "invalid JSON: unterminated string starting"
    assert (problem.position.line, problem.position.column) == (1, 10)


def test_the_parse_cache_stamps_every_module_parsing_uses() -> None:
    """An edit to a module the parser imports must invalidate parsed entries."""
    import ast

    import usmctl
    from usmctl.check.cache import _STAMPED_MODULES

    here = Path(usmctl.__file__).parent
    for name in _STAMPED_MODULES:
        tree = ast.parse(
            here.joinpath(*name.split(".")).with_suffix(".py").read_text(encoding="utf-8")
        )
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("usmctl."):
                used = node.module.removeprefix("usmctl.")  # type: ignore[union-attr]
                assert used in _STAMPED_MODULES, f"{name} imports {used}, which is not stamped"


def test_a_key_after_a_merge_overrides_the_merged_key() -> None:
    text = (
        "defaults: &defaults {kind: operator, of: acme-it, name: Agent}\n"
        "agent:\n"
        "  <<: *defaults\n"
        "  name: Desk agent\n"
        "  of: acme-ops\n"
    )
    result = parse(text)
    assert result.problems == []
    assert result.data["agent"] == {"kind": "operator", "of": "acme-ops", "name": "Desk agent"}


def test_a_key_before_a_merge_wins_over_the_merged_key() -> None:
    result = parse("d: &d {a: 1, b: 2}\nm:\n  a: 3\n  <<: *d\n")
    assert result.problems == []
    assert result.data["m"] == {"a": 3, "b": 2}


def test_a_key_repeated_next_to_a_merge_is_still_a_duplicate() -> None:
    text = "d: &d {a: 1}\nm:\n  <<: *d\n  b: 2\n  a: 3\n  b: 4\n"
    assert problems(text) == [("USM002", 6, 3)]
    assert parse(text).data["m"] == {"a": 3, "b": 4}
