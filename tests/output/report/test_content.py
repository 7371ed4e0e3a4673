"""The report's content model: areas, scores, matrices, marks, ranking (actions:
test_actions.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.factories import SMALL, checked, finding, with_findings, write
from tests.support.paths import EXAMPLES
from usmctl.check.result import RunResult
from usmctl.core.findings import Severity
from usmctl.output.report.content import build_report, finding_area
from usmctl.output.report.tables import Named

DATE = "2026-01-31"
SHOP_IT = Named("Shop IT", "shop-it")


@pytest.mark.parametrize(
    ("code", "path", "area"),
    [
        ("USM801", "services[a].depends_on", "supply_chain"),
        ("USM804", "", "supply_chain"),
        ("USM404", "services[a].customers", "services"),
        ("USM405", "agreements[sa].provider", "services"),
        ("USM703", "tools[jira]", "practices"),
        ("USM701", "practices[itil]", "practices"),
        ("USM006", "value_streams[vs].stages[0].service", "value_streams"),
        ("USM006", "tools[jira].handles[0]", "practices"),
        ("USM306", "profiles[acme-it]", "workflows"),
        ("USM201", "profiles[acme-it]", "processes"),
        ("USM903", "processes[acme-it:improve]", "processes"),
        ("USM003", "workflows[wf].steps[0].process", "workflows"),
        ("USM307", "", "workflows"),
        ("ACME001", "governance[pol]", "governance"),
        ("USM001", "", None),
        ("ACME001", "", None),
    ],
)
def test_findings_map_to_areas_by_rule_then_path(code: str, path: str, area: str | None) -> None:
    item = finding(code, "m", path=path, entity=None)
    assert finding_area(item, RunResult((item,), ())) == area


def test_areas_count_entities_and_findings(tmp_path: Path) -> None:
    result = with_findings(
        checked(write(tmp_path, SMALL)),
        finding("USM103", "m", path="profiles[manager].of", entity="manager"),
        finding(
            "USM104", "m", path="profiles[shoppers]", entity="shoppers", severity=Severity.INFO
        ),
        finding(
            "USM204",
            "m",
            path="processes[shop-it:recover]",
            entity="shop-it:recover",
            severity=Severity.WARNING,
        ),
        finding("USM802", "m", path="services[webshop].depends_on[0]", entity="webshop"),
    )
    report = build_report(result, date=DATE)
    areas = {area.key: area for area in report.areas}
    assert [area.title for area in report.areas] == [
        "Profiles",
        "Processes",
        "Workflows",
        "Services",
        "Governance",
        "Overlays",
        "Practices & tools",
        "Supply chain",
        "Value streams",
    ]
    assert (areas["profiles"].entities, areas["profiles"].findings) == (4, 2)
    assert (areas["processes"].entities, areas["processes"].findings) == (2, 1)
    assert areas["services"].entities == 4  # 2 services + 2 agreements
    assert (areas["supply_chain"].entities, areas["supply_chain"].findings) == (2, 1)
    assert areas["overlays"].entities == 0
    assert report.unattributed == 0


def test_an_entity_that_failed_validation_still_counts(tmp_path: Path) -> None:
    text = SMALL.replace("  - {id: pol-eu, kind: policy,", "  - {id: pol-eu, kind: rule,")
    result = checked(write(tmp_path, text))
    assert any(item.code == "USM003" for item in result.findings)
    report = build_report(result, date=DATE)
    governance = next(area for area in report.areas if area.key == "governance")
    assert (governance.entities, governance.findings) == (1, 1)


def test_file_level_findings_are_unattributed(tmp_path: Path) -> None:
    write(tmp_path, SMALL)
    (tmp_path / "bad.usm.yaml").write_text('usm: "1"\nprofiles: [\n', encoding="utf-8")
    report = build_report(checked(tmp_path), date=DATE)
    assert report.unattributed == 1
    assert report.findings[0].area == "files"


def test_header(tmp_path: Path) -> None:
    report = build_report(checked(write(tmp_path, SMALL)), date=DATE)
    assert (report.title, report.architecture_id, report.domain) == (
        "Small shop",
        "small",
        "retail",
    )
    assert report.date == DATE
    assert report.files == 1


def test_header_without_architecture_section(tmp_path: Path) -> None:
    text = SMALL.replace("architecture: {id: small, name: Small shop, domain: retail}\n", "")
    report = build_report(checked(write(tmp_path, text)), date=DATE)
    assert (report.title, report.domain) == ("Unnamed architecture", None)


def test_process_matrix(tmp_path: Path) -> None:
    report = build_report(checked(write(tmp_path, SMALL)), date=DATE)
    matrix = report.process_matrix
    assert matrix.columns == ("agree", "change", "recover", "operate", "improve")
    rows = dict(matrix.rows)
    assert list(rows) == [SHOP_IT, Named("Hoster, external", "hoster")]
    agree, change, recover, operate, _ = rows[SHOP_IT]
    assert (agree.status, agree.lines) == ("ok", ("owner: Manager",))
    assert (change.status, change.lines) == ("missing", ("not declared",))
    assert (recover.status, recover.lines) == ("warn", ("no owner", "practice: ITIL incident"))
    assert operate.status == "missing"
    assert {cell.status for cell in rows[Named("Hoster, external", "hoster")]} == {"na"}


def test_process_matrix_shows_a_practice_under_the_provider_it_is_tied_to(
    tmp_path: Path,
) -> None:
    text = """\
