"""The gap report as one self-contained HTML file.

Inline CSS (with print rules for a clean PDF) and inline SVG; no script, no
font, image or style sheet from the network. Every user string passes through
`html.escape`.
"""

from __future__ import annotations

import re
from html import escape

from usmctl.core.findings import counted
from usmctl.output.report.actions import (
    ACTIONS_NOTE,
    FINDINGS_TITLE,
    SHOWN_ACTIONS,
    Action,
    rest_note,
)
from usmctl.output.report.content import (
    SCOPE_NOTE,
    RankedFinding,
    Report,
    Scope,
)
from usmctl.output.report.palette import ROLE_FILLS
from usmctl.output.report.progress import PROGRESS_NOTE, Progress
from usmctl.output.report.svg import needs_own_page, render_svg
from usmctl.output.report.tables import Cell, Matrix, Named, Table, Value

_STATUS_ICONS = {"ok": "✓", "warn": "!", "missing": "✗", "na": "–"}

CSS = """
:root { --ink:#202124; --muted:#5f6368; --line:#dadce0; --band:#f8f9fa;
  --ok:#188038; --ok-bg:#e6f4ea; --warn:#b06000; --warn-bg:#fef7e0;
  --bad:#c5221f; --bad-bg:#fce8e6; --info:#1a73e8; --info-bg:#e8f0fe; --accent:#174ea6; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 0 28px 48px; }
header.cover { background: var(--accent); color: #fff; padding: 28px 0 24px; }
header.cover .inner { max-width: 1180px; margin: 0 auto; padding: 0 28px; }
header.cover p.kicker { margin: 0; text-transform: uppercase; letter-spacing: .08em;
  font-size: 12px; opacity: .85; }
header.cover h1 { margin: 4px 0 10px; font-size: 28px; line-height: 1.2; }
header.cover dl { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; font-size: 13px; }
header.cover dt { opacity: .8; } header.cover dd { margin: 0 0 0 6px; font-weight: 600; }
header.cover dl div { display: flex; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px;
  border-bottom: 2px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 8px; }
p.note { color: var(--muted); font-size: 13px; margin: 6px 0 12px; }
nav.toc { margin: 18px 0 0; font-size: 13px; color: var(--muted); }
nav.toc a { color: var(--accent); margin-right: 14px; text-decoration: none; }
.overall { display: flex; align-items: center; gap: 24px; margin: 8px 0 18px; }
.overall .big { font-size: 44px; font-weight: 700; line-height: 1; }
.overall .counts span { display: inline-block; margin-right: 14px; }
.overall .meta { color: var(--muted); font-size: 12px; }
.s-good { color: var(--ok); } .s-fair { color: var(--warn); } .s-poor { color: var(--bad); }
.s-none { color: var(--muted); }
table.coverage td:last-child { font-weight: 700; white-space: nowrap; }
ol.actions { padding-left: 22px; } ol.actions li { margin: 0 0 10px; }
ol.actions .title { font-weight: 600; }
ol.actions .impact { color: var(--muted); font-size: 12px; }
ol.actions pre.snippet { margin: 4px 0; padding: 6px 10px; background: var(--band);
  border: 1px solid var(--line); border-radius: 6px; font-size: 12px; overflow-x: auto; }
figure.graph { margin: 0; border: 1px solid var(--line); border-radius: 8px; overflow: auto;
  background: #fff; }
figure.graph svg { display: block; }
figure.graph figcaption { font-size: 12px; color: var(--muted); padding: 8px 12px;
  border-top: 1px solid var(--line); background: var(--band); }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #80868b;
  border-radius: 2px; vertical-align: -1px; margin-right: 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 4px 0 8px; }
th, td { border: 1px solid var(--line); padding: 6px 8px; text-align: left;
  vertical-align: top; }
thead th { background: var(--band); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fcfcfd; }
tr { break-inside: avoid; }
table.findings { table-layout: fixed; }
table.findings td { overflow-wrap: anywhere; }
table.findings th:nth-child(1) { width: 3.5em; } table.findings th:nth-child(2) { width: 6.5em; }
table.findings th:nth-child(3) { width: 13%; } table.findings th:nth-child(4) { width: 9%; }
table.findings th:nth-child(6) { width: 17%; } table.findings th:nth-child(7) { width: 24%; }
td.cell-ok { background: var(--ok-bg) !important; }
td.cell-warn { background: var(--warn-bg) !important; }
td.cell-missing { background: var(--bad-bg) !important; }
td.cell-na { color: var(--muted); }
td .icon { font-weight: 700; margin-right: 4px; }
td.cell-ok .icon { color: var(--ok); } td.cell-warn .icon { color: var(--warn); }
td.cell-missing .icon { color: var(--bad); }
.sev { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
small.id { color: var(--muted); font-size: 11px; font-weight: 400; }
.sev-error { background: var(--bad-bg); color: var(--bad); }
.sev-warning { background: var(--warn-bg); color: var(--warn); }
.sev-info { background: var(--info-bg); color: var(--info); }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
a { color: var(--accent); }
dl.scope { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px;
  margin: 0 0 12px; }
dl.scope dt { font-weight: 600; } dl.scope dd { margin: 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px;
  border-top: 1px solid var(--line); padding-top: 10px; }
@page { size: A4; margin: 16mm 12mm 18mm;
  @bottom-left { content: "USM gap report"; font: 9px system-ui, sans-serif; color: #5f6368; }
  @bottom-right { content: "page " counter(page) " of " counter(pages);
    font: 9px system-ui, sans-serif; color: #5f6368; } }
@page :first { margin: 0; background: #174ea6;
  @bottom-left { content: none; } @bottom-right { content: none; } }
@media print {
  body { font-size: 11px; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main, header.cover .inner { max-width: none; padding: 0; }
  header.cover { height: 100vh; padding: 0 18mm; display: flex; flex-direction: column;
    justify-content: center; break-after: page; overflow: hidden; }
  header.cover h1 { font-size: 34px; margin: 10px 0 22px; }
  header.cover dl { display: block; font-size: 14px; }
  header.cover dl div { margin: 0 0 6px; }
  nav.toc { display: none; }
  h2, h3, p.note { break-after: avoid; }
  h2 { margin-top: 20px; }
  section { break-inside: auto; }
  section#coverage { break-before: avoid; }
  .overall, ol.actions li, dl.scope div { break-inside: avoid; }
  tr, td, th { break-inside: avoid; }
  th, td { overflow-wrap: break-word; }
  figure.graph { overflow: visible; border: none; break-inside: avoid; }
  figure.graph svg { max-width: 100%; height: auto; }
  section.own-page { break-before: page; break-after: page; }
  section.own-page figure.graph svg { max-height: 240mm; width: auto; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  thead { display: table-header-group; }
  footer { break-inside: avoid; }
}
"""


