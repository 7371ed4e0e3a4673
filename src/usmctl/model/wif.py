"""USM-WIF workflow files as workflows (docs/usm.md, "USM-WIF").

A USM-WIF document is converted to the mapping a ``workflows`` entry would be,
then validated like one; `WIF_KEY_MAP` maps its model fields back to the
file's keys for locations. A workflow without ``usm-type`` takes the catalogue
type its step walk fits (`infer_types`).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from usmctl.model.catalogue import Catalogue, collapse
from usmctl.model.entities import Step, Workflow

# USM-WIF keys -> model fields (docs/usm.md, "USM-WIF"); everything else is
# ignored (Must-Ignore). `usm-type` is usmctl's extension: the catalogue type.
_WIF_TOP = {"slug": "id", "context": "provider", "process": "owner_process", "usm-type": "type"}
# Model field -> the file's key, for locations (Origin.key_map; ".x": a nested x).
_KEYS = {"id": "slug", "provider": "context", "owner_process": "process",
         "type": "usm-type", ".sort_index": "sort-index"}  # fmt: skip
WIF_KEY_MAP: Mapping[str, str] = MappingProxyType(_KEYS)


def wif_to_workflow(data: dict[str, Any], filename: str, template: bool) -> dict[str, Any]:
    """A USM-WIF document as a workflow mapping; unknown fields are ignored."""
    out: dict[str, Any] = {}
    for key, target in _WIF_TOP.items():
        if key in data:
            out[target] = data[key]
    for key in ("name", "description", "dynamicity"):
        if key in data:
            out[key] = data[key]
    if "id" not in out and template:
        stem = filename.removesuffix(".workflow-template.json").lower()
        out["id"] = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in stem) or "template"
    steps = data.get("steps")
    if isinstance(steps, list):
        out["steps"] = [_wif_step(step) for step in steps]
    elif steps is not None:
        out["steps"] = steps  # let the model report the wrong type
    return out


def _wif_step(step: Any) -> Any:
    if not isinstance(step, dict):
        return step
    out = {key: step[key] for key in ("id", "name", "description", "process") if key in step}
    if "sort-index" in step:
        out["sort_index"] = _wif_index(step["sort-index"])
    activities = step.get("activities")
    if isinstance(activities, list):
        out["activities"] = [_wif_activity(activity) for activity in activities]
    elif activities is not None:
        out["activities"] = activities
    return out


def _wif_activity(activity: Any) -> Any:
    if not isinstance(activity, dict):
        return activity
    keys = ("id", "name", "description", "responsibilities")
    out = {key: activity[key] for key in keys if key in activity}
    if "sort-index" in activity:
        out["sort_index"] = _wif_index(activity["sort-index"])
    return out


# A sort-index written as text is read as a number up to this many digits;
# longer (or other digits: "²", "①") it stays text and the model reports it.
_MAX_INDEX_DIGITS = 18


def _wif_index(value: Any) -> Any:
    # The USM-WIF memo's own examples write sort-index as a string ("3").
    if (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= _MAX_INDEX_DIGITS
    ):
        return int(value)
    return value


def infer_types(workflow: Workflow, catalogue: Catalogue) -> tuple[str, ...]:
    """The catalogue types a USM-WIF workflow's step walk fits best (docs/usm.md,
    "USM-WIF"): one is its type, several a tie, none no fit."""
    sequence = collapse(step.process for step in ordered_steps(workflow))
    return catalogue.infer(sequence) if sequence else ()


def ordered_steps(workflow: Workflow) -> list[Step]:
    """Steps in order: by ``sort_index`` when every step has one, else as written."""
    steps = list(workflow.steps)
    if steps and all(step.sort_index is not None for step in steps):
        steps.sort(key=lambda step: step.sort_index or 0)
    return steps