usm: "1"
profiles:
  - {id: team-a, kind: provider}
  - {id: team-b, kind: provider}
processes:
  - {provider: team-a, process: change}
  - {provider: team-a, process: recover}
  - {provider: team-b, process: change}
  - {provider: team-b, process: recover}
workflows:
  - {id: b-incident, provider: team-b, type: incident, owner_process: recover}
practices:
  - {id: agile, name: Agile, plugs_into: {processes: ["team-a:change"]}}
  - {id: itil, name: ITIL, plugs_into: {processes: [recover]}}
  - {id: swarm, name: Swarming, plugs_into: {processes: ["team-b:INC"], workflows: [b-incident]}}
"""
    rows = dict(build_report(checked(write(tmp_path, text)), date=DATE).process_matrix.rows)
    _, change_a, recover_a, _, _ = rows[Named("team-a")]
    _, change_b, recover_b, _, _ = rows[Named("team-b")]
    assert change_a.lines == ("no owner", "practice: Agile")
    assert change_b.lines == ("no owner",)
    assert recover_a.lines == ("no owner", "practice: ITIL")
    assert recover_b.lines == ("no owner", "practice: ITIL", "practice: Swarming")


def test_workflow_matrix(tmp_path: Path) -> None:
    result = checked(write(tmp_path, SMALL))
    report = build_report(result, date=DATE)
    matrix = report.workflow_matrix
    assert matrix.columns == result.catalogue.ids
    cells = dict(zip(matrix.columns, dict(matrix.rows)[SHOP_IT], strict=True))
    assert (cells["incident"].status, cells["incident"].lines) == (
        "ok",
        (Named("wf-incident"), "path ok", "tool: Freshdesk"),
    )
    assert (cells["wish"].status, cells["wish"].lines) == (
        "warn",
        (Named("wf-wish"), "path deviates", "no tool"),
    )
    assert cells["improvement-via-operation"].status == "missing"


def test_services_and_bindings_tables(tmp_path: Path) -> None:
    report = build_report(checked(write(tmp_path, SMALL)), date=DATE)
    assert report.services.rows[0] == (
        (Named("Web shop", "webshop"),),
        (SHOP_IT,),
        "An online shop",
        "Help with orders (24/7)",
        (Named("sa-webshop (agreement)"),),
        (Named("Shoppers", "shoppers"),),
    )
    titles = [table.title for table in report.bindings]
    assert titles == ["Governance", "Overlays", "Practices", "Tools", "Value streams"]
    governance = report.bindings[0]
    assert governance.rows == (
        (
            (Named("pol-eu"),),
            "policy",
            "Data stays in the EU",
            (Named("Web shop", "webshop"),),
            (Named("shop-it:agree"),),
        ),
    )
    assert report.bindings[1].rows == ()


def test_graph_nodes_layers_and_marks(tmp_path: Path) -> None:
    result = with_findings(
        checked(write(tmp_path, SMALL)),
        finding("USM103", "m", path="profiles[manager].of", entity="manager"),
        finding(
            "USM204",
            "m",
            path="processes[shop-it:recover]",
            entity="shop-it:recover",
            severity=Severity.WARNING,
        ),
        finding("USM406", "m", path="agreements[ct-hosting].kind", entity="ct-hosting"),
    )
    report = build_report(result, date=DATE)
    nodes = {node.name: node for node in report.nodes}
    assert set(nodes) == {
        "profile:shoppers",
        "profile:shop-it",
        "profile:hoster",
        "service:webshop",
        "service:hosting",
    }
    assert nodes["profile:shoppers"].layer == 0
    order = ["profile:shoppers", "service:webshop", "profile:shop-it", "service:hosting"]
    assert [nodes[name].layer for name in order] == sorted(nodes[name].layer for name in order)
    assert nodes["profile:hoster"].layer > nodes["service:hosting"].layer
    shop = nodes["profile:shop-it"].marks
    assert (shop.errors, shop.warnings, shop.infos) == (1, 1, 0)
    assert nodes["service:hosting"].marks.errors == 1
    assert nodes["profile:shoppers"].marks.worst is None
    relations = {(edge.source, edge.target, edge.relation) for edge in report.edges}
    assert ("service:webshop", "service:hosting", "depends_on") in relations
    assert ("profile:shop-it", "service:webshop", "provides") in relations
    assert ("service:webshop", "profile:shoppers", "serves") in relations


def test_findings_are_ranked_by_severity_with_remediation(tmp_path: Path) -> None:
    result = with_findings(
        checked(write(tmp_path, SMALL)),
        finding(
            "ACME001",
            "custom",
            path="services[webshop]",
            entity="webshop",
            severity=Severity.INFO,
            line=1,
        ),
        finding(
            "USM006",
            "dangling",
            path="services[webshop].depends_on[0]",
            entity="webshop",
            severity=Severity.WARNING,
            line=2,
        ),
        finding("USM003", "bad type", path="profiles[manager].name", entity="manager", line=3),
    )
    report = build_report(result, date=DATE)
    assert [item.finding.code for item in report.findings] == ["USM003", "USM006", "ACME001"]
    first = report.findings[0]
    assert first.remediation
    assert first.help_uri is not None
    assert first.help_uri.endswith("#usm003-schema-violation")
    assert (report.findings[2].remediation, report.findings[2].help_uri) == ("", None)


def test_broken_example_builds_a_report() -> None:
    result = checked(EXAMPLES / "broken")
    report = build_report(result, date=DATE)
    assert len(report.findings) == len(result.findings) > 0
    ranks = [item.finding.severity.rank for item in report.findings]
    assert ranks == sorted(ranks)
    assert sum(action.cleared for action in report.actions) == len(result.findings)
    assert report.coverage.overall is not None
    assert 0 <= report.coverage.overall < 100


def test_path_ok_is_the_usm304_test(tmp_path: Path) -> None:
    """Repeats and stopping early are fine (a nested walk); skipping a level is not."""
    extra = """\
  - id: wf-iwc
    provider: shop-it
    type: incident-with-change
    owner_process: recover
    steps:
      - {name: Restore, process: recover, responsibilities: {manager: [R, A]}}
      - {name: Restart, process: operate, responsibilities: {manager: [R, A]}}
  - id: wf-rfc
    provider: shop-it
    type: request-for-change
    owner_process: change
    steps:
      - {name: Build, process: change, responsibilities: {manager: [R, A]}}
      - {name: Deploy, process: change, responsibilities: {manager: [R, A]}}
"""
    text = SMALL.replace("practices:\n", extra + "practices:\n")
    result = checked(write(tmp_path, text))
    matrix = build_report(result, date=DATE).workflow_matrix
    cells = dict(zip(matrix.columns, dict(matrix.rows)[SHOP_IT], strict=True))
    assert cells["incident-with-change"].lines[:2] == (Named("wf-iwc"), "path deviates")
    assert cells["request-for-change"].lines[:2] == (Named("wf-rfc"), "path ok")
    deviating = {item.entity for item in result.findings if item.code == "USM304"}
    assert "wf-iwc" in deviating
    assert "wf-rfc" not in deviating


def test_a_gap_outside_the_area_sections_counts_as_one_more_entity(tmp_path: Path) -> None:
    """USM201 points at the provider's profile but is a processes gap."""
    result = with_findings(
        checked(write(tmp_path, SMALL)),
        finding("USM201", "m", path="profiles[shop-it]", entity="shop-it"),
    )
    areas = {area.key: area for area in build_report(result, date=DATE).areas}
    assert (areas["processes"].entities, areas["processes"].findings) == (3, 1)
    assert areas["profiles"].findings == 0
