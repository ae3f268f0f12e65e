"""`proto rescope NEW_SCOPE`: the whole workspace under a new scope."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import AllowDirty, Commit, DryRun
from seedbed.cli.output import progress


def command(
    new_scope: Annotated[str, typer.Argument(help="The new scope.", metavar="NEW_SCOPE")],
    allow_dirty: AllowDirty = False,
    commit: Commit = False,
    dry_run: DryRun = False,
) -> None:
    """Move the whole workspace to a new scope: every distribution name, the import
    namespace folders, every import, dependency and source, answers files, READMEs, ruff's
    known-first-party and [tool.proto] scope; history kept, all or nothing."""
    from seedbed.cli import reshaping
    from seedbed.cli.session import writing
    from seedbed.operations import rescope

    committed = False
    with writing(dry_run) as workspace:
        with progress("Working out the rescope", dry_run=True):
            plan = rescope.plan_rescope(
                workspace, new_scope, allow_dirty=allow_dirty, commit=commit
            )
        if not dry_run:
            with progress("Rescoping"):
                committed = rescope.apply(plan)
    moves = [f"{move.source} -> {move.target}" for move in plan.moves]
    title = f"{'Would rescope' if dry_run else 'Rescoped'} {plan.workspace.scope.name} to "
    reshaping.rewrite_plan(
        plan, f"{title}{plan.scope.name}:", [*plan.renames(), *moves], dry_run=dry_run
    )
    reshaping.done(
        plan.lock_command(), plan.commit_message(), dry_run=dry_run, commit=commit,
        committed=committed, staged=any(move.tracked for move in plan.moves),
    )  # fmt: skip
