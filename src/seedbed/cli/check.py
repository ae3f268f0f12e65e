"""`proto check`: the workspace's rules, every violation reported."""

from __future__ import annotations

from pathlib import Path

import typer

from seedbed.cli.options import Json
from seedbed.cli.output import echo_json, plural
from seedbed.errors import EXIT_REFUSED


def command(json: Json = False) -> None:
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
    from seedbed.model.workspace import find_root
    from seedbed.operations import check

    loaded, violations = check.check_at(find_root(Path.cwd().resolve())[0])
    if json:
        echo_json([v.as_dict() for v in violations])
    elif violations:
        for violation in violations:
            typer.echo(f"{violation.rule}: {violation.path}: {violation.message}")
        typer.echo(
            f"\n{plural(len(violations), 'problem')} found; "
            "`proto check --help` explains each rule",
            err=True,
        )
    else:
        typer.echo(
            f"All {len(check.RULES)} rules pass for {plural(len(loaded.packages), 'package')}."
        )
    if violations:
        raise typer.Exit(EXIT_REFUSED)
