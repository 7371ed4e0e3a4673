"""Machine output (docs/format.md, "Findings"): stable keys, stable order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from usmctl.output.findings.github import json_text

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions


def payload(result: RunResult) -> dict[str, Any]:
    """The JSON document as Python data."""
    return {
        "version": 1,
        "findings": [
            {
                "code": finding.code,
                "name": finding.name,
                "severity": finding.severity.value,
                "message": finding.message,
                "file": finding.file,
                "line": finding.line,
                "column": finding.column,
                "entity": finding.entity,
                "path": finding.path,
                "fingerprint": finding.fingerprint,
            }
            for finding in result.findings
        ],
        "summary": {
            "files": len(result.files),
            "findings": len(result.findings),
            "by_severity": result.by_severity(),
        },
    }


def render(result: RunResult, options: ReportOptions) -> str:
    """The JSON document, indented, with a final newline."""
    return json_text(payload(result))
