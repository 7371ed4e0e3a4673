"""The functions a custom rule's ``then`` applies (docs/custom-rules.md, "then").

Spectral's core functions are the model: each takes the values the rule's
``given`` matched (or their ``field``) and says, for each value that fails,
why (the message's ``{{error}}``). As in Spectral, a function passes over a
value of a type it does not take (``pattern`` over a number, ``length`` over
a boolean) and over a missing field, except ``truthy`` and ``schema`` (a
missing field fails) and ``falsy`` (it passes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from usmctl.check.query import Budget, count_values
from usmctl.check.regex import search_regex
from usmctl.check.schemas import schema_detail, schema_validator
from usmctl.check.settings import Then
from usmctl.core.findings import quote

DataPath = tuple[str | int, ...]
_SHOWN_CHARS = 60


class _Missing:
    """A field the matched mapping does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Target:
    """A value a check reads: where it is in the architecture, and the value
    (`MISSING` for an absent field); ``at_key`` for ``field: "@key"``."""

    path: DataPath
    value: Any
    at_key: bool = False


@dataclass
class Context:
    """What some functions need besides the values."""

    budget: Budget
    # reference-exists: does ``section`` declare the id (of ``kind``, if given)?
    declares: Callable[[str, str, str | None], bool]
    # reference-exists with ``in``: the `scalar_key` of each value a JSONPath matches
    keys_of: Callable[[str], frozenset[tuple[str, Any] | None]]
    # unique: how a path is shown (the logical path of the first occurrence)
    shown_path: Callable[[DataPath], str]


Failure = tuple[Target, str]


def shown(value: Any) -> str:
    """A value in a message: a string in double quotes, anything else as
    compact JSON, cut to a readable length."""
    if value is MISSING:
        return "nothing"
    if isinstance(value, str):
        text = quote(value)
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def targets_of(matches: Iterable[tuple[DataPath, Any]], field: str | None) -> Iterator[Target]:
    """The values a check reads: the matches, their ``field``, or their keys."""
    for path, value in matches:
        if field is None:
            yield Target(path, value)
        elif not isinstance(value, dict):
            continue  # a field of something that has none: Spectral passes over it
        elif field == "@key":
            for key in value:
                yield Target((*path, key), key, at_key=True)
        else:
            yield Target((*path, field), value.get(field, MISSING))


def apply(then: Then, targets: list[Target], context: Context) -> list[Failure]:
    """The targets that fail ``then``, each with why."""
    if then.function == "unique":
        return _unique(targets, context)
    check = _CHECKS[then.function]
    failures = []
    for target in targets:
        if target.value is MISSING and then.function not in _TAKE_MISSING:
            continue
        error = check(target.value, then.options, context)
        if error is not None:
            failures.append((target, error))
    return failures


def _falsy(value: Any) -> bool:
    # JavaScript's falsy values, as Spectral reads them: an empty list is truthy.
    return (
        value is MISSING
        or value is None
        or value is False
        or value == ""
        or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0)
    )


def _truthy(value: Any, options: dict[str, Any], context: Context) -> str | None:
    if value is MISSING:
        return "is missing"
    return f"is {shown(value)}" if _falsy(value) else None


def _falsy_check(value: Any, options: dict[str, Any], context: Context) -> str | None:
    return None if _falsy(value) else f'is {shown(value)}, expected false, 0, "", null or nothing'


def _pattern(value: Any, options: dict[str, Any], context: Context) -> str | None:
    if not isinstance(value, str):
        return None
    wanted = options.get("match")
    if wanted is not None and not search_regex(wanted, value):
        return f"{shown(value)} does not match {quote(wanted)}"
    unwanted = options.get("notMatch")
    if unwanted is not None and search_regex(unwanted, value):
        return f"{shown(value)} matches {quote(unwanted)}"
    return None


def scalar_key(value: Any) -> tuple[str, Any] | None:
    """A scalar as JSON compares it, hashable: ``true`` is not ``1``, ``1`` is
    ``1.0``; None for a list or mapping."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null", None)
    return None


def _enum(value: Any, options: dict[str, Any], context: Context) -> str | None:
    key = scalar_key(value)
    values = options["values"]
    if key is None or key in {scalar_key(each) for each in values}:
        return None
    return f"{shown(value)} is not one of {', '.join(shown(each) for each in values)}"


def _length(value: Any, options: dict[str, Any], context: Context) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        size, what = value, f"is {value}"
    elif isinstance(value, str):
        size, what = len(value), f"{shown(value)} has {_count(len(value), 'character')}"
    elif isinstance(value, list):
        size, what = len(value), f"has {_count(len(value), 'item')}"
    elif isinstance(value, dict):
        size, what = len(value), f"has {_count(len(value), 'key')}"
    else:
        return None
    least, most = options.get("min"), options.get("max")
    if least is not None and size < least:
        return f"{what}, expected at least {least}"
    if most is not None and size > most:
        return f"{what}, expected at most {most}"
    return None


def _count(number: int, word: str) -> str:
    return f"{number} {word}" + ("" if number == 1 else "s")


def _reference(value: Any, options: dict[str, Any], context: Context) -> str | None:
    if "in" in options:
        key = scalar_key(value)
        if key is None or key in context.keys_of(options["in"]):
            return None
        return f"{shown(value)} is not among the values of {options['in']}"
    if not isinstance(value, str):
        return None
    section, kind = options["section"], options.get("kind")
    if context.declares(section, value, kind):
        return None
    of_kind = f" of kind {quote(kind)}" if kind is not None else ""
    return f"{shown(value)} names no entity of {section}{of_kind}"


def _schema(value: Any, options: dict[str, Any], context: Context) -> str | None:
    from jsonschema import exceptions

    if value is MISSING:
        return "is missing"
    if isinstance(value, (dict, list)):
        context.budget.spend(count_values(value))
    error = exceptions.best_match(schema_validator(options["schema"]).iter_errors(value))
    return None if error is None else schema_detail(error)


def _unique(targets: list[Target], context: Context) -> list[Failure]:
    first: dict[str, Target] = {}
    failures = []
    for target in targets:
        if target.value is MISSING:
            continue
        if isinstance(target.value, (dict, list)):
            context.budget.spend(count_values(target.value))
        key = json.dumps(target.value, sort_keys=True, default=str)
        seen = first.setdefault(key, target)
        if seen is not target:
            failures.append((target, f"repeats the value of {context.shown_path(seen.path)}"))
    return failures


# The functions that judge a missing field: truthy fails it, falsy passes it,
# schema fails it (an absent value is no instance of any schema).
_TAKE_MISSING = ("truthy", "falsy", "schema")
_CHECKS: dict[str, Callable[[Any, dict[str, Any], Context], str | None]] = {
    "truthy": _truthy,
    "falsy": _falsy_check,
    "pattern": _pattern,
    "enum": _enum,
    "length": _length,
    "reference-exists": _reference,
    "schema": _schema,
}
# Every function `then` may name (`unique` reads all the values at once).
FUNCTIONS = ("truthy", "falsy", "pattern", "enum", "length", "unique", "reference-exists", "schema")
assert set(FUNCTIONS) == {*_CHECKS, "unique"}, "a function without its check"
