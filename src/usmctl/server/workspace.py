"""The architecture an editor works on: the files under the workspace root,
with the unsaved text of open documents in place of the files on disk.

Loaded once when the editor connects, with the engine `usmctl validate`
uses (`usmctl.api` reads and parses, `usmctl.check.engine.run` builds the
model and runs the rules). An edit re-parses only its own buffer: every other
file's `LoadedFile` is kept, and the model build and the rules run again over
them all (the rules judge the whole architecture, so no finding of one file
is safe to keep when another changes).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from usmctl.api import gc_paused, parse_files, read_files
from usmctl.check.config import CliOptions, build_settings
from usmctl.check.engine import run
from usmctl.check.settings import Settings
from usmctl.core.errors import UsmctlError
from usmctl.core.findings import Finding
from usmctl.load.loader import (
    LoadedFile,
    SourceFile,
    display_path,
    file_kind,
    load_bytes,
    read_source,
)
from usmctl.model.architecture import Architecture
from usmctl.model.catalogue import Catalogue, load_catalogue
from usmctl.rules.indexes import Indexes
from usmctl.server.links import Links
from usmctl.server.positions import Here, Point, SpanCache, Spans, resolve


def is_architecture_file(path: Path) -> bool:
    """Whether the server checks this file: a ``*.usm.yaml`` or USM-WIF file."""
    return file_kind(path.name) is not None


class Analysis:
    """One check of the whole workspace: its findings, the model they were
    found in, and the files as parsed (by the name findings give them).
    Nothing in it changes; the lookups requests need are built on first use."""

    def __init__(
        self,
        findings: tuple[Finding, ...],
        architecture: Architecture,
        files: dict[str, LoadedFile],
        *,
        indexes: Indexes,
        spans: SpanCache,
    ) -> None:
        self.findings = findings
        self.architecture = architecture
        # the rules' lookups over this model, as the check built them
        self.indexes = indexes
        self.files = files
        self._spans = spans
        # the real path of each file -> its name in findings
        self._shown = {
            Path(os.path.realpath(loaded.source.path)): shown for shown, loaded in files.items()
        }

    @cached_property
    def links(self) -> Links:
        """Every id reference, placed (built on the first request that needs it)."""
        return Links(self.architecture, self.indexes)

    @cached_property
    def failed(self) -> frozenset[str]:
        """The files that could not be read as architecture files (whatever
        they declare is missing from the model)."""
        return frozenset(shown for shown, loaded in self.files.items() if loaded.failed)

    def display(self, path: Path) -> str | None:
        """The name findings give the file at ``path``, if it is checked."""
        return self._shown.get(Path(os.path.realpath(path)))

    def path(self, display: str) -> Path | None:
        """The file a finding or an origin names."""
        loaded = self.files.get(display)
        return None if loaded is None else loaded.source.path

    def spans(self, display: str) -> Spans | None:
        """The scalars of a file with text (None for one that could not be read)."""
        loaded = self.files.get(display)
        if loaded is None or loaded.text is None:
            return None
        return self._spans.get(display, loaded.text)

    def here(self, path: Path, point: Point) -> Here | None:
        """What is at ``point`` of the file at ``path`` (None: not a checked file)."""
        display = self.display(path)
        spans = None if display is None else self.spans(display)
        if display is None or spans is None:
            return None
        loaded = self.files[display]
        assert loaded.text is not None
        return resolve(
            file=display,
            text=loaded.text,
            point=point,
            spans=spans,
            links=self.links,
            wif=loaded.source.kind != "yaml",
        )


class Workspace:
    """The files of one architecture root, their open buffers, the last analysis."""

    def __init__(self, root: Path, *, settings: Settings | None = None) -> None:
        self.root = root
        self.problems: list[str] = []  # configuration trouble, for the editor's log
        self.settings = settings if settings is not None else self._settings(root)
        self.catalogue = self._catalogue()
        read, unreadable = read_files(["."], self.settings, cwd=root)
        with gc_paused():
            parsed = parse_files(read, self.settings, cwd=root, cached=True)
        self.files: dict[Path, LoadedFile] = {}
        for loaded in [*unreadable, *parsed]:
            self.files[self._key(loaded.source.path)] = loaded
        self.buffers: dict[Path, str] = {}
        self._dirty: set[Path] = set()
        self._analysis: Analysis | None = None
        self._good: Analysis | None = None  # see `completing`
        self._spans = SpanCache()

    def _settings(self, root: Path) -> Settings:
        try:
            return build_settings(CliOptions(), cwd=root)
        except UsmctlError as error:
            self.problems.append(f"configuration ignored: {error}")
            return Settings()

    def _catalogue(self) -> Catalogue:
        try:
            return load_catalogue(
                self.settings.catalogue,
                repository=self.settings.repository,
                named=self.settings.catalogue_named,
            )
        except UsmctlError as error:
            self.problems.append(f"catalogue ignored, the built-in one is used: {error}")
            return load_catalogue()

    @staticmethod
    def _key(path: Path) -> Path:
        return Path(os.path.realpath(path))

    def _source(self, path: Path) -> SourceFile:
        known = self.files.get(self._key(path))
        if known is not None:
            return known.source
        kind = file_kind(path.name) or "yaml"
        return SourceFile(path, display_path(path, self.root), kind)

    # -- edits ---------------------------------------------------------------

    def set_text(self, path: Path, text: str) -> None:
        """An open document's text, which replaces the file (parsed when next analysed)."""
        key = self._key(path)
        if self.buffers.get(key) == text and key in self.files:
            return
        self.buffers[key] = text
        if key not in self.files:  # a new file: known by its name until parsed
            self.files[key] = LoadedFile(self._source(path), None, None)
        self._dirty.add(key)

    def close(self, path: Path) -> None:
        """A document closed: the file on disk counts again."""
        key = self._key(path)
        if self.buffers.pop(key, None) is not None:
            self.reload(path)

    def reload(self, path: Path) -> None:
        """A file changed on disk (or was deleted); its open buffer still wins."""
        key = self._key(path)
        if key in self.buffers:
            return
        if not path.exists():
            if self.files.pop(key, None) is not None:
                self._analysis = None
            return
        if not is_architecture_file(path):
            return
        self.files[key] = read_source(self._source(path), self.settings.limits)
        self._analysis = None

    @property
    def dirty(self) -> bool:
        """Whether an edit is not analysed yet."""
        return bool(self._dirty) or self._analysis is None

    # -- analysis ------------------------------------------------------------

    def analyse(self) -> Analysis:
        """The current analysis: parse the buffers edited since the last one,
        then build the model and run the rules over every file."""
        if self._analysis is not None and not self._dirty:
            return self._analysis
        limits = self.settings.limits
        with gc_paused():
            for key in self._dirty:
                loaded = self.files.get(key)
                text = self.buffers.get(key)
                if loaded is not None and text is not None:
                    raw = text.encode("utf-8", "surrogateescape")
                    self.files[key] = load_bytes(loaded.source, raw, limits)
            self._dirty.clear()
            files = sorted(self.files.values(), key=lambda loaded: loaded.source.display)
            result = run(files, self.catalogue, self.settings)
        self._analysis = Analysis(
            result.findings,
            result.architecture,
            {loaded.source.display: loaded for loaded in files},
            indexes=result.indexes,
            spans=self._spans,
        )
        if self._good is None or self._analysis.failed <= self._good.failed:
            self._good = self._analysis
        return self._analysis

    def completing(self) -> Analysis:
        """What completion offers from: the last analysis in which no file
        failed to parse that parsed before. Text being typed often does not
        parse (half a key), and its file's ids are still there to offer; an
        edit not yet checked is not waited for (its check follows the debounce)."""
        if self._good is None:
            self.analyse()
        assert self._good is not None
        return self._good

    def paths(self) -> Iterable[Path]:
        """Every file checked."""
        return (loaded.source.path for loaded in self.files.values())
