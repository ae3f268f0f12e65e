"""`proto graduate NAME...`: move seeds to core."""

from __future__ import annotations

from typing import Annotated

import typer

from seedbed.cli.options import DryRun
from seedbed.cli.output import echo_list, progress


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
        if not dry_run:
            with progress("Graduating"):
                result = graduate.apply(plan)
    moves = [
        f"{m.source} -> {m.target} ({m.tracked} tracked files"
        + (f", {m.untracked} untracked)" if m.untracked else ")")
        for m in plan.moves
    ]
    if dry_run:
        echo_list("Would graduate, in dependency order:", moves)
        echo_list("Would rewrite mentions of the old paths in:", list(plan.mentions))
        typer.echo(
            "Would switch each package's stage settings to core (status classifier, answers, mypy)"
        )
        typer.echo(f"Would relock: uv {' '.join(plan.lock_command())}")
        if commit:
            typer.echo(f"Would commit: {plan.commit_message().splitlines()[0]}")
        return
    echo_list("Graduated, in dependency order:", moves)
    echo_list("Edited (mentions of the old paths, stage settings):", result.edited)
    typer.echo(f"Relocked: uv {' '.join(plan.lock_command())}")
    if result.committed:
        typer.echo(f"Committed: {plan.commit_message().splitlines()[0]}")
    elif any(move.tracked for move in plan.moves):
        typer.echo("Review with `git status`: the moves are staged as renames; commit when ready.")
    echo_list("Next:", ["uv sync --all-packages   # refresh the shared .venv for your editor"])
