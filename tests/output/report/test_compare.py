"""`usmctl report --compare PREVIOUS`: the "Since the last report" section."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.support.cli import assert_one_line_error, invoke
from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.output.report.progress import SHOWN_GAPS, SHOWN_RULES, compare, load_previous

TYPO = ("agreement: sa-workplace\n", "agreement: sa-workplac\n")


@pytest.fixture
def pilot(tmp_path: Path) -> Path:
    """examples/pilot, copied: a clean architecture to break and fix."""
    root = tmp_path / "pilot"
    shutil.copytree(EXAMPLES / "pilot", root)
    return root


def set_typo(root: Path, present: bool) -> None:
    services = root / "services.usm.yaml"
    text = services.read_text("utf-8")
    old, new = TYPO if present else TYPO[::-1]
    assert old in text
    services.write_text(text.replace(old, new, 1), "utf-8")


def validate_json(root: Path, target: Path) -> Path:
    outcome = invoke("validate", ".", "--format", "json", "--fail-on", "never", cwd=root)
    assert outcome.code == 0, outcome.output
    target.write_text(outcome.stdout, "utf-8")
    return target


def report(root: Path, previous: Path | None, name: str = "report.md") -> str:
    compare = ("--compare", str(previous)) if previous is not None else ()
    outcome = invoke("report", ".", "-o", name, "--force", *compare, cwd=root)
    assert outcome.code == 0, outcome.output
    return (root / name).read_text("utf-8")


def section(markdown: str) -> str:
    """The Markdown "Since the last report" section."""
    match = re.search(r"## Since the last report\n(.*?)\n## ", markdown, re.S)
    assert match, markdown
    return match.group(1)


def test_one_fix_shows_exactly_one_resolved_gap(pilot: Path, tmp_path: Path) -> None:
    set_typo(pilot, True)
    previous = validate_json(pilot, tmp_path / "before.json")
    assert len(json.loads(previous.read_text("utf-8"))["findings"]) == 1
    set_typo(pilot, False)

    text = section(report(pilot, previous))
    assert "**Change**: 1 resolved, 0 new, 0 remaining." in text
    assert "### Resolved gaps (1)" in text
    assert "| error | USM006 unresolved-reference | services.usm.yaml:11 |" in text
    assert '"sa-workplac"' in text
    assert "### New gaps" not in text and "### Remaining gaps" not in text
    assert "| error | 1 | 0 | 1 | 0 |" in text  # per severity: previous, now, resolved, new
    assert "| USM006 | unresolved-reference | 1 | 0 | 1 | 0 |" in text

    html = report(pilot, previous, "report.html")
    assert '<a href="#progress">Since the last report</a>' in html
    progress = html[html.index('<section id="progress">') :]
    progress = progress[: progress.index("</section>")]
    assert "1 resolved, 0 new, 0 remaining." in progress
    # coverage per provider, per severity, per rule, resolved
    assert progress.count("<tbody><tr>") == 4


def test_a_new_defect_shows_as_new_and_others_remain(pilot: Path, tmp_path: Path) -> None:
    previous = validate_json(pilot, tmp_path / "clean.json")
    set_typo(pilot, True)
    text = section(report(pilot, previous))
    assert "1 new" in text and "0 resolved" in text
    assert "### New gaps (1)" in text
    assert "USM006 unresolved-reference | services.usm.yaml:11" in text

    again = validate_json(pilot, tmp_path / "broken.json")
    text = section(report(pilot, again))
    assert "**Change**: no change: the same 1 gap." in text
    # no tables when nothing changed, but the coverage per provider
    assert re.findall(r"^###.*", text, re.M) == ["### Coverage per provider"]


def test_equal_clean_runs_say_no_change(pilot: Path, tmp_path: Path) -> None:
    previous = validate_json(pilot, tmp_path / "clean.json")
    text = section(report(pilot, previous))
    assert "no change: the same 0 gaps." in text
    assert "clean.json (validate --format json, 0 gaps)" in text


def test_without_compare_there_is_no_such_section(pilot: Path) -> None:
    assert "Since the last report" not in report(pilot, None)
    html = report(pilot, None, "report.html")
    assert "Since the last report" not in html and 'id="progress"' not in html


def test_a_baseline_as_previous_describes_resolved_gaps(pilot: Path, tmp_path: Path) -> None:
    set_typo(pilot, True)
    baseline = tmp_path / "baseline.json"
    outcome = invoke(
        "validate", ".", "--write-baseline", str(baseline), "--fail-on", "never", cwd=pilot
    )
    assert outcome.code == 0, outcome.output
    set_typo(pilot, False)

    text = section(report(pilot, baseline))
    assert "baseline.json (baseline, 1 gap)" in text
    assert "1 resolved, 0 new, 0 remaining." in text
    # no message or line in a baseline: the rule's name and severity, the entity and field
    assert (
        "| error | USM006 unresolved-reference | services.usm.yaml | "
        "unresolved-reference on workplace at services\\[workplace\\].agreement |"
    ) in text


def test_a_gap_a_baseline_hides_is_not_resolved(pilot: Path, tmp_path: Path) -> None:
    set_typo(pilot, True)
    previous = load_previous(validate_json(pilot, tmp_path / "broken.json"))
    result = checked(pilot)
    assert [finding.code for finding in result.findings] == ["USM006"]
    hidden = dataclasses.replace(result, findings=(), baselined_findings=result.findings)
    progress = compare(hidden, previous)
    assert not progress.changed
    assert ("Change", "no change: the same 1 gap.") in progress.facts


HOSTILE = "<script>alert(1)</script> | [x](javascript:alert(1)) `code`\n## forged **bold**"


def hostile_json(path: Path) -> Path:
    finding = {
        "code": "USM999<b>",
        "name": "<img src=x onerror=alert(1)>",
        "severity": "warning",
        "message": HOSTILE + "x" * 2000,
        "file": "<i>a.yaml</i>",
        "line": 3,
        "column": 1,
        "entity": "e",
        "path": "p",
        "fingerprint": "f" * 16,
    }
    path.write_text(json.dumps({"version": 1, "findings": [finding]}), "utf-8")
    return path


def test_the_previous_runs_text_is_escaped(pilot: Path, tmp_path: Path) -> None:
    previous = hostile_json(tmp_path / "hostile.json")
    html = report(pilot, previous, "report.html")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "x" * 400 not in html  # cut: a previous run's text is bounded

    markdown = report(pilot, previous)
    text = section(markdown)
    assert "<script>" not in markdown and "<img" not in markdown
    assert "\n## forged" not in markdown  # the newline cannot start a heading
    row = next(line for line in text.splitlines() if "script" in line)
    assert row.count(" | ") == 3  # the message's | cannot add a cell
    assert "\\[x\\](javascript:alert(1))" in row


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "cannot read previous run"),
        (b"[" * 100_000, "not valid JSON"),
        (b'{"version": 2, "findings": []}', "not a usmctl validate --format json output"),
        (b'{"version": 1}', 'no "findings" list'),
        (b'{"version": 1, "findings": [{"code": "USM006"}]}', "finding 1 needs fingerprint"),
        (
            b'{"version": 1, "findings": [{"code": "A", "fingerprint": "f", "file": "a",'
            b' "path": "p", "message": "m", "severity": "fatal"}]}',
            "severity must be one of error, warning, info",
        ),
        (b'{"version": 1, "fingerprints": {"f": {"code": 1}}}', "needs code, file and path"),
        (b'{"version": 1, "fingerprints": []}', '"fingerprints" must be an object'),
    ],
)
def test_a_malformed_previous_is_one_line_and_exit_2(
    pilot: Path, tmp_path: Path, content: bytes, says: str
) -> None:
    previous = tmp_path / "previous.json"
    previous.write_bytes(content)
    outcome = invoke("report", ".", "-o", "r.html", "--compare", str(previous), cwd=pilot)
    assert outcome.code == 2
    assert_one_line_error(outcome.stderr, contains=says)
    assert not (pilot / "r.html").exists()


def test_a_missing_oversized_or_special_previous_is_exit_2(
    pilot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(previous: Path, says: str) -> None:
        outcome = invoke("report", ".", "-o", "r.md", "--compare", str(previous), cwd=pilot)
        assert outcome.code == 2
        assert_one_line_error(outcome.stderr, contains=says)

    fails(tmp_path / "absent.json", "previous run not found")
    fails(tmp_path, "previous run")  # a directory

    limit = (pilot / "usmctl.toml").stat().st_size  # the config is a side file too
    monkeypatch.setattr("usmctl.load.sidefiles.MAX_SIDE_FILE_BYTES", limit)
    big = validate_json(pilot, tmp_path / "big.json")
    big.write_text(big.read_text("utf-8") + " " * limit, "utf-8")
    fails(big, "previous run")
    assert not (pilot / "r.md").exists()


def test_long_lists_are_bounded(pilot: Path, tmp_path: Path) -> None:
    findings = [
        {
            "code": f"USM{index:03d}",
            "name": "gone",
            "severity": "info",
            "message": f"gap {index}",
            "file": "old.yaml",
            "line": index + 1,
            "entity": None,
            "path": "",
            "fingerprint": f"fp{index}",
        }
        for index in range(SHOWN_RULES + 5)
    ]
    previous = tmp_path / "many.json"
    previous.write_text(json.dumps({"version": 1, "findings": findings}), "utf-8")
    text = section(report(pilot, previous))
    total = SHOWN_RULES + 5
    assert (
        f"### Resolved gaps ({total}; the first {SHOWN_GAPS} below, {total - SHOWN_GAPS} more)"
        in text
    )
    assert f"### Change per rule ({total}; the first {SHOWN_RULES} below, 5 more)" in text
    assert sum(line.startswith("| info | USM") for line in text.splitlines()) == SHOWN_GAPS
    assert f"| info | {total} | 0 | {total} | 0 |" in text


def test_the_report_never_replaces_previous(pilot: Path, tmp_path: Path) -> None:
    previous = validate_json(pilot, tmp_path / "previous.json")
    before = previous.read_bytes()
    outcome = invoke(
        "report", ".", "-o", str(previous), "--format", "html", "--force",
        "--compare", str(previous), cwd=pilot,
    )  # fmt: skip
    assert outcome.code == 2
    assert_one_line_error(outcome.stderr)
    assert previous.read_bytes() == before
