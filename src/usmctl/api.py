"""The programmatic entry point: what the CLI and the tests call."""

from __future__ import annotations

import dataclasses
import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from usmctl.check import baseline
from usmctl.check.cache import CACHE_DIR, CachedRun, FindingsCache, ParseCache
from usmctl.check.config import CONFIG_FILE, PYPROJECT, architecture_root
from usmctl.check.result import RunResult
from usmctl.check.settings import Settings
from usmctl.core.errors import ConfigError
from usmctl.core.findings import Finding, printable
from usmctl.load.loader import (
    LoadedFile,
    Progress,
    SourceFile,
    discover,
    file_kind,
    load_all,
    load_bytes,
    read_raw,
)
from usmctl.model.usm import read_catalogue

if TYPE_CHECKING:
    from usmctl.model.architecture import Architecture
    from usmctl.model.catalogue import Catalogue
    from usmctl.rules.indexes import Indexes

STDIN = "-"


@contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while a run builds its data: what
    a process that owns its interpreter (the command line, the language
    server) wraps a check in; `check` itself leaves the caller's collector alone.

    A run allocates millions of small, long-lived, acyclic objects (parsed
    data, nodes, models); each allocation burst triggers collections that scan
    all of them again, which cost a third of a large run. Reference counting
    still frees everything; the collector is restored afterwards.

    ``freeze``: the objects that exist when the run ends are moved to the
    collector's permanent generation (`gc.freeze`) before it resumes. Else the
    first collection after the run scans every one of them (all are young to
    the paused collector: 0.1-0.2 s at 10,000 services). For a process that
    exits after the run (the command line): cyclic garbage of the run is then
    freed at exit, not before.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
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
    cached: bool = True,
    buffer: SourceFile | None = None,
    progress: Progress | None = None,
    meanwhile: Callable[[bool], object] | None = None,
) -> list[LoadedFile]:
    """Decode and parse files read; ``progress(done, total)`` after each one.

    ``cached``: through the parse cache (unless the settings say not);
    ``buffer``: standard input's file, parsed without it (an editor's unsaved
    buffer leaves nothing behind; the files around it are cached);
    ``meanwhile``: called once, while worker processes parse (`load_all`).
    """
    cached = cached and settings.use_cache and any(source is not buffer for source, _ in read)
    if not cached:
        return load_all(
            read, settings.limits, jobs=settings.jobs, progress=progress, meanwhile=meanwhile
        )
    cache = ParseCache(cwd / CACHE_DIR, settings.limits)
    stored = [item for item in read if item[0] is not buffer]
    loaded = cache.load_all(stored, jobs=settings.jobs, progress=progress, meanwhile=meanwhile)
    for index, (source, raw) in enumerate(read):
        if source is buffer:
            loaded.insert(index, load_bytes(source, raw, settings.limits))
    return loaded


def architectures_of(
    paths: Sequence[str], *, cwd: Path, stdin_filename: str | None = None
) -> dict[Path, list[str]] | None:
    """The files named by ``paths`` by the architecture each belongs to: its
    root, `architecture_root` of the file's folder (``-`` stands for
    ``stdin_filename``), in the order given.

    None when ``paths`` names a directory (it is checked as it is), or
    standard input without ``stdin_filename`` (a buffer that is no file of
    any architecture), or nothing.
    """
    if not paths or any(path != STDIN and os.path.isdir(cwd / path) for path in paths):
        return None
    if STDIN in paths and stdin_filename is None:
        return None
    roots: dict[Path, Path] = {}  # folder -> root: files share folders
    groups: dict[Path, list[str]] = {}
    for path in paths:
        folder = (cwd / _file_named(path, stdin_filename)).parent
        if folder not in roots:
            roots[folder] = architecture_root(folder)
        groups.setdefault(roots[folder], []).append(path)
    return groups


def _file_named(path: str, stdin_filename: str | None) -> str:
    """The file ``path`` names: standard input stands for ``stdin_filename``."""
    return stdin_filename or path if path == STDIN else path


