"""GitLab Code Quality JSON (GitLab's "Code Quality" report format): the
merge-request widget and diff annotations.

GitLab uses ``fingerprint`` to tell findings apart and to compare a branch
with its target, so it must be unique within the report and stable across
runs: the finding's own line-independent fingerprint, which the engine makes
unique within a run (`usmctl.core.findings.numbered`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from usmctl.core.findings import Severity
from usmctl.output.findings.github import json_text

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def payload(result: RunResult) -> list[dict[str, Any]]:
    """The Code Quality issues as Python data."""
    return [
        {
            "type": "issue",
            "check_name": finding.code,
            "description": f"{finding.code} {finding.message}",
            "categories": ["Style"],
            "fingerprint": finding.fingerprint,
            "severity": SEVERITIES[finding.severity],
            "location": {"path": finding.file, "lines": {"begin": finding.line}},
        }
        for finding in result.findings
    ]


def render(result: RunResult, options: ReportOptions) -> str:
    """The Code Quality report, indented, with a final newline."""
    return json_text(payload(result))
