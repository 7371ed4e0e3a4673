"""JSON Schemas from config, for custom rules (docs/custom-rules.md), checked
to reach nothing outside themselves and to match every regex in linear time
(docs/hardening.md, "Side files and custom rules").
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from usmctl.check.regex import compiled_regex, regex_problem

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

MAX_DETAIL = 160
# Every keyword that names another schema by URI.
REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


def schema_detail(error: ValidationError) -> str:
    """A schema error in a message: the failing value's path and the reason, cut short."""
    detail = error.message
    if error.absolute_path:
        detail = "/".join(str(part) for part in error.absolute_path) + ": " + detail
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 3] + "..."
    return detail


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
                problem = regex_problem(pattern)
                if problem is not None:
                    return problem
    if unevaluated and patterned:
        return (
            "unevaluatedProperties cannot be used with patternProperties "
            "(no linear-time match); use propertyNames with a pattern"
        )
    return None


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

    if validator.is_type(instance, "string") and not compiled_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if compiled_regex(pattern).search(key):
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
        if key not in properties and not any(compiled_regex(p).search(key) for p in patterns)
    ]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        verb = "does" if len(extras) == 1 else "do"
        joined = ", ".join(repr(each) for each in sorted(extras))
        listed = ", ".join(repr(each) for each in sorted(patterns))
        yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
