"""``usmctl validate FILE``: one file checked in the whole architecture it belongs to.

The example ``siam-multi-provider`` spreads one architecture over seven files
that name each other's ids: checked alone, any of them is full of USM006
(unresolved reference) that are not real.
"""

from __future__ import annotations

import queue
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.support.cli import cli_command, cli_env, invoke, json_findings
from tests.support.paths import CLEAN_EXAMPLES, EXAMPLES, ROOT
from usmctl import api
from usmctl.check import cache
from usmctl.check.settings import Settings
from usmctl.load.loader import LoadedFile, SourceFile
from usmctl.output.formats import Command, names

# A typo in cloudco.usm.yaml: the one real finding of that file.
TYPO = ("customers: [claims-app-team]", "customers: [claims-app-teem]")
# Defects in netlink.usm.yaml: its own findings, never cloudco's.
NETLINK_TYPO = ("    customer: globex-it\n", "    customer: globex-itt\n")
DUPLICATE = (
    "    name: NetLink network services\n",
    "    name: NetLink network services\n  - {id: cloudco, kind: supplier, external: true}\n",
)


@pytest.fixture(autouse=True)
def own_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))


@pytest.fixture
def siam(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example (no config, no .git above: its folder is the
    architecture's root), the working directory."""
    folder = tmp_path / "siam"
    shutil.copytree(EXAMPLES / "siam-multi-provider", folder)
    monkeypatch.chdir(folder)
    return folder


def edit(path: Path, *changes: tuple[str, str]) -> str:
    text = path.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def validate(*args: str, stdin: str | None = None) -> tuple[int, str]:
    code, out, _ = invoke("validate", *args, stdin=stdin)
    return code, out


def findings(*args: str, stdin: str | None = None) -> list[dict[str, Any]]:
    return json_findings(invoke("validate", "--format", "json", *args, stdin=stdin))


SOURCES = [
    pytest.param(("cloudco.usm.yaml",), False, id="path"),
    pytest.param(("-", "--stdin-filename", "cloudco.usm.yaml"), True, id="stdin"),
]


@pytest.mark.parametrize(("args", "piped"), SOURCES)
def test_one_file_of_the_example_has_no_false_unresolved_reference(
    siam: Path, args: tuple[str, ...], piped: bool
) -> None:
    stdin = (siam / "cloudco.usm.yaml").read_text(encoding="utf-8") if piped else None
    assert validate(*args, stdin=stdin) == (0, "All checks passed: no findings in 1 file.\n")
    alone = findings("--isolated", *args, stdin=stdin)
    assert alone and {finding["code"] for finding in alone} == {"USM006"}


@pytest.mark.parametrize(("args", "piped"), SOURCES)
def test_only_the_files_own_real_findings_are_reported(
    siam: Path, args: tuple[str, ...], piped: bool
) -> None:
    text = edit(siam / "cloudco.usm.yaml", TYPO)
    edit(siam / "netlink.usm.yaml", NETLINK_TYPO)
    code, out = validate(*args, stdin=text if piped else None)
    assert code == 1
    assert out.splitlines()[0].startswith("cloudco.usm.yaml:31:17: USM006")
    assert 'names profile "claims-app-teem"' in out and "netlink" not in out
    assert out.endswith("Found 1 finding (1 error) in 1 file.\n")


def test_a_broken_file_in_context_gives_its_own_findings_only(siam: Path) -> None:
    (siam / "cloudco.usm.yaml").write_text('usm: "1"\nprofiles: [\n', encoding="utf-8")
    edit(siam / "netlink.usm.yaml", NETLINK_TYPO)
    found = findings("cloudco.usm.yaml")
    assert [(f["file"], f["code"]) for f in found] == [("cloudco.usm.yaml", "USM001")]


def test_standard_input_replaces_the_file_on_disk(siam: Path) -> None:
    clean = (siam / "cloudco.usm.yaml").read_text(encoding="utf-8")
    broken = edit(siam / "cloudco.usm.yaml", TYPO)
    stdin = ("-", "--stdin-filename", "cloudco.usm.yaml")
    assert validate(*stdin, stdin=clean)[0] == 0  # not the typo on disk, nor USM005 twice
    (siam / "cloudco.usm.yaml").write_text(clean, encoding="utf-8")
    assert [f["message"] for f in findings(*stdin, stdin=broken)] == [
        'service "ci-hosting": customers[0] names profile "claims-app-teem", which does not '
        'exist (did you mean "claims-app-team"?)'
    ]


def test_a_finding_elsewhere_that_names_the_file_is_reported(siam: Path) -> None:
    """A duplicate id in another file whose first declaration is in the file
    checked: editing either file fixes it."""
    edit(siam / "netlink.usm.yaml", DUPLICATE)
    duplicate = [("netlink.usm.yaml", "USM005")]
    for checked in ("cloudco.usm.yaml", "netlink.usm.yaml"):
        assert [(f["file"], f["code"]) for f in findings(checked)] == duplicate, checked
    assert findings("value-streams.usm.yaml") == []


@pytest.mark.parametrize("output_format", names(Command.VALIDATE))
def test_every_format_reports_the_files_findings_only(siam: Path, output_format: str) -> None:
    edit(siam / "cloudco.usm.yaml", TYPO)
    edit(siam / "netlink.usm.yaml", NETLINK_TYPO)
    code, out = validate("--format", output_format, "cloudco.usm.yaml")
    assert code == 1
    assert "claims-app-teem" in out
    assert "globex-it" not in out and "netlink" not in out


def test_a_baseline_of_the_whole_architecture_applies_and_nothing_else_is_stale(
    siam: Path,
) -> None:
    edit(siam / "cloudco.usm.yaml", TYPO)
    edit(siam / "netlink.usm.yaml", NETLINK_TYPO)
    assert validate("--write-baseline", "baseline.json")[0] == 1
    code, out = validate("--baseline", "baseline.json", "cloudco.usm.yaml")
    assert (code, out) == (0, "All checks passed: no findings in 1 file; 1 in baseline.\n")


def test_suppressions_count_in_the_file_checked_only(siam: Path) -> None:
    """The file's own suppression hides its finding; another file's, whose
    finding is not reported here, is not called unused (USM011)."""
    old, new = TYPO
    edit(siam / "cloudco.usm.yaml", (old, f"{new}  # usmctl: ignore[USM006] kept for a test"))
    old, new = NETLINK_TYPO
    edit(siam / "netlink.usm.yaml", (old, f"{new.rstrip()}  # usmctl: ignore[USM006] also\n"))
    code, out = validate("cloudco.usm.yaml")
    assert (code, out) == (0, "All checks passed: no findings in 1 file; 1 suppressed.\n")


def test_directories_and_isolated_keep_checking_what_is_given(siam: Path) -> None:
    (siam / "usmctl.toml").write_text("", encoding="utf-8")  # the root, above sub/
    (siam / "sub").mkdir()
    shutil.move(siam / "cloudco.usm.yaml", siam / "sub" / "cloudco.usm.yaml")
    assert findings("sub/cloudco.usm.yaml") == []
    # The folder, or the file isolated: its references into the other files are unresolved.
    for args in (("sub",), ("--isolated", "sub/cloudco.usm.yaml")):
        found = findings(*args)
        assert {(f["file"], f["code"]) for f in found} == {("sub/cloudco.usm.yaml", "USM006")}


def test_the_root_is_the_nearest_folder_with_a_config_file(tmp_path: Path) -> None:
    """From another working directory, a file deeper in the architecture."""
    architecture = tmp_path / "repo" / "arch"
    shutil.copytree(EXAMPLES / "siam-multi-provider", architecture)
    (architecture / "suppliers").mkdir()
    shutil.move(architecture / "cloudco.usm.yaml", architecture / "suppliers")
    (architecture / "usmctl.toml").write_text("", encoding="utf-8")
    outside = tmp_path / "repo" / "elsewhere.usm.yaml"  # above the root: not read
    outside.write_text('usm: "1"\nprofiles:\n  - {id: cloudco, kind: supplier}\n')
    result = api.check(
        ["repo/arch/suppliers/cloudco.usm.yaml"], Settings(), cwd=tmp_path, in_context=True
    )
    assert result.findings == ()
    assert result.files == ("repo/arch/suppliers/cloudco.usm.yaml",)
    assert len(result.context) == 6 and "repo/elsewhere.usm.yaml" not in result.context


def test_the_parse_cache_serves_the_other_files(
    siam: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A buffer on standard input is parsed; the six files around it come
    from the parse cache a first run filled."""
    api.check(["cloudco.usm.yaml"], Settings(), cwd=siam, in_context=True)
    parsed: list[str] = []

    def spy(load: Callable[..., LoadedFile]) -> Callable[..., LoadedFile]:
        def recording(source: SourceFile, *args: object) -> LoadedFile:
            parsed.append(source.display)
            return load(source, *args)

        return recording

    monkeypatch.setattr(cache, "load_bytes", spy(cache.load_bytes))
    monkeypatch.setattr(api, "load_bytes", spy(api.load_bytes))
    result = api.check(
        ["-"],
        Settings(),
        cwd=siam,
        stdin=(siam / "netlink.usm.yaml").read_bytes(),
        stdin_filename="netlink.usm.yaml",
        in_context=True,
    )
    assert parsed == ["netlink.usm.yaml"]
    assert (result.findings, len(result.context)) == ((), 6)


# --- --watch ---------------------------------------------------------------------


def lines_of(stream: IO[str] | None) -> queue.Queue[str]:
    """A queue fed with the lines of a subprocess's stream, read in a thread."""
    assert stream is not None
    found: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:
            found.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return found


def wait_for(lines: queue.Queue[str], start: str, *, seconds: float) -> str | None:
    """The next line starting with ``start`` within ``seconds``, or None."""
    try:
        while True:
            line = lines.get(timeout=seconds)
            if line.startswith(start):
                return line
    except queue.Empty:
        return None


@pytest.fixture
def watching(siam: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        cli_command("validate", "--watch", "cloudco.usm.yaml"),
        cwd=siam,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(),
    )
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_watch_runs_again_on_a_change_and_ctrl_c_exits_130(
    siam: Path, watching: subprocess.Popen[str]
) -> None:
    output = lines_of(watching.stdout)
    assert wait_for(output, "All checks passed", seconds=60) == (
        "All checks passed: no findings in 1 file.\n"
    )
    clean = (siam / "cloudco.usm.yaml").read_text(encoding="utf-8")
    second = None
    # The watcher starts after the first run prints: write until it has seen a change.
    for _ in range(30):
        (siam / "cloudco.usm.yaml").write_text(clean.replace(*TYPO), encoding="utf-8")
        second = wait_for(output, "Found", seconds=2)
        if second is not None:
            break
    assert second == "Found 1 finding (1 error) in 1 file.\n"
    watching.send_signal(signal.SIGINT)
    assert watching.wait(timeout=30) == 130
    assert watching.stderr is not None and "usmctl: interrupted" in watching.stderr.read()


def test_watch_refuses_standard_input(siam: Path) -> None:
    code, _, err = invoke("validate", "--watch", "-", "--stdin-filename", "x.usm.yaml", stdin="")
    assert code == 2
    assert "--watch cannot read standard input" in err


def test_files_of_two_architectures_are_checked_each_in_its_own(tmp_path: Path) -> None:
    """Two copies of the example declare the same ids: read as one, every id
    would be a duplicate (USM005)."""
    for name in ("east", "west"):
        shutil.copytree(EXAMPLES / "siam-multi-provider", tmp_path / name)
        (tmp_path / name / "usmctl.toml").write_text("", encoding="utf-8")
    edit(tmp_path / "west" / "netlink.usm.yaml", NETLINK_TYPO)
    result = api.check(
        ["east/cloudco.usm.yaml", "west/netlink.usm.yaml"],
        Settings(),
        cwd=tmp_path,
        in_context=True,
    )
    assert result.files == ("east/cloudco.usm.yaml", "west/netlink.usm.yaml")
    assert {(f.file, f.code) for f in result.findings} == {
        ("west/netlink.usm.yaml", "USM006"),  # the typo, and its agreement not matching
        ("west/netlink.usm.yaml", "USM405"),
    }
    assert len(result.context) == 12


@pytest.mark.parametrize("example", CLEAN_EXAMPLES)
def test_each_file_of_a_bundled_example_passes_from_the_repository_root(example: str) -> None:
    """Each example folder is its own architecture (its usmctl.toml marks it):
    a file given from the repository root is read with its own example only,
    so no id of another example is a duplicate and nothing is unresolved."""
    files = sorted(path.relative_to(ROOT) for path in (EXAMPLES / example).glob("*.usm.yaml"))
    assert files
    for path in files:
        outcome = invoke("validate", str(path), "--fail-on", "info", cwd=ROOT)
        assert (outcome.code, outcome.stdout) == (
            0,
            "All checks passed: no findings in 1 file.\n",
        ), path
