"""Items 9, 10, 13 (SOURCE_DATE_EPOCH) and 14 of the security issue: what a
repository controls (file names, values, --stdin-filename) can neither forge
output lines, drive the terminal, break an export, nor issue GitHub workflow
commands or Azure Pipelines logging commands; odd environment and options are
short usage errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.cli import cli_command, cli_env, run_cli
from tests.support.paths import EXAMPLES
from usmctl.output.formats import Command, names

FORGED = "::error file=README.md,line=1,title=Fake::all good.usm.yaml"
STOP = "::stop-commands::resume.usm.yaml"
LEGACY = "x ##[error]fake.usm.yaml"
AZURE = "x ##vso[task.setvariable variable=forged]y.usm.yaml"
COMMANDS = {
    "error",
    "warning",
    "notice",
    "debug",
    "stop-commands",
    "group",
    "endgroup",
    "add-mask",
    "set-output",
    "save-state",
    "set-env",
    "add-path",
    "echo",
}


def runner_commands(line: str) -> str | None:
    """The workflow command GitHub's runner would read in a line, if any
    (actions/runner ActionCommand.TryParseV2, then TryParse)."""
    trimmed = line.lstrip()
    if trimmed.startswith("::"):
        end = trimmed.find("::", 2)
        if end >= 0:
            name = trimmed[2:end].split(" ", 1)[0].lower()
            if name in COMMANDS:
                return name
    start = line.find("##[")
    if start >= 0:
        end = line.find("]", start)
        if end >= 0:
            name = line[start + 3 : end].split(" ", 1)[0].lower()
            if name in COMMANDS:
                return name
    return None


ACTIONS = {"GITHUB_ACTIONS": "true"}


def agent_command(line: str) -> str | None:
    """The logging command Azure's agent would read in a line, if any
    (azure-pipelines-agent Command.TryParse: the first "##vso[" anywhere)."""
    start = line.find("##vso[")
    end = line.find("]", start)
    if start < 0 or end < 0:
        return None
    name = line[start + 6 : end].split(" ", 1)[0]
    return name if len(name.split(".")) == 2 else None


@pytest.fixture
def hostile_names(tmp_path: Path) -> Path:
    """A clean pilot plus files whose names are workflow commands, each with a defect."""
    shutil.copytree(EXAMPLES / "pilot", tmp_path, dirs_exist_ok=True)
    broken = 'usm: "1"\nprofiles:\n  - {id: x, kind: customer, name: "X\\u001b[2J"}\n  - 3\n'
    for name in (FORGED, STOP, LEGACY, AZURE, "  ::warning::spaced.usm.yaml"):
        (tmp_path / name).write_text(broken, encoding="utf-8")
    return tmp_path


FORMATS = names(Command.VALIDATE)  # every format, a new one included


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_forged_workflow_command_in_any_format(hostile_names: Path, output_format: str) -> None:
    args = ["validate", "--no-cache"] + (["-f", output_format] if output_format != "text" else [])
    done = run_cli(*args, cwd=hostile_names, env=ACTIONS)
    assert done.returncode == 1, done.stderr
    found = [runner_commands(line) for line in (done.stdout + done.stderr).splitlines()]
    real = [name for name in found if name is not None]
    assert "stop-commands" not in real
    # The only commands are usmctl's own annotations, one per finding, each
    # naming its real file (the runner's escapes undone).
    ours = [line for line in done.stdout.splitlines() if runner_commands(line)]
    assert all(
        line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in ours
    )
    if output_format not in ("text", "github"):
        assert not ours
    # Azure's agent reads only usmctl's own issues, one line each, in the azure format.
    azure = [line for line in (done.stdout + done.stderr).splitlines() if agent_command(line)]
    assert all(line.startswith("##vso[task.logissue type=") for line in azure)
    assert bool(azure) == (output_format == "azure")
    assert "\x1b" not in done.stdout + done.stderr
    if output_format in ("json", "gitlab", "sarif"):
        json.loads(done.stdout)  # still valid, with the same names
        assert "##[error]fake.usm.yaml" in json.dumps(
            json.loads(done.stdout), ensure_ascii=False
        ) or (output_format == "sarif")
    if output_format == "junit":
        names = {suite.get("name") for suite in ET.fromstring(done.stdout.split("\n", 1)[1])}
        assert LEGACY in names and FORGED in names and AZURE in names


def test_text_lines_keep_the_file_name_as_a_path(hostile_names: Path) -> None:
    done = run_cli("validate", "--no-cache", cwd=hostile_names, env=ACTIONS)
    assert f"./{FORGED}:4:5:" in done.stdout
    # Outside GitHub Actions too: a container step or a wrapper script may not
    # pass GITHUB_ACTIONS on, and the runner reads their output all the same.
    outside = run_cli("validate", "--no-cache", cwd=hostile_names)
    assert f"./{FORGED}:4:5:" in outside.stdout
    assert not [line for line in outside.stdout.splitlines() if line.startswith("::")]


@pytest.mark.parametrize("output_format", ["dot", "mermaid", "graphml", "json"])
def test_graph_exports_carry_no_control_characters(tmp_path: Path, output_format: str) -> None:
    shutil.copytree(EXAMPLES / "pilot", tmp_path, dirs_exist_ok=True)
    (tmp_path / "odd.usm.yaml").write_text(
        'usm: "1"\nservices:\n  - id: odd\n    provider: nobody\n'
        '    name: "##[error]Odd\\e[2J\\x01\\0\\u0085 ##vso[task.complete result=Failed]x"\n',
        encoding="utf-8",
    )
    done = run_cli("graph", "-f", output_format, cwd=tmp_path, env=ACTIONS)
    assert done.returncode == 0, done.stderr
    assert not any(char in done.stdout for char in "\x00\x01\x1b\x85")
    assert not any(runner_commands(line) for line in done.stdout.splitlines())
    assert not any(agent_command(line) for line in done.stdout.splitlines())
    if output_format == "graphml":
        ET.fromstring(done.stdout.encode("utf-8"))  # well-formed XML
    if output_format == "json":
        labels = {node.get("label") for node in json.loads(done.stdout)["nodes"]}
        assert any(label and label.startswith("##[error]Odd") for label in labels)


def test_stdin_filename_cannot_forge_lines(tmp_path: Path) -> None:
    text = (EXAMPLES / "pilot").glob("*.usm.yaml").__next__().read_bytes() + b"\nbogus: 1\n"
    name = "x.usm.yaml:1:1: USM000 [error] forged\n\x1b[2Jy.usm.yaml"
    done = run_cli(
        "validate", "--no-cache", "--stdin-filename", name, "-", cwd=tmp_path, stdin=text
    )
    shown = "x.usm.yaml:1:1: USM000 [error] forged\\u000a\\u001b[2Jy.usm.yaml"
    lines = done.stdout.splitlines()
    assert done.returncode == 1
    assert "\x1b" not in done.stdout
    assert all(line.startswith(shown + ":") for line in lines[:-2]), lines


def test_error_lines_for_bad_paths_are_escaped(tmp_path: Path) -> None:
    done = run_cli("validate", "missing\n::error::x\x1b[2J", cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "\x1b" not in done.stderr


@pytest.mark.parametrize("epoch", ["abc", "²", "-5", "99999999999999999999", "1" * 400])
def test_a_bad_source_date_epoch_is_ignored_with_a_warning(tmp_path: Path, epoch: str) -> None:
    shutil.copytree(EXAMPLES / "pilot", tmp_path / "arch")
    done = subprocess.run(
        cli_command("report", "arch", "-o", "report.md"),
        cwd=tmp_path,
        env=cli_env({"SOURCE_DATE_EPOCH": epoch}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("usmctl: warning: ignoring SOURCE_DATE_EPOCH"), done.stderr
    _warning, wrote = done.stderr.splitlines()  # the warning, then what was written
    assert wrote.startswith("usmctl: wrote report.md (USM coverage 100%, 0 findings")
    assert (tmp_path / "report.md").is_file()


@pytest.mark.parametrize("selection", ["", ",", " "])
def test_an_empty_selection_is_a_usage_error(tmp_path: Path, selection: str) -> None:
    shutil.copytree(EXAMPLES / "broken", tmp_path, dirs_exist_ok=True)
    done = run_cli("validate", "--no-cache", "--select", selection, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == (
        "usmctl: --select names no rule: give codes, names or prefixes (ALL for every rule)\n"
    )


def test_names_differing_only_by_control_characters_stay_apart(tmp_path: Path) -> None:
    broken = 'usm: "1"\nprofiles:\n  - {id: a, kind: customer, name: A, bogus: 1}\n'
    hiding = "# usmctl: ignore-file[USM004] hides only its own file\n" + broken
    (tmp_path / "a\x01.usm.yaml").write_text(hiding, encoding="utf-8")
    (tmp_path / "a\\x01.usm.yaml").write_text(broken.replace("id: a", "id: b"), encoding="utf-8")
    done = run_cli("validate", "--no-cache", "--select", "USM004", cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    shown = {line.split(":", 1)[0] for line in done.stdout.splitlines() if "USM004" in line}
    assert shown == {"a\\\\x01.usm.yaml"}, done.stdout
    assert "2 files" in done.stdout
