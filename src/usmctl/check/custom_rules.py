"""Declarative custom rules from config and rule sets (docs/custom-rules.md).

Two kinds, both data, never code:

- ``section`` + ``schema``: every entity of the section, as written in its
  file (the raw mapping, before any model defaults), is validated with
  ``jsonschema``. A failing entity gives one finding, for its first schema
  error, at the failing value (the entity itself for an error about the whole
  entity, such as a missing required key).
- ``given`` + ``then``: JSONPath queries over the whole architecture (`Document`:
  every section a list of its entities as written), and a function (`functions`)
  applied to each value they match; one finding per failing value, at that
  value, with the rule's message and its ``{{value}}``, ``{{path}}``,
  ``{{property}}`` and ``{{error}}`` filled in.

Rules were checked when the config was read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from usmctl.check.functions import Context, Target, apply, scalar_key, shown, targets_of
from usmctl.check.query import (
    RUN_VISITS_PER_VALUE,
    VISITS_PER_VALUE,
    Budget,
    OverBudgetError,
    budget_for,
    count_values,
    find,
)
from usmctl.check.schemas import schema_detail, schema_problem, schema_validator
from usmctl.check.settings import CustomRule
from usmctl.core.errors import ConfigError
from usmctl.core.findings import Locus, Violation
from usmctl.core.positions import Anchor, DataPath, format_path

if TYPE_CHECKING:
    from usmctl.model.architecture import Architecture
    from usmctl.model.build import CodedViolation
    from usmctl.model.entities import Entity

__all__ = ["check", "schema_problem", "schema_validator"]

_PLACEHOLDER = re.compile(r"\{\{\s*(value|path|property|error)\s*\}\}")


def check(
    rules: tuple[CustomRule, ...],
    architecture: Architecture,
    data: dict[str, Any],
    *,
    enabled: set[str],
) -> list[CodedViolation]:
    """Violations of the enabled custom rules; ``data`` maps file -> parsed data."""
    found: list[CodedViolation] = []
    document: Document | None = None
    for rule in rules:
        if rule.code not in enabled:
            continue
        if rule.given:
            document = document or Document(architecture, data)
            found.extend(_given_rule(rule, document))
        else:
            found.extend(_section_rule(rule, architecture, data))
    return found


def _section_rule(
    rule: CustomRule, architecture: Architecture, data: dict[str, Any]
) -> list[CodedViolation]:
    from jsonschema import exceptions
    from referencing.exceptions import Unresolvable

    # start-up: config imports this module on the warm path; pydantic only when a rule runs
    from usmctl.model.build import CodedViolation
    from usmctl.model.salvage import locate_field
    from usmctl.rules.base import describe

    assert rule.section is not None and rule.schema is not None, "checked by the config"
    validator = schema_validator(rule.schema)
    found = []
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
        message = f"{describe(entity)}: {rule.message} ({schema_detail(error)})"
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


class Document:
    """The architecture as ``given`` queries see it: ``architecture`` (the
    architecture's own mapping, when a file has one) and every section as the
    list of the entities the model kept, each as written in its file; and the
    way back from a path in it to the file, entity and field."""

    def __init__(self, architecture: Architecture, data: dict[str, Any]) -> None:
        # start-up: config imports this module on the warm path; pydantic only when a rule runs
        from usmctl.model.entities import SECTIONS

        self.architecture = architecture
        self.data: dict[str, Any] = {}
        self.entities: dict[str, list[Entity]] = {}
        self.info: Entity | None = None
        self.files = {file: data.get(file) for file in architecture.read_files}
        info = architecture.info
        raw_info = None if info is None else _at(data.get(info.origin.file), info.origin.path)
        if info is not None and raw_info is not None:
            self.data["architecture"] = raw_info
            self.info = info
        for section in SECTIONS:
            kept, raws = [], []
            for entity in architecture.section(section):
                raw = _at(data.get(entity.origin.file), entity.origin.path)
                if raw is not None:
                    kept.append(entity)
                    raws.append(raw)
            self.entities[section] = kept
            self.data[section] = raws
        self.values = count_values(self.data)
        # What the rules of this run may still read, all together.
        self.run_budget = budget_for(self.values, per_value=RUN_VISITS_PER_VALUE)
        self._keys_of: dict[str, frozenset[tuple[str, Any] | None]] = {}

    def locus(self, path: DataPath, *, at_key: bool = False) -> Locus | None:
        """Where a value of the document is written (None: in no file)."""
        # start-up: config imports this module on the warm path; pydantic only when a rule runs
        from usmctl.model.salvage import locate_field

        if path[:1] == ("architecture",) and self.info is not None:
            return locate_field(self.info.origin, path[1:], at_key=at_key, as_written=True)
        if len(path) >= 2 and isinstance(path[1], int) and str(path[0]) in self.entities:
            entity = self.entities[str(path[0])][path[1]]
            return locate_field(entity.origin, path[2:], at_key=at_key, as_written=True)
        # A whole section (the union of every file's) or the document: at the
        # first file that declares that section, else at the first file.
        files = [
            file
            for file, parsed in self.files.items()
            if not path or (isinstance(parsed, dict) and path[0] in parsed)
        ] or list(self.files)
        if not files:
            return None
        # A section is its key (its value starts at its first entity).
        return Locus(files[0], format_path(path) or "$", None, Anchor(path[:1], bool(path)))

    def keys_of(self, query: str, budget: Budget) -> frozenset[tuple[str, Any] | None]:
        """The values a query matches, as `scalar_key`s (``reference-exists``
        with ``in``: one set lookup per value checked)."""
        if query not in self._keys_of:
            found = find(query, self.data, budget)
            self._keys_of[query] = frozenset(scalar_key(value) for _, value in found)
        return self._keys_of[query]

    def declares(self, section: str, entity_id: str, kind: str | None) -> bool:
        """Whether ``section`` has an entity ``entity_id`` (of ``kind``, when given)."""
        if kind is None:
            return self.architecture.declares(section, entity_id)
        entity = self.architecture.index.get(section, {}).get(entity_id)
        return entity is not None and getattr(entity, "kind", None) == kind


def _given_rule(rule: CustomRule, document: Document) -> list[CodedViolation]:
    # start-up: config imports this module on the warm path; pydantic only when a rule runs
    from usmctl.model.build import CodedViolation

    budget = budget_for(document.values)
    context = Context(
        budget=budget,
        declares=document.declares,
        keys_of=lambda query: document.keys_of(query, budget),
        shown_path=lambda path: _logical(document, path),
    )
    found: list[CodedViolation] = []
    seen: set[tuple[str, str, bool, str]] = set()
    try:
        matches = [match for query in rule.given for match in find(query, document.data, budget)]
        for then in rule.then:
            targets = list(targets_of(matches, then.field))
            for target, error in apply(then, targets, context):
                violation = _violation(rule, document, target, error)
                if violation is None:
                    continue
                key = (violation.at.file, violation.at.path, target.at_key, violation.message)
                if key not in seen:
                    seen.add(key)
                    found.append(CodedViolation(rule.code, violation))
    except OverBudgetError:
        raise ConfigError(
            f"custom rule {rule.code}: its JSONPath queries read more than "
            f"{budget_for(document.values).left:,} values of the architecture "
            f'({VISITS_PER_VALUE} for each of its {document.values:,}): narrow "given"'
        ) from None
    except ConfigError as error:
        raise ConfigError(f"custom rule {rule.code}: {error}") from None
    try:
        document.run_budget.spend(budget_for(document.values).left - budget.left)
    except OverBudgetError:
        raise ConfigError(
            f"custom rules (up to {rule.code}) together read more than "
            f"{budget_for(document.values, per_value=RUN_VISITS_PER_VALUE).left:,} values "
            f"of the architecture ({RUN_VISITS_PER_VALUE} for each of its "
            f"{document.values:,}): fewer or narrower rules"
        ) from None
    return found


def _logical(document: Document, path: DataPath) -> str:
    locus = document.locus(path)
    return format_path(path) if locus is None else locus.path


def _violation(
    rule: CustomRule, document: Document, target: Target, error: str
) -> Violation | None:
    at = document.locus(target.path, at_key=target.at_key)
    if at is None:
        return None
    last = target.path[-1] if target.path else "$"
    fills = {
        "value": shown(target.value),
        "path": at.path,
        "property": str(last),
        "error": error,
    }
    # One pass: a value that reads "{{path}}" stays as written.
    message = _PLACEHOLDER.sub(lambda match: fills[match.group(1)], rule.message)
    return Violation(message, at)
