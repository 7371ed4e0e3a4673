"""`usmctl report` and `usmctl graph` on the command line."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tests.support.cli import invoke
from tests.support.factories import SMALL, write
from tests.support.paths import EXAMPLES


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(previous)


def test_report_html_from_the_suffix(in_tmp: Path) -> None:
    example = str(EXAMPLES / "siam-multi-provider")
    result = invoke("report", example, "-o", "report.html")
    assert result.code == 0, result.output
    assert result.stdout == ""
    text = (in_tmp / "report.html").read_text("utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "Globex Insurance IT services" in text
    assert not list(in_tmp.glob(".report.html.*"))  # no temporary file left


def test_report_markdown_from_the_suffix_or_the_option(in_tmp: Path) -> None:
    example = str(EXAMPLES / "pilot")
    assert invoke("report", example, "-o", "r.md").code == 0
    assert (in_tmp / "r.md").read_text("utf-8").startswith("# USM gap report: Pilot IT")
    result = invoke("report", example, "-o", "r.txt", "--format", "markdown")
    assert result.code == 0
    assert (in_tmp / "r.txt").read_text("utf-8").startswith("# USM gap report")
    result = invoke("report", example, "-o", "page", "--format", "html")
    assert result.code == 0
    assert (in_tmp / "page").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_report_with_findings_still_exits_0(in_tmp: Path) -> None:
    result = invoke("report", str(EXAMPLES / "broken"), "-o", "r.html")
    assert result.code == 0
    assert "Findings by severity" in (in_tmp / "r.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["-o", "r.txt"], "usmctl: cannot tell the report format from 'r.txt'"),
        (["-o", "r.html", "--format", "pdf"], "usmctl: unknown report format 'pdf'"),
        ([], "usmctl: report needs --output FILE"),
    ],
)
def test_report_usage_errors(in_tmp: Path, arguments: list[str], message: str) -> None:
    result = invoke("report", str(EXAMPLES / "pilot"), *arguments)
    assert result.code == 2
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1


def test_report_refuses_an_existing_file_without_force(in_tmp: Path) -> None:
    (in_tmp / "r.html").write_text("keep me", encoding="utf-8")
    result = invoke("report", str(EXAMPLES / "pilot"), "-o", "r.html")
    assert result.code == 2
    assert result.stderr == 'usmctl: "r.html" exists; use --force to overwrite it\n'
    assert (in_tmp / "r.html").read_text("utf-8") == "keep me"
    result = invoke("report", str(EXAMPLES / "pilot"), "-o", "r.html", "--force")
    assert result.code == 0
    assert (in_tmp / "r.html").read_text("utf-8").startswith("<!DOCTYPE html>")


def test_report_refuses_to_overwrite_an_input_file(in_tmp: Path) -> None:
    write(in_tmp, SMALL, "arch.usm.yaml")
    before = (in_tmp / "arch.usm.yaml").read_text("utf-8")
    result = invoke("report", ".", "-o", "arch.usm.yaml", "--format", "markdown", "--force")
    assert result.code == 2
    assert result.stderr == 'usmctl: refusing to overwrite an input file: "arch.usm.yaml"\n'
    assert (in_tmp / "arch.usm.yaml").read_text("utf-8") == before


def test_graph_to_stdout_in_every_format(in_tmp: Path) -> None:
    example = str(EXAMPLES / "siam-multi-provider")
    outputs = {}
    for output_format in ("dot", "mermaid", "graphml", "json"):
        result = invoke("graph", example, "--format", output_format)
        assert result.code == 0, result.output
        assert result.stderr == ""
        outputs[output_format] = result.stdout
    assert outputs["dot"].startswith("digraph supply_chain {")
    assert outputs["mermaid"].startswith("flowchart LR\n")
    assert outputs["json"].lstrip().startswith("{")
    graph = nx.read_graphml(io.BytesIO(outputs["graphml"].encode("utf-8")))
    assert "profile:globex-it" in graph


def test_graph_default_format_is_dot(in_tmp: Path) -> None:
    result = invoke("graph", str(EXAMPLES / "pilot"))
    assert result.code == 0
    assert result.stdout.startswith("digraph")


def test_graph_to_a_file_and_never_clobbering(in_tmp: Path) -> None:
    example = str(EXAMPLES / "pilot")
    result = invoke("graph", example, "-f", "mermaid", "--output", "g.mmd")
    assert result.code == 0
    assert result.stdout == ""
    assert (in_tmp / "g.mmd").read_text("utf-8").startswith("flowchart LR")
    result = invoke("graph", example, "-f", "dot", "--output", "g.mmd")
    assert result.code == 2
    assert result.stderr == 'usmctl: "g.mmd" exists; use --force to overwrite it\n'
    result = invoke("graph", example, "-f", "dot", "-o", "g.mmd", "--force")
    assert result.code == 0
    assert (in_tmp / "g.mmd").read_text("utf-8").startswith("digraph")


def test_graph_unknown_format(in_tmp: Path) -> None:
    result = invoke("graph", str(EXAMPLES / "pilot"), "--format", "png")
    assert result.code == 2
    assert result.stderr.startswith("usmctl: unknown graph format 'png'")


def test_report_date_honours_source_date_epoch(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00 UTC
    result = invoke("report", str(EXAMPLES / "pilot"), "-o", "r.md")
    assert result.code == 0
    assert "Date: 2026-01-01" in (in_tmp / "r.md").read_text("utf-8")
