"""`proto check` and `proto affected`."""

from __future__ import annotations

import json as jsonlib
from enum import StrEnum
from typing import Annotated

import typer

from seedbed.commands.common import Json
from seedbed.errors import EXIT_REFUSED


class AffectedFormat(StrEnum):
    """Output formats of `proto affected`."""

    names = "names"
    json = "json"
    github_matrix = "github-matrix"


def check(json: Json = False) -> None:
    """Check the workspace's rules and report every violation; exit 1 if there is any.

    \b
    core-depends-on-seed  a core package declares a dependency on a seed
    cycle                 workspace dependencies form a cycle (one is named)
    undeclared-import     src/ or tests/ imports a workspace package it does not declare
                          (imports under `if TYPE_CHECKING:` are ignored; tests may
                          declare it in a dependency group)
    source-not-workspace  a workspace dependency without a `{ workspace = true }` source
    bad-name              distribution or import path not what scope and style imply
    stray-member          a stage folder that is not a package, or a member outside them
    lock-stale            uv.lock does not match the manifests (`uv lock --check`)
    """
    from seedbed import check as rules
    from seedbed import workspace

    loaded = workspace.load()
    violations = rules.check(loaded)
    if json:
        typer.echo(jsonlib.dumps([v.as_dict() for v in violations], indent=2))
    elif violations:
        for violation in violations:
            typer.echo(f"{violation.rule}: {violation.path}: {violation.message}")
        count = len(violations)
        typer.echo(
            f"\n{count} problem{'s' if count != 1 else ''} found; "
            "`proto check --help` explains each rule",
            err=True,
        )
    else:
        typer.echo(f"All {len(rules.RULES)} rules pass for {len(loaded.packages)} packages.")
    if violations:
        raise typer.Exit(EXIT_REFUSED)


def affected(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REF",
            help="Compare with this ref. Default: origin/HEAD, origin/main or origin/master, "
            "else HEAD.",
        ),
    ] = None,
    format: Annotated[
        AffectedFormat, typer.Option("--format", help="Output format.")
    ] = AffectedFormat.names,
    all_packages: Annotated[
        bool, typer.Option("--all", help="Select every package (e.g. in a shallow clone).")
    ] = False,
) -> None:
    """Packages changed since REF (committed, staged, unstaged, untracked) and their dependents.

    github-matrix prints one JSON object per line, each ready for `strategy.matrix` and holding
    at most 256 packages (GitHub's job limit); usually there is exactly one line.
    """
    from seedbed import affected as selection
    from seedbed import workspace
    from seedbed.graph import Graph

    loaded = workspace.load()
    chosen = selection.affected(loaded, since, every=all_packages)
    names = chosen.names(Graph.of(loaded))
    if format is AffectedFormat.names:
        for name in names:
            typer.echo(name)
    elif format is AffectedFormat.json:
        typer.echo(jsonlib.dumps(selection.report(loaded, chosen), indent=2))
    else:
        for matrix in selection.matrices(loaded, names):
            typer.echo(jsonlib.dumps(matrix, separators=(",", ":")))
