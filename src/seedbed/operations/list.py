"""`proto list`: every package with its stage, version, edges and readiness to graduate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seedbed.model.graph import Graph
from seedbed.model.workspace import Workspace
from seedbed.operations.hints import graduate_command


@dataclass(frozen=True)
class Listing:
    """The records `proto list` shows, the seeds ready to graduate, and the command that
    graduates the first of them."""

    records: list[dict[str, Any]]
    ready: list[str]
    graduate_hint: str | None


def plan_list(workspace: Workspace, stage: str | None = None) -> Listing:
    """The packages (of *stage*, or all), sorted by name."""
    graph = Graph.of(workspace)
    records = [r for r in package_records(workspace, graph) if stage in (None, r["stage"])]
    ready = [r["name"] for r in records if r["ready_to_graduate"]]
    return Listing(records, ready, graduate_command(graph, ready[:1]) if ready else None)


def package_records(workspace: Workspace, graph: Graph) -> list[dict[str, Any]]:
    """One JSON-ready record per package, sorted by name (the `proto list --json` schema)."""
    records = []
    for package in sorted(workspace.packages, key=lambda p: p.short):
        dependents = graph.dependents(package.short)
        records.append(
            {
                "name": package.short,
                "distribution": package.distribution,
                "import_name": workspace.scope.import_name(package.short),
                "stage": package.stage,
                "path": package.path.as_posix(),
                "version": package.version,
                "dependencies": list(graph.dependencies(package.short)),
                "dependents": list(dependents),
                "external_dependencies": list(graph.external.get(package.short, ())),
                "missing_dependencies": [
                    workspace.scope.short_name(name)
                    for name in graph.missing.get(package.short, ())
                ],
                "ready_to_graduate": package.stage == "seed" and bool(dependents),
            }
        )
    return records
