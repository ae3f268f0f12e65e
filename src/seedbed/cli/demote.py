"""`proto demote NAME...`: move core packages back to seeds."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import AllowDirty, Commit, DryRun
from seedbed.cli.output import echo_list, progress


def command(
    names: Annotated[list[str], typer.Argument(help="Core packages to demote.", metavar="NAME")],
    with_dependents: Annotated[
        bool,
        typer.Option("--with-dependents", help="Demote the core packages that depend on them too."),
    ] = False,
    allow_dirty: AllowDirty = False,
    commit: Commit = False,
    dry_run: DryRun = False,
) -> None:
    """Move core/NAME back to seeds/NAME, keeping git history; all or nothing."""
    from seedbed.cli import reshaping
    from seedbed.cli.session import writing
    from seedbed.operations import demote

    with writing(dry_run) as workspace:
        plan = demote.plan_demote(
            workspace,
            names,
            with_dependents=with_dependents,
            allow_dirty=allow_dirty,
            commit=commit,
        )
        if not dry_run:
            with progress("Demoting"):
                result = demote.apply(plan)
    moves = [move.describe() for move in plan.moves]
    if dry_run:
        reshaping.stage_moves("demote", "dependents first", moves, list(plan.mentions), "seed")
    else:
        echo_list("Demoted, dependents first:", moves)
        echo_list("Edited (mentions of the old paths, stage settings):", result.edited)
    reshaping.done(
        plan.lock_command(), plan.commit_message(), dry_run=dry_run, commit=commit,
        committed=not dry_run and result.committed,
        staged=any(move.tracked for move in plan.moves),
    )  # fmt: skip
