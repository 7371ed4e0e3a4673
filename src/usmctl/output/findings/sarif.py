"""SARIF 2.1.0 (the OASIS standard): what GitHub code scanning and other SAST viewers read.

Rule metadata comes from the RunResult (summary, rationale, remediation,
help link); results carry a URI relative to the repository root
(``%SRCROOT%``, given in ``originalUriBaseIds``), so a run from a subfolder
names the paths code scanning knows; a 1-based region, and the
line-independent fingerprint as ``partialFingerprints``.

At most 25,000 results (GitHub code scanning refuses more in a run), the most
severe kept; the number left out is a warning notification of the run's
invocation.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from usmctl import __version__
from usmctl.core.findings import Finding, Severity, counted
from usmctl.output.findings.github import json_text
from usmctl.output.findings.limits import SARIF_RESULTS, cap, most_severe
from usmctl.output.findings.options import ReportOptions

if TYPE_CHECKING:
    from usmctl.check.result import RuleMeta, RunResult

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


def artifact_location(
    file: str, *, root: Path | None = None, cwd: Path | None = None
) -> dict[str, Any]:
    """A URI under %SRCROOT%: ``file`` (relative to ``cwd``) made relative to
    ``root``; an absolute file URI for a file outside ``root``. Without a
    root, a relative ``file`` is taken as relative to %SRCROOT% already."""
    path = file
    if root is not None and cwd is not None:
        located = posixpath.normpath(posixpath.join(cwd.as_posix(), file))
        inside = posixpath.relpath(located, root.as_posix())
        path = located if inside == ".." or inside.startswith("../") else inside
    if posixpath.isabs(path):
        return {"uri": "file://" + quote(path)}
    return {"uri": quote(path), "uriBaseId": "%SRCROOT%"}


def source_root_uri(root: Path) -> str:
    """``root`` as the absolute directory URI %SRCROOT% stands for (SARIF
    wants the final slash)."""
    uri = "file://" + quote(root.as_posix())
    return uri if uri.endswith("/") else uri + "/"


def left_out_notice(left_out: int, limit: int) -> dict[str, Any]:
    """The notification that says how many results a capped run left out."""
    reason = (
        f"GitHub code scanning accepts at most {SARIF_RESULTS:,} per run"
        if limit == SARIF_RESULTS
        else f"max-results is {limit:,}"
    )
    return {
        "level": "warning",
        "message": {
            "text": f"{counted(left_out, 'result')} left out: {reason}; the most severe were kept"
        },
    }


def payload(result: RunResult, options: ReportOptions | None = None) -> dict[str, Any]:
    """The SARIF log as Python data."""
    options = options or ReportOptions()
    root, cwd = options.source_root, options.working_directory
    limit = cap(SARIF_RESULTS, options.max_results)
    kept = most_severe(result.findings, limit)
    rules = [rule_descriptor(info) for info in result.rules()]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    for finding in result.findings:
        if finding.code not in index:
            index[finding.code] = len(rules)
            info = result.rule(finding.code)  # a custom rule's, from the config
            rules.append(rule_descriptor(info) if info else _custom_descriptor(finding))
    results = []
    for finding in kept:
        entry: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": index[finding.code],
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": artifact_location(finding.file, root=root, cwd=cwd),
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
    run: dict[str, Any] = {
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
    if root is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": source_root_uri(root)}}
    if len(kept) < len(result.findings):
        notice = left_out_notice(len(result.findings) - len(kept), limit)
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": [notice]}]
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: RunResult, options: ReportOptions) -> str:
    """The SARIF log, indented, with a final newline."""
    return json_text(payload(result, options))
