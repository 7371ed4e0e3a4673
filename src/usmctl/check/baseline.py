"""Baselines: record today's findings, report only new ones (docs/ci.md, "Baselines").

A baseline is JSON ``{"version": 1, "fingerprints": {fp: {"code", "file",
"entity", "path"}}}``. Fingerprints are line-independent (rule + file +
entity + field path, `usmctl.core.findings.fingerprint`), so moving a block keeps
its findings hidden while the same rule firing on another entity is new.
File names are as reported, relative to the working directory: run from the
same directory that wrote the baseline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from usmctl.core.errors import ConfigError
from usmctl.core.findings import Finding
from usmctl.core.writing import write_atomic
from usmctl.load.sidefiles import read_side_file

if TYPE_CHECKING:
    from usmctl.check.result import RunResult

VERSION = 1


@dataclass(frozen=True)
class Entry:
    """What a baseline records about one fingerprint."""

    code: str
    file: str
    entity: str | None
    path: str


@dataclass(frozen=True)
class Filtered:
    """Findings left after the baseline, and what it hid or no longer matches."""

    findings: tuple[Finding, ...]
    hidden: tuple[Finding, ...]
    stale: int


def render(findings: Iterable[Finding]) -> str:
    """The baseline document for ``findings``: sorted, stable, newline-terminated."""
    entries = {
        finding.fingerprint: {
            "code": finding.code,
            "file": finding.file,
            "entity": finding.entity,
            "path": finding.path,
        }
        for finding in findings
    }
    document = {"version": VERSION, "fingerprints": dict(sorted(entries.items()))}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, result: RunResult, *, protected: Iterable[Path] = ()) -> None:
    """Record every current finding (and any the old baseline hid), atomically."""

    write_atomic(path, render((*result.findings, *result.baselined_findings)), protected=protected)


def load(path: Path, *, repository: Path | None = None) -> dict[str, Entry]:
    """Read a baseline (a side file: `usmctl.load.sidefiles`); a missing or
    malformed one is a ConfigError (exit 2)."""

    raw = read_side_file(path, what="baseline", shown=str(path), repository=repository)
    document = decode(raw, path, what="baseline")
    if not isinstance(document, dict) or document.get("version") != VERSION:
        raise ConfigError(f'{path}: not a usmctl baseline (expected "version": {VERSION})')
    return entries(document, path)


def decode(raw: bytes, path: Path, *, what: str) -> Any:
    """The JSON document in ``raw``; ConfigError (one line) when it is not JSON."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: cannot read {what}: {error}") from None
    except RecursionError:
        raise ConfigError(f"{path}: {what} is not valid JSON: nested too deeply") from None
    except ValueError as error:
        # JSONDecodeError, or a number past Python's 4,300 digits.
        raise ConfigError(f"{path}: {what} is not valid JSON: {error}") from None


def entries(document: dict[str, Any], path: Path) -> dict[str, Entry]:
    """The entries of a baseline document (its version already checked)."""
    fingerprints = document.get("fingerprints")
    if not isinstance(fingerprints, dict):
        raise ConfigError(f'{path}: "fingerprints" must be an object')
    found: dict[str, Entry] = {}
    for fingerprint, raw in fingerprints.items():
        if not isinstance(raw, dict) or not all(
            isinstance(raw.get(key), str) for key in ("code", "file", "path")
        ):
            raise ConfigError(f"{path}: entry {fingerprint!r} needs code, file and path strings")
        entity = raw.get("entity")
        found[fingerprint] = Entry(
            raw["code"], raw["file"], entity if isinstance(entity, str) else None, raw["path"]
        )
    return found


def apply(
    findings: Iterable[Finding],
    entries: dict[str, Entry],
    *,
    files: Iterable[str],
    enabled: AbstractSet[str],
) -> Filtered:
    """Hide recorded findings; count entries of this run's scope that matched nothing.

    An entry is stale only when its file was checked and its rule ran, so
    checking one file or one rule family does not call the rest stale.
    """
    kept: list[Finding] = []
    hidden: list[Finding] = []
    seen: set[str] = set()
    for finding in findings:
        if finding.fingerprint in entries:
            hidden.append(finding)
            seen.add(finding.fingerprint)
        else:
            kept.append(finding)
    checked = set(files)
    stale = sum(
        1
        for fingerprint, entry in entries.items()
        if fingerprint not in seen and entry.file in checked and entry.code in enabled
    )
    return Filtered(tuple(kept), tuple(hidden), stale)
