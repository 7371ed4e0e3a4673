"""Output formats: name -> reporter. Every reporter turns a RunResult into text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from usmctl.api import RunResult
from usmctl.reporters import github, gitlab, json_format, junit, markdown, sarif, text


@dataclass(frozen=True)
class ReportOptions:
    """Presentation choices a reporter may honour."""

    color: bool = False
    statistics: bool = False
    quiet: bool = False


Reporter = Callable[[RunResult, ReportOptions], str]

REPORTERS: dict[str, Reporter] = {
    "github": github.render,
    "gitlab": gitlab.render,
    "json": json_format.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
    "text": text.render,
}
