"""The report looks entities up through the run's one typed `Indexes`."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import usmctl
from tests.support.factories import WriteFiles, checked
from usmctl.model.architecture import Architecture
from usmctl.output.report import render_report
from usmctl.output.report.content import build_report
from usmctl.output.report.tables import Named
from usmctl.rules import indexes as indexes_module
from usmctl.rules.indexes import Indexes

OUTPUT = Path(usmctl.__file__).parent / "output"
DATE = "2026-01-31"

TOOLS = """
    usm: "1"
    profiles:
      - {id: acme, kind: provider}
      - {id: shop, kind: customer}
      - {id: boss, kind: operator, of: acme, name: The boss}
    processes:
      - {provider: acme, process: recover, owner: boss}
      - {provider: acme, process: operate, owner: nobody}
    services:
      - {id: mail, provider: acme, customers: [shop], agreement: sa-mail}
    agreements:
      - {id: sa-mail, kind: contract, provider: acme, customer: shop, services: [mail]}
    tools:
      - {id: desk, product: Freshdesk, handles: [wf-incident]}
      - {id: board, name: Kanban board}
    workflows:
      - {id: wf-incident, provider: acme, type: incident, owner_process: recover, tool: board}
      - {id: wf-request, provider: acme, type: service-request, owner_process: operate,
         tool: pager}
      - {id: wf-wish, provider: acme, type: wish, owner_process: agree, tool: ""}
    """


def test_the_report_reads_no_untyped_lookup() -> None:
    """``arch.get(section, id)`` returns any entity; the typed lookups do not."""
    offenders = [
        f"{path.relative_to(OUTPUT)}:{number}"
        for path in sorted(OUTPUT.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\barch\.(get|profile|index)\b", line)
    ]
    assert offenders == []


def test_a_report_reuses_the_indexes_of_its_run(
    write_files: WriteFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = checked(write_files({"a.usm.yaml": TOOLS}))
    indexes = result.indexes()

    def refuse(self: Indexes, arch: Architecture) -> None:
        raise AssertionError("the report built a second Indexes")

    monkeypatch.setattr(indexes_module.Indexes, "__init__", refuse)
    for output_format in ("html", "markdown"):
        assert render_report(result, output_format, date=DATE)
    assert result.indexes() is indexes


def test_a_result_built_by_hand_gets_indexes_over_its_own_architecture(
    write_files: WriteFiles,
) -> None:
    result = checked(write_files({"a.usm.yaml": TOOLS}))
    other = Architecture()
    replaced = dataclasses.replace(result, architecture=other)
    assert replaced.indexes() is not result.indexes()
    assert replaced.indexes().arch is other
    bare = dataclasses.replace(result, run_indexes=None)
    assert bare.indexes().service("mail") is result.indexes().service("mail")


def test_tools_agreements_and_owners_come_from_the_typed_lookups(
    write_files: WriteFiles,
) -> None:
    report = build_report(checked(write_files({"a.usm.yaml": TOOLS})), date=DATE)
    (label, cells), *_ = report.workflow_matrix.rows
    assert label == Named("acme")
    by_type = dict(zip(report.workflow_matrix.columns, cells, strict=True))
    # A tool that handles the workflow and the one it names, by product or name.
    assert by_type["incident"].lines[2] == "tool: Freshdesk, Kanban board"
    # An undeclared tool is shown by the id the workflow names; ``tool: ""`` names none.
    assert by_type["service-request"].lines[2] == "tool: pager"
    assert by_type["wish"].lines[2] == "no tool"
    assert report.services.rows[0][4] == (Named("sa-mail (contract)"),)
    (_, process_cells), *_ = report.process_matrix.rows
    owners = dict(zip(report.process_matrix.columns, process_cells, strict=True))
    # A declared owner by name, an undeclared one by the id the entry names.
    assert owners["recover"].lines == ("owner: The boss",)
    assert owners["operate"].lines == ("owner: nobody",)
