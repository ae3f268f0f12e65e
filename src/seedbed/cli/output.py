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


def plural(count: int, word: str) -> str:
    """`1 package`, `2 packages`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def echo_list(title: str, items: list[str], *, err: bool = False) -> None:
    """A title line and one indented line per item (nothing when there are no items), on
    stdout (or stderr)."""
    if items:
        if title:
            typer.echo(title, err=err)
        for item in items:
            typer.echo(f"  {item}", err=err)


def to_json(data: object, depth: int = 0) -> str:
    """JSON with the top two levels spread out, one record (or edge, or finding) a line:
    readable and diff-friendly, and written by json's C encoder (`indent=` is pure Python,
    seconds at thousands of packages)."""
    pad = "  " * depth
    if depth < 2 and isinstance(data, list) and data:
        items = ",\n".join(f"{pad}  {to_json(item, depth + 1)}" for item in data)
        return f"[\n{items}\n{pad}]"
    if depth < 1 and isinstance(data, dict) and data:
        items = ",\n".join(
            f"{pad}  {json.dumps(key)}: {to_json(value, depth + 1)}" for key, value in data.items()
        )
        return f"{{\n{items}\n{pad}}}"
    return json.dumps(data)


def warn(message: str, hint: str | None = None) -> None:
    """A `warning:` line (and a `hint:` line) on stderr: the command still succeeds."""
    typer.echo(f"warning: {message}", err=True)
    if hint:
        typer.echo(f"hint: {hint}", err=True)


def echo_json(data: object) -> None:
    """Stable JSON on stdout (see to_json)."""
    typer.echo(to_json(data))


def table(rows: list[list[str]]) -> str:
    """Left-aligned columns separated by two spaces; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]  # fmt: skip
    return "\n".join(lines) + "\n"
