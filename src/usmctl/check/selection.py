"""Rule selectors (``ALL``, a code, a kebab name, a code prefix) to codes."""

from __future__ import annotations

from collections.abc import Iterable

from usmctl.core.errors import UsageError


def resolve_selectors(selectors: Iterable[str], known: Iterable[tuple[str, str]]) -> set[str]:
    """Codes matched by selectors: ALL, a code, a kebab name, or a code prefix."""
    pairs = list(known)
    chosen: set[str] = set()
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        upper = selector.upper()
        matched = {
            code
            for code, name in pairs
            if upper in ("ALL", code) or name == selector.lower() or code.startswith(upper)
        }
        if not matched:
            raise UsageError(
                f"unknown rule selector {selector!r} (a code, name or prefix like USM3)"
            )
        chosen |= matched
    return chosen
