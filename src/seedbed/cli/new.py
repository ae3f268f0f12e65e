"""`proto new NAME`: create a package in seeds/NAME."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import DryRun, Trust
from seedbed.cli.output import echo_list, progress


def command(
    name: Annotated[str, typer.Argument(help="Short name, e.g. url-parser.", metavar="NAME")],
    kind: Annotated[
        str,
        typer.Option(
            help="lib (a library), cli (a typer command), app (a Starlette web app), or one of "
            "the team's kinds (`proto kinds`).",
            metavar="KIND",
        ),
    ] = "lib",
    depends_on: Annotated[
        list[str] | None,
        typer.Option(
            "--depends-on", help="A workspace package this one uses (repeatable).", metavar="PKG"
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line about the package.", metavar="TEXT")
    ] = None,
    trust: Trust = False,
    dry_run: DryRun = False,
) -> None:
    """Create a package in seeds/NAME from the package template and relock the workspace."""
    from seedbed.cli.session import writing
    from seedbed.operations import new

    with writing(dry_run) as workspace:
        plan = new.plan_new(workspace, name, kind, depends_on or [], description, trust=trust)
        where = plan.path.as_posix()
        with progress(f"Creating {where} and relocking", dry_run):
            result = new.preview(plan) if dry_run else new.apply(plan)
    what = f"{where} ({plan.kind.name}: {plan.distribution}, import {plan.import_name})"
    echo_list(
        f"Would create {what}:" if dry_run else f"Created {what}:",
        [f"{where}/{file.as_posix()}" for file in result.files],
    )
    if plan.depends_on:
        verb = "Would depend" if dry_run else "Depends"
        typer.echo(f"{verb} on: {', '.join(plan.depends_on)} (workspace sources)")
    if dry_run:
        listing = "list it in pyproject.toml's mypy settings and " if plan.listed_for_mypy else ""
        typer.echo(f"Would then {listing}run: uv lock")
        return
    if result.listed:
        typer.echo("Listed it in pyproject.toml's mypy settings")
    typer.echo("Relocked the workspace (uv.lock)")
    echo_list(
        "Next:",
        [
            f"proto run test -p {plan.short}   # its tests, alone with its declared dependencies",
            f"uv run --all-packages pytest {where}   # the same, in the shared .venv",
        ],
    )
