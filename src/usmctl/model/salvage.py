"""Salvage: an entity without its invalid values, and paths as the file has them.

An entity with schema problems is validated again without the offending
values (`salvage`), so one typo does not cascade into findings about the
entities around it. Removing a list item shifts the items after it: the
model's ``steps[1]`` is then the file's ``steps[2]``, and every location of the
entity's fields is mapped back (`original_path`, `as_written`, `locate_field`).
"""

from __future__ import annotations

import bisect
import copy
import functools
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from usmctl.core.findings import Locus
from usmctl.core.positions import Anchor, DataPath, format_path
from usmctl.model.entities import Entity, Origin
from usmctl.model.schema_errors import data_loc

_SALVAGE_PASSES = 5  # a removal can only uncover a missing required field: 2 passes suffice

_REMOVED = object()


@dataclass(frozen=True, slots=True)
class Salvaged:
    """An entity validated without some of its values."""

    entity: Entity
    data: Any  # what was validated: the data as written without the removed values
    # paths of the values removed, in the coordinates of the data as written
    removed: frozenset[DataPath]
    # one of the entity's own fields fell back to its default (``external: "yes"``)
    defaulted: bool


def salvage(
    item: Any, error: ValidationError, *, validate: Callable[[Any, frozenset[DataPath]], Entity]
) -> Salvaged | None:
    """The entity without its offending values, or None when it needs them.

    ``validate(data, removed)`` validates ``data``, which is ``item`` without
    the values at ``removed``, as the entity's model. Each pass removes
    the value at every error location (a field falls back to its default, a
    list item or mapping entry goes); a nested object missing a required field
    goes as a whole. A required field of the entity itself cannot be removed,
    so an entity missing one (or with one invalid) is left out. A misspelt
    ``custmers`` is then a service without customers, and ``hours: on`` a
    service without support hours, not a service that vanished and left its
    provider and customers with none. Its findings are reported already:
    salvage reports nothing.
    """
    removed: list[DataPath] = []  # in the coordinates of ``item``
    defaulted = False
    current = item
    for _ in range(_SALVAGE_PASSES):
        targets: list[DataPath] = []
        for detail in error.errors(include_url=False):
            loc, exists = data_loc(current, tuple(detail["loc"]), detail["type"])
            target = loc if exists and detail["type"] != "missing" else loc[:-1]
            if not target:
                return None  # the entity itself is at fault: nothing to remove
            targets.append(target)
            if len(target) == 1 and detail["type"] != "extra_forbidden":
                defaulted = True
        current = _without(current, targets)
        earlier = frozenset(removed)
        removed.extend(original_path(target, earlier) for target in targets)
        try:
            entity = validate(current, frozenset(removed))
        except ValidationError as again:
            error = again
            continue
        return Salvaged(entity, current, frozenset(removed), defaulted)
    return None


def _without(item: Any, paths: list[DataPath]) -> Any:
    """A copy of ``item`` without the values at ``paths`` (all in its coordinates)."""
    marked = copy.deepcopy(item)
    for path in paths:
        node = marked
        for element in path[:-1]:
            node = node[element] if _has(node, element) else None
        if _has(node, path[-1]):
            node[path[-1]] = _REMOVED  # marked first: removing would shift list indices
    return _strip(marked)


def _has(node: Any, element: str | int) -> bool:
    """Whether ``node[element]`` is there (a key of a mapping, an index of a list)."""
    return (isinstance(node, dict) and element in node) or (
        isinstance(node, list) and isinstance(element, int) and 0 <= element < len(node)
    )


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _strip(value) for key, value in node.items() if value is not _REMOVED}
    if isinstance(node, list):
        return [_strip(value) for value in node if value is not _REMOVED]
    return node


def salvage_index(
    removed: list[tuple[DataPath, DataPath]],
) -> tuple[frozenset[DataPath], frozenset[DataPath]]:
    """The values salvage removed from a file, and the paths below their
    entities that hold one (``removed``: entity path, removed value path)."""
    values = frozenset(value_path for _, value_path in removed)
    holders = frozenset(
        value_path[:length]
        for entity_path, value_path in removed
        for length in range(len(entity_path) + 1, len(value_path) + 1)
    )
    return values, holders


def as_written(entity: Entity, fields: DataPath) -> DataPath:
    """A model field path as the file has it: after salvage removed a list item,
    the model's ``steps[1]`` is the file's ``steps[2]`` (for messages)."""
    removed = entity.origin.removed
    return original_path(fields, removed) if removed else fields


def original_path(path: DataPath, removed: AbstractSet[DataPath]) -> DataPath:
    """A path after removals as a path before them: list indices skip removed items.

    ``removed`` holds paths before the removals; an entity whose ``steps[0]``
    was removed has the file's ``steps[1]`` as its ``steps[0]``.
    """
    gone = _removed_indices(frozenset(removed))
    original: list[str | int] = []
    for element in path:
        indices = gone.get(tuple(original)) if isinstance(element, int) else None
        if indices and isinstance(element, int) and element >= 0:
            # The smallest index with element + 1 items kept up to it: a binary
            # search, not a walk along the list (quadratic over a long list).
            wanted: int = element
            low, high = wanted, wanted + len(indices)
            while low < high:
                middle = (low + high) // 2
                if middle + 1 - bisect.bisect_right(indices, middle) > wanted:
                    high = middle
                else:
                    low = middle + 1
            original.append(low)
        else:
            original.append(element)
    return tuple(original)


@functools.lru_cache(maxsize=8)
def _removed_indices(removed: frozenset[DataPath]) -> dict[DataPath, list[int]]:
    """List path -> the sorted indices removed from that list."""
    gone: dict[DataPath, list[int]] = {}
    for path in removed:
        if path and isinstance(path[-1], int):
            gone.setdefault(path[:-1], []).append(path[-1])
    for indices in gone.values():
        indices.sort()
    return gone


def locate_field(
    origin: Origin, fields: DataPath, *, at_key: bool = False, as_written: bool = False
) -> Locus:
    """The locus of an entity's field, given as a model path (``as_written``: as a
    path in the file's own keys and list positions, such as a JSON Schema's)."""
    if origin.removed and not as_written:
        fields = original_path(fields, origin.removed)
    logical = (
        origin.section
        if origin.section == "architecture"
        else (f"{origin.section}[{origin.label}]")
    )
    suffix = format_path(fields)
    if suffix:
        logical += suffix if suffix.startswith("[") else f".{suffix}"
    return Locus(
        origin.file,
        logical,
        origin.label if origin.section != "architecture" else "architecture",
        Anchor((*origin.path, *fields) if as_written else origin.raw_path(fields), at_key),
    )
