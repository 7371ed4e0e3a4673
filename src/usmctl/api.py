"""The programmatic entry point: what the CLI and the tests call."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from usmctl.architecture import Architecture
from usmctl.catalogue import Catalogue, load_catalogue
from usmctl.engine import run
from usmctl.findings import Finding, Severity
from usmctl.loader import LoadedFile, SourceFile, discover, file_kind, load_bytes, read_source
from usmctl.settings import Settings

STDIN = "-"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunResult:
    """Everything a reporter needs; nothing a reporter may change."""

    findings: tuple[Finding, ...]
    files: tuple[str, ...]
    architecture: Architecture = field(repr=False)
    catalogue: Catalogue = field(repr=False)
    suppressed: int = 0
    baselined: int = 0
    stale_baseline: int = 0
    # The findings the baseline hid (so --write-baseline can keep them).
    baselined_findings: tuple[Finding, ...] = field(default=(), repr=False)

    def by_severity(self) -> dict[str, int]:
        """Counts per severity, every severity present (SPEC §5 json summary)."""
        counts = Counter(finding.severity for finding in self.findings)
        return {severity.value: counts.get(severity, 0) for severity in Severity}

    def fails(self, fail_on: str) -> bool:
        """True when a finding is at or above the ``--fail-on`` severity."""
        if fail_on == "never":
            return False
        threshold = Severity(fail_on).rank
        return any(finding.severity.rank <= threshold for finding in self.findings)


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
            # What the run built is alive and acyclic: move it out of the
            # collector's generations, or the first collection after
            # re-enabling scans all of it (0.1 s at 10k services). Reference
            # counting still frees it; a reference cycle among what is alive now
            # would only be collected after gc.unfreeze().
            gc.freeze()
            gc.enable()


def load_files(
    paths: Sequence[str],
    settings: Settings,
    *,
    cwd: Path,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    progress: Progress | None = None,
) -> list[LoadedFile]:
    """Discover and read every architecture file named by ``paths``.

    ``progress(done, total)`` is called after each file is read.
    """
    loaded: list[LoadedFile] = []
    on_disk = [path for path in paths if path != STDIN]
    if on_disk or stdin is None:
        sources, broken = discover(
            on_disk or ["."], cwd=cwd, include=settings.include, exclude=settings.exclude
        )
        loaded.extend(broken)
        cache = None
        if settings.use_cache and sources:
            from usmctl.cache import CACHE_DIR, ParseCache

            cache = ParseCache(cwd / CACHE_DIR, settings.limits)
        for done, source in enumerate(sources, start=1):
            loaded.append(read_source(source, settings.limits, cache=cache))
            if progress is not None:
                progress(done, len(sources))
    if stdin is not None:
        name = stdin_filename or "stdin.usm.yaml"
        source = SourceFile(cwd / name, name, file_kind(name) or "yaml")
        loaded.append(load_bytes(source, stdin, settings.limits))
    loaded.sort(key=lambda item: item.source.display)
    return loaded


def check(
    paths: Sequence[str],
    settings: Settings | None = None,
    *,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    stdin_filename: str | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Validate the architecture under ``paths``; raise only for usage errors."""
    settings = settings or Settings()
    cwd = cwd or Path.cwd()
    catalogue = load_catalogue(settings.catalogue)
    with gc_paused():
        files = load_files(
            paths, settings, cwd=cwd, stdin=stdin, stdin_filename=stdin_filename, progress=progress
        )
        result = run(files, catalogue, settings)
    shown = tuple(loaded.source.display for loaded in files)
    findings = result.findings
    hidden: tuple[Finding, ...] = ()
    stale = 0
    if settings.baseline is not None:
        from usmctl import baseline
        from usmctl.engine import enabled_codes

        filtered = baseline.apply(
            findings,
            baseline.load(settings.baseline),
            files=shown,
            enabled=enabled_codes(settings),
        )
        findings, hidden, stale = filtered.findings, filtered.hidden, filtered.stale
    return RunResult(
        findings=findings,
        files=shown,
        architecture=result.architecture,
        catalogue=catalogue,
        suppressed=result.suppressed,
        baselined=len(hidden),
        stale_baseline=stale,
        baselined_findings=hidden,
    )
