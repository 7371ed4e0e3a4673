"""The tool's own settings: command line and config file merged (docs/ci.md, "Configuration").

Plain frozen dataclasses, not pydantic models: every ``usmctl validate``
builds them, also the warm run that takes its findings from the cache and
never needs pydantic, whose import and model set-up cost that run 0.1 s (a
third of it). Values are checked where they enter: `usmctl.check.config` for the
config file, the CLI for its options.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from usmctl.core.findings import FailOn, Severity
from usmctl.load.limits import Limits

__all__ = ["CustomRule", "FailOn", "Settings", "Then"]


@dataclass(frozen=True)
class Then:
    """One check of a custom rule's ``then``: a function applied to each value
    its ``given`` matched (or to the value's ``field``; ``@key``: its keys)."""

    function: str
    field: str | None = None
    # ``field`` names the attribute here: dataclasses' own is spelt out.
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class CustomRule:
    """A declarative rule from config (docs/custom-rules.md): a JSON Schema
    each entity of a ``section`` must satisfy, or ``then`` checks of the
    values a JSONPath ``given`` matches in the whole architecture."""

    code: str
    section: str | None  # with ``schema``; None for a rule with ``given``
    message: str
    schema: dict[str, Any] | None
    severity: Severity = Severity.WARNING
    name: str | None = None
    given: tuple[str, ...] = ()
    then: tuple[Then, ...] = ()
    description: str | None = None
    url: str | None = None
    # Where the rule is defined, as shown (the config file or a rule set).
    defined_in: str = ""

    @property
    def rule_name(self) -> str:
        """The kebab name that selects the rule besides its code."""
        return self.name or self.code.lower()

    @property
    def summary(self) -> str:
        """One line about the rule: its description's first line, else its message."""
        text = (self.description or "").strip()
        return text.splitlines()[0] if text else self.message


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run; frozen once built."""

    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = field(default_factory=dict)
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: FailOn = "error"
    catalogue: Path | None = None
    max_depth: int = 5
    custom_rules: tuple[CustomRule, ...] = ()
    limits: Limits = field(default_factory=Limits)
    baseline: Path | None = None
    use_cache: bool = True
    # Read file links found while walking whose target lies outside the
    # directories named: the command line's --follow-links only, never config
    # (a pull request writes the config).
    follow_links: bool = False
    # The tree a pull request controls (`usmctl.load.sidefiles`): links in it are
    # not followed out of it. None: side files are the caller's own paths.
    repository: Path | None = None
    # False when a config file in the repository named the catalogue: it must
    # then lie in the repository.
    catalogue_named: bool = True
    # Presentation only, so not in the repr the findings cache keys on: the
    # most findings the formats a service limits show (0: each service's own
    # limit), and the root SARIF paths are relative to (the git top level,
    # else the config file's folder, else the working directory).
    max_results: int = field(default=0, repr=False)
    source_root: Path | None = field(default=None, repr=False)
    # How many processes parse (``jobs``, ``--jobs``): 0 chooses (one per core
    # for many files, else this one), 1 parses here; findings never change,
    # so not in the repr either.
    jobs: int = field(default=0, repr=False)
