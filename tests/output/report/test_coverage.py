"""USM coverage per internal provider: the report's first section, the
formula, the CLI's line and the coverage change of `report --compare`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.support.cli import invoke
from tests.support.factories import SMALL, WriteFiles, checked
from tests.support.paths import EXAMPLES
from usmctl.output.report import render_report
from usmctl.output.report.coverage import (
    COVERAGE_RULES,
    Coverage,
    Criterion,
    coverage,
    coverage_codes,
    formula,
)
from usmctl.output.report.html import escape

DATE = "2026-01-31"
BLOCK = "  # Proactive: a risk that operate can remove"


def criteria(result: Coverage, provider: str) -> dict[str, Criterion]:
    item = next(item for item in result.providers if item.provider_id == provider)
    return {criterion.key: criterion for criterion in item.criteria}


def counts(result: Coverage, provider: str) -> dict[str, tuple[int, int]]:
    return {key: (c.met, c.total) for key, c in criteria(result, provider).items()}


# --- the examples: real gaps, and none where there are none -------------------


def test_broken_shows_each_providers_documented_gaps() -> None:
    """examples/README.md: acme-it's change without owner (USM204), its missing
    improvement-via-operation (USM306), wf-wish not closed (USM312), the
    deviating wf-incident-change (USM304) and wf-improve-change (USM303),
    catering without facility (USM401), laundry without support (USM402),
    improve without inputs (USM903); dev-team runs no process (USM201) and no
    workflow (USM306); lonely-provider has nothing."""
    result = coverage(checked(EXAMPLES / "broken"))
    # cloudco, an external provider, has no row
    assert [item.provider_id for item in result.providers] == [
        "acme-it",
        "lonely-provider",
        "dev-team",
    ]
    acme = criteria(result, "acme-it")
    assert (acme["processes"].met, acme["processes"].gaps) == (4, ("change: no owner",))
    assert (acme["workflows"].met, set(acme["workflows"].gaps)) == (
        4,
        {
            "wf-wish: not closed",
            "wf-incident-change: path deviates",
            "wf-improve-change: path deviates",
            "improvement-via-operation: missing",
        },
    )
    assert acme["request_types"].gaps == ()
    assert (acme["services"].met, acme["services"].total) == (10, 12)
    assert set(acme["services"].gaps) == {"laundry: no support", "catering: no facility"}
    assert acme["improve"].gaps == ("improve: no inputs",)

    assert counts(result, "dev-team") == {
        "processes": (0, 5),
        "workflows": (0, 8),
        "request_types": (4, 4),
        "services": (1, 1),
        "improve": (0, 1),
    }
    lonely = counts(result, "lonely-provider")
    assert lonely["services"] == (0, 0)  # no services: the criterion is left out
    assert sum(met for met, _ in lonely.values()) == 0

    # each criterion weighs the same: the mean of the shares, not met/total of all checks
    assert result.by_provider() == {
        "acme-it": round(100 * (4 / 5 + 4 / 8 + 4 / 4 + 10 / 12 + 0) / 5),  # 63
        "lonely-provider": 0,
        "dev-team": round(100 * (0 + 0 + 1 + 1 + 0) / 5),  # 40
    }
    assert result.overall == round(100 * ((4 / 5 + 4 / 8 + 1 + 10 / 12) / 5 + 0 + 2 / 5) / 3)


@pytest.mark.parametrize("example", ["pilot", "hr-onboarding", "hospital-facilities"])
def test_the_clean_single_provider_examples_are_fully_covered(example: str) -> None:
    result = coverage(checked(EXAMPLES / example))
    assert len(result.providers) == 1
    assert result.overall == 100
    assert all(c.met == c.total for c in result.providers[0].criteria)


def test_siam_multi_provider_per_provider_and_no_external_rows() -> None:
    result = coverage(checked(EXAMPLES / "siam-multi-provider"))
    assert result.by_provider() == {"claims-app-team": 100, "globex-it": 100}
    assert counts(result, "globex-it")["services"] == (2, 2)
    assert counts(result, "claims-app-team")["workflows"] == (8, 8)


# --- the checks ----------------------------------------------------------------


def test_an_alias_counts_an_owner_is_needed_and_an_external_provider_has_no_row(
    write_files: WriteFiles,
) -> None:
    root = write_files(
        {
            "a.usm.yaml": """\
                usm: "1"
                profiles:
                  - {id: shoppers, kind: customer}
                  - {id: it, kind: provider}
                  - {id: boss, kind: operator, of: it}
                  - {id: hoster, kind: supplier, external: true}
                processes:
                  - {provider: it, process: INC, owner: boss}
                  - {provider: it, process: agree}
                  - {provider: it, process: improve, owner: boss, inputs: [shoppers]}
                services:
                  - id: shop
                    provider: it
                    customers: [shoppers]
                    agreement: sa-shop
                    facility: {description: A web shop}
                agreements:
                  - {id: sa-shop, provider: it, customer: shoppers, services: [shop],
                     request_types: [wish, incident]}
            """
        }
    )
    result = coverage(checked(root))
    assert [item.provider_id for item in result.providers] == ["it"]
    it = criteria(result, "it")
    assert it["processes"].met == 2  # recover (as INC) and improve; agree has no owner
    assert "agree: no owner" in it["processes"].gaps
    assert it["request_types"].gaps == (
        "request-for-change: not offered",
        "service-request: not offered",
    )
    assert it["services"].gaps == ("shop: no support",)
    assert (it["improve"].met, it["improve"].total) == (1, 1)


def test_a_provider_without_services_leaves_that_criterion_out(write_files: WriteFiles) -> None:
    root = write_files(
        {
            "a.usm.yaml": """\
                usm: "1"
                profiles:
                  - {id: it, kind: provider}
                  - {id: boss, kind: operator, of: it}
                processes:
                  - {provider: it, process: improve, owner: boss, inputs: [boss]}
            """
        }
    )
    item = coverage(checked(root)).providers[0]
    assert item.criteria[3].describe() == "no services"
    # processes 1/5, workflows 0/8, request types 0/4, improve 1/1: four criteria
    assert item.percent == round(100 * (1 / 5 + 0 + 0 + 1) / 4)


# --- the report ------------------------------------------------------------------


def test_the_section_comes_first_with_the_formula_in_html_and_markdown(tmp_path: Path) -> None:
    root = tmp_path / "small"
    root.mkdir()
    (root / "a.usm.yaml").write_text(SMALL, encoding="utf-8")
    result = checked(root)
    text = formula(8)
    assert "mean of five shares" in text and "weighs the same" in text

    html = render_report(result, "html", date=DATE)
    sections = re.findall(r'<section id="([a-z-]+)"', html)
    assert sections[0] == "coverage"
    assert '<nav class="toc"><a href="#coverage">USM coverage</a>' in html
    assert escape(text) in html
    assert 'Shop IT <small class="id">shop-it</small>' in html
    # the severity summary beside it
    assert (
        '<div class="counts"><span class="sev sev-error">2 errors</span>'
        '<span class="sev sev-warning">3 warnings</span><span class="sev sev-info">1 info</span>'
    ) in html

    markdown = render_report(result, "markdown", date=DATE)
    headings = re.findall(r"^## (.*)$", markdown, re.M)
    assert headings[0] == "USM coverage"
    assert text in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| Shop IT"))
    assert "<sub>shop-it</sub>" in row and "1/1 services" in row and row.endswith(" 26% |")


def test_the_workflow_matrix_names_each_workflow_with_its_id() -> None:
    html = render_report(checked(EXAMPLES / "pilot"), "html", date=DATE)
    workflows = html[html.index('<section id="workflows">') :]
    workflows = workflows[: workflows.index("</section>")]
    assert 'Restore the workplace <small class="id">wf-incident</small><br>path ok' in workflows
    assert workflows.count('<small class="id">wf-') == 8


# --- report --compare: the coverage change ---------------------------------------


@pytest.fixture
def pilot(tmp_path: Path) -> Path:
    root = tmp_path / "pilot"
    shutil.copytree(EXAMPLES / "pilot", root)
    return root


def test_every_coverage_rule_name_is_a_rule() -> None:
    """A renamed rule would silently stop counting as a coverage gap."""
    codes = coverage_codes(checked(EXAMPLES / "pilot"))
    assert len(codes) == len(COVERAGE_RULES)
    assert {"USM201", "USM204", "USM306", "USM312", "USM401", "USM408", "USM903"} <= set(codes)


def _drop_workflow(root: Path) -> None:
    """The pilot without its improvement-via-operation workflow (its last block)."""
    workflows = root / "workflows.usm.yaml"
    text = workflows.read_text("utf-8")
    workflows.write_text(text[: text.index(BLOCK)], "utf-8")


def test_compare_shows_the_coverage_rise_of_the_provider_a_fix_covers(
    pilot: Path, tmp_path: Path
) -> None:
    saved = (pilot / "workflows.usm.yaml").read_text("utf-8")
    _drop_workflow(pilot)
    before = invoke("validate", ".", "--format", "json", "--fail-on", "never", cwd=pilot)
    assert '"USM306"' in before.stdout
    previous = tmp_path / "before.json"
    previous.write_text(before.stdout, "utf-8")
    gapped = invoke("report", ".", "-o", "gapped.md", cwd=pilot)
    assert "(USM coverage 98%, " in gapped.stderr  # 7/8 workflows: (1 + 7/8 + 1 + 1 + 1) / 5

    (pilot / "workflows.usm.yaml").write_text(saved, "utf-8")  # the fix
    done = invoke("report", ".", "-o", "r.md", "--compare", str(previous), cwd=pilot)
    assert done.code == 0, done.output
    assert "(USM coverage 100%, 0 findings" in done.stderr
    text = (pilot / "r.md").read_text("utf-8")
    since = text[text.index("## Since the last report") :]
    assert "the change in percentage points is not known" in since
    assert "### Coverage per provider" in since
    assert "| IT department <sub>it-department</sub> | 100% | 1 | 0 | + |" in since


def test_compare_shows_a_coverage_fall_as_minus(pilot: Path, tmp_path: Path) -> None:
    before = invoke("validate", ".", "--format", "json", cwd=pilot)
    previous = tmp_path / "clean.json"
    previous.write_text(before.stdout, "utf-8")
    _drop_workflow(pilot)
    done = invoke("report", ".", "-o", "r.md", "--compare", str(previous), cwd=pilot)
    assert done.code == 0, done.output
    assert "| IT department <sub>it-department</sub> | 98% | 0 | 1 | − |" in (
        pilot / "r.md"
    ).read_text("utf-8")
