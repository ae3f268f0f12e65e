"""Every option that more than one command takes, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

DryRun = Annotated[bool, typer.Option("--dry-run", help="Show the plan; change nothing.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
Names = Annotated[
    list[str] | None,
    typer.Argument(help="Packages (short or distribution names).", metavar="NAME"),
]
Affected = Annotated[
    bool, typer.Option("--affected", help="The packages changed since --since, and dependents.")
]
Since = Annotated[
    str | None,
    typer.Option("--since", metavar="REF", help="With --affected. Default: as `proto affected`."),
]
Trust = Annotated[
    bool,
    typer.Option(
        "--trust",
        help="Allow templates that run tasks, migrations or Jinja extensions "
        "(code from the template).",
    ),
]
AllowDirty = Annotated[
    bool,
    typer.Option(
        "--allow-dirty", help="Go ahead although files it changes have uncommitted changes."
    ),
]
Commit = Annotated[bool, typer.Option("--commit", help="Commit exactly what it changed.")]
