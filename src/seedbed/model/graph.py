"""The package graph: workspace dependencies, dependents, closures, order, cycles (pure, fast).

One walk (`reach`) serves every closure, here and over uv.lock; one algorithm (Tarjan's strongly
connected components) finds every cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from seedbed.errors import ProtoError
from seedbed.model.names import normalize, requirement_name
from seedbed.model.workspace import Package, Workspace


class CycleError(ProtoError):
    """Workspace dependencies form a cycle."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(
            f"workspace dependencies form a cycle: {' -> '.join(cycle)}",
            "remove one of these dependencies with `proto depend CONSUMER PROVIDER --remove`",
        )
        self.cycle = cycle


def reach(start: Iterable[str], step: Callable[[str], Iterable[str]]) -> set[str]:
    """Every node reachable from *start* in one or more steps (a start node only through a
    cycle back to it)."""
    seen: set[str] = set()
    stack = [nxt for node in start for nxt in step(node)]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(step(current))
    return seen


def is_sibling(workspace: Workspace, package: Package, name: str) -> bool:
    """Whether the requirement name *name* (normalised) in *package* means a workspace
    package: it carries the scope's prefix, or its source is `{ workspace = true }`."""
    if name.startswith(normalize(workspace.scope.name) + "-"):
        return True
    source = next((v for k, v in package.sources.items() if normalize(k) == name), None)
    return isinstance(source, dict) and source.get("workspace") is True


def missing(
    workspace: Workspace, package: Package, *, groups: bool = True
) -> list[tuple[str, str]]:
    """The workspace packages *package* declares (in its dependencies and, with *groups*, its
    dependency groups) that are not in the workspace: (normalised name, requirement)."""
    present = workspace.distributions
    found: dict[str, str] = {}
    requirements = (*package.requirements, *(package.group_requirements if groups else ()))
    for requirement in requirements:
        name = requirement_name(requirement)
        if name and name not in present and is_sibling(workspace, package, name):
            found.setdefault(name, requirement)
    return sorted(found.items())


