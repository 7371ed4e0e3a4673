"""JUnit XML for CI test reports (GitLab, Jenkins, Azure DevOps).

One ``<testsuite>`` per checked file, named by the file; in it one
``<testcase>`` per rule, entity and field path, with the file as its
``classname`` and a name that holds no position::

    USM006 unresolved-reference services[parking].depends_on[0]

CI servers compare runs by these names (GitLab keys a test case by its suite,
classname and name), so a line inserted above a finding renames nothing: the
finding stays the same test. Findings that would share a name (the same rule
at the same field of the same entity) are one test case whose failure lists
each of them. Where a finding is, ``file:line:col``, is in the failure's text.

Errors and warnings are ``<failure type="error|warning">``. Info findings are
``<skipped>`` (noted, not failed) unless ``--fail-on info``, which makes them
failures too. A file without findings is one passing test case, ``usmctl``.

The default flavour is valid against the strict Jenkins/Ant JUnit XSD
(``tests/fixtures/junit/``). ``--junit-flavor gitlab`` adds ``file`` and
``line`` to each test case: GitLab shows ``file`` in its test report; that
XSD allows neither.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from usmctl.core.findings import Finding, Severity
from usmctl.output.findings.github import inert_xml

if TYPE_CHECKING:
    from usmctl.check.result import RunResult
    from usmctl.output.findings.options import ReportOptions

# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The one test case of a file without findings.
PASSED = "usmctl"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def case_name(finding: Finding) -> str:
    """A finding's test-case name: rule code and name, then its field path (or
    its entity when it has no path); no line, no column."""
    where = finding.path or finding.entity or ""
    return " ".join(part for part in (finding.code, finding.name, where) if part)


def _line(finding: Finding) -> str:
    entity = f" ({finding.entity})" if finding.entity else ""
    return (
        f"{finding.file}:{finding.line}:{finding.column}: {finding.code} "
        f"[{finding.severity.value}] {finding.message}{entity}"
    )


def _detail(findings: Sequence[Finding], result: RunResult) -> str:
    """Each finding on its line, then the rule's documentation link."""
    url = result.help_uri(findings[0])
    return "\n".join([*map(_line, findings), *([f"help: {url}"] if url else [])])


def _fails(finding: Finding, result: RunResult) -> bool:
    """Errors and warnings fail; info findings only when the run fails on them."""
    fail_on = result.settings.fail_on if result.settings is not None else "error"
    return finding.severity is not Severity.INFO or fail_on == "info"


def _cases(findings: Sequence[Finding]) -> dict[str, list[Finding]]:
    """Test-case name -> its findings, in the order of each name's first finding."""
    cases: dict[str, list[Finding]] = {}
    for finding in findings:
        cases.setdefault(case_name(finding), []).append(finding)
    return cases


def _testcase(
    suite: ET.Element,
    name: str,
    findings: list[Finding],
    result: RunResult,
    options: ReportOptions,
) -> bool:
    """Add one test case for ``findings``; True when it fails."""
    file = findings[0].file
    attributes = {"classname": _clean(file), "name": _clean(name)}
    if options.junit_flavor == "gitlab":
        attributes |= {"file": _clean(file), "line": str(findings[0].line)}
    case = ET.SubElement(suite, "testcase", attributes)
    text = _clean(_detail(findings, result))
    if not any(_fails(finding, result) for finding in findings):
        # The strict XSD gives <skipped> no attributes: the reason is its text,
        # which GitLab shows and Jenkins reads when there is no message.
        ET.SubElement(case, "skipped").text = text
        return False
    worst = min(findings, key=lambda finding: finding.severity.rank)
    message = findings[0].message
    if len(findings) > 1:
        message += f" (and {len(findings) - 1} more)"
    failure = ET.SubElement(
        case, "failure", {"message": _clean(message), "type": worst.severity.value}
    )
    failure.text = text
    return True


def render(result: RunResult, options: ReportOptions) -> str:
    """The JUnit document."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.file].append(finding)
    root = ET.Element("testsuites", {"name": "usmctl"})
    tests = failures = 0
    for file in sorted(set(result.files) | set(by_file)):
        suite = ET.SubElement(root, "testsuite", {"name": _clean(file)})
        cases = _cases(by_file.get(file, ()))
        failed = sum(
            _testcase(suite, name, found, result, options) for name, found in cases.items()
        )
        if not cases:
            ET.SubElement(suite, "testcase", {"classname": _clean(file), "name": PASSED})
        count = max(1, len(cases))
        suite.attrib |= {
            "tests": str(count),
            "failures": str(failed),
            "errors": "0",
            "skipped": str(len(cases) - failed),
        }
        tests += count
        failures += failed
    root.attrib |= {"tests": str(tests), "failures": str(failures), "errors": "0"}
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + inert_xml(body) + "\n"
