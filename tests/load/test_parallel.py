"""Parsing in worker processes (issue 17): the same files, findings and
problems as parsing in one process, whatever a worker meets."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import invoke
from usmctl.api import check
from usmctl.check.cache import CACHE_DIR, ParseCache
from usmctl.check.settings import Settings
from usmctl.core.errors import ConfigError
from usmctl.load import loader
from usmctl.load.limits import Limits
from usmctl.load.loader import LoadedFile, SourceFile, load_all, workers

forking = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="worker processes are forked on Linux only"
)

PROVIDER = """\
usm: "1"
profiles:
  - id: p{n}
    kind: provider
    name: Provider {n}
services:
  - id: p{n}-s1
    name: Service {n}
    provider: p{n}
    customers: [c{n}]
  - id: p{n}-s2
    name: Service {n} too
    provider: p{n}
    flag: yes
"""

_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
# Each kind of file that is no architecture: each becomes a finding.
HOSTILE = {
    "bomb.usm.yaml": f'usm: "1"\na: &a [x, x, x, x, x]\n{_BOMB}profiles: [*i]\n'.encode(),
    "deep.usm.yaml": ('usm: "1"\nx: ' + "[" * 500 + "]" * 500 + "\n").encode(),
    "binary.usm.yaml": b'usm: "1"\n\0\0',
    "latin1.usm.yaml": b'usm: "1"\nprofiles:\n  - id: caf\xe9\n',
    "syntax.usm.yaml": b'usm: "1"\nprofiles: [\n\t- id: x\n',
    "number.usm.yaml": b'usm: "1"\nx: ' + b"9" * 5000 + b"\n",
    "duplicate.usm.yaml": b'usm: "1"\nusm: "1"\n',
    "flow.workflow.json": b'{"name": "w", "name": "v"}',
    "scalar.usm.yaml": b"just text\n",
}


def tree(root: Path, providers: int = 24) -> Path:
    """``providers`` provider files (each with a finding or two) and every
    file of `HOSTILE` among them."""
    root.mkdir(parents=True, exist_ok=True)
    for n in range(providers):
        (root / f"p{n:03d}.usm.yaml").write_text(PROVIDER.format(n=n), encoding="utf-8")
    for name, raw in HOSTILE.items():
        (root / name).write_bytes(raw)
    return root


def read(root: Path) -> list[tuple[SourceFile, bytes]]:
    files = sorted(path for path in root.iterdir() if path.is_file() and path.name[0] != ".")
    return [
        (SourceFile(path, path.name, loader.file_kind(path.name) or "yaml"), path.read_bytes())
        for path in files
    ]


def whole(files: list[LoadedFile]) -> list[tuple[LoadedFile, Any]]:
    """Each file with its marks (which `LoadedFile` equality leaves out)."""
    return [(item, None if item.marks is None else item.marks.to_plain()) for item in files]


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many files each pool returned: a test that compares parallel with
    serial must see that the pool ran (it does not where forking is unsafe)."""
    returned: list[int] = []
    real = loader._in_pool

    def spy(*args: Any) -> list[LoadedFile]:
        done = real(*args)
        returned.append(len(done))
        return done

    monkeypatch.setattr(loader, "_in_pool", spy)
    return returned


def test_what_a_worker_returns_survives_the_way_back(tmp_path: Path) -> None:
    """A worker's files reach the parent by pickle, their data by marshal:
    every kind of file, problems and all, comes back equal."""
    files = read(tree(tmp_path))
    serial = load_all(files, Limits(), jobs=1)
    assert whole([pickle.loads(pickle.dumps(item)) for item in serial]) == whole(serial)
    assert any(item.marks is not None for item in serial)  # the marks travel too
    loader._PENDING[:] = [(files, Limits())]
    try:
        chunk = loader._load_chunk(0, len(files))
    finally:
        loader._PENDING.clear()
    assert chunk[1] is not None  # the data went by marshal
    assert whole(loader._unpacked(pickle.loads(pickle.dumps(chunk)))) == whole(serial)


@forking
def test_parallel_parse_gives_the_serial_files(tmp_path: Path, pooled: list[int]) -> None:
    files = read(tree(tmp_path))
    serial = load_all(files, Limits(), jobs=1)
    assert pooled == []
    parallel = load_all(files, Limits(), jobs=2)
    assert pooled == [len(files)]
    assert whole(parallel) == whole(serial)
    assert [item.problems for item in parallel if item.problems]  # the hostile files' findings


@forking
def test_findings_serial_and_parallel_are_the_same(tmp_path: Path, pooled: list[int]) -> None:
    root = tree(tmp_path)
    serial = invoke("validate", "--no-cache", "--format", "json", "--jobs", "1", cwd=root)
    parallel = invoke("validate", "--no-cache", "--format", "json", "--jobs", "2", cwd=root)
    assert pooled == [len(list(root.iterdir()))]
    assert serial.code == parallel.code == 1
    assert parallel.stdout == serial.stdout
    assert parallel.stderr == serial.stderr
    assert "Traceback" not in parallel.stderr
    for code in ("USM001", "USM009", "USM010", "USM002"):  # the hostile files are findings
        assert code in parallel.stdout


