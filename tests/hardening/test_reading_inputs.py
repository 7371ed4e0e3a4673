"""Reading inputs (issue 12, items 6, 7, 8, 13 and 14): what an architecture
file, its name or its kind of file can make usmctl read, and at what cost.

Each test reproduces an attack or a crash found on the unfixed code; none
times anything (a hang guard is not a timing).
"""

from __future__ import annotations

import json
import os
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.test_hostile import check_as_user, shared_dir, validate
from tests.support.cli import codes_at, json_findings, run_cli
from tests.support.paths import EXAMPLES
from usmctl import api
from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.load.limits import Limits
from usmctl.load.loader import OUTSIDE_LINK, SourceFile, load_bytes

__all__ = ["shared_dir"]  # the fixture, shared with test_hostile

VERSION = 'usm: "1"\n'
WIF = EXAMPLES / "hr-onboarding" / "payroll-incident.workflow.json"


def load(text: str, name: str = "a.usm.yaml", limits: Limits = Limits()) -> Any:
    kind = "yaml" if name.endswith(".yaml") else "wif"
    return load_bytes(SourceFile(Path(name), name, kind), text.encode("utf-8"), limits)


@pytest.fixture
def hang_guard() -> Iterator[None]:
    """Fail a test that blocks (a FIFO read) instead of hanging the suite."""

    def fail(*_: object) -> None:
        raise AssertionError("blocked: the read did not return")

    previous = signal.signal(signal.SIGALRM, fail)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Item 6: alias amplification counts the text aliases expand to, not only nodes.


def long_value_aliases(value_chars: int = 50_000, aliases: int = 2_000) -> str:
    """106 KB that expanded to 200 MB of output and 822 MB of memory."""
    lines = [VERSION.rstrip(), "profiles:", f'  - id: &a "{"x" * value_chars}"', "services:"]
    lines += ["  - {id: *a, name: n, provider: *a}"] * (aliases // 2)
    return "\n".join(lines) + "\n"


def test_aliases_of_a_long_value_are_refused_by_their_expanded_size() -> None:
    loaded = load(long_value_aliases())
    [problem] = loaded.problems
    assert problem.code == "USM009"
    assert "1000000 characters of text" in problem.message
    assert problem.position.line == 5 + 1_000_000 // 50_000 // 2  # at the alias that crossed
    assert loaded.data is None


def test_aliases_expanded_text_limit_is_a_setting() -> None:
    text = long_value_aliases(value_chars=1_000, aliases=20)
    assert load(text).problems == ()
    [problem] = load(text, limits=Limits(max_alias_chars=10_000)).problems
    assert problem.code == "USM009"


def test_aliases_of_a_long_value_on_the_command_line_stay_small(tmp_path: Path) -> None:
    (tmp_path / "a.usm.yaml").write_text(long_value_aliases(), encoding="utf-8")
    process = run_cli("validate", "--no-cache", cwd=tmp_path)
    assert process.returncode == 1, process.stderr
    assert len(process.stdout) < 10_000  # was 200 MB
    assert "USM009" in process.stdout


def test_aliases_as_keys_count_their_text() -> None:
    text = f'{VERSION}x-a: &k "{"k" * 100_000}"\n' + "".join(
        f"x-{index}: {{*k : 1}}\n" for index in range(20)
    )
    assert [problem.code for problem in load(text).problems] == ["USM009"]


# Item 7: plain scalars YAML 1.1 calls numbers but that hold no digit.


@pytest.mark.parametrize("text", ["0x_", "0b_", "._", "-0x_", "+0b__"])
def test_digitless_number_like_scalars_are_text(text: str) -> None:
    loaded = load(f"{VERSION}x-value: {text}\n{text}: 1\nx-list: [{text}]\n")
    assert [problem.code for problem in loaded.problems] == []
    assert loaded.data["x-value"] == text
    assert loaded.data[text] == 1
    assert loaded.data["x-list"] == [text]


def test_digitless_number_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "a.usm.yaml").write_text(
        f"{VERSION}services:\n  - {{id: x, name: 0x_, provider: 0b_}}\n", encoding="utf-8"
    )
    assert "USM006" in [code for code, *_ in validate(tmp_path)]  # "0b_" names no profile


