"""Item 12 of the security issue: inputs that made a run quadratic now take
near-linear time. Each bound is generous (a loaded CI machine); before the fix
each input took tens of seconds to minutes."""

from __future__ import annotations

import time
from pathlib import Path

from usmctl.api import check
from usmctl.check.settings import Settings
from usmctl.core.suggest import Choices, suggest

BOUND = 20.0  # seconds, in process; the quadratic versions took 25 s to > 120 s


def timed_check(tmp_path: Path, name: str, lines: list[str]) -> tuple[float, list[str]]:
    path = tmp_path / name
    path.write_text("\n".join(['usm: "1"', *lines]) + "\n", encoding="utf-8")
    start = time.perf_counter()
    result = check([str(path)], Settings(use_cache=False), cwd=tmp_path)
    return time.perf_counter() - start, [finding.code for finding in result.findings]


def test_did_you_mean_over_thousands_of_ids(tmp_path: Path) -> None:
    lines = ["profiles:"]
    for i in range(3000):
        lines += [f"  - id: team-{i:05d}", "    kind: provider", f"    name: Team {i}"]
    lines.append("services:")
    for i in range(3000):
        lines += [f"  - id: svc-{i:05d}", f"    name: S {i}", f"    provider: team-{i:05d}x"]
    elapsed, codes = timed_check(tmp_path, "many.usm.yaml", lines)
    assert codes.count("USM006") == 3000
    assert elapsed < BOUND


def test_did_you_mean_still_finds_the_typo() -> None:
    ids = [f"team-{i:05d}" for i in range(1000)] + ["workplace", "service-desk"]
    assert suggest("workplce", Choices(ids)) == ' (did you mean "workplace"?)'
    assert suggest("servce-desk", ids) == ' (did you mean "service-desk"?)'
    assert suggest("team-00042x", ids) == ' (did you mean "team-00042"?)'
    assert suggest("zzz", ids) == ""


def test_salvage_of_a_list_alternating_good_and_bad_items(tmp_path: Path) -> None:
    lines = [
        "profiles:",
        "  - {id: c, kind: customer, name: C}",
        "  - {id: p, kind: provider, name: P}",
        "services:",
        "  - id: s",
        "    name: S",
        "    provider: p",
        "    customers:",
    ]
    for _ in range(8000):
        lines += ["      - c", "      - [x]"]
    elapsed, codes = timed_check(tmp_path, "salvage.usm.yaml", lines)
    assert codes.count("USM003") == 8000
    assert elapsed < BOUND


def test_thousands_of_suppression_comments(tmp_path: Path) -> None:
    lines = ["profiles:"]
    for i in range(6000):
        lines += [
            f"  - id: team-{i:05d}  # usmctl: ignore[USM404] reason {i}",
            "    kind: provider",
            f"    name: 'Team # usmctl: ignore[USM404] not a comment {i}'",
        ]
    elapsed, codes = timed_check(tmp_path, "suppressed.usm.yaml", lines)
    assert "USM404" not in codes
    assert codes.count("USM011") == 6000  # each comment hid nothing: unused
    assert elapsed < BOUND
