"""HTML and Markdown renderings: self-contained, complete, escaped, golden."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from tests.support.factories import (
    HOSTILE_IMG,
    HOSTILE_MARKDOWN,
    HOSTILE_SCRIPT,
    SMALL,
    checked,
    finding,
    with_findings,
    write,
)
from tests.support.paths import ROOT
from usmctl.api import check
from usmctl.check.result import RunResult
from usmctl.core.findings import DOCS_URL, Severity
from usmctl.output.report import render_report, report_format

GOLDEN = Path(__file__).parent / "golden"
DATE = "2026-01-31"
SECTIONS = ("coverage", "start-small", "supply-chain", "processes", "workflows", "services",
            "bindings", "findings", "scope")  # fmt: skip
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "div", "p", "h1", "h2", "h3",
    "dl", "dt", "dd", "main", "nav", "a", "section", "span", "b", "ol", "li", "br", "figure",
    "figcaption", "i", "table", "thead", "tbody", "tr", "th", "td", "code", "footer",
    "small", "pre", "svg", "defs", "marker", "path", "g", "rect", "text", "tspan", "circle",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        self.ids.update(value for name, value in attrs if name == "id" and value)


def _parse(document: str) -> _Tags:
    parser = _Tags()
    parser.feed(document)
    parser.close()
    return parser


def _small(tmp_path: Path) -> RunResult:
    return with_findings(
        checked(write(tmp_path, SMALL)),
        finding(
            "USM003",
            'profile "manager": name must be a string',
            entity="manager",
            path="profiles[manager].name",
            line=5,
        ),
        finding(
            "ACME001",
            "service needs an owner",
            entity="webshop",
            path="services[webshop]",
            severity=Severity.WARNING,
            line=9,
        ),
        finding(
            "USM006",
            'service "webshop": depends_on[0] names nothing',
            entity="webshop",
            path="services[webshop].depends_on[0]",
            severity=Severity.INFO,
            line=12,
        ),
    )


def _hostile(tmp_path: Path) -> RunResult:
    data = yaml.safe_load(SMALL)
    data["architecture"]["name"] = HOSTILE_SCRIPT
    data["architecture"]["domain"] = HOSTILE_IMG
    data["profiles"][0]["name"] = HOSTILE_IMG
    data["profiles"][1]["name"] = HOSTILE_MARKDOWN
    data["profiles"][3]["name"] = HOSTILE_SCRIPT
    data["services"][0]["name"] = HOSTILE_SCRIPT
    data["services"][0]["facility"]["description"] = HOSTILE_IMG
    data["services"][0]["support"]["hours"] = HOSTILE_MARKDOWN
    data["governance"][0]["statement"] = HOSTILE_SCRIPT
    data["practices"][0]["name"] = HOSTILE_IMG
    data["tools"][0]["product"] = HOSTILE_SCRIPT
    data["workflows"][0]["name"] = HOSTILE_SCRIPT  # the workflow matrix names it
    write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    result = checked(tmp_path)
    return with_findings(
        result,
        *result.findings,
        finding(
            "ACME001",
            f"service {HOSTILE_SCRIPT} {HOSTILE_IMG} {HOSTILE_MARKDOWN}",
            entity="webshop",
            path="services[webshop]",
        ),
    )


def test_format_from_suffix_or_option() -> None:
    assert report_format(Path("r.html"), None) == "html"
    assert report_format(Path("R.HTM"), None) == "html"
    assert report_format(Path("r.md"), None) == "markdown"
    assert report_format(Path("r.txt"), "markdown") == "markdown"
    with pytest.raises(Exception, match="cannot tell the report format"):
        report_format(Path("r.txt"), None)
    with pytest.raises(Exception, match="unknown report format"):
        report_format(Path("r.html"), "pdf")


def test_html_is_self_contained(tmp_path: Path) -> None:
    document = render_report(_small(tmp_path), "html", date=DATE)
    lowered = document.lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "<object", "@import"):
        assert forbidden not in lowered
    # url() only for the SVG's own arrow markers, never a fetch.
    assert set(re.findall(r"url\(([^)]*)\)", document)) <= {"#arrow", "#arrow-dep"}
    parsed = _parse(document)
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    for _, attrs in parsed.tags:
        for name, value in attrs:
            assert name != "src"
            assert not name.startswith("on")
            if name == "href":
                assert value is not None
                assert value.startswith(("#", DOCS_URL))
    assert "<style>" in document
    assert "@media print" in document
    assert "<svg" in document


def test_html_has_every_section(tmp_path: Path) -> None:
    document = render_report(_small(tmp_path), "html", date=DATE)
    parsed = _parse(document)
    assert set(SECTIONS) <= parsed.ids
    for text in ("Small shop", "retail", DATE, "usmctl 0.",
                 "Provider × process", "Provider × catalogue workflow", "Governance",
                 "Overlays", "Practices", "Tools", "Value streams", "Start small",
                 "Findings by severity", "USM coverage",
                 "A provider&#x27;s coverage is the mean of five shares"):  # fmt: skip
        assert text in document, text


def test_markdown_has_the_same_content(tmp_path: Path) -> None:
    document = render_report(_small(tmp_path), "markdown", date=DATE)
    for heading in ("# USM gap report: Small shop", "## USM coverage", "## Start small",
                    "## Supply chain", "## Provider × process",
                    "## Provider × catalogue workflow", "## Services",
                    "## Governance, overlay and practice bindings", "### Governance",
                    "### Overlays", "### Practices", "### Tools", "### Value streams",
                    "## Findings by severity"):  # fmt: skip
        assert f"\n{heading}" in f"\n{document}", heading
    assert "```mermaid\nflowchart LR\n" in document
    assert f"]({DOCS_URL}#usm003-schema-violation)" in document


def _table_rows(document: str) -> list[str]:
    return [line for line in document.splitlines() if line.startswith("| ")]


def test_hostile_names_stay_text_in_html(tmp_path: Path) -> None:
    document = render_report(_hostile(tmp_path), "html", date=DATE)
    lowered = document.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    escaped_img = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
    assert escaped_img in document
    # Every "onerror" is inside escaped text (the picture may wrap a name
    # between "src=x" and "onerror=", on two lines of one text).
    assert document.count("onerror") == document.count("onerror=alert(1)&gt;") > 0
    parsed = _parse(document)
    assert {tag for tag, _ in parsed.tags} <= ALLOWED_TAGS
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name, _ in attrs)


def test_hostile_names_stay_text_in_markdown(tmp_path: Path) -> None:
    document = render_report(_hostile(tmp_path), "markdown", date=DATE)
    lowered = document.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    fence = re.search(r"```mermaid\n(.*?)\n```", document, re.S)
    assert fence is not None
    outside = document.replace(fence.group(0), "")
    assert re.search(r"(?<!\\)\]\(javascript:", outside) is None  # no link
    # User text never opens a code span or a fence: its backticks are escaped.
    assert HOSTILE_MARKDOWN not in outside
    assert "\\`code\\` \\| \\[link\\](javascript:alert(1)) \\*bold\\* \\_it\\_" in outside
    assert re.search(r"^\s*```", outside, re.M) is None
    for char in "<`":
        assert char not in fence.group(1)
    assert fence.group(1).count('"') % 2 == 0
    # A "|" in user text does not add table columns: each row has its table's width.
    width = 0
    for line in document.splitlines():
        if not line.startswith("| "):
            width = 0
            continue
        columns = len(re.split(r"(?<!\\)\|", line))
        width = width or columns
        assert columns == width, line


def test_golden_html_and_markdown(tmp_path: Path) -> None:
    result = _small(tmp_path)
    for output_format, name in (("html", "small.html"), ("markdown", "small.md")):
        rendered = render_report(result, output_format, date=DATE)
        expected = GOLDEN / name
        if os.environ.get("UPDATE_GOLDEN"):
            expected.parent.mkdir(exist_ok=True)
            expected.write_text(rendered, encoding="utf-8")
        assert rendered == expected.read_text(encoding="utf-8"), (
            f"{name} drifted; rerun with UPDATE_GOLDEN=1 and review the diff"
        )


def test_rule_text_keeps_its_code_spans() -> None:
    from usmctl.output.report.html import code_spans as html_spans
    from usmctl.output.report.markdown import code_spans as markdown_spans

    text = "Set ``provider`` or `customer` <here> | there"
    assert html_spans(text) == (
        "Set <code>provider</code> or <code>customer</code> &lt;here&gt; | there"
    )
    assert markdown_spans(text) == "Set `provider` or `customer` &lt;here&gt; \\| there"


def test_markdown_rendered_by_a_commonmark_renderer_stays_inert(tmp_path: Path) -> None:
    """Render as a code-hosting site would (CommonMark, raw HTML allowed, tables)."""
    markdown_it = pytest.importorskip("markdown_it")
    document = render_report(_hostile(tmp_path), "markdown", date=DATE)
    renderer = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    rendered = renderer.render(document)
    lowered = rendered.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert 'href="javascript' not in lowered
    parsed = _parse(rendered)
    tags = {tag for tag, _ in parsed.tags}
    assert tags <= {"h1", "h2", "h3", "p", "strong", "a", "table", "thead", "tbody", "tr",
                    "th", "td", "br", "ol", "li", "pre", "code", "sub"}  # fmt: skip
    # Every table row has as many cells as its header.
    for table in re.findall(r"<table>.*?</table>", rendered, re.S):
        widths = {
            len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", table, re.S)
        }
        assert len(widths) == 1, table[:300]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert '<pre><code class="language-mermaid">flowchart LR' in rendered


@pytest.mark.parametrize("name", ["example-report.html", "example-report.md"])
def test_committed_example_reports_are_current(name: str) -> None:
    committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
    date = re.search(r"\d{4}-\d{2}-\d{2}", committed)
    assert date is not None
    result = check(["examples/siam-multi-provider"], cwd=ROOT)
    output_format = "html" if name.endswith(".html") else "markdown"
    assert render_report(result, output_format, date=date.group(0)) == committed, (
        f"docs/{name} is stale: run `usmctl report examples/siam-multi-provider "
        f"-o docs/{name} --force` from the repository root (and retake "
        "docs/report-screenshot.png if the look changed)"
    )
