"""Hostile input through the real command line (SPEC §6): findings, never a hang or a traceback.

Most cases run ``python -m usmctl validate --format json`` in a subprocess with a
timeout, so a hang fails the test instead of the suite; the few that need a
monkeypatch or another user call ``api.check``. Time and memory are not asserted
here (tests never time); docs/hardening.md records the measurements.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import usmctl
from tests.support.cli import codes_at, json_findings, run_cli
from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.load.limits import Limits

VERSION = 'usm: "1"\n'


def validate(root: Path, *paths: str, timeout: float = 60) -> list[tuple[str, str, int, int]]:
    """Findings of ``usmctl validate`` on ``paths`` (default: the whole root)."""
    process = run_cli("validate", "--format", "json", *(paths or (".",)), cwd=root, timeout=timeout)
    assert "Traceback" not in process.stderr, process.stderr
    assert process.returncode in (0, 1), process.stderr
    return codes_at(json_findings(process))


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: ``width ** levels`` strings from a few hundred bytes."""
    lines = [VERSION.rstrip(), 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        previous, current = chr(97 + level - 1), chr(97 + level)
        lines.append(f"x-{current}: &{current} [" + ", ".join([f"*{previous}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bomb.usm.yaml").write_text(billion_laughs(), encoding="utf-8")
    [(code, file, line, _column)] = validate(tmp_path)
    assert (code, file) == ("USM009", "bomb.usm.yaml")
    assert line > 2  # at the alias that crosses the limit, not at 1:1


def test_alias_bomb_of_mappings_is_refused(tmp_path: Path) -> None:
    lines = [VERSION.rstrip(), "x-a: &a {k1: v, k2: v, k3: v, k4: v, k5: v, k6: v, k7: v}"]
    for level in range(1, 10):
        previous, current = chr(97 + level - 1), chr(97 + level)
        keys = ", ".join(f"k{index}: *{previous}" for index in range(8))
        lines.append(f"x-{current}: &{current} {{{keys}}}")
    (tmp_path / "bomb.usm.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [code for code, *_ in validate(tmp_path)] == ["USM009"]


DEEP = 10_000


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("x-deep: " + "[" * DEEP + "]" * DEEP + "\n", id="flow-sequences"),
        pytest.param("x-deep: " + "[" * DEEP + "\n", id="flow-unclosed"),
        pytest.param("x-deep: " + "{a: " * DEEP + "}" * DEEP + "\n", id="flow-mappings"),
        pytest.param("x-deep:\n  " + "- " * DEEP + "leaf\n", id="block-sequences"),
        pytest.param(
            "x-deep:\n" + "".join(" " * (level + 1) + f"k{level}:\n" for level in range(400)),
            id="block-mappings",
        ),
        pytest.param("x-deep:\n  " + "- " * 50 + "{a: [" * DEEP + "\n", id="mixed"),
    ],
)
def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, body: str) -> None:
    (tmp_path / "deep.usm.yaml").write_text(VERSION + body, encoding="utf-8")
    [(code, _file, line, column)] = validate(tmp_path)
    assert code == "USM009"
    assert line >= 2 and column > 1


def test_deep_nesting_with_the_pure_python_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml the parser is PyYAML's Python one: still no RecursionError."""
    import yaml

    from usmctl.load import yamlio

    monkeypatch.setattr(yamlio, "_Loader", yaml.SafeLoader)
    for text in ("[" * DEEP + "]" * DEEP, "\n  " + "- " * DEEP + "x", "{a: " * DEEP + "}" * DEEP):
        result = yamlio.parse(VERSION + "x-deep: " + text + "\n")
        assert [problem.code for problem in result.problems] == ["USM009"]


def test_configured_depth_limit_past_the_parser_is_still_safe(tmp_path: Path) -> None:
    """Even a huge ``max_depth`` cannot make the later stages recurse too deep."""
    deep = "- " * DEEP + "leaf"
    (tmp_path / "deep.usm.yaml").write_text(
        VERSION + f"services:\n  - id: s\n    x-deep:\n      {deep}\n", encoding="utf-8"
    )
    settings = Settings(limits=Limits(max_depth=50_000))
    result = check(["."], settings, cwd=tmp_path)
    assert "USM009" in [finding.code for finding in result.findings]


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    (tmp_path / "big.usm.yaml").write_text(VERSION + "x-pad: " + "a" * 2000 + "\n")
    (tmp_path / "small.usm.yaml").write_text(VERSION)
    result = check(["."], Settings(limits=Limits(max_file_bytes=1000)), cwd=tmp_path)
    [finding] = result.findings
    assert (finding.code, finding.file, finding.line) == ("USM009", "big.usm.yaml", 1)
    assert "1000-byte limit" in finding.message
    # only USM012: files with nothing but a version declare no profile and no service
    assert [f.code for f in check(["."], Settings(), cwd=tmp_path).findings] == ["USM012"]
    # Limits that would refuse everything are refused themselves.
    for bad in ({"max_file_bytes": 0}, {"max_depth": -1}, {"max_alias_nodes": 0}):
        with pytest.raises(ValueError, match="must be at least 1"):
            Limits(**bad)


def test_file_over_the_default_limit_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 21 MB (sparse) file: refused from its size alone, never opened."""
    big = tmp_path / "big.usm.yaml"
    with big.open("wb") as handle:
        handle.write(VERSION.encode())
        handle.truncate(21 * 1024 * 1024)
    opened: list[Path] = []
    real_open = Path.open

    def spy_open(self: Path, *args: object, **kwargs: object) -> object:
        opened.append(self)
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", spy_open)
    result = check(["."], Settings(), cwd=tmp_path)
    assert [(f.code, f.file) for f in result.findings] == [("USM009", "big.usm.yaml")]
    assert big not in opened


def test_file_over_the_default_limit_through_the_cli(tmp_path: Path) -> None:
    """A real 21 MB generated file (not sparse) through the real command line."""
    row = "  - {id: s, name: padding}\n"
    count = 21 * 1024 * 1024 // len(row) + 1
    (tmp_path / "big.usm.yaml").write_text(VERSION + "x-pad:\n" + row * count, encoding="utf-8")
    assert validate(tmp_path) == [("USM009", "big.usm.yaml", 1, 1)]


UNREADABLE = {
    "nul": (b'usm: "1"\nname: a\x00b\n', (2, 8)),
    "binary": (b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)), (1, 8)),
    "latin-1": (b'usm: "1"\nname: caf\xe9\n', (2, 10)),
    "truncated-utf8": (b'usm: "1"\nname: \xc3\n', (2, 7)),
    "utf8-surrogate": (b'usm: "1"\nname: \xed\xa0\x80\n', (2, 7)),
    "utf-16": (b"\xff\xfeu\x00s\x00m\x00", (1, 4)),  # at its first NUL
}


def test_unreadable_bytes_are_usm010(tmp_path: Path) -> None:
    for name, (raw, _where) in UNREADABLE.items():
        (tmp_path / f"{name}.usm.yaml").write_bytes(raw)
    assert validate(tmp_path) == sorted(
        ("USM010", f"{name}.usm.yaml", *where) for name, (_raw, where) in UNREADABLE.items()
    )


def test_bom_and_crlf_are_accepted_with_true_line_numbers(tmp_path: Path) -> None:
    text = VERSION + "profiles:\n  - id: p\n    kind: provider\n    colour: red\n"
    (tmp_path / "plain.usm.yaml").write_bytes(text.replace("p\n", "a\n", 1).encode())
    (tmp_path / "bom.usm.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "crlf.usm.yaml").write_bytes(text.replace("\n", "\r\n").encode())
    (tmp_path / "both.usm.yaml").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    found = [item for item in validate(tmp_path) if item[0] == "USM004"]
    assert found == [
        ("USM004", f"{name}.usm.yaml", 5, 5) for name in ("bom", "both", "crlf", "plain")
    ]


CANARY_TAGS = [
    "!!python/object/apply:os.system ['touch {canary}']",
    "!!python/object/apply:subprocess.call [['touch', '{canary}']]",
    "!!python/object/new:subprocess.Popen [['touch', '{canary}']]",
    "!!python/object:builtins.open {{args: ['{canary}', 'w']}}",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/tuple [a, b]",
    "!!binary aGVsbG8=",
    "!!set {{a, b}}",
    "!!omap [a: 1]",
    "!local thing",
    "!<tag:example.com,2000:thing> x",
]


def test_object_tags_are_refused_and_nothing_runs(tmp_path: Path) -> None:
    """Every tag past the YAML core schema is USM009; ``!!binary`` too (no field takes
    bytes). Each tag as a value, as a key and in a list; a canary file proves nothing ran."""
    canary = tmp_path / "canary"
    expected = []
    for number, tag in enumerate(CANARY_TAGS):
        value = tag.format(canary=canary)
        for where, text, line in (
            ("value", f"x-evil: {value}\n", 2),
            ("key", f"{value.split(' ')[0]} key: 1\n", 2),
            ("item", f"x-evil:\n  - {value}\n", 3),
        ):
            name = f"t{number:02}-{where}.usm.yaml"
            (tmp_path / name).write_text(VERSION + text, encoding="utf-8")
            expected.append(("USM009", name, line))
    found = validate(tmp_path)
    assert not canary.exists()
    assert [(code, file, line) for code, file, line, _ in found] == sorted(expected)


def test_object_tags_through_pyyaml_unsafe_loader_would_run(tmp_path: Path) -> None:
    """The canary works: the same text does create the file under yaml.UnsafeLoader."""
    import yaml

    canary = tmp_path / "canary"
    yaml.load(f"x: !!python/object/apply:os.system ['touch {canary}']", Loader=yaml.UnsafeLoader)
    assert canary.exists()


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory an unprivileged user may enter (pytest's tmp_path is private)."""
    directory = Path(tempfile.mkdtemp(prefix="usmctl-hardening-"))
    directory.chmod(0o755)
    try:
        yield directory
    finally:
        for path in [directory, *directory.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(directory)


def test_links_loops_and_special_files_in_discovery(tmp_path: Path) -> None:
    (tmp_path / "ok.usm.yaml").write_text(VERSION)
    (tmp_path / "broken.usm.yaml").symlink_to("nowhere.usm.yaml")
    (tmp_path / "loop-a.usm.yaml").symlink_to("loop-b.usm.yaml")
    (tmp_path / "loop-b.usm.yaml").symlink_to("loop-a.usm.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")  # a directory loop: not followed
    (tmp_path / "sub" / "self").symlink_to(".")
    os.mkfifo(tmp_path / "fifo.usm.yaml")  # opening it would block for ever
    (tmp_path / "zero.usm.yaml").symlink_to("/dev/zero")  # reading it would never end
    found = validate(tmp_path, timeout=30)
    assert found == [
        ("USM010", "broken.usm.yaml", 1, 1),
        ("USM010", "fifo.usm.yaml", 1, 1),
        ("USM010", "loop-a.usm.yaml", 1, 1),
        ("USM010", "loop-b.usm.yaml", 1, 1),
        ("USM010", "zero.usm.yaml", 1, 1),
    ]


def test_broken_link_named_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "broken.usm.yaml").symlink_to("nowhere.usm.yaml")
    assert validate(tmp_path, "broken.usm.yaml") == [("USM010", "broken.usm.yaml", 1, 1)]


def as_user(uid: int, work: Callable[[], Any]) -> Any:
    """``work()`` in a forked child that dropped to ``uid`` (exec would need the
    interpreter to be reachable by that user; a fork does not); its JSON answer,
    or ``{"error": ...}`` when it raised."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        status = 0
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.write(write_end, json.dumps(work()).encode())
        except BaseException as error:
            os.write(write_end, json.dumps({"error": repr(error)}).encode())
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        answer = json.loads(stream.read() or b"null")
    os.waitpid(pid, 0)
    return answer


def first_unreadable(package: Path) -> str | None:
    """The first directory or file of ``package`` this user cannot enter or read
    (the package's parents included), or None when all of it is readable."""
    for parent in reversed(package.parents):
        if not os.access(parent, os.X_OK):
            return str(parent)
    for folder, _, names in os.walk(package, onerror=lambda error: None):
        if not os.access(folder, os.R_OK | os.X_OK):
            return folder
        for name in names:
            if not os.access(os.path.join(folder, name), os.R_OK):
                return os.path.join(folder, name)
    return None


def check_as_user(uid: int, root: Path) -> list[tuple[str, str, int, int]]:
    """``api.check`` as ``uid`` (see ``as_user``): the findings as (code, file, line, column)."""

    def work() -> list[list[Any]]:
        findings = check(["."], Settings(), cwd=root).findings
        return [[f.code, f.file, f.line, f.column] for f in findings]

    answer = as_user(uid, work)
    assert isinstance(answer, list), answer
    return [(code, file, line, column) for code, file, line, column in answer]


@pytest.mark.skipif(
    not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to become another user"
)
def test_permission_denied_as_an_unprivileged_user(shared_dir: Path) -> None:
    """We run as root, which reads a chmod 000 file: so check as ``nobody`` (65534).

    The child imports the rest of usmctl lazily, so it needs to read the package:
    a checkout in a private folder (a clone under ``mktemp -d``) is skipped.
    """
    package = Path(usmctl.__file__).resolve().parent
    unreadable = as_user(65534, lambda: first_unreadable(package))
    if unreadable is not None:
        pytest.skip(
            f"uid 65534 cannot read the package: {unreadable} (a checkout in a private folder)"
        )
    (shared_dir / "ok.usm.yaml").write_text(VERSION)
    (shared_dir / "secret.usm.yaml").write_text(VERSION)
    (shared_dir / "secret.usm.yaml").chmod(0)
    (shared_dir / "locked").mkdir()
    (shared_dir / "locked" / "hidden.usm.yaml").write_text(VERSION)
    (shared_dir / "locked").chmod(0)
    assert check_as_user(65534, shared_dir) == [
        ("USM010", "locked", 1, 1),
        ("USM010", "secret.usm.yaml", 1, 1),
    ]


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads a chmod 000 file; covered by the unprivileged-user test",
)
def test_permission_denied_as_this_user(tmp_path: Path) -> None:
    (tmp_path / "secret.usm.yaml").write_text(VERSION)
    (tmp_path / "secret.usm.yaml").chmod(0)
    try:
        assert validate(tmp_path) == [("USM010", "secret.usm.yaml", 1, 1)]
    finally:
        (tmp_path / "secret.usm.yaml").chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_permission_denied_when_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoever runs the tests: an open() that fails with EACCES is USM010."""
    (tmp_path / "secret.usm.yaml").write_text(VERSION)

    real_open = os.open

    def deny(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).endswith(".usm.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    [finding] = check(["."], Settings(), cwd=tmp_path).findings
    assert (finding.code, finding.file, finding.line) == ("USM010", "secret.usm.yaml", 1)
    assert "Permission denied" in finding.message


TOP_LEVEL = {
    "empty": ("", "file is empty"),
    "comment-only": ("# only a comment\n", "file is empty"),
    "empty-document": ("---\n...\n", "file is empty"),
    "null": ("~\n", "file is empty"),
    "list": ("- usm: '1'\n", "found a list"),
    "string": ("just a string\n", "found a string"),
    "number": ("42\n", "found an integer"),
}


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    for name, (text, _message) in TOP_LEVEL.items():
        (tmp_path / f"{name}.usm.yaml").write_text(text)
    process = run_cli("validate", "--format", "json", ".", cwd=tmp_path)
    assert process.returncode == 1
    found = {finding["file"]: finding for finding in json_findings(process)}
    assert sorted(found) == sorted(f"{name}.usm.yaml" for name in TOP_LEVEL)
    for name, (_text, message) in TOP_LEVEL.items():
        finding = found[f"{name}.usm.yaml"]
        assert (finding["code"], finding["line"], finding["column"]) == ("USM003", 1, 1)
        assert message in finding["message"]


def test_multi_document_stream_is_usm003_at_the_second_document(tmp_path: Path) -> None:
    """Documented choice (docs/hardening.md): one document per file; the first counts."""
    (tmp_path / "a.usm.yaml").write_text(
        VERSION + "profiles:\n  - {id: p, kind: provider, colour: red}\n"
        "---\nusm: '1'\n---\nmore: 1\n"
    )
    found = validate(tmp_path)
    assert ("USM003", "a.usm.yaml", 4, 1) in found  # the second `---`
    assert ("USM004", "a.usm.yaml", 3, 29) in found  # the first document is still checked
    assert not [item for item in found if item[2] > 4]  # later documents are not read as data


def test_syntax_error_in_a_later_document_is_still_usm001(tmp_path: Path) -> None:
    (tmp_path / "a.usm.yaml").write_text(VERSION + "---\nx: [1, 2\n")
    codes = [code for code, *_ in validate(tmp_path)]
    assert "USM001" in codes


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("1" * 5000, id="decimal"),  # int() refuses past 4,300 digits
        pytest.param("0x" + "f" * 5000, id="hex"),  # str() of it would refuse
        pytest.param(":".join(["1"] * 200_000), id="sexagesimal"),  # quadratic to build
        pytest.param("1." + "0" * 5000, id="float"),
    ],
)
def test_huge_numbers_are_refused_not_computed(tmp_path: Path, value: str) -> None:
    """Before: an internal error (ValueError from int()) or seconds of big-int work."""
    (tmp_path / "a.usm.yaml").write_text(f"{VERSION}x-n: {value}\nusm-copy: {value}\n")
    (tmp_path / "b.usm.yaml").write_text(f"usm: {value}\n")
    result = check(["."], Settings(), cwd=tmp_path)
    assert [(f.code, f.file, f.line, f.column) for f in result.findings] == [
        ("USM009", "a.usm.yaml", 2, 6),
        ("USM009", "b.usm.yaml", 1, 6),
    ]
    assert "1000-character limit" in result.findings[0].message


def test_standard_input_over_the_limit_is_not_read_whole(tmp_path: Path) -> None:
    process = run_cli("validate", "--format", "json", "-", cwd=tmp_path, stdin=b"a" * (21 << 20))
    assert codes_at(json_findings(process)) == [("USM009", "stdin.usm.yaml", 1, 1)]


def test_json_surrogate_pairs_in_a_wif_file_are_valid(tmp_path: Path) -> None:
    """json.dumps writes U+1F600 as "\\ud83d\\ude00", which YAML refuses: not USM001.

    An escaped backslash before the pair stays text; a lone surrogate stays an error.
    """
    import json as json_module

    from usmctl.load.loader import SourceFile, load_bytes

    document = {"name": "Smile \U0001f600", "literal": "\\ud83d\\ude00", "odd": "\\\\\U0001f600"}
    source = SourceFile(tmp_path / "a.workflow.json", "a.workflow.json", "wif")
    for ascii_only in (True, False):
        raw = json_module.dumps(document, ensure_ascii=ascii_only).encode()
        loaded = load_bytes(source, raw, Limits())
        assert loaded.problems == () and loaded.data == document
    lone = load_bytes(source, b'{"name": "\\ud83d"}', Limits())
    assert [problem.code for problem in lone.problems] == ["USM001"]
