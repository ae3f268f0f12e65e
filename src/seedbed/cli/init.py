"""`proto init DEST`: create a workspace."""

from __future__ import annotations

import shlex
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from seedbed.cli.options import DryRun
from seedbed.cli.output import echo_list, progress, shown
from seedbed.errors import ProtoError


class ImportStyleOption(StrEnum):
    """How packages are imported."""

    namespace = "namespace"
    flat = "flat"


def command(
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
    seedbed_requirement: Annotated[
        str | None,
        typer.Option(
            help="What the workspace's CI installs to run proto: a requirement such as "
            "seedbed==X.Y.Z, a git URL ('seedbed @ git+https://...'), or a name on your own "
            "index. Default: this seedbed from PyPI.",
            metavar="SPEC",
        ),
    ] = None,
    dry_run: DryRun = False,
) -> None:
    """Create a workspace in DEST: render the template, git init, uv lock, first commit."""
    from seedbed.operations import init

    plan = init.plan_init(
        dest,
        scope,
        python,
        description,
        "flat" if import_style is ImportStyleOption.flat else "namespace",
        author_name,
        author_email,
        seeds_fix_forward=not strict_seeds,
        seedbed_requirement=seedbed_requirement,
    )
    with progress("Creating the workspace (render, git init, uv lock)", dry_run):
        result = init.preview(plan) if dry_run else init.apply(plan)
    where = shown(plan.dest)
    if dry_run:
        echo_list(
            f"Would create the {plan.scope.name} workspace in {where}:",
            [f"{where}/{file.as_posix()}" for file in result.files],
        )
        if plan.outer is None:
            typer.echo("Would then run: git init, uv lock, git commit")
        else:
            typer.echo(
                f"Would then run: uv lock (no git init, no commit: {where} is inside the git "
                f"repository {plan.outer})"
            )
        return
    typer.echo(f"Created the {plan.scope.name} workspace in {where} ({len(result.files)} files)")
    if result.locked:
        typer.echo("Locked the dev tools in uv.lock")
    if plan.outer is not None:
        typer.echo(
            f"It is inside the git repository {plan.outer}, so it has no repository "
            "of its own and nothing was committed. Commit it there:"
        )
        folder = shlex.quote(where)
        typer.echo(
            f"  git -C {folder} add . && git -C {folder} commit -m "
            f"{shlex.quote(plan.commit_message)} -- ."
        )
        typer.echo(
            "GitHub runs only the workflows in the repository's top .github/workflows/: "
            f"move {where}/.github/workflows/ there to use them (see the CI docs)"
        )
    elif result.committed:
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
    echo_list("Next:", [*([f"cd {where}"] if where != "." else []), "proto new my-first-idea"])
