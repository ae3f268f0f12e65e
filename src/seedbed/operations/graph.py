"""`proto graph`: the dependency graph as a text tree, Mermaid, Graphviz dot or JSON data."""

from __future__ import annotations

from typing import Any

from seedbed.model.graph import Graph
from seedbed.model.workspace import Workspace


def missing_names(workspace: Workspace, graph: Graph) -> dict[str, list[str]]:
    """consumer -> the workspace packages it declares that do not exist, by short name (the
    distribution without the scope's prefix)."""
    return {
        consumer: [workspace.scope.short_name(name) for name in names]
        for consumer, names in graph.missing.items()
    }


def data(workspace: Workspace) -> dict[str, Any]:
    """The `--format json` data: nodes with their stage, edges consumer -> provider, and
    edges to packages that are not in the workspace (`missing`)."""
    graph = Graph.of(workspace)
    nodes = [
        {
            "name": p.short,
            "distribution": p.distribution,
            "stage": p.stage,
            "path": p.path.as_posix(),
        }
        for p in sorted(workspace.packages, key=lambda p: p.short)
    ]
    edges = [
        {"from": consumer, "to": provider}
        for consumer in sorted(graph.edges)
        for provider in graph.dependencies(consumer)
    ]
    missing = [
        {"from": consumer, "to": workspace.scope.short_name(name), "distribution": name}
        for consumer in sorted(graph.missing)
        for name in graph.missing[consumer]
    ]
    return {"nodes": nodes, "edges": edges, "missing": missing}


def drawing(workspace: Workspace, format: str) -> str:
    """The graph drawn as text: `text` (a tree), `mermaid` or `dot`."""
    draw = {"text": graph_text, "mermaid": graph_mermaid, "dot": graph_dot}[format]
    graph = Graph.of(workspace)
    return draw(graph, missing_names(workspace, graph))


def _node_id(name: str) -> str:
    return "pkg_" + name.replace("-", "_")


def _gone(missing: dict[str, list[str]] | None) -> list[str]:
    return sorted({name for names in (missing or {}).values() for name in names})


def graph_mermaid(graph: Graph, missing: dict[str, list[str]] | None = None) -> str:
    """A Mermaid flowchart (renders in GitHub markdown inside a ```mermaid block); a
    dependency on a package that is not in the workspace points at a red `(missing)` node."""
    lines = ["flowchart LR"]
    for name in sorted(graph.packages):
        lines.append(f'    {_node_id(name)}["{name}"]:::{graph.packages[name].stage}')
    for name in _gone(missing):
        lines.append(f'    missing_{_node_id(name)}["{name} (missing)"]:::missing')
    for consumer in sorted(graph.edges):
        for provider in graph.dependencies(consumer):
            lines.append(f"    {_node_id(consumer)} --> {_node_id(provider)}")
        for name in (missing or {}).get(consumer, []):
            lines.append(f"    {_node_id(consumer)} -.-> missing_{_node_id(name)}")
    lines.append("    classDef seed fill:#f4fbe9,stroke:#6a9f3a,stroke-dasharray: 4 3")
    lines.append("    classDef core fill:#e8f0fb,stroke:#2f5f9e,stroke-width:2px")
    if missing:
        lines.append("    classDef missing fill:#fdecea,stroke:#b3261e,stroke-dasharray: 2 2")
    return "\n".join(lines) + "\n"


def graph_dot(graph: Graph, missing: dict[str, list[str]] | None = None) -> str:
    """A Graphviz digraph: seeds dashed, core solid, missing packages dotted and red."""
    lines = [
        "digraph workspace {",
        "    rankdir=LR;",
        '    node [shape=box, fontname="Helvetica"];',
    ]
    for name in sorted(graph.packages):
        style = "dashed" if graph.packages[name].stage == "seed" else "bold"
        lines.append(f'    "{name}" [style={style}];')
    for name in _gone(missing):
        lines.append(f'    "{name} (missing)" [style=dotted, color=red];')
    for consumer in sorted(graph.edges):
        for provider in graph.dependencies(consumer):
            lines.append(f'    "{consumer}" -> "{provider}";')
        for name in (missing or {}).get(consumer, []):
            lines.append(f'    "{consumer}" -> "{name} (missing)" [style=dotted, color=red];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_text(graph: Graph, missing: dict[str, list[str]] | None = None) -> str:
    """A readable tree from the packages nothing depends on down to their providers; a
    package that is not in the workspace shows as `NAME (missing)`."""
    if not graph.packages:
        return "(no packages yet: create one with `proto new NAME`)\n"
    roots = [name for name in sorted(graph.packages) if not graph.dependents(name)]
    roots = roots or sorted(graph.packages)  # everything is in a cycle
    lines: list[str] = []
    shown: set[str] = set()

    def label(name: str) -> str:
        return f"{name} ({graph.packages[name].stage})"

    def walk(name: str, prefix: str, trail: tuple[str, ...]) -> None:
        gone = (missing or {}).get(name, [])
        providers = graph.dependencies(name)
        for index, provider in enumerate((*providers, *gone)):
            last = index == len(providers) + len(gone) - 1
            branch = "└── " if last else "├── "
            if index >= len(providers):
                lines.append(f"{prefix}{branch}{provider} (missing)")
                continue
            if provider in trail:
                lines.append(f"{prefix}{branch}{label(provider)} (cycle)")
                continue
            repeat = provider in shown and graph.dependencies(provider)
            lines.append(f"{prefix}{branch}{label(provider)}{' (see above)' if repeat else ''}")
            if not repeat:
                shown.add(provider)
                walk(provider, prefix + ("    " if last else "│   "), (*trail, provider))

    for root in roots:
        lines.append(label(root))
        shown.add(root)
        walk(root, "", (root,))
    for name in sorted(graph.packages):  # cycles that nothing outside them depends on
        if name not in shown:
            lines.append(label(name))
            shown.add(name)
            walk(name, "", (name,))
    return "\n".join(lines) + "\n"
