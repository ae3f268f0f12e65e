"""`proto list`: every package, as a table or JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from seedbed.cli.options import Json
from seedbed.cli.output import echo_json, table


class StageFilter(StrEnum):
    """A stage to filter by."""

    seed = "seed"
    core = "core"


def command(
    stage: Annotated[StageFilter | None, typer.Option(help="Only this stage.")] = None,
    json: Json = False,
) -> None:
    """Every package: stage, version, dependencies, dependents, readiness to graduate."""
    from seedbed.model import workspace
    from seedbed.operations.list import plan_list

    loaded = workspace.load()
    listing = plan_list(loaded, stage.value if stage else None)
    if json:
        echo_json(listing.records)
        return
    if not listing.records:
        if loaded.packages:
            typer.echo(f"No {stage.value if stage else ''} packages.")
        else:
            typer.echo("No packages yet: create one with `proto new NAME`.")
        return
    typer.echo(_table(listing.records), nl=False)
    if listing.graduate_hint:
        typer.echo(f"\nReady to graduate (others depend on them): {', '.join(listing.ready)}")
        typer.echo(f"  {listing.graduate_hint}")


def _table(records: list[dict[str, Any]]) -> str:
    rows = [["NAME", "STAGE", "VERSION", "DEPENDS ON", "USED BY", "GRADUATE"]]
    for record in records:
        rows.append(
            [
                record["name"],
                record["stage"],
                record["version"] or "-",
                ", ".join(
                    [
                        *record["dependencies"],
                        *(f"{m} (missing)" for m in record["missing_dependencies"]),
                    ]
                )
                or "-",
                ", ".join(record["dependents"]) or "-",
                "ready" if record["ready_to_graduate"] else "",
            ]
        )
    return table(rows)
