"""`proto depend`, `proto list` and `proto graph`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from seedbed.commands.common import DryRun, Json, progress


class StageFilter(StrEnum):
    """A stage to filter by."""

    seed = "seed"
    core = "core"


class GraphFormat(StrEnum):
    """Output formats of `proto graph`."""

    text = "text"
    mermaid = "mermaid"
    dot = "dot"
    json = "json"


def depend(
    consumer: Annotated[
        str, typer.Argument(help="The package that uses the others.", metavar="CONSUMER")
    ],
    providers: Annotated[
        list[str], typer.Argument(help="The packages it uses.", metavar="PROVIDER")
    ],
    remove: Annotated[bool, typer.Option("--remove", help="Take the dependencies out.")] = False,
    dry_run: DryRun = False,
) -> None:
    """Add (or --remove) workspace dependencies of CONSUMER on PROVIDER..., then relock."""
    from seedbed import depend as operation
    from seedbed import workspace

    plan = operation.plan_depend(workspace.load(), consumer, providers, remove=remove)
    who = plan.consumer.short
    for provider in plan.unchanged:
        state = "does not depend" if remove else "already depends"
        typer.echo(f"{who} {state} on {provider.short}: nothing to do")
    if not plan.change:
        return
    names = ", ".join(p.short for p in plan.change)
    manifest = f"{plan.consumer.path.as_posix()}/pyproject.toml"
    if dry_run:
        action = f"remove {names} from" if remove else f"add {names} to"
        typer.echo(f"Would {action} {manifest}, then run: uv lock")
        return
    with progress("Editing and relocking"):
        operation.apply(plan)
    state = "no longer depends" if remove else "now depends"
    typer.echo(f"{who} {state} on {names} ({manifest}); relocked uv.lock")


def list_packages(
    stage: Annotated[StageFilter | None, typer.Option(help="Only this stage.")] = None,
    json: Json = False,
) -> None:
    """Every package: stage, version, dependencies, dependents, readiness to graduate."""
    from seedbed import views, workspace
    from seedbed.graduate import suggested_command
    from seedbed.graph import Graph

    loaded = workspace.load()
    built = Graph.of(loaded)
    records = views.package_records(loaded, built)
    if stage is not None:
        records = [r for r in records if r["stage"] == stage.value]
    if json:
        typer.echo(views.to_json(records), nl=False)
        return
    if not records:
        if loaded.packages:
            typer.echo(f"No {stage.value if stage else ''} packages.")
        else:
            typer.echo("No packages yet: create one with `proto new NAME`.")
        return
    typer.echo(views.list_table(records), nl=False)
    ready = [r["name"] for r in records if r["ready_to_graduate"]]
    if ready:
        typer.echo(f"\nReady to graduate (others depend on them): {', '.join(ready)}")
        typer.echo(f"  {suggested_command(built, [ready[0]])}")


def graph(
    format: Annotated[GraphFormat, typer.Option("--format", help="Output format.")] = (
        GraphFormat.text
    ),
) -> None:
    """The dependency graph: a text tree, Mermaid, Graphviz dot or JSON."""
    from seedbed import views, workspace
    from seedbed.graph import Graph

    loaded = workspace.load()
    built = Graph.of(loaded)
    if format is GraphFormat.json:
        text = views.graph_json(loaded, built)
    else:
        text = {
            GraphFormat.text: views.graph_text,
            GraphFormat.mermaid: views.graph_mermaid,
            GraphFormat.dot: views.graph_dot,
        }[format](built)
    typer.echo(text, nl=False)
