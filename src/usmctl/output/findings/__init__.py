"""`validate`'s formats: name -> reporter. Every reporter turns a RunResult into
text; the names and what each format is come from `usmctl.output.formats`."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from usmctl.check.result import RunResult
from usmctl.output.findings.options import ReportOptions
from usmctl.output.formats import Command, renderers

__all__ = ["REPORTERS", "ReportOptions", "Reporter"]


Reporter = Callable[[RunResult, ReportOptions], str]


def _reporter(module: str) -> Reporter:
    """The ``render`` of ``usmctl.output.findings.<module>``, imported when a run
    renders that format: a run imports one reporter, not eight (xml.etree for
    junit, the rule registry for sarif: 4 ms of a cold start)."""

    def render(result: RunResult, options: ReportOptions) -> str:
        found: Reporter = import_module(f"{__name__}.{module}").render
        return found(result, options)

    render.__qualname__ = render.__name__ = f"{module}.render"
    return render


REPORTERS: dict[str, Reporter] = renderers(
    Command.VALIDATE,
    {
        "azure": _reporter("azure"),
        "github": _reporter("github"),
        "gitlab": _reporter("gitlab"),
        "json": _reporter("json_format"),
        "junit": _reporter("junit"),
        "markdown": _reporter("markdown"),
        "sarif": _reporter("sarif"),
        "text": _reporter("text"),
    },
)
