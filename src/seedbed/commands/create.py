"""`proto init` and `proto new`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seedbed.commands.common import DryRun, echo_list, progress, shown
from seedbed.errors import ProtoError


class ImportStyleOption(StrEnum):
    """How packages are imported."""

    namespace = "namespace"
    flat = "flat"


def init(
    dest: Annotated[
        Path, typer.Argument(help="New or empty folder for the workspace.", metavar="DEST")
    ],
    scope: Annotated[
        str | None,
        typer.Option(
            help="Team prefix of every package name. Default: DEST's folder name.",
            metavar="SCOPE",
        ),
    ] = None,
    python: Annotated[
        str | None,
        typer.Option(
            help="Python version X.Y for the workspace. Default: the running one.", metavar="X.Y"
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line about the workspace.", metavar="TEXT")
    ] = None,
    import_style: Annotated[
        ImportStyleOption,
        typer.Option(
            help="namespace: import acme_protos.url_parser; flat: import acme_protos_url_parser."
        ),
    ] = ImportStyleOption.namespace,
    author_name: Annotated[
        str | None, typer.Option(help="Default: git config user.name.", metavar="NAME")
    ] = None,
    author_email: Annotated[
        str | None, typer.Option(help="Default: git config user.email.", metavar="EMAIL")
    ] = None,
    strict_seeds: Annotated[
        bool,
        typer.Option(
            "--strict-seeds",
            help="In the workspace's CI, a failing seed fails the workflow too. "
            "Default: seeds fix forward (their failures do not block).",
        ),
    ] = False,
    dry_run: DryRun = False,
) -> None:
    """Create a workspace in DEST: render the template, git init, uv lock, first commit."""
    from seedbed import scaffold

    plan = scaffold.plan_init(
        dest,
        scope,
        python,
        description,
        "flat" if import_style is ImportStyleOption.flat else "namespace",
        author_name,
        author_email,
        seeds_fix_forward=not strict_seeds,
    )
    with progress("Creating the workspace (render, git init, uv lock)", dry_run):
        result = scaffold.init_workspace(plan, dry_run=dry_run)
    where = shown(plan.dest)
    if dry_run:
        echo_list(
            f"Would create the {plan.scope.name} workspace in {where}:",
            [f"{where}/{file.as_posix()}" for file in result.files],
        )
        typer.echo("Would then run: git init, uv lock, git commit")
        return
    typer.echo(f"Created the {plan.scope.name} workspace in {where} ({len(result.files)} files)")
    if result.locked:
        typer.echo("Locked the dev tools in uv.lock")
    if result.committed:
        typer.echo("Made the first commit")
    else:
        typer.echo("warning: git has no identity configured, so nothing was committed", err=True)
        typer.echo(
            "hint: set one with `git config --global user.name NAME` and "
            f"`git config --global user.email EMAIL`, then run `git -C {where} commit -m 'Start'`",
            err=True,
        )
    if result.lock_error is not None:
        raise ProtoError(
            f"the workspace was created, but {result.lock_error.message}",
            f"when the package index is reachable, run `uv lock` in {where} and commit uv.lock",
        )
    echo_list("Next:", [f"cd {where}", "proto new my-first-idea"])


def new(
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
    trust: Annotated[
        bool,
        typer.Option("--trust", help="Allow a team template that runs tasks or migrations."),
    ] = False,
    dry_run: DryRun = False,
) -> None:
    """Create a package in seeds/NAME from the package template and relock the workspace."""
    from seedbed import scaffold, workspace

    plan = scaffold.plan_new(
        workspace.load(), name, kind, depends_on or [], description, trust=trust
    )
    where = plan.path.as_posix()
    with progress(f"Creating {where} and relocking", dry_run):
        result = scaffold.new_package(plan, dry_run=dry_run)
    what = f"{where} ({plan.kind.name}: {plan.distribution}, import {plan.import_name})"
    echo_list(
        f"Would create {what}:" if dry_run else f"Created {what}:",
        [f"{where}/{file.as_posix()}" for file in result.files],
    )
    if plan.depends_on:
        verb = "Would depend" if dry_run else "Depends"
        typer.echo(f"{verb} on: {', '.join(plan.depends_on)} (workspace sources)")
    if dry_run:
        typer.echo("Would then run: uv lock")
        return
    typer.echo("Relocked the workspace (uv.lock)")
    echo_list(
        "Next:",
        [
            f"uv run --all-packages pytest {where}   # its tests, in the shared .venv",
            f"uv run nox -s tests -- {plan.short}   # alone, with only its declared dependencies",
        ],
    )
