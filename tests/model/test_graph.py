"""The supply chain's dependency queries: cycles, depth and the chains too deep
agree with networkx's condensation of the same dependency graph."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import networkx as nx
import pytest

from usmctl.model.graph import SupplyChain


def _chain(depends: dict[str, list[str]]) -> SupplyChain:
    services = [SimpleNamespace(id=name, depends_on=on) for name, on in depends.items()]
    return SupplyChain.build(SimpleNamespace(services=services, profiles=[]))  # type: ignore[arg-type]


def _expected(depends: dict[str, list[str]], limit: int) -> tuple[dict[str, int], list[Any]]:
    """Depth and roots too deep, by networkx's condensation."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(depends)
    graph.add_edges_from((name, on) for name, ons in depends.items() for on in ons if on in depends)
    condensed = nx.condensation(graph)
    longest: dict[int, int] = {}
    for component in reversed(list(nx.topological_sort(condensed))):
        longest[component] = 1 + max(
            (longest[s] for s in condensed.successors(component)), default=0
        )
    mapping = condensed.graph["mapping"]
    over = {component for component, depth in longest.items() if depth > limit}
    roots = sorted(
        (min(condensed.nodes[component]["members"]), longest[component])
        for component in over
        if not any(parent in over for parent in condensed.predecessors(component))
    )
    return {name: longest[mapping[name]] for name in depends}, roots


@pytest.mark.parametrize("seed", range(100))
def test_depth_and_the_chains_too_deep_match_the_condensation(seed: int) -> None:
    rng = random.Random(seed)
    names = [f"s{index:02d}" for index in range(rng.randint(1, 40))]
    depends = {
        name: rng.sample([*names, "missing"], rng.randint(0, min(3, len(names) + 1)))
        if rng.random() < 0.7
        else []
        for name in names
    }
    chain = _chain(depends)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(depends)
    graph.add_edges_from((name, on) for name, ons in depends.items() for on in ons if on in depends)
    cyclic = sorted(
        min(component)
        for component in nx.strongly_connected_components(graph)
        if len(component) > 1 or graph.has_edge(*[min(component)] * 2)
    )
    assert [cycle[0] for cycle in chain.cycles()] == cyclic
    for limit in (1, 2, 3, 5):
        depth, roots = _expected(depends, limit)
        assert chain.depth() == depth
        assert chain.too_deep(limit) == [(name, n) for name, n in roots]


def test_a_cycle_counts_as_one_link() -> None:
    chain = _chain({"a": ["b"], "b": ["c"], "c": ["b", "d"], "d": [], "e": ["a"]})
    assert chain.depth() == {"a": 3, "b": 2, "c": 2, "d": 1, "e": 4}
    assert chain.too_deep(2) == [("e", 4)]
    assert list(chain.cycles()) == [["b", "c"]]
