"""Baselines (SPEC §4): --write-baseline records, --baseline hides exactly those."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import invoke
from tests.support.factories import WriteFiles, checked
from usmctl.check.settings import Settings
from usmctl.core.findings import fingerprint

ARCH = """\
usm: "1"
profiles:
  - id: acme-it
    kind: provider
services:
  - id: workplace
    name: Workplace
    provider: acme-it
    customers: [ghost]
  - id: printing
    name: Printing
    provider: acme-it
    customers: [acme-it]
"""


ONLY = Settings(select=("USM0",))


def findings(stdout: str) -> list[tuple[str, str | None]]:
    return [(item["code"], item["entity"]) for item in json.loads(stdout)["findings"]]


def test_write_baseline_records_fingerprints(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    status, _, _ = invoke(
        "validate", "--select", "USM0", "--write-baseline", "baseline.json", cwd=root
    )
    assert status == 1
    document = json.loads((root / "baseline.json").read_text(encoding="utf-8"))
    (finding,) = checked(root, ONLY).findings
    assert document == {
        "version": 1,
        "fingerprints": {
            finding.fingerprint: {
                "code": "USM006",
                "file": "a.usm.yaml",
                "entity": "workplace",
                "path": "services[workplace].customers[0]",
            }
        },
    }
    assert not list(root.glob(".baseline.json.*"))  # no temporary file left behind


def test_baseline_hides_recorded_findings_and_counts_them(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    invoke("validate", "--select", "USM0", "--write-baseline", "baseline.json", cwd=root)
    status, stdout, _ = invoke(
        "validate", "--select", "USM0", "--baseline", "baseline.json", cwd=root
    )
    assert status == 0
    assert stdout == "All checks passed: no findings in 1 file; 1 in baseline.\n"


def test_moving_a_block_keeps_it_hidden(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    invoke("validate", "--select", "USM0", "--write-baseline", "baseline.json", cwd=root)
    head, services = ARCH.split("services:\n")
    workplace, printing = services.split("  - id: printing\n")
    moved = head + "services:\n  - id: printing\n" + printing + workplace
    (root / "a.usm.yaml").write_text("# a new first line\n" + moved, encoding="utf-8")
    before = checked(root, ONLY).findings[0]
    assert before.line != 9  # it really moved
    status, stdout, _ = invoke(
        "validate", "--select", "USM0", "--baseline", "baseline.json", "--format", "json", cwd=root
    )
    assert (status, findings(stdout)) == (0, [])


def test_same_rule_on_another_entity_is_still_reported(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    invoke("validate", "--select", "USM0", "--write-baseline", "baseline.json", cwd=root)
    (root / "a.usm.yaml").write_text(
        ARCH.replace("customers: [acme-it]", "customers: [phantom]"), encoding="utf-8"
    )
    status, stdout, _ = invoke(
        "validate", "--select", "USM0", "--baseline", "baseline.json", "--format", "json", cwd=root
    )
    assert (status, findings(stdout)) == (1, [("USM006", "printing")])


def test_fixed_finding_leaves_a_stale_entry(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    invoke("validate", "--select", "USM0", "--write-baseline", "baseline.json", cwd=root)
    (root / "a.usm.yaml").write_text(ARCH.replace("[ghost]", "[acme-it]"), encoding="utf-8")
    result = checked(root, Settings(baseline=root / "baseline.json", select=ONLY.select))
    assert (result.baselined, result.stale_baseline) == (0, 1)
    status, stdout, _ = invoke(
        "validate", "--select", "USM0", "--baseline", "baseline.json", cwd=root
    )
    assert status == 0
    assert "1 stale baseline entries" in stdout
    # Entries of rules that did not run are not called stale.
    result = checked(root, Settings(baseline=root / "baseline.json", select=("USM004",)))
    assert result.stale_baseline == 0


def test_rewriting_a_baseline_keeps_what_it_hid(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    invoke("validate", "--select", "USM0", "--write-baseline", "baseline.json", cwd=root)
    first = (root / "baseline.json").read_text(encoding="utf-8")
    invoke(
        "validate",
        "--select",
        "USM0",
        "--baseline",
        "baseline.json",
        "--write-baseline",
        "baseline.json",
        cwd=root,
    )
    assert (root / "baseline.json").read_text(encoding="utf-8") == first


def test_write_baseline_refuses_to_overwrite_an_input(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    status, _, stderr = invoke(
        "validate", "--select", "USM0", "--write-baseline", "a.usm.yaml", cwd=root
    )
    assert status == 2
    assert "refusing to overwrite an input file" in stderr
    assert (root / "a.usm.yaml").read_text(encoding="utf-8") == ARCH


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "baseline not found"),
        ("{", "baseline is not valid JSON"),
        ('{"version": 2, "fingerprints": {}}', "not a usmctl baseline"),
        ('{"version": 1, "fingerprints": []}', '"fingerprints" must be an object'),
        ('{"version": 1, "fingerprints": {"x": {"code": 1}}}', "needs code, file and path"),
    ],
)
def test_bad_baseline_is_exit_2(
    content: str | None,
    expected: str,
    write_files: WriteFiles,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = write_files({"a.usm.yaml": ARCH})
    if content is not None:
        (root / "baseline.json").write_text(content, encoding="utf-8")
    status, stdout, stderr = invoke(
        "validate", "--select", "USM0", "--baseline", "baseline.json", cwd=root
    )
    assert (status, stdout) == (2, "")
    assert expected in stderr


def profiles_c(count: int) -> str:
    return 'usm: "1"\nprofiles:\n' + "  - {id: c, kind: customer}\n" * count


def test_repeated_findings_get_unique_line_independent_fingerprints(
    write_files: WriteFiles,
) -> None:
    root = write_files({"a.usm.yaml": profiles_c(3)})
    first, second = checked(root, Settings(select=("USM005",))).findings
    assert (first.path, second.path) == ("profiles[c].id", "profiles[c].id")
    assert first.fingerprint == fingerprint("USM005", "a.usm.yaml", "c", "profiles[c].id")
    assert second.fingerprint != first.fingerprint
    (root / "a.usm.yaml").write_text("# moved\n\n" + profiles_c(3), encoding="utf-8")
    moved = checked(root, Settings(select=("USM005",))).findings
    assert [f.fingerprint for f in moved] == [first.fingerprint, second.fingerprint]


def test_baseline_of_repeated_findings_reports_new_repeats(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_files({"a.usm.yaml": profiles_c(3)})
    invoke("validate", "--select", "USM0", "--write-baseline", "baseline.json", cwd=root)
    recorded = json.loads((root / "baseline.json").read_text(encoding="utf-8"))
    assert len(recorded["fingerprints"]) == 2
    (root / "a.usm.yaml").write_text(profiles_c(5), encoding="utf-8")
    status, stdout, _ = invoke(
        "validate", "--select", "USM0", "--baseline", "baseline.json", "--format", "json", cwd=root
    )
    assert (status, findings(stdout)) == (1, [("USM005", "c"), ("USM005", "c")])
    assert [item["line"] for item in json.loads(stdout)["findings"]] == [6, 7]