_CODE_SPAN = re.compile(r"``([^`]+)``|`([^`]+)`")


def code_spans(text: str) -> str:
    """The tool's own prose, escaped, with ``code`` spans as <code>."""
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(escape(text[position : match.start()]))
        parts.append(f"<code>{escape(match.group(1) or match.group(2))}</code>")
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def _action(action: Action) -> str:
    parts = [f'<li><span class="title">{escape(action.title)}</span>']
    if action.severity is not None and action.impact is not None:
        parts.append(
            f' <span class="sev sev-{action.severity.value}">{action.severity.value}</span>'
            f' <span class="impact">{escape(action.impact.label)}</span>'
        )
    parts.append("<br>")
    if action.finding:
        parts.append(f"Finding: {escape(action.finding)}.<br>")
    parts.append(action.instruction(escape, code_spans))
    if action.snippet:
        parts.append(f'<pre class="snippet"><code>{escape(action.snippet)}</code></pre>')
    if action.where:
        parts.append(f" Where: {action.places(lambda place: f'<code>{escape(place)}</code>')}.")
    if action.clears:
        parts.append(f" Clears {escape(action.describe_clears())}.")
    if action.help_uri:
        parts.append(f' <a href="{escape(action.help_uri)}">Rule documentation</a>')
    parts.append("</li>")
    return "".join(parts)


def _actions(actions: tuple[Action, ...]) -> str:
    """The first few actions, and how many more there are."""
    shown = "".join(_action(action) for action in actions[:SHOWN_ACTIONS])
    rest = rest_note(actions)
    link = f'<a href="#findings">{FINDINGS_TITLE}</a>'
    more = f'<p class="note">{escape(rest).replace(FINDINGS_TITLE, link)}</p>' if rest else ""
    note = ""
    if any(action.clears for action in actions):
        note = f'<p class="note">{escape(ACTIONS_NOTE)}</p>'
    return f'{note}<ol class="actions">{shown}</ol>{more}'


