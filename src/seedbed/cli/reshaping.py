"""What the commands that reshape the workspace print (graduate, demote, rename, rescope): the
plan of a dry run, or what was done, and the next step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from seedbed.cli.output import echo_list

if TYPE_CHECKING:
    from seedbed.operations.reshape import StagePlan, StageResult
    from seedbed.operations.rewrites import RewritePlan

SYNC = "uv sync --all-packages   # refresh the shared .venv for your editor"


def stage_report(plan: StagePlan, result: StageResult | None, *, order: str) -> None:
    """What graduate or demote did (*result*), or would do (None: a dry run): the moves in
    *order*, the mentions, the stage switch, the relock and the commit."""
    moves = [move.describe() for move in plan.moves]
    verb = "graduate" if plan.stage == "core" else "demote"
    if result is None:
        echo_list(f"Would {verb}, {order}:", moves)
        echo_list("Would rewrite mentions of the old paths in:", list(plan.mentions))
        typer.echo(
            f"Would switch each package's stage settings to {plan.stage} "
            "(status classifier, answers, mypy)"
        )
    else:
        echo_list(f"{verb.capitalize().removesuffix('e')}ed, {order}:", moves)
        echo_list("Edited (mentions of the old paths, stage settings):", result.edited)
    done(
        plan.lock_command(), plan.commit_message(), dry_run=result is None, commit=plan.commit,
        committed=result is not None and result.committed,
        staged=any(move.tracked for move in plan.moves),
    )  # fmt: skip


def rewrite_plan(plan: RewritePlan, title: str, lines: list[str], *, dry_run: bool) -> None:
    """What a rename or rescope changes: moves and names, files, what it could not rewrite."""
    echo_list(title, lines)
    echo_list("Would rewrite:" if dry_run else "Edited:", plan.edited())
    echo_list(
        "Not rewritten (not valid Python; fix them by hand):",
        [f"{path}: {why}" for path, why in plan.unparsable().items()],
    )
    echo_list(
        "Comments or docstrings still say an old name (left as they are):",
        plan.still_mentioning(),
    )


def done(
    lock: list[str], message: str, *, dry_run: bool, commit: bool, committed: bool, staged: bool
) -> None:
    """The relock and the commit (or, for a dry run, what they would be), and what next."""
    relock = f"uv {' '.join(lock)}"
    upgrades = lock.count("--upgrade-package")
    if upgrades > 3:  # a rescope upgrades every member: show the first few
        relock = f"uv {' '.join(lock[:7])} … ({upgrades} members upgraded)"
    subject = message.splitlines()[0]
    if dry_run:
        typer.echo(f"Would relock: {relock}")
        if commit:
            typer.echo(f"Would commit: {subject}")
        return
    typer.echo(f"Relocked: {relock}")
    if committed:
        typer.echo(f"Committed: {subject}")
    elif staged:
        typer.echo("Review with `git status`: the moves are staged as renames; commit when ready.")
    echo_list("Next:", [SYNC])
