"""`proto retire NAME...`: remove packages; git history keeps them."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import AllowDirty, Commit, DryRun
from seedbed.cli.output import echo_list, progress


def command(
    names: Annotated[list[str], typer.Argument(help="Packages to retire.", metavar="NAME")],
    allow_dirty: AllowDirty = False,
    commit: Commit = False,
    dry_run: DryRun = False,
) -> None:
    """Remove packages (refused while another package uses them); git history keeps them,
    and the output says how to bring each back. All or nothing."""
    from seedbed.cli.session import writing
    from seedbed.operations import retire

    with writing(dry_run) as workspace:
        plan = retire.plan_retire(workspace, names, allow_dirty=allow_dirty, commit=commit)
        if not dry_run:
            with progress("Retiring"):
                result = retire.apply(plan)
    folders = [r.describe() for r in plan.retirements]
    echo_list("Would retire:" if dry_run else "Retired:", folders)
    edited = list(plan.edited) if dry_run else result.edited
    echo_list("Would rewrite:" if dry_run else "Edited:", [f"{p} (mypy lists)" for p in edited])
    if dry_run:
        typer.echo("Would relock: uv lock")
        if commit:
            typer.echo(f"Would commit: {plan.commit_message().splitlines()[0]}")
    else:
        typer.echo("Relocked: uv lock")
        if result.committed:
            typer.echo(f"Committed: {plan.commit_message().splitlines()[0]}")
        elif any(r.tracked for r in plan.retirements):
            typer.echo("Review with `git status`: the deletions are staged; commit when ready.")
    for retirement in plan.retirements:
        back = retirement.way_back()
        if retirement.last is None or back is None:
            typer.echo(f"{retirement.folder} was never committed: it cannot be brought back.")
            continue
        last = retirement.last
        typer.echo(
            f"{retirement.folder} is last in commit {last.short} "
            f"({last.subject!r}, {last.author}); to bring it back: {back}"
        )
    echo_list("Still mention the retired folders (left as they are):", list(plan.mentioning))
