"""`usmctl graph` formats: DOT, Mermaid, GraphML and node-link JSON."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from tests.support.factories import HOSTILE_IMG, HOSTILE_SCRIPT, SMALL, checked, finding, write
from tests.support.factories import with_findings as replace_findings
from tests.support.paths import EXAMPLES
from usmctl.check.result import RunResult
from usmctl.output.report import graph_format, render_graph
from usmctl.output.report.content import graph_data
from usmctl.output.report.exports import mermaid_ids, mermaid_text


def _hostile(tmp_path: Path) -> RunResult:
    data = yaml.safe_load(SMALL)
    data["profiles"][0]["name"] = HOSTILE_SCRIPT
    data["profiles"][1]["name"] = HOSTILE_IMG + ' \\ "quoted" {braces} `tick` #1; |pipe|'
    write(tmp_path, yaml.safe_dump(data, sort_keys=False))
    return replace_findings(
        checked(tmp_path),
        finding("USM103", "m", path="profiles[manager].of", entity="manager"),
    )


def _edges(graph: Any) -> set[tuple[str, str, str]]:
    return {(source, target, data["relation"]) for source, target, data in graph.edges(data=True)}


@pytest.mark.parametrize("example", ["siam-multi-provider", "hr-onboarding", "broken"])
def test_graphml_reads_back_with_the_same_nodes_and_edges(example: str) -> None:
    result = checked(EXAMPLES / example)
    nodes, edges = graph_data(result)
    text = render_graph(result, "graphml")
    graph = nx.read_graphml(io.BytesIO(text.encode("utf-8")))
    assert set(graph.nodes) == {node.name for node in nodes}
    assert _edges(graph) == {(edge.source, edge.target, edge.relation) for edge in edges}
    for node in nodes:
        attributes = graph.nodes[node.name]
        assert attributes["label"] == node.label
        assert attributes["role"] == node.role
        assert attributes["layer"] == node.layer
        assert attributes["external"] == node.external
        assert attributes["errors"] == node.marks.errors


def test_graphml_keeps_hostile_labels_as_data(tmp_path: Path) -> None:
    result = _hostile(tmp_path)
    graph = nx.read_graphml(io.BytesIO(render_graph(result, "graphml").encode("utf-8")))
    assert graph.nodes["profile:shoppers"]["label"] == HOSTILE_SCRIPT


def test_json_is_node_link_data() -> None:
    result = checked(EXAMPLES / "siam-multi-provider")
    nodes, edges = graph_data(result)
    data = json.loads(render_graph(result, "json"))
    assert set(data) >= {"directed", "multigraph", "nodes", "edges"}
    graph = nx.node_link_graph(data, edges="edges")
    assert set(graph.nodes) == {node.name for node in nodes}
    assert _edges(graph) == {(edge.source, edge.target, edge.relation) for edge in edges}
    assert graph.is_directed()
    assert graph.is_multigraph()


def test_mermaid_is_a_flowchart_with_safe_ids_and_labels(tmp_path: Path) -> None:
    result = _hostile(tmp_path)
    nodes, edges = graph_data(result)
    text = render_graph(result, "mermaid")
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    node_line = re.compile(r'^  (n_[A-Za-z0-9_]+)(\(\["[^"<>`]*"\]\)|\["[^"<>`]*"\])$')
    edge_line = re.compile(r"^  (n_[A-Za-z0-9_]+) (-->|-\.->)\|[a-z ]+\| (n_[A-Za-z0-9_]+)$")
    style_line = re.compile(r"^  (classDef [a-z]+ [^ ]+|class [A-Za-z0-9_,]+ [a-z]+)$")
    declared = set()
    for line in lines[1:]:
        node = node_line.match(line)
        if node:
            declared.add(node.group(1))
            continue
        edge = edge_line.match(line)
        if edge:
            assert {edge.group(1), edge.group(3)} <= declared
            continue
        assert style_line.match(line), line
    assert len(declared) == len(nodes)
    assert sum(1 for line in lines if edge_line.match(line)) == len(edges)
    assert "#lt;script#gt;alert(1)#lt;/script#gt;" in text
    assert "class n_profile_shop_it error" in text


def test_mermaid_ids_are_unique_after_sanitizing() -> None:
    ids = mermaid_ids(["profile:a.b", "profile:a-b", "profile:a_b", "service:end"])
    assert len(set(ids.values())) == 4
    assert all(re.fullmatch(r"n_[A-Za-z0-9_]+", value) for value in ids.values())


def test_mermaid_text_escapes_what_could_end_or_escape_a_label() -> None:
    assert mermaid_text('a "b" <c> `d` #e [f] {g} (h) |i|; & \n j') == (
        "a #quot;b#quot; #lt;c#gt; #96;d#96; #35;e [f] {g} (h) |i|; & j"
    )


def test_dot_syntax_by_construction(tmp_path: Path) -> None:
    result = _hostile(tmp_path)
    text = render_graph(result, "dot")
    assert text.startswith("digraph supply_chain {\n  rankdir=LR;")
    assert text.rstrip().endswith("}")
    assert '\\"quoted\\"' in text
    assert "\\\\" in text
    # written customer-side first, drawn as provider -> service
    assert '"service:webshop" -> "profile:shop-it" [label="provides", dir=back];' in text
    assert "rank=same" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz (dot) is not installed")
@pytest.mark.parametrize("example", ["siam-multi-provider", "hospital-facilities", "broken"])
def test_graphviz_accepts_the_dot(example: str, tmp_path: Path) -> None:
    dot = shutil.which("dot")
    assert dot is not None
    for result in (checked(EXAMPLES / example), _hostile(tmp_path)):
        text = render_graph(result, "dot")
        done = subprocess.run(
            [dot, "-Tplain"], input=text, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == ""
        nodes, _ = graph_data(result)
        drawn = [line for line in done.stdout.splitlines() if line.startswith("node ")]
        assert len(drawn) == len(nodes)


def test_unknown_graph_format() -> None:
    assert graph_format("dot") == "dot"
    with pytest.raises(Exception, match="unknown graph format 'png'"):
        graph_format("png")
