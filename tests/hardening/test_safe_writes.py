"""Safe writes (SPEC §6): atomic, never over an input, inputs never modified.

``WRITING_COMMANDS`` lists every command that writes a file, as argument
templates (``{out}`` is the file to write); a command whose module or
subcommand is absent in this build is skipped, so adding ``report``,
``--write-baseline`` or ``init`` later only needs a line here.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.support.cli import assert_one_line_error, invoke
from tests.support.paths import EXAMPLES
from tests.support.trees import hash_tree, without
from usmctl.cli import app
from usmctl.core import writing
from usmctl.core.errors import UsageError
from usmctl.core.writing import write_atomic

WRITING_COMMANDS: list[tuple[str, list[str], str | None]] = [
    # (id, arguments, module that must exist for the command to be there)
    ("output-text", ["validate", ".", "--output", "{out}"], None),
    ("output-json", ["validate", ".", "--format", "json", "--output", "{out}"], None),
    ("write-baseline", ["validate", ".", "--write-baseline", "{out}"], "usmctl.check.baseline"),
    ("report-html", ["report", ".", "-o", "{out}.html"], "usmctl.output.report"),
    ("report-md", ["report", ".", "-o", "{out}.md"], "usmctl.output.report"),
    ("graph-dot", ["graph", ".", "--format", "dot", "-o", "{out}.dot"], None),
]
ARCHITECTURES = ("pilot", "hr-onboarding", "siam-multi-provider", "broken", "broken-syntax")


def command_available(arguments: list[str], module: str | None) -> bool:
    names = {command.name or command.callback.__name__ for command in app.registered_commands}  # type: ignore[union-attr]
    if arguments[0] not in names:
        return False
    return module is None or importlib.util.find_spec(module) is not None


@pytest.mark.parametrize(
    ("arguments", "module"),
    [pytest.param(arguments, module, id=name) for name, arguments, module in WRITING_COMMANDS],
)
@pytest.mark.parametrize("example", ARCHITECTURES)
def test_writing_commands_leave_inputs_alone(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    example: str,
    arguments: list[str],
    module: str | None,
) -> None:
    if not command_available(arguments, module):
        pytest.skip(f"{module or arguments[0]} is not in this build")
    root = tmp_path / example
    shutil.copytree(EXAMPLES / example, root)
    before = hash_tree(root)
    monkeypatch.chdir(root)
    inside = root / "usmctl-output"  # written among the inputs
    outside = tmp_path / "elsewhere"
    written: list[Path] = []
    for out in (inside, outside):
        result = invoke(*[part.format(out=out) for part in arguments])
        assert result.code in (0, 1), result.stderr
        written.append(Path(arguments[-1].format(out=out)))
        assert written[-1].is_file()
        assert without(hash_tree(root), *written) == before
        assert not list(root.glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))
    # Again over its own earlier output: it rewrites it, or refuses without --force
    # (SPEC §6: never clobber without --force); the inputs stay as they were.
    again = invoke(*[part.format(out=inside) for part in arguments])
    if again.code == 2:
        assert_one_line_error(again.stderr, contains="--force")
    else:
        assert again.code in (0, 1), again.stderr
    assert without(hash_tree(root), *written) == before


@pytest.mark.parametrize("how", ["same", "dotted", "absolute", "symlink"])
def test_output_over_an_input_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    root = tmp_path / "pilot"
    shutil.copytree(EXAMPLES / "pilot", root)
    (root / "link.txt").symlink_to("services.usm.yaml")
    before = hash_tree(root)
    monkeypatch.chdir(root)
    target = {
        "same": "services.usm.yaml",
        "dotted": "./x/../services.usm.yaml",
        "absolute": str(root / "services.usm.yaml"),
        "symlink": "link.txt",
    }[how]
    if how == "dotted":
        (root / "x").mkdir()
    result = invoke("validate", ".", "--output", target)
    assert result.code == 2
    assert_one_line_error(result.stderr, contains="refusing to overwrite an input file")
    assert without(hash_tree(root)) == before


# --- write_atomic itself -------------------------------------------------------


def test_write_atomic_renames_a_temporary_file_in_the_same_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(source: str, destination: str | Path) -> None:
        renames.append((Path(source), Path(destination)))
        assert Path(source).read_bytes() == b"new"  # complete before the rename
        real_replace(source, destination)

    monkeypatch.setattr(writing.os, "replace", spy)
    target = tmp_path / "out.txt"
    target.write_text("old")
    write_atomic(target, "new")
    [(source, destination)] = renames
    assert source.parent == destination.parent == tmp_path
    assert source.name.startswith(".out.txt.") and source.name.endswith(".tmp")
    assert target.read_text() == "new"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.txt"]


def test_write_atomic_refuses_to_clobber_an_input(tmp_path: Path) -> None:
    target = tmp_path / "a.usm.yaml"
    target.write_text("usm: '1'\n")
    link = tmp_path / "link"
    link.symlink_to(target)
    for path in (target, link, tmp_path / "sub" / ".." / "a.usm.yaml"):
        with pytest.raises(UsageError, match="refusing to overwrite an input file"):
            write_atomic(path, "x", protected=[target])
    assert target.read_text() == "usm: '1'\n"


def test_write_atomic_without_force_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    write_atomic(target, "first", force=False)  # a new file is fine
    with pytest.raises(UsageError, match="use --force"):
        write_atomic(target, "second", force=False)
    assert target.read_text() == "first"
    write_atomic(target, "third", force=True)
    assert target.read_text() == "third"


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_mid_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def fail(_fd: int) -> None:
        raise failure

    monkeypatch.setattr(writing.os, "fsync", fail)
    expected: type[BaseException] = (
        UsageError if isinstance(failure, OSError) else KeyboardInterrupt
    )
    with pytest.raises(expected):
        write_atomic(target, "new content")
    assert target.read_text() == "old"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out.txt"]


def test_a_failure_creating_a_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(_source: str, _destination: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(writing.os, "replace", fail)
    with pytest.raises(UsageError, match=r"cannot write .*Permission denied"):
        write_atomic(tmp_path / "new.txt", "x")
    assert list(tmp_path.iterdir()) == []


def test_write_atomic_keeps_or_gives_ordinary_permissions(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.txt"
        write_atomic(fresh, "x")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644  # not mkstemp's 0600
        kept = tmp_path / "kept.txt"
        kept.write_text("x")
        kept.chmod(0o640)
        write_atomic(kept, "y")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
    finally:
        os.umask(old_umask)


def test_write_atomic_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(UsageError, match="directory does not exist"):
        write_atomic(tmp_path / "missing" / "out.txt", "x")


def test_write_atomic_writes_through_a_fifo(tmp_path: Path) -> None:
    """``-o /dev/stdout`` and friends: a pipe stays a pipe (no rename over it)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The reading end is open before the write (a reader thread could open it
    # after: the writer, which never waits for a reader, would find none).
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(fifo, "through the pipe")
        assert os.read(reader, 1024) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_write_atomic_never_replaces_a_device_node(tmp_path: Path) -> None:
    """As root, renaming over ``-o /dev/null`` would replace the device: tested on a copy."""
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    write_atomic(null, "discarded")
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["null"]
