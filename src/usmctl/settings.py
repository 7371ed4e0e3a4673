"""The tool's own settings: command line and config file merged (SPEC §4)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from usmctl.findings import Severity
from usmctl.yamlio import Limits

FailOn = Literal["error", "warning", "info", "never"]


class CustomRule(BaseModel):
    """A declarative rule from config: a JSON Schema each entity must satisfy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Z][A-Z0-9]*[0-9]+$")
    section: str
    severity: Severity = Severity.WARNING
    message: str
    name: str | None = None
    schema_: dict[str, Any] = Field(alias="schema")

    @property
    def rule_name(self) -> str:
        """The kebab name that selects the rule besides its code."""
        return self.name or self.code.lower()


class Settings(BaseModel):
    """Everything that shapes a run; frozen once built."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, Severity] = Field(default_factory=dict)
    per_file_ignores: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    fail_on: FailOn = "error"
    catalogue: Path | None = None
    max_depth: int = Field(default=5, ge=1)
    custom_rules: tuple[CustomRule, ...] = ()
    limits: Limits = Limits()
    baseline: Path | None = None
    use_cache: bool = True
