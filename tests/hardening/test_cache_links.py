"""The cache in a hostile checkout (issue 12, item 4).

A pull request controls ``.usmctl_cache``: it can commit it as a link, put
links, FIFOs or device links inside it, or a dangling ``.gitignore`` link.
usmctl never writes through a link at any level, reads only regular files of
bounded size, and keeps the cache's size bounded.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import cli_command, cli_env
from tests.support.paths import EXAMPLES
from usmctl.api import check
from usmctl.check import cache as cache_module
from usmctl.check.cache import CACHE_DIR, ParseCache
from usmctl.check.settings import Settings
from usmctl.load.limits import Limits
from usmctl.load.loader import LoadedFile, SourceFile

TEXT = b'usm: "1"\nprofiles:\n  - id: acme\n    kind: customer\n'
KEY = b"s" * 32


@pytest.fixture(autouse=True)
def own_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))


def load(cache: ParseCache, raw: bytes = TEXT, name: str = "a.usm.yaml") -> LoadedFile:
    source = SourceFile(Path(name), name, "yaml")
    return cache.load(source, raw)


def entries(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file() and path.name != ".gitignore")


def tree(root: Path) -> list[str]:
    """Every name under ``root`` (links not followed)."""
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def pilot(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLES / "pilot", root, ignore=shutil.ignore_patterns(CACHE_DIR))
    return root


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-directory", "dangling"])
def test_a_committed_cache_link_is_not_written_through(tmp_path: Path, dangling: bool) -> None:
    root = pilot(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "missing" if dangling else outside
    (root / CACHE_DIR).symlink_to(target)
    first = check(["."], Settings(), cwd=root, findings_only=True)
    again = check(["."], Settings(), cwd=root, findings_only=True)
    assert again.findings == first.findings
    assert tree(outside) == []
    assert (root / CACHE_DIR).is_symlink()  # left as it was, not replaced either


def test_links_inside_the_cache_are_not_written_through(tmp_path: Path) -> None:
    root = pilot(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    cache_dir = root / CACHE_DIR
    cache_dir.mkdir()
    (cache_dir / ".gitignore").symlink_to(outside / "planted")  # dangling
    (cache_dir / "runs-v1").symlink_to(outside)
    parse = cache_dir / "v2"
    parse.mkdir()
    for shard in range(256):
        (parse / f"{shard:02x}").symlink_to(outside)
    result = check(["."], Settings(), cwd=root, findings_only=True)
    assert check(["."], Settings(), cwd=root, findings_only=True).findings == result.findings
    assert tree(outside) == []


def test_an_entry_that_is_a_link_is_not_read(tmp_path: Path) -> None:
    cache_dir = tmp_path / CACHE_DIR
    load(ParseCache(cache_dir, Limits(), secret=KEY))
    [entry] = entries(cache_dir)
    moved = tmp_path / "elsewhere"
    entry.rename(moved)
    entry.symlink_to(moved)  # a valid, signed entry, but behind a link
    cache = ParseCache(cache_dir, Limits(), secret=KEY)
    load(cache)
    assert (cache.hits, cache.misses) == (0, 1)


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_fifo_and_device_entries_are_ignored(tmp_path: Path) -> None:
    """A FIFO entry blocked the run; a link to /dev/zero read until memory ran out."""
    root = pilot(tmp_path)
    env = cli_env({"XDG_CACHE_HOME": str(tmp_path / "home-cache")})
    command = cli_command("validate", "--format", "json", ".")
    clean = subprocess.run(command, cwd=root, env=env, capture_output=True, timeout=60, check=False)
    planted = entries(root / CACHE_DIR)
    assert planted  # parse entries and the run's findings entry
    for number, entry in enumerate(planted):
        entry.unlink()
        if number % 2:
            os.mkfifo(entry)
        else:
            entry.symlink_to("/dev/zero")
    again = subprocess.run(
        command,
        cwd=root,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
        preexec_fn=_limit_memory,
    )
    assert again.returncode == clean.returncode, again.stderr
    assert again.stdout == clean.stdout


def test_the_cache_is_pruned_to_its_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every edit used to add an entry forever."""
    monkeypatch.setattr(cache_module, "MAX_CACHE_ENTRIES", 20, raising=False)
    cache_dir = tmp_path / CACHE_DIR
    for edit in range(60):
        load(ParseCache(cache_dir, Limits(), secret=KEY), TEXT + f"# edit {edit}\n".encode())
    assert 0 < len(entries(cache_dir)) <= 20
    # The newest entry survives the pruning.
    cache = ParseCache(cache_dir, Limits(), secret=KEY)
    load(cache, TEXT + b"# edit 59\n")
    assert cache.hits == 1


def test_an_oversized_entry_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir = tmp_path / CACHE_DIR
    load(ParseCache(cache_dir, Limits(), secret=KEY))
    [entry] = entries(cache_dir)
    monkeypatch.setattr(cache_module, "MAX_ENTRY_BYTES", entry.stat().st_size - 1, raising=False)
    cache = ParseCache(cache_dir, Limits(), secret=KEY)
    load(cache)
    assert cache.hits == 0
