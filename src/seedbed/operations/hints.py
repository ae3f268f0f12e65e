"""Commands suggested to the user, shared by the operations that suggest them."""

from __future__ import annotations

from seedbed.model.graph import Graph


def graduate_command(graph: Graph, names: list[str], extra: tuple[str, ...] = ()) -> str:
    """The `proto graduate` command that will be accepted for these seeds as they stand."""
    flags = list(extra)
    wanted = set(names)
    if any(not graph.dependents(name) for name in names) and "--force" not in flags:
        flags.append("--force")
    seeds_below = [n for n in graph.closure(wanted) if graph.packages[n].stage == "seed"]
    if seeds_below and "--with-deps" not in flags:
        flags.append("--with-deps")
    return " ".join(["proto graduate", *names, *flags])
