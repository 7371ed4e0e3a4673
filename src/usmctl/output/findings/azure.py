"""Azure Pipelines logging commands (Microsoft's "Logging commands", LogIssue):
one issue per finding on the run's summary page.

``##vso[task.logissue type=error;sourcepath=F;linenumber=L;columnnumber=C;code=CODE]message``.
Azure has two issue types, ``error`` and ``warning``, and nothing like
GitHub's ``notice``: an info finding is a ``warning`` whose message starts
with ``[info]``, so it stays one issue per finding (a plain log line would be
lost in the step's log) and says its severity. An issue does not change the
step's result; the exit code does (``--fail-on``).

Escaped as the agent reads them (azure-pipelines-agent's
``CommandStringConvertor``, azure-pipelines-task-lib's ``taskcommand.ts``):
property values escape ``%`` as ``%AZP25``, CR as ``%0D``, LF as ``%0A``,
``;`` as ``%3B`` and ``]`` as ``%5D``; the message escapes ``%``, CR and LF.
The agent takes the first ``##vso[`` of a line as the command, ours, and the
rest as data; a ``##vso[`` or ``##[`` in a value is written with a backslash
all the same, as in every other format (`github.defuse`), so the line issues
no other command on GitHub's runner either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from usmctl.core.findings import Finding, Severity
from usmctl.output.findings.github import defuse

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

TYPES = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "warning"}
# What the agent unescapes (CommandStringConvertor), one character at a time.
_DATA = {"%": "%AZP25", "\r": "%0D", "\n": "%0A"}
_PROPERTY = str.maketrans({**_DATA, ";": "%3B", "]": "%5D"})
_MESSAGE = str.maketrans(_DATA)


def escape_data(text: str) -> str:
    """Escape a command's message."""
    return text.translate(_MESSAGE)


def escape_property(text: str) -> str:
    """Escape a property value: as data, plus ``;`` and ``]``."""
    return text.translate(_PROPERTY)


def issue(finding: Finding) -> str:
    """One logging command for a finding."""
    properties = ";".join(
        f"{key}={escape_property(defuse(value))}"
        for key, value in (
            ("type", TYPES[finding.severity]),
            ("sourcepath", finding.file),
            ("linenumber", str(finding.line)),
            ("columnnumber", str(finding.column)),
            ("code", finding.code),
        )
    )
    label = "[info] " if finding.severity is Severity.INFO else ""
    message = defuse(f"{label}{finding.message} [{finding.name}]")
    return f"##vso[task.logissue {properties}]{escape_data(message)}"


def render(result: RunResult, options: ReportOptions) -> str:
    """One line per finding; nothing at all for a clean run."""
    return "".join(issue(finding) + "\n" for finding in result.findings)