@forking
@pytest.mark.parametrize("failure", ["dies", "raises"])
def test_a_failing_worker_leaves_its_files_to_the_parent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int], failure: str
) -> None:
    """A worker killed (out of memory, a signal) or raising: the files it did
    not return are parsed in the parent, to the same result; no hang."""
    files = read(tree(tmp_path))
    serial = load_all(files, Limits(), jobs=1)
    parent = os.getpid()
    real = loader.load_bytes

    def failing(source: SourceFile, raw: bytes, limits: Limits) -> LoadedFile:
        if os.getpid() != parent and source.display == "p010.usm.yaml":
            if failure == "dies":
                os._exit(9)
            raise RuntimeError("worker failure")
        return real(source, raw, limits)

    monkeypatch.setattr(loader, "load_bytes", failing)
    assert whole(load_all(files, Limits(), jobs=2)) == whole(serial)
    assert pooled and pooled[0] < len(files)


@forking
def test_the_parse_cache_stores_what_the_workers_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pooled: list[int]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    root = tree(tmp_path / "arch")
    first = check(["."], Settings(jobs=2), cwd=root)
    cache = ParseCache(root / CACHE_DIR, Limits())
    again = cache.load_all(read(root), jobs=2)
    serial = load_all(read(root), Limits(), jobs=1)
    assert whole(again) == whole(serial)
    assert cache.misses == sum(item.text is None for item in serial)  # undecoded: not stored
    assert cache.hits == len(serial) - cache.misses > 0
    assert check(["."], Settings(jobs=2), cwd=root).findings == first.findings
    assert pooled[0] == len(serial)  # the first run parsed all in the pool


def test_who_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    big = loader.PARALLEL_FROM_BYTES
    assert workers(1, 1000, big) == 1  # jobs = 1: this process
    assert workers(0, 1000, big - 1) == 1  # a small run never starts the pool
    assert workers(4, 1, big) == 1  # one file: nothing to share
    monkeypatch.setattr(sys, "platform", "darwin")
    assert workers(2, 1000, big) == 1  # forked on Linux only


def test_jobs_is_checked(tmp_path: Path) -> None:
    (tmp_path / "usmctl.toml").write_text("jobs = -1\n", encoding="utf-8")
    refused = invoke("validate", cwd=tmp_path)
    assert refused.code == 2
    assert "jobs" in refused.stderr and "at least 0" in refused.stderr
    assert invoke("validate", "--jobs", "-2", "--isolated", cwd=tmp_path).code == 2


@forking
def test_meanwhile_runs_once_while_the_workers_parse(tmp_path: Path, pooled: list[int]) -> None:
    """What the parent does during the parse (a run's imports): once, with
    the workers started; without a pool, once before any file is parsed."""
    files = read(tree(tmp_path))
    serial = load_all(files, Limits(), jobs=1)
    seen: list[tuple[bool, int]] = []
    parallel = load_all(
        files,
        Limits(),
        jobs=2,
        meanwhile=lambda in_pool: seen.append((in_pool, len(multiprocessing.active_children()))),
    )
    assert pooled == [len(files)]
    assert seen == [(True, 2)]
    assert whole(parallel) == whole(serial)
    calls: list[tuple[bool, int]] = []
    progress: list[int] = []
    alone = load_all(
        files,
        Limits(),
        jobs=1,
        progress=lambda done, total: progress.append(done),
        meanwhile=lambda in_pool: calls.append((in_pool, len(progress))),
    )
    assert calls == [(False, 0)]  # before the first file was parsed
    assert whole(alone) == whole(serial)


@forking
def test_what_meanwhile_raises_stops_the_workers_and_is_raised(
    tmp_path: Path, pooled: list[int]
) -> None:
    files = read(tree(tmp_path))

    def failing(in_pool: bool) -> None:
        raise ConfigError("no catalogue")

    with pytest.raises(ConfigError, match="no catalogue"):
        load_all(files, Limits(), jobs=2, meanwhile=failing)
    assert multiprocessing.active_children() == []
    assert loader._PENDING == []


@forking
def test_a_config_error_during_the_parallel_parse_is_one_line(tmp_path: Path) -> None:
    """The catalogue is read while the workers parse: a missing one is the
    same usage error (exit 2, one line) as in a serial run."""
    root = tree(tmp_path)
    runs = [
        invoke("validate", "--no-cache", "--jobs", jobs, "--catalogue", "missing.yaml", cwd=root)
        for jobs in ("1", "2")
    ]
    assert runs[0].code == runs[1].code == 2
    assert runs[0].stderr == runs[1].stderr
    assert len(runs[1].stderr.strip().splitlines()) == 1
    assert "missing.yaml" in runs[1].stderr
