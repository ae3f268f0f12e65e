"""`proto demote NAME...`: move core packages back to seeds."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import AllowDirty, Commit, DryRun
from seedbed.cli.output import progress


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
        result = None
        if not dry_run:
            with progress("Demoting"):
                result = demote.apply(plan)
    reshaping.stage_report(plan, result, order="dependents first")