def check(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    progress: Progress | None = None,
    findings_only: bool = False,
    in_context: bool = False,
) -> RunResult:
    """Validate the architecture under ``paths``; raise only for usage errors.

    ``findings_only`` (``usmctl validate``) lets a re-run on unchanged input
    take its findings from the findings cache; the result then has no model,
    and its findings carry no fix (none of validate's formats shows one, and
    planning an exact edit means reading the file again).
    ``in_context``: when ``paths`` name files (or standard input with its
    ``stdin_filename``), read the whole architecture they belong to
    (`architectures_of`, the config's include and exclude applying) and report
    only the findings in those files or naming them (`usmctl.check.engine.run`);
    the other files are the result's ``context``.
    """
    settings = settings or Settings()
    cwd = cwd or Path.cwd()
    groups = architectures_of(paths, cwd=cwd, stdin_filename=stdin_filename) if in_context else None
    if groups is not None and len(groups) > 1:  # one run per architecture: their ids may clash
        return _merged(
            [
                check(
                    group,
                    settings,
                    cwd=cwd,
                    stdin=stdin if STDIN in group else None,
                    stdin_filename=stdin_filename,
                    progress=progress,
                    findings_only=findings_only,
                    in_context=True,
                )
                for group in groups.values()
            ]
        )
    read, unreadable = read_files(
        paths if groups is None else [*paths, *map(str, groups)],
        settings,
        cwd=cwd,
        stdin=stdin,
        stdin_filename=stdin_filename,
    )
    sources = [loaded.source for loaded in unreadable] + [source for source, _ in read]
    shown = tuple(sorted(source.display for source in sources))
    focus = None
    context: tuple[str, ...] = ()
    if groups is not None:
        given = {cwd / _file_named(path, stdin_filename) for path in paths}
        focus = frozenset(source.display for source in sources if source.path in given)
        context = tuple(name for name in shown if name not in focus)
        shown = tuple(sorted(focus))
    cache, state, catalogue_raw = None, "", None
    if findings_only and settings.use_cache and stdin is None and not unreadable:
        cache, state, catalogue_raw = _findings_cache(
            paths, settings, cwd=cwd, read=read, in_context=focus is not None
        )
    found = cache.get(state) if cache is not None else None
    architecture: Architecture | None = None
    catalogue: Catalogue | None = None
    indexes: Indexes | None = None
    if found is None:
        buffer = read[-1][0] if stdin is not None else None  # read_files puts it last
        catalogues: list[Catalogue] = []

        def prepare(pooled: bool) -> None:
            """The catalogue, and the imports of the model and the rules
            (0.2-0.3 s of a cold run): while worker processes parse, if any
            (forked before, they import none of it), else before the parse.
            With workers, the model's validators too (20 ms; built at first use
            otherwise)."""
            # start-up: engine and catalogue import pydantic and PyYAML; a warm run needs neither
            import usmctl.check.engine  # noqa: F401
            from usmctl.model.catalogue import load_catalogue

            if pooled:
                # start-up: imported above (check.engine imports the model builder)
                from usmctl.model.build import build_validators

                build_validators()

            catalogues.append(
                load_catalogue(
                    settings.catalogue,
                    raw=catalogue_raw,
                    repository=settings.repository,
                    named=settings.catalogue_named,
                )
            )

        files = unreadable + parse_files(
            read, settings, cwd=cwd, buffer=buffer, progress=progress, meanwhile=prepare
        )
        # start-up: imported by prepare(); a warm run needs none of it
        from usmctl.check.engine import run

        del read  # the raw bytes: the parse kept the text (a 10k-service run: 6 MB)
        catalogue = catalogues[0]
        files.sort(key=lambda item: item.source.display)
        # The files are handed over: their parsed data goes once the model is built.
        result = run(
            files, catalogue, settings, focus=focus, with_fixes=not findings_only, release=True
        )
        architecture, indexes = result.architecture, result.indexes
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
        context=context,
        settings=settings,
        enabled=found.enabled,
        run_indexes=indexes,
    )


def _merged(results: Sequence[RunResult]) -> RunResult:
    """The results of the runs of several architectures as one (with no model)."""
    return RunResult(
        findings=tuple(
            sorted(
                (finding for result in results for finding in result.findings),
                key=lambda finding: finding.sort_key,
            )
        ),
        files=tuple(sorted(name for result in results for name in result.files)),
        suppressed=sum(result.suppressed for result in results),
        baselined=sum(result.baselined for result in results),
        stale_baseline=sum(result.stale_baseline for result in results),
        baselined_findings=tuple(
            finding for result in results for finding in result.baselined_findings
        ),
        context=tuple(sorted(name for result in results for name in result.context)),
        # One config for every architecture: its custom rules describe the findings.
        settings=results[0].settings if results else None,
    )


def _findings_cache(
    paths: Sequence[str],
    settings: Settings,
    *,
    cwd: Path,
    read: Sequence[Read],
    in_context: bool,
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
    kind = "in context" if in_context else "as given"
    identity = "\0".join(
        [repr(dataclasses.replace(settings, baseline=None)), str(cwd), kind, *paths]
    )
    cache = FindingsCache(cwd / CACHE_DIR, identity)
    return cache, FindingsCache.state(read, catalogue), catalogue


def watch(
    paths: Sequence[str],
    *,
    cwd: Path,
    in_context: bool = False,
    config: Path | None = None,
) -> Iterator[set[str]]:
    """Wait for the files a check of ``paths`` (no standard input) reads to
    change (``usmctl validate --watch``); yield the paths changed, after each
    burst of changes.

    Watched: the folders named, the folders of the files named, the
    architecture root of a check in context and the config file's folder. A
    change counts when it is to an architecture file, a file named or a config
    file (never the cache the run itself writes). Ctrl-C raises
    KeyboardInterrupt.
    """
    # start-up: watchfiles (a native extension) is for --watch only
    from watchfiles import DefaultFilter
    from watchfiles import watch as watch_files

    named = {os.path.normpath(cwd / path) for path in paths if path != STDIN}
    folders = {path if os.path.isdir(path) else os.path.dirname(path) for path in named}
    roots = architectures_of(paths, cwd=cwd) if in_context else None
    folders.update(map(str, roots or ()))
    if config is not None:
        named.add(os.path.normpath(cwd / config))
        folders.add(os.path.dirname(os.path.normpath(cwd / config)))
    usual = DefaultFilter()

    def relevant(change: Any, path: str) -> bool:
        name = os.path.basename(path)
        return usual(change, path) and (
            path in named or file_kind(name) is not None or name in (CONFIG_FILE, PYPROJECT)
        )

    for changes in watch_files(*sorted(folders), watch_filter=relevant):
        yield {path for _, path in changes}
