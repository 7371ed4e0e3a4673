"""The workflow catalogue (docs/usm.md, "The eight workflows"): package data,
or the user's own file; and the nested walk of a workflow along a chain
(docs/usm.md, "Nested walks")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from usmctl.core.errors import ConfigError
from usmctl.core.positions import Anchor
from usmctl.load.locate import SourceMap
from usmctl.load.yamlio import parse_side_file
from usmctl.model.entities import Id, UsmModel
from usmctl.model.usm import (
    LEGACY_TRIGGERS,
    PROCESSES,
    TRIGGER_ENTRY,
    canonical_process,
    read_catalogue,
)


class WorkflowType(UsmModel):
    """One catalogue entry: a standard workflow and its chain of processes."""

    id: Id
    kind: Literal["reactive", "proactive"]
    trigger: str
    chain: list[str] = Field(min_length=1)
    source: str | None = None
    description: str | None = None

    @field_validator("chain")
    @classmethod
    def _canonical_chain(cls, chain: list[str]) -> list[str]:
        unknown = [name for name in chain if name not in PROCESSES]
        if unknown:
            raise ValueError(f"not USM processes: {', '.join(unknown)}")
        if len(set(chain)) != len(chain):
            raise ValueError("a process appears twice in the chain")
        return chain

    @field_validator("trigger")
    @classmethod
    def _known_trigger(cls, trigger: str) -> str:
        if trigger not in TRIGGER_ENTRY and trigger not in LEGACY_TRIGGERS:
            raise ValueError(f"unknown trigger (known: {', '.join(TRIGGER_ENTRY)})")
        return trigger

    @property
    def entry(self) -> str:
        """The entry process, which owns the workflow: the first of the chain."""
        return self.chain[0]


class CatalogueFile(UsmModel):
    """The catalogue file format: v2 (``chain``, ``source``) or v1 (``path``)."""

    usm_catalogue: Literal["1", "2"] = Field(alias="usm-catalogue")
    workflow_types: list[WorkflowType] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _v1_path_is_chain(cls, data: Any) -> Any:
        # v1 files name the chain `path` (and may use the v1 `planned` trigger).
        if not isinstance(data, dict) or data.get("usm-catalogue") != "1":
            return data
        types = data.get("workflow_types")
        if not isinstance(types, list):
            return data
        renamed = [
            {("chain" if key == "path" else key): value for key, value in entry.items()}
            if isinstance(entry, dict)
            else entry
            for entry in types
        ]
        return {**data, "workflow_types": renamed}

    @model_validator(mode="after")
    def _no_legacy_trigger_in_v2(self) -> CatalogueFile:
        if self.usm_catalogue == "2":
            for workflow_type in self.workflow_types:
                if workflow_type.trigger in LEGACY_TRIGGERS:
                    raise ValueError(
                        f"workflow type {workflow_type.id!r}: trigger {workflow_type.trigger!r} "
                        f"is not in catalogue v2 (known: {', '.join(TRIGGER_ENTRY)})"
                    )
        return self


WalkReason = Literal["skips-level", "foreign-process", "return-not-passed"]


@dataclass(frozen=True)
class Deviation:
    """The first step of a walk that leaves the chain's nesting."""

    index: int  # position in the collapsed sequence
    process: str
    reason: WalkReason
    skipped: tuple[str, ...] = ()  # for skips-level: the chain levels jumped over

    def explain(self) -> str:
        """Why the step deviates, for messages."""
        if self.reason == "foreign-process":
            return f'"{self.process}" is not in the chain'
        if self.reason == "skips-level":
            skipped = ", ".join(f'"{process}"' for process in self.skipped)
            return f'"{self.process}" skips {skipped}'
        return f'"{self.process}" returns to a process the walk has not passed'


