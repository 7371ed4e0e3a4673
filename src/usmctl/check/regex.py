"""Regular expressions from config, matched by RE2 in time linear in the value
(docs/hardening.md, "Side files and custom rules").

Every pattern a config or rule set writes (a JSON Schema's ``pattern``, a
``given``'s ``=~``, the ``pattern`` function) goes through here: RE2 has no
look-around and no back-references, so no pattern can take time exponential in
the value it reads, and a pattern RE2 cannot run is a config error.
"""

from __future__ import annotations

import functools
from typing import Any

from usmctl.core.errors import ConfigError


def regex_problem(pattern: str) -> str | None:
    """Why RE2 cannot run ``pattern``, or None."""
    try:
        compiled_regex(pattern)
    except ConfigError as error:
        return str(error)
    return None


def search_regex(pattern: str, text: str, *, whole: bool = False) -> bool:
    """Whether ``pattern`` matches somewhere in ``text`` (``whole``: all of it)."""
    compiled = compiled_regex(pattern)
    return bool(compiled.fullmatch(text) if whole else compiled.search(text))


@functools.lru_cache(maxsize=256)
def compiled_regex(pattern: str) -> Any:
    """``pattern`` compiled by RE2; ConfigError for syntax RE2 does not run."""
    import re2  # type: ignore[import-untyped]

    options = re2.Options()
    options.log_errors = False  # RE2 would print to stderr
    try:
        return re2.compile(pattern, options=options)
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "backslashreplace")
        raise ConfigError(
            f"pattern {pattern!r} is not supported by the linear-time regex engine "
            f"(RE2: {reason}): no look-around or back-references"
        ) from None
