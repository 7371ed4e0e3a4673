"""`usmctl graph --format dot`: customers on the left, each level of the supply
chain a ``rank=same`` group further right, no edge drawn backwards."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from tests.support.factories import checked
from tests.support.paths import EXAMPLES
from usmctl.output.report import render_graph
from usmctl.output.report.content import graph_data

EXAMPLE_NAMES = ["siam-multi-provider", "hospital-facilities", "broken", "pilot"]
CYCLIC = {"broken"}  # a dependency cycle: its members share one level
_GROUP = re.compile(r"^  subgraph level_(\d+) \{ rank=same; (.*) \}$")
_EDGE = re.compile(r'^  "([^"]+)" -> "([^"]+)" \[label="(\w+)"(.*)\];$')


def _levels(text: str) -> dict[str, int]:
    """Node name -> the level of its ``rank=same`` group, read from the DOT text."""
    levels: dict[str, int] = {}
    for line in text.splitlines():
        match = _GROUP.match(line)
        if match:
            for name in shlex.split(match.group(2)):
                assert name not in levels, f"{name} in two groups"
                levels[name] = int(match.group(1))
    return levels


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_dot_levels_run_from_the_customers_rightwards(example: str) -> None:
    result = checked(EXAMPLES / example)
    text = render_graph(result, "dot")
    assert "  rankdir=LR;" in text
    nodes, edges = graph_data(result)
    levels = _levels(text)
    assert set(levels) == {node.name for node in nodes}  # every node in one group
    for node in nodes:
        if node.role == "customer":
            assert levels[node.name] == 0, node.name
    written = [match for line in text.splitlines() if (match := _EDGE.match(line))]
    assert len(written) == len(edges)
    for match in written:
        tail, head, relation, rest = match.groups()
        # Graphviz ranks a tail left of its head: never a deeper level first.
        if example in CYCLIC:
            assert levels[tail] <= levels[head], match.group(0)
        else:
            assert levels[tail] < levels[head], match.group(0)
        # serves and provides point back towards the customer: drawn reversed
        if levels[tail] != levels[head]:
            assert ("dir=back" in rest) == (relation in ("serves", "provides")), match.group(0)
    for edge in edges:
        if edge.relation == "serves" and example not in CYCLIC:
            assert levels[edge.source] > levels[edge.target], edge


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz (dot) is not installed")
@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_graphviz_draws_customers_left_and_no_edge_backwards(example: str) -> None:
    dot = shutil.which("dot")
    assert dot is not None
    result = checked(EXAMPLES / example)
    text = render_graph(result, "dot")
    done = subprocess.run([dot, "-Tplain"], input=text, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    x: dict[str, float] = {}
    for line in done.stdout.splitlines():
        if line.startswith("node "):
            fields = shlex.split(line)
            x[fields[1]] = float(fields[2])
    nodes, edges = graph_data(result)
    assert set(x) == {node.name for node in nodes}
    levels = _levels(text)
    # Columns in level order: everything of a deeper level lies further right.
    for first in nodes:
        for second in nodes:
            if levels[first.name] < levels[second.name]:
                assert x[first.name] < x[second.name], (first.name, second.name)
    serving = [edge for edge in edges if edge.relation == "serves"]
    assert serving or example == "pilot"
    for edge in serving:  # service -> customer: always right to left
        if levels[edge.source] != levels[edge.target]:  # not inside a cycle
            assert x[edge.target] < x[edge.source], edge