@dataclass(frozen=True)
class Walk:
    """The verdict on a collapsed process sequence against a chain."""

    sequence: tuple[str, ...]
    chain: tuple[str, ...]
    deviation: Deviation | None  # judged from the first process, wherever it is

    @property
    def entry_ok(self) -> bool:
        """The walk starts at the chain's entry process."""
        return bool(self.sequence) and self.sequence[0] == self.chain[0]

    @property
    def verdict(self) -> Literal["follows", "wrong-entry", "deviation"]:
        """follows; wrong-entry (USM303); deviation (USM304)."""
        if not self.entry_ok:
            return "wrong-entry"
        return "follows" if self.deviation is None else "deviation"

    @property
    def coverage(self) -> float:
        """The share of the chain's processes the walk reaches."""
        return len(set(self.sequence) & set(self.chain)) / len(self.chain)


def walk(sequence: Sequence[str], chain: Sequence[str]) -> Walk:
    """Judge a collapsed sequence of canonical processes as a nested walk of
    ``chain``: from the entry, each next process is the next one down the
    chain (a hand-over) or one higher up that the walk has passed (a return);
    no process outside the chain. Stopping early is no deviation."""
    deviation: Deviation | None = None
    passed: set[int] = set()
    level: int | None = None
    for index, process in enumerate(sequence):
        if process not in chain:
            deviation = Deviation(index, process, "foreign-process")
            break
        position = chain.index(process)
        if level is not None and position > level + 1:
            skipped = tuple(chain[level + 1 : position])
            deviation = Deviation(index, process, "skips-level", skipped)
            break
        if level is not None and position < level and position not in passed:
            deviation = Deviation(index, process, "return-not-passed")
            break
        level = position
        passed.add(position)
    return Walk(tuple(sequence), tuple(chain), deviation)


def collapse(processes: Iterable[str]) -> list[str] | None:
    """Canonical processes with consecutive repeats merged; None when one is
    no USM process."""
    collapsed: list[str] = []
    for name in processes:
        process = canonical_process(name)
        if process is None:
            return None
        if not collapsed or collapsed[-1] != process:
            collapsed.append(process)
    return collapsed


# `Catalogue.source` of the catalogue shipped with usmctl.
BUILT_IN = "<built-in catalogue>"


@dataclass(frozen=True)
class Catalogue:
    """The active catalogue: workflow types by id, in file order."""

    source: str
    types: tuple[WorkflowType, ...]
    version: str  # the file's ``usm-catalogue`` format version

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

    def infer(self, sequence: Sequence[str]) -> tuple[str, ...]:
        """The types whose chain the walk follows and covers the largest share
        of: one is the inferred type, several a tie, none no fit."""
        fits = [
            (walked.coverage, workflow_type.id)
            for workflow_type in self.types
            if (walked := walk(sequence, workflow_type.chain)).verdict == "follows"
        ]
        if not fits:
            return ()
        best = max(coverage for coverage, _ in fits)
        return tuple(type_id for coverage, type_id in fits if coverage == best)


def load_catalogue(
    path: Path | None = None,
    *,
    raw: bytes | None = None,
    repository: Path | None = None,
    named: bool = True,
) -> Catalogue:
    """Load and validate a catalogue; a bad one is a `ConfigError` with file:line.

    ``raw``: the file's bytes when the caller has read them already (the
    findings cache keys on exactly what is checked). ``repository`` and
    ``named``: where the file may lie (`usmctl.load.sidefiles.read_side_file`).
    """
    shown = BUILT_IN if path is None else str(path)
    if raw is None:
        raw = read_catalogue(path, repository=repository, named=named)
    text, data = parse_side_file(raw, shown, "catalogue")
    if path is None:
        return built_in(data)
    try:
        parsed = CatalogueFile.model_validate(data)
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
    return Catalogue(shown, tuple(parsed.workflow_types), parsed.usm_catalogue)


def built_in(data: Any) -> Catalogue:
    """The catalogue shipped with usmctl from its parsed data, not validated:
    its test validates it, and building the two models' validators costs a
    cold start 20 ms (`load_catalogue` validates any other file)."""
    types = tuple(WorkflowType.model_construct(**entry) for entry in data["workflow_types"])
    return Catalogue(BUILT_IN, types, data["usm-catalogue"])
