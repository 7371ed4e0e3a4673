"""The azure format: Azure Pipelines logging commands, read back by a port of
the agent's parser (azure-pipelines-agent: ``Command.TryParse`` and
``CommandStringConvertor.Unescape``, with percent decoding on, its default)."""

from __future__ import annotations

import pytest

from tests.support import factories
from tests.support.paths import EXAMPLES
from usmctl.api import check
from usmctl.check.result import RunResult
from usmctl.core.findings import Finding, Severity
from usmctl.output.findings import REPORTERS
from usmctl.output.findings.options import ReportOptions

PREFIX = "##vso["
# The agent's escapes, undone in this order (CommandStringConvertor).
UNESCAPES = (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%AZP25", "%"))


def unescape(text: str) -> str:
    for escaped, char in UNESCAPES:
        text = text.replace(escaped, char)
    return text


def agent_reads(line: str) -> tuple[str, dict[str, str], str] | None:
    """(area.event, properties, data) as the agent reads a line, or None."""
    start = line.find(PREFIX)
    if start < 0:
        return None
    end = line.find("]", start)
    if end < 0:
        return None
    name, _, properties = line[start + len(PREFIX) : end].partition(" ")
    if len(name.split(".")) != 2:
        return None
    pairs = (item.split("=", 1) for item in properties.split(";") if item)
    read = {pair[0]: unescape(pair[1]) for pair in pairs if len(pair) == 2}
    return name, read, unescape(line[end + 1 :])


def finding(
    *,
    severity: Severity = Severity.ERROR,
    file: str = "services.usm.yaml",
    message: str = 'service "a" has no facility description',
) -> Finding:
    return factories.finding(
        "USM401", message, path="services[a]", entity="a", severity=severity,
        file=file, line=7, column=5, name="service-missing-facility",
    )  # fmt: skip


def render(*findings: Finding) -> str:
    result = RunResult(findings=findings, files=("services.usm.yaml",))
    return REPORTERS["azure"](result, ReportOptions())


def test_each_finding_of_broken_is_one_issue_the_agent_reads_back() -> None:
    result = check([str(EXAMPLES / "broken")], cwd=EXAMPLES.parent)
    lines = REPORTERS["azure"](result, ReportOptions()).splitlines()
    assert len(lines) == len(result.findings) > 0
    types = {"error": "error", "warning": "warning", "info": "warning"}
    for line, item in zip(lines, result.findings, strict=True):
        assert line.startswith("##vso[task.logissue type=")
        read = agent_reads(line)
        assert read is not None, line
        name, properties, data = read
        assert name == "task.logissue"
        assert properties == {
            "type": types[item.severity.value],
            "sourcepath": item.file,
            "linenumber": str(item.line),
            "columnnumber": str(item.column),
            "code": item.code,
        }
        label = "[info] " if item.severity is Severity.INFO else ""
        assert data == f"{label}{item.message} [{item.name}]"


def test_values_are_escaped_as_the_agent_unescapes_them() -> None:
    odd = finding(file="odd;dir/a]b%3B.usm.yaml", message="100% wrong\r\nsecond; line] %0A")
    line = render(odd).removesuffix("\n")
    assert line == (
        "##vso[task.logissue type=error;sourcepath=odd%3Bdir/a%5Db%AZP253B.usm.yaml;"
        "linenumber=7;columnnumber=5;code=USM401]"
        "100%AZP25 wrong%0D%0Asecond; line] %AZP250A [service-missing-facility]"
    )
    assert "\n" not in line and "\r" not in line
    read = agent_reads(line)
    assert read is not None
    assert read[1]["sourcepath"] == "odd;dir/a]b%3B.usm.yaml"
    assert read[2] == "100% wrong\r\nsecond; line] %0A [service-missing-facility]"


@pytest.mark.parametrize(
    ("severity", "issue_type", "label"),
    [(Severity.WARNING, "warning", ""), (Severity.INFO, "warning", "[info] ")],
)
def test_azure_has_no_notice_an_info_finding_is_a_labelled_warning(
    severity: Severity, issue_type: str, label: str
) -> None:
    read = agent_reads(render(finding(severity=severity)).removesuffix("\n"))
    assert read is not None
    assert read[1]["type"] == issue_type
    assert read[2] == f'{label}service "a" has no facility description [service-missing-facility]'


def test_a_clean_run_writes_nothing() -> None:
    assert render() == ""


def test_commands_inside_values_stay_data_for_azure_and_github() -> None:
    forged = "##vso[task.setvariable variable=secret]x ##[error]y"
    line = render(finding(file=forged + ".usm.yaml", message=f"unknown key {forged}"))
    line = line.removesuffix("\n")
    assert line.count(PREFIX) == 1 and line.startswith(PREFIX)
    assert "##[" not in line  # GitHub's runner reads ##[name] anywhere in a line
    read = agent_reads(line)
    assert read is not None and read[0] == "task.logissue"
    assert read[2].startswith("unknown key ##vso\\[task.setvariable variable=secret]x ##\\[error]")
