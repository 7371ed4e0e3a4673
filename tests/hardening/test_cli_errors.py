"""The error boundary (SPEC §4): usage errors and the tool's own bugs are one line and exit 2."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import usmctl.api
from tests.support.cli import assert_one_line_error, invoke, run_cli
from tests.support.paths import EXAMPLES

PILOT = str(EXAMPLES / "pilot")


def explode(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("boom\nsecond line of the message")


def test_internal_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usmctl.api, "check", explode)
    result = invoke("validate", PILOT)
    assert result.code == 2
    assert result.stdout == ""
    line = assert_one_line_error(result.stderr)
    assert line == "usmctl: internal error: RuntimeError: boom (rerun with --debug)"


def test_internal_error_with_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usmctl.api, "check", explode)
    result = invoke("validate", "--debug", PILOT)
    assert result.code == 2
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "in explode" in result.stderr
    assert result.stderr.splitlines()[-1] == (
        "usmctl: internal error: RuntimeError: boom (rerun with --debug)"
    )


def test_internal_error_in_a_reporter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the check, in the output stage, the same boundary holds."""
    from usmctl.output import findings as reporters

    monkeypatch.setitem(reporters.REPORTERS, "text", explode)
    result = invoke("validate", PILOT)
    assert result.code == 2
    assert_one_line_error(result.stderr, contains="internal error: RuntimeError: boom")


def test_a_long_internal_message_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    def long_error(*_args: object, **_kwargs: object) -> object:
        raise ValueError("x" * 5000)

    monkeypatch.setattr(usmctl.api, "check", long_error)
    result = invoke("validate", PILOT)
    line = assert_one_line_error(result.stderr)
    assert len(line) < 400 and line.endswith("(rerun with --debug)")


@pytest.fixture
def broken_catalogue(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text("usm-catalogue: '1'\ntypes:\n  - id: [unclosed\n")
    return path


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        pytest.param(["validate", "does-not-exist"], "path does not exist", id="missing-path"),
        pytest.param(["validate", "--format", "nope", PILOT], "unknown format", id="format"),
        pytest.param(["validate", "--select", "NOPE", PILOT], "'NOPE'", id="select"),
        pytest.param(["validate", "--ignore", "USM9999", PILOT], "USM9999", id="ignore"),
        pytest.param(["validate", "--fail-on", "bad", PILOT], "--fail-on", id="fail-on"),
        pytest.param(["explain", "NOPE"], "no rule 'NOPE'", id="explain"),
        pytest.param(["rules", "--format", "nope"], "unknown format", id="rules-format"),
        pytest.param(["validate", "-o", ".", PILOT], "is a directory", id="output-dir"),
        pytest.param(
            ["validate", "-o", "/nonexistent-dir/out.txt", PILOT], "does not exist", id="output"
        ),
        pytest.param(
            ["validate", "--catalogue", "/nonexistent.yaml", PILOT], "not found", id="cat"
        ),
    ],
)
def test_usage_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], contains: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert_one_line_error(result.stderr, contains=contains)


def test_usage_errors_through_the_real_command_line(tmp_path: Path) -> None:
    """The same boundary in a real process (the in-process runner could hide a difference)."""
    for args, contains in (
        (["validate", "does-not-exist"], "path does not exist: does-not-exist"),
        (["explain", "NOPE"], "no rule 'NOPE'"),
    ):
        process = run_cli(*args, cwd=tmp_path)
        assert process.returncode == 2
        assert process.stdout == ""
        assert_one_line_error(process.stderr, contains=contains)


def test_broken_catalogue_names_file_and_line(tmp_path: Path, broken_catalogue: Path) -> None:
    process = run_cli("validate", "--catalogue", str(broken_catalogue), PILOT, cwd=tmp_path)
    assert process.returncode == 2
    line = assert_one_line_error(process.stderr, contains="invalid catalogue")
    assert re.match(rf"usmctl: {re.escape(str(broken_catalogue))}:\d+:\d+: ", line), line


def test_invalid_catalogue_content_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text("usm-catalogue: '1'\ntypes:\n  - id: x\n    kind: sideways\n")
    process = run_cli("validate", "--catalogue", str(path), PILOT, cwd=tmp_path)
    assert process.returncode == 2
    assert_one_line_error(process.stderr, contains=f"{path}:")


def test_command_line_mistakes_are_short_usage_errors(tmp_path: Path) -> None:
    """Typer's own usage errors: exit 2, a usage hint, never a traceback."""
    for args in (["validate", "--nope"], ["explain"], ["schema", "extra"], ["nope"]):
        process = run_cli(*args, cwd=tmp_path)
        assert process.returncode == 2, args
        assert "Traceback" not in process.stderr
        assert "Error" in process.stderr


REF_LOOP = '[[custom-rules]]\ncode = "ACME001"\nsection = "services"\nmessage = "m"\n'
HOSTILE_SIDE_FILES = {
    # name: (file to write, its bytes, extra arguments, expected words)
    "toml-broken": ("usmctl.toml", b"select = [\n", [], "not valid TOML"),
    "toml-binary": ("usmctl.toml", b"\x00\xff\xfe", [], "usmctl.toml"),
    "toml-ref-loop": (
        "usmctl.toml",
        (REF_LOOP + 'schema = {"$ref" = "#"}\n').encode(),
        [],
        "loop",
    ),
    "toml-ref-cycle": (
        "usmctl.toml",
        (
            REF_LOOP + 'schema = {"$ref" = "#/definitions/a", definitions = '
            '{a = {"$ref" = "#/definitions/b"}, b = {"$ref" = "#/definitions/a"}}}\n'
        ).encode(),
        [],
        "loop",
    ),
    "baseline-broken": (
        "b.json",
        b'{"version": 1, "findings": [',
        ["--baseline", "b.json"],
        "b.json",
    ),
    "baseline-binary": ("b.json", b"\x00\xff", ["--baseline", "b.json"], "b.json"),
    "baseline-list": ("b.json", b"[1, 2]", ["--baseline", "b.json"], "b.json"),
    "catalogue-binary": ("c.yaml", b"\x00\xff", ["--catalogue", "c.yaml"], "c.yaml"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_SIDE_FILES))
def test_hostile_config_baseline_and_catalogue_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """Files beside the architecture (config, baseline, catalogue) come from the same
    untrusted pull request: a broken one is exit 2 and one line, never an internal error."""
    import shutil

    name, raw, extra, words = HOSTILE_SIDE_FILES[case]
    shutil.copytree(EXAMPLES / "pilot", tmp_path / "pilot")
    (tmp_path / "pilot" / name).write_bytes(raw)
    monkeypatch.chdir(tmp_path / "pilot")
    result = invoke("validate", *extra, ".")
    assert result.code == 2, result.stdout
    line = assert_one_line_error(result.stderr, contains=words)
    assert "internal error" not in line
