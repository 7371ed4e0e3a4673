"""Findings: immutable, ordered, fingerprinted (docs/format.md, "Findings")."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal, get_args

from usmctl.core.fixes import Fix, FixPlan
from usmctl.core.positions import Anchor, Position


class Severity(StrEnum):
    """Finding severity, most severe first."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for error, 2 for info: lower is more severe."""
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

# The lowest severity that fails a run, or never: the one list the CLI's
# --fail-on, the config's fail-on and the settings take their choices from.
FailOn = Literal["error", "warning", "info", "never"]
FAIL_ON: tuple[FailOn, ...] = get_args(FailOn)


def choice_list(choices: tuple[str, ...]) -> str:
    """``error, warning, info or never``: choices as a message names them."""
    return f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]


@dataclass(frozen=True, slots=True)
class Locus:
    """Where a violation is, before positions are resolved.

    ``position`` is set when the parser already knew it; otherwise ``anchor``
    names a data path that `SourceMap` resolves. ``path`` is the logical,
    line-independent path (``services[workplace].support``) used for
    fingerprints and baselines.
    """

    file: str
    path: str
    entity: str | None = None
    anchor: Anchor | None = None
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule reports: a message and where; the one safe fix, if any."""

    message: str
    at: Locus
    related: tuple[Locus, ...] = ()
    fix: FixPlan | None = None


@dataclass(frozen=True, slots=True)
class Related:
    """A resolved place a finding refers to besides its own (the first of two
    duplicate ids): file as shown, 1-based line and column, logical path."""

    file: str
    line: int
    column: int
    path: str


@dataclass(frozen=True, slots=True)
class Finding:
    """A reported rule violation with a resolved 1-based position.

    ``related``: the places its violation named besides its own (what the
    language server shows as related locations); not part of its identity,
    and not kept by the findings cache, whose readers never show them.
    ``fix``: its one safe fix, resolved to exact edits (`usmctl.core.fixes`);
    not part of its identity (nor of its fingerprint), kept by the findings
    cache, shown by no output format (the language server offers it).
    """

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int
    column: int
    entity: str | None
    path: str
    fingerprint: str
    related: tuple[Related, ...] = field(default=(), compare=False)
    fix: Fix | None = field(default=None, compare=False)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Output order (docs/format.md, "Findings"): file, line, column, code (then
        message, for stability)."""
        return (self.file, self.line, self.column, self.code, self.message)


DOCS_URL = "https://github.com/usmctl/usmctl/blob/main/docs/rules.md"


def rule_anchor(code: str, name: str) -> str:
    """A rule's heading anchor in docs/rules.md (``usm401-service-without-facility``)."""
    return f"{code.lower()}-{name}"


def rule_url(code: str, name: str) -> str | None:
    """The documentation link of a built-in rule, the one place it is built
    (custom rules have none)."""
    if not code.startswith("USM"):
        return None
    return f"{DOCS_URL}#{rule_anchor(code, name)}"


def printable(text: str, *, exact: bool = False) -> str:
    """``text`` safe to show on one line of a terminal, a CI log or an export.

    The one place output is escaped: control characters (a newline, an ANSI
    escape, NUL, from a YAML value or a file name) become backslash escapes, and
    so do bytes of a file name that are not UTF-8 (``\\xff``), so input can
    neither forge output lines nor drive the terminal nor break an XML export.
    ``exact`` (file names, graph node names) makes the escaping one-to-one: a
    backslash is doubled and a character is written ``\\u0085``, never like a
    byte, so two names that differ only by such characters never look the same.
    """
    if text.isprintable() and not (exact and "\\" in text):
        return text
    return "".join(_shown(char, exact) for char in text)


def _shown(char: str, exact: bool) -> str:
    if char == "\\":
        return "\\\\" if exact else char
    if char.isprintable():
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if exact:
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    return char.encode("unicode_escape").decode("ascii")


def counted(count: int, word: str) -> str:
    """``1 error``, ``2 errors``; ``info`` has no plural."""
    return f"{count} {word}" if count == 1 or word == "info" else f"{count} {word}s"


def quote(text: object) -> str:
    """How messages name a value: in double quotes (STYLE, messages)."""
    return '"' + str(text).replace('"', '\\"') + '"'


def fingerprint(code: str, file: str, entity: str | None, path: str) -> str:
    """Stable across edits that move lines: rule + file + entity + field path."""
    digest = hashlib.sha256("\0".join((code, file, entity or "", path)).encode("utf-8"))
    return digest.hexdigest()[:32]


def numbered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in order with unique fingerprints: the n-th repeat of a fingerprint
    (three profiles ``c`` in one file give two USM005 at ``profiles[c].id``)
    gets one that also hashes n, so a baseline, SARIF and GitLab tell the repeats
    apart. The first keeps its own; none depends on a line number."""
    seen: dict[str, int] = {}
    out: list[Finding] = []
    for finding in findings:
        occurrence = seen.get(finding.fingerprint, 0)
        seen[finding.fingerprint] = occurrence + 1
        if occurrence:
            digest = hashlib.sha256(f"{finding.fingerprint}\0{occurrence}".encode())
            out.append(replace(finding, fingerprint=digest.hexdigest()[:32]))
        else:
            out.append(finding)
    return out
