"""The supply chain (USM's provider "link" recursion) as a networkx graph.

Nodes are parties (``profile:<id>``) and services (``service:<id>``). Edges:
``provides`` (provider -> service), ``serves`` (service -> customer) and
``depends_on`` (service -> the supplier service it uses). The rules, the
report and `usmctl graph` all read this one object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

    from usmctl.architecture import Architecture


def profile_node(profile_id: str) -> str:
    """The node name of a party."""
    return f"profile:{profile_id}"


def service_node(service_id: str) -> str:
    """The node name of a service."""
    return f"service:{service_id}"


@dataclass
class SupplyChain:
    """A typed wrapper over the networkx graph of parties and services."""

    graph: nx.MultiDiGraph[str]

    @classmethod
    def build(cls, arch: Architecture) -> SupplyChain:
        """Parties, services and their edges; dangling references are skipped."""
        import networkx as nx

        graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        for profile in arch.profiles:
            if profile.kind == "operator":
                continue
            graph.add_node(
                profile_node(profile.id),
                kind="party",
                role=profile.kind,
                label=profile.name or profile.id,
                entity=profile.id,
                external=profile.external,
            )
        services = {service.id for service in arch.services}
        for service in arch.services:
            node = service_node(service.id)
            graph.add_node(
                node, kind="service", role="service", label=service.name or service.id,
                entity=service.id, external=False,
            )  # fmt: skip
            provider = profile_node(service.provider)
            if provider in graph:
                graph.add_edge(provider, node, key="provides", relation="provides")
            for customer in service.customers:
                target = profile_node(customer)
                if target in graph:
                    graph.add_edge(node, target, key="serves", relation="serves")
            for dependency in service.depends_on:
                if dependency in services:
                    graph.add_edge(
                        node, service_node(dependency), key="depends_on", relation="depends_on"
                    )
        return cls(graph)

    def dependency_graph(self) -> nx.DiGraph[str]:
        """Services only, with ``depends_on`` edges."""
        import networkx as nx

        dependencies: nx.DiGraph[str] = nx.DiGraph()
        for node, data in self.graph.nodes(data=True):
            if data["kind"] == "service":
                dependencies.add_node(node)
        for source, target, key in self.graph.edges(keys=True):
            if key == "depends_on":
                dependencies.add_edge(source, target)
        return dependencies

    def cycles(self) -> Iterator[list[str]]:
        """Each dependency cycle once, as service ids, smallest id first."""
        import networkx as nx

        dependencies = self.dependency_graph()
        for component in nx.strongly_connected_components(dependencies):
            members = sorted(component)
            if len(members) == 1 and not dependencies.has_edge(members[0], members[0]):
                continue
            subgraph = dependencies.subgraph(members)
            cycle = nx.find_cycle(subgraph, source=members[0])
            yield [edge[0].removeprefix("service:") for edge in cycle]

    def depth(self) -> dict[str, int]:
        """Per service: the length of its longest ``depends_on`` chain (acyclic part)."""
        import networkx as nx

        dependencies = self.dependency_graph()
        condensed = nx.condensation(dependencies)
        longest: dict[int, int] = {}
        for component in reversed(list(nx.topological_sort(condensed))):
            successors = list(condensed.successors(component))
            longest[component] = 1 + max((longest[s] for s in successors), default=0)
        mapping = condensed.graph["mapping"]
        return {node.removeprefix("service:"): longest[mapping[node]] for node in dependencies}

    def layers(self) -> dict[str, int]:
        """A layer per node for drawing: customers 0, providers and services deeper."""
        depth = self.depth()
        layer: dict[str, int] = {}
        max_depth = max(depth.values(), default=1)
        for node, data in self.graph.nodes(data=True):
            if data["kind"] == "service":
                layer[node] = 1 + 2 * (max_depth - depth[data["entity"]])
        for node, data in self.graph.nodes(data=True):
            if data["kind"] != "party":
                continue
            provided = [layer[target] for _, target in self.graph.out_edges(node)]
            if provided:
                layer[node] = max(provided) + 1
            else:
                layer[node] = 0
        return layer

    def node_data(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Nodes with their attributes, sorted by name."""
        for node in sorted(self.graph.nodes):
            yield node, dict(self.graph.nodes[node])
