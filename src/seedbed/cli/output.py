"""Output: lists, tables, JSON and progress. Progress only on a terminal; plain text elsewhere."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer


@contextmanager
def progress(message: str, dry_run: bool = False) -> Iterator[None]:
    """A spinner with *message* on stderr while slow work runs, if stderr is a terminal."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status("Working out the plan" if dry_run else message):
        yield


def shown(path: Path) -> str:
    """A path as the user should see it: relative to the current folder when that is shorter."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if len(relative) < len(str(path)) else str(path)


def echo_list(title: str, items: list[str], *, err: bool = False) -> None:
    """A title line and one indented line per item (nothing when there are no items), on
    stdout (or stderr)."""
    if items:
        if title:
            typer.echo(title, err=err)
        for item in items:
            typer.echo(f"  {item}", err=err)


def echo_json(data: object) -> None:
    """Stable, indented JSON on stdout."""
    typer.echo(json.dumps(data, indent=2))


def table(rows: list[list[str]]) -> str:
    """Left-aligned columns separated by two spaces; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]  # fmt: skip
    return "\n".join(lines) + "\n"
