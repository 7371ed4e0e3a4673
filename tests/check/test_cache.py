"""The parse cache (issue 6): hits, misses, corrupt entries, --no-cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from usmctl.api import check
from usmctl.check.cache import CACHE_DIR, ParseCache, local_secret
from usmctl.check.settings import Settings
from usmctl.load.limits import Limits
from usmctl.load.loader import LoadedFile, SourceFile

TEXT = b'usm: "1"\nprofiles:\n  - id: acme\n    kind: customer\n    kind: provider\n'


@pytest.fixture(autouse=True)
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test signs with a key of its own, under its own cache home."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))


def load(cache: ParseCache, raw: bytes, name: str = "a.usm.yaml") -> LoadedFile:
    source = SourceFile(Path(name), name, "yaml")
    return cache.load(source, raw)


def entries(root: Path) -> list[Path]:
    """The cache entries under ``root`` (not the cache's own .gitignore)."""
    return [
        path
        for path in (root / CACHE_DIR).rglob("*")
        if path.is_file() and path.name != ".gitignore"
    ]


def test_second_read_is_a_hit_with_the_same_data_and_problems(tmp_path: Path) -> None:
    cold = load(ParseCache(tmp_path / CACHE_DIR, Limits()), TEXT)
    cache = ParseCache(tmp_path / CACHE_DIR, Limits())
    warm = load(cache, TEXT)
    assert (cache.hits, cache.misses) == (1, 0)
    assert warm.data == cold.data
    assert warm.text == cold.text
    assert warm.problems == cold.problems
    assert [problem.code for problem in warm.problems] == ["USM002"]


def test_changed_content_or_name_is_a_miss(tmp_path: Path) -> None:
    load(ParseCache(tmp_path / CACHE_DIR, Limits()), TEXT)
    cache = ParseCache(tmp_path / CACHE_DIR, Limits())
    changed = load(cache, TEXT.replace(b"acme", b"acme2"))
    renamed = load(cache, TEXT, name="b.usm.yaml")
    assert (cache.hits, cache.misses) == (0, 2)
    assert changed.data["profiles"][0]["id"] == "acme2"
    assert renamed.source.display == "b.usm.yaml"


def test_other_limits_are_a_miss(tmp_path: Path) -> None:
    load(ParseCache(tmp_path / CACHE_DIR, Limits()), TEXT)
    cache = ParseCache(tmp_path / CACHE_DIR, Limits(max_depth=3))
    load(cache, TEXT)
    assert cache.hits == 0


def test_corrupt_or_truncated_entries_are_ignored(tmp_path: Path) -> None:
    expected = load(ParseCache(tmp_path / CACHE_DIR, Limits()), TEXT)
    [entry] = entries(tmp_path)
    blob = entry.read_bytes()
    for damaged in (b"", b"garbage", blob[: len(blob) // 2], blob[:-1] + b"\x00"):
        entry.write_bytes(damaged)
        cache = ParseCache(tmp_path / CACHE_DIR, Limits())
        again = load(cache, TEXT)
        assert (cache.hits, cache.misses) == (0, 1)
        assert again.data == expected.data
        assert again.problems == expected.problems


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    (tmp_path / "a.usm.yaml").write_bytes(TEXT)
    check(["."], Settings(use_cache=False), cwd=tmp_path)
    assert not (tmp_path / CACHE_DIR).exists()
    cached = check(["."], Settings(), cwd=tmp_path)
    assert (tmp_path / CACHE_DIR / ".gitignore").exists()
    [entry] = entries(tmp_path)
    entry.write_bytes(b"garbage")
    bypassed = check(["."], Settings(use_cache=False), cwd=tmp_path)
    assert entry.read_bytes() == b"garbage"
    assert bypassed.findings == cached.findings
    assert check(["."], Settings(), cwd=tmp_path).findings == cached.findings


def test_an_entry_signed_elsewhere_is_ignored(tmp_path: Path) -> None:
    """A cache committed to a repository cannot vouch for its files."""
    planted = load(ParseCache(tmp_path / CACHE_DIR, Limits(), secret=b"k" * 32), TEXT)
    assert [problem.code for problem in planted.problems] == ["USM002"]
    cache = ParseCache(tmp_path / CACHE_DIR, Limits())
    again = load(cache, TEXT)
    assert (cache.hits, cache.misses) == (0, 1)
    assert again.problems == planted.problems


def test_the_key_is_kept_outside_the_tree_and_private(tmp_path: Path) -> None:
    secret = local_secret()
    path = tmp_path / "home-cache" / "usmctl" / "cache-key"
    assert secret is not None and path.read_bytes() == secret
    assert path.stat().st_mode & 0o077 == 0
    assert local_secret() == secret


def test_without_a_key_there_is_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert local_secret() is None
    (tmp_path / "a.usm.yaml").write_bytes(TEXT)
    check(["."], Settings(), cwd=tmp_path)
    assert not entries(tmp_path)
