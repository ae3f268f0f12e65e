"""`proto graph`: the dependency graph in a chosen format."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from seedbed.cli.output import echo_json


class GraphFormat(StrEnum):
    """Output formats of `proto graph`."""

    text = "text"
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


def command(
    format: Annotated[GraphFormat, typer.Option("--format", help="Output format.")] = (
        GraphFormat.text
    ),
) -> None:
    """The dependency graph: a text tree, Mermaid, Graphviz dot or JSON."""
    from seedbed.model import workspace
    from seedbed.operations import graph

    loaded = workspace.load()
    if format is GraphFormat.json:
        echo_json(graph.data(loaded))
    else:
        typer.echo(graph.drawing(loaded, format.value), nl=False)
