"""The supply chain (USM's provider "link" recursion) as a networkx graph.

Nodes are parties (``profile:<id>``) and services (``service:<id>``). Edges:
``provides`` (provider -> service), ``serves`` (service -> customer) and
``depends_on`` (service -> the supplier service it uses). The rules, the
report and `usmctl graph` all read this one object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import networkx as nx

    from usmctl.model.architecture import Architecture


def profile_node(profile_id: str) -> str:
    """The node name of a party."""
    return f"profile:{profile_id}"


def service_node(service_id: str) -> str:
    """The node name of a service."""
    return f"service:{service_id}"


@dataclass
class SupplyChain:
    """A typed wrapper over the networkx graph of parties and services.

    Each graph is built when first read: the rules read the services'
    dependencies only (`cycles`, `too_deep`), never the whole ``graph``
    (at 10k services 16 MB of a validate run's peak).
    """

    arch: Architecture = field(repr=False)

    @classmethod
    def build(cls, arch: Architecture) -> SupplyChain:
        """The supply chain of ``arch``; its graphs are built when first read."""
        return cls(arch)

    @cached_property
    def graph(self) -> nx.MultiDiGraph[str]:
        """Parties, services and their edges; dangling references are skipped."""
        import networkx as nx

        arch = self.arch

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
        return graph

    @cached_property
    def _dependencies(self) -> dict[str, list[str]]:
        """Per service node, the service nodes it depends on (once each, in
        order), read from the services: what the rules walk (cycles, too deep),
        without the whole graph or networkx (at 10k services its import alone
        is 15 MB of a run's peak)."""
        nodes = {service.id: service_node(service.id) for service in self.arch.services}
        dependencies: dict[str, list[str]] = {node: [] for node in nodes.values()}
        for service in self.arch.services:
            following = dependencies[nodes[service.id]]
            for dependency in service.depends_on:
                target = nodes.get(dependency)
                if target is not None and target not in following:
                    following.append(target)
        return dependencies

    @cached_property
    def _chains(self) -> _Chains:
        return _longest_chains(self._dependencies, _strongly_connected(self._dependencies))

    def cycles(self) -> Iterator[list[str]]:
        """Each dependency cycle once, as service ids, smallest id first.

        One cycle per strongly connected component: the shortest cycle through
        its smallest service id (sorted successors keep it deterministic).
        """
        dependencies = self._dependencies
        for start, members in sorted(self._chains.cyclic, key=lambda item: item[0]):
            yield [
                node.removeprefix("service:")
                for node in _shortest_cycle(dependencies, start, members)
            ]

    def depth(self) -> dict[str, int]:
        """Per service: the length of its longest ``depends_on`` chain (acyclic part)."""
        longest = self._chains.longest
        components = _strongly_connected(self._dependencies)  # in the order the chains number
        return {
            node.removeprefix("service:"): longest[index]
            for index, nodes in enumerate(components)
            for node in nodes
        }

    def too_deep(self, limit: int) -> list[tuple[str, int]]:
        """Services whose chain is longer than ``limit`` and that no other such
        service depends on (the roots), with their depth; by service id.

        A cycle counts as one link (its services share a depth); a root cycle
        is named by its smallest service id.
        """
        chains = self._chains
        longest, following = chains.longest, chains.following
        over = {component for component, depth in enumerate(longest) if depth > limit}
        below = {child for component in over for child in following.get(component, ())}
        roots = [
            (chains.first[component].removeprefix("service:"), longest[component])
            for component in over
            if component not in below
        ]
        return sorted(roots)

    def node_data(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Nodes with their attributes, sorted by name."""
        for node in sorted(self.graph.nodes):
            yield node, dict(self.graph.nodes[node])


def _shortest_cycle(
    dependencies: dict[str, list[str]], start: str, component: set[str]
) -> list[str]:
    """The shortest path from ``start`` back to itself inside one component."""
    if start in dependencies[start]:
        return [start]
    parent: dict[str, str] = {start: start}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for successor in sorted(dependencies[node]):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parent[path[-1]])
                    return path[::-1]
                if successor in component and successor not in parent:
                    parent[successor] = node
                    following.append(successor)
        frontier = following
    return [start]  # unreachable for a strongly connected component


class _Chains(NamedTuple):
    """The dependency graph's strongly connected components (a cycle counts
    as one link) and the longest chain from each: what networkx's condensation
    gives, without a second graph of every service (at 10k services 9 MB)."""

    first: list[str]  # component -> its smallest service node (its name)
    following: dict[int, list[int]]  # component -> the others it depends on
    longest: list[int]  # component -> services on its longest chain
    cyclic: list[tuple[str, set[str]]]  # the components that are cycles: first, members


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` (node -> the nodes it
    links to, every one a key): Tarjan's algorithm, without recursion."""
    number: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root, links in graph.items():
        if root in number:
            continue
        number[root] = low[root] = len(number)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(links))]
        while work:
            node, rest = work[-1]
            for successor in rest:
                if successor not in number:
                    number[successor] = low[successor] = len(number)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], number[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == number[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    return found


def _longest_chains(dependencies: dict[str, list[str]], components: list[list[str]]) -> _Chains:
    """Per component of the dependency graph, the number of services on its
    longest chain (a cycle counts once)."""
    component: dict[str, int] = {}
    first: list[str] = []
    cyclic: list[tuple[str, set[str]]] = []
    for index, nodes in enumerate(components):
        smallest = min(nodes)
        first.append(smallest)
        if len(nodes) > 1 or smallest in dependencies[smallest]:
            cyclic.append((smallest, set(nodes)))
        for node in nodes:
            component[node] = index
    following: dict[int, list[int]] = {}
    for source, targets in dependencies.items():
        before = component[source]
        for target in targets:
            then = component[target]
            if before != then:
                links = following.setdefault(before, [])
                if then not in links:
                    links.append(then)
    longest = [0] * len(first)
    for start in range(len(first)):  # depth first, each component after those it depends on
        if longest[start]:
            continue
        stack = [(start, iter(following.get(start, ())))]
        while stack:
            current, rest = stack[-1]
            for child in rest:
                if not longest[child]:
                    stack.append((child, iter(following.get(child, ()))))
                    break
            else:
                stack.pop()
                after = following.get(current, ())
                longest[current] = 1 + max((longest[child] for child in after), default=0)
    return _Chains(first, following, longest, cyclic)
