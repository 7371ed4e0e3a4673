"""Facts of the USM method the tool carries (docs/usm.md)."""

from __future__ import annotations

from pathlib import Path

from usmctl.load.sidefiles import read_side_file

# The default workflow catalogue (docs/usm.md, "The eight workflows"), package
# data of usmctl.
BUILTIN_CATALOGUE = "data/catalogue.yaml"


def read_catalogue(
    path: Path | None, *, repository: Path | None = None, named: bool = True
) -> bytes:
    """The bytes of the user's catalogue file (a side file: `usmctl.load.sidefiles`),
    or of the built-in one; ConfigError when it may not be read."""
    if path is None:  # read beside the module, not through importlib.resources (2 ms)
        return Path(__file__).parent.parent.joinpath(BUILTIN_CATALOGUE).read_bytes()

    return read_side_file(
        path, what="catalogue", shown=str(path), repository=repository, named=named
    )


PROCESSES: tuple[str, ...] = ("agree", "change", "recover", "operate", "improve")

# Known aliases (USM203), matched case-insensitively. The three-letter forms
# are usm.gr's; `operation` is the usm.tools templates' name.
PROCESS_ALIASES: dict[str, str] = {
    "contract-management": "agree",
    "ctm": "agree",
    "change-management": "change",
    "chm": "change",
    "incident-management": "recover",
    "inc": "recover",
    "restore": "recover",
    "operations-management": "operate",
    "ops": "operate",
    "operation": "operate",
    "improvement-management": "improve",
    "imp": "improve",
    "rim": "improve",
}

# Customer request types and the provider's own triggers -> entry process.
TRIGGER_ENTRY: dict[str, str] = {
    "wish": "agree",
    "request-for-change": "change",
    "service-request": "operate",
    "incident": "recover",
    "risk": "improve",
}
# Triggers of catalogue v1 that no USM source has; accepted in v1 files only.
LEGACY_TRIGGERS: dict[str, str] = {"planned": "operate"}
# Aliases v1 accepted that no USM source has: still accepted (USM203 says so).
UNSOURCED_ALIASES = frozenset({"restore", "rim"})
REQUEST_TYPES: tuple[str, ...] = ("wish", "request-for-change", "service-request", "incident")

PARTY_KINDS = frozenset({"customer", "provider", "supplier"})
PROVIDER_KINDS = frozenset({"provider", "supplier"})


def canonical_process(name: str) -> str | None:
    """The canonical process for a name or alias; None if it is no USM process."""
    if name in PROCESSES:
        return name
    lowered = name.lower()
    if lowered in PROCESSES:
        return lowered
    return PROCESS_ALIASES.get(lowered)


def is_alias(name: str) -> bool:
    """True when ``name`` is an accepted alias rather than the canonical id."""
    return name not in PROCESSES and canonical_process(name) is not None
