"""`proto depend`: add or remove workspace dependencies between packages, then relock."""

from __future__ import annotations

from dataclasses import dataclass

from seedbed.effects.transaction import changing
from seedbed.errors import InvalidInputError, ProtoError
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


def plan_depend(
    workspace: Workspace, consumer_name: str, provider_names: list[str], *, remove: bool
) -> DependPlan:
    """Resolve the names and check the rules; refuse before anything is written."""
    consumer = workspace.get(consumer_name)
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
    return DependPlan(workspace, consumer, tuple(change), tuple(unchanged), remove)


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
    if not plan.change:
        return
    from seedbed.effects import tomledit

    root = plan.workspace.root
    manifest = root / plan.consumer.manifest
    distributions = [p.distribution for p in plan.change]
    with changing(root) as transaction:
        document = tomledit.load(manifest)
        if plan.remove:
            tomledit.remove_workspace_dependencies(document, distributions)
        else:
            tomledit.add_workspace_dependencies(document, distributions)
        transaction.write_text(manifest, tomledit.dumps(document))
        transaction.relock()
