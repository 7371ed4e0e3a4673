"""JUnit XML (the Jenkins/Ant JUnit XSD): one testsuite per file, one failing testcase per finding.

CI servers (GitLab, Jenkins, Azure) show these as test results. A checked
file without findings gets one passing testcase, so it shows as passed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TYPE_CHECKING

from usmctl.core.findings import Finding
from usmctl.output.findings.github import inert_xml

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _detail(finding: Finding, result: RunResult) -> str:
    entity = f" ({finding.entity})" if finding.entity else ""
    url = result.help_uri(finding)
    return (
        f"{finding.file}:{finding.line}:{finding.column}: {finding.code} "
        f"[{finding.severity.value}] {finding.message}{entity}" + (f"\nhelp: {url}" if url else "")
    )


def render(result: RunResult, options: ReportOptions) -> str:
    """The JUnit document."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.file].append(finding)
    files = sorted(set(result.files) | set(by_file))
    total = sum(max(1, len(by_file.get(file, ()))) for file in files)
    root = ET.Element(
        "testsuites",
        {
            "name": "usmctl",
            "tests": str(total),
            "failures": str(len(result.findings)),
            "errors": "0",
        },
    )
    for file in files:
        findings = by_file.get(file, [])
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": _clean(file),
                "tests": str(max(1, len(findings))),
                "failures": str(len(findings)),
                "errors": "0",
                "skipped": "0",
            },
        )
        if not findings:
            ET.SubElement(suite, "testcase", {"classname": _clean(file), "name": "usmctl"})
        for finding in findings:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "classname": _clean(file),
                    "name": f"{finding.code} {finding.line}:{finding.column}",
                    "file": _clean(file),
                    "line": str(finding.line),
                },
            )
            failure = ET.SubElement(
                case,
                "failure",
                {"message": _clean(finding.message), "type": f"{finding.code} {finding.name}"},
            )
            failure.text = _clean(_detail(finding, result))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + inert_xml(body) + "\n"
