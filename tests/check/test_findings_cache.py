"""The findings cache (issue 6): a re-run of ``validate`` on unchanged input
reuses the findings; any change to the files, settings or catalogue misses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.paths import EXAMPLES, SRC
from usmctl.api import check
from usmctl.check.baseline import render as render_baseline
from usmctl.check.cache import CACHE_DIR, CachedRun, FindingsCache
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings

SERVICES = """\
usm: "1"
profiles:
  - {id: acme-it, kind: provider}
services:
  - id: laundry
    provider: acme-it
    facility: {description: Clean linen every day}
"""


@pytest.fixture(autouse=True)
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test signs with a key of its own, under its own cache home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "arch"
    folder.mkdir()
    (folder / "services.usm.yaml").write_text(SERVICES, encoding="utf-8")
    return folder


def validate(root: Path, settings: Settings | None = None) -> RunResult:
    return check(["."], settings or Settings(), cwd=root, findings_only=True)


def codes(result: RunResult) -> list[str]:
    return [finding.code for finding in result.findings]


def run_entries(root: Path) -> list[Path]:
    return [path for path in (root / CACHE_DIR).glob("runs-*/*/*") if path.is_file()]


def test_a_rerun_on_unchanged_files_reuses_the_findings(root: Path) -> None:
    cold = validate(root)
    assert cold.architecture is not None  # the model was built
    warm = validate(root)
    assert warm.architecture is None  # nothing was built: the findings came from the cache
    assert warm.findings == cold.findings
    assert warm.files == cold.files
    assert "USM402" in codes(warm)


def test_an_edit_misses_and_replaces_the_entry(root: Path) -> None:
    validate(root)
    [entry] = run_entries(root)
    fixed = SERVICES + "    support: {description: Help with the linen}\n"
    (root / "services.usm.yaml").write_text(fixed, encoding="utf-8")
    after = validate(root)
    assert after.architecture is not None
    assert "USM402" not in codes(after)
    assert run_entries(root) == [entry]  # one entry per kind of run: edits do not pile up
    assert validate(root).findings == after.findings


def test_a_new_file_misses(root: Path) -> None:
    validate(root)
    (root / "more.usm.yaml").write_text(
        'usm: "1"\nprofiles:\n  - {id: idle, kind: customer}\n', encoding="utf-8"
    )
    result = validate(root)
    assert result.architecture is not None
    assert "USM102" in codes(result)


def test_other_settings_are_another_entry(root: Path) -> None:
    everything = validate(root)
    narrowed = validate(root, Settings(select=("USM402",)))
    assert narrowed.architecture is not None
    assert codes(narrowed) == ["USM402"] != codes(everything)
    assert validate(root).findings == everything.findings
    assert len(run_entries(root)) == 2


def test_a_changed_catalogue_misses(root: Path, tmp_path: Path) -> None:
    catalogue = tmp_path / "catalogue.yaml"
    builtin = SRC / "usmctl" / "data" / "catalogue.yaml"
    shutil.copyfile(builtin, catalogue)
    settings = Settings(catalogue=catalogue)
    validate(root, settings)
    assert validate(root, settings).architecture is None
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert validate(root, settings).architecture is not None


def test_the_baseline_applies_to_cached_findings(root: Path, tmp_path: Path) -> None:
    cold = validate(root)
    baseline = tmp_path / "baseline.json"
    baseline.write_text(
        render_baseline(finding for finding in cold.findings if finding.code == "USM402"),
        encoding="utf-8",
    )
    warm = validate(root, Settings(baseline=baseline))
    assert warm.architecture is None  # the baseline is not part of the cached run
    assert "USM402" not in codes(warm)
    assert warm.baselined == 1


def _cache_at(entry: Path, *, secret: bytes | None = None) -> FindingsCache:
    """A findings cache writing the entry ``entry`` (with this user's key by default)."""
    cache = FindingsCache(entry.parents[2], "", secret=secret)
    cache.key = entry.name
    return cache


def _state_of(entry: Path) -> str:
    payload = _cache_at(entry).store.read(entry.name)
    assert payload is not None
    state: str = json.loads(payload)[1]
    return state


NOTHING = CachedRun((), 0, frozenset())


def test_damaged_entries_are_misses(root: Path) -> None:
    cold = validate(root)
    [entry] = run_entries(root)
    blob = entry.read_bytes()
    for damaged in (b"", b"garbage", blob[: len(blob) // 2], blob[:-1] + b"}"):
        entry.write_bytes(damaged)
        again = validate(root)
        assert again.architecture is not None
        assert again.findings == cold.findings


def test_an_entry_signed_elsewhere_is_not_trusted(root: Path) -> None:
    """A pull request cannot plant "no findings" for its broken files."""
    cold = validate(root)
    [entry] = run_entries(root)
    state = _state_of(entry)
    _cache_at(entry, secret=b"k" * 32).put(state, NOTHING)
    planted = validate(root)
    assert planted.architecture is not None
    assert planted.findings == cold.findings
    # The same entry signed with this user's key is what a hit returns.
    _cache_at(entry).put(state, NOTHING)
    assert validate(root).findings == ()


def test_no_cache_and_plain_check_do_not_use_it(root: Path) -> None:
    check(["."], Settings(use_cache=False), cwd=root, findings_only=True)
    check(["."], Settings(), cwd=root)  # the report's kind of run needs the model
    assert run_entries(root) == []


def test_the_cli_prints_the_same_on_a_warm_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(EXAMPLES / "broken", tmp_path / "broken")
    monkeypatch.chdir(tmp_path)
    cold = invoke("validate", "broken", "--format", "json")
    warm = invoke("validate", "broken", "--format", "json")
    assert run_entries(tmp_path)
    assert cold.code == warm.code == 1
    assert warm.stdout == cold.stdout
    assert json.loads(warm.stdout)["summary"]["findings"] > 50


def test_an_upgraded_dependency_misses(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new PyYAML or pydantic may parse or validate differently."""
    import os

    from usmctl.check import cache

    library = tmp_path / "lib"
    library.mkdir()
    module = library / "fake_dependency.py"
    module.write_text("VERSION = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(library))
    monkeypatch.setattr(cache, "_FINDING_DEPENDENCIES", ("fake_dependency",))
    validate(root)
    assert validate(root).architecture is None
    module.write_text("VERSION = 22\n", encoding="utf-8")  # "upgraded"
    os.utime(module, ns=(1, 1))
    assert validate(root).architecture is not None
