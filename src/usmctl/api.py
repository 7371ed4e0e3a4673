"""The programmatic entry point: what the CLI and the tests call."""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from usmctl.check import baseline
from usmctl.check.cache import CACHE_DIR, CachedRun, FindingsCache, ParseCache
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings
from usmctl.core.errors import ConfigError
from usmctl.core.findings import Finding, printable
from usmctl.load.loader import LoadedFile, SourceFile, discover, file_kind, load_bytes, read_raw
from usmctl.model.usm import read_catalogue

if TYPE_CHECKING:
    from usmctl.model.architecture import Architecture
    from usmctl.model.catalogue import Catalogue

STDIN = "-"
Progress = Callable[[int, int], None]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a run builds its data.

    A run allocates millions of small, long-lived, acyclic objects (parsed
    data, nodes, models); each allocation burst triggers collections that scan
    all of them again, which cost a third of a large run. Reference counting
    still frees everything; the collector is restored afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Read = tuple[SourceFile, bytes]


def read_files(
    paths: Sequence[str],
    settings: Settings,
    *,
    cwd: Path,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
) -> tuple[list[Read], list[LoadedFile]]:
    """Discover every architecture file named by ``paths`` and read its bytes.

    Returns the files read, and those that cannot be read (USM009/USM010) as
    loaded files with their problem.
    """
    read: list[Read] = []
    unreadable: list[LoadedFile] = []
    on_disk = [path for path in paths if path != STDIN]
    name = stdin_filename or "stdin.usm.yaml"
    if on_disk or stdin is None:
        sources, broken = discover(
            on_disk or ["."],
            cwd=cwd,
            include=settings.include,
            exclude=settings.exclude,
            follow_links=settings.follow_links,
        )
        unreadable.extend(broken)
        if stdin is not None:  # standard input stands for the file it names
            sources = _without(sources, cwd / name)
        for source in sources:
            raw = read_raw(source, settings.limits)
            if isinstance(raw, LoadedFile):
                unreadable.append(raw)
            else:
                read.append((source, raw))
    if stdin is not None:
        shown = printable(name, exact=True)  # as a file name found on disk
        read.append((SourceFile(cwd / name, shown, file_kind(name) or "yaml"), stdin))
    return read, unreadable


def _without(sources: list[SourceFile], path: Path) -> list[SourceFile]:
    """``sources`` but the file at ``path`` (an editor's unsaved buffer on
    standard input replaces it; read both, every id would be USM005)."""
    real = os.path.realpath(path)
    return [source for source in sources if os.path.realpath(source.path) != real]


def parse_files(
    read: Sequence[Read],
    settings: Settings,
    *,
    cwd: Path,
    cached: bool,
    progress: Progress | None = None,
) -> list[LoadedFile]:
    """Decode and parse files read; ``progress(done, total)`` after each one.

    ``cached``: use the parse cache (not for a run that reads stdin, which
    leaves nothing behind).
    """
    cache = None
    if cached and settings.use_cache and read:
        cache = ParseCache(cwd / CACHE_DIR, settings.limits)
    loaded: list[LoadedFile] = []
    for done, (source, raw) in enumerate(read, start=1):
        loaded.append(
            cache.load(source, raw)
            if cache is not None
            else load_bytes(source, raw, settings.limits)
        )
        if progress is not None:
            progress(done, len(read))
    return loaded


def check(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    progress: Progress | None = None,
    findings_only: bool = False,
) -> RunResult:
    """Validate the architecture under ``paths``; raise only for usage errors.

    ``findings_only`` (``usmctl validate``) lets a re-run on unchanged input
    take its findings from the findings cache; the result then has no model.
    """
    settings = settings or Settings()
    cwd = cwd or Path.cwd()
    with gc_paused():
        read, unreadable = read_files(
            paths, settings, cwd=cwd, stdin=stdin, stdin_filename=stdin_filename
        )
        shown = tuple(
            sorted([loaded.source.display for loaded in unreadable] + [s.display for s, _ in read])
        )
        cache, state, catalogue_raw = None, "", None
        if findings_only and settings.use_cache and stdin is None and not unreadable:
            cache, state, catalogue_raw = _findings_cache(paths, settings, cwd=cwd, read=read)
        found = cache.get(state) if cache is not None else None
        architecture: Architecture | None = None
        catalogue: Catalogue | None = None
        if found is None:
            # start-up: engine and catalogue import pydantic and PyYAML; a warm run needs neither
            from usmctl.check.engine import run
            from usmctl.model.catalogue import load_catalogue

            catalogue = load_catalogue(
                settings.catalogue,
                raw=catalogue_raw,
                repository=settings.repository,
                named=settings.catalogue_named,
            )
            files = unreadable + parse_files(
                read, settings, cwd=cwd, cached=stdin is None, progress=progress
            )
            files.sort(key=lambda item: item.source.display)
            result = run(files, catalogue, settings)
            architecture = result.architecture
            found = CachedRun(result.findings, result.suppressed, result.enabled)
            if cache is not None:
                cache.put(state, found)
    findings = found.findings
    hidden: tuple[Finding, ...] = ()
    stale = 0
    if settings.baseline is not None:
        filtered = baseline.apply(
            findings,
            baseline.load(settings.baseline, repository=settings.repository),
            files=shown,
            enabled=found.enabled,
        )
        findings, hidden, stale = filtered.findings, filtered.hidden, filtered.stale
    return RunResult(
        findings=findings,
        files=shown,
        architecture=architecture,
        catalogue=catalogue,
        suppressed=found.suppressed,
        baselined=len(hidden),
        stale_baseline=stale,
        baselined_findings=hidden,
        custom_rules=settings.custom_rules,
    )


def _findings_cache(
    paths: Sequence[str], settings: Settings, *, cwd: Path, read: Sequence[Read]
) -> tuple[FindingsCache | None, str, bytes | None]:
    """The findings cache for this kind of run, the state of its input, and the
    catalogue's bytes that state covers (the run checks those, not a re-read)."""
    try:
        catalogue = read_catalogue(
            settings.catalogue, repository=settings.repository, named=settings.catalogue_named
        )
    except ConfigError:
        return None, "", None  # the run reports it
    # The baseline is applied to the findings afterwards: not part of the run.
    identity = "\0".join([repr(dataclasses.replace(settings, baseline=None)), str(cwd), *paths])
    cache = FindingsCache(cwd / CACHE_DIR, identity)
    return cache, FindingsCache.state(read, catalogue), catalogue
