"""`proto graph`: the dependency graph as a text tree, Mermaid, Graphviz dot or JSON data."""

from __future__ import annotations

from typing import Any

from seedbed.model.graph import Graph
from seedbed.model.workspace import Workspace


def data(workspace: Workspace) -> dict[str, Any]:
    """The `--format json` data: nodes with their stage, and edges consumer -> provider."""
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
    return {"nodes": nodes, "edges": edges}


def drawing(workspace: Workspace, format: str) -> str:
    """The graph drawn as text: `text` (a tree), `mermaid` or `dot`."""
    draw = {"text": graph_text, "mermaid": graph_mermaid, "dot": graph_dot}[format]
    return draw(Graph.of(workspace))


def _node_id(name: str) -> str:
    return "pkg_" + name.replace("-", "_")


def graph_mermaid(graph: Graph) -> str:
    """A Mermaid flowchart (renders in GitHub markdown inside a ```mermaid block)."""
    lines = ["flowchart LR"]
    for name in sorted(graph.packages):
        lines.append(f'    {_node_id(name)}["{name}"]:::{graph.packages[name].stage}')
    for consumer in sorted(graph.edges):
        for provider in graph.dependencies(consumer):
            lines.append(f"    {_node_id(consumer)} --> {_node_id(provider)}")
    lines.append("    classDef seed fill:#f4fbe9,stroke:#6a9f3a,stroke-dasharray: 4 3")
    lines.append("    classDef core fill:#e8f0fb,stroke:#2f5f9e,stroke-width:2px")
    return "\n".join(lines) + "\n"


def graph_dot(graph: Graph) -> str:
    """A Graphviz digraph: seeds dashed, core solid."""
    lines = [
        "digraph workspace {",
        "    rankdir=LR;",
        '    node [shape=box, fontname="Helvetica"];',
    ]
    for name in sorted(graph.packages):
        style = "dashed" if graph.packages[name].stage == "seed" else "bold"
        lines.append(f'    "{name}" [style={style}];')
    for consumer in sorted(graph.edges):
        for provider in graph.dependencies(consumer):
            lines.append(f'    "{consumer}" -> "{provider}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def graph_text(graph: Graph) -> str:
    """A readable tree from the packages nothing depends on down to their providers."""
    if not graph.packages:
        return "(no packages yet: create one with `proto new NAME`)\n"
    roots = [name for name in sorted(graph.packages) if not graph.dependents(name)]
    roots = roots or sorted(graph.packages)  # everything is in a cycle
    lines: list[str] = []
    shown: set[str] = set()

    def label(name: str) -> str:
        return f"{name} ({graph.packages[name].stage})"

    def walk(name: str, prefix: str, trail: tuple[str, ...]) -> None:
        providers = graph.dependencies(name)
        for index, provider in enumerate(providers):
            last = index == len(providers) - 1
            branch = "└── " if last else "├── "
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
