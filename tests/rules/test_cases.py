"""Rules tested as data: one YAML case file per rule in tests/rules/cases/.

A case file::

    rule: USM401
    cases:
      - name: service without facility
        files:
          a.usm.yaml: |
            usm: "1"
            ...
        settings: {max_depth: 3}       # optional: Settings fields
        expect:                        # exact; only this rule's findings count
          - at: a.usm.yaml:7:5
            message: service "x" has no facility description

The case file itself is validated by a strict model, so a typo or a case
without ``expect`` fails. On mismatch the actual findings are printed as
paste-ready YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from usmctl.api import check
from usmctl.check.settings import Settings

CASES_DIR = Path(__file__).parent / "cases"


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    at: str = Field(pattern=r"^[^:]+:\d+:\d+$")
    message: str


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    files: dict[str, str] = Field(min_length=1)
    settings: dict[str, Any] = Field(default_factory=dict)
    expect: list[Expected]


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule: str
    cases: list[Case] = Field(min_length=2)


def load_case_files() -> list[tuple[Path, CaseFile]]:
    """Every case file, parsed strictly."""
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append((path, CaseFile.model_validate(data)))
    return out


CASE_FILES = load_case_files()
PARAMS = [
    pytest.param(case_file.rule, case, id=f"{case_file.rule}:{case.name}")
    for _, case_file in CASE_FILES
    for case in case_file.cases
]


def run_case(rule: str, case: Case, root: Path) -> list[Expected]:
    """The case's files checked in ``root``; this rule's findings only."""
    for name, text in case.files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    values = dict(case.settings)
    if "catalogue" in values:  # a catalogue file among the case's files
        values["catalogue"] = root / values["catalogue"]
    settings = Settings(**values)
    result = check(["."], settings, cwd=root)
    return [
        Expected(at=f"{f.file}:{f.line}:{f.column}", message=f.message)
        for f in result.findings
        if f.code == rule
    ]


@pytest.mark.parametrize(("rule", "case"), PARAMS)
def test_case(rule: str, case: Case, tmp_path: Path) -> None:
    actual = run_case(rule, case, tmp_path)
    if actual != case.expect:
        pasted = yaml.safe_dump(
            [item.model_dump() for item in actual], sort_keys=False, allow_unicode=True, width=200
        )
        pytest.fail(f"findings of {rule} differ; actual (paste-ready):\nexpect:\n{pasted}")


def test_every_case_file_names_its_rule() -> None:
    for path, case_file in CASE_FILES:
        assert path.stem == case_file.rule


def test_every_case_file_has_a_firing_and_a_silent_case() -> None:
    for path, case_file in CASE_FILES:
        assert any(case.expect for case in case_file.cases), f"{path.name}: no firing case"
        assert any(not case.expect for case in case_file.cases), f"{path.name}: no silent case"
