"""Where outputs may go (issue 12, items 5, 7, 11 and 14).

No output may be a file the run reads (architecture files, config,
catalogue, baseline), whatever path or link names it; a link at the output
path is replaced, never written through; a name too long for the file system
is a one-line usage error; SIGTERM mid-write leaves no temporary file; a
reader that closes the pipe does not turn a clean run into exit 1.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import assert_one_line_error, cli_command, cli_env, invoke, run_cli
from tests.support.paths import EXAMPLES, SRC
from tests.support.trees import hash_tree

CATALOGUE = SRC / "usmctl" / "data" / "catalogue.yaml"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "pilot", root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    return root


def baseline_of(root: Path) -> Path:
    path = root.parent / "seed.json"
    code, _, stderr = invoke("validate", ".", "--write-baseline", str(path))
    assert code in (0, 1), stderr
    return path


# --- item 5: outputs never replace an input -------------------------------------


def test_output_over_the_catalogue_is_refused(repo: Path) -> None:
    shutil.copy(CATALOGUE, repo / "cat.yaml")
    (repo / "cat-link.txt").symlink_to("cat.yaml")
    before = hash_tree(repo)
    for target in ("cat.yaml", "cat-link.txt", "./sub/../cat.yaml"):
        (repo / "sub").mkdir(exist_ok=True)
        for command in (
            ["validate", ".", "--catalogue", "cat.yaml", "-o", target],
            ["validate", ".", "--catalogue", "cat.yaml", "--write-baseline", target],
            ["graph", ".", "--catalogue", "cat.yaml", "--force", "-o", target],
        ):
            code, _, stderr = invoke(*command)
            assert code == 2, (command, stderr)
            assert_one_line_error(stderr, contains="refusing to overwrite an input file")
    assert {k: v for k, v in hash_tree(repo).items() if "/sub" not in k} == before


def test_output_over_the_config_in_use_is_refused(repo: Path) -> None:
    (repo / "usmctl.toml").write_text('fail-on = "never"\n')
    (repo / "other.toml").write_text('fail-on = "never"\n')
    before = hash_tree(repo)
    for command in (
        ["validate", ".", "--write-baseline", "usmctl.toml"],
        ["validate", ".", "-o", "usmctl.toml"],
        ["validate", ".", "--config", "other.toml", "-o", "other.toml"],
        ["report", ".", "--config", "other.toml", "--force", "-f", "markdown", "-o", "other.toml"],
    ):
        code, _, stderr = invoke(*command)
        assert code == 2, (command, stderr)
        assert_one_line_error(stderr, contains="refusing to overwrite")
    assert hash_tree(repo) == before


def test_output_over_a_pyproject_config_is_refused(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.usmctl]\nfail-on = "never"\n')
    before = hash_tree(repo)
    code, _, stderr = invoke("validate", ".", "-o", "pyproject.toml")
    assert code == 2
    assert_one_line_error(stderr, contains="refusing to overwrite")
    assert hash_tree(repo) == before


def test_output_over_the_baseline_is_refused(repo: Path) -> None:
    seed = baseline_of(repo)
    shutil.copy(seed, repo / "b.json")
    before = hash_tree(repo)
    for command in (
        ["validate", ".", "--baseline", "b.json", "-o", "b.json"],
        ["validate", ".", "--baseline", "b.json", "--write-baseline", "b.json"],
    ):
        code, _, stderr = invoke(*command)
        assert code == 2, (command, stderr)
        assert_one_line_error(stderr, contains="refusing to overwrite an input file")
    assert hash_tree(repo) == before


def test_output_and_write_baseline_naming_one_file_is_refused(repo: Path) -> None:
    before = hash_tree(repo)
    for first, second in (("x", "x"), ("x", "./x")):
        code, _, stderr = invoke("validate", ".", "--write-baseline", first, "-o", second)
        assert code == 2, stderr
        assert_one_line_error(stderr, contains="same file")
    assert hash_tree(repo) == before
    assert not (repo / "x").exists()


def test_validate_output_still_replaces_its_earlier_output(repo: Path) -> None:
    for _ in range(2):
        code, _, stderr = invoke("validate", ".", "-f", "json", "-o", "out.json")
        assert code == 0, stderr
        code, _, stderr = invoke("validate", ".", "--write-baseline", "base.json")
        assert code == 0, stderr
    assert (repo / "out.json").is_file() and (repo / "base.json").is_file()


# --- item 11: never write through a link ----------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["validate", ".", "-f", "sarif", "-o", "{out}"],
        ["validate", ".", "--write-baseline", "{out}"],
        ["report", ".", "--force", "-f", "markdown", "-o", "{out}"],
        ["graph", ".", "--force", "-o", "{out}"],
    ],
    ids=["output", "write-baseline", "report", "graph"],
)
@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_an_output_link_is_replaced_not_written_through(
    repo: Path, command: list[str], dangling: bool
) -> None:
    victim = repo.parent / "victim.txt"
    if not dangling:
        victim.write_text("precious\n")
    link = repo / "usmctl.sarif"
    link.symlink_to(victim)
    code, _, stderr = invoke(*[part.format(out="usmctl.sarif") for part in command])
    assert code == 0, stderr
    assert not link.is_symlink() and link.is_file()
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == "precious\n"


def test_an_output_link_to_an_architecture_file_is_refused(repo: Path) -> None:
    """``results.json -> services.usm.yaml``, also when that file is not read."""
    (repo / "results.json").symlink_to("services.usm.yaml")
    before = hash_tree(repo)
    code, _, stderr = invoke("validate", "architecture.usm.yaml", "-o", "results.json")
    assert code == 2, stderr
    assert_one_line_error(stderr, contains="refusing to overwrite")
    assert hash_tree(repo) == before


def test_report_without_force_refuses_a_dangling_link(repo: Path) -> None:
    victim = repo.parent / "created.md"
    (repo / "report.md").symlink_to(victim)
    code, _, stderr = invoke("report", ".", "-o", "report.md")
    assert code == 2
    assert_one_line_error(stderr, contains="--force")
    assert not victim.exists()


def test_an_output_inside_a_linked_directory_is_refused(repo: Path) -> None:
    outside = repo.parent / "outside"
    outside.mkdir()
    (repo / "reports").symlink_to(outside)
    code, _, stderr = invoke("validate", ".", "-o", "reports/usmctl.sarif")
    assert code == 2
    assert_one_line_error(stderr, contains="link")
    assert list(outside.iterdir()) == []


# --- item 7: names longer than the file system allows ---------------------------

LONG = "a" * 300


@pytest.mark.parametrize(
    "command",
    [
        ["validate", ".", "-o", LONG],
        ["validate", ".", "--write-baseline", LONG],
        ["validate", ".", "-o", f"{LONG}/out.json"],
        ["report", ".", "-o", f"{LONG}.md"],
        ["graph", ".", "-o", LONG],
        ["init", LONG],
        ["init", f"{LONG}/sub"],
    ],
    ids=["output", "write-baseline", "in-directory", "report", "graph", "init", "init-sub"],
)
def test_a_name_too_long_is_a_usage_error(repo: Path, command: list[str]) -> None:
    code, _, stderr = invoke(*command)
    assert code == 2
    assert_one_line_error(stderr, contains="name too long")
    assert "internal error" not in stderr


# --- item 14: SIGTERM mid-write, a closed pipe ----------------------------------

SLOW_WRITE = """
import os, sys, time
from usmctl.core import writing
real = os.fsync
def slow(fd):
    sys.stderr.write("writing\\n"); sys.stderr.flush()
    time.sleep(30)
    real(fd)
