"""SARIF 2.1.0 (the OASIS standard): what GitHub code scanning and other SAST viewers read.

Rule metadata comes from the RunResult (summary, rationale, remediation,
help link); results carry a relative URI under ``%SRCROOT%``, a 1-based
region, and the line-independent fingerprint as ``partialFingerprints``.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from usmctl import __version__
from usmctl.core.findings import Finding, Severity
from usmctl.output.findings.github import json_text

if TYPE_CHECKING:
    from usmctl.check.result import RuleMeta, RunResult
    from usmctl.output.findings.options import ReportOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/usmctl/usmctl"
FINGERPRINT_KEY = "usmctl/v1"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def rule_descriptor(info: RuleMeta) -> dict[str, Any]:
    """A reportingDescriptor for a rule, built-in or custom (GitHub code
    scanning wants ``help.text``; ``helpUri`` only when the rule has a link)."""
    descriptor: dict[str, Any] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": info.rationale or info.summary},
        "help": {"text": info.remediation or info.summary},
    }
    if info.help_uri is not None:
        descriptor["helpUri"] = info.help_uri
    descriptor["defaultConfiguration"] = {"level": LEVELS[info.severity]}
    return descriptor


def _custom_descriptor(finding: Finding) -> dict[str, Any]:
    """A rule the result has no metadata of: only what the findings tell about it."""
    text = f"custom rule {finding.code} from the usmctl config"
    return {
        "id": finding.code,
        "name": finding.name,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "defaultConfiguration": {"level": LEVELS[finding.severity]},
    }


def artifact_location(file: str) -> dict[str, Any]:
    """A relative URI under %SRCROOT%, or an absolute file URI."""
    path = PurePosixPath(file)
    if path.is_absolute():
        return {"uri": "file://" + quote(file)}
    return {"uri": quote(file), "uriBaseId": "%SRCROOT%"}


def payload(result: RunResult) -> dict[str, Any]:
    """The SARIF log as Python data."""
    rules = [rule_descriptor(info) for info in result.rules()]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    for finding in result.findings:
        if finding.code not in index:
            index[finding.code] = len(rules)
            rules.append(_custom_descriptor(finding))
    results = []
    for finding in result.findings:
        entry: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(finding.file),
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    }
                }
            ],
            "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        }
        if finding.entity:
            entry["locations"][0]["logicalLocations"] = [
                {"name": finding.entity, "fullyQualifiedName": finding.path}
            ]
        results.append(entry)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "usmctl",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def render(result: RunResult, options: ReportOptions) -> str:
    """The SARIF log, indented, with a final newline."""
    return json_text(payload(result))