def _score_class(score: int | None) -> str:
    if score is None:
        return "s-none"
    if score >= 90:
        return "s-good"
    return "s-fair" if score >= 60 else "s-poor"


def _named(named: Named) -> str:
    """A name, its id after it in small type."""
    if not named.id:
        return escape(named.name)
    return f'{escape(named.name)} <small class="id">{escape(named.id)}</small>'


def _value(value: Value) -> str:
    if isinstance(value, str):
        return escape(value)
    return ", ".join(_named(named) for named in value)


def _table(table: Table, *, heading: str = "h3") -> str:
    parts = [f"<{heading}>{escape(table.title)}</{heading}>"]
    if not table.rows:
        parts.append(f'<p class="note">{escape(table.empty)}</p>')
        return "".join(parts)
    head = "".join(f"<th>{escape(column)}</th>" for column in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_value(value)}</td>" for value in row) + "</tr>"
        for row in table.rows
    )
    parts.append(
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )
    return "".join(parts)


def _cell(cell: Cell) -> str:
    lines = "<br>".join(
        _named(line) if isinstance(line, Named) else escape(line) for line in cell.lines
    )
    return (
        f'<td class="cell-{cell.status}"><span class="icon">{_STATUS_ICONS[cell.status]}</span>'
        f"{lines}</td>"
    )


def _matrix(matrix: Matrix, anchor: str) -> str:
    parts = [f'<section id="{anchor}"><h2>{escape(matrix.title)}</h2>']
    parts.append(f'<p class="note">{escape(matrix.note)}</p>')
    if not matrix.rows:
        parts.append('<p class="note">No providers or suppliers are declared.</p></section>')
        return "".join(parts)
    parts.append(_matrix_table(matrix) + "</section>")
    return "".join(parts)


