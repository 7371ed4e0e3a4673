"""JSONPath queries over the whole architecture, for custom rules' ``given``
(docs/custom-rules.md, "given").

The queries run with ``python-jsonpath`` (RFC 9535, no ``eval``), imported
only when a rule has a ``given``. A pull request writes the config, so a query
is bounded three ways (docs/hardening.md, "Side files and custom rules"):

- its text: at most `MAX_QUERY_CHARS` characters, and nothing but a query
  from the document's root (no ``^`` pseudo-root);
- its regular expressions (``=~ /.../``, ``match()``, ``search()``): run by
  RE2, in time linear in the value, checked when the config is read;
- its work: every value a query (its filters' queries included) reads from
  the architecture is counted, and a rule that reads more than
  `VISITS_PER_VALUE` times the number of values the architecture holds is a
  config error, and so are rules that together read more than
  `RUN_VISITS_PER_VALUE` times. ``$..*..*..*`` over a large architecture
  stops at the bound instead of running for hours.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from usmctl.check.regex import regex_problem, search_regex
from usmctl.core.errors import ConfigError

if TYPE_CHECKING:
    from jsonpath import JSONPathEnvironment

MAX_QUERY_CHARS = 1_000
# A value read this many times per value the architecture holds is more than
# any sensible query needs: ``$..name`` reads each about twice.
VISITS_PER_VALUE = 10
MIN_VISITS = 10_000
# All the rules of a run together: a thousand rules each just inside its own
# bound would still read for hours.
RUN_VISITS_PER_VALUE = 100

DataPath = tuple[str | int, ...]


class OverBudgetError(Exception):
    """A query read more values than its budget allows (not a KeyError: the
    library must not take it for a missing key)."""


@dataclass
class Budget:
    """The values a rule's queries may still read."""

    left: int

    def spend(self, values: int = 1) -> None:
        self.left -= values
        if self.left < 0:
            raise OverBudgetError


def wrap(value: Any, budget: Budget) -> Any:
    """``value`` as the queries see it: containers count what is read from them."""
    if isinstance(value, dict):
        return _Counted(value, budget)
    if isinstance(value, list):
        return _CountedList(value, budget)
    return value


def plain(value: Any) -> Any:
    """The data behind a counted container (what the checks see)."""
    if isinstance(value, (_Counted, _CountedList)):
        return value.data
    return value


class _Counted(Mapping[str, Any]):
    __slots__ = ("budget", "data")

    def __init__(self, data: dict[str, Any], budget: Budget) -> None:
        self.data = data
        self.budget = budget

    def __getitem__(self, key: str) -> Any:
        self.budget.spend()
        return wrap(self.data[key], self.budget)

    def __iter__(self) -> Iterator[str]:
        for key in self.data:
            self.budget.spend()
            yield key

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        return bool(self.data == plain(other))

    __hash__ = None  # type: ignore[assignment]


class _CountedList(Sequence[Any]):
    __slots__ = ("budget", "data")

    def __init__(self, data: list[Any], budget: Budget) -> None:
        self.data = data
        self.budget = budget

    def __getitem__(self, index: Any) -> Any:
        self.budget.spend()
        if isinstance(index, slice):
            return _CountedList(self.data[index], self.budget)
        return wrap(self.data[index], self.budget)

    def __iter__(self) -> Iterator[Any]:
        for item in self.data:
            self.budget.spend()
            yield wrap(item, self.budget)

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        return bool(self.data == plain(other))

    __hash__ = None  # type: ignore[assignment]


def budget_for(values: int, *, per_value: int = VISITS_PER_VALUE) -> Budget:
    """The budget of one rule (``per_value``: of every rule of a run) over an
    architecture holding ``values`` values."""
    return Budget(max(MIN_VISITS, per_value * values))


def count_values(data: Any) -> int:
    """How many values (scalars and containers) ``data`` holds."""
    count = 0
    stack = [data]
    while stack:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


def find(query: str, data: Any, budget: Budget) -> list[tuple[DataPath, Any]]:
    """Each value ``query`` matches in ``data``: its path and the value.

    ``query`` was checked by `query_problem`; OverBudgetError past the budget,
    ConfigError for a query the library refuses while it runs.
    """
    from jsonpath import JSONPathError

    compiled = _compiled(query)
    try:
        return [
            (tuple(part for part in match.parts if isinstance(part, (str, int))), plain(match.obj))
            for match in compiled.finditer(wrap(data, budget))
        ]
    except JSONPathError as error:
        raise ConfigError(f"{_reason(error)}") from None
    except RecursionError:
        raise ConfigError("the query nests too deeply") from None


