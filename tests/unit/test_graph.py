"""The graph model: edges from requirements, closures, order, cycles (unit and property tests)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seedbed.model.graph import CycleError, Graph
from seedbed.model.names import Scope
from seedbed.model.workspace import Package, Workspace
from seedbed.operations import graph as drawings
from seedbed.operations.list import package_records


def make(edges: dict[str, list[str]], core: tuple[str, ...] = (), external=()) -> Workspace:
    packages = tuple(
        Package(
            short=name,
            stage="core" if name in core else "seed",
            path=Path("core" if name in core else "seeds") / name,
            distribution=f"acme-{name}",
            version="0.1.0",
            requirements=tuple(f"ACME_{p}>=0.1" for p in providers) + tuple(external),
        )
        for name, providers in sorted(edges.items())
    )
    return Workspace(Path("/ws"), Scope("acme"), packages)


def test_edges_come_from_requirements_and_the_rest_is_external() -> None:
    graph = Graph.of(make({"a": [], "b": ["a"], "c": ["a", "b"]}, external=["requests>=2"]))
    assert graph.dependencies("c") == ("a", "b")
    assert graph.dependents("a") == ("b", "c")
    assert graph.external["a"] == ("requests>=2",)
    assert graph.closure(["c"]) == {"a", "b"}
    assert graph.dependents_closure(["a"]) == {"b", "c"}
    assert graph.order() == ["a", "b", "c"]
    assert graph.order(["c", "a"]) == ["a", "c"]
    assert graph.find_cycle() is None


def test_a_cycle_is_named() -> None:
    graph = Graph.of(make({"a": ["c"], "b": ["a"], "c": ["b"], "d": []}))
    cycle = graph.find_cycle()
    assert cycle is not None
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == ["a", "b", "c"]
    with pytest.raises(CycleError, match="a cycle"):
        graph.order()
    assert graph.order(["d"]) == ["d"]


def test_the_text_tree_shows_every_package_even_in_a_closed_cycle() -> None:
    graph = Graph.of(make({"a": ["b"], "b": ["a"], "c": []}))
    text = drawings.graph_text(graph)
    assert text == "c (seed)\na (seed)\n└── b (seed)\n    └── a (seed) (cycle)\n"


def test_path_between_packages() -> None:
    graph = Graph.of(make({"a": [], "b": ["a"], "c": ["b"]}))
    assert graph.path("c", "a") == ["c", "b", "a"]
    assert graph.path("a", "c") is None


dags = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.lists(
        st.lists(st.integers(min_value=0, max_value=n - 1), max_size=4), min_size=n, max_size=n
    )
)


def names(count: int) -> list[str]:
    return [f"p{index:02d}" for index in range(count)]


@given(dags)
def test_order_puts_providers_first(raw: list[list[int]]) -> None:
    labels = names(len(raw))
    # only edges to lower indexes: always acyclic
    edges = {labels[i]: sorted({labels[j] for j in deps if j < i}) for i, deps in enumerate(raw)}
    graph = Graph.of(make(edges))
    order = graph.order()
    assert sorted(order) == sorted(labels)
    position = {name: index for index, name in enumerate(order)}
    for consumer, providers in edges.items():
        for provider in providers:
            assert position[provider] < position[consumer]
            assert provider in graph.closure([consumer])
            assert consumer in graph.dependents_closure([provider])


@given(dags)
def test_any_reported_cycle_is_real_and_none_means_orderable(raw: list[list[int]]) -> None:
    labels = names(len(raw))
    edges = {labels[i]: sorted({labels[j] for j in deps if j != i}) for i, deps in enumerate(raw)}
    graph = Graph.of(make(edges))
    cycle = graph.find_cycle()
    if cycle is None:
        assert sorted(graph.order()) == sorted(labels)
    else:
        assert cycle[0] == cycle[-1]
        for consumer, provider in itertools.pairwise(cycle):
            assert provider in edges[consumer]
        with pytest.raises(CycleError):
            graph.order()


def test_list_records_and_graph_formats() -> None:
    workspace = make({"a": [], "b": ["a"], "web": ["b"]}, core=("a",))
    graph = Graph.of(workspace)
    records = package_records(workspace, graph)
    assert [r["name"] for r in records] == ["a", "b", "web"]
    b = records[1]
    assert b == {
        "name": "b",
        "distribution": "acme-b",
        "import_name": "acme.b",
        "stage": "seed",
        "path": "seeds/b",
        "version": "0.1.0",
        "dependencies": ["a"],
        "dependents": ["web"],
        "external_dependencies": [],
        "missing_dependencies": [],
        "ready_to_graduate": True,
    }
    assert records[0]["ready_to_graduate"] is False  # core
    assert records[2]["ready_to_graduate"] is False  # nothing depends on it
    assert drawings.graph_text(graph) == "web (seed)\n└── b (seed)\n    └── a (core)\n"
    mermaid = drawings.graph_mermaid(graph)
    assert mermaid.startswith("flowchart LR\n")
    assert "    pkg_web --> pkg_b\n" in mermaid
    assert 'pkg_a["a"]:::core' in mermaid
    dot = drawings.graph_dot(graph)
    assert '"b" -> "a";' in dot
    assert '"a" [style=bold];' in dot
    assert dot.rstrip().endswith("}")


def test_order_with_cycles_keeps_dependency_order_outside_them() -> None:
    # z -> y -> (b <-> c) -> a, and a lone chain m -> l; names chosen so that sorting by name
    # alone would be wrong everywhere
    graph = Graph.of(make({"a": [], "b": ["a", "c"], "c": ["b"], "y": ["b"], "z": ["y"],
                           "l": [], "m": ["l"]}))  # fmt: skip
    with pytest.raises(CycleError):
        graph.order()
    assert graph.order(cycles=True) == ["a", "l", "b", "c", "m", "y", "z"]
    assert graph.order(["z", "y", "a"], cycles=True) == ["a", "y", "z"]


@given(dags)
def test_order_with_cycles_puts_providers_first_outside_cycles(raw: list[list[int]]) -> None:
    labels = names(len(raw))
    edges = {labels[i]: sorted({labels[j] for j in deps if j != i}) for i, deps in enumerate(raw)}
    graph = Graph.of(make(edges))
    order = graph.order(cycles=True)
    assert sorted(order) == sorted(labels)
    position = {name: index for index, name in enumerate(order)}
    for consumer, providers in edges.items():
        for provider in providers:
            if consumer not in graph.closure([provider]):  # not in a cycle together
                assert position[provider] < position[consumer]
    if graph.find_cycle() is None:
        assert order == graph.order()
