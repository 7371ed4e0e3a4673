"""`validate`'s formats: name -> reporter. Every reporter turns a RunResult into
text; the names and what each format is come from `usmctl.output.formats`."""

from __future__ import annotations

from collections.abc import Callable

from usmctl.check.result import RunResult
from usmctl.output.findings import azure, github, gitlab, json_format, junit, markdown, sarif, text
from usmctl.output.findings.options import ReportOptions
from usmctl.output.formats import Command, renderers

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]


Reporter = Callable[[RunResult, ReportOptions], str]

REPORTERS: dict[str, Reporter] = renderers(
    Command.VALIDATE,
    {
        "azure": azure.render,
        "github": github.render,
        "gitlab": gitlab.render,
        "json": json_format.render,
        "junit": junit.render,
        "markdown": markdown.render,
        "sarif": sarif.render,
        "text": text.render,
    },
)