def test_an_explicit_tag_the_value_does_not_fit_keeps_the_rest_of_the_file() -> None:
    loaded = load(f"{VERSION}x-a: !!int abc\nx-b: 1\n")
    assert [(p.code, p.position.line) for p in loaded.problems] == [("USM003", 2)]
    assert loaded.data == {"usm": "1", "x-a": "abc", "x-b": 1}


@pytest.mark.skipif(
    not hasattr(os, "fork") or not hasattr(os, "geteuid") or os.geteuid() != 0,
    reason="needs root to become another user (root enters any directory)",
)
def test_a_directory_that_can_be_listed_but_not_entered(shared_dir: Path) -> None:
    check(["."], Settings(use_cache=False), cwd=shared_dir)  # imports done as root
    locked = shared_dir / "locked"
    (locked / "inner").mkdir(parents=True)
    (locked / "a.usm.yaml").write_text(VERSION)
    (locked / "inner" / "b.usm.yaml").write_text(VERSION)
    locked.chmod(0o744)  # read, no execute: names can be listed, not opened
    assert check_as_user(65534, shared_dir) == [
        ("USM010", "locked/a.usm.yaml", 1, 1),
        ("USM010", "locked/inner", 1, 1),
    ]


def wif(**changes: Any) -> dict[str, Any]:
    data = json.loads(WIF.read_text(encoding="utf-8"))
    data.update(changes)
    return data


@pytest.mark.parametrize("index", ["²", "①", "9" * 5000, "٣"])
def test_wif_sort_index_with_other_digits_is_a_finding(tmp_path: Path, index: str) -> None:
    data = wif()
    data["steps"][0]["sort-index"] = index
    (tmp_path / "w.workflow.json").write_text(json.dumps(data), encoding="utf-8")
    findings = json_findings(run_cli("validate", "--format", "json", ".", cwd=tmp_path))
    [sort] = [f for f in findings if "sort_index" in f["message"]]
    assert sort["code"] == "USM003"
    assert "must be an integer" in sort["message"]


def test_wif_sort_index_as_ascii_digits_is_a_number(tmp_path: Path) -> None:
    data = wif()
    for number, step in enumerate(data["steps"], start=1):
        step["sort-index"] = str(number)
    (tmp_path / "w.workflow.json").write_text(json.dumps(data), encoding="utf-8")
    findings = json_findings(run_cli("validate", "--format", "json", ".", cwd=tmp_path))
    assert [f for f in findings if "sort_index" in f["message"]] == []


# Item 8: strict JSON is read as JSON.


@pytest.mark.parametrize("char", ["\x7f", "\x80", "\ufffe", "\x85", "\ud7ff"])
def test_json_strings_may_hold_what_yaml_refuses_raw(char: str) -> None:
    text = json.dumps(wif(description=f"a{char}b"), ensure_ascii=False)
    loaded = load(text, "w.workflow.json")
    assert loaded.problems == ()
    assert loaded.data["description"] == f"a{char}b"


def test_json_keys_may_be_longer_than_yaml_allows() -> None:
    loaded = load(json.dumps({**wif(), "x" * 1100: 1}), "w.workflow.json")
    assert loaded.problems == ()
    assert loaded.data["x" * 1100] == 1


def test_json_files_with_such_text_are_located_exactly(tmp_path: Path) -> None:
    data = wif(description="a\x7f\x80\ufffeb")
    text = json.dumps(data, ensure_ascii=False, indent=2)
    (tmp_path / "w.workflow.json").write_text(text, encoding="utf-8")
    found = codes_at(json_findings(run_cli("validate", "--format", "json", ".", cwd=tmp_path)))
    assert "USM001" not in [code for code, *_ in found]
    provider_line = text.splitlines().index('  "context": "hr-services",') + 1
    assert ("USM006", "w.workflow.json", provider_line, 14) in found