writing.os.fsync = slow
from usmctl.cli import main
sys.argv = ["usmctl", *sys.argv[1:]]
main()
"""


def test_sigterm_during_a_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "pilot", root)
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, "validate", "-f", "json", "-o", "out.json", "."],
        cwd=root,
        env=cli_env({"PYTHONPATH": str(SRC)}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    assert process.stderr.readline() == "writing\n"  # inside the write, temp file open
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert stderr == "usmctl: terminated\n"
    assert sorted(path.name for path in root.iterdir() if path.name.startswith(".out")) == []
    assert not (root / "out.json").exists()


@pytest.mark.parametrize(("example", "expected"), [("pilot", 0), ("broken", 1)])
def test_a_closed_pipe_keeps_the_exit_code(tmp_path: Path, example: str, expected: int) -> None:
    """``usmctl validate | head -0``: a clean run is still exit 0."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / example, root)
    run_cli("validate", ".", cwd=root)  # warm the cache: the second run is quick
    process = subprocess.Popen(
        cli_command("validate", "--format", "json", "."),
        cwd=root,
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first byte
    time.sleep(0.1)
    stderr = process.stderr.read().decode()
    process.wait(timeout=60)
    assert process.returncode == expected, stderr
    assert stderr == ""


def test_init_force_replaces_a_planted_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "pilot").mkdir()
    (tmp_path / "pilot" / "services.usm.yaml").symlink_to(victim)
    code, _, stderr = invoke("init", "pilot")
    assert code == 2
    assert_one_line_error(stderr, contains="--force")
    code, _, stderr = invoke("init", "pilot", "--force")
    assert code == 0, stderr
    assert victim.read_text() == "precious\n"
    assert not (tmp_path / "pilot" / "services.usm.yaml").is_symlink()


def test_the_system_stream_links_are_written_through(tmp_path: Path) -> None:
    """``-o /dev/stdout`` is a link the system made: followed, never replaced,
    and no --force needed for a pipe or a file the shell opened."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "pilot", root)
    captured = tmp_path / "captured.txt"
    for command in (["validate", "-o", "/dev/stdout", "."], ["graph", "-o", "/dev/stdout", "."]):
        with captured.open("wb") as stream:
            process = subprocess.run(
                cli_command(*command),
                cwd=root,
                env=cli_env(),
                stdout=stream,
                stderr=subprocess.PIPE,
                timeout=60,
                check=False,
            )
        assert process.returncode == 0, process.stderr
        assert captured.read_bytes()
    assert Path("/dev/stdout").is_symlink()