def _matrix_table(matrix: Matrix, kind: str = "matrix") -> str:
    head = "<th>provider</th>" + "".join(f"<th>{escape(column)}</th>" for column in matrix.columns)
    body = "".join(
        f"<tr><th>{_named(label)}</th>{''.join(_cell(cell) for cell in cells)}</tr>"
        for label, cells in matrix.rows
    )
    return (
        f'<div class="table-wrap"><table class="{kind}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _coverage(report: Report, notes: str) -> str:
    """The first section: the overall coverage beside the finding counts, the
    matrix provider × criterion, the formula and ``notes``."""
    coverage = report.coverage
    overall = coverage.overall
    shown = "n/a" if overall is None else f"{overall}%"
    counts = report.by_severity
    matrix = coverage.matrix()
    parts = [
        '<section id="coverage"><h2>USM coverage</h2>',
        f'<div class="overall"><div><div class="big {_score_class(overall)}">{shown}</div>'
        '<div class="meta">USM coverage, all internal providers</div></div>'
        '<div class="counts">'
        + "".join(
            f'<span class="sev sev-{word}">{counted(counts[word], word)}</span>'
            for word in ("error", "warning", "info")
        )
        + "</div></div>",
    ]
    if matrix.rows:
        parts.append(_matrix_table(matrix, "matrix coverage"))
    else:
        parts.append('<p class="note">No internal provider is declared: nothing to cover.</p>')
    parts.append(f'<p class="note formula">{escape(coverage.formula)}</p>{notes}</section>')
    return "".join(parts)


def _findings(findings: tuple[RankedFinding, ...]) -> str:
    if not findings:
        return '<p class="note">No findings: every rule passed.</p>'
    rows = []
    for index, item in enumerate(findings, start=1):
        finding = item.finding
        rule = f"<code>{escape(finding.code)}</code> {escape(finding.name)}"
        if item.help_uri:
            rule = f'<a href="{escape(item.help_uri)}">{rule}</a>'
        where = f"{finding.file}:{finding.line}:{finding.column}"
        rows.append(
            f"<tr><td>{index}</td>"
            f'<td><span class="sev sev-{finding.severity.value}">'
            f"{finding.severity.value}</span></td>"
            f"<td>{rule}</td><td>{escape(item.area)}</td>"
            f"<td>{escape(finding.message)}</td><td><code>{escape(where)}</code></td>"
            f"<td>{code_spans(item.remediation) or '–'}</td></tr>"
        )
    return (
        '<div class="table-wrap"><table class="findings"><thead><tr><th>#</th>'
        "<th>severity</th><th>rule</th><th>area</th><th>finding</th><th>where</th>"
        "<th>remediation</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def _facts_section(
    anchor: str,
    title: str,
    note: str,
    facts: tuple[tuple[str, str], ...],
    tables: tuple[Table, ...],
) -> str:
    """A section of (topic, text) facts and the tables below them."""
    shown = "".join(f"<dt>{escape(topic)}</dt><dd>{escape(text)}</dd>" for topic, text in facts)
    return (
        f'<section id="{anchor}"><h2>{escape(title)}</h2>'
        f'<p class="note">{escape(note)}</p><dl class="scope">{shown}</dl>'
        + "".join(_table(table) for table in tables)
        + "</section>"
    )


def _scope(scope: Scope) -> str:
    return _facts_section("scope", "Scope of this check", SCOPE_NOTE, scope.facts, scope.tables)


def _progress(progress: Progress | None) -> str:
    if progress is None:
        return ""
    return _facts_section(
        "progress", "Since the last report", PROGRESS_NOTE, progress.facts, progress.shown_tables
    )


def render_html(report: Report) -> str:
    """The whole report as one HTML document."""
    details = [("Domain", report.domain or "not stated"), ("Date", report.date)]
    if report.architecture_id:
        details.insert(0, ("Architecture", report.architecture_id))
    details += [("Files", str(report.files)), ("usmctl", report.version)]
    meta = "".join(
        f"<div><dt>{escape(key)}</dt><dd>{escape(value)}</dd></div>" for key, value in details
    )
    unattributed = ""
    if report.unattributed:
        unattributed = (
            f'<p class="note">{counted(report.unattributed, "file-level finding")} '
            "(unreadable or malformed files) "
            "belong to no area: fix them first, the coverage does not see what they hide.</p>"
        )
    if report.suppressions:
        unattributed += (
            f'<p class="note">{counted(report.suppressions, "suppression comment")} '
            "to fix (unused, without a reason or malformed): listed under "
            "suppressions in the findings.</p>"
        )
    # printed, a large picture gets a page of its own
    own_page = ' class="own-page"' if needs_own_page(report.nodes, report.edges) else ""
    legend = "".join(
        f'<span><i class="swatch" style="background:{colour}"></i>{role}</span>'
        for role, colour in ROLE_FILLS.items()
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        f"<title>USM gap report: {escape(report.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        '<header class="cover"><div class="inner"><p class="kicker">USM gap report</p>',
        f"<h1>{escape(report.title)}</h1><dl>{meta}</dl></div></header>",
        "<main>",
        '<nav class="toc"><a href="#coverage">USM coverage</a>'
        + ('<a href="#progress">Since the last report</a>' if report.progress else "")
        + '<a href="#start-small">Start small</a>'
        '<a href="#supply-chain">Supply chain</a><a href="#processes">Processes</a>'
        '<a href="#workflows">Workflows</a><a href="#services">Services</a>'
        '<a href="#bindings">Bindings</a><a href="#findings">Findings</a>'
        '<a href="#scope">Scope</a></nav>',
        _coverage(report, unattributed),
        _progress(report.progress),
        '<section id="start-small"><h2>Start small: the next three actions</h2>',
        _actions(report.actions) + "</section>",
        f'<section id="supply-chain"{own_page}><h2>Supply chain</h2>',
        '<figure class="graph">',
        render_svg(report.nodes, report.edges),
        f'<figcaption class="legend">{legend}<span>dashed box: external party</span>'
        "<span>grey arrow: a service to its customer</span>"
        "<span>dashed purple arrow: depends on</span>"
        "<span>red or amber border and badge: findings on the node</span></figcaption>",
        "</figure></section>",
        _matrix(report.process_matrix, "processes"),
        _matrix(report.workflow_matrix, "workflows"),
        f'<section id="services">{_table(report.services, heading="h2")}</section>',
        '<section id="bindings"><h2>Governance, overlay and practice bindings</h2>',
        "".join(_table(table) for table in report.bindings),
        "</section>",
        '<section id="findings"><h2>Findings by severity</h2>',
        _findings(report.findings),
        "</section>",
        _scope(report.scope),
        f"<footer>Generated by usmctl {escape(report.version)} on {escape(report.date)}. "
        "The coverage and the findings follow the rules of the Unified Service Management method; "
        "see each rule's documentation for the rationale.</footer>",
        "</main></body></html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"
