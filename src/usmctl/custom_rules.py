"""Declarative custom rules from config: a JSON Schema per entity (docs/ci.md, "Custom rules").

Each rule names a section; every entity of that section, as written in its
file (the raw mapping, before any model defaults), is validated with
``jsonschema``. A failing entity gives one finding, for its first schema error,
located at the failing value (the entity itself for an error about the whole
entity, such as a missing required key). The schema was checked when the
config was read; nothing here runs user code.
"""

from __future__ import annotations

from typing import Any

from usmctl.architecture import Architecture, CodedViolation, locate_field
from usmctl.errors import ConfigError
from usmctl.findings import Violation
from usmctl.rules.base import describe
from usmctl.settings import CustomRule

_MAX_DETAIL = 160


def check(
    rules: tuple[CustomRule, ...],
    architecture: Architecture,
    data: dict[str, Any],
    *,
    enabled: set[str],
) -> list[CodedViolation]:
    """Violations of the enabled custom rules; ``data`` maps file -> parsed data."""
    from jsonschema import exceptions
    from jsonschema.validators import validator_for
    from referencing.exceptions import Unresolvable

    found: list[CodedViolation] = []
    for rule in rules:
        if rule.code not in enabled:
            continue
        validator = validator_for(rule.schema)(rule.schema)
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
