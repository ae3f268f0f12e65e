"""`proto doctor [--fix]`: find and repair what an interrupted command left behind."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seedbed.cli.options import Json
from seedbed.cli.output import echo_json, progress
from seedbed.errors import EXIT_REFUSED, InvalidInputError


def command(
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Undo an interrupted command, remove leftovers, relock a stale uv.lock.",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="With --fix: say what --fix would do (its `--fix:` lines); change "
            "nothing. Exit 1 when something would be left.",
        ),
    ] = False,
    json: Json = False,
) -> None:
    """Check the workspace's health: an interrupted command (from its journal), a stale
    uv.lock, leftover scratch folders and update worktrees, unresolved update conflicts,
    dependencies on packages that no longer exist. Exit 1 when anything is found (after
    --fix: when anything is left), 0 when the workspace is healthy.
    """
    from seedbed.model.workspace import find_root
    from seedbed.operations import doctor

    if dry_run and not fix:
        raise InvalidInputError("--dry-run goes with --fix", "use `proto doctor --fix --dry-run`")
    root = find_root(Path.cwd().resolve())[0]
    with progress("Examining the workspace"):
        found = doctor.diagnose(root)
        if fix and not dry_run and not found.healthy:
            found = doctor.repair(found)
    if json:
        echo_json({"healthy": found.healthy, "findings": [f.as_dict() for f in found.findings]})
    elif not found.findings:
        typer.echo("The workspace is healthy.")
    else:
        for finding in found.findings:
            state = "fixed" if finding.fixed else finding.kind
            typer.echo(f"{state}: {finding.message}")
            if finding.fix and not finding.fixed:
                how = "--fix" if finding.fixable and (dry_run or not fix) else "to fix"
                typer.echo(f"  {how}: {finding.fix}")
    if not (found.fix_would_heal if dry_run else found.healthy):
        raise typer.Exit(EXIT_REFUSED)