def query_problem(query: Any) -> str | None:
    """Why ``query`` cannot be a ``given``, or None."""
    from jsonpath import JSONPathError

    if not isinstance(query, str) or not query.strip():
        return f'must be a JSONPath (a string such as "$.services[*]"), not {query!r}'
    if len(query) > MAX_QUERY_CHARS:
        return f"a JSONPath of at most {MAX_QUERY_CHARS:,} characters, not {len(query):,}"
    if not query.lstrip().startswith("$"):
        return f"{query!r}: a JSONPath starts at the root, $"
    try:
        compiled = _compiled(query)
    except JSONPathError as error:
        return f"{query!r}: not a JSONPath: {_reason(error)}"
    except RecursionError:
        return f"{query!r}: not a JSONPath: nested too deeply"
    for pattern in _patterns(compiled):
        problem = regex_problem(pattern)
        if problem is not None:
            return f"{query!r}: {problem}"
    return None


def _reason(error: Exception) -> str:
    # The library's messages end with the query and a caret on more lines.
    return str(error).splitlines()[0] if str(error) else type(error).__name__


@functools.lru_cache(maxsize=256)
def _compiled(query: str) -> Any:
    path = _environment().compile(query)
    for each in getattr(path, "paths", None) or (path,):
        if getattr(each, "pseudo_root", False):
            from jsonpath import JSONPathSyntaxError

            raise JSONPathSyntaxError("the pseudo-root ^ is not supported", token=None)  # type: ignore[arg-type]
    return path


def _patterns(compiled: Any) -> Iterator[str]:
    """The regular expressions written in a query: ``=~ /.../`` literals and the
    literal patterns of ``match()`` and ``search()``."""
    from jsonpath.filter import FunctionExtension, RegexLiteral, StringLiteral, walk
    from jsonpath.selectors import Filter

    paths = list(getattr(compiled, "paths", None) or (compiled,))
    for path in paths:
        for segment in path.segments:
            for selector in segment.selectors:
                if not isinstance(selector, Filter):
                    continue
                for node in walk(selector.expression):
                    if isinstance(node, RegexLiteral):
                        yield _re2_pattern(node.value)
                    elif (
                        isinstance(node, FunctionExtension)
                        and node.name in ("match", "search")
                        and len(node.args) == 2
                        and isinstance(node.args[1], StringLiteral)
                    ):
                        yield node.args[1].value


def _re2_pattern(pattern: Any) -> str:
    """A Python pattern object's text with its flags as RE2 inline flags."""
    import re

    flags = "".join(
        letter
        for flag, letter in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
        if pattern.flags & flag
    )
    return f"(?{flags}){pattern.pattern}" if flags else str(pattern.pattern)


@functools.cache
def _environment() -> JSONPathEnvironment:
    from jsonpath import JSONPathEnvironment, NodeList
    from jsonpath.function_extensions import ExpressionType, FilterFunction

    class Regex(FilterFunction):
        """RFC 9535 ``match()`` (whole value) and ``search()`` by RE2."""

        arg_types = [ExpressionType.VALUE, ExpressionType.VALUE]  # noqa: RUF012
        return_type = ExpressionType.LOGICAL

        def __init__(self, *, whole: bool) -> None:
            self.whole = whole

        def __call__(self, value: object, pattern: object) -> bool:
            if not isinstance(value, str) or not isinstance(pattern, str):
                return False
            if regex_problem(pattern) is not None:
                return False  # RFC 9535: a pattern that is not valid matches nothing
            return search_regex(pattern, value, whole=self.whole)

    class Environment(JSONPathEnvironment):
        """RFC 9535 with python-jsonpath's filter extras, every regex by RE2."""

        def setup_function_extensions(self) -> None:
            super().setup_function_extensions()
            self.function_extensions["match"] = Regex(whole=True)
            self.function_extensions["search"] = Regex(whole=False)

        def compare(self, left: object, operator: str, right: object) -> bool:
            if operator == "=~":
                if not isinstance(left, str) or not hasattr(right, "pattern"):
                    return False
                pattern = _re2_pattern(right)
                return regex_problem(pattern) is None and search_regex(pattern, left, whole=True)
            if operator in ("in", "contains"):
                # A query's nodes compare by their values: a join,
                # ``@.provider in $.profiles[?@.external == true].id``.
                if isinstance(left, NodeList):
                    left = left.values_or_singular()
                if isinstance(right, NodeList):
                    right = right.values_or_singular() if operator == "contains" else right.values()
            return super().compare(left, operator, right)

    return Environment()