def test_json_still_reports_what_json_forbids() -> None:
    [problem] = load('{"slug": "a",}', "w.workflow.json").problems
    assert problem.code == "USM001"
    assert problem.message.startswith("invalid JSON")
    [problem] = load('{"slug": NaN}', "w.workflow.json").problems
    assert "NaN" in problem.message


def test_json_duplicates_numbers_and_depth_keep_their_exact_findings() -> None:
    [duplicate] = load('{\n"slug": "a",\n"slug": "b"}', "w.workflow.json").problems
    assert (duplicate.code, duplicate.position.line) == ("USM002", 3)
    [number] = load('{"slug": ' + "9" * 1001 + "}", "w.workflow.json").problems
    assert number.code == "USM009"
    [deep] = load('{"x": ' + "[" * 150 + "]" * 150 + "}", "w.workflow.json").problems
    assert deep.code == "USM009"
    loaded = load('{"slug": "\\ud800"}', "w.workflow.json")
    assert [problem.code for problem in loaded.problems] == ["USM001"]


def test_json_numbers_mean_what_json_says() -> None:
    loaded = load('{"a": 1, "b": 1.5, "c": 1e3, "d": -0, "e": true, "f": null}', "w.workflow.json")
    assert loaded.data == {"a": 1, "b": 1.5, "c": 1000.0, "d": 0, "e": True, "f": None}


# Item 13, first half: a file replaced by a FIFO between discovery and read.


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (os.mkfifo)")
def test_a_file_replaced_by_a_fifo_after_discovery_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hang_guard: None
) -> None:
    (tmp_path / "a.usm.yaml").write_text(VERSION)
    discover = api.discover

    def then_swap(*args: Any, **kwargs: Any) -> Any:
        found = discover(*args, **kwargs)
        (tmp_path / "a.usm.yaml").unlink()
        os.mkfifo(tmp_path / "a.usm.yaml")
        return found

    monkeypatch.setattr(api, "discover", then_swap)
    [finding] = check(["."], Settings(use_cache=False), cwd=tmp_path).findings
    assert (finding.code, finding.file) == ("USM010", "a.usm.yaml")
    assert "not a regular file" in finding.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (os.mkfifo)")
def test_a_file_grown_after_discovery_is_held_to_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.usm.yaml").write_text(VERSION)
    discover = api.discover

    def then_grow(*args: Any, **kwargs: Any) -> Any:
        found = discover(*args, **kwargs)
        (tmp_path / "a.usm.yaml").write_text(VERSION + "#" * 200)
        return found

    monkeypatch.setattr(api, "discover", then_grow)
    settings = Settings(use_cache=False, limits=Limits(max_file_bytes=100))
    [finding] = check(["."], settings, cwd=tmp_path).findings
    assert finding.code == "USM009"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (os.mkfifo)")
def test_a_pipe_named_on_the_command_line_is_still_read(tmp_path: Path) -> None:
    """``usmctl validate <(cmd)``: a named pipe given by name is read as given."""
    process = run_cli(
        "validate",
        "--no-cache",
        "/dev/stdin",
        cwd=tmp_path,
        stdin=b'usm: "1"\nx-a: [\n',
    )
    assert "USM001" in process.stdout, process.stderr


# Item 14: standard input, merges, tags, links out of the tree.


def test_stdin_stands_for_the_file_it_names(tmp_path: Path) -> None:
    source = (EXAMPLES / "pilot" / "services.usm.yaml").read_bytes()
    (tmp_path / "services.usm.yaml").write_bytes(source)
    (tmp_path / "other.usm.yaml").write_text(VERSION)
    result = check(
        ["-", "."], Settings(), cwd=tmp_path, stdin=source, stdin_filename="services.usm.yaml"
    )
    assert "USM005" not in [finding.code for finding in result.findings]
    assert result.files == ("other.usm.yaml", "services.usm.yaml")


