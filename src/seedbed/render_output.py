"""Human-readable reports of what an operation did (stdout) and warnings (stderr)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from seedbed.errors import ProtoError
from seedbed.scaffold import InitResult, NewResult


def shown(path: Path) -> str:
    """A path as the user should see it: relative to the current folder when that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if len(relative) < len(str(path)) else str(path)


def _files(base: str, files: list[Path]) -> None:
    for file in files:
        typer.echo(f"  {base}/{file.as_posix()}")


def init_report(result: InitResult, *, dry_run: bool) -> None:
    """Report `proto init`; raise when the lock could not be made."""
    plan = result.plan
    dest = shown(plan.dest)
    if dry_run:
        typer.echo(f"Would create the {plan.scope.name} workspace in {dest}:")
        _files(dest, result.files)
        typer.echo("Would then run: git init, uv lock, git commit")
        return
    typer.echo(f"Created the {plan.scope.name} workspace in {dest} ({len(result.files)} files)")
    if result.locked:
        typer.echo("Locked the dev tools in uv.lock")
    if result.committed:
        typer.echo("Made the first commit")
    else:
        typer.echo("warning: git has no identity configured, so nothing was committed", err=True)
        typer.echo(
            "hint: set one with `git config --global user.name NAME` and "
            f"`git config --global user.email EMAIL`, then run `git -C {dest} commit -m 'Start'`",
            err=True,
        )
    if result.lock_error is not None:
        raise ProtoError(
            f"the workspace was created, but {result.lock_error.message}",
            f"when the package index is reachable, run `uv lock` in {dest} and commit uv.lock",
        )
    typer.echo("Next:")
    typer.echo(f"  cd {dest}")
    typer.echo("  proto new my-first-idea")


def new_report(result: NewResult, *, dry_run: bool) -> None:
    """Report `proto new`."""
    plan = result.plan
    where = plan.path.as_posix()
    what = f"{where} ({plan.kind}: {plan.distribution}, import {plan.import_name})"
    typer.echo(f"Would create {what}:" if dry_run else f"Created {what}:")
    _files(where, result.files)
    if plan.depends_on:
        verb = "Would depend" if dry_run else "Depends"
        typer.echo(f"{verb} on: {', '.join(plan.depends_on)} (workspace sources)")
    if dry_run:
        typer.echo("Would then run: uv lock")
        return
    typer.echo("Relocked the workspace (uv.lock)")
    typer.echo("Next:")
    typer.echo(f"  uv run --package {plan.distribution} pytest {where}")
