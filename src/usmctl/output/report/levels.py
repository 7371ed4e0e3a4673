"""The levels of the supply chain's recursion, for the picture and the exports.

A *level* is a column of the picture: the customers (0), the providers that
serve them (1), those providers' suppliers (2), their sub-suppliers (3), ...
A party's services share its level, so a provider is drawn as one box with all
its services; a service whose provider is not a party of the chain stands on
its own. Read customer -> provider (a service of the provider serves the
customer) and provider -> supplier (a service of the provider depends on one
of the supplier), each party is one level past the deepest party before it
(longest path), so a supplier is never beside the provider it supplies; a
party that is not a customer is at least at level 1 (a customer that provides
a service stays in the first column with it), and the parties of a cycle share
a level.

A *rank* refines the levels for Graphviz (`usmctl graph --format dot`): a
``rank=same`` group per rank, in level order; inside a level, customer ->
service -> provider and service -> the service it depends on each point one
rank further (longest path again), so no edge of the graph is drawn backwards.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Placement:
    """A node's level (picture column) and rank (Graphviz group)."""

    level: int
    rank: int


def _longest(nodes: list[str], edges: set[tuple[str, str]], base: dict[str, int]) -> dict[str, int]:
    """Per node: the longest path to it (a cycle's nodes share a value), at
    least its ``base``."""
    import networkx as nx

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    condensed: nx.DiGraph[int] = nx.condensation(graph)
    mapping: dict[str, int] = condensed.graph["mapping"]
    floor: dict[int, int] = defaultdict(int)
    for node in nodes:
        floor[mapping[node]] = max(floor[mapping[node]], base.get(node, 0))
    value: dict[int, int] = {}
    for component in nx.lexicographical_topological_sort(condensed):
        before = [value[item] + 1 for item in condensed.predecessors(component)]
        value[component] = max([floor[component], *before])
    return {node: value[mapping[node]] for node in nodes}


def placements(graph: nx.MultiDiGraph[str]) -> dict[str, Placement]:
    """Every node of the supply chain's graph with its level and rank."""
    owner: dict[str, str] = {}  # service -> its provider's node
    for source, target, key in graph.edges(keys=True):
        if key == "provides":
            owner[target] = source
    nodes = sorted(graph.nodes)
    unit = {node: owner.get(node, node) for node in nodes}  # a party, or a service alone
    units = sorted(set(unit.values()))
    between: set[tuple[str, str]] = set()
    oriented: set[tuple[str, str]] = set()  # towards the suppliers
    for source, target, key in graph.edges(keys=True):
        if key == "depends_on":
            edge = (source, target)
            link = (unit[source], unit[target])
        else:  # provides: service -> provider; serves: customer -> service
            edge = (target, source)
            link = (unit[target], unit[source]) if key == "serves" else (target, target)
        oriented.add(edge)
        if link[0] != link[1]:
            between.add(link)
    # Customers stay in the first column; every other party (a provider
    # without services too) and a service on its own start at the second.
    base = {item: 1 for item in units if graph.nodes[item].get("role") != "customer"}
    level_of_unit = _longest(units, between, base)
    level = {node: level_of_unit[unit[node]] for node in nodes}
    inside = {(a, b) for a, b in oriented if level[a] == level[b]}
    sub = _longest(nodes, inside, {})
    depth: dict[int, int] = defaultdict(int)
    for node in nodes:
        depth[level[node]] = max(depth[level[node]], sub[node] + 1)
    offset: dict[int, int] = {}
    total = 0
    for value in sorted(depth):
        offset[value] = total
        total += depth[value]
    return {node: Placement(level[node], offset[level[node]] + sub[node]) for node in nodes}
