"""`proto depend`: add or remove workspace dependencies between packages, then relock."""

from __future__ import annotations

from dataclasses import dataclass

from seedbed.effects.transaction import changing
from seedbed.errors import InvalidInputError, ProtoError
from seedbed.model import graph as graph_model
from seedbed.model.graph import Graph
from seedbed.model.names import normalize
from seedbed.model.workspace import Package, Workspace
from seedbed.operations.hints import graduate_command


@dataclass(frozen=True)
class DependPlan:
    """Which providers change for one consumer, and which are already as asked."""

    workspace: Workspace
    consumer: Package
    change: tuple[Package, ...]
    unchanged: tuple[Package, ...]
    remove: bool
    missing: tuple[str, ...] = ()  # with remove: declared distributions that no longer exist

    @property
    def names(self) -> list[str]:
        """The short names of the providers that change (a missing one by the name given)."""
        scope = self.workspace.scope
        return [p.short for p in self.change] + [scope.short_name(m) for m in self.missing]


def plan_depend(
    workspace: Workspace, consumer_name: str, provider_names: list[str], *, remove: bool
) -> DependPlan:
    """Resolve the names and check the rules; refuse before anything is written."""
    consumer = workspace.get(consumer_name)
    missing: list[str] = []
    if remove:  # a package that no longer exists can still be taken out
        gone = {name for name, _ in graph_model.missing(workspace, consumer)}
        kept = []
        for name in provider_names:
            wanted = {normalize(name), normalize(workspace.scope.distribution(name))}
            found = sorted(wanted & gone)
            if found and workspace.find(name) is None:
                missing += [distribution for distribution in found if distribution not in missing]
            else:
                kept.append(name)
        provider_names = kept
        _refuse_shared_gone(workspace, consumer, missing)
    providers = workspace.resolve(provider_names)
    if consumer in providers:
        raise InvalidInputError(
            f"'{consumer.short}' cannot depend on itself",
            "name the other packages it uses; `proto list` shows them all",
        )
    graph = Graph.of(workspace)
    declared = set(graph.dependencies(consumer.short))
    sources = {normalize(key): value for key, value in consumer.sources.items()}

    def needs_change(provider: Package) -> bool:
        if remove:
            return provider.short in declared
        source = sources.get(normalize(provider.distribution))
        has_source = isinstance(source, dict) and source.get("workspace") is True
        return provider.short not in declared or not has_source  # a missing source is repaired

    change = [p for p in providers if needs_change(p)]
    unchanged = [p for p in providers if p not in change]
    if not remove:
        for provider in change:
            _check_edge(graph, consumer, provider)
    return DependPlan(workspace, consumer, tuple(change), tuple(unchanged), remove, tuple(missing))


def _refuse_shared_gone(workspace: Workspace, consumer: Package, missing: list[str]) -> None:
    """uv locks only once no package declares a package that is gone: refuse to relock while
    another package still declares one of *missing* (check --fix takes it out of all)."""
    others = sorted(
        package.short
        for package in workspace.packages
        if package != consumer
        and any(name in missing for name, _ in graph_model.missing(workspace, package))
    )
    if others:
        raise ProtoError(
            f"{', '.join(repr(name) for name in others)} also "
            f"depend{'s' if len(others) == 1 else ''} on {', '.join(missing)}, which is not in "
            "the workspace, and uv cannot lock until no package does",
            "take it out of every package at once: `proto check --fix`",
        )


def _check_edge(graph: Graph, consumer: Package, provider: Package) -> None:
    if consumer.stage == "core" and provider.stage == "seed":
        raise ProtoError(
            f"core package '{consumer.short}' cannot depend on the seed '{provider.short}': "
            "a core package never depends on a seed",
            f"graduate it first: `{graduate_command(graph, [provider.short])}`",
        )
    back = graph.path(provider.short, consumer.short)
    if back is not None:
        cycle = " -> ".join([consumer.short, *back])
        raise ProtoError(
            f"'{consumer.short}' cannot depend on '{provider.short}': it would make a cycle "
            f"({cycle})",
            "move the shared code into a package both can depend on",
        )


def apply(plan: DependPlan) -> None:
    """Edit the consumer's manifest (comments kept) and relock; undo both on any failure."""
    if not plan.change and not plan.missing:
        return
    from seedbed.effects import tomledit

    root = plan.workspace.root
    manifest = root / plan.consumer.manifest
    distributions = [p.distribution for p in plan.change]
    with changing(root) as transaction:
        document = tomledit.load(manifest)
        if plan.remove:
            tomledit.remove_workspace_dependencies(document, distributions)
            if plan.missing:  # gone for good: out of every list it is in
                tomledit.remove_workspace_dependencies(
                    document, list(plan.missing), everywhere=True
                )
        else:
            tomledit.add_workspace_dependencies(document, distributions)
        transaction.write_text(manifest, tomledit.dumps(document))
        transaction.relock()
