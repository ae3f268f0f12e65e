"""`proto graduate NAME...`: move seeds to core."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import DryRun
from seedbed.cli.output import progress


def command(
    names: Annotated[list[str], typer.Argument(help="Seeds to graduate.", metavar="NAME")],
    with_deps: Annotated[
        bool, typer.Option("--with-deps", help="Graduate the seeds they depend on too.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Graduate even if no package depends on it yet.")
    ] = False,
    allow_dirty: Annotated[
        bool, typer.Option("--allow-dirty", help="Move uncommitted changes along.")
    ] = False,
    commit: Annotated[bool, typer.Option("--commit", help="Commit the graduation.")] = False,
    dry_run: DryRun = False,
) -> None:
    """Move seeds/NAME to core/NAME, keeping git history; all or nothing."""
    from seedbed.cli import reshaping
    from seedbed.cli.session import writing
    from seedbed.operations import graduate

    with writing(dry_run) as workspace:
        plan = graduate.plan_graduate(
            workspace,
            names,
            with_deps=with_deps,
            force=force,
            allow_dirty=allow_dirty,
            commit=commit,
        )
        result = None
        if not dry_run:
            with progress("Graduating"):
                result = graduate.apply(plan)
    reshaping.stage_report(plan, result, order="in dependency order")
