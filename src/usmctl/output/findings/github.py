"""GitHub Actions workflow commands (GitHub's "Workflow commands for GitHub
Actions"): annotations on the PR diff.

``::error file=F,line=L,col=C,title=CODE::message``; warnings become
``::warning`` and infos ``::notice``. Values are escaped as the runner
expects: ``%``, CR and LF everywhere, and also ``:`` and ``,`` in properties.

GitHub shows 10 annotations of each severity per step and drops the rest
unsaid: the most severe come first, at most 10 of each severity, then one
notice of how many were left out (the CLI writes them all to the job summary,
``$GITHUB_STEP_SUMMARY``). That notice is a notice annotation too, so when
findings are left out the infos keep 9 places and the notice is the tenth.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from usmctl.core.findings import Finding, Severity, counted
from usmctl.output.findings.limits import ANNOTATIONS_PER_SEVERITY, cap, per_severity

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value: as data, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


# What GitHub's runner takes for a workflow command (actions/runner,
# ActionCommand.cs): a line that starts with "::" once leading white space is
# trimmed, and the older form "##[name]" anywhere in a line. Azure Pipelines'
# agent takes "##vso[" anywhere in a line (azure-pipelines-agent, Command.cs).
_LEGACY = "##["
_AZURE = "##vso["


def defuse(text: str) -> str:
    """``text`` with ``[`` after ``##`` and ``##vso`` written ``\\[``: no
    command that starts inside a line, for GitHub's runner or Azure's agent."""
    return text.replace(_LEGACY, "##\\[").replace(_AZURE, "##vso\\[")


def inert(text: str) -> str:
    """``text`` with no line a CI service would take for a command.

    A line that would start with ``::`` (a file named ``::error ...::x.usm.yaml``
    at the start of a text line) gets ``./`` in front, which keeps a path a
    path; ``##[`` and ``##vso[`` get a backslash (`defuse`). JSON and XML
    outputs are inert already (`inert_json`, `inert_xml`), so this changes
    nothing in them.
    """
    if "::" not in text and _LEGACY not in text and _AZURE not in text:
        return text
    lines = text.split("\n")
    for number, line in enumerate(lines):
        prefix = "./" if line.lstrip().startswith("::") else ""
        lines[number] = prefix + defuse(line)
    return "\n".join(lines)


def inert_json(text: str) -> str:
    """JSON text with ``[`` after ``##`` and ``##vso`` written ``\\u005b``: the
    same data, and no command inside a line (``##[`` and ``##vso[`` only occur
    inside strings)."""
    return text.replace(_LEGACY, "##\\u005b").replace(_AZURE, "##vso\\u005b")


def json_text(data: object) -> str:
    """``data`` as a JSON export: indented, non-ASCII as written, inert, one
    final newline."""
    return inert_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def inert_xml(text: str) -> str:
    """XML text with ``[`` after ``##`` and ``##vso`` written ``&#91;``: the
    same document."""
    return text.replace(_LEGACY, "##&#91;").replace(_AZURE, "##vso&#91;")


def annotation(finding: Finding) -> str:
    """One workflow command for a finding (`defuse`d: the same text read by
    Azure's agent issues no command either)."""
    properties = ",".join(
        f"{key}={escape_property(defuse(value))}"
        for key, value in (
            ("file", finding.file),
            ("line", str(finding.line)),
            ("col", str(finding.column)),
            ("title", finding.code),
        )
    )
    message = defuse(f"{finding.message} [{finding.name}]")
    return f"::{COMMANDS[finding.severity]} {properties}::{escape_data(message)}"


def annotated(findings: tuple[Finding, ...], *, max_results: int = 0) -> list[Finding]:
    """The findings GitHub will show: the most severe first, at most 10 of each
    severity (9 infos when some are left out, the tenth notice saying so) and
    at most ``max_results`` in all (0: only the quotas hold)."""
    total = cap(len(findings), max_results)
    quota = dict.fromkeys(Severity, ANNOTATIONS_PER_SEVERITY)
    kept = per_severity(findings, quota, total=total)
    if len(kept) < len(findings):
        quota[Severity.INFO] = ANNOTATIONS_PER_SEVERITY - 1
        kept = per_severity(findings, quota, total=total)
    return kept


def left_out_notice(left_out: int, *, step_summary: bool) -> str:
    """The notice after the annotations when some findings were left out."""
    where = (
        "see the job summary"
        if step_summary
        else f"GitHub shows {ANNOTATIONS_PER_SEVERITY} annotations of each severity per step; "
        "usmctl validate lists them all"
    )
    return f"::notice::{counted(left_out, 'more finding')}: {where}"


def render(result: RunResult, options: ReportOptions) -> str:
    """One line per finding GitHub shows (`annotated`), then the notice of
    the rest; nothing at all for a clean run."""
    kept = annotated(result.findings, max_results=options.max_results)
    lines = [annotation(finding) for finding in kept]
    if len(kept) < len(result.findings):
        left_out = len(result.findings) - len(kept)
        lines.append(left_out_notice(left_out, step_summary=options.step_summary))
    return "".join(line + "\n" for line in lines)
