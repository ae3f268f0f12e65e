"""`proto check`: the workspace's rules, every violation reported; `--fix` mends what it can."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from seedbed.cli.options import DryRun, Json
from seedbed.cli.output import echo_json, echo_list, plural
from seedbed.errors import EXIT_REFUSED, InvalidInputError


def command(
    json: Json = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Declare the siblings code imports, remove dependencies on packages that "
            "are gone (never an edge a rule forbids), list the packages in the root's mypy "
            "settings, relock, then check.",
        ),
    ] = False,
    dry_run: DryRun = False,
) -> None:
    """Check the workspace's rules and report every violation; exit 1 if there is any.

    \b
    core-depends-on-seed  a core package declares a dependency on a seed
    cycle                 workspace dependencies form a cycle (one is named)
    missing-package       a dependency on a workspace package that does not exist
                          (retired, renamed or deleted); --fix removes it
    undeclared-import     src/ or tests/ imports a workspace package it does not declare
                          (imports under `if TYPE_CHECKING:` are ignored; tests may
                          declare it in a dependency group); --fix declares it
    source-not-workspace  a workspace dependency without a `{ workspace = true }` source
    bad-name              distribution or import path not what scope and style imply
    stray-member          a stage folder that is not a package, or a member outside them
    mypy-lists            the root's [tool.mypy] lists name a package that is gone or miss
                          one (deleted or brought back by hand); --fix rewrites them
    lock-stale            uv.lock does not match the manifests (`uv lock --check`)
    """
    from seedbed.model.workspace import find_root
    from seedbed.operations import check

    if dry_run and not fix:
        raise InvalidInputError("--dry-run goes with --fix", "use `proto check --fix --dry-run`")
    if fix:
        from seedbed.cli.session import writing

        with writing(dry_run) as loaded:
            plan = check.plan_fix(loaded)
            if not dry_run:
                check.apply_fix(plan)
        fixed = plan.describe()
        if dry_run:
            echo_list("Would fix:", fixed, err=json)
            typer.echo("Would relock: uv lock" if fixed else "Nothing for --fix to change.",
                       err=json)  # fmt: skip
        else:
            echo_list("Fixed:", fixed, err=json)
            if fixed:
                typer.echo("Relocked uv.lock", err=json)
    loaded, violations = check.check_at(find_root(Path.cwd().resolve())[0])
    if fix and dry_run:
        violations = check.remaining(violations, plan)
    if json:
        echo_json([v.as_dict() for v in violations])
    elif violations:
        for violation in violations:
            typer.echo(f"{violation.rule}: {violation.path}: {violation.message}")
        found = "would remain after --fix" if dry_run else "found"
        typer.echo(
            f"\n{plural(len(violations), 'problem')} {found}; "
            "`proto check --help` explains each rule",
            err=True,
        )
    elif not dry_run:  # a dry run's plan said it all
        typer.echo(
            f"All {len(check.RULES)} rules pass for {plural(len(loaded.packages), 'package')}."
        )
    if violations:
        raise typer.Exit(EXIT_REFUSED)
