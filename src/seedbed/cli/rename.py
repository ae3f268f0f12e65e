"""`proto rename OLD NEW`: a package gets a new name everywhere."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import AllowDirty, Commit, DryRun
from seedbed.cli.output import progress


def command(
    old: Annotated[str, typer.Argument(help="The package to rename.", metavar="OLD")],
    new: Annotated[str, typer.Argument(help="Its new short name.", metavar="NEW")],
    allow_dirty: AllowDirty = False,
    commit: Commit = False,
    dry_run: DryRun = False,
) -> None:
    """Rename a package: its folder, distribution and import name, and every import,
    dependency, source, entry point and mention of it; history kept, all or nothing."""
    from seedbed.cli import reshaping
    from seedbed.cli.session import writing
    from seedbed.operations import rename

    committed = False
    with writing(dry_run) as workspace:
        with progress("Working out the rename", dry_run=True):
            plan = rename.plan_rename(workspace, old, new, allow_dirty=allow_dirty, commit=commit)
        if not dry_run:
            with progress("Renaming"):
                committed = rename.apply(plan)
    moves = [plan.moves[0].describe(), *(f"{m.source} -> {m.target}" for m in plan.moves[1:])]
    title = f"{'Would rename' if dry_run else 'Renamed'} {plan.package.short} to {plan.new}:"
    reshaping.rewrite_plan(plan, title, [*moves, *plan.renames()], dry_run=dry_run)
    reshaping.done(
        plan.lock_command(), plan.commit_message(), dry_run=dry_run, commit=commit,
        committed=committed, staged=bool(plan.moves[0].tracked),
    )  # fmt: skip