@dataclass(frozen=True)
class Graph:
    """Packages by short name, and the workspace edges consumer -> providers."""

    packages: dict[str, Package]
    edges: dict[str, tuple[str, ...]]
    external: dict[str, tuple[str, ...]]
    reverse: dict[str, tuple[str, ...]]  # provider -> its direct dependents, sorted
    # consumer -> workspace packages it declares that do not exist (normalised distributions)
    missing: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, workspace: Workspace) -> Graph:
        """Build the graph from the packages' declared requirements."""
        by_distribution = {normalize(p.distribution): p.short for p in workspace.packages}
        edges: dict[str, tuple[str, ...]] = {}
        external: dict[str, tuple[str, ...]] = {}
        gone: dict[str, tuple[str, ...]] = {}
        for package in workspace.packages:
            internal: list[str] = []
            outside: list[str] = []
            dangling: list[str] = []
            for requirement in package.requirements:
                name = requirement_name(requirement) or ""
                provider = by_distribution.get(name)
                if provider is not None:
                    if provider not in internal:
                        internal.append(provider)
                elif name and is_sibling(workspace, package, name):
                    if name not in dangling:
                        dangling.append(name)
                else:
                    outside.append(requirement)
            edges[package.short] = tuple(sorted(internal))
            external[package.short] = tuple(outside)
            if dangling:
                gone[package.short] = tuple(sorted(dangling))
        packages = {p.short: p for p in workspace.packages}
        reverse: dict[str, list[str]] = {name: [] for name in packages}
        for consumer in sorted(edges):
            for provider in edges[consumer]:
                reverse[provider].append(consumer)
        return cls(packages, edges, external, {k: tuple(v) for k, v in reverse.items()}, gone)

    def dependencies(self, name: str) -> tuple[str, ...]:
        """Direct workspace dependencies (providers) of *name*, sorted."""
        return self.edges.get(name, ())

    def dependents(self, name: str) -> tuple[str, ...]:
        """Packages that declare a dependency on *name*, sorted."""
        return self.reverse.get(name, ())

    def closure(self, names: Iterable[str]) -> set[str]:
        """Everything *names* depend on, transitively (not including *names* themselves)."""
        start = set(names)
        return reach(start, self.dependencies) - start

    def dependents_closure(self, names: Iterable[str]) -> set[str]:
        """Everything that depends on *names*, transitively (not including *names*)."""
        start = set(names)
        return reach(start, self.dependents) - start

    def path(self, source: str, target: str) -> list[str] | None:
        """A shortest dependency path source -> ... -> target, or None."""
        parents: dict[str, str] = {}
        frontier = [source]
        seen = {source}
        while frontier:
            following: list[str] = []
            for current in frontier:
                if current == target:
                    route = [current]
                    while route[-1] != source:
                        route.append(parents[route[-1]])
                    return route[::-1]
                for provider in self.dependencies(current):
                    if provider not in seen:
                        seen.add(provider)
                        parents[provider] = current
                        following.append(provider)
            frontier = following
        return None

    @cached_property
    def components(self) -> list[set[str]]:
        """Strongly connected components of the whole graph, providers first."""
        return strongly_connected(sorted(self.packages), self.dependencies)

    def cycles(self) -> list[list[str]]:
        """One cycle `[a, b, ..., a]` per group of packages that depend on each other in a
        circle, each starting at the group's first name; sorted."""
        found = []
        for component in self.components:
            first = min(component)
            if len(component) == 1 and first not in self.dependencies(first):
                continue
            provider = min(p for p in self.dependencies(first) if p in component)
            found.append([first, *(self.path(provider, first) or [first])])
        return sorted(found)

    def find_cycle(self) -> list[str] | None:
        """One dependency cycle as [a, b, ..., a], or None."""
        cycles = self.cycles()
        return cycles[0] if cycles else None

    def order(self, names: Iterable[str] | None = None, *, cycles: bool = False) -> list[str]:
        """*names* (default: all) with providers before consumers, level by level, each level
        sorted by name. A cycle through any of *names* is a CycleError; with *cycles*, the
        packages of each cycle are placed together (sorted by name), still after everything
        they depend on and before everything that depends on them."""
        wanted = set(self.packages if names is None else names)
        if not cycles:
            for cycle in self.cycles():
                if wanted & set(cycle):
                    raise CycleError(cycle)

        def inside(name: str) -> list[str]:
            return [p for p in self.dependencies(name) if p in wanted]

        # The graph of *wanted* with each cycle shrunk to one group: acyclic, so it orders.
        groups = strongly_connected(sorted(wanted), inside)
        group_of = {member: index for index, group in enumerate(groups) for member in group}
        providers = [
            {group_of[p] for member in group for p in inside(member)} - {index}
            for index, group in enumerate(groups)
        ]
        consumers: dict[int, list[int]] = {index: [] for index in range(len(groups))}
        for index, needed in enumerate(providers):
            for provider in needed:
                consumers[provider].append(index)
        waiting = [len(needed) for needed in providers]
        level = [index for index, count in enumerate(waiting) if count == 0]
        ordered: list[str] = []
        while level:
            ordered.extend(sorted(member for index in level for member in groups[index]))
            following = []
            for provider in level:
                for consumer in consumers[provider]:
                    waiting[consumer] -= 1
                    if waiting[consumer] == 0:
                        following.append(consumer)
            level = following
        return ordered


def strongly_connected(nodes: list[str], step: Callable[[str], Iterable[str]]) -> list[set[str]]:
    """Strongly connected components of the graph *step* draws over *nodes* (Tarjan's
    algorithm, iterative), each after the components it reaches: providers first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    successors: dict[str, list[str]] = {}
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
                successors[node] = list(step(node))
            following = successors[node]
            if child < len(following):
                work.append((node, child + 1))
                nxt = following[child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components
