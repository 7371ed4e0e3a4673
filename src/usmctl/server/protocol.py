"""Between an analysis and the protocol: file names to URIs, parser
positions to the client's ranges, findings to diagnostics.

The parser counts characters (code points); a client counts UTF-16 code
units unless it agreed on another encoding: every position leaves through
`Places`, which converts with the codec the session agreed on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls import uris
from pygls.workspace.position_codec import PositionCodec

from usmctl.core.findings import Finding, Severity, rule_url
from usmctl.core.positions import DataPath
from usmctl.server.positions import Point, Span
from usmctl.server.workspace import Analysis

SOURCE = "usmctl"
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


def path_of(uri: str) -> Path | None:
    """The local file a URI names (None for ``untitled:`` and the like)."""
    if uris.uri_scheme(uri) != "file":
        return None
    found = uris.to_fs_path(uri)
    return None if found is None else Path(found)


def uri_of(path: Path) -> str:
    """The ``file:`` URI of a path."""
    found: str | None = uris.from_fs_path(str(path))
    assert found is not None, "a local path has a URI"
    return found


def to_client(lines: Sequence[str], point: Point, codec: PositionCodec) -> types.Position:
    """A position in characters (0-based) as the client counts it: the one
    conversion out, for any text split into ``lines``."""
    line, column = point
    if line >= len(lines) or lines[line].isascii():
        return types.Position(line=line, character=column)
    return types.Position(line=line, character=codec.client_num_units(lines[line][:column]))


def from_client(lines: Sequence[str], position: types.Position, codec: PositionCodec) -> Point:
    """A client's position in characters (0-based): the one conversion in."""
    if position.line >= len(lines) or lines[position.line].isascii():
        return position.line, position.character
    found = codec.position_from_client_units(lines, position)
    return found.line, found.character


class Places:
    """Ranges and locations in the files of one analysis, in client units."""

    def __init__(self, analysis: Analysis, codec: PositionCodec) -> None:
        self.analysis = analysis
        self.codec = codec
        self._lines: dict[str, list[str]] = {}

    def uri(self, file: str) -> str | None:
        """The URI of a file as findings name it."""
        path = self.analysis.path(file)
        return None if path is None else uri_of(path)

    def lines(self, file: str) -> list[str]:
        """A file's lines as the parser read them."""
        found = self._lines.get(file)
        if found is None:
            loaded = self.analysis.files.get(file)
            text = "" if loaded is None or loaded.text is None else loaded.text
            found = self._lines[file] = text.splitlines()
        return found

    def position(self, file: str, point: Point) -> types.Position:
        """A parser position as the client counts it."""
        return to_client(self.lines(file), point, self.codec)

    def point(self, file: str, position: types.Position) -> Point:
        """A client's position as the parser counts it."""
        return from_client(self.lines(file), position, self.codec)

    def range(self, file: str, start: Point, end: Point) -> types.Range:
        """A range between two parser positions."""
        return types.Range(start=self.position(file, start), end=self.position(file, end))

    def span_range(self, file: str, span: Span) -> types.Range:
        """The range of a scalar."""
        return self.range(file, span.start, span.end)

    def from_finding(self, file: str, line: int, column: int) -> types.Range:
        """The range of what a finding's 1-based position points at: the key or
        value starting there, else the word there."""
        start = (max(line - 1, 0), max(column - 1, 0))
        spans = self.analysis.spans(file)
        span = None if spans is None else spans.starting_at(start)
        return self.range(
            file, start, span.end if span is not None else self._word_end(file, start)
        )

    def _word_end(self, file: str, start: Point) -> Point:
        line, column = start
        lines = self.lines(file)
        if line >= len(lines):
            return start
        text = lines[line]
        end = column
        while end < len(text) and not text[end].isspace():
            end += 1
        return line, max(end, min(column + 1, len(text)))

    def location(self, file: str, path: DataPath, *, at_key: bool = False) -> types.Location | None:
        """Where a data path's key or value is written."""
        uri = self.uri(file)
        spans = self.analysis.spans(file)
        span = None if spans is None else spans.of(path, at_key=at_key)
        if uri is None or span is None:
            return None
        return types.Location(uri=uri, range=self.span_range(file, span))

    # -- diagnostics ---------------------------------------------------------

    def diagnostic(self, finding: Finding) -> types.Diagnostic:
        """A finding as the client shows it."""
        href = rule_url(finding.code, finding.name)
        related = []
        for place in finding.related:
            uri = self.uri(place.file)
            if uri is not None:
                where = types.Location(
                    uri=uri, range=self.from_finding(place.file, place.line, place.column)
                )
                related.append(
                    types.DiagnosticRelatedInformation(location=where, message=place.path)
                )
        return types.Diagnostic(
            range=self.from_finding(finding.file, finding.line, finding.column),
            message=finding.message,
            severity=SEVERITY[finding.severity],
            code=finding.code,
            code_description=None if href is None else types.CodeDescription(href=href),
            source=SOURCE,
            related_information=related or None,
        )

    def diagnostics(self) -> dict[str, list[types.Diagnostic]]:
        """Every file's diagnostics by URI (files without findings too: an
        empty list clears what was shown)."""
        by_file: dict[str, list[types.Diagnostic]] = defaultdict(list)
        for file in self.analysis.files:
            by_file[file] = []
        for finding in self.analysis.findings:
            by_file[finding.file].append(self.diagnostic(finding))
        out: dict[str, list[types.Diagnostic]] = {}
        for file, found in by_file.items():
            uri = self.uri(file)
            if uri is not None:
                out[uri] = found
        return out