def test_a_merge_of_a_scalar_is_one_finding_and_the_file_stands() -> None:
    loaded = load(f"{VERSION}x-a: &x 1\nx-b:\n  <<: *x\n  k: v\n")
    assert [(p.code, p.message) for p in loaded.problems] == [
        ("USM003", "a merge key (<<) takes a mapping or a list of mappings")
    ]
    assert loaded.data == {"usm": "1", "x-a": 1, "x-b": {"k": "v"}}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("services: !!seq\n  a: 1\n", 'tag "!!seq" on a mapping'),
        ("services: !!map\n  - a\n", 'tag "!!map" on a list'),
        ("services: !!seq {a: 1}\n", 'tag "!!seq" on a mapping'),
    ],
)
def test_a_collection_tag_on_the_other_collection_is_a_finding(text: str, message: str) -> None:
    [problem] = load(VERSION + text).problems
    assert problem.code == "USM003"
    assert problem.message.startswith(message)
    assert problem.position.line == 2


@pytest.fixture
def outside_link(tmp_path: Path) -> Path:
    """A repository whose architecture file links to a file outside it."""
    (tmp_path / "outside").mkdir()
    secret = tmp_path / "outside" / "secret.usm.yaml"
    secret.write_text(f"{VERSION}profiles:\n  - {{id: root-only-secret, kind: customer}}\n")
    repo = tmp_path / "repo"
    (repo / "sub").mkdir(parents=True)
    (repo / "inside.usm.yaml").write_text(
        f"{VERSION}profiles:\n  - {{id: inner, kind: customer}}\n"
    )
    (repo / "link-in.usm.yaml").symlink_to("inside.usm.yaml")
    (repo / "sub" / "up.usm.yaml").symlink_to("../inside.usm.yaml")
    (repo / "sub" / "out.usm.yaml").symlink_to(secret)
    return repo


def test_a_file_link_out_of_the_tree_is_not_followed(outside_link: Path) -> None:
    process = run_cli("validate", "--format", "json", "--no-cache", ".", cwd=outside_link)
    assert "root-only-secret" not in process.stdout
    findings = json_findings(process)
    assert [(f["code"], f["file"]) for f in findings if f["code"] == "USM010"] == [
        ("USM010", "sub/out.usm.yaml")
    ]
    [out] = [f for f in findings if f["code"] == "USM010"]
    assert out["message"].startswith(OUTSIDE_LINK)
    # Walking only "sub": a link up into the repository is outside it too.
    process = run_cli("validate", "--format", "json", "--no-cache", "sub", cwd=outside_link)
    assert sorted(f["file"] for f in json_findings(process) if f["code"] == "USM010") == [
        "sub/out.usm.yaml",
        "sub/up.usm.yaml",
    ]


def test_follow_links_reads_it_and_a_named_link_is_read(outside_link: Path) -> None:
    for args in (["--follow-links", "."], ["sub/out.usm.yaml"]):
        process = run_cli("validate", "--format", "json", "--no-cache", *args, cwd=outside_link)
        assert "USM010" not in process.stdout, process.stdout
        assert process.returncode in (0, 1), process.stderr
    for command in (["report", "-o", "r.md"], ["graph"]):
        process = run_cli(*command, "--follow-links", ".", cwd=outside_link)
        assert process.returncode == 0, process.stderr


def test_config_cannot_follow_links(outside_link: Path) -> None:
    (outside_link / "usmctl.toml").write_text("follow-links = true\n")
    process = run_cli("validate", "--no-cache", ".", cwd=outside_link)
    assert "root-only-secret" not in process.stdout
    assert process.returncode == 2 or "USM010" in process.stdout


def test_a_walked_link_to_a_fifo_is_not_opened(tmp_path: Path, hang_guard: None) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs (os.mkfifo)")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.usm.yaml").symlink_to("pipe")
    [finding] = check(["."], Settings(use_cache=False), cwd=tmp_path).findings
    assert finding.code == "USM010"
    assert stat.S_ISFIFO(os.stat(tmp_path / "a.usm.yaml").st_mode)
