"""Declarative custom rules from config: a JSON Schema per entity (docs/ci.md, "Custom rules").

Each rule names a section; every entity of that section, as written in its
file (the raw mapping, before any model defaults), is validated with
``jsonschema``. A failing entity gives one finding, for its first schema error,
located at the failing value (the entity itself for an error about the whole
entity, such as a missing required key). The schema was checked when the
config was read; nothing here runs user code.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from usmctl.check.settings import CustomRule
from usmctl.core.errors import ConfigError
from usmctl.core.findings import Violation

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

    from usmctl.model.architecture import Architecture
    from usmctl.model.build import CodedViolation

_MAX_DETAIL = 160
# Every keyword that names another schema by URI.
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


def check(
    rules: tuple[CustomRule, ...],
    architecture: Architecture,
    data: dict[str, Any],
    *,
    enabled: set[str],
) -> list[CodedViolation]:
    """Violations of the enabled custom rules; ``data`` maps file -> parsed data."""
    from jsonschema import exceptions
    from referencing.exceptions import Unresolvable

    # start-up: config imports this module on the warm path; pydantic only when a rule runs
    from usmctl.model.build import CodedViolation
    from usmctl.model.salvage import locate_field
    from usmctl.rules.base import describe

    found: list[CodedViolation] = []
    for rule in rules:
        if rule.code not in enabled:
            continue
        validator = schema_validator(rule.schema)
        for entity in architecture.section(rule.section):
            origin = entity.origin
            raw = _at(data.get(origin.file), origin.path)
            if raw is None:
                continue
            try:
                error = exceptions.best_match(validator.iter_errors(raw))
            except Unresolvable as unresolvable:
                # A $ref the config check could not see (built at run time).
                raise ConfigError(
                    f"custom rule {rule.code}: schema reference cannot be resolved: {unresolvable}"
                ) from None
            except RecursionError:
                # {"$ref": "#"} and other reference loops: valid schemas that never end.
                raise ConfigError(
                    f"custom rule {rule.code}: schema references loop without end ($ref)"
                ) from None
            if error is None:
                continue
            detail = error.message
            if error.absolute_path:
                detail = "/".join(str(part) for part in error.absolute_path) + ": " + detail
            if len(detail) > _MAX_DETAIL:
                detail = detail[: _MAX_DETAIL - 3] + "..."
            message = f"{describe(entity)}: {rule.message} ({detail})"
            # The schema saw the file's mapping: its path is in the file's own terms.
            at = locate_field(origin, tuple(error.absolute_path), as_written=True)
            found.append(CodedViolation(rule.code, Violation(message, at)))
    return found


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    """The raw value at a data path, or None."""
    node = data
    for part in path:
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        )
        if not inside:
            return None
        node = node[part]
    return node


def schema_validator(schema: dict[str, Any]) -> Validator:
    """A validator for a config's schema that reaches nothing outside it.

    References resolve through a `referencing` registry that holds only the
    schema (and jsonschema's bundled meta-schemas) and retrieves nothing, for
    every keyword (``$ref``, ``$dynamicRef``, ``$recursiveRef``, ``$id``
    bases). ``pattern``, ``patternProperties`` and ``additionalProperties``
    match with RE2, in time linear in the value (docs/hardening.md, "Side
    files and custom rules").
    """
    from jsonschema.validators import validator_for
    from referencing import Registry

    validator: Validator = _linear_time(validator_for(schema))(schema, registry=Registry())
    return validator


def schema_problem(schema: Any) -> str | None:
    """Why a config's schema cannot be used safely, or None: a reference that
    leaves the schema, a regex RE2 cannot run, or ``unevaluatedProperties``
    beside ``patternProperties`` (jsonschema matches those with Python's
    backtracking engine)."""
    unevaluated = patterned = False
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        for keyword in REFERENCE_KEYWORDS:
            ref = node.get(keyword)
            if isinstance(ref, str) and not ref.startswith("#"):
                return (
                    f"{keyword} {ref!r} is not local: usmctl never fetches schemas, "
                    "use a #/... reference into the same schema"
                )
        patterns = node.get("patternProperties")
        patterned = patterned or isinstance(patterns, dict)
        unevaluated = unevaluated or "unevaluatedProperties" in node
        candidates = [node.get("pattern"), *(patterns if isinstance(patterns, dict) else ())]
        for pattern in candidates:
            if isinstance(pattern, str):
                problem = _regex_problem(pattern)
                if problem is not None:
                    return problem
    if unevaluated and patterned:
        return (
            "unevaluatedProperties cannot be used with patternProperties "
            "(no linear-time match); use propertyNames with a pattern"
        )
    return None


def _regex_problem(pattern: str) -> str | None:
    try:
        _regex(pattern)
    except ConfigError as error:
        return str(error)
    return None


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
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


@functools.cache
def _linear_time(base: Any) -> Any:
    """``base`` (a jsonschema validator class) with RE2 for its regex keywords."""
    from jsonschema.validators import extend

    return extend(  # type: ignore[no-untyped-call]
        base,
        {
            "pattern": _pattern,
            "patternProperties": _pattern_properties,
            "additionalProperties": functools.partial(
                _additional_properties, base.VALIDATORS["additionalProperties"]
            ),
        },
    )


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _regex(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(
    original: Any, validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    patterns = schema.get("patternProperties")
    if not patterns or not validator.is_type(instance, "object"):
        yield from original(validator, additional, instance, schema)
        return
    properties = schema.get("properties", {})
    extras = [
        key
        for key in instance
        if key not in properties and not any(_regex(p).search(key) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        verb = "does" if len(extras) == 1 else "do"
        joined = ", ".join(repr(each) for each in sorted(extras))
        listed = ", ".join(repr(each) for each in sorted(patterns))
        yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
