"""The package graph: workspace dependencies, dependents, closures, order, cycles (pure, fast)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from seedbed.errors import ProtoError
from seedbed.names import normalize, requirement_name
from seedbed.workspace import Package, Workspace


class CycleError(ProtoError):
    """Workspace dependencies form a cycle."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(
            f"workspace dependencies form a cycle: {' -> '.join(cycle)}",
            "remove one of these dependencies with `proto depend CONSUMER PROVIDER --remove`",
        )
        self.cycle = cycle


_Step = Callable[[str], tuple[str, ...]]


@dataclass(frozen=True)
class Graph:
    """Packages by short name, and the workspace edges consumer -> providers."""

    packages: dict[str, Package]
    edges: dict[str, tuple[str, ...]]
    external: dict[str, tuple[str, ...]]
    reverse: dict[str, tuple[str, ...]]  # provider -> its direct dependents, sorted

    @classmethod
    def of(cls, workspace: Workspace) -> Graph:
        """Build the graph from the packages' declared requirements."""
        by_distribution = {normalize(p.distribution): p.short for p in workspace.packages}
        edges: dict[str, tuple[str, ...]] = {}
        external: dict[str, tuple[str, ...]] = {}
        for package in workspace.packages:
            internal: list[str] = []
            outside: list[str] = []
            for requirement in package.requirements:
                provider = by_distribution.get(requirement_name(requirement) or "")
                if provider is None:
                    outside.append(requirement)
                elif provider not in internal:
                    internal.append(provider)
            edges[package.short] = tuple(sorted(internal))
            external[package.short] = tuple(outside)
        packages = {p.short: p for p in workspace.packages}
        reverse: dict[str, list[str]] = {name: [] for name in packages}
        for consumer in sorted(edges):
            for provider in edges[consumer]:
                reverse[provider].append(consumer)
        return cls(packages, edges, external, {k: tuple(v) for k, v in reverse.items()})

    def dependencies(self, name: str) -> tuple[str, ...]:
        """Direct workspace dependencies (providers) of *name*, sorted."""
        return self.edges.get(name, ())

    def dependents(self, name: str) -> tuple[str, ...]:
        """Packages that declare a dependency on *name*, sorted."""
        return self.reverse.get(name, ())

    def closure(self, names: Iterable[str]) -> set[str]:
        """Everything *names* depend on, transitively (not including *names* themselves)."""
        return self._reach(names, self.dependencies)

    def dependents_closure(self, names: Iterable[str]) -> set[str]:
        """Everything that depends on *names*, transitively (not including *names*)."""
        return self._reach(names, self.dependents)

    @staticmethod
    def _reach(names: Iterable[str], step: _Step) -> set[str]:
        start = set(names)
        seen: set[str] = set()
        stack = [n for name in start for n in step(name)]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(step(current))
        return seen - start

    def path(self, source: str, target: str) -> list[str] | None:
        """A dependency path source -> ... -> target, or None."""
        parents: dict[str, str] = {}
        frontier = [source]
        seen = {source}
        while frontier:
            current = frontier.pop(0)
            if current == target:
                route = [current]
                while route[-1] != source:
                    route.append(parents[route[-1]])
                return route[::-1]
            for provider in self.dependencies(current):
                if provider not in seen:
                    seen.add(provider)
                    parents[provider] = current
                    frontier.append(provider)
        return None

    def find_cycle(self) -> list[str] | None:
        """One dependency cycle as [a, b, ..., a], or None (iterative DFS)."""
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done
        for start in sorted(self.edges):
            if state.get(start):
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            trail: list[str] = []
            while stack:
                node, index = stack.pop()
                if index == 0:
                    state[node] = 1
                    trail.append(node)
                providers = self.dependencies(node)
                if index < len(providers):
                    stack.append((node, index + 1))
                    nxt = providers[index]
                    if state.get(nxt) == 1:
                        return [*trail[trail.index(nxt) :], nxt]
                    if not state.get(nxt):
                        stack.append((nxt, 0))
                else:
                    state[node] = 2
                    trail.pop()
        return None

    def order(self, names: Iterable[str] | None = None) -> list[str]:
        """*names* (default: all) with providers before consumers; ties broken by name."""
        wanted = set(self.packages if names is None else names)
        cycle = self.find_cycle()
        if cycle is not None and wanted & set(cycle):
            raise CycleError(cycle)
        done: set[str] = set()
        ordered: list[str] = []
        remaining = sorted(wanted)
        while remaining:
            ready = [n for n in remaining if not (set(self.dependencies(n)) & wanted) - done]
            if not ready:  # only possible through a cycle outside the checked part
                raise CycleError(self.find_cycle() or remaining)
            ordered.extend(ready)
            done.update(ready)
            remaining = [n for n in remaining if n not in done]
        return ordered
