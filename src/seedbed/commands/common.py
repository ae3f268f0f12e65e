"""Options and output helpers shared by the commands."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Annotated

import typer

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def progress(message: str, dry_run: bool = False) -> AbstractContextManager[None]:
    """A spinner on a terminal while slow work runs (nothing when output is not a terminal)."""
    from seedbed.console import progress as spinner

    return spinner("Working out the plan" if dry_run else message)


def shown(path: Path) -> str:
    """A path as the user should see it: relative to the current folder when that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if len(relative) < len(str(path)) else str(path)


def echo_list(title: str, items: list[str]) -> None:
    """A title line and one indented line per item (nothing when there are no items)."""
    if items:
        if title:
            typer.echo(title)
        for item in items:
            typer.echo(f"  {item}")
