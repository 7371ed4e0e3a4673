"""The workflow catalogue (SPEC §1): package data, or the user's own file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator

from usmctl.errors import ConfigError
from usmctl.model import Id, UsmModel
from usmctl.source import Anchor, SourceMap
from usmctl.usm import PROCESSES, TRIGGER_ENTRY, read_catalogue
from usmctl.yamlio import parse


class WorkflowType(UsmModel):
    """One catalogue entry: a standard workflow and its process path."""

    id: Id
    kind: Literal["reactive", "proactive"]
    trigger: str
    path: list[str] = Field(min_length=1)
    description: str | None = None

    @field_validator("path")
    @classmethod
    def _canonical_path(cls, path: list[str]) -> list[str]:
        unknown = [name for name in path if name not in PROCESSES]
        if unknown:
            raise ValueError(f"not USM processes: {', '.join(unknown)}")
        return path

    @field_validator("trigger")
    @classmethod
    def _known_trigger(cls, trigger: str) -> str:
        if trigger not in TRIGGER_ENTRY:
            raise ValueError(f"unknown trigger (known: {', '.join(TRIGGER_ENTRY)})")
        return trigger

    @property
    def entry(self) -> str:
        """The entry process: the first of the path."""
        return self.path[0]


class CatalogueFile(UsmModel):
    """The catalogue file format."""

    usm_catalogue: Literal["1"] = Field(alias="usm-catalogue")
    workflow_types: list[WorkflowType] = Field(min_length=1)


@dataclass(frozen=True)
class Catalogue:
    """The active catalogue: workflow types by id, in file order."""

    source: str
    types: tuple[WorkflowType, ...]

    def get(self, type_id: str) -> WorkflowType | None:
        """The workflow type with this id, if any."""
        for workflow_type in self.types:
            if workflow_type.id == type_id:
                return workflow_type
        return None

    @property
    def ids(self) -> tuple[str, ...]:
        """Type ids in catalogue order."""
        return tuple(workflow_type.id for workflow_type in self.types)


def load_catalogue(path: Path | None = None, *, raw: bytes | None = None) -> Catalogue:
    """Load and validate a catalogue; a bad one is a `ConfigError` with file:line.

    ``raw``: the file's bytes when the caller has read them already (the
    findings cache keys on exactly what is checked).
    """
    shown = "<built-in catalogue>" if path is None else str(path)
    try:
        text = (read_catalogue(path) if raw is None else raw).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{shown}: cannot read catalogue: {error}") from None
    result = parse(text)
    if result.problems:
        problem = result.problems[0]
        raise ConfigError(
            f"{shown}:{problem.position.line}:{problem.position.column}: "
            f"invalid catalogue: {problem.message}"
        )
    try:
        parsed = CatalogueFile.model_validate(result.data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        loc = tuple(first["loc"])
        position = SourceMap(text).locate_all([Anchor(loc)])[Anchor(loc)]
        where = ".".join(str(item) for item in loc) or "top level"
        raise ConfigError(
            f"{shown}:{position.line}:{position.column}: invalid catalogue: {where}: {first['msg']}"
        ) from None
    seen: set[str] = set()
    for index, workflow_type in enumerate(parsed.workflow_types):
        if workflow_type.id in seen:
            anchor = Anchor(("workflow_types", index, "id"))
            position = SourceMap(text).locate_all([anchor])[anchor]
            raise ConfigError(
                f"{shown}:{position.line}:{position.column}: invalid catalogue: "
                f"duplicate workflow type {workflow_type.id!r}"
            )
        seen.add(workflow_type.id)
    return Catalogue(shown, tuple(parsed.workflow_types))
