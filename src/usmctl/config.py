"""Build `Settings` from the command line and the config file (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from usmctl.errors import ConfigError
from usmctl.settings import Settings


@dataclass(frozen=True)
class CliOptions:
    """Options given on the command line; None means "not given"."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: str | None = None
    catalogue: Path | None = None
    config: Path | None = None
    baseline: Path | None = None
    no_cache: bool = False


def split_list(values: list[str] | None) -> tuple[str, ...] | None:
    """``--select A,B --select C`` -> ("A", "B", "C"); None when not given."""
    if not values:
        return None
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def build_settings(options: CliOptions, *, cwd: Path) -> Settings:
    """Defaults, then the config file, then the command line."""
    values: dict[str, Any] = {}
    if options.select is not None:
        values["select"] = options.select
    if options.extend_select:
        values["extend_select"] = options.extend_select
    if options.ignore:
        values["ignore"] = options.ignore
    if options.fail_on is not None:
        values["fail_on"] = options.fail_on
    if options.catalogue is not None:
        values["catalogue"] = options.catalogue
    if options.baseline is not None:
        values["baseline"] = options.baseline
    if options.no_cache:
        values["use_cache"] = False
    try:
        return Settings(**values)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(item) for item in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from None
