"""The example corpus validates as examples/README.md documents (SPEC §6)."""

from __future__ import annotations

import re

import pytest

from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.rules import BY_CODE
from usmctl.rules.base import LoadStageRule

CLEAN = ["pilot", "hr-onboarding", "hospital-facilities", "siam-multi-provider"]
_ROW = re.compile(r"^\| (USM\d{3}) \| `([^`:]+):(\d+)` \|", re.MULTILINE)


@pytest.mark.parametrize("name", CLEAN)
def test_clean_example_has_no_findings(name: str) -> None:
    findings = checked(EXAMPLES / name).findings
    assert [f"{f.file}:{f.line} {f.code} {f.message}" for f in findings] == []


def test_broken_example_has_the_documented_findings_of_every_checking_rule() -> None:
    documented = _ROW.findall((EXAMPLES / "README.md").read_text(encoding="utf-8"))
    wanted = {(code, file, int(line)) for code, file, line in documented}
    assert wanted, "examples/README.md lists no findings"
    found = {(f.code, f.file, f.line) for f in checked(EXAMPLES / "broken").findings}
    assert sorted(wanted - found) == []
    checking = {code for code, rule in BY_CODE.items() if not issubclass(rule, LoadStageRule)}
    not_in_broken = {"USM012", "USM313", "USM804"}  # examples/README.md says why
    assert checking <= {code for code, _, _ in wanted} | not_in_broken


def test_broken_syntax_fails_where_documented() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"USM001 at `bad\.usm\.yaml:(\d+)`", readme)
    assert documented is not None
    [finding] = checked(EXAMPLES / "broken-syntax").findings
    assert (finding.code, finding.line) == ("USM001", int(documented.group(1)))
