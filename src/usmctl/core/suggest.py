"""Did-you-mean: the closest of some choices to a word a user wrote."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable

from usmctl.core.findings import quote

SUGGEST_ALL = 200  # up to this many ids, did-you-mean compares the word with each
SUGGEST_NEAR = 20  # beyond, with this many ids either side of it, by prefix and by suffix


class Choices:
    """Ids for did-you-mean, sorted once (forwards and reversed).

    A suggestion then costs two binary searches and at most ``4 * SUGGEST_NEAR``
    comparisons, not one per id: 5,000 unresolved references among 5,000 ids
    took minutes. A typo keeps the start or the end of the id it misspells, so
    that id sorts near the word one way or the other.
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self.forwards = sorted(set(ids))
        self.backwards = sorted(item[::-1] for item in self.forwards)

    def near(self, word: str) -> list[str]:
        """The ids worth comparing with ``word``."""
        if len(self.forwards) <= SUGGEST_ALL:
            return self.forwards
        found = set(_around(self.forwards, word))
        found.update(item[::-1] for item in _around(self.backwards, word[::-1]))
        return sorted(found)


def _around(ordered: list[str], word: str) -> list[str]:
    index = bisect.bisect_left(ordered, word)
    return ordered[max(0, index - SUGGEST_NEAR) : index + SUGGEST_NEAR]


def closest(word: str, choices: Iterable[str] | Choices) -> str | None:
    """The one of ``choices`` closest to ``word`` (did-you-mean), if any is close."""
    index = choices if isinstance(choices, Choices) else Choices(choices)
    matches = difflib.get_close_matches(word, index.near(word), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(match: str | None) -> str:
    """`` (did you mean "x"?)`` for a match, or nothing."""
    return f" (did you mean {quote(match)}?)" if match is not None else ""


def suggest(word: str, choices: Iterable[str] | Choices) -> str:
    """`` (did you mean "x"?)`` for the closest of ``choices``, or nothing."""
    return did_you_mean(closest(word, choices))
